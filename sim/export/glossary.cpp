#include "export/glossary.h"

#include <cctype>
#include "export/i18n.h"
#include "trace/trace.h"
#include "trace/transcript.h"

namespace postlab {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::vector<std::string>> explain_reply(std::string_view line, const Translations& tr) {
  // "250 2.1.5 Ok", "250-PIPELINING": three digits, then a space, a hyphen or nothing.
  if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2])) return std::nullopt;
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return std::nullopt;
  if (line[0] < '2' || line[0] > '5') return std::nullopt;
  std::vector<std::string> out;
  const std::string code(line.substr(0, 3));
  if (tr.has("glossary.reply." + code)) out.push_back(tr.get("glossary.reply." + code));
  out.push_back(tr.get(std::string("glossary.reply.class.") + line[0]));
  // The enhanced status code after the basic one: class.subject.detail (RFC 3463 §2).
  std::string_view rest = line.size() > 4 ? line.substr(4) : std::string_view();
  const auto end = rest.find(' ');
  const std::string_view status = rest.substr(0, end);
  const auto dot1 = status.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : status.find('.', dot1 + 1);
  const bool enhanced = status.size() >= 5 && status.size() <= 11 && dot1 == 1 && dot2 != std::string_view::npos &&
                        status[0] == line[0] && (status[0] == '2' || status[0] == '4' || status[0] == '5');
  if (enhanced) {
    bool digits = true;
    for (char c : status) digits = digits && (digit(c) || c == '.');
    if (digits) {
      const std::string subject(status.substr(2, dot2 - 2));
      const std::string detail = subject + "." + std::string(status.substr(dot2 + 1));
      if (tr.has("glossary.status.detail." + detail)) out.push_back(tr.get("glossary.status.detail." + detail));
      out.push_back(fill(tr.get(std::string("glossary.status.class.") + status[0]), {std::string(status)}));
      if (tr.has("glossary.status.subject." + subject)) out.push_back(tr.get("glossary.status.subject." + subject));
    }
  }
  out.push_back(tr.get("glossary.reply.rfc"));
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> explain_smtp_line(std::string_view line, bool from_client, const Translations& tr) {
  if (!from_client) return explain_reply(line, tr);
  if (line == ".") return std::vector<std::string>{tr.get("glossary.command.dot")};
  const std::string_view word = line.substr(0, line.find_first_of(" :"));
  std::string verb(word);
  for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (verb.empty() || !tr.has("glossary.command." + verb)) return std::nullopt;
  return std::vector<std::string>{tr.get("glossary.command." + verb)};
}

std::optional<std::vector<std::string>> explain_line(const TraceEvent& e, std::string_view line, bool first,
                                                     bool eavesdropper, const Translations& tr) {
  if (e.kind != EventKind::Line || e.protocol != Protocol::Smtp || (eavesdropper && e.encrypted)) return std::nullopt;
  const std::string_view bytes = e.text;
  const bool client = e.from_client;
  // A message's text (DATA, ended by the lone dot) or a BDAT chunk: only the dot or BDAT itself.
  const bool body = client && bytes.size() >= 5 && bytes.substr(bytes.size() - 5) == "\r\n.\r\n";
  const bool chunk = client && bytes.rfind("BDAT ", 0) == 0;
  if ((body && line != ".") || (chunk && !first)) return std::nullopt;
  return explain_smtp_line(line, client, tr);
}

}  // namespace postlab
