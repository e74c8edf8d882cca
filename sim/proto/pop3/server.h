// POP3 server session, sans-IO (RFC 1939; RFC 2449 CAPA; RFC 2595 STLS; RFC 5034 SASL; RFC 3206
// response codes). Bytes in, replies out; the mail server decides through hooks. Replies are
// Dovecot 2.3's, as captured from a real Dovecot 2.3.19 (../truth/pop3_*): a lesson shows what a
// student would see with a real server.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "proto/framer.h"
#include "proto/session.h"

namespace postlab::pop3 {

inline constexpr int kPort = 110;  // RFC 1939 §3
// Dovecot's login process ends the session at the 3rd bad command in a row before a login
// ("-ERR Too many invalid bad commands."); the pop3 process after it at the 21st ("-ERR Too many bad
// commands."). A command that succeeds starts the count again.
inline constexpr int kMaxBadCommandsBeforeLogin = 3;
inline constexpr int kMaxBadCommands = 20;
// Dovecot auth_failure_delay: a wrong password is answered this much later.
inline constexpr Duration kAuthFailureDelay = 2 * kSecond;
// Dovecot's pop3 idle timeout: a client silent this long is disconnected.
inline constexpr Duration kIdleTimeout = 10 * kMinute;
// Longest command line kept (RFC 2449 §4 sets 255 octets; longer ones are cut, not refused).
inline constexpr std::size_t kLineLimit = 4096;

struct ServerConfig {
  std::string greeting = "Dovecot (Debian) ready.";  // after "+OK "
  bool tls_available = false;    // Dovecot ssl = yes: STLS is offered
  bool plaintext_auth = true;    // disable_plaintext_auth = no: USER/PASS and AUTH without TLS
  Duration idle_timeout = kIdleTimeout;
};

// One message of the maildrop as the session opened it (RFC 1939 §5: numbered from 1 in this order).
struct Listed {
  std::size_t size = 0;  // octets with CRLF line ends, as RETR sends them
  std::string uidl;      // RFC 1939 §7: stable across sessions
  bool seen = false;     // it has the \Seen flag already
};

class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  virtual bool authenticate(const std::string& user, const std::string& password) = 0;
  // After a login: the user's maildrop, locked for this session (RFC 1939 §8), or the whole refusal
  // line when it cannot be had (another session holds it).
  virtual std::optional<std::string> open(const std::string& user, std::vector<Listed>& messages) = 0;
  virtual std::string text(std::size_t index) = 0;  // a listed message (0-based), CRLF line ends
  // What the session changes in the maildrop (indexes are 0-based). The UPDATE state (RFC 1939 §6):
  // QUIT after a login removes the messages marked deleted. Dovecot also gives \Seen to every message
  // RETR sent that was not seen yet (not to TOP's, nor to deleted ones), at QUIT or when the session
  // ends without it (pop3_no_flag_updates = no, its default); RSET forgets them.
  virtual void update(const std::vector<std::size_t>& deleted, const std::vector<std::size_t>& seen) = 0;
  // The session is over, with QUIT or without (a dropped connection deletes nothing): the lock goes.
  virtual void release() {}
};

enum class State { Authorization, Transaction, Closed };

class ServerSession {
 public:
  ServerSession(ServerConfig config, ServerHooks& hooks);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  SessionOutput on_connect(SimTime now);
  SessionOutput on_input(SimTime now, std::string_view bytes);
  SessionOutput on_closed();  // the client went away: nothing is deleted
  // The idle timeout, or the moment a delayed answer (a failed login) is due.
  std::optional<SimTime> deadline() const;
  SessionOutput on_timeout(SimTime now);

  State state() const { return state_; }
  const std::string& user() const { return user_; }
  bool tls() const { return tls_; }

 private:
  enum class Sasl { None, PlainResponse, LoginUser, LoginPassword };
  void line(std::string_view line, SessionOutput& out);
  bool authorization(std::string_view verb, std::string_view args, SessionOutput& out);
  bool transaction(std::string_view verb, std::string_view args, SessionOutput& out);
  void sasl_line(std::string_view line, SessionOutput& out);
  bool login(const std::string& user, const std::string& password, SessionOutput& out);
  void capa(SessionOutput& out) const;
  // Dovecot's get_msgnum(): the message named at the start of args, or nullopt after saying why.
  std::optional<std::size_t> message_number(std::string_view& args, bool then_space, SessionOutput& out);
  void close(SessionOutput& out);

  ServerConfig config_;
  ServerHooks& hooks_;
  State state_ = State::Authorization;
  Framer framer_{kLineLimit};
  SimTime now_ = 0;
  SimTime last_input_ = 0;
  bool tls_ = false;
  bool opened_ = false;  // the maildrop is ours until release()
  int bad_ = 0;
  Sasl sasl_ = Sasl::None;
  std::string user_;             // USER, or the user being logged in with AUTH LOGIN
  bool has_user_ = false;
  std::optional<SimTime> delayed_until_;  // a failed login's reply waits until then
  std::string delayed_reply_;
  std::vector<Listed> messages_;
  std::vector<bool> deleted_;
  std::vector<bool> retrieved_;  // RETR sent it and it was not seen: \Seen when the session ends
  void apply_seen();             // the session ends without QUIT: the \Seen flags still apply
};

}  // namespace postlab::pop3
