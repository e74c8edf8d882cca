// Glue between the network and the sans-IO SMTP sessions: one object per connection side.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "net/network.h"
#include "core/simulator.h"
#include "proto/smtp/client.h"

namespace postlab {

// Applies a session's output to the wire.
void apply_output(Network& net, ConnId id, bool from_client, const SessionOutput& out);

// Wakes a session when its deadline comes. One simulator event at most is pending: when a session's
// deadline moves later (it heard something), the pending wake-up stays, finds the session not yet
// due, and is set again for the new deadline; so a long session costs a handful of events.
class SessionTimer {
 public:
  explicit SessionTimer(Recorder& rec) : rec_(rec) {}
  ~SessionTimer() { cancel(); }
  SessionTimer(const SessionTimer&) = delete;
  SessionTimer& operator=(const SessionTimer&) = delete;
  // After each call into the session: its deadline now (nullopt: it waits for nothing), and what to
  // run when the time comes (which asks the session, and calls arm() again).
  void arm(std::optional<SimTime> deadline, std::function<void()> wake);
  void cancel();

 private:
  Recorder& rec_;
  std::optional<EventId> pending_;
  SimTime pending_at_ = 0;
};

class SmtpClientConn : public ConnectionHandler {
 public:
  using Done = std::function<void(const smtp::ClientSession&, const std::string& failure)>;
  SmtpClientConn(Network& net, smtp::ClientJob job, Done done)
      : net_(net), session_(std::move(job)), done_(std::move(done)), timer_(net.rec()) {}
  void on_open(ConnId id) override;
  void on_data(ConnId id, std::string_view bytes) override;
  void on_close(ConnId id) override;
  void on_fail(ConnId id, const std::string& reason) override;

 private:
  void finish(const std::string& failure);
  void arm(ConnId id);
  void on_timeout(ConnId id);
  Network& net_;
  smtp::ClientSession session_;
  Done done_;
  SessionTimer timer_;
  bool finished_ = false;
};

}  // namespace postlab
