#include "message_report.h"

#include "export/i18n.h"
#include "export/message_view.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "mail/mime.h"
#include "trace/trace.h"
#include "trace/transcript.h"

namespace postlab {
namespace {

const MimePart* first_text(const MimePart& p) {
  if (!p.multipart() && p.content_type == "text/plain" && p.disposition != "attachment") return &p;
  for (const auto& c : p.children)
    if (const MimePart* t = first_text(c)) return t;
  return nullptr;
}

}  // namespace

std::string message_to_text(const Trace& trace, std::int64_t index, const Translations& tr) {
  const MessageSnapshot& m = trace.messages()[static_cast<std::size_t>(index)];
  const MessageView v = build_message_view(m, tr);
  std::string out = "== " + tr.get("verdict.facts") + "\n";
  for (const auto& [label, value] : v.facts) out += "  " + label + ": " + value + "\n";
  if (v.has_verdict) {
    out += "\n== " + tr.get("verdict.title") + "\n  " + v.verdict + "\n";
    for (const auto& r : v.reasons) out += "  - " + r + "\n";
  }
  // Headers as they travel, each RFC 2047 one followed by what it says.
  out += "\n== " + tr.get("message.headers") + "\n";
  const std::string data = m.data();
  const Message message = Message::parse(data);
  for (const auto& h : message.headers()) {
    out += h.name + ": " + h.value + "\n";
    const std::string decoded = decode_header_text(h.value);
    if (decoded != unfold(h.value)) out += "    = " + decoded + "\n";
  }
  out += "\n== " + tr.get("message.mime") + "\n";
  for (const auto& line : v.mime) out += line + "\n";
  const MimePart root = parse_mime(data);
  if (const MimePart* text = first_text(root)) {
    out += "\n== " + tr.get("message.text") + "\n";
    for (const auto& l : split_lines(text->decoded)) out += "  " + l + "\n";
  }
  return out;
}

}  // namespace postlab
