// SMTP server session, sans-IO (RFC 5321). Bytes in, replies out; the MTA decides through hooks.
// Reply texts are Postfix's (smtpd.c), so a lesson shows what a real server says.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  bool helo_required = false;                 // Postfix smtpd_helo_required (default no)
  bool vrfy_enabled = true;                   // Postfix disable_vrfy_command = no
};

// The mail transaction as the server has it so far (RFC 5321 §3.3).
struct Transaction {
  std::string helo;             // name given in HELO/EHLO ("" when none yet)
  bool esmtp = false;           // EHLO rather than HELO
  bool has_sender = false;      // MAIL accepted
  std::string mail_from;        // "" for the null sender <>
  std::vector<std::string> rcpts;
  std::size_t declared_size = 0;  // MAIL ... SIZE=n (RFC 1870)
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
};

enum class ServerState { Connected, Ready, Mail, Rcpt, Data, Closed };
const char* to_string(ServerState s);

class ServerSession {
 public:
  ServerSession(ServerConfig config, ServerHooks& hooks);

  SessionOutput on_connect();                   // the 220 greeting
  SessionOutput on_input(std::string_view bytes);  // any number of bytes, lines may be split anywhere
  ServerState state() const { return state_; }
  const Transaction& transaction() const { return tx_; }
  int errors() const { return errors_; }

 private:
  struct Command {
    std::string_view verb;
    void (ServerSession::*handler)(std::string_view args, SessionOutput& out);
  };
  static const Command kCommands[];

  void command_line(std::string_view line, SessionOutput& out);
  void data_line(std::string_view line, SessionOutput& out);
  void error(std::string_view reply, SessionOutput& out);
  void reset_transaction();

  void cmd_helo(std::string_view args, SessionOutput& out);
  void cmd_ehlo(std::string_view args, SessionOutput& out);
  void cmd_mail(std::string_view args, SessionOutput& out);
  void cmd_rcpt(std::string_view args, SessionOutput& out);
  void cmd_data(std::string_view args, SessionOutput& out);
  void cmd_rset(std::string_view args, SessionOutput& out);
  void cmd_noop(std::string_view args, SessionOutput& out);
  void cmd_vrfy(std::string_view args, SessionOutput& out);
  void cmd_quit(std::string_view args, SessionOutput& out);

  ServerConfig config_;
  ServerHooks& hooks_;
  ServerState state_ = ServerState::Connected;
  Transaction tx_;
  std::string pending_;         // bytes not yet ending in a line break
  bool discarding_ = false;     // rest of an over-long line is being thrown away
  std::string data_;            // message text being received (un-stuffed)
  std::size_t data_size_ = 0;
  bool data_too_big_ = false;
  int errors_ = 0;
};

// "MAIL FROM:<a@b> SIZE=1" -> path and parameters. nullopt on syntax error.
struct PathArgs {
  std::string path;  // without angle brackets; "" for <>
  std::vector<std::string> params;
};
std::optional<PathArgs> parse_path_args(std::string_view args, std::string_view keyword);

}  // namespace postlab::smtp
