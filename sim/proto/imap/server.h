// IMAP4rev1 server session, sans-IO (RFC 3501; IDLE RFC 2177; MOVE RFC 6851; UIDPLUS RFC 4315;
// LITERAL+ RFC 7888; SASL-IR RFC 4959). Bytes in, replies out; the mail server's store answers through
// hooks. Replies are Dovecot 2.3's as captured from a real Dovecot (../truth/imap_*): tagged OKs with
// Dovecot's timing remark, [CLOSED], [TRYCREATE], [COPYUID], [APPENDUID], \Recent given to the first
// session that selects a mailbox, and what other sessions changed told as untagged EXISTS, EXPUNGE
// and FETCH at the end of each command, and at once (after Dovecot's short delay) during IDLE.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "proto/framer.h"
#include "proto/imap/syntax.h"
#include "proto/session.h"

namespace postlab::imap {

// Dovecot's login process ends the session at the 3rd bad command before a login.
inline constexpr int kMaxBadCommandsBeforeLogin = 3;
// RFC 3501 §5.4: an idle client may be logged out after at least 30 minutes (Dovecot waits that).
inline constexpr Duration kAutologout = 30 * kMinute;
// Dovecot's imap_max_line_length (64 KiB): a longer command line is refused whole.
inline constexpr std::size_t kLineLimit = 64 * 1024;
// The largest literal a command may carry (an APPEND of a big message).
inline constexpr std::size_t kMaxLiteral = 32 * 1024 * 1024;
// Dovecot notices another session's change about half a second later (seen in ../truth/imap_03).
inline constexpr Duration kNotifyDelay = 500 * kMillisecond;
// Dovecot's imap_idle_notify_interval: an idling client hears "* OK Still here" this often, so that
// the connection does not look dead to it or to a NAT box on the way.
inline constexpr Duration kIdleNotifyInterval = 2 * kMinute;
// A FETCH or SEARCH names at most this many messages at once (a sequence set "1:4294967295" on a
// mailbox of a few messages costs only the messages that exist).
inline constexpr std::size_t kMaxResponses = 100000;

// The flags a client may set, as FLAGS and PERMANENTFLAGS list them (RFC 3501 §2.3.2).
inline constexpr const char* kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

struct ServerConfig {
  std::string greeting = "Dovecot (Debian) ready.";
  bool tls_available = false;
  Duration autologout = kAutologout;
};

struct MessageInfo {
  std::uint32_t uid = 0;
  std::uint8_t flags = 0;          // system flags (trace/state.h MessageFlag), without \Recent
  std::size_t size = 0;            // RFC822.SIZE: octets with CRLF line ends
  std::int64_t internal_date = 0;  // Unix seconds
};

struct FolderInfo {
  std::string name;
  bool subscribed = false;
};

struct FolderStatus {
  std::uint32_t uidvalidity = 1;
  std::uint32_t uidnext = 1;
  std::vector<MessageInfo> messages;  // ascending UID
  const MessageInfo* find(std::uint32_t uid) const {  // binary search by UID; nullptr when gone
    auto it = std::lower_bound(messages.begin(), messages.end(), uid,
                               [](const MessageInfo& m, std::uint32_t u) { return m.uid < u; });
    return it != messages.end() && it->uid == uid ? &*it : nullptr;
  }
};

// The user's mail as the host keeps it. Every change a hook makes is the host's to record.
class ServerHooks {
 public:
  virtual ~ServerHooks() = default;
  virtual bool authenticate(const std::string& user, const std::string& password) = 0;
  // After a login: the logged-in user's folders (INBOX first), and one folder's state now.
  virtual std::vector<FolderInfo> folders() = 0;
  virtual std::optional<FolderStatus> folder(const std::string& name) = 0;
  virtual std::string text(const std::string& folder, std::uint32_t uid) = 0;  // CRLF line ends
  // Each returns "" when done, or the text of the NO reply (Dovecot's words).
  virtual std::string create(const std::string& name) = 0;
  virtual std::string remove(const std::string& name) = 0;
  virtual std::string rename(const std::string& from, const std::string& to) = 0;
  virtual void subscribe(const std::string& name, bool on) = 0;
  virtual void set_flags(const std::string& folder, std::uint32_t uid, std::uint8_t flags) = 0;
  // Copies a message to another folder (which exists); returns its UID there.
  virtual std::uint32_t copy(const std::string& from, std::uint32_t uid, const std::string& to, bool move) = 0;
  virtual void expunge(const std::string& folder, std::uint32_t uid) = 0;
  virtual std::uint32_t append(const std::string& folder, const std::string& text, std::uint8_t flags) = 0;
  // \Recent (RFC 3501 §2.3.2): the first session that has a folder selected read-write takes its new
  // messages. Returns the lowest UID this session may call recent (messages from it up to the
  // folder's UIDNEXT); `take` marks them taken, so the next session gets none of them.
  virtual std::uint32_t recent_from(const std::string& folder, bool take) = 0;
  virtual void release() {}  // the session is over
};

enum class State { NotAuthenticated, Authenticated, Selected, Logout };

class ServerSession {
 public:
  ServerSession(ServerConfig config, ServerHooks& hooks);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  SessionOutput on_connect(SimTime now);
  SessionOutput on_input(SimTime now, std::string_view bytes);
  SessionOutput on_closed();
  std::optional<SimTime> deadline() const;
  SessionOutput on_timeout(SimTime now);
  // Another session changed the selected folder: while idling the news goes out now (untagged);
  // otherwise it waits for the end of this session's next command (RFC 3501 §7).
  SessionOutput on_mailbox_changed(SimTime now);

  State state() const { return state_; }
  bool idling() const { return !idle_tag_.empty(); }
  const std::string& selected() const { return folder_; }
  bool tls() const { return tls_; }

 private:
  struct Slot {
    std::uint32_t uid = 0;
    std::uint8_t flags = 0;
    bool recent = false;
  };
  void command_text(std::string_view text, SessionOutput& out);
  void run(const Command& c, SessionOutput& out);
  bool before_login(const Command& c, SessionOutput& out);
  void after_login(const Command& c, SessionOutput& out);
  void login_ok(const std::string& tag, SessionOutput& out);
  void sasl_response(std::string_view line, SessionOutput& out);
  void select(const Command& c, bool read_only, SessionOutput& out);
  void list(const Command& c, bool lsub, SessionOutput& out);
  void status(const Command& c, SessionOutput& out);
  void append(const Command& c, SessionOutput& out);
  void fetch(const Command& c, std::size_t first, bool by_uid, SessionOutput& out);
  void store(const Command& c, std::size_t first, bool by_uid, SessionOutput& out);
  void copy(const Command& c, std::size_t first, bool by_uid, bool move, SessionOutput& out);
  void search(const Command& c, std::size_t first, bool by_uid, SessionOutput& out);
  void expunge(const std::string& tag, const std::optional<SequenceSet>& uids, SessionOutput& out);
  // The messages a set names, as indexes into slots_ (ascending).
  std::optional<std::vector<std::size_t>> messages(const Value& set, bool by_uid, const std::string& tag,
                                                   const std::string& name, SessionOutput& out) const;
  // Tells the client what changed in the selected folder since it last heard (EXPUNGE, EXISTS, RECENT,
  // FETCH FLAGS); `uid_fetch` adds UID to FETCH responses (a UID command is running).
  void sync(SessionOutput& out, bool uid_fetch = false, bool allow_expunge = true);
  std::string flags_of(const Slot& s) const;
  void ok(const std::string& tag, const std::string& text, SessionOutput& out) const;
  void bad(const std::string& tag, const std::string& text, SessionOutput& out);
  void close(SessionOutput& out);

  ServerConfig config_;
  ServerHooks& hooks_;
  State state_ = State::NotAuthenticated;
  Framer framer_{kLineLimit};
  std::string pending_;          // a command gathered so far (its lines and literals)
  SimTime now_ = 0;
  SimTime last_input_ = 0;
  bool tls_ = false;
  bool capability_asked_ = false;  // CAPABILITY before the login: Dovecot lists it untagged after
  int bad_ = 0;
  std::string sasl_tag_;          // AUTHENTICATE waiting for the client's response
  std::string idle_tag_;          // IDLE waiting for DONE
  std::string folder_;            // selected folder
  bool read_only_ = false;
  std::vector<Slot> slots_;       // the selected folder as this client knows it (sequence numbers)
  std::size_t recent_told_ = 0;   // the RECENT count the client was last told
  std::optional<SimTime> notify_at_;  // IDLE: news to tell at this time
  SimTime idle_since_ = 0;
  SimTime still_here_at_ = 0;  // IDLE: the next "* OK Still here"
  std::optional<SimTime> delayed_until_;  // a failed login's reply waits until then
  std::string delayed_reply_;
  std::string sasl_mech_;         // "PLAIN" or "LOGIN" while AUTHENTICATE runs
  std::string sasl_user_;         // AUTH LOGIN: the user name given first
};

}  // namespace postlab::imap
