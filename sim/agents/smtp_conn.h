// Glue between the network and the sans-IO SMTP sessions: one object per connection side.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "net/network.h"
#include "core/simulator.h"
#include "proto/smtp/client.h"
#include "trace/recorder.h"

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

// Runs a sans-IO server session (SMTP, POP3, IMAP) on the server side of one connection: what arrives
// goes to the session, what it says goes on the wire, and it is woken when its deadline comes.
template <class Session>
class ServerSide {
 public:
  ServerSide(Network& net, Session& session) : net_(net), session_(session), timer_(net.rec()) {}
  void open(ConnId id) {
    id_ = id;
    apply(session_.on_connect(net_.rec().now()));
  }
  void input(std::string_view bytes) { apply(session_.on_input(net_.rec().now(), bytes)); }
  void closed() {
    session_.on_closed();
    timer_.cancel();
  }
  // Something the session said by itself (news for an idling IMAP client): on the wire, and rearm.
  void apply(const SessionOutput& out) {
    apply_output(net_, id_, false, out);
    timer_.arm(session_.deadline(), [this] { apply(session_.on_timeout(net_.rec().now())); });
  }
  ConnId id() const { return id_; }

 private:
  Network& net_;
  Session& session_;
  SessionTimer timer_;
  ConnId id_ = -1;
};

// The same on the client side (a mail program reading mail): `done` is called once, when the session
// is over (it said its last word, the server closed, or the connection failed).
template <class Session>
class ClientSide {
 public:
  ClientSide(Network& net, Session& session, std::function<void()> done)
      : net_(net), session_(session), done_(std::move(done)), timer_(net.rec()) {}
  void open(ConnId id) {
    id_ = id;
    session_.start(net_.rec().now());
    apply({});
  }
  // Hand what arrived to the session first (on_input), then what it answered to apply().
  void apply(const SessionOutput& out) {
    if (id_ < 0) return;
    apply_output(net_, id_, true, out);
    if (session_.done()) {
      if (net_.is_open(id_)) net_.close(id_, true);
      return finish();
    }
    timer_.arm(session_.deadline(), [this] { apply(session_.on_timeout(net_.rec().now())); });
  }
  void closed() {
    session_.on_closed();
    finish();
  }
  void finish() {
    timer_.cancel();
    if (finished_) return;
    finished_ = true;
    done_();
  }
  ConnId id() const { return id_; }
  bool finished() const { return finished_; }

 private:
  Network& net_;
  Session& session_;
  std::function<void()> done_;
  SessionTimer timer_;
  ConnId id_ = -1;
  bool finished_ = false;
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
