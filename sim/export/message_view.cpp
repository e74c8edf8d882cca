#include "export/message_view.h"

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

}  // namespace

MailSummary summarize(const MessageSnapshot& snapshot) {
  const Message m = Message::parse(snapshot.head());
  return MailSummary{decode_header_text(m.get("From")), decode_header_text(m.get("Subject")), m.get("Date")};
}

std::size_t hop_count(const MessageSnapshot& snapshot) {
  const Message m = Message::parse(snapshot.head());
  std::size_t n = 0;
  for (const auto& h : m.headers()) n += iequals(h.name, "Received");
  return n;
}

MessageView build_message_view(const MessageSnapshot& m, const Translations& tr, const std::string& folder) {
  MessageView v;
  v.summary = summarize(m);
  const SenderFacts f = sender_facts(m);
  switch (m.kind) {
    case CopyKind::Draft: v.copy = fill(tr.get("message.copy_draft"), {m.holder}); break;
    case CopyKind::Queued: {
      const std::size_t hops = hop_count(m);
      v.copy = fill(tr.get(hops == 1 ? "message.copy_queued_one" : "message.copy_queued"), {m.holder, std::to_string(hops)});
      break;
    }
    case CopyKind::Stored:
      v.copy = fill(tr.get("message.copy_stored"), {m.mailbox, folder.empty() ? "INBOX" : folder, m.holder});
      break;
    case CopyKind::Local: v.copy = fill(tr.get("message.copy_local"), {m.holder, m.mailbox}); break;
  }
  // A draft has no envelope yet: the mail program gives it to a server in MAIL FROM and RCPT TO.
  if (m.kind == CopyKind::Draft)
    v.envelope_note = tr.get("message.draft_envelope");
  else if (m.kind == CopyKind::Local)  // POP3 and IMAP hand over the message, never its envelope
    v.envelope_note = tr.get("message.local_envelope");
  else {
    std::string rcpts;
    for (const auto& r : m.envelope_to) rcpts += (rcpts.empty() ? "<" : ", <") + r + ">";
    v.facts.emplace_back(tr.get("verdict.envelope_from"), "<" + m.envelope_from + ">");
    v.facts.emplace_back(tr.get(m.kind == CopyKind::Stored ? "verdict.envelope_to_stored" : "verdict.envelope_to"), rcpts);
  }
  v.facts.emplace_back(tr.get("verdict.header_from"), f.header_from.empty() ? "-" : f.header_from);
  if (!f.header_sender.empty()) v.facts.emplace_back(tr.get("verdict.header_sender"), f.header_sender);
  if (!f.header_reply_to.empty()) v.facts.emplace_back(tr.get("verdict.header_reply_to"), f.header_reply_to);
  if (!m.client_host.empty()) {
    v.facts.emplace_back(tr.get("verdict.client"), m.client_host + " [" + m.client_address + "]");
    v.facts.emplace_back(tr.get("verdict.helo"), m.helo);
    v.facts.emplace_back(tr.get("verdict.auth_user"), m.auth_user.empty() ? tr.get("verdict.nobody") : m.auth_user.str());
    v.facts.emplace_back(tr.get("verdict.tls"), tr.get(m.tls ? "verdict.yes" : "verdict.no"));
    const SpoofVerdict verdict = spoof_verdict(m);
    v.has_verdict = true;
    v.verdict_kind = verdict.verdict;
    v.verdict = tr.get(verdict_key(verdict.verdict));
    for (const auto& r : verdict.reasons) v.reasons.push_back(tr.phrase(r));
  }
  std::string tree;
  const std::string data = m.data();
  mime_tree(parse_mime(data), "", true, true, tree);
  v.mime = split_lines(tree);
  v.raw_size = data.size();
  v.raw = data.substr(0, kRawPreviewBytes);
  return v;
}

}  // namespace postlab
