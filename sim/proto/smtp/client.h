// SMTP client session, sans-IO (RFC 5321 §3.3, §4.1.4). Reads replies, writes the next command.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/framer.h"
#include "proto/session.h"
#include "proto/smtp/limits.h"
#include "proto/smtp/reply.h"

namespace postlab::smtp {

struct ClientJob {
  std::string helo_name;             // what the client calls itself in EHLO/HELO
  std::string mail_from;             // "" for the null sender
  std::vector<std::string> rcpts;
  std::string data;                  // the message, CRLF line ends, not yet dot-stuffed
  std::string data_7bit;             // the same converted to 7-bit, for a server without 8BITMIME
  bool starttls = true;              // use STARTTLS when offered (Postfix smtp_tls_security_level = may)
  std::string auth_user;             // log in with AUTH when set and offered (RFC 4954)
  std::string auth_password;
  std::string auth_mechanism = "PLAIN";  // or "LOGIN"
  bool use_bdat = false;             // send the message with BDAT when the server offers CHUNKING (RFC 3030)
  bool smtputf8 = false;             // ask for SMTPUTF8 (RFC 6531): the envelope or headers may hold UTF-8
  std::string server_label;          // "mx.correo.example[203.0.113.5]", for messages about the server
  ClientTimeouts timeouts;           // how long to wait for each reply (Postfix's defaults)
};

enum class RcptStatus { Pending, Delivered, TempFail, PermFail };
const char* to_string(RcptStatus s);

struct RcptOutcome {
  std::string rcpt;
  RcptStatus status = RcptStatus::Pending;
  std::string reply;  // the server's reply that decided it (first line), or the client's own reason
  std::string local_dsn;  // set when the client itself decided (RFC 3463 code), e.g. "5.6.7"
  // The command the reply answered, as Postfix names it in "(in reply to RCPT TO command)"; "" for
  // the greeting ("refused to talk to me") and for the client's own findings.
  std::string command;
};

enum class ClientState { Greeting, Ehlo, Helo, StartTls, Auth, AuthLoginUser, AuthLoginPassword, Mail, Rcpt, Data,
                         Body, Bdat, Quit, Done };
// What the client is doing, in words (Postfix smtp_proto.c keeps such a phrase per state).
const char* to_string(ClientState s);
const char* state_key(ClientState s);  // "ehlo", "rcpt", ...: for translated notes

class ClientSession {
 public:
  explicit ClientSession(ClientJob job);

  // Every input carries the virtual time. After each command the client waits for the reply as long
  // as that stage's timeout allows; deadline() says until when, and on_timeout() at that time gives
  // up as Postfix does ("conversation with ... timed out while ...", 4.4.2) and hangs up.
  void start(SimTime now);  // the connection is open: the wait for the greeting begins
  SessionOutput on_input(SimTime now, std::string_view bytes);
  SessionOutput on_input(std::string_view bytes) { return on_input(now_, bytes); }
  SessionOutput on_closed();  // the server hung up (or the connection failed mid-way)
  std::optional<SimTime> deadline() const;
  SessionOutput on_timeout(SimTime now);

  bool done() const { return state_ == ClientState::Done; }
  // Every recipient has its answer (the transaction is over even if QUIT is still to come).
  bool outcomes_final() const;
  ClientState state() const { return state_; }
  const std::vector<RcptOutcome>& outcomes() const { return outcomes_; }
  const std::vector<std::string>& extensions() const { return extensions_; }
  bool tls() const { return tls_; }
  bool authenticated() const { return authenticated_; }
  // Dot-stuffed message text followed by the end marker, as it goes on the wire (RFC 5321 §4.5.2).
  static std::string stuff(std::string_view data);

 private:
  void on_reply(const Reply& r, SessionOutput& out);
  void send(std::string line, ClientState next, SessionOutput& out);
  void fail_pending(const Reply& r);
  void fail_pending(RcptStatus status, const std::string& why);
  void quit(SessionOutput& out);
  void next_rcpt_or_data(SessionOutput& out);
  void after_hello(SessionOutput& out);  // STARTTLS, AUTH or MAIL, whichever comes next
  void send_mail(SessionOutput& out);
  bool has_extension(std::string_view name) const;
  bool needs_utf8() const;

  Duration wait_for(ClientState s) const;

  ClientJob job_;
  ClientState state_ = ClientState::Greeting;
  SimTime now_ = 0;
  SimTime waiting_since_ = 0;  // when the client last wrote (or connected): the timeout counts from here
  ReplyReader reader_;
  Framer framer_{kMaxReplyLine + 1};  // reply lines out of the bytes as they come
  std::vector<RcptOutcome> outcomes_;
  std::vector<std::string> extensions_;
  std::size_t next_rcpt_ = 0;
  bool tls_ = false;
  bool authenticated_ = false;
};

}  // namespace postlab::smtp
