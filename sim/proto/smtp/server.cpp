#include "proto/smtp/server.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "mail/address.h"
#include "mail/message.h"

namespace postlab::smtp {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool forbidden_verb(std::string_view verb);

// A local part alone ("alice"), as Postfix takes in RCPT TO and VRFY and qualifies with $myorigin.
bool bare_local_part(std::string_view s) {
  return !s.empty() && s.find('@') == std::string_view::npos && parse_address(std::string(s) + "@x.example");
}

}  // namespace

const char* to_string(ServerState s) {
  switch (s) {
    case ServerState::Connected: return "waiting for HELO/EHLO";
    case ServerState::Ready: return "waiting for MAIL FROM";
    case ServerState::Mail: return "waiting for RCPT TO";
    case ServerState::Rcpt: return "waiting for more RCPT TO or DATA";
    case ServerState::Data: return "receiving message text";
    case ServerState::Bdat: return "receiving a BDAT chunk";
    case ServerState::Closed: return "closed";
  }
  return "?";
}

// Postfix smtpd_cmd_table order; verbs match case-insensitively (RFC 5321 §2.4). HELP, EXPN and
// anything else get "500 5.5.2 Error: command not recognized", as from Postfix 3.7.
const ServerSession::Command ServerSession::kCommands[] = {
    {"HELO", &ServerSession::cmd_helo, true},      {"EHLO", &ServerSession::cmd_ehlo, true},
    {"STARTTLS", &ServerSession::cmd_starttls, true}, {"AUTH", &ServerSession::cmd_auth, false},
    {"MAIL", &ServerSession::cmd_mail, false},     {"RCPT", &ServerSession::cmd_rcpt, false},
    {"DATA", &ServerSession::cmd_data, false},     {"RSET", &ServerSession::cmd_rset, false},
    {"NOOP", &ServerSession::cmd_noop, true},      {"VRFY", &ServerSession::cmd_vrfy, false},
    {"ETRN", &ServerSession::cmd_etrn, false},     {"QUIT", &ServerSession::cmd_quit, true},
    {"BDAT", &ServerSession::cmd_bdat, false},
};

ServerSession::ServerSession(ServerConfig config, ServerHooks& hooks) : config_(std::move(config)), hooks_(hooks) {}

SessionOutput ServerSession::on_connect(SimTime now) {
  now_ = last_activity_ = now;
  SessionOutput out;
  if (forced("CONNECT", {}, out)) return out;
  // RFC 5321 §4.3.1 greeting; Postfix smtpd_banner = "$myhostname ESMTP $mail_name" (no enhanced code).
  // An RFC 821-only server does not claim ESMTP in its banner.
  out.reply("220 " + config_.hostname + (config_.esmtp ? " ESMTP " : " SMTP ") + config_.software);
  return out;
}

std::optional<SimTime> ServerSession::deadline() const {
  // While the host decides, the server is not waiting for the client.
  if (state_ == ServerState::Closed || held_) return std::nullopt;
  return last_activity_ + config_.timeout;
}

SessionOutput ServerSession::on_timeout(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  const auto due = deadline();
  if (!due || now_ < *due) return out;
  // smtpd.c, SMTP_ERR_TIME: said whatever the session was doing, then the connection is closed.
  out.reply("421 4.4.2 " + config_.hostname + " Error: timeout exceeded");
  out.note("note.smtp.server_timeout", {format_duration(config_.timeout)});
  out.close = true;
  state_ = ServerState::Closed;
  return out;
}

bool ServerSession::forced(std::string_view verb, std::string_view args, SessionOutput& out) {
  auto f = hooks_.before_command(tx_, verb, args);
  if (!f) return false;
  out.reply(f->reply);
  out.note(f->note, {std::string(verb), f->reply});
  if (f->reply.rfind("421", 0) == 0 || f->close) {
    out.close = true;
    state_ = ServerState::Closed;
  }
  return true;
}

SessionOutput ServerSession::on_input(SimTime now, std::string_view bytes) {
  now_ = last_activity_ = std::max(now_, now);
  SessionOutput out;
  framer_.feed(bytes);
  while (state_ != ServerState::Closed && !held_) {
    // Postfix line_length_limit cuts a command line; a line of message text may be as long as the
    // message may be.
    framer_.set_max_line(state_ == ServerState::Data ? config_.message_size_limit : config_.line_length_limit);
    const auto f = framer_.next();
    if (!f) break;
    if (f->kind == Framed::Kind::Octets) {
      // RFC 3030 §2: a chunk is exactly the announced number of octets, read as they come: no lines,
      // no dot-stuffing.
      if (!bdat_skip_) {
        data_size_ += f->data.size();
        if (data_size_ > config_.message_size_limit) {
          data_too_big_ = true;
          data_.clear();
        } else {
          data_.append(f->data);
          bdat_count(f->data);
        }
      }
      bdat_remaining_ -= f->data.size();
      if (f->last) {
        bdat_chunk_done(out);
        hard_limit(out);
      }
      continue;
    }
    if (state_ == ServerState::Data) {
      if (f->truncated) {
        // A runaway text line: counted towards the size limit, not kept (Postfix reads on to the dot).
        data_size_ += f->length + 2;
        data_too_big_ = true;
        data_.clear();
      } else {
        data_line(f->data, out);
      }
    } else {
      // The kept head of an over-long command still runs, as in Postfix.
      if (f->truncated) out.note("note.smtp.truncated", {std::to_string(config_.line_length_limit)});
      if (sasl_ != Sasl::None) sasl_line(f->data, out);
      else command_line(f->data, out);
    }
    if (out.start_tls) {
      // Bytes pipelined after STARTTLS came before encryption: drop them, as Postfix does since
      // CVE-2011-0411 (plaintext command injection), and as RFC 3207 §4.2 expects.
      framer_.discard_buffered();
      break;
    }
    hard_limit(out);
  }
  return out;
}

void ServerSession::hard_limit(SessionOutput& out) {
  if (state_ == ServerState::Closed || errors_ < config_.hard_error_limit) return;
  // Postfix checks the hard limit before it reads the next command, so the 421 follows the reply
  // that reached the limit at once (smtpd.c, smtpd_proto()).
  out.reply("421 4.7.0 " + config_.hostname + " Error: too many errors");
  out.close = true;
  state_ = ServerState::Closed;
}

void ServerSession::error(std::string_view reply, SessionOutput& out) {
  out.reply(reply);
  ++errors_;
}

void ServerSession::reset_transaction() {
  tx_.has_sender = false;
  tx_.mail_from.clear();
  tx_.rcpts.clear();
  tx_.rcpt_params.clear();
  tx_.declared_size = 0;
  tx_.ret.clear();
  tx_.envid.clear();
  tx_.smtputf8 = false;
  tx_.body_8bit = false;
  data_.clear();
  data_size_ = 0;
  data_too_big_ = false;
  bdat_used_ = false;
  bdat_error_ = false;  // Postfix's mail_reset() (RSET, HELO, EHLO, the end of a message)
  bdat_size_ = 0;
  bdat_line_ = 0;
  bdat_prev_cr_ = false;
  if (state_ == ServerState::Mail || state_ == ServerState::Rcpt || state_ == ServerState::Data ||
      state_ == ServerState::Bdat)
    state_ = ServerState::Ready;
}

namespace {
// Postfix smtpd_forbidden_commands (3.7 default "CONNECT GET POST regexp:{{/^[^A-Z]/ Thrash}}", matched
// without regard to case) and is_header(): a verb that is an HTTP method, starts with something other
// than a letter, or looks like a mail header ("Subject:") is not SMTP at all. Postfix hangs up.
bool forbidden_verb(std::string_view verb) {
  if (verb.empty()) return false;
  const auto first = static_cast<unsigned char>(verb.front());
  if (!std::isalpha(first) || first >= 0x80) return true;
  for (const char* http : {"CONNECT", "GET", "POST"})
    if (iequals(verb, http)) return true;
  // is_header(): one or more printable ASCII characters other than space, then a colon.
  const auto colon = verb.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (char c : verb.substr(0, colon)) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) return false;
  }
  return true;
}

// RFC 3629 well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t more = 0;
    std::uint32_t cp = c;
    if (c < 0x80) more = 0;
    else if ((c & 0xE0) == 0xC0) more = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) more = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) more = 3, cp = c & 0x07;
    else return false;
    if (i + more >= s.size() && more > 0) return false;
    for (std::size_t k = 1; k <= more; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[more] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}
}  // namespace

void ServerSession::command_line(std::string_view line, SessionOutput& out) {
  const std::string_view text = trim(line);
  if (text.empty()) {
    error("500 5.5.2 Error: bad syntax", out);
    return;
  }
  // Postfix with smtputf8_enable checks every command line before it looks at the verb.
  if (config_.smtputf8 && !valid_utf8(text)) {
    error("500 5.5.2 Error: bad UTF-8 syntax", out);
    return;
  }
  const auto space = text.find(' ');
  const std::string_view verb = text.substr(0, space);
  const std::string_view args = space == std::string_view::npos ? std::string_view() : trim(text.substr(space + 1));
  for (const auto& cmd : kCommands) {
    if (!iequals(cmd.verb, verb)) continue;
    if (config_.tls_required && !tx_.tls && !cmd.before_tls) {
      // Postfix with smtpd_tls_security_level=encrypt (the usual submission port setting).
      error("530 5.7.0 Must issue a STARTTLS command first", out);
      out.note("note.smtp.tls_first");
      return;
    }
    if (forced(cmd.verb, args, out)) return;
    (this->*cmd.handler)(args, out);
    return;
  }
  if (forbidden_verb(verb)) {
    // smtpd.c: "non-SMTP command from ..." is logged, this is said, and the connection is closed.
    out.reply("221 2.7.0 Error: I can break rules, too. Goodbye.");
    out.note("note.smtp.not_smtp");
    out.close = true;
    state_ = ServerState::Closed;
    return;
  }
  // Postfix 3.7 answers every verb it does not know (HELP and EXPN included) with 500.
  error("500 5.5.2 Error: command not recognized", out);
}

void ServerSession::cmd_helo(std::string_view args, SessionOutput& out) {
  // RFC 2034: the HELO/EHLO replies carry no enhanced status code.
  if (args.empty()) return error("501 Syntax: HELO hostname", out);
  reset_transaction();
  tx_.helo = std::string(args);
  tx_.esmtp = false;
  state_ = ServerState::Ready;
  out.reply("250 " + config_.hostname);
}

void ServerSession::cmd_ehlo(std::string_view args, SessionOutput& out) {
  if (!config_.esmtp) return error("500 5.5.2 Error: command not recognized", out);
  if (args.empty()) return error("501 Syntax: EHLO hostname", out);
  reset_transaction();
  tx_.helo = std::string(args);
  tx_.esmtp = true;
  state_ = ServerState::Ready;
  // RFC 5321 §4.1.1.1: one line per extension, in the order Postfix's ehlo_cmd() builds them.
  std::vector<std::string> lines{config_.hostname, "PIPELINING",
                                 "SIZE " + std::to_string(config_.message_size_limit)};
  if (config_.vrfy_enabled) lines.push_back("VRFY");
  lines.push_back("ETRN");
  if (config_.starttls && !tx_.tls) lines.push_back("STARTTLS");
  if (auth_available()) lines.push_back("AUTH PLAIN LOGIN");
  for (const char* ext : {"ENHANCEDSTATUSCODES", "8BITMIME", "DSN"}) lines.push_back(ext);
  if (config_.smtputf8) lines.push_back("SMTPUTF8");
  if (config_.chunking) lines.push_back("CHUNKING");  // RFC 3030; Postfix lists it last
  for (std::size_t i = 0; i < lines.size(); ++i) out.reply((i + 1 < lines.size() ? "250-" : "250 ") + lines[i]);
  if (config_.auth && !auth_available()) out.note("note.smtp.auth_after_tls");
}

bool is_xtext(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '+') {
      auto hex = [](char h) { return (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'); };
      if (i + 2 >= s.size() + 0 || !hex(s[i + 1]) || !hex(s[i + 2])) return false;
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return false;
    }
  }
  return true;
}

std::optional<PathArgs> parse_path_args(std::string_view args, std::string_view keyword) {
  // "FROM:<path> params" (RFC 5321 §4.1.1.2). Like Postfix with strict_rfc821_envelopes=no,
  // a space after the colon and a path without angle brackets are tolerated.
  if (!starts_with_ci(args, keyword)) return std::nullopt;
  std::string_view rest = trim(args.substr(keyword.size()));
  if (rest.empty()) return std::nullopt;
  PathArgs result;
  std::string_view path;
  if (rest.front() == '<') {
    const auto gt = rest.find('>');
    if (gt == std::string_view::npos) {
      result.bad_path = true;  // "<x" without ">": Postfix's extract_addr() refuses the address
      return result;
    }
    path = rest.substr(1, gt - 1);
    rest = rest.substr(gt + 1);
    while (!rest.empty() && rest.front() == '>') rest.remove_prefix(1);  // Postfix takes "<a@b>>"
    if (!rest.empty() && rest.front() != ' ') {
      result.bad_path = true;
      return result;
    }
  } else {
    const auto sp = rest.find(' ');
    path = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
    while (!path.empty() && path.back() == '>') path.remove_suffix(1);  // and "a@b>"
  }
  // RFC 5321 §4.1.1.3 / appendix C: source routes "@a,@b:user@c" are accepted and ignored.
  if (!path.empty() && path.front() == '@') {
    const auto colon = path.find(':');
    if (colon == std::string_view::npos) {
      result.bad_path = true;
      return result;
    }
    path = path.substr(colon + 1);
  }
  result.path = std::string(path);
  rest = trim(rest);
  while (!rest.empty()) {
    const auto sp = rest.find(' ');
    result.params.emplace_back(rest.substr(0, sp));
    if (sp == std::string_view::npos) break;
    rest = trim(rest.substr(sp + 1));
  }
  return result;
}

void ServerSession::cmd_mail(std::string_view args, SessionOutput& out) {
  if (config_.helo_required && state_ == ServerState::Connected)
    return error("503 5.5.1 Error: send HELO/EHLO first", out);
  if (tx_.has_sender) return error("503 5.5.1 Error: nested MAIL command", out);
  if (bdat_error_) return error("503 5.5.1 Error: MAIL after BDAT", out);
  auto parsed = parse_path_args(args, "FROM:");
  if (!parsed) return error("501 5.5.4 Syntax: MAIL FROM:<address>", out);
  // The null reverse-path <> is how bounces are sent (RFC 5321 §4.5.5); anything else must parse.
  // Like Postfix, a bare local part is taken (the MTA qualifies it with its own domain).
  if (parsed->bad_path || (!parsed->path.empty() && !parse_address(parsed->path) && !bare_local_part(parsed->path)))
    return error("501 5.1.7 Bad sender address syntax", out);
  Transaction t = tx_;
  bool seen_size = false, seen_body = false, seen_ret = false, seen_envid = false, seen_auth = false;
  for (const auto& p : parsed->params) {
    const std::string_view v = std::string_view(p).substr(std::min(p.size(), p.find('=') + 1));
    if (starts_with_ci(p, "SIZE=")) {  // RFC 1870 §6
      bool digits = !v.empty() && v.size() <= 18 && !seen_size;
      for (char c : v) digits = digits && std::isdigit(static_cast<unsigned char>(c));
      if (!digits) return error("501 5.5.4 Bad message size syntax", out);
      seen_size = true;
      t.declared_size = std::stoull(std::string(v));
      if (t.declared_size > config_.message_size_limit) return error("552 5.3.4 Message size exceeds fixed limit", out);
    } else if (starts_with_ci(p, "BODY=") && !seen_body && (iequals(v, "7BIT") || iequals(v, "8BITMIME"))) {
      seen_body = true;  // RFC 6152
      t.body_8bit = iequals(v, "8BITMIME");
    } else if (starts_with_ci(p, "RET=")) {  // RFC 3461 §4.3
      if (seen_ret || !(iequals(v, "FULL") || iequals(v, "HDRS"))) return error("501 5.5.4 Bad RET parameter syntax", out);
      seen_ret = true;
      t.ret = std::string(v);
    } else if (starts_with_ci(p, "ENVID=")) {  // RFC 3461 §4.4
      if (seen_envid || v.empty() || v.size() > 100 || !is_xtext(v)) return error("501 5.5.4 Bad ENVID parameter syntax", out);
      seen_envid = true;
      t.envid = std::string(v);
    } else if (iequals(p, "SMTPUTF8") && config_.smtputf8) {  // RFC 6531 §3.4
      t.smtputf8 = true;
    } else if (starts_with_ci(p, "AUTH=")) {  // RFC 4954 §5: who submitted it originally
      if (seen_auth) return error("503 5.5.4 Error: multiple AUTH= options", out);
      seen_auth = true;
    } else {
      return error("555 5.5.4 Unsupported option: " + p, out);
    }
  }
  // A UTF-8 local part without SMTPUTF8 is taken: Postfix's strict_smtputf8 is off by default
  // ("historically, Postfix does not forbid 8-bit envelope localparts").
  tx_ = std::move(t);
  tx_.has_sender = true;
  tx_.mail_from = parsed->path.empty() ? std::string() : normalize_address(parsed->path);
  state_ = ServerState::Mail;
  out.reply("250 2.1.0 Ok");
  if (tx_.mail_from.empty()) out.note("note.smtp.null_sender");
}

void ServerSession::cmd_rcpt(std::string_view args, SessionOutput& out) {
  if (!tx_.has_sender) return error("503 5.5.1 Error: need MAIL command", out);
  auto parsed = parse_path_args(args, "TO:");
  if (!parsed) return error("501 5.5.4 Syntax: RCPT TO:<address>", out);
  // RFC 5321 §4.5.1: <postmaster> without a domain must be accepted; Postfix takes any bare local
  // part and qualifies it with its own domain ($myorigin), which the MTA does.
  const bool bare = bare_local_part(parsed->path);
  if (parsed->bad_path || (!bare && !parse_address(parsed->path)))
    return error("501 5.1.3 Bad recipient address syntax", out);
  RcptParams params;
  for (const auto& p : parsed->params) {
    const std::string_view v = std::string_view(p).substr(std::min(p.size(), p.find('=') + 1));
    if (starts_with_ci(p, "NOTIFY=")) {  // RFC 3461 §4.1: NEVER, or a list of SUCCESS, FAILURE, DELAY
      bool ok = params.notify.empty() && !v.empty();
      bool never = false, other = false;
      for (std::size_t pos = 0; ok && pos <= v.size();) {
        const auto comma = std::min(v.find(',', pos), v.size());
        const std::string_view word = v.substr(pos, comma - pos);
        never = never || iequals(word, "NEVER");
        other = other || iequals(word, "SUCCESS") || iequals(word, "FAILURE") || iequals(word, "DELAY");
        ok = iequals(word, "NEVER") || iequals(word, "SUCCESS") || iequals(word, "FAILURE") || iequals(word, "DELAY");
        pos = comma + 1;
      }
      if (!ok || (never && other)) return error("501 5.5.4 Error: Bad NOTIFY parameter syntax", out);
      params.notify = std::string(v);
    } else if (starts_with_ci(p, "ORCPT=")) {  // RFC 3461 §4.2: addr-type ";" xtext
      const auto semi = v.find(';');
      if (!params.orcpt.empty() || semi == std::string_view::npos || semi == 0 || !is_xtext(v.substr(semi + 1)))
        return error("501 5.5.4 Error: Bad ORCPT parameter syntax", out);
      params.orcpt = std::string(v);
    } else {
      return error("555 5.5.4 Unsupported option: " + p, out);
    }
  }
  if (tx_.rcpts.size() >= config_.recipient_limit) {
    out.reply("452 4.5.3 Error: too many recipients");  // not counted as an error (overshoot limit)
    return;
  }
  if (bdat_used_ || bdat_error_) return error("503 5.5.1 Error: RCPT after BDAT", out);
  const std::string rcpt = bare ? parsed->path : normalize_address(parsed->path);
  // Postfix delays sender restrictions to RCPT time (smtpd_delay_reject = yes).
  if (auto rejection = hooks_.check_sender(tx_, tx_.mail_from)) return error(*rejection, out);
  if (auto rejection = hooks_.check_recipient(tx_, rcpt)) return error(*rejection, out);
  if (hooks_.hold_recipient(tx_, rcpt)) {
    // The host decides later (it looks something up): nothing more is read until resume().
    held_ = HeldRcpt{rcpt, params};
    return;
  }
  accept_rcpt(rcpt, params, out);
}

void ServerSession::accept_rcpt(const std::string& rcpt, const RcptParams& params, SessionOutput& out) {
  tx_.rcpts.push_back(rcpt);
  tx_.rcpt_params.push_back(params);
  state_ = ServerState::Rcpt;
  out.reply("250 2.1.5 Ok");
}

SessionOutput ServerSession::resume(SimTime now, const std::optional<std::string>& rejection) {
  SessionOutput out;
  if (!held_) return out;
  const HeldRcpt held = std::move(*held_);
  held_.reset();
  now_ = last_activity_ = std::max(now_, now);
  if (rejection) error(*rejection, out);
  else accept_rcpt(held.rcpt, held.params, out);
  hard_limit(out);
  // Commands the client pipelined meanwhile (RFC 2920) are read now, in order.
  out.append(on_input(now, {}));
  return out;
}

void ServerSession::cmd_data(std::string_view args, SessionOutput& out) {
  // RFC 3030 §2: DATA and BDAT must not be mixed in one transaction (Postfix checks this first).
  if (bdat_used_ || bdat_error_) return error("503 5.5.1 Error: DATA after BDAT", out);
  if (!tx_.has_sender) return error("503 5.5.1 Error: need RCPT command", out);
  if (tx_.rcpts.empty()) return error("554 5.5.1 Error: no valid recipients", out);
  if (!args.empty()) return error("501 5.5.4 Syntax: DATA", out);
  state_ = ServerState::Data;
  data_.clear();
  data_size_ = 0;
  data_too_big_ = false;
  out.reply("354 End data with <CR><LF>.<CR><LF>");
}

void ServerSession::data_line(std::string_view raw, SessionOutput& out) {
  // RFC 5321 §4.1.1.4: the lone dot ends the mail data; §4.5.2: the dot the client added in front
  // of a line that began with one comes off again.
  const DataLine d = unstuff(raw);
  if (d.end) {
    finish_message(out);
    return;
  }
  const std::string_view line = d.text;
  data_size_ += line.size() + 2;
  if (data_size_ > config_.message_size_limit) {
    // Postfix reads on to the final dot, then rejects (cleanup: "message file too big").
    data_too_big_ = true;
    data_.clear();
    return;
  }
  data_ += line;
  data_ += "\r\n";
}

void ServerSession::finish_message(SessionOutput& out) {
  if (forced(".", {}, out)) {
    // A forced refusal of the text: nothing is queued and the transaction is over (RFC 5321 §4.1.1.4).
    if (state_ != ServerState::Closed) state_ = ServerState::Ready;
    reset_transaction();
    return;
  }
  if (data_too_big_) {
    out.reply("552 5.3.4 Error: message file too big");
    ++errors_;
  } else {
    AcceptResult r = hooks_.accept_message(tx_, data_);
    if (r.ok) {
      out.reply("250 2.0.0 Ok: queued as " + r.queue_id);
      errors_ = 0;  // Postfix forgives earlier errors after a delivered message
    } else {
      error(r.reply, out);
    }
  }
  state_ = ServerState::Ready;
  reset_transaction();
}

void ServerSession::cmd_rset(std::string_view args, SessionOutput& out) {
  if (!args.empty()) return error("501 5.5.4 Syntax: RSET", out);
  reset_transaction();
  out.reply("250 2.0.0 Ok");
}

void ServerSession::cmd_noop(std::string_view, SessionOutput& out) { out.reply("250 2.0.0 Ok"); }

void ServerSession::cmd_vrfy(std::string_view args, SessionOutput& out) {
  if (!config_.vrfy_enabled) return error("502 5.5.1 VRFY command is disabled", out);
  // Postfix: "VRFY address [SMTPUTF8]" (the option is listed when SMTPUTF8 is on).
  std::string_view addr = args;
  if (config_.smtputf8 && addr.size() > 9 && iequals(addr.substr(addr.size() - 9), " SMTPUTF8")) addr = trim(addr.substr(0, addr.size() - 9));
  if (addr.empty())
    return error(std::string("501 5.5.4 Syntax: VRFY address") + (config_.smtputf8 ? " [SMTPUTF8]" : ""), out);
  if (addr.size() >= 2 && addr.front() == '<' && addr.back() == '>') addr = addr.substr(1, addr.size() - 2);
  const bool bare = bare_local_part(addr);
  if (!bare && !parse_address(addr)) return error("501 5.1.3 Bad recipient address syntax", out);
  // Postfix runs the recipient checks first, so an unknown user is refused; otherwise 252:
  // "cannot verify, but will accept" (RFC 5321 §3.5.3). A bare name is looked up in the server's
  // own domain, as for RCPT.
  if (auto rejection = hooks_.check_recipient(tx_, bare ? std::string(addr) : normalize_address(addr)))
    return error(*rejection, out);
  out.reply("252 2.0.0 " + std::string(args));
}

void ServerSession::cmd_etrn(std::string_view args, SessionOutput& out) {
  // RFC 1985; Postfix's ETRN replies carry no enhanced status codes.
  if (config_.helo_required && state_ == ServerState::Connected) return error("503 Error: send HELO/EHLO first", out);
  if (tx_.has_sender) return error("503 Error: MAIL transaction in progress", out);
  if (args.empty() || args.find(' ') != std::string_view::npos) return error("500 Syntax: ETRN domain", out);
  std::string_view domain = args;
  if (domain.front() == '@' || domain.front() == '#') domain.remove_prefix(1);
  if (!is_valid_domain(domain)) return error("501 Error: invalid parameter syntax", out);
  if (auto refusal = hooks_.etrn(std::string(domain))) return error(*refusal, out);
  out.reply("250 Queuing started");
}

void ServerSession::cmd_quit(std::string_view, SessionOutput& out) {
  out.reply("221 2.0.0 Bye");
  out.close = true;
  state_ = ServerState::Closed;
}

}  // namespace postlab::smtp
