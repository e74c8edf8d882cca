// proto/smtp/server: STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954, 4616), ETRN (RFC 1985),
// DSN (RFC 3461) and SMTPUTF8 (RFC 6531) parameters, and sender checks, driven by hand with fake hooks.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proto/smtp/server.h"

using namespace postlab;
using namespace postlab::smtp;

namespace {

struct AuthHooks : ServerHooks {
  std::map<std::string, std::string> passwords;             // user -> password
  std::optional<std::string> refuse_sender;                 // check_sender answers with this reply
  std::optional<std::string> refuse_etrn;                   // etrn answers with this reply
  std::vector<std::pair<std::string, std::string>> logins;  // every authenticate() call
  std::vector<std::string> senders_checked;
  std::vector<std::string> auth_user_at_sender_check;
  std::vector<std::string> recipients_checked;
  std::vector<std::string> etrn_domains;
  std::vector<Transaction> transactions;
  std::vector<std::string> messages;

  std::optional<std::string> check_recipient(const Transaction&, const std::string& rcpt) override {
    recipients_checked.push_back(rcpt);
    return std::nullopt;
  }
  AcceptResult accept_message(const Transaction& t, const std::string& data) override {
    transactions.push_back(t);
    messages.push_back(data);
    return {true, "7C1D2E3F4A", {}};
  }
  std::optional<std::string> check_sender(const Transaction& t, const std::string& sender) override {
    senders_checked.push_back(sender);
    auth_user_at_sender_check.push_back(t.auth_user);
    return refuse_sender;
  }
  bool authenticate(const std::string& user, const std::string& password) override {
    logins.emplace_back(user, password);
    auto it = passwords.find(user);
    return it != passwords.end() && it->second == password;
  }
  std::optional<std::string> etrn(const std::string& domain) override {
    etrn_domains.push_back(domain);
    return refuse_etrn;
  }
};

ServerConfig tls_config(bool starttls, bool auth, bool tls_auth_only = false, bool tls_required = false) {
  ServerConfig c;
  c.hostname = "smtp.uni.example";
  c.starttls = starttls;
  c.auth = auth;
  c.tls_auth_only = tls_auth_only;
  c.tls_required = tls_required;
  return c;
}

struct Srv {
  explicit Srv(ServerConfig c = tls_config(false, false)) : session(std::move(c), hooks) {
    hooks.passwords["alice@uni.example"] = "secret";
  }
  std::string say(std::string_view bytes) {
    last = session.on_input(bytes);
    return last.send;
  }
  bool noted(std::string_view key) const {
    for (const auto& n : last.notes)
      if (n.key == key) return true;
    return false;
  }
  AuthHooks hooks;
  ServerSession session;
  SessionOutput last;
};

std::string ehlo(const std::vector<std::string>& extensions) {
  std::string out = "250-smtp.uni.example\r\n";
  for (std::size_t i = 0; i < extensions.size(); ++i)
    out += (i + 1 < extensions.size() ? "250-" : "250 ") + extensions[i] + "\r\n";
  return out;
}

const std::vector<std::string> kHead{"PIPELINING", "SIZE 10240000", "VRFY", "ETRN"};
const std::vector<std::string> kTail{"ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"};

std::vector<std::string> with(std::vector<std::string> middle) {
  std::vector<std::string> all = kHead;
  all.insert(all.end(), middle.begin(), middle.end());
  all.insert(all.end(), kTail.begin(), kTail.end());
  return all;
}

// "\0alice@uni.example\0secret" and friends, computed independently (Python base64).
const char* const kPlainAlice = "AGFsaWNlQHVuaS5leGFtcGxlAHNlY3JldA==";
const char* const kPlainAliceWrong = "AGFsaWNlQHVuaS5leGFtcGxlAHdyb25n";  // password "wrong"
const char* const kAliceB64 = "YWxpY2VAdW5pLmV4YW1wbGU=";                 // "alice@uni.example"
const char* const kSecretB64 = "c2VjcmV0";                                // "secret"

const char* const kAuthFailed = "535 5.7.8 Error: authentication failed: ";

}  // namespace

// ---------------------------------------------------------------------------------------------
// EHLO list

TEST_CASE("auth server: EHLO puts STARTTLS after ETRN and AUTH after STARTTLS") {
  Srv s(tls_config(true, true));
  CHECK(s.say("EHLO client.example\r\n") == ehlo(with({"STARTTLS", "AUTH PLAIN LOGIN"})));
  CHECK_FALSE(s.noted("note.smtp.auth_after_tls"));

  Srv tls_only(tls_config(true, false));
  CHECK(tls_only.say("EHLO client.example\r\n") == ehlo(with({"STARTTLS"})));

  Srv auth_only(tls_config(false, true));
  CHECK(auth_only.say("EHLO client.example\r\n") == ehlo(with({"AUTH PLAIN LOGIN"})));

  Srv plain(tls_config(false, false));
  CHECK(plain.say("EHLO client.example\r\n") == ehlo(with({})));
}

TEST_CASE("auth server: with tls_auth_only AUTH appears only after STARTTLS and STARTTLS disappears") {
  Srv s(tls_config(true, true, true));
  CHECK(s.say("EHLO client.example\r\n") == ehlo(with({"STARTTLS"})));
  CHECK(s.noted("note.smtp.auth_after_tls"));
  CHECK(s.say("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  CHECK(s.say("EHLO client.example\r\n") == ehlo(with({"AUTH PLAIN LOGIN"})));
  CHECK_FALSE(s.noted("note.smtp.auth_after_tls"));
}

// ---------------------------------------------------------------------------------------------
// STARTTLS

TEST_CASE("auth server: STARTTLS answers 220 and starts TLS and the session forgets HELO") {
  Srv s(tls_config(true, false));
  s.say("EHLO client.example\r\n");
  CHECK(s.session.transaction().helo == "client.example");
  CHECK_FALSE(s.session.tls());
  CHECK(s.say("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  CHECK(s.last.start_tls);
  CHECK(s.noted("note.smtp.tls_started"));
  CHECK(s.session.tls());
  CHECK(s.session.transaction().tls);
  CHECK(s.session.transaction().helo.empty());
  CHECK_FALSE(s.session.transaction().esmtp);
  CHECK(s.session.state() == ServerState::Connected);
  CHECK(s.session.errors() == 0);
  // Other replies never ask for TLS.
  CHECK(s.say("EHLO client.example\r\n") == ehlo(with({})));
  CHECK_FALSE(s.last.start_tls);
}

TEST_CASE("auth server: STARTTLS drops a transaction in progress") {
  Srv s(tls_config(true, false));
  s.say("EHLO client.example\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  CHECK_FALSE(s.session.transaction().has_sender);
  CHECK(s.session.transaction().mail_from.empty());
  s.say("EHLO client.example\r\n");
  CHECK(s.say("RCPT TO:<bob@uni.example>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
}

TEST_CASE("auth server: STARTTLS errors") {
  Srv s(tls_config(true, false));
  s.say("EHLO client.example\r\n");
  CHECK(s.say("STARTTLS now\r\n") == "501 5.5.4 Syntax: STARTTLS\r\n");
  CHECK_FALSE(s.last.start_tls);
  CHECK_FALSE(s.session.tls());
  CHECK(s.say("starttls\r\n") == "220 2.0.0 Ready to start TLS\r\n");  // verbs are case-insensitive
  s.say("EHLO client.example\r\n");
  CHECK(s.say("STARTTLS\r\n") == "554 5.5.1 Error: TLS already active\r\n");
  CHECK_FALSE(s.last.start_tls);
  CHECK(s.session.tls());
  CHECK(s.session.transaction().helo == "client.example");  // a refused STARTTLS forgets nothing
  CHECK(s.session.errors() == 2);

  Srv off(tls_config(false, false));
  off.say("EHLO client.example\r\n");
  CHECK(off.say("STARTTLS\r\n") == "502 5.5.1 Error: command not implemented\r\n");
  CHECK_FALSE(off.last.start_tls);
  CHECK_FALSE(off.session.tls());
  CHECK(off.session.errors() == 1);
}

TEST_CASE("auth server: bytes pipelined after STARTTLS are thrown away") {
  Srv s(tls_config(true, false));
  s.say("EHLO client.example\r\n");
  // Plaintext command injection (CVE-2011-0411): nothing after STARTTLS in the same read counts,
  // not even an unfinished line.
  CHECK(s.say("STARTTLS\r\nMAIL FROM:<mallory@evil.example>\r\nNOOP\r\nRCPT TO:<x") ==
        "220 2.0.0 Ready to start TLS\r\n");
  CHECK(s.last.start_tls);
  CHECK_FALSE(s.session.transaction().has_sender);
  CHECK(s.hooks.senders_checked.empty());
  CHECK(s.session.errors() == 0);
  // The next bytes are a fresh start: the half line above must not be glued to them.
  CHECK(s.say("EHLO client.example\r\n") == ehlo(with({})));
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().mail_from == "alice@uni.example");
}

TEST_CASE("auth server: tls_required refuses MAIL before TLS but EHLO HELO NOOP and QUIT work") {
  Srv s(tls_config(true, true, true, true));
  CHECK(s.say("EHLO client.example\r\n") == ehlo(with({"STARTTLS"})));
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
  CHECK(s.noted("note.smtp.tls_first"));
  CHECK_FALSE(s.session.transaction().has_sender);
  CHECK(s.say("RCPT TO:<bob@uni.example>\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
  CHECK(s.say("VRFY bob@uni.example\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "530 5.7.0 Must issue a STARTTLS command first\r\n");
  CHECK(s.hooks.logins.empty());
  CHECK(s.session.errors() == 4);
  CHECK(s.say("NOOP\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(s.say("HELO client.example\r\n") == "250 smtp.uni.example\r\n");
  CHECK(s.say("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  s.say("EHLO client.example\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say("QUIT\r\n") == "221 2.0.0 Bye\r\n");

  Srv q(tls_config(true, false, false, true));
  CHECK(q.say("QUIT\r\n") == "221 2.0.0 Bye\r\n");
  CHECK(q.last.close);
  CHECK(q.session.state() == ServerState::Closed);
}

// ---------------------------------------------------------------------------------------------
// AUTH

TEST_CASE("auth server: AUTH is refused when not enabled or before TLS with tls_auth_only") {
  Srv off(tls_config(true, false));
  off.say("EHLO client.example\r\n");
  CHECK(off.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") ==
        "503 5.5.1 Error: authentication not enabled\r\n");
  CHECK(off.hooks.logins.empty());
  CHECK(off.session.transaction().auth_user.empty());

  Srv later(tls_config(true, true, true));
  later.say("EHLO client.example\r\n");
  CHECK(later.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") ==
        "503 5.5.1 Error: authentication not enabled\r\n");
  CHECK(later.hooks.logins.empty());
  later.say("STARTTLS\r\n");
  later.say("EHLO client.example\r\n");
  CHECK(later.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  CHECK(later.session.transaction().auth_user == "alice@uni.example");
}

TEST_CASE("auth server: AUTH without a mechanism or with too many words is a syntax error") {
  Srv s(tls_config(false, true));
  s.say("EHLO client.example\r\n");
  CHECK(s.say("AUTH\r\n") == "501 5.5.4 Syntax: AUTH mechanism\r\n");
  CHECK(s.say("AUTH PLAIN abc def\r\n") == "501 5.5.4 Syntax: AUTH mechanism\r\n");
  CHECK(s.session.errors() == 2);
  CHECK(s.hooks.logins.empty());
}

TEST_CASE("auth server: AUTH PLAIN with an initial response logs in with the decoded credentials") {
  Srv s(tls_config(false, true));
  s.say("EHLO client.example\r\n");
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  REQUIRE(s.hooks.logins.size() == 1);
  CHECK(s.hooks.logins[0].first == "alice@uni.example");
  CHECK(s.hooks.logins[0].second == "secret");
  CHECK(s.session.transaction().auth_user == "alice@uni.example");
  CHECK(s.session.errors() == 0);
  // The explanation shows what base64 hides: NUL user NUL password.
  bool found = false;
  for (const auto& n : s.last.notes)
    if (n.key == "note.smtp.auth_plain") {
      found = true;
      REQUIRE(n.args.size() == 2);
      CHECK(n.args[0] == kPlainAlice);
      CHECK(n.args[1] == "\\0alice@uni.example\\0secret");
    }
  CHECK(found);
  CHECK(s.noted("note.smtp.auth_ok"));
  // The login lasts for the session: through RSET and into the accepted transaction.
  CHECK(s.say("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(s.session.transaction().auth_user == "alice@uni.example");
  s.say("MAIL FROM:<alice@uni.example>\r\nRCPT TO:<bob@correo.example>\r\nDATA\r\n");
  CHECK(s.say("Subject: x\r\n\r\nhi\r\n.\r\n") == "250 2.0.0 Ok: queued as 7C1D2E3F4A\r\n");
  REQUIRE(s.hooks.transactions.size() == 1);
  CHECK(s.hooks.transactions[0].auth_user == "alice@uni.example");
}

TEST_CASE("auth server: AUTH PLAIN without an initial response asks for it with 334") {
  Srv s(tls_config(false, true));
  s.say("EHLO client.example\r\n");
  CHECK(s.say("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(s.hooks.logins.empty());
  CHECK(s.say(std::string(kPlainAlice) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  REQUIRE(s.hooks.logins.size() == 1);
  CHECK(s.hooks.logins[0] == std::pair<std::string, std::string>{"alice@uni.example", "secret"});
  CHECK(s.session.transaction().auth_user == "alice@uni.example");
  CHECK(s.noted("note.smtp.auth_plain"));
  // Back to commands.
  CHECK(s.say("NOOP\r\n") == "250 2.0.0 Ok\r\n");
}

TEST_CASE("auth server: AUTH LOGIN asks for user name and password in base64") {
  Srv s(tls_config(false, true));
  s.say("EHLO client.example\r\n");
  CHECK(s.say("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(s.noted("note.smtp.auth_login_prompt"));
  CHECK(s.say(std::string(kAliceB64) + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(s.noted("note.smtp.auth_login_user"));
  CHECK(s.hooks.logins.empty());
  CHECK(s.say(std::string(kSecretB64) + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  CHECK(s.noted("note.smtp.auth_login_password"));
  REQUIRE(s.hooks.logins.size() == 1);
  CHECK(s.hooks.logins[0] == std::pair<std::string, std::string>{"alice@uni.example", "secret"});
  CHECK(s.session.transaction().auth_user == "alice@uni.example");

  // The user name may come with the command (RFC 4954 §4 initial response).
  Srv init(tls_config(false, true));
  init.say("EHLO client.example\r\n");
  CHECK(init.say(std::string("AUTH LOGIN ") + kAliceB64 + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(init.say(std::string(kSecretB64) + "\r\n") == "235 2.7.0 Authentication successful\r\n");

  // The whole dance split into single bytes gives the same replies.
  Srv bytes(tls_config(false, true));
  std::string replies;
  for (char c : std::string("EHLO c\r\nauth login\r\n") + kAliceB64 + "\r\n" + kSecretB64 + "\r\n")
    replies += bytes.say(std::string(1, c));
  CHECK(replies == ehlo(with({"AUTH PLAIN LOGIN"})) +
                       "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n");
}

TEST_CASE("auth server: a star aborts AUTH at any step") {
  for (const char* start : {"AUTH PLAIN\r\n", "AUTH LOGIN\r\n"}) {
    CAPTURE(start);
    Srv s(tls_config(false, true));
    s.say("EHLO client.example\r\n");
    CHECK(s.say(start).substr(0, 4) == "334 ");
    CHECK(s.say("*\r\n") == "501 5.7.0 Authentication aborted\r\n");
    CHECK(s.session.transaction().auth_user.empty());
    CHECK(s.session.errors() == 1);
    CHECK(s.say("NOOP\r\n") == "250 2.0.0 Ok\r\n");  // the next line is a command again
  }
  Srv pw(tls_config(false, true));
  pw.say("EHLO client.example\r\n");
  pw.say("AUTH LOGIN\r\n");
  CHECK(pw.say(std::string(kAliceB64) + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(pw.say("*\r\n") == "501 5.7.0 Authentication aborted\r\n");
  CHECK(pw.hooks.logins.empty());
}

TEST_CASE("auth server: bad base64 and wrong passwords and unknown mechanisms get 535") {
  Srv s(tls_config(false, true));
  s.say("EHLO client.example\r\n");
  CHECK(s.say("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(s.say("not*base64!\r\n") == std::string(kAuthFailed) + "Invalid base64 data in continued response\r\n");
  CHECK(s.say("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(s.say("@@@\r\n") == std::string(kAuthFailed) + "Invalid base64 data in continued response\r\n");
  CHECK(s.say("AUTH PLAIN %%%\r\n") == std::string(kAuthFailed) + "Invalid base64 data in initial response\r\n");
  CHECK(s.hooks.logins.empty());
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAliceWrong + "\r\n") ==
        std::string(kAuthFailed) + "(reason unavailable)\r\n");
  REQUIRE(s.hooks.logins.size() == 1);
  CHECK(s.hooks.logins[0] == std::pair<std::string, std::string>{"alice@uni.example", "wrong"});
  CHECK(s.session.transaction().auth_user.empty());
  CHECK(s.say("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(s.say(std::string(kAliceB64) + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(s.say("d3Jvbmc=\r\n") == std::string(kAuthFailed) + "(reason unavailable)\r\n");  // "wrong"
  CHECK(s.session.transaction().auth_user.empty());
  CHECK(s.say("AUTH CRAM-MD5\r\n") == std::string(kAuthFailed) + "Invalid authentication mechanism\r\n");
  CHECK(s.say("AUTH GSSAPI dGVzdA==\r\n") == std::string(kAuthFailed) + "Invalid authentication mechanism\r\n");
  CHECK(s.session.errors() == 7);
  // A PLAIN response without two NULs names nobody: the password is not even asked about.
  CHECK(s.say("AUTH PLAIN YWxpY2U=\r\n") == std::string(kAuthFailed) + "(reason unavailable)\r\n");  // "alice"
  CHECK(s.hooks.logins.size() == 2);
  // After all that, the right password still works.
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "235 2.7.0 Authentication successful\r\n");
}

TEST_CASE("auth server: no second AUTH and no AUTH inside a mail transaction") {
  Srv s(tls_config(false, true));
  s.say("EHLO client.example\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "503 5.5.1 Error: MAIL transaction in progress\r\n");
  CHECK(s.hooks.logins.empty());
  CHECK(s.say("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "503 5.5.1 Error: already authenticated\r\n");
  CHECK(s.say("AUTH LOGIN\r\n") == "503 5.5.1 Error: already authenticated\r\n");
  CHECK(s.hooks.logins.size() == 1);
  CHECK(s.session.errors() == 3);
}

// ---------------------------------------------------------------------------------------------
// ETRN

TEST_CASE("auth server: ETRN starts the queue for a domain") {
  Srv s;
  s.say("EHLO client.example\r\n");
  CHECK(s.say("ETRN uni.example\r\n") == "250 Queuing started\r\n");
  CHECK(s.say("ETRN @sub.uni.example\r\n") == "250 Queuing started\r\n");
  CHECK(s.say("etrn #lists.example\r\n") == "250 Queuing started\r\n");
  CHECK(s.hooks.etrn_domains == std::vector<std::string>{"uni.example", "sub.uni.example", "lists.example"});
  CHECK(s.session.errors() == 0);
  s.hooks.refuse_etrn = "458 Unable to queue messages for node uni.example";
  CHECK(s.say("ETRN uni.example\r\n") == "458 Unable to queue messages for node uni.example\r\n");
}

TEST_CASE("auth server: ETRN errors") {
  Srv s;
  s.say("EHLO client.example\r\n");
  CHECK(s.say("ETRN\r\n") == "500 Syntax: ETRN domain\r\n");
  CHECK(s.say("ETRN uni.example other.example\r\n") == "500 Syntax: ETRN domain\r\n");
  CHECK(s.say("ETRN bad..domain\r\n") == "501 Error: invalid parameter syntax\r\n");
  CHECK(s.say("ETRN @\r\n") == "501 Error: invalid parameter syntax\r\n");
  CHECK(s.hooks.etrn_domains.empty());
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say("ETRN uni.example\r\n") == "503 Error: MAIL transaction in progress\r\n");
  CHECK(s.hooks.etrn_domains.empty());
  CHECK(s.session.errors() == 5);
}

// ---------------------------------------------------------------------------------------------
// DSN and SMTPUTF8 parameters

TEST_CASE("auth server: MAIL takes RET and ENVID and stores them") {
  Srv s;
  s.say("EHLO client.example\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example> RET=FULL ENVID=QQ314159\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().ret == "FULL");
  CHECK(s.session.transaction().envid == "QQ314159");
  CHECK(s.say("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(s.session.transaction().ret.empty());
  CHECK(s.session.transaction().envid.empty());
  CHECK(s.say("MAIL FROM:<alice@uni.example> ret=hdrs ENVID=a+2Bb\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().ret == "hdrs");
  CHECK(s.session.transaction().envid == "a+2Bb");
  s.say("RCPT TO:<bob@correo.example>\r\nDATA\r\n");
  CHECK(s.say("x\r\n.\r\n") == "250 2.0.0 Ok: queued as 7C1D2E3F4A\r\n");
  REQUIRE(s.hooks.transactions.size() == 1);
  CHECK(s.hooks.transactions[0].ret == "hdrs");
  CHECK(s.hooks.transactions[0].envid == "a+2Bb");
}

TEST_CASE("auth server: bad RET and ENVID parameters") {
  Srv s;
  s.say("EHLO client.example\r\n");
  for (const char* p : {"RET=", "RET=BODY", "RET=FULL RET=FULL", "RET=FULL RET=HDRS"}) {
    CAPTURE(p);
    CHECK(s.say(std::string("MAIL FROM:<alice@uni.example> ") + p + "\r\n") == "501 5.5.4 Bad RET parameter syntax\r\n");
    CHECK_FALSE(s.session.transaction().has_sender);
    CHECK(s.session.transaction().ret.empty());
  }
  for (const char* p : {"ENVID=", "ENVID=a=b", "ENVID=abc+2", "ENVID=abc+zz", "ENVID=x ENVID=y"}) {
    CAPTURE(p);
    CHECK(s.say(std::string("MAIL FROM:<alice@uni.example> ") + p + "\r\n") ==
          "501 5.5.4 Bad ENVID parameter syntax\r\n");
    CHECK_FALSE(s.session.transaction().has_sender);
    CHECK(s.session.transaction().envid.empty());
  }
  CHECK(s.say("MAIL FROM:<alice@uni.example> ENVID=" + std::string(101, 'x') + "\r\n") ==
        "501 5.5.4 Bad ENVID parameter syntax\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example> ENVID=" + std::string(100, 'x') + "\r\n") == "250 2.1.0 Ok\r\n");
}

TEST_CASE("is_xtext follows RFC 3461 §4") {
  CHECK(is_xtext(""));
  CHECK(is_xtext("QQ314159"));
  CHECK(is_xtext("a+2Bb+3D"));
  CHECK(is_xtext("+2B"));
  CHECK_FALSE(is_xtext("a=b"));
  CHECK_FALSE(is_xtext("a b"));
  CHECK_FALSE(is_xtext("+2"));
  CHECK_FALSE(is_xtext("x+"));
  CHECK_FALSE(is_xtext("+2b"));  // hex digits are upper case
  CHECK_FALSE(is_xtext("ñ"));
}

TEST_CASE("auth server: RCPT takes NOTIFY and ORCPT and stores them per recipient") {
  Srv s;
  s.say("EHLO client.example\r\n");
  s.say("MAIL FROM:<alice@uni.example>\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@x\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.say("RCPT TO:<carol@correo.example>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.say("RCPT TO:<dave@correo.example> NOTIFY=NEVER\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.say("RCPT TO:<erin@correo.example> notify=delay ORCPT=rfc822;erin+40x\r\n") == "250 2.1.5 Ok\r\n");
  const Transaction& t = s.session.transaction();
  REQUIRE(t.rcpts.size() == 4);
  REQUIRE(t.rcpt_params.size() == 4);
  CHECK(t.rcpt_params[0].notify == "SUCCESS,FAILURE");
  CHECK(t.rcpt_params[0].orcpt == "rfc822;bob@x");
  CHECK(t.rcpt_params[1].notify.empty());
  CHECK(t.rcpt_params[1].orcpt.empty());
  CHECK(t.rcpt_params[2].notify == "NEVER");
  CHECK(t.rcpt_params[3].notify == "delay");
  CHECK(t.rcpt_params[3].orcpt == "rfc822;erin+40x");
}

TEST_CASE("auth server: bad NOTIFY and ORCPT parameters") {
  Srv s;
  s.say("EHLO client.example\r\n");
  s.say("MAIL FROM:<alice@uni.example>\r\n");
  for (const char* p : {"NOTIFY=NEVER,SUCCESS", "NOTIFY=SUCCESS,NEVER", "NOTIFY=BOGUS", "NOTIFY=", "NOTIFY=SUCCESS,",
                        "NOTIFY=,FAILURE", "NOTIFY=SUCCESS NOTIFY=FAILURE"}) {
    CAPTURE(p);
    CHECK(s.say(std::string("RCPT TO:<bob@correo.example> ") + p + "\r\n") ==
          "501 5.5.4 Error: Bad NOTIFY parameter syntax\r\n");
  }
  for (const char* p : {"ORCPT=bob@x", "ORCPT=;bob@x", "ORCPT=rfc822;a=b", "ORCPT=rfc822;a+4", "ORCPT=rfc822;a ORCPT=rfc822;b"}) {
    CAPTURE(p);
    CHECK(s.say(std::string("RCPT TO:<bob@correo.example> ") + p + "\r\n") ==
          "501 5.5.4 Error: Bad ORCPT parameter syntax\r\n");
  }
  CHECK(s.session.transaction().rcpts.empty());
  CHECK(s.session.transaction().rcpt_params.empty());
  CHECK(s.hooks.recipients_checked.empty());  // syntax is checked before the recipient is looked up
  CHECK(s.session.state() == ServerState::Mail);
}

TEST_CASE("auth server: SMTPUTF8 is remembered for the transaction only") {
  Srv s;
  s.say("EHLO client.example\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK_FALSE(s.session.transaction().smtputf8);
  s.say("RSET\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example> SMTPUTF8 BODY=8BITMIME\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().smtputf8);
  CHECK(s.session.transaction().body_8bit);
  s.say("RCPT TO:<bob@correo.example>\r\nDATA\r\n");
  CHECK(s.say("x\r\n.\r\n") == "250 2.0.0 Ok: queued as 7C1D2E3F4A\r\n");
  REQUIRE(s.hooks.transactions.size() == 1);
  CHECK(s.hooks.transactions[0].smtputf8);
  CHECK_FALSE(s.session.transaction().smtputf8);  // the next transaction starts afresh
  CHECK(s.say("MAIL FROM:<alice@uni.example> SMTPUTF8=yes\r\n") == "555 5.5.4 Unsupported option: SMTPUTF8=yes\r\n");
}

// ---------------------------------------------------------------------------------------------
// Sender restrictions

TEST_CASE("auth server: a check_sender refusal comes at RCPT time and not at MAIL") {
  Srv s(tls_config(false, true));
  s.say("EHLO client.example\r\n");
  CHECK(s.say(std::string("AUTH PLAIN ") + kPlainAlice + "\r\n") == "235 2.7.0 Authentication successful\r\n");
  const std::string refusal =
      "553 5.7.1 <decano@uni.example>: Sender address rejected: not owned by user alice@uni.example";
  s.hooks.refuse_sender = refusal;
  CHECK(s.say("MAIL FROM:<decano@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.hooks.senders_checked.empty());
  CHECK(s.session.transaction().has_sender);
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == refusal + "\r\n");
  CHECK(s.hooks.senders_checked == std::vector<std::string>{"decano@uni.example"});
  CHECK(s.hooks.auth_user_at_sender_check == std::vector<std::string>{"alice@uni.example"});
  CHECK(s.hooks.recipients_checked.empty());  // the sender check comes first
  CHECK(s.session.transaction().rcpts.empty());
  CHECK(s.session.errors() == 1);
  CHECK(s.say("DATA\r\n") == "554 5.5.1 Error: no valid recipients\r\n");

  s.hooks.refuse_sender.reset();
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.hooks.recipients_checked == std::vector<std::string>{"bob@correo.example"});
}
