#include "trace/view.h"

#include <algorithm>

namespace postlab {

bool is_step(const TraceEvent& e) {
  // A folder a client creates over IMAP is a step; the folders of the set-up are not.
  if (e.kind == EventKind::FolderCreated) return e.protocol == Protocol::Imap;
  const EventKind kind = e.kind;
  return kind != EventKind::QueueRemoved && kind != EventKind::MailboxCreated && kind != EventKind::FolderCreated &&
         kind != EventKind::MessagePreset && kind != EventKind::DeviceAdded;
}

bool is_timer(const TraceEvent& e) {
  switch (e.kind) {
    case EventKind::QueueActive:
    case EventKind::DelayNotified:
    case EventKind::QueueExpired:
    case EventKind::Fault: return true;
    default: return false;
  }
}

namespace {
// The last entry of an ascending list of event numbers that is below n, or nullptr.
const std::uint32_t* last_before(const std::vector<std::uint32_t>& events, std::size_t n) {
  auto it = std::lower_bound(events.begin(), events.end(), n);
  return it == events.begin() ? nullptr : &*(it - 1);
}
}  // namespace

StateView::StateView(const Trace& trace, std::size_t applied)
    : trace_(&trace), state_(&trace.state()), n_(std::min(applied, trace.size())) {}

SimTime StateView::now() const { return n_ == 0 ? 0 : trace_->events()[n_ - 1].time; }

std::int64_t StateView::narration() const {
  const std::uint32_t* e = last_before(state_->narrations(), n_);
  return e ? static_cast<std::int64_t>(*e) : -1;
}

std::int64_t StateView::message_event_before(std::size_t before) const {
  const std::uint32_t* e = last_before(state_->message_events(), std::min(before, n_));
  return e ? static_cast<std::int64_t>(*e) : -1;
}

std::int64_t StateView::message() const {
  const std::int64_t e = message_event_before(n_);
  return e < 0 ? -1 : trace_->events()[static_cast<std::size_t>(e)].message;
}

std::vector<const MailboxState*> StateView::mailboxes() const {
  std::vector<const MailboxState*> out;
  for (const auto& [address, box] : state_->mailboxes())
    if (box.born < n_) out.push_back(&box);
  return out;
}

std::vector<const FolderState*> StateView::folders(const MailboxState& box) const {
  std::vector<const FolderState*> out;
  for (const auto& [name, f] : box.folders)
    if (f.born < n_ && f.died >= n_) out.push_back(&f);
  for (const auto& node : box.retired)  // a name used again: its earlier folder, at the cursor's time
    if (node.mapped().born < n_ && node.mapped().died >= n_) out.push_back(&node.mapped());
  std::sort(out.begin(), out.end(), [](const FolderState* a, const FolderState* b) { return a->name < b->name; });
  return out;
}

std::vector<const StoredItem*> StateView::latest(const FolderState& folder, std::size_t limit) const {
  std::vector<const StoredItem*> out;
  auto end = std::partition_point(folder.items.begin(), folder.items.end(), [this](const StoredItem& i) { return i.born < n_; });
  for (auto it = end; it != folder.items.begin() && out.size() < limit;) {
    --it;
    if (it->died >= n_) out.push_back(&*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::uint32_t StateView::uidnext(const FolderState& folder) const {
  auto end = std::partition_point(folder.items.begin(), folder.items.end(), [this](const StoredItem& i) { return i.born < n_; });
  return end == folder.items.begin() ? 1 : (end - 1)->uid + 1;
}

std::vector<const DeviceState*> StateView::devices() const {
  std::vector<const DeviceState*> out;
  for (const auto& [name, d] : state_->devices())
    if (d.born < n_) out.push_back(&d);
  return out;
}

std::vector<const LocalCopy*> StateView::copies(const DeviceState& device) const {
  std::vector<const LocalCopy*> out;
  for (const LocalCopy& c : device.copies) {
    if (c.born >= n_) break;
    if (c.died >= n_) out.push_back(&c);
  }
  return out;
}

std::vector<QueueEntryView> StateView::queue() const {
  std::vector<QueueEntryView> out;
  const auto& records = state_->queue_records();
  const auto& names = state_->names();
  const auto& events = trace_->events();
  state_->queue_lifetimes().each_alive(n_, [&](std::uint32_t r) {
    const QueueRecord& q = records[r];
    const MessageSnapshot& copy = trace_->messages()[static_cast<std::size_t>(q.message)];
    const std::uint32_t* status = last_before(q.statuses, n_);
    QueueEntryView v;
    v.host = names[q.host];
    v.queue_id = copy.queue_id;
    v.message = q.message;
    v.status = status ? std::string_view(events[*status].text) : std::string_view();
    // The arrival (the first status) starts the first attempt; each "queue active" another.
    v.arrived = events[q.statuses.front()].time;
    const auto later = std::lower_bound(q.attempts.begin(), q.attempts.end(), n_) - q.attempts.begin();
    v.attempt_events.push_back(q.statuses.front());
    v.attempt_events.insert(v.attempt_events.end(), q.attempts.begin(), q.attempts.begin() + later);
    v.attempts = v.attempt_events.size();
    // The next attempt is known once the latest one has ended with a retry scheduled.
    auto retry = std::lower_bound(q.retries.begin(), q.retries.end(), std::make_pair(static_cast<std::uint32_t>(n_), SimTime{0}));
    if (retry != q.retries.begin() && (retry - 1)->first > v.attempt_events.back()) {
      v.next_attempt = (retry - 1)->second;
      v.retry_scheduled = events[(retry - 1)->first].time;
    }
    v.warn_at = copy.warn_at;
    v.warned = q.warned < n_;
    v.expire_at = copy.expire_at;
    for (const auto& rcpt : copy.envelope_to) v.recipients.push_back(RecipientView{rcpt, RecipientState::Waiting, {}});
    for (std::uint32_t s : q.statuses) {
      if (s >= n_) break;
      const TraceEvent& e = events[s];
      std::string_view who = e.mailbox.str();
      RecipientState state;
      switch (e.kind) {
        case EventKind::Relayed: state = RecipientState::Delivered; break;
        case EventKind::DeliveryDeferred: state = RecipientState::Deferred; break;
        case EventKind::DeliveryFailed: state = RecipientState::Bounced; break;
        case EventKind::MessageStored:
          state = RecipientState::Delivered;
          who = trace_->messages()[static_cast<std::size_t>(e.message)].envelope_to.front();
          break;
        default: continue;
      }
      for (auto& rv : v.recipients) {
        if (rv.address != who) continue;
        rv.state = state;
        const std::string_view text = e.text;
        const auto open = text.find(" (", text.find("status="));
        rv.reason = open == std::string_view::npos ? std::string_view() : text.substr(open + 2, text.size() - open - 3);
      }
    }
    out.push_back(std::move(v));
  });
  std::sort(out.begin(), out.end(), [](const QueueEntryView& a, const QueueEntryView& b) {
    return a.host != b.host ? a.host < b.host : a.queue_id < b.queue_id;
  });
  return out;
}

std::vector<std::pair<std::int64_t, OpenConnection>> StateView::connections() const {
  std::vector<std::pair<std::int64_t, OpenConnection>> out;
  const auto& records = state_->connections();
  const auto& names = state_->names();
  state_->connection_lifetimes().each_alive(n_, [&](std::uint32_t r) {
    const ConnectionRecord& c = records[r];
    out.emplace_back(c.id, OpenConnection{names[c.client], names[c.server], c.port});
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

bool StateView::present(std::int64_t message) const {
  const CopyPlace* p = state_->place(message);
  if (!p) return false;
  if (p->queue != kNever && state_->queue_lifetimes().alive(p->queue, n_)) return true;
  if (p->folder) {
    const StoredItem& item = p->folder->items[p->item];
    return item.born < n_ && item.died >= n_;
  }
  if (p->device) {
    const LocalCopy& c = p->device->copies[p->item];
    return c.born < n_ && c.died >= n_;
  }
  return false;
}

std::string StateView::folder_of(std::int64_t message) const {
  const CopyPlace* p = state_->place(message);
  if (!p || !p->folder) return {};
  const StoredItem& item = p->folder->items[p->item];
  return item.born < n_ && item.died >= n_ ? p->folder->name : std::string();
}

ViewState StateView::snapshot() const {
  ViewState v;
  v.applied = n_;
  v.now = now();
  v.narration = narration();
  v.message = message();
  for (const MailboxState* box : mailboxes()) {
    auto& folders = v.mailboxes[box->address];
    for (const FolderState* f : this->folders(*box)) {
      auto& items = folders[f->name];
      for (const StoredItem* i : latest(*f, f->items.size()))
        items.push_back(MailboxItem{i->uid, i->message, i->arrived, flags(*i)});
    }
  }
  for (const DeviceState* d : devices()) {
    auto& items = v.devices[d->name];
    for (const LocalCopy* c : copies(*d)) items.push_back(LocalItem{c->message, c->mailbox, c->folder, c->uid});
  }
  for (const QueueEntryView& q : queue())
    v.queues[std::string(q.host)][std::string(q.queue_id)] = QueueItem{std::string(q.queue_id), q.message, std::string(q.status)};
  for (auto& [id, c] : connections()) v.connections[id] = std::move(c);
  return v;
}

}  // namespace postlab
