// The state a user sees at one point of the trace. StateView reads it from the trace's interval
// tables without replaying anything (cheap to make, cheap to ask); ViewState is a full copy of it
// as plain values, for tests and exports.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "trace/trace.h"

namespace postlab {

struct MailboxItem {
  std::uint32_t uid = 0;
  std::int64_t message = -1;  // index into Trace::messages()
  SimTime arrived = 0;
  std::uint8_t flags = 0;
  bool operator==(const MailboxItem&) const = default;
};

struct QueueItem {
  std::string queue_id;
  std::int64_t message = -1;
  std::string status;  // the latest log line about it
  bool operator==(const QueueItem&) const = default;
};

struct OpenConnection {
  std::string client, server;
  int port = 0;
  bool operator==(const OpenConnection&) const = default;
};

struct LocalItem {
  std::int64_t message = -1;
  std::string mailbox, folder;
  std::uint32_t uid = 0;
  bool operator==(const LocalItem&) const = default;
};

struct ViewState {
  std::size_t applied = 0;  // how many trace events are folded in
  SimTime now = 0;
  // user -> folder -> messages, for every mailbox created so far (the set-up creates them at 0)
  std::map<std::string, std::map<std::string, std::vector<MailboxItem>>> mailboxes;
  std::map<std::string, std::vector<LocalItem>> devices;            // device -> its own copies
  std::map<std::string, std::map<std::string, QueueItem>> queues;  // MTA host -> queue id -> item
  std::map<std::int64_t, OpenConnection> connections;              // open connections by id
  std::int64_t narration = -1;                                     // seq of the latest narration
  std::int64_t message = -1;  // the message the latest message-bearing event was about
  bool operator==(const ViewState&) const = default;
};

// One recipient of a queue entry as the latest log line about it says.
enum class RecipientState : std::uint8_t { Waiting, Deferred, Delivered, Bounced };
struct RecipientView {
  std::string address;
  RecipientState state = RecipientState::Waiting;
  std::string_view reason;  // the reason in the latest log line about it ("" while waiting)
};

// One entry of a queue as a view shows it, with its timers at the view's time.
struct QueueEntryView {
  std::string_view host;
  std::string_view queue_id;
  std::int64_t message = -1;
  std::string_view status;
  SimTime arrived = 0;
  std::size_t attempts = 0;     // delivery attempts started so far
  SimTime next_attempt = -1;    // when the next attempt is due; -1 while one is under way
  SimTime retry_scheduled = -1; // when that next attempt was set (the previous attempt's end)
  SimTime warn_at = -1;         // when the sender is warned (-1: never)
  bool warned = false;          // the warning has gone out
  SimTime expire_at = -1;       // when the MTA gives up (-1: never)
  std::vector<std::uint32_t> attempt_events;  // the events that started each attempt
  std::vector<RecipientView> recipients;
};

class StateView {
 public:
  StateView(const Trace& trace, std::size_t applied);

  std::size_t applied() const { return n_; }
  SimTime now() const;
  std::int64_t narration() const;  // seq of the latest narration, -1 when none
  std::int64_t message() const;    // the message the latest message-bearing event was about, -1

  // Mailboxes created so far, by address.
  std::vector<const MailboxState*> mailboxes() const;
  std::vector<const FolderState*> folders(const MailboxState& box) const;
  std::size_t count(const FolderState& folder) const { return folder.count_at(n_); }
  // The last `limit` messages in the folder, oldest first.
  std::vector<const StoredItem*> latest(const FolderState& folder, std::size_t limit) const;
  std::uint8_t flags(const StoredItem& item) const { return item.flags_at(n_); }
  // The UID the folder's next message will get (RFC 3501 §2.3.1.1).
  std::uint32_t uidnext(const FolderState& folder) const;

  // The devices that hold copies of their own (made so far), by name, and the copies each one has now.
  std::vector<const DeviceState*> devices() const;
  std::vector<const LocalCopy*> copies(const DeviceState& device) const;

  // Every queue entry, ordered by host and queue id.
  std::vector<QueueEntryView> queue() const;
  std::vector<std::pair<std::int64_t, OpenConnection>> connections() const;

  // Whether this copy is in a mailbox or a queue now, and the folder it is in ("" when none).
  bool present(std::int64_t message) const;
  std::string folder_of(std::int64_t message) const;

  ViewState snapshot() const;

 private:
  // The latest event about a message before event `before`, -1 when none.
  std::int64_t message_event_before(std::size_t before) const;
  const Trace* trace_;
  const StateIndex* state_;
  std::size_t n_;
};

// Which events are steps for a student (one press of →). Bookkeeping events are folded silently.
bool is_step(const TraceEvent& event);
// Events a timer made happen: a queue's retry, delay warning or expiry, a fault starting or ending.
bool is_timer(const TraceEvent& event);

}  // namespace postlab
