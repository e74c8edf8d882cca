#include "trace/trace.h"

namespace postlab {

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::Narration: return "narration";
    case EventKind::ConnectionOpened: return "connection-opened";
    case EventKind::ConnectionRefused: return "connection-refused";
    case EventKind::ConnectionClosed: return "connection-closed";
    case EventKind::Line: return "line";
    case EventKind::DnsQuery: return "dns-query";
    case EventKind::DnsAnswer: return "dns-answer";
    case EventKind::MessageComposed: return "message-composed";
    case EventKind::MessageAccepted: return "message-accepted";
    case EventKind::MessageStored: return "message-stored";
    case EventKind::DeliveryDeferred: return "delivery-deferred";
    case EventKind::DeliveryFailed: return "delivery-failed";
    case EventKind::Relayed: return "relayed";
    case EventKind::QueueRemoved: return "queue-removed";
    case EventKind::Submitted: return "submitted";
  }
  return "?";
}

const char* to_string(Protocol p) {
  switch (p) {
    case Protocol::None: return "";
    case Protocol::Tcp: return "TCP";
    case Protocol::Smtp: return "SMTP";
    case Protocol::Dns: return "DNS";
    case Protocol::Mda: return "MDA";
  }
  return "?";
}

std::uint64_t Trace::append(TraceEvent event) {
  event.seq = events_.size();
  bytes_ += sizeof(TraceEvent) + event.text.size() + event.text_alt.size() + event.from.size() + event.to.size();
  for (const auto& n : event.notes) {
    bytes_ += sizeof(n) + n.key.size();
    for (const auto& a : n.args) bytes_ += sizeof(a) + a.size();
  }
  events_.push_back(std::move(event));
  return events_.back().seq;
}

std::int64_t Trace::add_message(MessageSnapshot message) {
  bytes_ += sizeof(MessageSnapshot) + message.data.size();
  messages_.push_back(std::move(message));
  return static_cast<std::int64_t>(messages_.size()) - 1;
}

namespace {
struct Fnv {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ c[i]) * 0x100000001b3ull;
  }
  void str(const std::string& s) {
    num(s.size());
    bytes(s.data(), s.size());
  }
  void num(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      const auto b = static_cast<unsigned char>(v >> (8 * i));
      bytes(&b, 1);
    }
  }
  void snum(std::int64_t v) { num(static_cast<std::uint64_t>(v)); }
};
}  // namespace

std::uint64_t Trace::fingerprint() const {
  Fnv f;
  for (const auto& e : events_) {
    f.num(e.seq);
    f.snum(e.time);
    f.snum(e.arrive);
    f.num(static_cast<std::uint64_t>(e.kind));
    f.num(static_cast<std::uint64_t>(e.protocol));
    f.str(e.from);
    f.str(e.to);
    f.snum(e.connection);
    f.num(e.from_client);
    f.snum(e.port);
    f.snum(e.cause);
    f.snum(e.message);
    f.str(e.mailbox);
    f.str(e.folder);
    f.num(e.uid);
    f.str(e.text);
    f.str(e.text_alt);
    f.num(e.encrypted);
    for (const auto& n : e.notes) {
      f.str(n.key);
      for (const auto& a : n.args) f.str(a);
    }
  }
  for (const auto& m : messages_) {
    f.str(m.queue_id);
    f.str(m.envelope_from);
    for (const auto& r : m.envelope_to) f.str(r);
    f.str(m.data);
    f.str(m.client_host);
    f.str(m.client_address);
    f.str(m.helo);
    f.str(m.auth_user);
    f.num(m.tls);
    f.num(static_cast<std::uint64_t>(m.kind));
    f.str(m.holder);
    f.str(m.mailbox);
    f.str(m.client_user);
    for (const auto& d : m.client_domains) f.str(d);
  }
  return f.h;
}

}  // namespace postlab
