#include "proto/smtp/client.h"

#include <algorithm>

#include "mail/encoding.h"
#include "mail/message.h"
#include "proto/smtp/limits.h"

namespace postlab::smtp {

const char* to_string(RcptStatus s) {
  switch (s) {
    case RcptStatus::Pending: return "pending";
    case RcptStatus::Delivered: return "delivered";
    case RcptStatus::TempFail: return "deferred";
    case RcptStatus::PermFail: return "failed";
  }
  return "?";
}

const char* to_string(ClientState s) {
  switch (s) {
    case ClientState::Greeting: return "waiting for the server greeting";
    case ClientState::Ehlo: return "sending EHLO";
    case ClientState::Helo: return "sending HELO";
    case ClientState::StartTls: return "sending STARTTLS";
    case ClientState::Auth: return "logging in (AUTH)";
    case ClientState::AuthLoginUser: return "sending the user name (AUTH LOGIN)";
    case ClientState::AuthLoginPassword: return "sending the password (AUTH LOGIN)";
    case ClientState::Mail: return "sending MAIL FROM";
    case ClientState::Rcpt: return "sending RCPT TO";
    case ClientState::Data: return "sending DATA";
    case ClientState::Body: return "sending the message text";
    case ClientState::Bdat: return "sending the message with BDAT";
    case ClientState::Quit: return "sending QUIT";
    case ClientState::Done: return "done";
  }
  return "?";
}

// The translation key of a state, for notes a student reads in their own language.
const char* state_key(ClientState s) {
  switch (s) {
    case ClientState::Greeting: return "greeting";
    case ClientState::Ehlo: return "ehlo";
    case ClientState::Helo: return "helo";
    case ClientState::StartTls: return "starttls";
    case ClientState::Auth: return "auth";
    case ClientState::AuthLoginUser: return "auth_login_user";
    case ClientState::AuthLoginPassword: return "auth_login_password";
    case ClientState::Mail: return "mail";
    case ClientState::Rcpt: return "rcpt";
    case ClientState::Data: return "data";
    case ClientState::Body:
    case ClientState::Bdat: return "body";
    case ClientState::Quit:
    case ClientState::Done: break;
  }
  return "body";
}

ClientSession::ClientSession(ClientJob job) : job_(std::move(job)) {
  for (const auto& r : job_.rcpts) outcomes_.push_back({r, RcptStatus::Pending, {}});
}

std::string ClientSession::stuff(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 8);
  bool line_start = true;
  for (char c : data) {
    if (line_start && c == '.') out += '.';  // RFC 5321 §4.5.2 transparency
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && !line_start) out += "\r\n";  // the end marker must start a line
  out += ".\r\n";
  return out;
}

namespace {
// What Postfix's smtp(8) says it was doing when a wait ran out (smtp_proto.c), after "timed out while".
const char* timeout_phrase(ClientState s) {
  switch (s) {
    case ClientState::Greeting: return "receiving the initial server greeting";
    case ClientState::Ehlo: return "performing the EHLO handshake";
    case ClientState::Helo: return "performing the HELO handshake";
    case ClientState::StartTls: return "receiving the STARTTLS response";
    case ClientState::Auth:
    case ClientState::AuthLoginUser:
    case ClientState::AuthLoginPassword: return "performing the AUTH handshake";
    case ClientState::Mail: return "sending MAIL FROM";
    case ClientState::Rcpt: return "sending RCPT TO";
    case ClientState::Data: return "sending DATA command";
    case ClientState::Body:
    case ClientState::Bdat: return "sending end of data -- message may be sent more than once";
    case ClientState::Quit:
    case ClientState::Done: break;
  }
  return "sending QUIT";
}
}  // namespace

void ClientSession::start(SimTime now) { now_ = waiting_since_ = std::max(now_, now); }

Duration ClientSession::wait_for(ClientState s) const {
  const ClientTimeouts& t = job_.timeouts;
  switch (s) {
    case ClientState::Greeting:
    case ClientState::Ehlo:
    case ClientState::Helo:
    case ClientState::StartTls:
    case ClientState::Auth:
    case ClientState::AuthLoginUser:
    case ClientState::AuthLoginPassword: return t.helo;
    case ClientState::Mail: return t.mail;
    case ClientState::Rcpt: return t.rcpt;
    case ClientState::Data: return t.data_init;
    case ClientState::Body:
    case ClientState::Bdat: return t.data_done;
    case ClientState::Quit:
    case ClientState::Done: break;
  }
  return t.quit;
}

std::optional<SimTime> ClientSession::deadline() const {
  if (state_ == ClientState::Done) return std::nullopt;
  return waiting_since_ + wait_for(state_);
}

SessionOutput ClientSession::on_timeout(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  const auto due = deadline();
  if (!due || now_ < *due) return out;
  const std::string key = state_ == ClientState::Quit ? "quit" : state_key(state_);
  out.note("note.smtp.client_timeout." + key, {format_duration(wait_for(state_))});
  // smtp_trouble.c, smtp_stream_except(): the recipients still open are deferred with 4.4.2.
  for (auto& o : outcomes_)
    if (o.status == RcptStatus::Pending) {
      o.status = RcptStatus::TempFail;
      o.reply = "conversation with " + job_.server_label + " timed out while " + timeout_phrase(state_);
      o.local_dsn = "4.4.2";
    }
  state_ = ClientState::Done;
  out.close = true;
  return out;
}

SessionOutput ClientSession::on_input(SimTime now, std::string_view bytes) {
  now_ = std::max(now_, now);
  SessionOutput out;
  framer_.feed(bytes);
  while (state_ != ClientState::Done) {
    const auto f = framer_.next();
    if (!f) break;
    // An over-long reply line is kept one byte past the limit, so the reply reader calls it malformed.
    const std::string_view line = f->data;
    switch (reader_.feed_line(line)) {
      case ReplyReader::Status::NeedMore: break;
      case ReplyReader::Status::Complete: on_reply(reader_.take(), out); break;
      case ReplyReader::Status::Malformed:
        // Postfix smtp(8) defers on a reply it cannot parse, and hangs up.
        fail_pending(RcptStatus::TempFail, "malformed reply from server: " + std::string(line));
        out.note("note.smtp.malformed_reply");
        state_ = ClientState::Done;
        out.close = true;
        break;
    }
  }
  if (!out.send.empty()) waiting_since_ = now_;  // a new command: its reply is waited for from now
  return out;
}

SessionOutput ClientSession::on_closed() {
  SessionOutput out;
  if (state_ != ClientState::Done && state_ != ClientState::Quit) {
    // Postfix smtp_trouble.c: "lost connection with host[address] while ...", deferred with 4.4.2.
    const std::string with = job_.server_label.empty() ? std::string() : " with " + job_.server_label;
    for (auto& o : outcomes_)
      if (o.status == RcptStatus::Pending) {
        o.status = RcptStatus::TempFail;
        o.reply = "lost connection" + with + " while " + timeout_phrase(state_);
        o.local_dsn = "4.4.2";
      }
    out.note(std::string("note.smtp.closed_while.") + state_key(state_));
  }
  state_ = ClientState::Done;
  return out;
}

bool ClientSession::outcomes_final() const {
  for (const auto& o : outcomes_)
    if (o.status == RcptStatus::Pending) return false;
  return true;
}

bool ClientSession::needs_utf8() const {
  // Postfix smtp(8): the message needs SMTPUTF8 when its envelope or its headers hold UTF-8.
  auto utf8 = [](std::string_view s) {
    for (char c : s)
      if (static_cast<unsigned char>(c) >= 0x80) return true;
    return false;
  };
  if (utf8(job_.mail_from)) return true;
  for (const auto& r : job_.rcpts)
    if (utf8(r)) return true;
  const auto end = job_.data.find("\r\n\r\n");
  return utf8(std::string_view(job_.data).substr(0, end));
}

bool ClientSession::has_extension(std::string_view name) const {
  for (const auto& e : extensions_) {
    const std::string_view word = std::string_view(e).substr(0, e.find(' '));
    if (iequals(word, name)) return true;
  }
  return false;
}

void ClientSession::send(std::string line, ClientState next, SessionOutput& out) {
  out.reply(line);
  state_ = next;
}

void ClientSession::fail_pending(RcptStatus status, const std::string& why) {
  for (auto& o : outcomes_)
    if (o.status == RcptStatus::Pending) {
      o.status = status;
      o.reply = why;
    }
}

namespace {

// Postfix smtp_proto.c names the command a reply answered: "(in reply to end of DATA command)".
const char* command_named(ClientState s) {
  switch (s) {
    case ClientState::Ehlo: return "EHLO";
    case ClientState::Helo: return "HELO";
    case ClientState::StartTls: return "STARTTLS";
    case ClientState::Auth:
    case ClientState::AuthLoginUser:
    case ClientState::AuthLoginPassword: return "AUTH";
    case ClientState::Mail: return "MAIL FROM";
    case ClientState::Rcpt: return "RCPT TO";
    case ClientState::Data: return "DATA";
    case ClientState::Body:
    case ClientState::Bdat: return "end of DATA";
    default: return "";
  }
}

}  // namespace

void ClientSession::fail_pending(const Reply& r) {
  for (auto& o : outcomes_)
    if (o.status == RcptStatus::Pending) {
      o.status = r.permanent() ? RcptStatus::PermFail : RcptStatus::TempFail;
      o.reply = r.first_line();
      o.command = command_named(state_);
    }
}

void ClientSession::quit(SessionOutput& out) { send("QUIT", ClientState::Quit, out); }

void ClientSession::next_rcpt_or_data(SessionOutput& out) {
  if (next_rcpt_ < job_.rcpts.size()) {
    send("RCPT TO:<" + job_.rcpts[next_rcpt_] + ">", ClientState::Rcpt, out);
    return;
  }
  bool any = false;
  for (const auto& o : outcomes_) any = any || o.status == RcptStatus::Pending;
  if (!any) return quit(out);  // every recipient was refused: nothing to send
  if (job_.use_bdat && has_extension("CHUNKING")) {
    // RFC 3030 §2: one chunk with the exact size, as it is, no dot-stuffing and no end marker.
    out.reply("BDAT " + std::to_string(job_.data.size()) + " LAST");
    out.send += job_.data;
    out.note("note.smtp.bdat");
    state_ = ClientState::Bdat;
    return;
  }
  send("DATA", ClientState::Data, out);
}

void ClientSession::after_hello(SessionOutput& out) {
  if (job_.starttls && !tls_ && has_extension("STARTTLS")) return send("STARTTLS", ClientState::StartTls, out);
  if (!job_.auth_user.empty() && !authenticated_) {
    if (!has_extension("AUTH")) {
      out.note("note.smtp.no_auth_offered");
      return send_mail(out);
    }
    if (iequals(job_.auth_mechanism, "LOGIN")) return send("AUTH LOGIN", ClientState::Auth, out);
    // RFC 4616: PLAIN sends authzid NUL user NUL password, base64 encoded, in one line.
    const std::string plain = std::string(1, '\0') + job_.auth_user + '\0' + job_.auth_password;
    return send("AUTH PLAIN " + base64_encode(plain), ClientState::Auth, out);
  }
  send_mail(out);
}

void ClientSession::send_mail(SessionOutput& out) {
  if (job_.smtputf8 && !has_extension("SMTPUTF8") && needs_utf8()) {
    // RFC 6531 §3.2: no UTF-8 envelope or headers to a server that did not announce SMTPUTF8.
    // Postfix smtp(8) gives up on the message at once and says so (5.6.7).
    for (auto& o : outcomes_) {
      o.status = RcptStatus::PermFail;
      o.reply = "SMTPUTF8 is required, but was not offered by host " +
                (job_.server_label.empty() ? std::string("the server") : job_.server_label);
      o.local_dsn = "5.6.7";
    }
    out.note("note.smtp.smtputf8_not_offered");
    return quit(out);
  }
  bool eight_bit = false;
  for (unsigned char c : job_.data) eight_bit = eight_bit || c >= 0x80;
  if (eight_bit && !has_extension("8BITMIME") && !job_.data_7bit.empty()) {
    // RFC 6152 §3: no 8-bit data to a server that did not announce 8BITMIME.
    job_.data = job_.data_7bit;
    eight_bit = false;
    out.note("note.smtp.downgraded");
  }
  std::string mail = "MAIL FROM:<" + job_.mail_from + ">";
  // RFC 1870 §6 / RFC 6152 §3: declare the size and an 8-bit body when the server announced it.
  if (has_extension("SIZE")) mail += " SIZE=" + std::to_string(job_.data.size());
  if (eight_bit && has_extension("8BITMIME")) mail += " BODY=8BITMIME";
  if (job_.smtputf8 && has_extension("SMTPUTF8")) mail += " SMTPUTF8";  // RFC 6531 §3.4
  send(mail, ClientState::Mail, out);
}

void ClientSession::on_reply(const Reply& r, SessionOutput& out) {
  switch (state_) {
    case ClientState::Greeting:
      if (r.code != 220) {  // RFC 5321 §3.1: 554 means "no service here"
        fail_pending(r);
        return quit(out);
      }
      return send("EHLO " + job_.helo_name, ClientState::Ehlo, out);

    case ClientState::Ehlo:
      if (r.permanent()) {  // RFC 5321 §4.1.4: fall back to HELO when EHLO is not understood
        out.note("note.smtp.helo_fallback");
        return send("HELO " + job_.helo_name, ClientState::Helo, out);
      }
      if (!r.positive()) {
        fail_pending(r);
        return quit(out);
      }
      extensions_.assign(r.lines.begin() + (r.lines.empty() ? 0 : 1), r.lines.end());
      return after_hello(out);

    case ClientState::Helo:
      if (!r.positive()) {
        fail_pending(r);
        return quit(out);
      }
      return after_hello(out);

    case ClientState::StartTls:
      if (r.code == 220) {
        // RFC 3207 §4.2: forget the server's extensions and greet it again, now encrypted.
        tls_ = true;
        out.start_tls = true;
        extensions_.clear();
        return send("EHLO " + job_.helo_name, ClientState::Ehlo, out);
      }
      // Opportunistic TLS: carry on in the clear, logging in if we would have without STARTTLS.
      job_.starttls = false;
      return after_hello(out);

    case ClientState::Auth:
    case ClientState::AuthLoginPassword:
      if (r.code == 235) {
        authenticated_ = true;
        return send_mail(out);
      }
      if (r.code == 334 && state_ == ClientState::Auth && iequals(job_.auth_mechanism, "LOGIN"))
        return send(base64_encode(job_.auth_user), ClientState::AuthLoginUser, out);
      fail_pending(r);  // a refused login ends the attempt: the mail program shows the error
      return quit(out);

    case ClientState::AuthLoginUser:
      if (r.code == 334) return send(base64_encode(job_.auth_password), ClientState::AuthLoginPassword, out);
      fail_pending(r);
      return quit(out);

    case ClientState::Mail:
      if (!r.positive()) {
        fail_pending(r);
        return quit(out);
      }
      return next_rcpt_or_data(out);

    case ClientState::Rcpt: {
      RcptOutcome& o = outcomes_[next_rcpt_++];
      if (!r.positive()) {
        o.status = r.permanent() ? RcptStatus::PermFail : RcptStatus::TempFail;
        o.reply = r.first_line();
        o.command = command_named(state_);
      }
      return next_rcpt_or_data(out);
    }

    case ClientState::Data:
      if (r.code != 354) {
        fail_pending(r);
        return quit(out);
      }
      out.send += stuff(job_.data);
      state_ = ClientState::Body;
      return;

    case ClientState::Body:
    case ClientState::Bdat:
      for (auto& o : outcomes_)
        if (o.status == RcptStatus::Pending) {
          o.status = r.positive() ? RcptStatus::Delivered : r.permanent() ? RcptStatus::PermFail : RcptStatus::TempFail;
          o.reply = r.first_line();
          o.command = command_named(state_);
        }
      return quit(out);

    case ClientState::Quit:
      state_ = ClientState::Done;
      out.close = true;
      return;

    case ClientState::Done:
      return;
  }
}

}  // namespace postlab::smtp
