#include "trace/transcript.h"

namespace postlab {

std::vector<std::string> split_lines(std::string_view bytes) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::size_t eol = bytes.find('\n', pos);
    std::size_t next = eol == std::string_view::npos ? bytes.size() : eol + 1;
    std::size_t end = eol == std::string_view::npos ? bytes.size() : eol;
    if (end > pos && bytes[end - 1] == '\r') --end;
    out.emplace_back(bytes.substr(pos, end - pos));
    pos = next;
  }
  return out;
}

bool is_traffic(EventKind kind) {
  switch (kind) {
    case EventKind::Line:
    case EventKind::ConnectionOpened:
    case EventKind::ConnectionRefused:
    case EventKind::ConnectionClosed:
    case EventKind::DnsQuery:
    case EventKind::DnsAnswer:
    case EventKind::Lost: return true;
    default: return false;
  }
}

std::string route_of(const TraceEvent& e) {
  if (e.from.empty()) return {};
  // Work done inside one host (queued, delivered, relayed log lines, composed) is not drawn as A → B.
  if (!is_traffic(e.kind) || e.to.empty() || e.to == e.from) return e.from;
  return e.from + " → " + e.to;
}

std::string fill(std::string_view pattern, const std::vector<std::string>& args) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 1] >= '0' && pattern[i + 1] <= '9' &&
        pattern[i + 2] == '}') {
      const auto n = static_cast<std::size_t>(pattern[i + 1] - '0');
      if (n < args.size()) {
        out += args[n];
        i += 2;
        continue;
      }
    }
    out += pattern[i];
  }
  return out;
}

std::span<const Phrase> explanations(const TraceEvent& e) {
  if (e.kind == EventKind::Fault) return {};
  return {e.notes.data(), e.notes.size()};
}

Phrase describe(const TraceEvent& e, Lang lang) {
  switch (e.kind) {
    case EventKind::Narration: return {"event.narration", {LocalText{e.text, e.text_alt}.get(lang)}};
    case EventKind::ConnectionOpened: return {"event.connected", {e.from, e.to, std::to_string(e.port)}};
    case EventKind::ConnectionRefused: return {"event.refused", {e.from, e.to, std::to_string(e.port), e.text}};
    case EventKind::ConnectionClosed: return {"event.closed", {e.from, e.to}};
    case EventKind::Line: return {e.from_client ? "event.line_client" : "event.line_server", {e.from, e.to}};
    case EventKind::DnsQuery: return {"event.dns_query", {e.from, e.text}};
    case EventKind::DnsAnswer:
      if (e.from == e.to) return {"event.dns_no_answer", {e.to, e.text}};  // the resolver gave up
      return {"event.dns_answer", {e.to, e.text}};
    case EventKind::MessageComposed: return {"event.composed", {e.from, e.text}};
    case EventKind::MessageAccepted: return {"event.accepted", {e.from, e.text}};
    case EventKind::MessageStored:
      if (e.protocol == Protocol::Imap)  // a client's COPY, MOVE or APPEND
        return {"event.imap_stored", {e.from, e.mailbox, e.folder, std::to_string(e.uid), e.text}};
      return {"event.stored", {e.from, e.mailbox, e.folder, std::to_string(e.uid), e.text}};
    case EventKind::Relayed: return {"event.relayed", {e.from, e.text}};
    case EventKind::DeliveryDeferred: return {"event.deferred", {e.from, e.text}};
    case EventKind::DeliveryFailed: return {"event.failed", {e.from, e.text}};
    case EventKind::QueueRemoved: return {"event.queue_removed", {e.from, e.text}};
    case EventKind::Submitted: return {"event.submitted", {e.from, e.text}};
    case EventKind::MailboxCreated: return {"event.mailbox_created", {e.from.empty() ? "-" : e.from, e.mailbox}};
    case EventKind::MessagePreset:
      return {"event.message_preset", {e.mailbox, e.folder, std::to_string(e.uid), e.text}};
    case EventKind::FolderCreated:
      if (e.protocol == Protocol::Imap) return {"event.imap_folder_created", {e.from, e.mailbox, e.folder, std::to_string(e.uid)}};
      return {"event.folder_created", {e.from.empty() ? "-" : e.from, e.mailbox, e.folder, std::to_string(e.uid)}};
    case EventKind::Fault:
      if (!e.notes.empty()) return e.notes.front();
      break;
    case EventKind::Lost: return {"event.lost." + e.text.str(), {e.from, e.to}};
    case EventKind::MessageExpunged:
      return {"event.expunged", {e.from, e.mailbox, e.folder, std::to_string(e.uid), e.text}};
    case EventKind::FlagsChanged:
      return {e.text.empty() ? "event.flags_cleared" : "event.flags_changed",
              {e.from, e.mailbox, e.folder, std::to_string(e.uid), e.text}};
    case EventKind::Downloaded:
      if (e.protocol == Protocol::Imap)
        return {"event.downloaded_imap", {e.from, e.to, e.mailbox, e.folder, std::to_string(e.uid)}};
      return {"event.downloaded", {e.from, e.to, e.mailbox, e.folder, std::to_string(e.uid), e.text}};
    case EventKind::LocalRemoved: return {"event.local_removed." + e.text.str(), {e.from, e.folder, e.mailbox}};
    case EventKind::DeviceAdded: return {"event.device_added", {e.from, e.mailbox}};
    case EventKind::FolderDeleted: return {"event.folder_deleted", {e.from, e.mailbox, e.folder}};
    case EventKind::FolderRenamed: return {"event.folder_renamed", {e.from, e.mailbox, e.folder, e.text}};
    case EventKind::Subscribed:
      return {e.text == "on" ? "event.subscribed" : "event.unsubscribed", {e.from, e.mailbox, e.folder}};
    case EventKind::QueueActive: return {"event.queue_active", {e.from, e.text}};
    case EventKind::RetryScheduled:
      // The wait in whole seconds: "9m58s" (the clock keeps the milliseconds).
      return {"event.retry_scheduled", {e.from, format_clock(e.arrive), format_duration((e.arrive - e.time) / kSecond * kSecond)}};
    case EventKind::DelayNotified: return {"event.delay_notified", {e.from, e.text}};
    case EventKind::FailureNotified: return {"event.failure_notified", {e.from, e.text}};
    case EventKind::QueueExpired: return {"event.queue_expired", {e.from, e.text}};
  }
  return {"event.unknown", {}};
}

}  // namespace postlab
