#include "trace/state.h"

#include <algorithm>

#include "trace/trace.h"

namespace postlab {

std::uint32_t Lifetimes::open(std::uint32_t event) {
  const auto r = static_cast<std::uint32_t>(born_.size());
  born_.push_back(event);
  died_.push_back(kNever);
  open_.push_back(r);  // records are numbered in birth order, so open_ stays ascending
  return r;
}

void Lifetimes::close(std::uint32_t record, std::uint32_t event) {
  if (died_[record] != kNever) return;
  died_[record] = event;
  if (auto it = std::lower_bound(open_.begin(), open_.end(), record); it != open_.end() && *it == record) open_.erase(it);
}

void Lifetimes::applied(std::size_t n) {
  if (n % kLifetimeBlock == 0) blocks_.push_back(open_);
}

std::size_t Lifetimes::first_born_at(std::size_t event) const {
  return static_cast<std::size_t>(std::lower_bound(born_.begin(), born_.end(), event) - born_.begin());
}

std::size_t Lifetimes::bytes() const {
  std::size_t b = (born_.capacity() + died_.capacity() + open_.capacity()) * sizeof(std::uint32_t) +
                  blocks_.capacity() * sizeof(blocks_[0]);
  for (const auto& block : blocks_) b += block.capacity() * sizeof(std::uint32_t);
  return b;
}

std::size_t FolderState::count_at(std::size_t n) const {
  const auto filed = std::partition_point(items.begin(), items.end(), [n](const StoredItem& i) { return i.born < n; });
  const auto gone = std::lower_bound(deaths.begin(), deaths.end(), n);
  return static_cast<std::size_t>(filed - items.begin()) - static_cast<std::size_t>(gone - deaths.begin());
}

std::uint32_t StateIndex::name(const std::string& s) {
  auto [it, added] = name_ids_.try_emplace(s, static_cast<std::uint32_t>(names_.size()));
  if (added) names_.push_back(s);
  return it->second;
}

FolderState& StateIndex::folder(const TraceEvent& e) {
  const auto at = static_cast<std::uint32_t>(applied_);
  auto [box, new_box] = mailboxes_.try_emplace(e.mailbox);
  if (new_box) box->second = MailboxState{e.mailbox, e.from, at, {}};
  auto [f, new_folder] = box->second.folders.try_emplace(e.folder);
  if (new_folder) {
    f->second.name = e.folder;
    f->second.born = at;
  }
  return f->second;
}

const MailboxState* StateIndex::mailbox(const std::string& address) const {
  auto it = mailboxes_.find(address);
  return it == mailboxes_.end() ? nullptr : &it->second;
}

std::uint32_t StateIndex::uidnext(const std::string& address, const std::string& folder) const {
  const MailboxState* box = mailbox(address);
  if (!box) return 1;
  auto it = box->folders.find(folder);
  return it == box->folders.end() ? 1 : it->second.uidnext;
}

const CopyPlace* StateIndex::place(std::int64_t message) const {
  if (message < 0 || static_cast<std::size_t>(message) >= places_.size()) return nullptr;
  return &places_[static_cast<std::size_t>(message)];
}

void StateIndex::apply(const TraceEvent& e, const Chunked<MessageSnapshot>& messages) {
  const auto at = static_cast<std::uint32_t>(applied_);
  if (e.message >= 0) {
    message_events_.push_back(at);
    if (places_.size() < messages.size()) places_.resize(messages.size());
  }
  const std::string* queue_id = e.message >= 0 ? &messages[static_cast<std::size_t>(e.message)].queue_id : nullptr;
  // The queue entry an event is about: the copy's queue id at the MTA that writes the event.
  auto entry = [&]() -> std::uint32_t {
    if (!queue_id) return kNever;
    auto host = name_ids_.find(e.from);
    if (host == name_ids_.end()) return kNever;
    auto it = open_queue_.find({host->second, *queue_id});
    return it == open_queue_.end() ? kNever : it->second;
  };
  switch (e.kind) {
    case EventKind::MailboxCreated: {
      auto [box, added] = mailboxes_.try_emplace(e.mailbox);
      if (added) box->second = MailboxState{e.mailbox, e.from, at, {}};
      break;
    }
    case EventKind::FolderCreated: {
      FolderState& f = folder(e);
      f.uidvalidity = e.uid;
      break;
    }
    case EventKind::ConnectionOpened: {
      if (auto old = open_conns_.find(e.connection); old != open_conns_.end()) conn_life_.close(old->second, at);
      open_conns_[e.connection] = conn_life_.open(at);
      conns_.push_back(ConnectionRecord{e.connection, name(e.from), name(e.to), e.port});
      break;
    }
    case EventKind::ConnectionClosed:
      if (auto it = open_conns_.find(e.connection); it != open_conns_.end()) {
        conn_life_.close(it->second, at);
        open_conns_.erase(it);
      }
      break;
    case EventKind::MessageAccepted: {
      const std::uint32_t host = name(e.from);
      if (const std::uint32_t old = entry(); old != kNever) queue_life_.close(old, at);
      const std::uint32_t r = queue_life_.open(at);
      queue_.push_back(QueueRecord{host, e.message, {at}});
      open_queue_[{host, *queue_id}] = r;
      places_[static_cast<std::size_t>(e.message)].queue = r;
      break;
    }
    case EventKind::Relayed:
    case EventKind::DeliveryDeferred:
    case EventKind::DeliveryFailed:
      if (const std::uint32_t r = entry(); r != kNever) queue_[r].statuses.push_back(at);
      break;
    case EventKind::MessagePreset:
    case EventKind::MessageStored: {
      FolderState& f = folder(e);
      f.items.push_back(StoredItem{e.uid, e.message, e.time, at, kNever});
      f.uidnext = std::max(f.uidnext, e.uid + 1);
      CopyPlace& p = places_[static_cast<std::size_t>(e.message)];
      p.folder = &f;
      p.item = static_cast<std::uint32_t>(f.items.size() - 1);
      if (const std::uint32_t r = entry(); r != kNever) queue_[r].statuses.push_back(at);
      break;
    }
    case EventKind::QueueRemoved:
      if (const std::uint32_t r = entry(); r != kNever) {
        queue_life_.close(r, at);
        open_queue_.erase({queue_[r].host, *queue_id});
      }
      break;
    case EventKind::Narration: narrations_.push_back(at); break;
    default: break;
  }
  ++applied_;
  queue_life_.applied(applied_);
  conn_life_.applied(applied_);
}

std::size_t StateIndex::bytes() const {
  std::size_t b = queue_life_.bytes() + conn_life_.bytes();
  b += queue_.capacity() * sizeof(QueueRecord) + conns_.capacity() * sizeof(ConnectionRecord);
  for (const auto& q : queue_) b += q.statuses.capacity() * sizeof(std::uint32_t);
  b += (narrations_.capacity() + message_events_.capacity()) * sizeof(std::uint32_t);
  b += places_.capacity() * sizeof(CopyPlace);
  b += open_queue_.size() * 96 + open_conns_.size() * 48;  // map nodes, roughly
  for (const auto& n : names_) b += 2 * (sizeof(n) + n.size()) + 48;
  for (const auto& [address, box] : mailboxes_) {
    b += 2 * address.size() + sizeof(box) + 64;
    for (const auto& [name, f] : box.folders)
      b += name.size() + sizeof(f) + 64 + f.items.capacity() * sizeof(StoredItem) + f.deaths.capacity() * sizeof(std::uint32_t);
  }
  return b;
}

}  // namespace postlab
