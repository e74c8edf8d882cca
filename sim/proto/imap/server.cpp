#include "proto/imap/server.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>

#include "core/ascii.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "mail/mime.h"
#include "trace/state.h"

namespace postlab::imap {
namespace {

// What this server implements, announced as Dovecot announces its own (a real Dovecot lists more:
// SORT, THREAD, CONDSTORE, ... which are not simulated, so they are not offered).
constexpr const char* kPreLoginCaps = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+";
constexpr const char* kCaps =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE UNSELECT CHILDREN NAMESPACE UIDPLUS MOVE LITERAL+";
// Dovecot ends each tagged OK after the login with how long the command took; the simulation's
// commands take no measurable time, so they all say what a quick real one says.
constexpr const char* kTiming = " (0.001 + 0.000 secs).";
// Dovecot's auth_failure_delay.
constexpr Duration kAuthFailureDelay = 2 * kSecond;

std::string seconds(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(d / kSecond),
                static_cast<long long>(d % kSecond / kMillisecond));
  return buf;
}

}  // namespace

ServerSession::ServerSession(ServerConfig config, ServerHooks& hooks) : config_(std::move(config)), hooks_(hooks) {}

// A session destroyed without on_closed() tells its hooks nothing: its host is going away with it.
ServerSession::~ServerSession() = default;

SessionOutput ServerSession::on_connect(SimTime now) {
  now_ = last_input_ = now;
  SessionOutput out;
  std::string caps = kPreLoginCaps;
  if (config_.tls_available) caps += " STARTTLS";
  out.reply("* OK [CAPABILITY " + caps + " AUTH=PLAIN AUTH=LOGIN] " + config_.greeting);
  return out;
}

std::optional<SimTime> ServerSession::deadline() const {
  if (state_ == State::Logout) return std::nullopt;
  std::optional<SimTime> d = last_input_ + config_.autologout;
  if (delayed_until_) d = std::min(*d, *delayed_until_);
  if (notify_at_) d = std::min(*d, *notify_at_);
  if (!idle_tag_.empty()) d = std::min(*d, still_here_at_);
  return d;
}

SessionOutput ServerSession::on_timeout(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  if (state_ == State::Logout) return out;
  if (delayed_until_ && now_ >= *delayed_until_) {
    delayed_until_.reset();
    out.reply(delayed_reply_);
    out.append(on_input(now_, {}));  // what the client pipelined meanwhile
    return out;
  }
  if (notify_at_ && now_ >= *notify_at_) {
    notify_at_.reset();
    if (!idle_tag_.empty()) sync(out);
    return out;
  }
  if (!idle_tag_.empty() && now_ >= still_here_at_) {
    out.reply("* OK Still here");
    still_here_at_ = now_ + kIdleNotifyInterval;
    return out;
  }
  if (now_ >= last_input_ + config_.autologout) {
    out.reply("* BYE Disconnected for inactivity.");
    close(out);
  }
  return out;
}

SessionOutput ServerSession::on_mailbox_changed(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  if (!idle_tag_.empty() && !notify_at_) notify_at_ = now_ + kNotifyDelay;
  return out;
}

SessionOutput ServerSession::on_closed() {
  SessionOutput out;
  if (state_ == State::Authenticated || state_ == State::Selected) hooks_.release();
  state_ = State::Logout;
  return out;
}

void ServerSession::close(SessionOutput& out) {
  out.close = true;
  if (state_ == State::Authenticated || state_ == State::Selected) hooks_.release();
  state_ = State::Logout;
  idle_tag_.clear();
  notify_at_.reset();
}

void ServerSession::ok(const std::string& tag, const std::string& text, SessionOutput& out) const {
  out.reply(tag + " OK " + text + (state_ == State::NotAuthenticated ? "." : kTiming));
}

void ServerSession::bad(const std::string& tag, const std::string& text, SessionOutput& out) {
  out.reply((tag.empty() ? std::string("*") : tag) + " BAD " + text);
  if (state_ != State::NotAuthenticated) return;
  if (++bad_ >= kMaxBadCommandsBeforeLogin) {
    out.reply("* BYE Too many invalid IMAP commands.");
    close(out);
  }
}

SessionOutput ServerSession::on_input(SimTime now, std::string_view bytes) {
  now_ = std::max(now_, now);
  if (!bytes.empty()) last_input_ = now_;
  SessionOutput out;
  framer_.feed(bytes);
  while (state_ != State::Logout && !delayed_until_) {
    const auto f = framer_.next();
    if (!f) break;
    if (f->kind == Framed::Kind::Octets) {  // a literal's octets: part of the command being gathered
      pending_.append(f->data);
      if (f->last) framer_.set_max_line(kLineLimit);
      continue;
    }
    if (f->truncated) {  // Dovecot refuses an over-long line whole
      pending_.clear();
      bad({}, "Error in IMAP command received by server: Too long argument.", out);
      continue;
    }
    const std::string_view line = f->data;
    if (!sasl_tag_.empty()) {
      sasl_response(line, out);
      continue;
    }
    if (!idle_tag_.empty() && pending_.empty()) {
      // RFC 2177: only DONE ends IDLE.
      const std::string tag = idle_tag_;
      idle_tag_.clear();
      notify_at_.reset();
      if (iequals(line, "DONE")) {
        sync(out);
        out.reply(tag + " OK Idle completed (" + seconds(now_ - idle_since_) + " + 0.000 + " + seconds(now_ - idle_since_) +
                  " secs).");
      } else {
        out.reply(tag + " BAD Expected DONE.");
      }
      continue;
    }
    // A line that ends with a literal's announcement: its octets come next (RFC 3501 §4.3).
    if (const auto lit = literal_at_end(line, std::numeric_limits<std::size_t>::max())) {
      if (lit->size > kMaxLiteral) {
        pending_.clear();
        const Parsed p = parse_command(std::string(line.substr(0, line.rfind('{'))) + "x");
        out.reply((p.tag.empty() ? std::string("*") : p.tag) + " NO [TOOBIG] Literal too large");
        // The client may send it anyway (a non-synchronizing literal): read it and drop it.
        if (lit->non_sync) {
          framer_.expect_octets(lit->size);
          pending_ = "\x01";  // marks the octets as the rest of a refused command
        }
        continue;
      }
      pending_.append(line);
      pending_.append("\r\n");
      if (!lit->non_sync) out.reply("+ OK");
      framer_.expect_octets(lit->size);
      continue;
    }
    pending_.append(line);
    const bool refused = pending_.front() == '\x01';  // the rest of a command refused as too large
    std::string text = std::move(pending_);
    pending_.clear();
    if (refused) continue;
    command_text(text, out);
    if (out.start_tls) {
      framer_.discard_buffered();
      break;
    }
  }
  return out;
}

void ServerSession::command_text(std::string_view text, SessionOutput& out) {
  const Parsed p = parse_command(text);
  if (!p.command) {
    if (p.tag.empty() || state_ == State::NotAuthenticated) {
      bad(p.tag, "Error in IMAP command received by server.", out);
      return;
    }
    bad(p.tag, p.error, out);
    return;
  }
  run(*p.command, out);
}

void ServerSession::run(const Command& c, SessionOutput& out) {
  if (c.name == "CAPABILITY") {
    if (state_ == State::NotAuthenticated) {
      capability_asked_ = true;
      std::string caps = kPreLoginCaps;
      if (config_.tls_available && !tls_) caps += " STARTTLS";
      out.reply("* CAPABILITY " + caps + " AUTH=PLAIN AUTH=LOGIN");
      out.reply(c.tag + " OK Pre-login capabilities listed, post-login capabilities have more.");
      return;
    }
    out.reply(std::string("* CAPABILITY ") + kCaps);
    ok(c.tag, "Capability completed", out);
    return;
  }
  if (c.name == "NOOP") {
    sync(out);
    ok(c.tag, "NOOP completed", out);
    return;
  }
  if (c.name == "LOGOUT") {
    out.reply("* BYE Logging out");
    ok(c.tag, "Logout completed", out);
    close(out);
    return;
  }
  if (c.name == "ID") {
    out.reply("* ID (\"name\" \"Dovecot\")");
    ok(c.tag, "ID completed", out);
    return;
  }
  if (state_ == State::NotAuthenticated) {
    if (!before_login(c, out)) bad(c.tag, "Error in IMAP command received by server.", out);
    return;
  }
  after_login(c, out);
}

bool ServerSession::before_login(const Command& c, SessionOutput& out) {
  if (c.name == "STARTTLS") {
    if (!config_.tls_available || tls_) {
      out.reply(c.tag + " BAD TLS support isn't enabled.");
      return true;
    }
    out.reply(c.tag + " OK Begin TLS negotiation now.");
    out.start_tls = true;
    tls_ = true;
    return true;
  }
  if (c.name == "LOGIN") {
    if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) return false;
    out.note(tls_ ? "note.imap.login_in_tls" : "note.imap.login_in_clear", {c.args[0].text, c.args[1].text});
    if (!hooks_.authenticate(c.args[0].text, c.args[1].text)) {
      delayed_until_ = now_ + kAuthFailureDelay;
      delayed_reply_ = c.tag + " NO [AUTHENTICATIONFAILED] Authentication failed.";
      return true;
    }
    login_ok(c.tag, out);
    return true;
  }
  if (c.name == "AUTHENTICATE") {
    if (c.args.empty() || c.args.size() > 2 || c.args[0].kind != Value::Kind::Atom) return false;
    const std::string mech = ascii_upper(c.args[0].text);
    if (mech != "PLAIN" && mech != "LOGIN") {
      out.reply(c.tag + " NO Unsupported authentication mechanism.");
      return true;
    }
    sasl_tag_ = c.tag;
    sasl_mech_ = mech;
    sasl_user_.clear();
    if (c.args.size() == 2) {  // RFC 4959 SASL-IR: the first response comes with the command
      sasl_response(c.args[1].text, out);
      return true;
    }
    out.reply(mech == "PLAIN" ? "+ " : "+ VXNlcm5hbWU6");  // "Username:" for LOGIN
    return true;
  }
  return false;
}

void ServerSession::sasl_response(std::string_view line, SessionOutput& out) {
  const std::string tag = sasl_tag_;
  if (line == "*") {  // RFC 3501 §6.2.2: the client cancels
    sasl_tag_.clear();
    out.reply(tag + " BAD Authentication aborted by client.");
    return;
  }
  const auto decoded = base64_decode(line == "=" ? std::string_view() : line);
  if (!decoded) {
    sasl_tag_.clear();
    out.reply(tag + " BAD Invalid base64 data in continued response");
    return;
  }
  std::string user, password;
  if (sasl_mech_ == "LOGIN") {
    if (sasl_user_.empty()) {
      sasl_user_ = decoded->empty() ? std::string(" ") : *decoded;
      out.reply("+ UGFzc3dvcmQ6");  // "Password:"
      return;
    }
    user = sasl_user_;
    password = *decoded;
  } else {
    // RFC 4616: authzid NUL authcid NUL passwd
    const std::size_t a = decoded->find('\0'), b = a == std::string::npos ? a : decoded->find('\0', a + 1);
    if (b == std::string::npos) {
      sasl_tag_.clear();
      out.reply(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.");
      return;
    }
    user = decoded->substr(a + 1, b - a - 1);
    password = decoded->substr(b + 1);
  }
  sasl_tag_.clear();
  out.note("note.imap.sasl_plain", {user, password});
  if (!hooks_.authenticate(user, password)) {
    delayed_until_ = now_ + kAuthFailureDelay;
    delayed_reply_ = tag + " NO [AUTHENTICATIONFAILED] Authentication failed.";
    return;
  }
  login_ok(tag, out);
}

void ServerSession::login_ok(const std::string& tag, SessionOutput& out) {
  state_ = State::Authenticated;
  bad_ = 0;
  // Dovecot lists the capabilities after the login: untagged when the client asked for them before,
  // otherwise in the tagged OK.
  if (capability_asked_) {
    out.reply(std::string("* CAPABILITY ") + kCaps);
    out.reply(tag + " OK Logged in");
  } else {
    out.reply(tag + " OK [CAPABILITY " + kCaps + "] Logged in");
  }
}

std::string ServerSession::flags_of(const Slot& s) const {
  return "(" + format_flags(static_cast<std::uint8_t>(s.flags | (s.recent ? kFlagRecent : 0))) + ")";
}

void ServerSession::sync(SessionOutput& out, bool uid_fetch, bool allow_expunge) {
  if (state_ != State::Selected) return;
  const auto st = hooks_.folder(folder_);
  if (!st) {
    out.reply("* BYE Selected mailbox was deleted, have to disconnect.");
    close(out);
    return;
  }
  const auto& now = st->messages;
  auto find = [&](std::uint32_t uid) { return st->find(uid); };
  if (allow_expunge) {
    for (std::size_t i = 0; i < slots_.size();) {
      if (find(slots_[i].uid)) {
        ++i;
        continue;
      }
      out.reply("* " + std::to_string(i + 1) + " EXPUNGE");
      slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const MessageInfo* m = find(slots_[i].uid);
    if (!m || m->flags == slots_[i].flags) continue;
    slots_[i].flags = m->flags;
    out.reply("* " + std::to_string(i + 1) + " FETCH (" + (uid_fetch ? "UID " + std::to_string(slots_[i].uid) + " " : "") +
              "FLAGS " + flags_of(slots_[i]) + ")");
  }
  const std::uint32_t last = slots_.empty() ? 0 : slots_.back().uid;
  if (!now.empty() && now.back().uid > last) {
    const std::uint32_t from = read_only_ ? std::numeric_limits<std::uint32_t>::max() : hooks_.recent_from(folder_, true);
    for (const MessageInfo& m : now)
      if (m.uid > last) slots_.push_back(Slot{m.uid, m.flags, m.uid >= from});
    out.reply("* " + std::to_string(slots_.size()) + " EXISTS");
  }
  const std::size_t recent = static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.recent; }));
  if (recent != recent_told_) {
    out.reply("* " + std::to_string(recent) + " RECENT");
    recent_told_ = recent;
  }
}

void ServerSession::after_login(const Command& c, SessionOutput& out) {
  const std::string& n = c.name;
  auto missing = [&] { out.reply(c.tag + " BAD Error in IMAP command " + n + ": Missing arguments."); };
  if (n == "LOGIN" || n == "AUTHENTICATE") {
    out.reply(c.tag + " BAD Error in IMAP command " + n + ": Already logged in.");
    return;
  }
  if (n == "STARTTLS") {
    out.reply(c.tag + " BAD TLS is already active.");
    return;
  }
  if (n == "ENABLE") {
    out.reply("* ENABLED");
    ok(c.tag, "Enabled", out);
    return;
  }
  if (n == "NAMESPACE") {
    out.reply(std::string("* NAMESPACE ((\"\" \"") + kDelimiter + "\")) NIL NIL");
    ok(c.tag, "Namespace completed", out);
    return;
  }
  if (n == "SELECT" || n == "EXAMINE") return select(c, n == "EXAMINE", out);
  if (n == "LIST" || n == "LSUB") return list(c, n == "LSUB", out);
  if (n == "STATUS") return status(c, out);
  if (n == "APPEND") return append(c, out);
  if (n == "CREATE" || n == "DELETE" || n == "SUBSCRIBE" || n == "UNSUBSCRIBE") {
    if (c.args.size() != 1 || !c.args[0].is_astring()) return missing();
    std::string name = mailbox_name(c.args[0].text);
    while (!name.empty() && name.back() == kDelimiter) name.pop_back();  // "Work/" creates Work
    if (n == "SUBSCRIBE" || n == "UNSUBSCRIBE") {
      hooks_.subscribe(name, n == "SUBSCRIBE");
      ok(c.tag, n == "SUBSCRIBE" ? "Subscribe completed" : "Unsubscribe completed", out);
      return;
    }
    if (n == "DELETE" && state_ == State::Selected && name == folder_) {
      // Deleting the selected folder closes it first.
      out.reply("* OK [CLOSED] Previous mailbox closed.");
      state_ = State::Authenticated;
      folder_.clear();
      slots_.clear();
    }
    const std::string refused = n == "CREATE" ? hooks_.create(name) : hooks_.remove(name);
    if (!refused.empty()) {
      out.reply(c.tag + " NO " + refused);
      return;
    }
    sync(out);
    ok(c.tag, n == "CREATE" ? "Create completed" : "Delete completed", out);
    return;
  }
  if (n == "RENAME") {
    if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) return missing();
    const std::string refused = hooks_.rename(mailbox_name(c.args[0].text), mailbox_name(c.args[1].text));
    if (!refused.empty()) {
      out.reply(c.tag + " NO " + refused);
      return;
    }
    ok(c.tag, "Rename completed", out);
    return;
  }
  if (n == "IDLE") {
    idle_tag_ = c.tag;
    idle_since_ = now_;
    still_here_at_ = now_ + kIdleNotifyInterval;
    out.reply("+ idling");
    sync(out);
    return;
  }
  // The commands of the Selected state (RFC 3501 §6.4).
  static const char* const kSelectedOnly[] = {"CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH",
                                              "STORE", "COPY", "MOVE", "UID"};
  bool selected_only = false;
  for (const char* k : kSelectedOnly) selected_only = selected_only || n == k;
  if (!selected_only) {
    out.reply(c.tag + " BAD Error in IMAP command " + n + ": Unknown command.");
    return;
  }
  if (state_ != State::Selected) {
    out.reply(c.tag + " BAD No mailbox selected");
    return;
  }
  if (n == "CHECK") {
    sync(out);
    ok(c.tag, "Check completed", out);
    return;
  }
  if (n == "CLOSE" || n == "UNSELECT") {
    // CLOSE removes what is marked \Deleted, without telling (RFC 3501 §6.4.2); UNSELECT does not.
    if (n == "CLOSE" && !read_only_)
      for (const Slot& s : slots_)
        if (s.flags & kFlagDeleted) hooks_.expunge(folder_, s.uid);
    state_ = State::Authenticated;
    folder_.clear();
    slots_.clear();
    ok(c.tag, n == "CLOSE" ? "Close completed" : "Unselect completed", out);
    return;
  }
  if (n == "EXPUNGE") return expunge(c.tag, std::nullopt, out);
  if (n == "FETCH") return fetch(c, 0, false, out);
  if (n == "STORE") return store(c, 0, false, out);
  if (n == "COPY" || n == "MOVE") return copy(c, 0, false, n == "MOVE", out);
  if (n == "SEARCH") return search(c, 0, false, out);
  // UID FETCH / STORE / COPY / MOVE / SEARCH / EXPUNGE (RFC 3501 §6.4.8, RFC 4315 §2.1)
  if (c.args.empty() || c.args[0].kind != Value::Kind::Atom) return missing();
  const std::string sub = ascii_upper(c.args[0].text);
  if (sub == "FETCH") return fetch(c, 1, true, out);
  if (sub == "STORE") return store(c, 1, true, out);
  if (sub == "COPY" || sub == "MOVE") return copy(c, 1, true, sub == "MOVE", out);
  if (sub == "SEARCH") return search(c, 1, true, out);
  if (sub == "EXPUNGE") {
    if (c.args.size() != 2) return missing();
    const auto set = parse_sequence_set(c.args[1].text);
    if (!set || c.args[1].kind != Value::Kind::Atom) {
      out.reply(c.tag + " BAD Error in IMAP command UID EXPUNGE: Invalid uidset");
      return;
    }
    return expunge(c.tag, set, out);
  }
  out.reply(c.tag + " BAD Error in IMAP command UID: Unknown command " + sub);
}

}  // namespace postlab::imap
