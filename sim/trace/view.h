// The state a user sees at one point of the trace: a fold of the events before the cursor.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/time.h"
#include "trace/trace.h"

namespace postlab {

struct Scenario;

struct MailboxItem {
  std::uint32_t uid = 0;
  std::int64_t message = -1;  // index into Trace::messages()
  SimTime arrived = 0;
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

struct ViewState {
  std::size_t applied = 0;  // how many trace events are folded in
  SimTime now = 0;
  // user -> folder -> messages; every user of the lesson is present from the start (empty INBOX)
  std::map<std::string, std::map<std::string, std::vector<MailboxItem>>> mailboxes;
  std::map<std::string, std::map<std::string, QueueItem>> queues;  // MTA host -> queue id -> item
  std::map<std::int64_t, OpenConnection> connections;              // open connections by id
  std::int64_t narration = -1;                                     // seq of the latest narration
  std::int64_t message = -1;  // the message the latest message-bearing event was about
  bool operator==(const ViewState&) const = default;

  static ViewState initial(const Scenario& scenario);
  void apply(const Trace& trace, const TraceEvent& event);
};

// Which events are steps for a student (one press of →). Bookkeeping events are folded silently.
bool is_step(EventKind kind);

}  // namespace postlab
