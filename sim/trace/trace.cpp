#include "trace/trace.h"

#include <algorithm>

#include "core/pages.h"

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
    case EventKind::MailboxCreated: return "mailbox-created";
    case EventKind::FolderCreated: return "folder-created";
    case EventKind::MessagePreset: return "message-preset";
    case EventKind::Fault: return "fault";
    case EventKind::Lost: return "lost";
    case EventKind::MessageExpunged: return "message-expunged";
    case EventKind::FlagsChanged: return "flags-changed";
    case EventKind::Downloaded: return "downloaded";
    case EventKind::LocalRemoved: return "local-removed";
    case EventKind::DeviceAdded: return "device-added";
    case EventKind::FolderDeleted: return "folder-deleted";
    case EventKind::FolderRenamed: return "folder-renamed";
    case EventKind::Subscribed: return "subscribed";
    case EventKind::QueueActive: return "queue-active";
    case EventKind::RetryScheduled: return "retry-scheduled";
    case EventKind::DelayNotified: return "delay-notified";
    case EventKind::FailureNotified: return "failure-notified";
    case EventKind::QueueExpired: return "queue-expired";
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
    case Protocol::Pop3: return "POP3";
    case Protocol::Imap: return "IMAP";
  }
  return "?";
}

namespace {
// Texts up to a quarter of a block share blocks; a longer one (a big message in a DATA line) has a
// block of its own, so a block never wastes more than a quarter of itself.
constexpr std::size_t kTextBlock = kLargePage;
constexpr std::size_t kOwnBlock = kTextBlock / 4;
constexpr std::size_t kPage = 4096;
}  // namespace

TextStore::~TextStore() {
  for (const Block& b : blocks_) free_pages(b.data, b.size);
}

std::string_view TextStore::keep(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > kOwnBlock) {
    const std::size_t size = (text.size() + kPage - 1) / kPage * kPage;
    blocks_.reserve(blocks_.size() + 1);
    auto* data = static_cast<char*>(allocate_pages(size));
    blocks_.push_back({data, size});
    std::copy(text.begin(), text.end(), data);
    return {data, text.size()};
  }
  if (text.size() > left_) {
    blocks_.reserve(blocks_.size() + 1);
    cursor_ = static_cast<char*>(allocate_pages(kTextBlock));
    blocks_.push_back({cursor_, kTextBlock});
    left_ = kTextBlock;
  }
  char* at = cursor_;
  std::copy(text.begin(), text.end(), at);
  cursor_ += text.size();
  left_ -= text.size();
  return {at, text.size()};
}

std::uint64_t Trace::append(TraceEvent event) {
  event.seq = events_.size();
  event.text = texts_.keep(event.text);
  bytes_ += sizeof(TraceEvent) + event.text.size() + event.text_alt.size() + event.from.size() + event.to.size();
  for (const auto& n : event.notes) {
    bytes_ += sizeof(n) + n.key.size();
    for (const auto& a : n.args) bytes_ += sizeof(a) + a.size();
  }
  events_.push_back(std::move(event));
  state_.apply(events_.back(), messages_);
  return events_.back().seq;
}

void MessageSnapshot::set_data(std::string_view data) {
  // The header section ends at the first empty line (RFC 5322 §2.1); without one it is all header.
  const std::size_t blank = data.find("\r\n\r\n");
  const std::size_t split = blank == std::string_view::npos ? data.size() : blank + 4;
  head_part = std::make_shared<const HeadPart>(HeadPart{std::string(data.substr(0, split)), nullptr});
  head_size = split;
  body = std::make_shared<const std::string>(data.substr(split));
}

std::string MessageSnapshot::head() const {
  std::string out;
  out.reserve(head_size);
  for (const HeadPart* p = head_part.get(); p; p = p->below.get()) out += p->lines;
  return out;
}

std::string MessageSnapshot::data() const {
  std::string out = head();
  if (body) out += *body;
  return out;
}

namespace {
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}
constexpr std::size_t kRecentCopies = 8;  // copies of one body a new head is compared with
}  // namespace

std::int64_t Trace::add_message(MessageSnapshot message) {
  if (!message.body) message.body = std::make_shared<const std::string>();
  auto& same_hash = bodies_[fnv1a(*message.body)];
  auto held = std::find_if(same_hash.begin(), same_hash.end(), [&](const HeldBody& b) { return *b.bytes == *message.body; });
  if (held == same_hash.end()) {
    same_hash.push_back(HeldBody{message.body, {}});
    held = same_hash.end() - 1;
    ++body_count_;
    bytes_ += message.body->size() + sizeof(std::string) + 32;
  }
  message.body = held->bytes;
  // A hop's copy is the header it received with lines added on top: keep only those lines, over the
  // copy it came from (the latest copy of the same body whose header is a suffix of this one).
  const std::string head = message.head();
  bool built_on = false;
  std::size_t added = head.size();
  for (auto it = held->recent.rbegin(); it != held->recent.rend() && !built_on; ++it) {
    const MessageSnapshot& base = messages_[static_cast<std::size_t>(*it)];
    if (base.head_size > head.size()) continue;
    const std::string below = base.head();
    if (head.compare(head.size() - below.size(), below.size(), below) != 0) continue;
    if (below.size() == head.size()) message.head_part = base.head_part;
    else
      message.head_part = std::make_shared<const HeadPart>(HeadPart{head.substr(0, head.size() - below.size()), base.head_part});
    added = head.size() - below.size();
    built_on = true;
  }
  if (!built_on && (!message.head_part || message.head_part->below))
    message.head_part = std::make_shared<const HeadPart>(HeadPart{head, nullptr});
  message.head_size = head.size();
  bytes_ += sizeof(MessageSnapshot) + added;
  messages_.push_back(std::move(message));
  const auto index = static_cast<std::int64_t>(messages_.size()) - 1;
  held->recent.push_back(index);
  if (held->recent.size() > kRecentCopies) held->recent.erase(held->recent.begin());
  return index;
}

namespace {
struct Fnv {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ c[i]) * 0x100000001b3ull;
  }
  void str(const std::string& s) { str(std::string_view(s)); }
  void str(std::string_view s) {
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
    f.str(e.text.view());
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
    f.num(m.size());  // as the whole text would be hashed
    for (const HeadPart* p = m.head_part.get(); p; p = p->below.get()) f.bytes(p->lines.data(), p->lines.size());
    if (m.body) f.bytes(m.body->data(), m.body->size());
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
    f.num(static_cast<std::uint64_t>(m.warn_at));
    f.num(static_cast<std::uint64_t>(m.expire_at));
  }
  return f.h;
}

}  // namespace postlab
