// POP3 client session, sans-IO (RFC 1939): what a mail program does when it "checks mail" with POP3.
// It logs in, lists the maildrop with UIDL, downloads (RETR) every message it has not seen, deletes
// (DELE) what it downloaded unless it leaves a copy on the server, and says QUIT so that the
// deletions happen. Replies in, commands out.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "proto/framer.h"
#include "proto/session.h"

namespace postlab::pop3 {

// How long the client waits for each answer before it gives up (mail programs use about a minute).
inline constexpr Duration kClientTimeout = 60 * kSecond;

struct ClientJob {
  std::string user;
  std::string password;
  bool leave_copy = false;           // "leave a copy on the server": no DELE
  bool starttls = false;             // secure the connection first (STLS, RFC 2595) when the server offers it
  std::set<std::string> known;       // UIDLs downloaded before (a device that leaves copies remembers them)
  std::set<std::string> expire;      // of those, the ones to delete now ("remove from server after N days")
  Duration timeout = kClientTimeout;
};

struct Downloaded {
  std::string uidl;
  std::string text;  // the message as RETR gave it, dot-stuffing undone, CRLF line ends
};

enum class ClientState { Greeting, Capa, Stls, User, Pass, Uidl, Retr, Dele, Quit, Done };

class ClientSession {
 public:
  explicit ClientSession(ClientJob job);

  void start(SimTime now);
  SessionOutput on_input(SimTime now, std::string_view bytes);
  SessionOutput on_closed();
  std::optional<SimTime> deadline() const;
  SessionOutput on_timeout(SimTime now);

  ClientState state() const { return state_; }
  bool done() const { return state_ == ClientState::Done; }
  const std::vector<Downloaded>& downloaded() const { return downloaded_; }
  std::size_t deleted() const { return deleted_; }
  // Why the session did not finish as planned ("" when it did): the server's -ERR line, or the
  // client's own reason.
  const std::string& failure() const { return failure_; }
  // True once QUIT was answered +OK: the server has applied the deletions (RFC 1939 §6).
  bool committed() const { return committed_; }

 private:
  void on_line(std::string_view line, SessionOutput& out);
  void next_message(SessionOutput& out);
  void send(const std::string& command, ClientState next, SessionOutput& out);
  void fail(const std::string& why, SessionOutput& out);

  ClientJob job_;
  ClientState state_ = ClientState::Greeting;
  Framer framer_{64 * 1024};
  SimTime now_ = 0;
  SimTime waiting_since_ = 0;
  bool multiline_ = false;  // reading the lines of a multi-line answer
  std::string body_;        // a message being received
  std::vector<std::pair<std::size_t, std::string>> listing_;  // (number, UIDL) from UIDL
  std::size_t next_ = 0;    // index into listing_ of the message being fetched
  std::vector<Downloaded> downloaded_;
  std::size_t deleted_ = 0;
  std::string failure_;
  bool committed_ = false;
  bool offers_stls_ = false;  // CAPA listed STLS
  bool after_tls_ = false;    // STLS done: the second CAPA leads to USER
};

}  // namespace postlab::pop3
