#include "proto/pop3/server.h"

#include <algorithm>

#include "core/ascii.h"
#include "mail/encoding.h"

namespace postlab::pop3 {

namespace {

// RFC 1939 §3: a multi-line answer ends with a line holding a lone dot; a line of the message that
// begins with a dot gets another in front.
void send_stuffed(std::string_view text, SessionOutput& out) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(pos, next - pos);
    if (!line.empty() && line.front() == '.') out.send += '.';
    out.send += line;
    if (line.empty() || line.back() != '\n') out.send += "\r\n";  // the last line without an end gets one
    pos = next;
  }
  out.send += ".\r\n";
}

}  // namespace

ServerSession::ServerSession(ServerConfig config, ServerHooks& hooks) : config_(std::move(config)), hooks_(hooks) {}

// A session destroyed without on_closed() tells its hooks nothing: its host is going away with it
// (whose members the hooks may already have lost).
ServerSession::~ServerSession() = default;

void ServerSession::apply_seen() {
  std::vector<std::size_t> seen;
  for (std::size_t i = 0; i < retrieved_.size(); ++i)
    if (retrieved_[i]) seen.push_back(i);
  retrieved_.assign(retrieved_.size(), false);
  if (!seen.empty()) hooks_.update({}, seen);
}

SessionOutput ServerSession::on_connect(SimTime now) {
  now_ = last_input_ = now;
  SessionOutput out;
  out.reply("+OK " + config_.greeting);
  return out;
}

SessionOutput ServerSession::on_input(SimTime now, std::string_view bytes) {
  now_ = last_input_ = std::max(now_, now);
  SessionOutput out;
  framer_.feed(bytes);
  // While a failed login's answer is held back, what the client sends waits its turn.
  while (state_ != State::Closed && !delayed_until_) {
    const auto f = framer_.next();
    if (!f) break;
    if (sasl_ != Sasl::None) sasl_line(f->data, out);
    else line(f->data, out);
    if (out.start_tls) {
      framer_.discard_buffered();  // RFC 2595 §4: nothing sent before the handshake is kept
      break;
    }
  }
  return out;
}

SessionOutput ServerSession::on_closed() {
  SessionOutput out;
  // RFC 1939 §6: without QUIT there is no UPDATE state; every message stays.
  if (state_ != State::Closed) state_ = State::Closed;
  if (opened_) {
    opened_ = false;
    apply_seen();
    hooks_.release();
  }
  return out;
}

std::optional<SimTime> ServerSession::deadline() const {
  if (state_ == State::Closed) return std::nullopt;
  if (delayed_until_) return delayed_until_;
  return last_input_ + config_.idle_timeout;
}

SessionOutput ServerSession::on_timeout(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  if (state_ == State::Closed) return out;
  if (delayed_until_) {
    if (now_ < *delayed_until_) return out;
    delayed_until_.reset();
    out.reply(delayed_reply_);
    out.append(on_input(now_, {}));  // what the client pipelined meanwhile
    return out;
  }
  if (now_ < last_input_ + config_.idle_timeout) return out;
  out.reply("-ERR Disconnected for inactivity.");
  out.note("note.pop3.idle", {format_duration(config_.idle_timeout)});
  close(out);
  return out;
}

void ServerSession::close(SessionOutput& out) {
  out.close = true;
  state_ = State::Closed;
  if (opened_) {
    opened_ = false;
    apply_seen();
    hooks_.release();
  }
}

void ServerSession::line(std::string_view text, SessionOutput& out) {
  const auto space = text.find(' ');
  const std::string verb = ascii_upper(text.substr(0, space));
  const std::string_view args = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  const bool before_login = state_ == State::Authorization;
  const bool ok = before_login ? authorization(verb, args, out) : transaction(verb, args, out);
  if (ok || state_ == State::Closed) {
    bad_ = 0;
    return;
  }
  // Dovecot counts commands that failed in a row, and hangs up when there are too many.
  ++bad_;
  if (before_login && bad_ >= kMaxBadCommandsBeforeLogin) {
    out.reply("-ERR Too many invalid bad commands.");
    close(out);
  } else if (!before_login && bad_ > kMaxBadCommands) {
    out.reply("-ERR Too many bad commands.");
    close(out);
  }
}

void ServerSession::capa(SessionOutput& out) const {
  // RFC 2449 §5, in Dovecot's order; what only makes sense before a login goes once logged in.
  out.reply("+OK");
  out.reply("CAPA");
  out.reply("TOP");
  out.reply("UIDL");
  out.reply("RESP-CODES");
  out.reply("PIPELINING");
  out.reply("AUTH-RESP-CODE");
  if (state_ == State::Authorization) {
    if (config_.tls_available && !tls_) out.reply("STLS");
    if (config_.plaintext_auth || tls_) {
      out.reply("USER");
      out.reply("SASL PLAIN LOGIN");
    }
  }
  out.reply(".");
}

bool ServerSession::authorization(std::string_view verb, std::string_view args, SessionOutput& out) {
  const bool plaintext_ok = config_.plaintext_auth || tls_;
  if (verb == "CAPA") {
    capa(out);
    return true;
  }
  if (verb == "QUIT") {
    out.reply("+OK Logging out");  // Dovecot's login process says it without a full stop
    close(out);
    return true;
  }
  if (verb == "STLS") {
    if (!config_.tls_available) {
      out.reply("-ERR TLS support isn't enabled.");
      return false;
    }
    if (tls_) {
      out.reply("-ERR TLS is already active.");
      return false;
    }
    out.reply("+OK Begin TLS negotiation now.");
    out.note("note.pop3.tls_started");
    out.start_tls = true;
    tls_ = true;
    return true;
  }
  if (verb == "USER" && plaintext_ok) {
    user_ = std::string(args);
    has_user_ = true;
    out.reply("+OK");
    return true;
  }
  if (verb == "PASS" && plaintext_ok) {
    if (!has_user_) {
      out.reply("-ERR No username given.");
      return false;
    }
    out.note(tls_ ? "note.pop3.pass_in_tls" : "note.pop3.pass_in_clear", {std::string(args)});
    login(user_, std::string(args), out);
    return true;  // a failed login is not a bad command: it is answered late instead
  }
  if (verb == "AUTH" && plaintext_ok) {
    if (args.empty()) {
      // RFC 5034 §4 leaves a bare AUTH open; Dovecot lists its mechanisms.
      out.reply("+OK");
      out.reply("PLAIN");
      out.reply("LOGIN");
      out.reply(".");
      return true;
    }
    const auto sp = args.find(' ');
    const std::string mech = ascii_upper(args.substr(0, sp));
    const std::string_view initial = sp == std::string_view::npos ? std::string_view() : args.substr(sp + 1);
    if (mech == "PLAIN") {
      if (initial.empty()) {
        sasl_ = Sasl::PlainResponse;
        out.reply("+ ");
        return true;
      }
      sasl_ = Sasl::PlainResponse;
      sasl_line(initial, out);
      return true;
    }
    if (mech == "LOGIN") {
      sasl_ = Sasl::LoginUser;
      out.reply("+ " + base64_encode("Username:"));
      return true;
    }
    out.reply("-ERR [AUTH] Unsupported authentication mechanism.");
    return false;
  }
  if (verb == "USER" || verb == "PASS" || verb == "AUTH") {
    // disable_plaintext_auth = yes and no TLS yet: no password may travel in the clear.
    out.reply("-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
    return false;
  }
  out.reply("-ERR Unknown command.");
  return false;
}

void ServerSession::sasl_line(std::string_view text, SessionOutput& out) {
  const Sasl step = sasl_;
  sasl_ = Sasl::None;
  if (text == "*") {  // RFC 5034 §4: the client gives up
    out.reply("-ERR Authentication aborted by client.");
    return;
  }
  const auto decoded = base64_decode(text);
  if (!decoded) {
    out.reply("-ERR Invalid base64 data in continued response");
    return;
  }
  switch (step) {
    case Sasl::PlainResponse: {
      // RFC 4616: authzid NUL authcid NUL password.
      const auto first = decoded->find('\0');
      const auto second = first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
      if (second == std::string::npos) {
        out.reply("-ERR [AUTH] Authentication failed.");
        return;
      }
      const std::string user = decoded->substr(first + 1, second - first - 1);
      const std::string password = decoded->substr(second + 1);
      out.note("note.pop3.auth_plain", {std::string(text), user, password});
      login(user, password, out);
      return;
    }
    case Sasl::LoginUser:
      user_ = *decoded;
      sasl_ = Sasl::LoginPassword;
      out.reply("+ " + base64_encode("Password:"));
      return;
    case Sasl::LoginPassword:
      out.note("note.pop3.auth_login_password", {std::string(text), *decoded});
      login(user_, *decoded, out);
      return;
    case Sasl::None: break;
  }
}

bool ServerSession::login(const std::string& user, const std::string& password, SessionOutput& out) {
  if (!hooks_.authenticate(user, password)) {
    // Dovecot answers a failed login only after auth_failure_delay, to slow down guessing.
    delayed_until_ = now_ + kAuthFailureDelay;
    delayed_reply_ = "-ERR [AUTH] Authentication failed.";
    out.note("note.pop3.auth_failed", {format_duration(kAuthFailureDelay)});
    return false;
  }
  messages_.clear();
  if (auto refusal = hooks_.open(user, messages_)) {
    out.reply(*refusal);
    close(out);
    return false;
  }
  opened_ = true;
  user_ = user;
  deleted_.assign(messages_.size(), false);
  retrieved_.assign(messages_.size(), false);
  state_ = State::Transaction;
  out.reply("+OK Logged in.");
  return true;
}

std::optional<std::size_t> ServerSession::message_number(std::string_view& args, bool then_space, SessionOutput& out) {
  if (args.empty() || args.front() < '0' || args.front() > '9') {
    out.reply("-ERR Invalid message number: " + std::string(args));
    return std::nullopt;
  }
  std::size_t i = 0;
  unsigned long long n = 0;
  while (i < args.size() && args[i] >= '0' && args[i] <= '9') {
    if (n > 429496729ull) {  // beyond a 32-bit count: Dovecot's parser refuses it whole
      out.reply("-ERR Invalid message number: " + std::string(args));
      return std::nullopt;
    }
    n = n * 10 + static_cast<unsigned>(args[i] - '0');
    ++i;
  }
  if (n == 0 || n > messages_.size()) {
    out.reply("-ERR There's no message " + std::to_string(n) + ".");
    return std::nullopt;
  }
  if (deleted_[n - 1]) {
    out.reply("-ERR Message is deleted.");
    return std::nullopt;
  }
  args.remove_prefix(i);
  if (then_space ? (args.empty() || args.front() != ' ') : !args.empty()) {
    out.reply("-ERR Noise after message number: " + std::string(args));
    return std::nullopt;
  }
  if (then_space) args.remove_prefix(1);
  return static_cast<std::size_t>(n - 1);
}

bool ServerSession::transaction(std::string_view verb, std::string_view args, SessionOutput& out) {
  auto totals = [&] {
    std::size_t count = 0, size = 0;
    for (std::size_t i = 0; i < messages_.size(); ++i)
      if (!deleted_[i]) ++count, size += messages_[i].size;
    return std::pair{count, size};
  };
  if (verb == "STAT") {  // arguments are ignored, as Dovecot does
    const auto [count, size] = totals();
    out.reply("+OK " + std::to_string(count) + " " + std::to_string(size));
    return true;
  }
  if (verb == "LIST" || verb == "UIDL") {
    const bool list = verb == "LIST";
    auto value = [&](std::size_t i) { return list ? std::to_string(messages_[i].size) : messages_[i].uidl; };
    if (!args.empty()) {
      const auto n = message_number(args, false, out);
      if (!n) return false;
      out.reply("+OK " + std::to_string(*n + 1) + " " + value(*n));
      return true;
    }
    out.reply(list ? "+OK " + std::to_string(totals().first) + " messages:" : std::string("+OK"));
    for (std::size_t i = 0; i < messages_.size(); ++i)
      if (!deleted_[i]) out.reply(std::to_string(i + 1) + " " + value(i));
    out.reply(".");
    return true;
  }
  if (verb == "RETR") {
    const auto n = message_number(args, false, out);
    if (!n) return false;
    out.reply("+OK " + std::to_string(messages_[*n].size) + " octets");
    send_stuffed(hooks_.text(*n), out);
    if (!messages_[*n].seen) retrieved_[*n] = true;
    return true;
  }
  if (verb == "TOP") {
    const auto n = message_number(args, true, out);
    if (!n) return false;
    bool valid = !args.empty();
    for (char c : args) valid = valid && c >= '0' && c <= '9';
    if (!valid) {
      out.reply("-ERR Invalid size: " + std::string(args));
      return false;
    }
    std::size_t lines = 0;
    for (char c : args) lines = std::min<std::size_t>(lines * 10 + static_cast<std::size_t>(c - '0'), 1u << 30);
    // RFC 1939 §7: the header, the empty line, then that many lines of the body.
    const std::string text = hooks_.text(*n);
    const std::size_t blank = text.find("\r\n\r\n");
    std::size_t end = blank == std::string::npos ? text.size() : blank + 4;
    for (std::size_t k = 0; k < lines && end < text.size(); ++k) {
      const std::size_t nl = text.find('\n', end);
      end = nl == std::string::npos ? text.size() : nl + 1;
    }
    out.reply("+OK");
    send_stuffed(std::string_view(text).substr(0, end), out);
    return true;
  }
  if (verb == "DELE") {
    const auto n = message_number(args, false, out);
    if (!n) return false;
    deleted_[*n] = true;
    out.reply("+OK Marked to be deleted.");
    return true;
  }
  if (verb == "NOOP") {
    out.reply("+OK");
    return true;
  }
  if (verb == "RSET") {  // RFC 1939 §5: every message marked deleted is unmarked
    std::fill(deleted_.begin(), deleted_.end(), false);
    std::fill(retrieved_.begin(), retrieved_.end(), false);  // Dovecot forgets the \Seen to come, too
    out.reply("+OK");
    return true;
  }
  if (verb == "CAPA") {
    capa(out);
    return true;
  }
  if (verb == "QUIT") {
    // RFC 1939 §6: the UPDATE state. Only now do deletions happen.
    std::vector<std::size_t> gone, seen;
    for (std::size_t i = 0; i < deleted_.size(); ++i) {
      if (deleted_[i]) gone.push_back(i);
      else if (retrieved_[i]) seen.push_back(i);  // a message deleted gets no \Seen
    }
    retrieved_.assign(retrieved_.size(), false);
    if (!gone.empty() || !seen.empty()) hooks_.update(gone, seen);
    out.reply(gone.empty() ? "+OK Logging out." : "+OK Logging out, messages deleted.");
    if (!gone.empty()) out.note(gone.size() == 1 ? "note.pop3.update_one" : "note.pop3.update", {std::to_string(gone.size())});
    close(out);
    return true;
  }
  out.reply(verb.empty() ? std::string("-ERR Unknown command.") : "-ERR Unknown command: " + std::string(verb));
  return false;
}

}  // namespace postlab::pop3
