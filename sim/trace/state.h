// What the world holds (mailboxes, queues, open connections) as a fold of the trace, kept as
// interval tables indexed by event number so that the state after any prefix of the trace can be
// read without replaying it. The trace folds every event in as it is appended: the running world
// reads the state at the end, the views read it at their cursor. See docs/architecture.md.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/chunked.h"
#include "core/time.h"

namespace postlab {

struct TraceEvent;
struct MessageSnapshot;

// "Not yet": the event number of a death that has not happened.
inline constexpr std::uint32_t kNever = 0xFFFFFFFFu;
// Events between the saved open sets of a Lifetimes table: a query reads one saved set and the
// records born since, so it costs at most this many births, whatever the trace's length.
inline constexpr std::size_t kLifetimeBlock = 1024;

// Records that are born at one event and may die at a later one (connections, queue entries). A
// record born at event b and dead at event d is alive after n events when b < n <= d.
class Lifetimes {
 public:
  Lifetimes() : blocks_(1) {}
  std::uint32_t open(std::uint32_t event);
  void close(std::uint32_t record, std::uint32_t event);
  // Called after each event is folded in (n events now): saves the open set at block boundaries.
  void applied(std::size_t n);

  bool alive(std::uint32_t record, std::size_t n) const { return born_[record] < n && died_[record] >= n; }
  std::uint32_t born(std::uint32_t record) const { return born_[record]; }
  std::size_t size() const { return born_.size(); }
  std::size_t bytes() const;

  // Calls f(record) for every record alive after n events, in the order they were born.
  template <class F>
  void each_alive(std::size_t n, F&& f) const {
    const std::size_t b = std::min(n / kLifetimeBlock, blocks_.size() - 1);
    for (std::uint32_t r : blocks_[b])
      if (died_[r] >= n) f(r);
    for (std::size_t r = first_born_at(b * kLifetimeBlock); r < born_.size() && born_[r] < n; ++r)
      if (died_[r] >= n) f(static_cast<std::uint32_t>(r));
  }

 private:
  std::size_t first_born_at(std::size_t event) const;
  std::vector<std::uint32_t> born_, died_;
  std::vector<std::uint32_t> open_;                 // records open now, ascending
  std::vector<std::vector<std::uint32_t>> blocks_;  // blocks_[k]: open after k * kLifetimeBlock events
};

// IMAP's system flags (RFC 3501 §2.3.2), which POP3 servers keep too (Dovecot sets \Seen on RETR).
enum MessageFlag : std::uint8_t {
  kFlagSeen = 1,
  kFlagAnswered = 2,
  kFlagFlagged = 4,
  kFlagDeleted = 8,
  kFlagDraft = 16,
  kFlagRecent = 32,
};
// "\Seen \Flagged" in RFC 3501's order (the order Dovecot lists them in); "" for none.
std::string format_flags(std::uint8_t flags);
// The flags a list like "\Seen \Deleted" names (case-insensitive); unknown words are left out.
std::uint8_t parse_flags(std::string_view text);

// One message in a folder: filed at event `born`, expunged at `died` (kNever: still there). Its flags
// change over time: `flags` were set when it was filed, each later change is in `flag_changes`.
struct StoredItem {
  std::uint32_t uid = 0;
  std::int64_t message = -1;  // index into Trace::messages()
  SimTime arrived = 0;
  std::uint32_t born = 0;
  std::uint32_t died = kNever;
  std::uint8_t flags = 0;
  std::vector<std::pair<std::uint32_t, std::uint8_t>> flag_changes;  // (event, flags from then on), ascending
  std::uint8_t flags_at(std::size_t n) const;  // after n events
};

struct FolderState {
  std::string name;
  std::uint32_t born = 0;
  std::uint32_t died = kNever;       // deleted, or renamed away (the new name is a folder of its own)
  std::uint32_t uidvalidity = 1;
  std::uint32_t uidnext = 1;         // after the last event folded in (RFC 3501 §2.3.1.1)
  std::vector<StoredItem> items;     // in the order they were filed (ascending born and uid)
  std::vector<std::uint32_t> deaths; // events that removed an item, ascending
  std::size_t count_at(std::size_t n) const;
  StoredItem* item(std::uint32_t uid);  // by UID (items are in UID order), nullptr when none
  const StoredItem* item(std::uint32_t uid) const;
};

// A copy a device keeps of a message it read from a server (POP3 RETR, an IMAP body it fetched).
struct LocalCopy {
  std::int64_t message = -1;  // the device's copy, index into Trace::messages()
  std::string mailbox;        // whose mail it is, and where on the server it came from
  std::string folder;
  std::uint32_t uid = 0;
  std::string uidl;           // POP3 UIDL ("" for IMAP)
  std::uint32_t born = 0;
  std::uint32_t died = kNever;
};

// What one device holds on its own disk (visible state: "phone: 3, laptop: 0, server: 0").
struct DeviceState {
  std::string name;
  std::string user;   // whose mail it reads
  std::uint32_t born = 0;
  std::vector<LocalCopy> copies;  // in the order they were made
  std::vector<std::uint32_t> deaths;  // events that removed a copy, ascending
  std::size_t count_at(std::size_t n) const;
};

struct MailboxState {
  std::string address;  // as the lesson declares it
  std::string host;     // the MTA whose store holds it ("" when no server of the lesson serves it)
  std::uint32_t born = 0;
  std::map<std::string, FolderState> folders;  // ordered: deterministic iteration; the latest of each name
  // A name used again after its folder was deleted or renamed away: the earlier folder, kept where it
  // was (node handles do not move what they hold), for views of the time before.
  std::vector<std::map<std::string, FolderState>::node_type> retired;
  std::map<std::string, std::vector<std::pair<std::uint32_t, bool>>> subscriptions;  // name -> (event, on)
  bool subscribed(const std::string& folder, std::size_t n) const;
};

struct QueueRecord {
  std::uint32_t host = 0;               // index into StateIndex::names()
  std::int64_t message = -1;            // the queued copy
  std::vector<std::uint32_t> statuses;  // events whose text is the entry's log line, ascending
  std::vector<std::uint32_t> attempts;  // events that started another attempt ("queue active"); the first is the arrival
  std::vector<std::pair<std::uint32_t, SimTime>> retries;  // (event, when the next attempt is due)
  std::uint32_t warned = kNever;        // the event that sent the sender a delay warning
};

struct ConnectionRecord {
  std::int64_t id = -1;
  std::uint32_t client = 0, server = 0;  // indexes into StateIndex::names()
  int port = 0;
};

// Where a message copy sits: in a queue (a QueueRecord), in a folder (an item of a FolderState) or on
// a device (a copy of a DeviceState).
struct CopyPlace {
  std::uint32_t queue = kNever;
  const FolderState* folder = nullptr;
  const DeviceState* device = nullptr;
  std::uint32_t item = 0;
};

class StateIndex {
 public:
  // Folds in event number applied() (the next one). The messages it names must already be added.
  void apply(const TraceEvent& event, const Chunked<MessageSnapshot>& messages);
  std::size_t applied() const { return applied_; }

  // The running world reads these at the end of the trace.
  const MailboxState* mailbox(const std::string& address) const;
  std::uint32_t uidnext(const std::string& address, const std::string& folder) const;

  const std::map<std::string, MailboxState>& mailboxes() const { return mailboxes_; }
  const std::map<std::string, DeviceState>& devices() const { return devices_; }
  const DeviceState* device(const std::string& name) const;
  const std::vector<std::string>& names() const { return names_; }
  const Lifetimes& queue_lifetimes() const { return queue_life_; }
  const std::vector<QueueRecord>& queue_records() const { return queue_; }
  const Lifetimes& connection_lifetimes() const { return conn_life_; }
  const std::vector<ConnectionRecord>& connections() const { return conns_; }
  const std::vector<std::uint32_t>& narrations() const { return narrations_; }
  const std::vector<std::uint32_t>& message_events() const { return message_events_; }
  const CopyPlace* place(std::int64_t message) const;
  // Memory the index holds beyond the trace, for the bench and the budget.
  std::size_t bytes() const;

 private:
  std::uint32_t name(const std::string& s);
  FolderState& folder(const TraceEvent& e);
  // A folder of that name born now (a dead one of the same name is retired first).
  FolderState& new_folder(MailboxState& box, const std::string& name, std::uint32_t at);
  void end_folder(FolderState& f, std::uint32_t at);

  std::size_t applied_ = 0;
  std::map<std::string, MailboxState> mailboxes_;  // by address as declared
  std::map<std::string, DeviceState> devices_;     // by host name; a device appears with its first copy
  std::vector<std::string> names_;                 // host names, interned
  std::map<std::string, std::uint32_t> name_ids_;
  std::vector<QueueRecord> queue_;
  Lifetimes queue_life_;
  std::map<std::pair<std::uint32_t, std::string>, std::uint32_t> open_queue_;  // (host, queue id) -> record
  std::vector<ConnectionRecord> conns_;
  Lifetimes conn_life_;
  std::map<std::int64_t, std::uint32_t> open_conns_;  // connection id -> record
  std::vector<std::uint32_t> narrations_;             // events that are narration
  std::vector<std::uint32_t> message_events_;         // events about a message
  std::vector<CopyPlace> places_;                     // by message index
};

}  // namespace postlab
