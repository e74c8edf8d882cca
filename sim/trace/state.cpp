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

std::string format_flags(std::uint8_t flags) {
  static constexpr std::pair<std::uint8_t, const char*> kNames[] = {
      {kFlagAnswered, "\\Answered"}, {kFlagFlagged, "\\Flagged"}, {kFlagDeleted, "\\Deleted"},
      {kFlagSeen, "\\Seen"},         {kFlagDraft, "\\Draft"},     {kFlagRecent, "\\Recent"}};
  std::string out;
  for (const auto& [bit, name] : kNames)
    if (flags & bit) out += (out.empty() ? "" : " ") + std::string(name);
  return out;
}

std::uint8_t parse_flags(std::string_view text) {
  static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
      {kFlagSeen, "\\seen"},     {kFlagAnswered, "\\answered"}, {kFlagFlagged, "\\flagged"},
      {kFlagDeleted, "\\deleted"}, {kFlagDraft, "\\draft"},       {kFlagRecent, "\\recent"}};
  std::uint8_t flags = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const std::string_view word = text.substr(pos, end - pos);
    for (const auto& [bit, name] : kNames)
      if (word.size() == name.size() &&
          std::equal(word.begin(), word.end(), name.begin(), [](char a, char b) {
            return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
          }))
        flags |= bit;
    pos = end + 1;
  }
  return flags;
}

std::uint8_t StoredItem::flags_at(std::size_t n) const {
  auto it = std::partition_point(flag_changes.begin(), flag_changes.end(), [n](const auto& c) { return c.first < n; });
  return it == flag_changes.begin() ? flags : (it - 1)->second;
}

StoredItem* FolderState::item(std::uint32_t uid) {
  auto it = std::lower_bound(items.begin(), items.end(), uid, [](const StoredItem& i, std::uint32_t u) { return i.uid < u; });
  return it != items.end() && it->uid == uid ? &*it : nullptr;
}

const StoredItem* FolderState::item(std::uint32_t uid) const { return const_cast<FolderState*>(this)->item(uid); }

std::size_t DeviceState::count_at(std::size_t n) const {
  const auto made = std::partition_point(copies.begin(), copies.end(), [n](const LocalCopy& c) { return c.born < n; });
  const auto gone = std::lower_bound(deaths.begin(), deaths.end(), n);
  return static_cast<std::size_t>(made - copies.begin()) - static_cast<std::size_t>(gone - deaths.begin());
}

const DeviceState* StateIndex::device(const std::string& name) const {
  auto it = devices_.find(name);
  return it == devices_.end() ? nullptr : &it->second;
}

std::uint32_t StateIndex::name(const std::string& s) {
  auto [it, added] = name_ids_.try_emplace(s, static_cast<std::uint32_t>(names_.size()));
  if (added) names_.push_back(s);
  return it->second;
}

FolderState& StateIndex::folder(const TraceEvent& e) {
  const auto at = static_cast<std::uint32_t>(applied_);
  auto [box, new_box] = mailboxes_.try_emplace(e.mailbox);
  if (new_box) box->second = MailboxState{e.mailbox, e.from, at, {}, {}, {}};
  auto f = box->second.folders.find(e.folder);
  if (f == box->second.folders.end() || f->second.died != kNever) return new_folder(box->second, e.folder, at);
  return f->second;
}

FolderState& StateIndex::new_folder(MailboxState& box, const std::string& name, std::uint32_t at) {
  if (auto old = box.folders.find(name); old != box.folders.end()) box.retired.push_back(box.folders.extract(old));
  FolderState& f = box.folders[name];
  f.name = name;
  f.born = at;
  return f;
}

void StateIndex::end_folder(FolderState& f, std::uint32_t at) {
  f.died = at;
  for (StoredItem& item : f.items)
    if (item.died == kNever) {
      item.died = at;
      f.deaths.push_back(at);
    }
}

bool MailboxState::subscribed(const std::string& folder, std::size_t n) const {
  auto it = subscriptions.find(folder);
  if (it == subscriptions.end()) return false;
  auto c = std::partition_point(it->second.begin(), it->second.end(), [n](const auto& s) { return s.first < n; });
  return c != it->second.begin() && (c - 1)->second;
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
      if (added) box->second = MailboxState{e.mailbox, e.from, at, {}, {}, {}};
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
      queue_.push_back(QueueRecord{host, e.message, {at}, {}, {}, kNever});
      open_queue_[{host, *queue_id}] = r;
      places_[static_cast<std::size_t>(e.message)].queue = r;
      break;
    }
    case EventKind::Relayed:
    case EventKind::DeliveryDeferred:
    case EventKind::DeliveryFailed:
    case EventKind::FailureNotified:
    case EventKind::QueueExpired:
      if (const std::uint32_t r = entry(); r != kNever) queue_[r].statuses.push_back(at);
      break;
    case EventKind::QueueActive:
      if (const std::uint32_t r = entry(); r != kNever) {
        queue_[r].statuses.push_back(at);
        queue_[r].attempts.push_back(at);
      }
      break;
    case EventKind::RetryScheduled:
      if (const std::uint32_t r = entry(); r != kNever) queue_[r].retries.emplace_back(at, e.arrive);
      break;
    case EventKind::DelayNotified:
      if (const std::uint32_t r = entry(); r != kNever) {
        queue_[r].statuses.push_back(at);
        queue_[r].warned = at;
      }
      break;
    case EventKind::MessagePreset:
    case EventKind::MessageStored: {
      FolderState& f = folder(e);
      f.items.push_back(StoredItem{e.uid, e.message, e.time, at, kNever, parse_flags(e.text_alt.str()), {}});
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
    case EventKind::MessageExpunged:
    case EventKind::FlagsChanged: {
      auto box = mailboxes_.find(e.mailbox);
      if (box == mailboxes_.end()) break;
      auto f = box->second.folders.find(e.folder);
      if (f == box->second.folders.end()) break;
      StoredItem* item = f->second.item(e.uid);
      if (!item || item->died != kNever) break;
      if (e.kind == EventKind::MessageExpunged) {
        item->died = at;
        f->second.deaths.push_back(at);
      } else {
        item->flag_changes.emplace_back(at, parse_flags(e.text));
      }
      break;
    }
    case EventKind::DeviceAdded:
    case EventKind::Downloaded: {
      auto [d, added] = devices_.try_emplace(e.from);
      if (added) d->second = DeviceState{e.from, e.mailbox, at, {}, {}};
      if (e.kind == EventKind::DeviceAdded) break;
      d->second.copies.push_back(LocalCopy{e.message, e.mailbox, e.folder, e.uid, std::string(e.text.str()), at, kNever});
      if (e.message >= 0) {
        CopyPlace& p = places_[static_cast<std::size_t>(e.message)];
        p.device = &d->second;
        p.item = static_cast<std::uint32_t>(d->second.copies.size() - 1);
      }
      break;
    }
    case EventKind::LocalRemoved: {
      auto d = devices_.find(e.from);
      if (d == devices_.end()) break;
      for (LocalCopy& c : d->second.copies)
        if (c.message == e.message && c.died == kNever) {
          c.died = at;
          d->second.deaths.push_back(at);
          break;
        }
      break;
    }
    case EventKind::FolderDeleted:
    case EventKind::FolderRenamed: {
      auto box = mailboxes_.find(e.mailbox);
      if (box == mailboxes_.end()) break;
      auto f = box->second.folders.find(e.folder);
      if (f == box->second.folders.end() || f->second.died != kNever) break;
      FolderState& old = f->second;
      std::vector<StoredItem> moved;  // a renamed folder keeps its messages, UIDs, flags and UIDVALIDITY
      for (const StoredItem& item : old.items)
        if (item.died == kNever) moved.push_back(StoredItem{item.uid, item.message, item.arrived, at, kNever, item.flags_at(at), {}});
      const std::uint32_t uidvalidity = old.uidvalidity, uidnext = old.uidnext;
      end_folder(old, at);
      if (e.kind == EventKind::FolderDeleted) break;
      FolderState& now = new_folder(box->second, std::string(e.text.str()), at);
      now.uidvalidity = uidvalidity;
      now.uidnext = uidnext;
      now.items = std::move(moved);
      for (std::size_t k = 0; k < now.items.size(); ++k) {
        CopyPlace& p = places_[static_cast<std::size_t>(now.items[k].message)];
        p.folder = &now;
        p.item = static_cast<std::uint32_t>(k);
      }
      break;
    }
    case EventKind::Subscribed: {
      auto box = mailboxes_.find(e.mailbox);
      if (box == mailboxes_.end()) break;
      box->second.subscriptions[e.folder].emplace_back(at, e.text == "on");
      break;
    }
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
  for (const auto& q : queue_)
    b += (q.statuses.capacity() + q.attempts.capacity()) * sizeof(std::uint32_t) +
         q.retries.capacity() * sizeof(q.retries.front());
  b += (narrations_.capacity() + message_events_.capacity()) * sizeof(std::uint32_t);
  b += places_.capacity() * sizeof(CopyPlace);
  b += open_queue_.size() * 96 + open_conns_.size() * 48;  // map nodes, roughly
  for (const auto& n : names_) b += 2 * (sizeof(n) + n.size()) + 48;
  for (const auto& [name, d] : devices_) {
    b += name.size() + sizeof(d) + 64 + d.deaths.capacity() * sizeof(std::uint32_t);
    for (const auto& c : d.copies) b += sizeof(c) + c.mailbox.size() + c.folder.size() + c.uidl.size();
  }
  for (const auto& [address, box] : mailboxes_) {
    b += 2 * address.size() + sizeof(box) + 64;
    for (const auto& [name, f] : box.folders)
      b += name.size() + sizeof(f) + 64 + f.items.capacity() * sizeof(StoredItem) + f.deaths.capacity() * sizeof(std::uint32_t);
  }
  return b;
}

}  // namespace postlab
