#include "message_report.h"

#include <cstdio>

#include "export/i18n.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "mail/mime.h"
#include "trace/trace.h"
#include "trace/transcript.h"
#include "trace/verdict.h"

namespace postlab {
namespace {

std::string bytes(std::size_t n) { return std::to_string(n) + " B"; }

void mime_tree(const MimePart& p, const std::string& indent, bool last, bool root, std::string& out) {
  std::string line = root ? "" : indent + (last ? "└─ " : "├─ ");
  line += p.content_type;
  if (auto it = p.params.find("charset"); it != p.params.end()) line += "; charset=" + it->second;
  if (!p.filename.empty()) line += "  “" + p.filename + "”";
  if (!p.disposition.empty()) line += "  (" + p.disposition + ")";
  if (!p.multipart()) {
    line += "  " + p.encoding + "  " + bytes(p.encoded_size()) + " → " + bytes(p.decoded_size());
    if (p.decoded_size() > 0 && p.encoded_size() > p.decoded_size()) {
      char pct[32];
      std::snprintf(pct, sizeof pct, " (+%.0f%%)",
                    100.0 * static_cast<double>(p.encoded_size() - p.decoded_size()) / static_cast<double>(p.decoded_size()));
      line += pct;
    }
  }
  if (!p.problem.empty()) line += "  [!] " + p.problem;
  out += line + "\n";
  const std::string child_indent = root ? "" : indent + (last ? "   " : "│  ");
  for (std::size_t i = 0; i < p.children.size(); ++i)
    mime_tree(p.children[i], child_indent, i + 1 == p.children.size(), false, out);
}

const MimePart* first_text(const MimePart& p) {
  if (!p.multipart() && p.content_type == "text/plain" && p.disposition != "attachment") return &p;
  for (const auto& c : p.children)
    if (const MimePart* t = first_text(c)) return t;
  return nullptr;
}

}  // namespace

std::string message_to_text(const Trace& trace, std::int64_t index, const Translations& tr) {
  const MessageSnapshot& m = trace.messages()[static_cast<std::size_t>(index)];
  std::string out;
  auto row = [&](const std::string& key, const std::string& value) {
    out += "  " + tr.get(key) + ": " + value + "\n";
  };
  out += "== " + tr.get("verdict.facts") + "\n";
  row("verdict.envelope_from", "<" + m.envelope_from + ">");
  std::string to;
  for (const auto& r : m.envelope_to) to += (to.empty() ? "<" : ", <") + r + ">";
  row("verdict.envelope_to", to);
  const SenderFacts f = sender_facts(m);
  row("verdict.header_from", f.header_from.empty() ? "-" : f.header_from);
  if (!f.header_sender.empty()) row("verdict.header_sender", f.header_sender);
  if (!f.header_reply_to.empty()) row("verdict.header_reply_to", f.header_reply_to);
  if (!m.client_host.empty()) {
    row("verdict.client", m.client_host + " [" + m.client_address + "]");
    row("verdict.helo", m.helo);
    row("verdict.auth_user", m.auth_user.empty() ? tr.get("verdict.nobody") : m.auth_user);
    row("verdict.tls", tr.get(m.tls ? "verdict.yes" : "verdict.no"));
    const SpoofVerdict v = spoof_verdict(m);
    out += "\n== " + tr.get("verdict.title") + "\n  " + tr.get(v.suspicious ? "verdict.suspicious" : "verdict.consistent") + "\n";
    for (const auto& r : v.reasons) out += "  - " + tr.phrase(r) + "\n";
  }

  const Message msg = Message::parse(m.data);
  out += "\n== " + tr.get("message.headers") + "\n";
  for (const auto& h : msg.headers()) {
    std::string value = h.value;
    out += h.name + ": " + value + "\n";
    const std::string decoded = decode_header_text(value);
    if (decoded != unfold(value)) out += "    = " + decoded + "\n";
  }
  const MimePart root = parse_mime(m.data);
  out += "\n== " + tr.get("message.mime") + "\n";
  mime_tree(root, "", true, true, out);
  if (const MimePart* text = first_text(root)) {
    out += "\n== " + tr.get("message.text") + "\n";
    for (const auto& l : split_lines(text->decoded)) out += "  " + l + "\n";
  }
  return out;
}

}  // namespace postlab
