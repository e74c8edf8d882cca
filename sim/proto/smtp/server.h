// SMTP server session, sans-IO (RFC 5321, with RFC 1870 SIZE, 3207 STARTTLS, 3461 DSN, 4954 AUTH,
// 6152 8BITMIME, 6531 SMTPUTF8). Bytes in, replies out; the MTA decides through hooks.
// Reply texts are Postfix's (smtpd.c, smtpd_sasl_proto.c) with Dovecot SASL, so a lesson shows
// what a real server says.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/framer.h"
#include "proto/session.h"
#include "proto/smtp/limits.h"

namespace postlab::smtp {

struct ServerConfig {
  std::string hostname;                       // $myhostname
  std::string software = "Postfix";           // greeting: "220 <hostname> ESMTP <software>"
  std::size_t message_size_limit = kMessageSizeLimit;
  std::size_t recipient_limit = kRecipientLimit;
  std::size_t line_length_limit = kLineLengthLimit;
  int hard_error_limit = kHardErrorLimit;
  bool esmtp = true;            // false: EHLO is not understood (an RFC 821 server), so clients use HELO
  bool helo_required = false;   // Postfix smtpd_helo_required (default no)
  bool vrfy_enabled = true;     // Postfix disable_vrfy_command = no
  bool starttls = false;        // offer STARTTLS (smtpd_tls_security_level = may)
  bool tls_required = false;    // smtpd_tls_security_level = encrypt: only EHLO/STARTTLS/NOOP/QUIT before TLS
  bool auth = false;            // smtpd_sasl_auth_enable: offer AUTH PLAIN LOGIN
  bool tls_auth_only = false;   // smtpd_tls_auth_only: AUTH only once TLS is on
  bool smtputf8 = true;         // smtputf8_enable: announce SMTPUTF8 (RFC 6531)
  bool chunking = true;         // announce CHUNKING and take BDAT (RFC 3030); Postfix does since 3.4
  Duration timeout = kSmtpdTimeout;  // smtpd_timeout: how long the server waits for the client
};

// A reply a lesson makes the server give instead of carrying a command out (see ServerHooks).
struct ForcedReply {
  std::string reply;   // the whole reply line, e.g. "450 4.2.0 <bob@b.example>: ... Greylisted"
  bool close = false;  // hang up after it (always for 421, RFC 5321 §3.8)
  std::string note = "note.smtp.forced_reply";  // what the explanation says ({0} verb, {1} reply)
};

struct RcptParams {
  std::string notify;  // RFC 3461 §4.1 NOTIFY ("" when not given)
  std::string orcpt;   // RFC 3461 §4.2 ORCPT
};

// The mail transaction and session facts as the server has them (RFC 5321 §3.3).
struct Transaction {
  std::string helo;             // name given in HELO/EHLO ("" when none yet)
  bool esmtp = false;           // EHLO rather than HELO
  bool tls = false;             // STARTTLS done
  std::string auth_user;        // who logged in with AUTH ("" when nobody)
  bool has_sender = false;      // MAIL accepted
  std::string mail_from;        // "" for the null sender <>
  std::vector<std::string> rcpts;
  std::vector<RcptParams> rcpt_params;  // one per accepted recipient
  std::size_t declared_size = 0;        // MAIL ... SIZE=n (RFC 1870)
  std::string ret, envid;               // RFC 3461 §4.3, §4.4
  bool smtputf8 = false;                // RFC 6531 §3.4
  bool body_8bit = false;               // RFC 6152 BODY=8BITMIME
};

struct AcceptResult {
  bool ok = false;
  std::string queue_id;     // when ok
  std::string reply;        // when not ok: the full reply line
};

class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  // nullopt accepts the recipient; otherwise the whole reply line (e.g. "550 5.1.1 <x>: ...").
  virtual std::optional<std::string> check_recipient(const Transaction& t, const std::string& rcpt) = 0;
  // The server has the whole message (RFC 5321 §4.1.1.4): take responsibility or refuse.
  virtual AcceptResult accept_message(const Transaction& t, const std::string& data) = 0;
  // Sender restrictions (e.g. Postfix reject_sender_login_mismatch); nullopt accepts.
  virtual std::optional<std::string> check_sender(const Transaction&, const std::string& /*sender*/) { return {}; }
  // SASL: are these credentials right?
  virtual bool authenticate(const std::string& /*user*/, const std::string& /*password*/) { return false; }
  // ETRN (RFC 1985): start delivering what is queued for the domain; nullopt means "250 Queuing started".
  virtual std::optional<std::string> etrn(const std::string& /*domain*/) { return {}; }
  // Asked once check_recipient() has accepted a recipient: true holds the RCPT undecided while the
  // host finds out more (a DNS lookup, as Postfix's reject_unknown_recipient_domain makes); the host
  // then calls ServerSession::resume() with its decision. Nothing else is read meanwhile.
  virtual bool hold_recipient(const Transaction& /*t*/, const std::string& /*rcpt*/) { return false; }
  // Asked before each command is carried out: the verb in capitals ("RCPT"), "CONNECT" before the
  // greeting and "." before the end of the message text is taken. A reply here is sent instead and
  // the command is not carried out; this is how a lesson forces greylisting or a hang-up.
  virtual std::optional<ForcedReply> before_command(const Transaction& /*t*/, std::string_view /*verb*/,
                                                    std::string_view /*args*/) {
    return {};
  }
};

enum class ServerState { Connected, Ready, Mail, Rcpt, Data, Bdat, Closed };
const char* to_string(ServerState s);

class ServerSession {
 public:
  ServerSession(ServerConfig config, ServerHooks& hooks);

  // Every input carries the virtual time. The server waits `timeout` for the client after each
  // command and reply; deadline() says until when, and on_timeout() at that time ends the session
  // as Postfix does ("421 4.4.2 <host> Error: timeout exceeded"). The forms without a time keep the
  // session's clock where it was.
  SessionOutput on_connect(SimTime now);              // the 220 greeting
  SessionOutput on_input(SimTime now, std::string_view bytes);  // lines may be split anywhere
  SessionOutput on_connect() { return on_connect(now_); }
  SessionOutput on_input(std::string_view bytes) { return on_input(now_, bytes); }
  std::optional<SimTime> deadline() const;
  SessionOutput on_timeout(SimTime now);
  // The session is suspended: a recipient waits for the host's decision (hold_recipient()).
  bool suspended() const { return held_.has_value(); }
  // The host's decision on the held recipient: nullopt accepts it, otherwise the whole reply line.
  // Then whatever the client sent meanwhile is read.
  SessionOutput resume(SimTime now, const std::optional<std::string>& rejection);
  ServerState state() const { return state_; }
  const Transaction& transaction() const { return tx_; }
  int errors() const { return errors_; }
  bool tls() const { return tx_.tls; }

 private:
  using Handler = void (ServerSession::*)(std::string_view args, SessionOutput& out);
  struct Command {
    std::string_view verb;
    Handler handler;
    bool before_tls;  // allowed while TLS is required but not yet on (Postfix: HELO, EHLO, STARTTLS, NOOP, QUIT)
  };
  static const Command kCommands[];
  enum class Sasl { None, PlainResponse, LoginUser, LoginPassword };

  void command_line(std::string_view line, SessionOutput& out);
  void data_line(std::string_view line, SessionOutput& out);
  void sasl_line(std::string_view line, SessionOutput& out);
  void sasl_finish(const std::string& user, const std::string& password, SessionOutput& out);
  void error(std::string_view reply, SessionOutput& out);
  void reset_transaction();
  bool auth_available() const { return config_.auth && (tx_.tls || !config_.tls_auth_only); }

  void cmd_helo(std::string_view args, SessionOutput& out);
  void cmd_ehlo(std::string_view args, SessionOutput& out);
  void cmd_starttls(std::string_view args, SessionOutput& out);
  void cmd_auth(std::string_view args, SessionOutput& out);
  void cmd_mail(std::string_view args, SessionOutput& out);
  void cmd_rcpt(std::string_view args, SessionOutput& out);
  void cmd_data(std::string_view args, SessionOutput& out);
  void cmd_rset(std::string_view args, SessionOutput& out);
  void cmd_noop(std::string_view args, SessionOutput& out);
  void cmd_vrfy(std::string_view args, SessionOutput& out);
  void cmd_etrn(std::string_view args, SessionOutput& out);
  void cmd_quit(std::string_view args, SessionOutput& out);
  void cmd_bdat(std::string_view args, SessionOutput& out);
  void bdat_chunk_done(SessionOutput& out);
  void bdat_count(std::string_view bytes);
  void hard_limit(SessionOutput& out);  // 421 and hang up once the error count reaches the limit
  void finish_message(SessionOutput& out);
  bool forced(std::string_view verb, std::string_view args, SessionOutput& out);
  void accept_rcpt(const std::string& rcpt, const RcptParams& params, SessionOutput& out);
  struct HeldRcpt {
    std::string rcpt;
    RcptParams params;
  };
  std::optional<HeldRcpt> held_;  // a recipient the host is still deciding on

  ServerConfig config_;
  ServerHooks& hooks_;
  ServerState state_ = ServerState::Connected;
  SimTime now_ = 0;
  SimTime last_activity_ = 0;   // the last input or reply: the timeout counts from here
  Transaction tx_;
  Framer framer_{kLineLengthLimit};  // lines and BDAT chunks out of the bytes as they come
  std::string data_;            // message text being received (un-stuffed)
  std::size_t data_size_ = 0;
  bool data_too_big_ = false;
  int errors_ = 0;
  Sasl sasl_ = Sasl::None;
  std::string sasl_user_;       // AUTH LOGIN: the user name given so far
  // BDAT (RFC 3030): octets of the current chunk still to read, whether it is the LAST one, and
  // whether the chunk is only being skipped (its command was refused, the bytes must still be read).
  std::size_t bdat_remaining_ = 0;
  bool bdat_last_ = false;
  bool bdat_skip_ = false;
  std::string bdat_reply_;      // the reply for a skipped chunk, sent once its bytes are read
  bool bdat_used_ = false;      // this transaction has BDAT chunks (DATA is then out of order)
  bool bdat_error_ = false;     // a chunk was refused: later chunks are discarded up to LAST or RSET
  std::size_t bdat_chunk_ = 0;  // size of the chunk being read
  std::size_t bdat_size_ = 0;   // the message's ended lines, counted as Postfix does (length plus CR LF)
  std::size_t bdat_line_ = 0;   // bytes of the line not yet ended
  bool bdat_prev_cr_ = false;   // the last byte read was CR
};

// "MAIL FROM:<a@b> SIZE=1" -> path and parameters. nullopt when the keyword or the path is missing
// (Postfix: "501 5.5.4 Syntax: ..."); bad_path when a path is there but malformed, e.g. "<a@b" without
// its closing bracket (Postfix: "501 5.1.7 Bad sender address syntax").
struct PathArgs {
  std::string path;  // without angle brackets; "" for <>
  std::vector<std::string> params;
  bool bad_path = false;
};
std::optional<PathArgs> parse_path_args(std::string_view args, std::string_view keyword);
// RFC 3461 §4: xtext ("+" followed by two upper-case hex digits stands for one byte).
bool is_xtext(std::string_view s);

}  // namespace postlab::smtp
