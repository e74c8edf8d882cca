#include "trace/view.h"

#include "mail/address.h"
#include "scenario/scenario.h"

namespace postlab {

bool is_step(EventKind kind) { return kind != EventKind::QueueRemoved; }

ViewState ViewState::initial(const Scenario& scenario) {
  ViewState v;
  for (const auto& u : scenario.users) {
    auto& folders = v.mailboxes[normalize_address(u.address)];
    folders["INBOX"];
    for (const auto& f : u.folders) folders[f];
  }
  return v;
}

void ViewState::apply(const Trace& trace, const TraceEvent& e) {
  ++applied;
  now = e.time;
  if (e.message >= 0) message = e.message;
  const std::string queue_id =
      e.message >= 0 ? trace.messages()[static_cast<std::size_t>(e.message)].queue_id : std::string();
  switch (e.kind) {
    case EventKind::ConnectionOpened: connections[e.connection] = OpenConnection{e.from, e.to, e.port}; break;
    case EventKind::ConnectionClosed: connections.erase(e.connection); break;
    case EventKind::MessageAccepted: queues[e.from][queue_id] = QueueItem{queue_id, e.message, e.text}; break;
    case EventKind::Relayed:
    case EventKind::DeliveryDeferred:
    case EventKind::DeliveryFailed: {
      auto& q = queues[e.from];
      if (auto it = q.find(queue_id); it != q.end()) it->second.status = e.text;
      break;
    }
    case EventKind::MessageStored: {
      mailboxes[e.mailbox][e.folder].push_back(MailboxItem{e.uid, e.message, e.time});
      auto& q = queues[e.from];
      if (auto it = q.find(queue_id); it != q.end()) it->second.status = e.text;
      break;
    }
    case EventKind::QueueRemoved: {
      auto& q = queues[e.from];
      q.erase(queue_id);
      if (q.empty()) queues.erase(e.from);
      break;
    }
    case EventKind::Narration: narration = static_cast<std::int64_t>(e.seq); break;
    default: break;
  }
}

}  // namespace postlab
