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
constexpr const char* kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
// Dovecot's auth_failure_delay.
constexpr Duration kAuthFailureDelay = 2 * kSecond;

std::string seconds(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(d / kSecond),
                static_cast<long long>(d % kSecond / kMillisecond));
  return buf;
}

// A UID set as UIDPLUS writes it: "1:3,7".
std::string uid_set(const std::vector<std::uint32_t>& uids) {
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(uids[i]) + (j > i ? ":" + std::to_string(uids[j]) : "");
    i = j + 1;
  }
  return out;
}

// '*' matches anything, '%' anything but the delimiter (RFC 3501 §6.3.8).
bool wildcard_match(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return name.empty();
  if (pattern[0] == '*' || pattern[0] == '%') {
    for (std::size_t k = 0; k <= name.size(); ++k) {
      if (wildcard_match(pattern.substr(1), name.substr(k))) return true;
      if (k < name.size() && pattern[0] == '%' && name[k] == kDelimiter) return false;
    }
    return false;
  }
  if (name.empty()) return false;
  // INBOX is case-insensitive (RFC 3501 §5.1); other names are as written.
  return pattern[0] == name[0] && wildcard_match(pattern.substr(1), name.substr(1));
}

// "inbox", "Inbox" name the INBOX (RFC 3501 §5.1).
std::string mailbox_name(const std::string& name) { return iequals(name, "INBOX") ? std::string("INBOX") : name; }

std::string_view header_of(std::string_view text) {
  const std::size_t blank = text.find("\r\n\r\n");
  return blank == std::string_view::npos ? text : text.substr(0, blank + 4);
}
std::string_view body_of(std::string_view text) {
  const std::size_t blank = text.find("\r\n\r\n");
  return blank == std::string_view::npos ? std::string_view() : text.substr(blank + 4);
}

// The header lines whose names are (or, with `negate`, are not) in the list, then the empty line.
std::string header_fields(std::string_view header, const std::vector<std::string>& names, bool negate) {
  std::string out;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = pos;
    // one field: its line and the folded lines after it
    do {
      const std::size_t nl = header.find("\r\n", end);
      end = nl == std::string_view::npos ? header.size() : nl + 2;
    } while (end < header.size() && (header[end] == ' ' || header[end] == '\t'));
    const std::string_view field = header.substr(pos, end - pos);
    pos = end;
    if (field == "\r\n") break;
    const std::string_view name = field.substr(0, field.find(':'));
    bool listed = false;
    for (const auto& n : names) listed = listed || iequals(n, name);
    if (listed != negate) out += field;
  }
  return out + "\r\n";
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// BODYSTRUCTURE (RFC 3501 §7.4.2) of a parsed part, with the extension data Dovecot gives.
std::string body_structure(const MimePart& p) {
  const std::size_t slash = p.content_type.find('/');
  const std::string type = p.content_type.substr(0, slash);
  const std::string subtype = slash == std::string::npos ? "" : p.content_type.substr(slash + 1);
  auto params = [&](bool skip_boundary) {
    std::string out;
    for (const auto& [k, v] : p.params) {
      if (skip_boundary != (k == "boundary")) continue;
      out += (out.empty() ? "" : " ") + quoted(k) + " " + quoted(v);
    }
    return out.empty() ? std::string("NIL") : "(" + out + ")";
  };
  if (p.multipart()) {
    std::string out = "(";
    for (const MimePart& c : p.children) out += body_structure(c);
    return out + " " + quoted(subtype) + " " + params(false) + " NIL NIL NIL)";
  }
  std::string out = "(" + quoted(type) + " " + quoted(subtype) + " " + params(true) + " NIL NIL " + quoted(p.encoding) +
                    " " + std::to_string(p.encoded.size());
  if (type == "text") out += " " + std::to_string(std::count(p.encoded.begin(), p.encoded.end(), '\n'));
  out += " NIL ";
  if (!p.disposition.empty())
    out += "(" + quoted(p.disposition) + (p.filename.empty() ? " NIL" : " (\"filename\" " + quoted(p.filename) + ")") + ")";
  else
    out += "NIL";
  return out + " NIL NIL)";
}

// "1-Feb-1994" (RFC 3501 date) as days since 1970, or nullopt.
std::optional<std::int64_t> search_date(std::string_view text) {
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::size_t a = text.find('-'), b = text.rfind('-');
  if (a == std::string_view::npos || b == a || b - a != 4) return std::nullopt;
  int d = 0, y = 0, m = 0;
  for (char c : text.substr(0, a)) {
    if (c < '0' || c > '9' || d > 31) return std::nullopt;
    d = d * 10 + (c - '0');
  }
  for (char c : text.substr(b + 1)) {
    if (c < '0' || c > '9' || y > 9999) return std::nullopt;
    y = y * 10 + (c - '0');
  }
  const std::string mon = lower(std::string(text.substr(a + 1, 3)));
  for (int k = 0; k < 12; ++k)
    if (mon == kMonths[k]) m = k + 1;
  if (m == 0 || d == 0 || text.substr(b + 1).size() != 4) return std::nullopt;
  // days from civil (proleptic Gregorian)
  const int yy = y - (m <= 2);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  const std::string h = lower(std::string(hay)), n = lower(std::string(needle));
  return h.find(n) != std::string::npos;
}

}  // namespace

ServerSession::ServerSession(ServerConfig config, ServerHooks& hooks) : config_(std::move(config)), hooks_(hooks) {}

ServerSession::~ServerSession() {
  if (state_ == State::Authenticated || state_ == State::Selected) hooks_.release();
}

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
      if (f->last) {
        in_literal_ = false;
        framer_.set_max_line(kLineLimit);
      }
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
          in_literal_ = true;
          pending_ = "\x01";  // marks the octets as the rest of a refused command
        }
        continue;
      }
      pending_.append(line);
      pending_.append("\r\n");
      if (!lit->non_sync) out.reply("+ OK");
      framer_.expect_octets(lit->size);
      in_literal_ = lit->size > 0;
      continue;
    }
    pending_.append(line);
    std::string text = std::move(pending_);
    pending_.clear();
    if (text.size() >= 1 && text[0] == '\x01') continue;  // the rest of a refused command
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
    out.note("note.imap.login_in_clear", {c.args[0].text, c.args[1].text});
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
  auto find = [&](std::uint32_t uid) -> const MessageInfo* {
    auto it = std::lower_bound(now.begin(), now.end(), uid, [](const MessageInfo& m, std::uint32_t u) { return m.uid < u; });
    return it != now.end() && it->uid == uid ? &*it : nullptr;
  };
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

void ServerSession::select(const Command& c, bool read_only, SessionOutput& out) {
  if (c.args.size() != 1 || !c.args[0].is_astring()) {
    out.reply(c.tag + " BAD Error in IMAP command " + c.name + ": Missing arguments.");
    return;
  }
  const std::string name = mailbox_name(c.args[0].text);
  if (state_ == State::Selected) {
    out.reply("* OK [CLOSED] Previous mailbox closed.");
    state_ = State::Authenticated;
    folder_.clear();
    slots_.clear();
  }
  const auto st = hooks_.folder(name);
  if (!st) {
    out.reply(c.tag + " NO Mailbox doesn't exist: " + name);
    return;
  }
  state_ = State::Selected;
  folder_ = name;
  read_only_ = read_only;
  const std::uint32_t from = read_only ? std::numeric_limits<std::uint32_t>::max() : hooks_.recent_from(name, true);
  slots_.clear();
  std::size_t first_unseen = 0;
  for (const MessageInfo& m : st->messages) {
    slots_.push_back(Slot{m.uid, m.flags, m.uid >= from});
    if (!first_unseen && !(m.flags & kFlagSeen)) first_unseen = slots_.size();
  }
  recent_told_ = static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.recent; }));
  out.reply(std::string("* FLAGS (") + kSystemFlags + ")");
  // Keywords are not kept here, so \* (new keywords allowed) is not offered.
  out.reply(read_only ? "* OK [PERMANENTFLAGS ()] Read-only mailbox."
                      : std::string("* OK [PERMANENTFLAGS (") + kSystemFlags + ")] Flags permitted.");
  out.reply("* " + std::to_string(slots_.size()) + " EXISTS");
  out.reply("* " + std::to_string(recent_told_) + " RECENT");
  if (first_unseen && !read_only) out.reply("* OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen.");
  out.reply("* OK [UIDVALIDITY " + std::to_string(st->uidvalidity) + "] UIDs valid");
  out.reply("* OK [UIDNEXT " + std::to_string(st->uidnext) + "] Predicted next UID");
  ok(c.tag, read_only ? "[READ-ONLY] Examine completed" : "[READ-WRITE] Select completed", out);
}

void ServerSession::list(const Command& c, bool lsub, SessionOutput& out) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) {
    out.reply(c.tag + " BAD Error in IMAP command " + c.name + ": Missing arguments.");
    return;
  }
  const std::string pattern = c.args[0].text + c.args[1].text;
  const std::string verb = lsub ? "LSUB" : "LIST";
  if (!lsub && c.args[1].text.empty()) {
    // RFC 3501 §6.3.8: an empty pattern asks for the delimiter.
    out.reply(std::string("* LIST (\\Noselect) \"") + kDelimiter + "\" \"\"");
    ok(c.tag, "List completed", out);
    return;
  }
  const std::vector<FolderInfo> all = hooks_.folders();
  for (const FolderInfo& f : all) {
    if (lsub && !f.subscribed) continue;
    const bool match = f.name == "INBOX" ? wildcard_match(ascii_upper(pattern.substr(0, 5)) + pattern.substr(std::min<std::size_t>(5, pattern.size())), f.name) || wildcard_match(pattern, f.name)
                                         : wildcard_match(pattern, f.name);
    if (!match) continue;
    std::string attrs;
    if (!lsub) {
      bool children = false;
      for (const FolderInfo& g : all) children = children || g.name.rfind(f.name + kDelimiter, 0) == 0;
      attrs = children ? "\\HasChildren" : "\\HasNoChildren";
    }
    out.reply("* " + verb + " (" + attrs + ") \"" + kDelimiter + "\" " + astring(f.name));
  }
  ok(c.tag, lsub ? "Lsub completed" : "List completed", out);
}

void ServerSession::status(const Command& c, SessionOutput& out) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || c.args[1].kind != Value::Kind::List) {
    out.reply(c.tag + " BAD Error in IMAP command STATUS: Missing arguments.");
    return;
  }
  const std::string name = mailbox_name(c.args[0].text);
  const auto st = hooks_.folder(name);
  if (!st) {
    out.reply(c.tag + " NO Mailbox doesn't exist: " + name);
    return;
  }
  const std::uint32_t from = hooks_.recent_from(name, false);
  std::string items;
  for (const Value& v : c.args[1].items) {
    const std::string item = ascii_upper(v.text);
    std::size_t value = 0;
    if (item == "MESSAGES") value = st->messages.size();
    else if (item == "RECENT")
      value = state_ == State::Selected && name == folder_
                  ? static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.recent; }))
                  : static_cast<std::size_t>(std::count_if(st->messages.begin(), st->messages.end(),
                                                           [from](const MessageInfo& m) { return m.uid >= from; }));
    else if (item == "UIDNEXT") value = st->uidnext;
    else if (item == "UIDVALIDITY") value = st->uidvalidity;
    else if (item == "UNSEEN")
      value = static_cast<std::size_t>(std::count_if(st->messages.begin(), st->messages.end(),
                                                     [](const MessageInfo& m) { return !(m.flags & kFlagSeen); }));
    else {
      out.reply(c.tag + " BAD Error in IMAP command STATUS: Invalid status item " + item);
      return;
    }
    items += (items.empty() ? "" : " ") + item + " " + std::to_string(value);
  }
  out.reply("* STATUS " + astring(name) + " (" + items + ")");
  // Dovecot reminds a client that asks STATUS of the folder it has selected that it need not.
  ok(c.tag, state_ == State::Selected && name == folder_ ? "[CLIENTBUG] Status on selected mailbox completed" : "Status completed",
     out);
}

void ServerSession::append(const Command& c, SessionOutput& out) {
  // APPEND mailbox [flags] [date-time] literal (RFC 3501 §6.3.11)
  if (c.args.size() < 2 || c.args.size() > 4 || !c.args[0].is_astring() || c.args.back().kind != Value::Kind::String) {
    out.reply(c.tag + " BAD Error in IMAP command APPEND: Invalid arguments.");
    return;
  }
  std::uint8_t flags = 0;
  if (c.args.size() >= 3 && c.args[1].kind == Value::Kind::List) {
    const auto f = flag_list(c.args[1]);
    if (!f) {
      out.reply(c.tag + " BAD Error in IMAP command APPEND: Invalid system flag");
      return;
    }
    flags = *f;
  }
  const std::string name = mailbox_name(c.args[0].text);
  const auto st = hooks_.folder(name);
  if (!st) {
    out.reply(c.tag + " NO [TRYCREATE] Mailbox doesn't exist: " + name);
    return;
  }
  const std::uint32_t uid = hooks_.append(name, to_crlf(c.args.back().text), flags);
  sync(out);
  ok(c.tag, "[APPENDUID " + std::to_string(st->uidvalidity) + " " + std::to_string(uid) + "] Append completed", out);
}

std::optional<std::vector<std::size_t>> ServerSession::messages(const Value& set, bool by_uid, const std::string& tag,
                                                                const std::string& name, SessionOutput& out) const {
  const auto s = set.kind == Value::Kind::Atom ? parse_sequence_set(set.text) : std::nullopt;
  if (!s) {
    out.reply(tag + " BAD Error in IMAP command " + name + ": Invalid " + (by_uid ? "uidset" : "messageset"));
    return std::nullopt;
  }
  std::vector<std::size_t> idx;
  if (by_uid) {
    const std::uint32_t largest = slots_.empty() ? 0 : slots_.back().uid;
    for (std::size_t i = 0; i < slots_.size() && idx.size() < kMaxResponses; ++i)
      if (s->contains(slots_[i].uid, largest)) idx.push_back(i);
    return idx;
  }
  // A sequence number beyond the last message is an error (RFC 3501 §9: "*" aside).
  for (const auto& r : s->ranges)
    for (std::uint32_t v : {r.lo, r.hi})
      if (v != kStar && v > slots_.size()) {
        out.reply(tag + " BAD Error in IMAP command " + name + ": Invalid messageset");
        return std::nullopt;
      }
  const auto largest = static_cast<std::uint32_t>(slots_.size());
  for (std::size_t i = 0; i < slots_.size() && idx.size() < kMaxResponses; ++i)
    if (s->contains(static_cast<std::uint32_t>(i + 1), largest)) idx.push_back(i);
  return idx;
}

void ServerSession::fetch(const Command& c, std::size_t first, bool by_uid, SessionOutput& out) {
  const std::string name = by_uid ? "UID FETCH" : "FETCH";
  if (c.args.size() != first + 2) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing arguments.");
    return;
  }
  const auto idx = messages(c.args[first], by_uid, c.tag, name, out);
  if (!idx) return;
  // The attributes asked for, macros spelled out (RFC 3501 §6.4.5).
  std::vector<std::string> items;
  const Value& what = c.args[first + 1];
  if (what.kind == Value::Kind::List) {
    for (const Value& v : what.items) items.push_back(v.text);
  } else {
    const std::string m = ascii_upper(what.text);
    if (m == "ALL") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"};
    else if (m == "FAST") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE"};
    else if (m == "FULL") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"};
    else items = {what.text};
  }
  struct Item {
    std::string name;     // as the response names it
    std::string key;      // FLAGS, UID, ... or BODY for sections
    std::string section;  // BODY[section]
    bool peek = false;
    std::optional<std::pair<std::size_t, std::size_t>> partial;
  };
  std::vector<Item> parsed;
  bool sets_seen = false;
  for (const std::string& raw : items) {
    Item it;
    const std::string up = ascii_upper(raw);
    const std::size_t br = up.find('[');
    it.key = up.substr(0, br);
    if (br != std::string::npos) {
      const std::size_t close = up.find(']', br);
      it.section = raw.substr(br + 1, close - br - 1);
      const std::string rest = raw.substr(close + 1);
      if (!rest.empty()) {  // <offset.count>
        std::size_t o = 0, n = 0, i = 1;
        bool dot = false, good = rest.front() == '<' && rest.back() == '>';
        for (; good && i + 1 < rest.size(); ++i) {
          const char ch = rest[i];
          if (ch == '.' && !dot) dot = true;
          else if (ch >= '0' && ch <= '9') (dot ? n : o) = std::min<std::size_t>((dot ? n : o) * 10 + static_cast<std::size_t>(ch - '0'), 1u << 30);
          else good = false;
        }
        if (!good || !dot) {
          out.reply(c.tag + " BAD Error in IMAP command " + name + ": Invalid partial");
          return;
        }
        it.partial = std::make_pair(o, n);
      }
      if (it.key != "BODY" && it.key != "BODY.PEEK") {
        out.reply(c.tag + " BAD Error in IMAP command " + name + ": Unknown parameter " + raw);
        return;
      }
      it.peek = it.key == "BODY.PEEK";
      it.key = "BODY";
      it.name = "BODY[" + it.section + "]" + (it.partial ? "<" + std::to_string(it.partial->first) + ">" : "");
      if (!it.peek) sets_seen = true;
    } else {
      static const char* const kKnown[] = {"FLAGS", "UID", "RFC822.SIZE", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE",
                                           "BODY", "RFC822", "RFC822.HEADER", "RFC822.TEXT"};
      bool known = false;
      for (const char* k : kKnown) known = known || up == k;
      if (!known) {
        out.reply(c.tag + " BAD Error in IMAP command " + name + ": Unknown parameter " + raw);
        return;
      }
      it.name = up;
      if (up == "RFC822" || up == "RFC822.TEXT") sets_seen = true;
    }
    parsed.push_back(std::move(it));
  }
  const auto st = hooks_.folder(folder_);
  auto info_of = [&](std::uint32_t uid) -> const MessageInfo* {
    if (!st) return nullptr;
    auto it = std::lower_bound(st->messages.begin(), st->messages.end(), uid,
                               [](const MessageInfo& m, std::uint32_t u) { return m.uid < u; });
    return it != st->messages.end() && it->uid == uid ? &*it : nullptr;
  };
  for (std::size_t i : *idx) {
    Slot& s = slots_[i];
    const MessageInfo* info = info_of(s.uid);
    // Dovecot answers with the flags as they are now, and still tells the change afterwards (the
    // client's view is brought up to date at the end of the command).
    Slot shown = s;
    if (info) shown.flags = info->flags;
    std::string text;  // fetched once per message, when some item needs it
    auto message = [&]() -> const std::string& {
      if (text.empty()) text = hooks_.text(folder_, s.uid);
      return text;
    };
    bool flags_changed = false;
    if (sets_seen && !read_only_ && !(shown.flags & kFlagSeen)) {  // RFC 3501 §6.4.5: BODY[...] sets \Seen
      shown.flags |= kFlagSeen;
      s.flags = shown.flags;
      hooks_.set_flags(folder_, s.uid, s.flags);
      flags_changed = true;
    }
    std::string resp = "* " + std::to_string(i + 1) + " FETCH (";
    bool any = false;
    auto add = [&](const std::string& piece) {
      resp += (any ? " " : "") + piece;
      any = true;
    };
    bool said_uid = false, said_flags = false;
    if (by_uid) {
      add("UID " + std::to_string(s.uid));
      said_uid = true;
    }
    bool flags_asked = false;
    for (const Item& it : parsed) flags_asked = flags_asked || it.key == "FLAGS";
    if (flags_changed && !flags_asked) {
      add("FLAGS " + flags_of(shown));
      said_flags = true;
    }
    for (const Item& it : parsed) {
      if (it.key == "UID") {
        if (!said_uid) add("UID " + std::to_string(s.uid));
        said_uid = true;
      } else if (it.key == "FLAGS") {
        if (!said_flags) add("FLAGS " + flags_of(shown));
        said_flags = true;
      } else if (it.key == "RFC822.SIZE") {
        add("RFC822.SIZE " + std::to_string(info ? info->size : message().size()));
      } else if (it.key == "INTERNALDATE") {
        add("INTERNALDATE \"" + internal_date(info ? info->internal_date : 0) + "\"");
      } else if (it.key == "ENVELOPE") {
        add("ENVELOPE " + envelope(header_of(message())));
      } else if (it.key == "BODYSTRUCTURE" || (it.key == "BODY" && it.section.empty() && it.name == "BODY")) {
        add(it.key + " " + body_structure(parse_mime(message())));
      } else {
        std::string_view whole = message();
        std::string content;
        std::string label = it.name;
        if (it.key == "RFC822") content = std::string(whole);
        else if (it.key == "RFC822.HEADER") content = std::string(header_of(whole));
        else if (it.key == "RFC822.TEXT") content = std::string(body_of(whole));
        else {
          const std::string sec = ascii_upper(it.section);
          if (sec.empty()) content = std::string(whole);
          else if (sec == "HEADER") content = std::string(header_of(whole));
          else if (sec == "TEXT") content = std::string(body_of(whole));
          else if (sec.rfind("HEADER.FIELDS", 0) == 0) {
            const Parsed p = parse_command("x F " + it.section.substr(it.section.find('(') == std::string::npos ? it.section.size() : it.section.find('(')));
            std::vector<std::string> names;
            if (p.command && !p.command->args.empty())
              for (const Value& v : p.command->args[0].items) names.push_back(v.text);
            content = header_fields(header_of(whole), names, sec.rfind("HEADER.FIELDS.NOT", 0) == 0);
          } else {
            // A part number: "1", "2.1" (RFC 3501 §6.4.5), read from the MIME tree.
            const MimePart root = parse_mime(whole);
            const MimePart* part = &root;
            std::size_t pos = 0;
            bool found = true;
            while (pos < sec.size() && found) {
              const std::size_t dot = std::min(sec.find('.', pos), sec.size());
              std::size_t k = 0;
              for (char ch : sec.substr(pos, dot - pos)) k = ch >= '0' && ch <= '9' ? k * 10 + static_cast<std::size_t>(ch - '0') : 1u << 30;
              if (part->multipart()) found = k >= 1 && k <= part->children.size() && (part = &part->children[k - 1]);
              else found = k == 1;
              pos = dot + 1;
            }
            if (found) content = part->multipart() ? serialize_mime(*part) : part->encoded;
          }
        }
        if (it.partial) {
          const std::size_t o = std::min(it.partial->first, content.size());
          content = content.substr(o, it.partial->second);
        }
        add(label + " {" + std::to_string(content.size()) + "}\r\n" + content);
      }
    }
    out.reply(resp + ")");
  }
  sync(out, by_uid, by_uid);  // no EXPUNGE news during FETCH (RFC 3501 §7.4.1)
  ok(c.tag, "Fetch completed", out);
}

void ServerSession::store(const Command& c, std::size_t first, bool by_uid, SessionOutput& out) {
  const std::string name = by_uid ? "UID STORE" : "STORE";
  if (c.args.size() != first + 3) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing arguments.");
    return;
  }
  const auto idx = messages(c.args[first], by_uid, c.tag, name, out);
  if (!idx) return;
  std::string item = ascii_upper(c.args[first + 1].text);
  const bool silent = item.size() > 7 && item.substr(item.size() - 7) == ".SILENT";
  if (silent) item.resize(item.size() - 7);
  const int op = item == "FLAGS" ? 0 : item == "+FLAGS" ? 1 : item == "-FLAGS" ? -1 : 2;
  const auto flags = flag_list(c.args[first + 2]);
  if (op == 2 || c.args[first + 1].kind != Value::Kind::Atom) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Invalid arguments.");
    return;
  }
  if (!flags) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Invalid system flag");
    return;
  }
  if (read_only_) {
    out.reply(c.tag + " NO Mailbox is read-only.");
    return;
  }
  for (std::size_t i : *idx) {
    Slot& s = slots_[i];
    const std::uint8_t now = op == 0 ? *flags : op == 1 ? static_cast<std::uint8_t>(s.flags | *flags)
                                                      : static_cast<std::uint8_t>(s.flags & ~*flags);
    if (now == s.flags) continue;  // Dovecot tells only the messages whose flags changed
    s.flags = now;
    hooks_.set_flags(folder_, s.uid, now);
    if (!silent)
      out.reply("* " + std::to_string(i + 1) + " FETCH (" + (by_uid ? "UID " + std::to_string(s.uid) + " " : "") +
                "FLAGS " + flags_of(s) + ")");
  }
  sync(out, by_uid, by_uid);
  ok(c.tag, "Store completed", out);
}

void ServerSession::copy(const Command& c, std::size_t first, bool by_uid, bool move, SessionOutput& out) {
  const std::string name = std::string(by_uid ? "UID " : "") + (move ? "MOVE" : "COPY");
  if (c.args.size() != first + 2 || !c.args[first + 1].is_astring()) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing arguments.");
    return;
  }
  const auto idx = messages(c.args[first], by_uid, c.tag, name, out);
  if (!idx) return;
  const std::string to = mailbox_name(c.args[first + 1].text);
  const auto dest = hooks_.folder(to);
  if (!dest) {
    out.reply(c.tag + " NO [TRYCREATE] Mailbox doesn't exist: " + to);
    return;
  }
  if (move && read_only_) {
    out.reply(c.tag + " NO Mailbox is read-only.");
    return;
  }
  std::vector<std::uint32_t> from_uids, to_uids;
  for (std::size_t i : *idx) {
    from_uids.push_back(slots_[i].uid);
    to_uids.push_back(hooks_.copy(folder_, slots_[i].uid, to, move));
  }
  const std::string copyuid = from_uids.empty() ? std::string()
                                                : "[COPYUID " + std::to_string(dest->uidvalidity) + " " + uid_set(from_uids) +
                                                      " " + uid_set(to_uids) + "] ";
  if (move) {
    // RFC 6851 §4.3: the COPYUID goes in an untagged OK before the EXPUNGEs.
    if (!copyuid.empty()) out.reply("* OK " + copyuid + "Moved UIDs.");
    sync(out);
    ok(c.tag, "Move completed", out);
    return;
  }
  sync(out, by_uid, by_uid);
  ok(c.tag, copyuid + "Copy completed", out);
}

void ServerSession::expunge(const std::string& tag, const std::optional<SequenceSet>& uids, SessionOutput& out) {
  if (read_only_) {
    out.reply(tag + " NO Mailbox is read-only.");
    return;
  }
  const std::uint32_t largest = slots_.empty() ? 0 : slots_.back().uid;
  for (const Slot& s : slots_)
    if ((s.flags & kFlagDeleted) && (!uids || uids->contains(s.uid, largest))) hooks_.expunge(folder_, s.uid);
  sync(out);
  ok(tag, "Expunge completed", out);
}

void ServerSession::search(const Command& c, std::size_t first, bool by_uid, SessionOutput& out) {
  const std::string name = by_uid ? "UID SEARCH" : "SEARCH";
  std::vector<Value> keys(c.args.begin() + static_cast<std::ptrdiff_t>(first), c.args.end());
  if (keys.size() >= 2 && keys[0].is_atom("CHARSET")) keys.erase(keys.begin(), keys.begin() + 2);
  if (keys.empty()) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing search parameters");
    return;
  }
  const auto st = hooks_.folder(folder_);
  std::string error;
  // Evaluates the key at keys[k] (advancing k) for the message in slot i.
  std::function<bool(const std::vector<Value>&, std::size_t&, std::size_t)> key;
  key = [&](const std::vector<Value>& ks, std::size_t& k, std::size_t i) -> bool {
    if (k >= ks.size()) {
      error = "Missing search parameters";
      return false;
    }
    const Value& v = ks[k++];
    const Slot& s = slots_[i];
    if (v.kind == Value::Kind::List) {
      bool all = true;
      for (std::size_t j = 0; j < v.items.size() && error.empty();) all = key(v.items, j, i) && all;
      return all;
    }
    const std::string w = ascii_upper(v.text);
    auto arg = [&]() -> std::string {
      if (k >= ks.size()) {
        error = "Missing search parameters";
        return {};
      }
      return ks[k++].text;
    };
    auto text = [&]() { return hooks_.text(folder_, s.uid); };
    const MessageInfo* info = nullptr;
    if (st)
      for (const MessageInfo& m : st->messages)
        if (m.uid == s.uid) info = &m;
    if (w == "ALL") return true;
    if (w == "SEEN") return s.flags & kFlagSeen;
    if (w == "UNSEEN") return !(s.flags & kFlagSeen);
    if (w == "DELETED") return s.flags & kFlagDeleted;
    if (w == "UNDELETED") return !(s.flags & kFlagDeleted);
    if (w == "FLAGGED") return s.flags & kFlagFlagged;
    if (w == "UNFLAGGED") return !(s.flags & kFlagFlagged);
    if (w == "ANSWERED") return s.flags & kFlagAnswered;
    if (w == "UNANSWERED") return !(s.flags & kFlagAnswered);
    if (w == "DRAFT") return s.flags & kFlagDraft;
    if (w == "UNDRAFT") return !(s.flags & kFlagDraft);
    if (w == "RECENT") return s.recent;
    if (w == "OLD") return !s.recent;
    if (w == "NEW") return s.recent && !(s.flags & kFlagSeen);
    if (w == "NOT") return !key(ks, k, i);
    if (w == "OR") {
      const bool a = key(ks, k, i);
      const bool b = key(ks, k, i);
      return a || b;
    }
    if (w == "FROM" || w == "TO" || w == "CC" || w == "BCC" || w == "SUBJECT") {
      const std::string needle = arg();
      const Message m = Message::parse(std::string(header_of(text())));
      return contains_ci(m.get(w == "SUBJECT" ? "Subject" : w == "FROM" ? "From" : w == "TO" ? "To" : w == "CC" ? "Cc" : "Bcc"), needle);
    }
    if (w == "HEADER") {
      const std::string field = arg();
      const std::string needle = arg();
      const Message m = Message::parse(std::string(header_of(text())));
      return m.has(field) && contains_ci(m.get(field), needle);
    }
    if (w == "BODY") return contains_ci(body_of(text()), arg());
    if (w == "TEXT") return contains_ci(text(), arg());
    if (w == "SINCE" || w == "BEFORE" || w == "ON") {
      const auto day = search_date(arg());
      if (!day) {
        error = "Invalid search date parameter";
        return false;
      }
      std::int64_t t = info ? info->internal_date : 0;
      std::int64_t d = t / 86400 - (t % 86400 < 0);
      return w == "SINCE" ? d >= *day : w == "BEFORE" ? d < *day : d == *day;
    }
    if (w == "LARGER" || w == "SMALLER") {
      const std::string n = arg();
      std::size_t size = 0;
      for (char ch : n) size = ch >= '0' && ch <= '9' ? std::min<std::size_t>(size * 10 + static_cast<std::size_t>(ch - '0'), 1ull << 40) : size;
      const std::size_t have = info ? info->size : 0;
      return w == "LARGER" ? have > size : have < size;
    }
    if (w == "UID") {
      const auto set = parse_sequence_set(arg());
      if (!set) {
        error = "Invalid uidset";
        return false;
      }
      return set->contains(s.uid, slots_.empty() ? 0 : slots_.back().uid);
    }
    if (const auto set = parse_sequence_set(v.text))
      return set->contains(static_cast<std::uint32_t>(i + 1), static_cast<std::uint32_t>(slots_.size()));
    error = "Unknown argument " + w;
    return false;
  };
  std::string found;
  std::size_t count = 0;
  for (std::size_t i = 0; i < slots_.size() && error.empty() && count < kMaxResponses; ++i) {
    bool all = true;
    for (std::size_t k = 0; k < keys.size() && error.empty();) all = key(keys, k, i) && all;
    if (all && error.empty()) {
      found += " " + std::to_string(by_uid ? slots_[i].uid : static_cast<std::uint32_t>(i + 1));
      ++count;
    }
  }
  if (!error.empty()) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": " + error);
    return;
  }
  out.reply("* SEARCH" + found);
  sync(out, by_uid, by_uid);
  ok(c.tag, "Search completed", out);
}

}  // namespace postlab::imap
