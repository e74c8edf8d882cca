// IMAP client session, sans-IO: what a mail program does over IMAP (RFC 3501). It runs a list of
// operations on one connection, one command at a time with tags a1, a2, ...: log in, list and sync
// folders (learn which messages are new and which are gone, download what it keeps offline), find a
// message by subject, read it, flag, move or delete it, manage folders, and IDLE (RFC 2177) until new
// mail comes, then sync and idle again. Replies in, commands out; what it learns goes to its hooks.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "proto/framer.h"
#include "proto/session.h"

namespace postlab::imap {

inline constexpr Duration kClientTimeout = 60 * kSecond;  // a mail program's wait for each answer

struct Op {
  enum class Kind {
    SyncAll,   // LIST "" "*", then Sync for every folder
    Sync,      // SELECT folder, UID FETCH 1:* (FLAGS), then the new messages (bodies or envelopes)
    Find,      // UID SEARCH SUBJECT arg in folder: the message the next operations act on
    Read,      // the message found: UID FETCH BODY[] (sets \Seen), or, when the device has it, UID STORE +FLAGS (\Seen)
    Flag,      // UID STORE arg ("+FLAGS (\Flagged)")
    Move,      // UID MOVE to arg
    Delete,    // UID STORE +FLAGS (\Deleted), then UID EXPUNGE (RFC 4315)
    Create,    // CREATE arg
    Rename,    // RENAME folder arg
    Remove,    // DELETE folder
    Append,    // APPEND folder (\Seen) with arg as the message
    Idle,      // SELECT folder, IDLE; on news: DONE, Sync, IDLE again, until stop_idle()
  };
  Kind kind = Kind::Sync;
  std::string folder = "INBOX";
  std::string arg;
};

struct ClientJob {
  std::string user;
  std::string password;
  std::vector<Op> ops;
  Duration timeout = kClientTimeout;
  bool starttls = false;  // secure the connection first (STARTTLS, RFC 3501 §6.2.1) when the server offers it
};

// What the mail program knows and learns.
class ClientHooks {
 public:
  virtual ~ClientHooks() = default;
  virtual std::set<std::uint32_t> known(const std::string& folder) = 0;  // UIDs it has seen in that folder
  virtual bool offline_copies() const = 0;  // keep every message's body (else only what is read)
  virtual void folders(const std::vector<std::string>& /*names*/) {}
  virtual void headers(const std::string& /*folder*/, std::uint32_t /*uid*/) {}  // learned of a message
  virtual void body(const std::string& folder, std::uint32_t uid, const std::string& text) = 0;
  virtual void gone(const std::string& folder, std::uint32_t uid) = 0;  // no longer on the server
  virtual bool has_body(const std::string& folder, std::uint32_t uid) = 0;
  // An operation ended: `ok` when the server said OK; `uid` the message it acted on, if any.
  virtual void done(const Op& /*op*/, bool /*ok*/, std::optional<std::uint32_t> /*uid*/) {}
};

enum class ClientState { Greeting, Working, Idling, Done };

class ClientSession {
 public:
  ClientSession(ClientJob job, ClientHooks& hooks);

  void start(SimTime now);
  SessionOutput on_input(SimTime now, std::string_view bytes);
  SessionOutput on_closed();
  std::optional<SimTime> deadline() const;
  SessionOutput on_timeout(SimTime now);
  // Ends IDLE (DONE) and logs out.
  SessionOutput stop_idle(SimTime now);

  ClientState state() const { return state_; }
  bool done() const { return state_ == ClientState::Done; }
  const std::string& failure() const { return failure_; }  // the NO/BAD line, or the client's reason

 private:
  void next(SessionOutput& out);
  bool step(SessionOutput& out);  // sends the current operation's next command; false when it is done
  void finished(bool ok);         // the current operation ended: tells the hooks
  void send(const std::string& command, SessionOutput& out);
  void on_line(std::string_view line, SessionOutput& out);
  void untagged(std::string_view line, SessionOutput& out);
  void fail(const std::string& why, SessionOutput& out);
  std::string uid_list(const std::vector<std::uint32_t>& uids) const;

  ClientJob job_;
  ClientHooks& hooks_;
  ClientState state_ = ClientState::Greeting;
  Framer framer_{64 * 1024};
  SimTime now_ = 0;
  SimTime waiting_since_ = 0;
  int tag_ = 0;
  std::string pending_tag_;       // the command waiting for its tagged answer
  std::vector<Op> queue_;         // operations still to do, the next first
  std::string selected_;
  bool logging_out_ = false;
  bool logged_in_ = false;
  // what the current operation has learned
  std::vector<std::uint32_t> listed_;  // UIDs the server has in the folder being synced
  std::vector<std::uint32_t> found_;   // UIDs a SEARCH found
  std::vector<std::string> folders_;
  // a FETCH response with a literal, being read
  std::string response_;
  std::string literal_;
  bool idle_news_ = false;  // something changed while idling: leave IDLE and sync
  bool done_sent_ = false;  // DONE went out for the IDLE now running
  bool stopping_ = false;   // stop_idle(): after IDLE, log out
  bool in_tls_start_ = false;  // STARTTLS sent: its OK is followed by LOGIN
  SimTime idle_since_ = 0;
  std::optional<Op> cur_;   // the operation running
  int phase_ = 0;           // how far it got
  std::string failure_;
};

}  // namespace postlab::imap
