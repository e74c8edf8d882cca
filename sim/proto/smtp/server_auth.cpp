// STARTTLS (RFC 3207) and AUTH PLAIN / LOGIN (RFC 4954, 4616) for the SMTP server session.
// Texts are Postfix's (smtpd.c starttls_cmd, smtpd_sasl_proto.c) with Dovecot as the SASL backend.
#include "mail/encoding.h"
#include "mail/message.h"
#include "proto/smtp/server.h"

namespace postlab::smtp {
namespace {

constexpr const char* kAuthFailed = "535 5.7.8 Error: authentication failed: ";
// Dovecot gives Postfix no reason for a wrong password; Postfix 3.x then says so.
constexpr const char* kNoReason = "(reason unavailable)";

// PLAIN (RFC 4616 §2): [authzid] NUL authcid NUL passwd.
bool split_plain(const std::string& decoded, std::string& user, std::string& password) {
  const auto a = decoded.find('\0');
  if (a == std::string::npos) return false;
  const auto b = decoded.find('\0', a + 1);
  if (b == std::string::npos) return false;
  user = decoded.substr(a + 1, b - a - 1);
  password = decoded.substr(b + 1);
  return !user.empty();
}

std::string visible(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\0' ? std::string("\\0") : std::string(1, c);
  return out;
}

}  // namespace

void ServerSession::cmd_starttls(std::string_view args, SessionOutput& out) {
  if (!config_.starttls) return error("502 5.5.1 Error: command not implemented", out);
  if (!args.empty()) return error("501 5.5.4 Syntax: STARTTLS", out);
  if (tx_.tls) return error("554 5.5.1 Error: TLS already active", out);
  out.reply("220 2.0.0 Ready to start TLS");
  out.start_tls = true;
  out.note("note.smtp.tls_started");
  // RFC 3207 §4.2: both sides forget what they learned before; the client must say EHLO again.
  // Postfix also drops a transaction in progress.
  reset_transaction();
  tx_ = Transaction{};
  tx_.tls = true;
  state_ = ServerState::Connected;
}

void ServerSession::cmd_auth(std::string_view args, SessionOutput& out) {
  if (config_.helo_required && state_ == ServerState::Connected)
    return error("503 5.5.1 Error: send HELO/EHLO first", out);
  if (!auth_available()) return error("503 5.5.1 Error: authentication not enabled", out);
  if (tx_.has_sender) return error("503 5.5.1 Error: MAIL transaction in progress", out);
  if (!tx_.auth_user.empty()) return error("503 5.5.1 Error: already authenticated", out);
  std::vector<std::string_view> words;
  for (std::size_t pos = 0; pos < args.size();) {
    const auto sp = std::min(args.find(' ', pos), args.size());
    if (sp > pos) words.push_back(args.substr(pos, sp - pos));
    pos = sp + 1;
  }
  if (words.empty() || words.size() > 2) return error("501 5.5.4 Syntax: AUTH mechanism", out);
  const std::string_view mech = words[0];
  const std::string_view initial = words.size() == 2 ? words[1] : std::string_view();
  if (iequals(mech, "PLAIN")) {
    if (initial.empty()) {
      out.reply("334 ");  // RFC 4954 §4: an empty challenge asks for the initial response
      sasl_ = Sasl::PlainResponse;
      return;
    }
    auto decoded = initial == "=" ? std::optional<std::string>("") : base64_decode(initial);
    if (!decoded) return error(std::string(kAuthFailed) + "Invalid base64 data in initial response", out);
    std::string user, password;
    out.note("note.smtp.auth_plain", {std::string(initial), visible(*decoded)});
    if (!split_plain(*decoded, user, password)) return error(std::string(kAuthFailed) + kNoReason, out);
    return sasl_finish(user, password, out);
  }
  if (iequals(mech, "LOGIN")) {
    if (!initial.empty()) {
      auto user = base64_decode(initial);
      if (!user) return error(std::string(kAuthFailed) + "Invalid base64 data in initial response", out);
      sasl_user_ = *user;
      out.note("note.smtp.auth_login_user", {std::string(initial), *user});
      out.reply("334 UGFzc3dvcmQ6");  // "Password:"
      sasl_ = Sasl::LoginPassword;
      return;
    }
    out.reply("334 VXNlcm5hbWU6");  // "Username:"
    out.note("note.smtp.auth_login_prompt", {"VXNlcm5hbWU6", "Username:"});
    sasl_ = Sasl::LoginUser;
    return;
  }
  error(std::string(kAuthFailed) + "Invalid authentication mechanism", out);
}

void ServerSession::sasl_line(std::string_view line, SessionOutput& out) {
  const Sasl step = sasl_;
  sasl_ = Sasl::None;
  if (line == "*") return error("501 5.7.0 Authentication aborted", out);  // RFC 4954 §4
  auto decoded = base64_decode(line);
  if (!decoded) return error(std::string(kAuthFailed) + "Invalid base64 data in continued response", out);
  switch (step) {
    case Sasl::PlainResponse: {
      std::string user, password;
      out.note("note.smtp.auth_plain", {std::string(line), visible(*decoded)});
      if (!split_plain(*decoded, user, password)) return error(std::string(kAuthFailed) + kNoReason, out);
      return sasl_finish(user, password, out);
    }
    case Sasl::LoginUser:
      sasl_user_ = *decoded;
      out.note("note.smtp.auth_login_user", {std::string(line), *decoded});
      out.reply("334 UGFzc3dvcmQ6");  // "Password:"
      sasl_ = Sasl::LoginPassword;
      return;
    case Sasl::LoginPassword:
      out.note("note.smtp.auth_login_password", {std::string(line), *decoded});
      return sasl_finish(sasl_user_, *decoded, out);
    case Sasl::None: return;
  }
}

void ServerSession::sasl_finish(const std::string& user, const std::string& password, SessionOutput& out) {
  const std::string who = user;  // for AUTH LOGIN, `user` is sasl_user_ itself: copy it before clearing
  sasl_user_.clear();
  if (!hooks_.authenticate(who, password)) return error(std::string(kAuthFailed) + kNoReason, out);
  tx_.auth_user = who;
  out.reply("235 2.7.0 Authentication successful");
  out.note("note.smtp.auth_ok", {who});
}

}  // namespace postlab::smtp
