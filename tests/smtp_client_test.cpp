// proto/smtp/client: the sans-IO SMTP client session, fed server replies by hand,
// and a loopback run of a client against a server session.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proto/smtp/client.h"
#include "proto/smtp/server.h"

using namespace postlab;
using namespace postlab::smtp;

namespace {

const char* const kEightBit = "Subject: =?UTF-8?Q?=C2=A1Hola!?=\r\n\r\nnos vemos mañana\r\n";
const char* const kSevenBit = "Subject: hi\r\n\r\nsee you tomorrow\r\n";
const char* const kEhlo =
    "250-mx.correo.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ENHANCEDSTATUSCODES\r\n"
    "250 8BITMIME\r\n";

ClientJob job(std::vector<std::string> rcpts = {"bob@correo.example"}, std::string data = kEightBit) {
  return ClientJob{.helo_name = "mail.uni.example", .mail_from = "alice@uni.example", .rcpts = std::move(rcpts), .data = std::move(data)};
}

struct Client {
  explicit Client(ClientJob j) : session(std::move(j)) {}
  std::string say(std::string_view replies) {
    last = session.on_input(replies);
    return last.send;
  }
  ClientSession session;
  SessionOutput last;
};

}  // namespace

TEST_CASE("client: EHLO after the greeting and MAIL with SIZE and BODY=8BITMIME") {
  Client c(job());
  CHECK(c.session.state() == ClientState::Greeting);
  CHECK(c.say("220 mx.correo.example ESMTP Postfix\r\n") == "EHLO mail.uni.example\r\n");
  CHECK(c.session.state() == ClientState::Ehlo);
  // A multi-line reply is only acted on when its last line arrives.
  CHECK(c.say("250-mx.correo.example\r\n250-PIPELINING\r\n").empty());
  CHECK(c.say("250-SIZE 10240000\r\n250-VRFY\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n") ==
        "MAIL FROM:<alice@uni.example> SIZE=" + std::to_string(std::string(kEightBit).size()) + " BODY=8BITMIME\r\n");
  CHECK(c.session.extensions() ==
        std::vector<std::string>{"PIPELINING", "SIZE 10240000", "VRFY", "ENHANCEDSTATUSCODES", "8BITMIME"});
  CHECK(c.session.state() == ClientState::Mail);
}

TEST_CASE("client: no SIZE or BODY parameter unless announced and needed") {
  Client seven(job({"bob@correo.example"}, kSevenBit));
  seven.say("220 mx ESMTP\r\n");
  CHECK(seven.say(kEhlo) == "MAIL FROM:<alice@uni.example> SIZE=" + std::to_string(std::string(kSevenBit).size()) +
                                "\r\n");
  Client bare(job());
  bare.say("220 mx ESMTP\r\n");
  CHECK(bare.say("250-mx.correo.example\r\n250 PIPELINING\r\n") == "MAIL FROM:<alice@uni.example>\r\n");
}

TEST_CASE("client: falls back to HELO when EHLO gets a permanent error") {
  Client c(job());
  c.say("220 old.example SMTP\r\n");
  CHECK(c.say("502 5.5.2 Error: command not recognized\r\n") == "HELO mail.uni.example\r\n");
  CHECK(c.session.state() == ClientState::Helo);
  CHECK_FALSE(c.last.notes.empty());
  CHECK(c.say("250 old.example\r\n") == "MAIL FROM:<alice@uni.example>\r\n");  // no extensions known
  CHECK(c.session.extensions().empty());
}

TEST_CASE("client: a temporary EHLO error or a bad greeting ends the session with QUIT") {
  Client temp(job());
  temp.say("220 mx ESMTP\r\n");
  CHECK(temp.say("421 4.3.2 Service shutting down\r\n") == "QUIT\r\n");
  REQUIRE(temp.session.outcomes().size() == 1);
  CHECK(temp.session.outcomes()[0].status == RcptStatus::TempFail);
  CHECK(temp.session.outcomes()[0].reply == "421 4.3.2 Service shutting down");

  Client refused(job());
  CHECK(refused.say("554 5.7.1 No SMTP service here\r\n") == "QUIT\r\n");
  CHECK(refused.session.outcomes()[0].status == RcptStatus::PermFail);
  CHECK(refused.session.outcomes()[0].reply == "554 5.7.1 No SMTP service here");
  CHECK(refused.say("221 2.0.0 Bye\r\n").empty());
  CHECK(refused.last.close);
  CHECK(refused.session.done());
}

TEST_CASE("client: one RCPT per recipient and the final reply decides the accepted ones") {
  Client c(job({"bob@correo.example", "nobody@correo.example", "carol@correo.example"}));
  c.say("220 mx ESMTP\r\n");
  c.say(kEhlo);
  CHECK(c.say("250 2.1.0 Ok\r\n") == "RCPT TO:<bob@correo.example>\r\n");
  CHECK(c.say("250 2.1.5 Ok\r\n") == "RCPT TO:<nobody@correo.example>\r\n");
  CHECK(c.say("550 5.1.1 <nobody@correo.example>: Recipient address rejected: User unknown\r\n") ==
        "RCPT TO:<carol@correo.example>\r\n");
  CHECK_FALSE(c.session.outcomes_final());
  CHECK(c.say("250 2.1.5 Ok\r\n") == "DATA\r\n");
  CHECK(c.say("354 End data with <CR><LF>.<CR><LF>\r\n") == ClientSession::stuff(kEightBit));
  CHECK(c.session.state() == ClientState::Body);
  CHECK(c.say("250 2.0.0 Ok: queued as 4F2A91C3B7\r\n") == "QUIT\r\n");
  CHECK(c.session.outcomes_final());
  const auto& o = c.session.outcomes();
  REQUIRE(o.size() == 3);
  CHECK(o[0].rcpt == "bob@correo.example");
  CHECK(o[0].status == RcptStatus::Delivered);
  CHECK(o[0].reply == "250 2.0.0 Ok: queued as 4F2A91C3B7");
  CHECK(o[1].status == RcptStatus::PermFail);
  CHECK(o[1].reply == "550 5.1.1 <nobody@correo.example>: Recipient address rejected: User unknown");
  CHECK(o[2].status == RcptStatus::Delivered);
  CHECK_FALSE(c.session.done());
  CHECK(c.say("221 2.0.0 Bye\r\n").empty());
  CHECK(c.last.close);
  CHECK(c.session.done());
}

TEST_CASE("client: when every recipient is refused there is no DATA") {
  Client c(job({"x@correo.example", "y@correo.example"}));
  c.say("220 mx ESMTP\r\n");
  c.say(kEhlo);
  c.say("250 2.1.0 Ok\r\n");
  CHECK(c.say("550 5.1.1 <x@correo.example>: unknown\r\n") == "RCPT TO:<y@correo.example>\r\n");
  CHECK(c.say("450 4.2.0 <y@correo.example>: greylisted\r\n") == "QUIT\r\n");
  CHECK(c.session.state() == ClientState::Quit);
  CHECK(c.session.outcomes_final());
  CHECK(c.session.outcomes()[0].status == RcptStatus::PermFail);
  CHECK(c.session.outcomes()[1].status == RcptStatus::TempFail);
}

TEST_CASE("client: the final reply class gives Delivered or TempFail or PermFail") {
  const std::vector<std::pair<std::string, RcptStatus>> cases{
      {"250 2.0.0 Ok: queued as ABC", RcptStatus::Delivered},
      {"451 4.3.0 Error: queue file write error", RcptStatus::TempFail},
      {"552 5.3.4 Error: message file too big", RcptStatus::PermFail}};
  for (const auto& [reply, status] : cases) {
    CAPTURE(reply);
    Client c(job());
    c.say("220 mx ESMTP\r\n");
    c.say(kEhlo);
    c.say("250 2.1.0 Ok\r\n");
    c.say("250 2.1.5 Ok\r\n");
    c.say("354 go ahead\r\n");
    CHECK(c.say(reply + "\r\n") == "QUIT\r\n");
    CHECK(c.session.outcomes()[0].status == status);
    CHECK(c.session.outcomes()[0].reply == reply);
  }
}

TEST_CASE("client: a refused MAIL or DATA fails every recipient") {
  Client mail(job({"a@y.example", "b@y.example"}));
  mail.say("220 mx ESMTP\r\n");
  mail.say(kEhlo);
  CHECK(mail.say("553 5.7.1 <alice@uni.example>: Sender address rejected\r\n") == "QUIT\r\n");
  for (const auto& o : mail.session.outcomes()) {
    CHECK(o.status == RcptStatus::PermFail);
    CHECK(o.reply == "553 5.7.1 <alice@uni.example>: Sender address rejected");
  }
  Client data(job());
  data.say("220 mx ESMTP\r\n");
  data.say(kEhlo);
  data.say("250 2.1.0 Ok\r\n");
  data.say("250 2.1.5 Ok\r\n");
  CHECK(data.say("451 4.3.0 try later\r\n") == "QUIT\r\n");
  CHECK(data.session.outcomes()[0].status == RcptStatus::TempFail);
}

TEST_CASE("ClientSession::stuff doubles leading dots and ends with CRLF.CRLF") {
  CHECK(ClientSession::stuff("a\r\nb\r\n") == "a\r\nb\r\n.\r\n");
  CHECK(ClientSession::stuff(".hidden\r\n..two\r\n.\r\nmid.dot\r\n") ==
        "..hidden\r\n...two\r\n..\r\nmid.dot\r\n.\r\n");
  CHECK(ClientSession::stuff("no final line end") == "no final line end\r\n.\r\n");
  CHECK(ClientSession::stuff(".") == "..\r\n.\r\n");
  CHECK(ClientSession::stuff("") == ".\r\n");
}

TEST_CASE("client: a malformed reply defers every recipient and hangs up") {
  const std::vector<std::string> bad_replies{"hello there\r\n",      "25 short\r\n",
                                            "250x no separator\r\n", "199 too low\r\n",
                                            "250-first\r\n251 different code\r\n",
                                            "250 " + std::string(5000, 'x') + "\r\n"};
  for (const std::string& bad : bad_replies) {
    CAPTURE(bad.substr(0, 40));
    Client c(job({"a@y.example", "b@y.example"}));
    c.say("220 mx ESMTP\r\n");
    CHECK(c.say(bad).empty());
    CHECK(c.last.close);
    CHECK(c.session.done());
    for (const auto& o : c.session.outcomes()) {
      CHECK(o.status == RcptStatus::TempFail);
      CHECK(o.reply.find("malformed reply") != std::string::npos);
    }
    CHECK(c.say("250 ok\r\n").empty());  // nothing more happens
  }
}

TEST_CASE("client: a connection lost mid-way defers what is still pending") {
  Client c(job({"a@y.example", "b@y.example"}));
  c.say("220 mx ESMTP\r\n");
  c.say(kEhlo);
  c.say("250 2.1.0 Ok\r\n");
  c.say("550 5.1.1 <a@y.example>: unknown\r\n");
  const SessionOutput out = c.session.on_closed();
  CHECK_FALSE(out.notes.empty());
  CHECK(c.session.done());
  CHECK(c.session.outcomes()[0].status == RcptStatus::PermFail);  // already decided: kept
  CHECK(c.session.outcomes()[1].status == RcptStatus::TempFail);
  CHECK(c.session.outcomes()[1].reply == "lost connection while sending RCPT TO");
  CHECK(c.session.outcomes()[1].local_dsn == "4.4.2");
}

TEST_CASE("client: a close after QUIT changes nothing") {
  Client c(job());
  c.say("220 mx ESMTP\r\n");
  c.say(kEhlo);
  c.say("250 2.1.0 Ok\r\n");
  c.say("250 2.1.5 Ok\r\n");
  c.say("354 go ahead\r\n");
  c.say("250 2.0.0 Ok: queued as X\r\n");
  CHECK(c.session.on_closed().notes.empty());
  CHECK(c.session.done());
  CHECK(c.session.outcomes()[0].status == RcptStatus::Delivered);
}

TEST_CASE("client: replies split anywhere or with bare LF give the same commands") {
  const std::string replies = std::string("220 mx ESMTP\r\n") + kEhlo + "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n" +
                              "250 2.0.0 Ok: queued as X\r\n221 2.0.0 Bye\r\n";
  Client whole(job());
  const std::string expected = whole.say(replies);
  CHECK(expected == "EHLO mail.uni.example\r\nMAIL FROM:<alice@uni.example> SIZE=" +
                        std::to_string(std::string(kEightBit).size()) +
                        " BODY=8BITMIME\r\nRCPT TO:<bob@correo.example>\r\nDATA\r\n" +
                        ClientSession::stuff(kEightBit) + "QUIT\r\n");
  CHECK(whole.session.done());
  Client bytes(job());
  std::string sent;
  for (char ch : replies) sent += bytes.say(std::string(1, ch));
  CHECK(sent == expected);
  std::string lf = replies;
  for (std::size_t p = lf.find("\r\n"); p != std::string::npos; p = lf.find("\r\n", p)) lf.erase(p, 1);
  Client bare(job());
  CHECK(bare.say(lf) == expected);
}

// ---------------------------------------------------------------------------------------------
// Loopback: a client session talking straight to a server session.

namespace {

struct LoopHooks : ServerHooks {
  std::map<std::string, std::string> reject;
  std::vector<std::string> messages;
  std::vector<Transaction> transactions;
  std::optional<std::string> check_recipient(const Transaction&, const std::string& rcpt) override {
    if (auto it = reject.find(rcpt); it != reject.end()) return it->second;
    return std::nullopt;
  }
  AcceptResult accept_message(const Transaction& t, const std::string& data) override {
    transactions.push_back(t);
    messages.push_back(data);
    return {true, "1A2B3C4D5E", {}};
  }
};

// Passes bytes back and forth (in slices of `chunk` bytes) until the client is done. Returns the rounds.
int converse(ClientSession& client, ServerSession& server, std::size_t chunk) {
  std::string to_client = server.on_connect().send;
  int rounds = 0;
  while (!client.done() && rounds < 100) {
    ++rounds;
    std::string to_server;
    bool client_closes = false;
    for (std::size_t i = 0; i < to_client.size(); i += chunk) {
      SessionOutput c = client.on_input(std::string_view(to_client).substr(i, chunk));
      to_server += c.send;
      client_closes = client_closes || c.close;
    }
    if (client_closes) break;
    to_client.clear();
    bool server_closes = false;
    for (std::size_t i = 0; i < to_server.size(); i += chunk) {
      SessionOutput s = server.on_input(std::string_view(to_server).substr(i, chunk));
      to_client += s.send;
      server_closes = server_closes || s.close;
    }
    if (server_closes) {
      client.on_input(to_client);
      client.on_closed();
    }
  }
  return rounds;
}

}  // namespace

TEST_CASE("loopback: the server accepts exactly the client's message") {
  const std::string data =
      "From: Alice <alice@uni.example>\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\n"
      "mañana\r\n..\r\nlast line without CRLF";
  for (std::size_t chunk : {std::size_t{1}, std::size_t{5}, std::size_t{4096}}) {
    CAPTURE(chunk);
    LoopHooks hooks;
    const std::string unknown = "550 5.1.1 <nobody@correo.example>: Recipient address rejected: User unknown";
    hooks.reject["nobody@correo.example"] = unknown;
    ServerConfig config;
    config.hostname = "mx.correo.example";
    ServerSession server(config, hooks);
    ClientSession client(
        ClientJob{.helo_name = "mail.uni.example", .mail_from = "alice@uni.example",
                  .rcpts = {"bob@correo.example", "nobody@correo.example"}, .data = data});
    converse(client, server, chunk);

    CHECK(client.done());
    CHECK(server.state() == ServerState::Closed);
    REQUIRE(hooks.messages.size() == 1);
    CHECK(hooks.messages[0] == data + "\r\n");  // the client ends the last line for the end marker
    CHECK(hooks.transactions[0].mail_from == "alice@uni.example");
    CHECK(hooks.transactions[0].rcpts == std::vector<std::string>{"bob@correo.example"});
    CHECK(hooks.transactions[0].esmtp);
    CHECK(hooks.transactions[0].declared_size == data.size());
    const auto& o = client.outcomes();
    REQUIRE(o.size() == 2);
    CHECK(o[0].status == RcptStatus::Delivered);
    CHECK(o[0].reply == "250 2.0.0 Ok: queued as 1A2B3C4D5E");
    CHECK(o[1].status == RcptStatus::PermFail);
    CHECK(o[1].reply == unknown);
    CHECK(server.errors() == 0);  // a delivered message forgives the refused recipient
  }
}

TEST_CASE("loopback: a message that ends in CRLF arrives byte for byte") {
  const std::string data = "Subject: x\r\n\r\n.\r\n.\r\n";
  LoopHooks hooks;
  ServerConfig config;
  config.hostname = "mx.correo.example";
  ServerSession server(config, hooks);
  ClientSession client(ClientJob{.helo_name = "c.example", .mail_from = "", .rcpts = {"bob@correo.example"}, .data = data});  // null sender
  converse(client, server, 4096);
  REQUIRE(hooks.messages.size() == 1);
  CHECK(hooks.messages[0] == data);
  CHECK(hooks.transactions[0].mail_from.empty());
  CHECK(client.outcomes()[0].status == RcptStatus::Delivered);
}

// ---------------------------------------------------------------------------------------------
// STARTTLS (RFC 3207) and AUTH (RFC 4954) on the client side.

namespace {

const char* const kEhloTls = "250-mx.correo.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n";
const char* const kEhloAuth = "250-mx.correo.example\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n";
const char* const kMail8 = "MAIL FROM:<alice@uni.example> BODY=8BITMIME\r\n";
// base64 of "\0alice@uni.example\0secret", "alice@uni.example" and "secret" (computed with Python).
const char* const kPlainAlice = "AGFsaWNlQHVuaS5leGFtcGxlAHNlY3JldA==";
const char* const kAliceB64 = "YWxpY2VAdW5pLmV4YW1wbGU=";
const char* const kSecretB64 = "c2VjcmV0";

ClientJob auth_job(std::string mechanism = "PLAIN", std::vector<std::string> rcpts = {"bob@correo.example"}) {
  ClientJob j = job(std::move(rcpts));
  j.auth_user = "alice@uni.example";
  j.auth_password = "secret";
  j.auth_mechanism = std::move(mechanism);
  return j;
}

bool has_note(const SessionOutput& out, std::string_view key) {
  for (const auto& n : out.notes)
    if (n.key == key) return true;
  return false;
}

}  // namespace

TEST_CASE("client: STARTTLS when offered then EHLO again inside TLS") {
  Client c(job());
  c.say("220 mx.correo.example ESMTP Postfix\r\n");
  CHECK(c.say(kEhloTls) == "STARTTLS\r\n");
  CHECK(c.session.state() == ClientState::StartTls);
  CHECK_FALSE(c.last.start_tls);
  CHECK_FALSE(c.session.tls());
  CHECK(c.say("220 2.0.0 Ready to start TLS\r\n") == "EHLO mail.uni.example\r\n");
  CHECK(c.last.start_tls);
  CHECK(c.session.tls());
  CHECK(c.session.state() == ClientState::Ehlo);
  CHECK(c.session.extensions().empty());  // RFC 3207 §4.2: what was learnt before TLS is forgotten
  // Even if the server still lists STARTTLS, the client does not ask twice.
  CHECK(c.say(kEhloTls) == kMail8);
  CHECK_FALSE(c.last.start_tls);
  CHECK(c.session.tls());
}

TEST_CASE("client: with starttls off the offer is ignored") {
  ClientJob j = job();
  j.starttls = false;
  Client c(j);
  c.say("220 mx ESMTP\r\n");
  CHECK(c.say(kEhloTls) == kMail8);
  CHECK_FALSE(c.last.start_tls);
  CHECK_FALSE(c.session.tls());
}

TEST_CASE("client: a refused STARTTLS carries on in the clear") {
  Client c(job());
  c.say("220 mx ESMTP\r\n");
  CHECK(c.say(kEhloTls) == "STARTTLS\r\n");
  CHECK(c.say("454 4.7.0 TLS not available due to local problem\r\n") == kMail8);
  CHECK_FALSE(c.last.start_tls);
  CHECK_FALSE(c.session.tls());
  REQUIRE(c.session.outcomes().size() == 1);
  CHECK(c.session.outcomes()[0].status == RcptStatus::Pending);

  // ... and still logs in when it has a password and the server offers AUTH, as it would have
  // done had STARTTLS not been offered at all.
  Client a(auth_job());
  a.say("220 mx ESMTP\r\n");
  CHECK(a.say("250-mx.correo.example\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n") == "STARTTLS\r\n");
  CHECK(a.say("454 4.7.0 TLS not available due to local problem\r\n") == std::string("AUTH PLAIN ") + kPlainAlice + "\r\n");
  CHECK(a.say("235 2.7.0 Authentication successful\r\n") == kMail8);
  CHECK(a.session.authenticated());
}

TEST_CASE("client: AUTH PLAIN sends NUL user NUL password in base64 then MAIL") {
  Client c(auth_job());
  c.say("220 mx ESMTP\r\n");
  CHECK(c.say(kEhloAuth) == std::string("AUTH PLAIN ") + kPlainAlice + "\r\n");
  CHECK(c.session.state() == ClientState::Auth);
  CHECK_FALSE(c.session.authenticated());
  CHECK(c.say("235 2.7.0 Authentication successful\r\n") == kMail8);
  CHECK(c.session.authenticated());
  CHECK(c.session.state() == ClientState::Mail);

  // A different password gives a different line: the credentials really are in it.
  ClientJob other = auth_job();
  other.auth_user = "bob@uni.example";
  other.auth_password = "hunter2";
  Client b(other);
  b.say("220 mx ESMTP\r\n");
  CHECK(b.say(kEhloAuth) == "AUTH PLAIN AGJvYkB1bmkuZXhhbXBsZQBodW50ZXIy\r\n");
}

TEST_CASE("client: STARTTLS comes before AUTH") {
  Client c(auth_job());
  c.say("220 mx ESMTP\r\n");
  CHECK(c.say("250-mx.correo.example\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n") == "STARTTLS\r\n");
  CHECK(c.say("220 2.0.0 Ready to start TLS\r\n") == "EHLO mail.uni.example\r\n");
  CHECK(c.say(kEhloAuth) == std::string("AUTH PLAIN ") + kPlainAlice + "\r\n");
  CHECK(c.say("235 2.7.0 Authentication successful\r\n") == kMail8);
  CHECK(c.session.tls());
  CHECK(c.session.authenticated());
}

TEST_CASE("client: AUTH LOGIN answers the two 334 prompts") {
  Client c(auth_job("LOGIN"));
  c.say("220 mx ESMTP\r\n");
  CHECK(c.say(kEhloAuth) == "AUTH LOGIN\r\n");
  CHECK(c.session.state() == ClientState::Auth);
  CHECK(c.say("334 VXNlcm5hbWU6\r\n") == std::string(kAliceB64) + "\r\n");
  CHECK(c.session.state() == ClientState::AuthLoginUser);
  CHECK(c.say("334 UGFzc3dvcmQ6\r\n") == std::string(kSecretB64) + "\r\n");
  CHECK(c.session.state() == ClientState::AuthLoginPassword);
  CHECK_FALSE(c.session.authenticated());
  CHECK(c.say("235 2.7.0 Authentication successful\r\n") == kMail8);
  CHECK(c.session.authenticated());
}

TEST_CASE("client: a refused login fails every recipient and the client QUITs") {
  const std::string refused = "535 5.7.8 Error: authentication failed: (reason unavailable)";
  Client c(auth_job("PLAIN", {"bob@correo.example", "carol@correo.example"}));
  c.say("220 mx ESMTP\r\n");
  c.say(kEhloAuth);
  CHECK(c.say(refused + "\r\n") == "QUIT\r\n");
  CHECK_FALSE(c.session.authenticated());
  CHECK(c.session.outcomes_final());
  REQUIRE(c.session.outcomes().size() == 2);
  for (const auto& o : c.session.outcomes()) {
    CHECK(o.status == RcptStatus::PermFail);
    CHECK(o.reply == refused);
  }
  CHECK(c.say("221 2.0.0 Bye\r\n").empty());
  CHECK(c.session.done());
  CHECK(c.last.close);

  Client login(auth_job("LOGIN"));
  login.say("220 mx ESMTP\r\n");
  login.say(kEhloAuth);
  login.say("334 VXNlcm5hbWU6\r\n");
  login.say("334 UGFzc3dvcmQ6\r\n");
  CHECK(login.say(refused + "\r\n") == "QUIT\r\n");
  CHECK(login.session.outcomes()[0].status == RcptStatus::PermFail);

  Client busy(auth_job());
  busy.say("220 mx ESMTP\r\n");
  busy.say(kEhloAuth);
  CHECK(busy.say("454 4.7.0 Temporary authentication failure\r\n") == "QUIT\r\n");
  CHECK(busy.session.outcomes()[0].status == RcptStatus::TempFail);
}

TEST_CASE("client: without AUTH offered it goes on to MAIL") {
  Client c(auth_job());
  c.say("220 mx ESMTP\r\n");
  CHECK(c.say("250-mx.correo.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n") == kMail8);
  CHECK(has_note(c.last, "note.smtp.no_auth_offered"));
  CHECK_FALSE(c.session.authenticated());
  // No password, no AUTH, even when offered.
  Client anon(job());
  anon.say("220 mx ESMTP\r\n");
  CHECK(anon.say(kEhloAuth) == kMail8);
  CHECK_FALSE(has_note(anon.last, "note.smtp.no_auth_offered"));
}

namespace {

struct LoginHooks : LoopHooks {
  std::map<std::string, std::string> passwords{{"alice@uni.example", "secret"}};
  bool authenticate(const std::string& user, const std::string& password) override {
    auto it = passwords.find(user);
    return it != passwords.end() && it->second == password;
  }
};

ServerConfig submission_config() {
  ServerConfig c;
  c.hostname = "smtp.uni.example";
  c.starttls = true;
  c.auth = true;
  c.tls_auth_only = true;
  return c;
}

// Like converse(), but counts how often each side switched to TLS and keeps what the client said.
struct Talk {
  int client_tls = 0, server_tls = 0;
  std::string client_said;
};
Talk talk(ClientSession& client, ServerSession& server, std::size_t chunk) {
  Talk t;
  std::string to_client = server.on_connect().send;
  for (int rounds = 0; !client.done() && rounds < 100; ++rounds) {
    std::string to_server;
    bool client_closes = false;
    for (std::size_t i = 0; i < to_client.size(); i += chunk) {
      SessionOutput c = client.on_input(std::string_view(to_client).substr(i, chunk));
      to_server += c.send;
      t.client_tls += c.start_tls ? 1 : 0;
      client_closes = client_closes || c.close;
    }
    t.client_said += to_server;
    if (client_closes) break;
    to_client.clear();
    bool server_closes = false;
    for (std::size_t i = 0; i < to_server.size(); i += chunk) {
      SessionOutput s = server.on_input(std::string_view(to_server).substr(i, chunk));
      to_client += s.send;
      t.server_tls += s.start_tls ? 1 : 0;
      server_closes = server_closes || s.close;
    }
    if (server_closes) {
      client.on_input(to_client);
      client.on_closed();
    }
  }
  return t;
}

}  // namespace

TEST_CASE("loopback: STARTTLS then AUTH on a submission server delivers the message") {
  for (const char* mechanism : {"PLAIN", "LOGIN"}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
      CAPTURE(mechanism);
      CAPTURE(chunk);
      LoginHooks hooks;
      ServerSession server(submission_config(), hooks);
      ClientSession client(auth_job(mechanism));
      const Talk t = talk(client, server, chunk);
      CHECK(client.done());
      CHECK(client.tls());
      CHECK(client.authenticated());
      CHECK(server.tls());
      CHECK(t.client_tls == 1);
      CHECK(t.server_tls == 1);
      CHECK(t.client_said.find("STARTTLS\r\n") < t.client_said.find("AUTH "));
      CHECK(t.client_said.find("AUTH ") < t.client_said.find("MAIL FROM:"));
      REQUIRE(hooks.messages.size() == 1);
      CHECK(hooks.messages[0] == kEightBit);
      REQUIRE(hooks.transactions.size() == 1);
      CHECK(hooks.transactions[0].auth_user == "alice@uni.example");
      CHECK(hooks.transactions[0].tls);
      CHECK(hooks.transactions[0].esmtp);
      CHECK(hooks.transactions[0].helo == "mail.uni.example");
      CHECK(hooks.transactions[0].body_8bit);
      REQUIRE(client.outcomes().size() == 1);
      CHECK(client.outcomes()[0].status == RcptStatus::Delivered);
      CHECK(server.errors() == 0);
    }
  }
}

TEST_CASE("loopback: a wrong password on the submission server delivers nothing") {
  for (const char* mechanism : {"PLAIN", "LOGIN"}) {
    CAPTURE(mechanism);
    LoginHooks hooks;
    ServerSession server(submission_config(), hooks);
    ClientJob j = auth_job(mechanism);
    j.auth_password = "guess";
    ClientSession client(j);
    talk(client, server, 4096);
    CHECK(client.done());
    CHECK_FALSE(client.authenticated());
    CHECK(hooks.messages.empty());
    CHECK(client.outcomes()[0].status == RcptStatus::PermFail);
    CHECK(client.outcomes()[0].reply == "535 5.7.8 Error: authentication failed: (reason unavailable)");
    CHECK(server.state() == ServerState::Closed);
  }
}

TEST_CASE("client: 8-bit data goes as its 7-bit version to a server without 8BITMIME") {
  ClientJob job{.helo_name = "mail.uni.example", .mail_from = "a@uni.example", .rcpts = {"b@museo.example"},
                .data = "Subject: x\r\n\r\nma\xC3\xB1" "ana\r\n", .data_7bit = "Subject: x\r\n\r\nma=C3=B1ana\r\n"};
  ClientSession c(job);
  c.on_input("220 old.museo.example SMTP Sendmail\r\n");
  c.on_input("502 5.5.2 Error: command not recognized\r\n");  // EHLO
  SessionOutput helo = c.on_input("250 old.museo.example\r\n");  // HELO: no extensions
  CHECK(helo.send == "MAIL FROM:<a@uni.example>\r\n");
  REQUIRE(helo.notes.size() == 1);
  CHECK(helo.notes[0].key == "note.smtp.downgraded");
  c.on_input("250 2.1.0 Ok\r\n");
  c.on_input("250 2.1.5 Ok\r\n");
  SessionOutput data = c.on_input("354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(data.send == "Subject: x\r\n\r\nma=C3=B1ana\r\n.\r\n");
}
