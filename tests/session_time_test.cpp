// The session contract: virtual time in every input, deadlines and wake-ups (Postfix's timeouts),
// and the hook through which a lesson forces a reply; driven by hand and in a world.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "proto/smtp/client.h"
#include "proto/smtp/server.h"

using namespace postlab;
using namespace postlab::smtp;

namespace {

struct Hooks : ServerHooks {
  std::vector<std::string> asked;  // "VERB args" for every before_command call
  bool hold = false;
  std::optional<ForcedReply> force;
  std::string force_verb;
  int accepted = 0;
  std::optional<std::string> check_recipient(const Transaction&, const std::string&) override { return {}; }
  AcceptResult accept_message(const Transaction&, const std::string&) override {
    ++accepted;
    return {true, "4F2A91C3B7", {}};
  }
  bool hold_recipient(const Transaction&, const std::string&) override { return hold; }
  std::optional<ForcedReply> before_command(const Transaction&, std::string_view verb, std::string_view args) override {
    asked.push_back(std::string(verb) + (args.empty() ? "" : " " + std::string(args)));
    if (force && verb == force_verb) return force;
    return {};
  }
};

ServerConfig config() {
  ServerConfig c;
  c.hostname = "mx.correo.example";
  return c;
}

}  // namespace

TEST_CASE("server: smtpd_timeout counts from the last input and ends the session with 421 4.4.2") {
  Hooks hooks;
  ServerSession s(config(), hooks);
  s.on_connect(10 * kSecond);
  REQUIRE(s.deadline());
  CHECK(*s.deadline() == 10 * kSecond + kSmtpdTimeout);
  s.on_input(20 * kSecond, "EHLO x\r\n");
  CHECK(*s.deadline() == 20 * kSecond + 300 * kSecond);
  // Too early: nothing happens.
  CHECK(s.on_timeout(20 * kSecond + 300 * kSecond - 1).send.empty());
  CHECK(s.state() != ServerState::Closed);
  const SessionOutput out = s.on_timeout(20 * kSecond + 300 * kSecond);
  // What Postfix 3.7 says (smtpd_timeout = 3s, seen on a real server).
  CHECK(out.send == "421 4.4.2 mx.correo.example Error: timeout exceeded\r\n");
  CHECK(out.close);
  CHECK(s.state() == ServerState::Closed);
  CHECK_FALSE(s.deadline());
  REQUIRE(out.notes.size() == 1);
  CHECK(out.notes[0].key == "note.smtp.server_timeout");
  CHECK(out.notes[0].args == std::vector<std::string>{"5m"});
}

TEST_CASE("server: a lesson's timeout replaces smtpd_timeout") {
  Hooks hooks;
  ServerConfig c = config();
  c.timeout = 10 * kSecond;
  ServerSession s(c, hooks);
  s.on_connect(0);
  CHECK(*s.deadline() == 10 * kSecond);
}

TEST_CASE("server: before_command sees every command and a forced reply replaces it") {
  Hooks hooks;
  hooks.force = ForcedReply{"450 4.2.0 <bob@correo.example>: Recipient address rejected: Greylisted", false};
  hooks.force_verb = "RCPT";
  ServerSession s(config(), hooks);
  s.on_connect(0);
  s.on_input(0, "EHLO x\r\nMAIL FROM:<a@b.example>\r\n");
  const SessionOutput r = s.on_input(0, "RCPT TO:<bob@correo.example>\r\n");
  CHECK(r.send == "450 4.2.0 <bob@correo.example>: Recipient address rejected: Greylisted\r\n");
  CHECK_FALSE(r.close);
  CHECK(s.transaction().rcpts.empty());  // not carried out
  // The next command is asked about too, and runs: no recipient, so DATA is refused as Postfix does.
  CHECK(s.on_input(0, "DATA\r\n").send == "554 5.5.1 Error: no valid recipients\r\n");
  CHECK(hooks.asked == std::vector<std::string>{"CONNECT", "EHLO x", "MAIL FROM:<a@b.example>",
                                                "RCPT TO:<bob@correo.example>", "DATA"});
}

TEST_CASE("server: a forced 421 hangs up at the greeting and a forced refusal at the final dot queues nothing") {
  Hooks hooks;
  hooks.force = ForcedReply{"421 4.3.2 mx.correo.example Service shutting down", false};
  hooks.force_verb = "CONNECT";
  ServerSession s(config(), hooks);
  const SessionOutput g = s.on_connect(0);
  CHECK(g.send == "421 4.3.2 mx.correo.example Service shutting down\r\n");
  CHECK(g.close);
  CHECK(s.state() == ServerState::Closed);

  Hooks dot;
  dot.force = ForcedReply{"451 4.3.0 Error: queue file write error", false};
  dot.force_verb = ".";
  ServerSession t(config(), dot);
  t.on_connect(0);
  t.on_input(0, "EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@correo.example>\r\nDATA\r\n");
  const SessionOutput end = t.on_input(0, "Subject: x\r\n\r\nhi\r\n.\r\n");
  CHECK(end.send == "451 4.3.0 Error: queue file write error\r\n");
  CHECK(dot.accepted == 0);  // nothing queued
  CHECK(t.state() == ServerState::Ready);
  CHECK(t.transaction().rcpts.empty());
}

TEST_CASE("client: each stage waits its own Postfix timeout and gives up with 4.4.2") {
  ClientJob job{.helo_name = "mail.uni.example", .mail_from = "alice@uni.example", .rcpts = {"bob@correo.example"},
                .data = "Subject: x\r\n\r\nhi\r\n"};
  job.server_label = "mx.correo.example[198.51.100.7]";
  ClientSession c(job);
  c.start(5 * kSecond);
  CHECK(*c.deadline() == 5 * kSecond + kSmtpHeloTimeout);  // waiting for the greeting
  c.on_input(6 * kSecond, "220 mx.correo.example ESMTP Postfix\r\n");
  CHECK(*c.deadline() == 6 * kSecond + kSmtpHeloTimeout);  // EHLO sent
  c.on_input(7 * kSecond, "250 mx.correo.example\r\n");
  CHECK(c.state() == ClientState::Mail);
  CHECK(*c.deadline() == 7 * kSecond + kSmtpMailTimeout);
  c.on_input(8 * kSecond, "250 2.1.0 Ok\r\n");
  CHECK(*c.deadline() == 8 * kSecond + kSmtpRcptTimeout);
  c.on_input(9 * kSecond, "250 2.1.5 Ok\r\n");
  CHECK(c.state() == ClientState::Data);
  CHECK(*c.deadline() == 9 * kSecond + kSmtpDataInitTimeout);
  c.on_input(10 * kSecond, "354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(c.state() == ClientState::Body);
  CHECK(*c.deadline() == 10 * kSecond + kSmtpDataDoneTimeout);
  CHECK(c.on_timeout(10 * kSecond + kSmtpDataDoneTimeout - 1).notes.empty());
  const SessionOutput out = c.on_timeout(10 * kSecond + kSmtpDataDoneTimeout);
  CHECK(out.close);
  CHECK(c.done());
  REQUIRE(c.outcomes().size() == 1);
  CHECK(c.outcomes()[0].status == RcptStatus::TempFail);
  CHECK(c.outcomes()[0].local_dsn == "4.4.2");
  CHECK(c.outcomes()[0].reply ==
        "conversation with mx.correo.example[198.51.100.7] timed out while sending end of data -- message may be "
        "sent more than once");
  REQUIRE(out.notes.size() == 1);
  CHECK(out.notes[0].key == "note.smtp.client_timeout.body");
  CHECK_FALSE(c.deadline());
}

TEST_CASE("client: a lesson's timeouts replace Postfix's") {
  ClientJob job{.helo_name = "h", .mail_from = "a@b.example", .rcpts = {"c@d.example"}, .data = "x\r\n"};
  job.timeouts.helo = 20 * kSecond;
  ClientSession c(job);
  c.start(0);
  CHECK(*c.deadline() == 20 * kSecond);
  const SessionOutput out = c.on_timeout(20 * kSecond);
  CHECK(c.outcomes()[0].reply.find("timed out while receiving the initial server greeting") != std::string::npos);
  CHECK(out.notes[0].key == "note.smtp.client_timeout.greeting");
}

TEST_CASE("server: a held recipient suspends the session until the host resumes it") {
  Hooks hooks;
  hooks.hold = true;
  ServerSession s(config(), hooks);
  s.on_connect(0);
  s.on_input(0, "EHLO x\r\nMAIL FROM:<a@b.example>\r\n");
  // RCPT and the pipelined DATA arrive together: RCPT is held, DATA waits unread.
  const SessionOutput held = s.on_input(kSecond, "RCPT TO:<c@d.example>\r\nDATA\r\n");
  CHECK(held.send.empty());
  CHECK(s.suspended());
  CHECK_FALSE(s.deadline());  // the server waits for its host, not for the client
  CHECK(s.on_input(2 * kSecond, "").send.empty());
  const SessionOutput go = s.resume(3 * kSecond, std::nullopt);
  CHECK(go.send == "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK_FALSE(s.suspended());
  CHECK(*s.deadline() == 3 * kSecond + kSmtpdTimeout);
  CHECK(s.transaction().rcpts == std::vector<std::string>{"c@d.example"});

  ServerSession t(config(), hooks);
  t.on_connect(0);
  t.on_input(0, "EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
  const SessionOutput no = t.resume(kSecond, std::string("450 4.1.2 <c@d.example>: Recipient address rejected: Domain not found"));
  CHECK(no.send == "450 4.1.2 <c@d.example>: Recipient address rejected: Domain not found\r\n"
                   "554 5.5.1 Error: no valid recipients\r\n");
  CHECK(t.transaction().rcpts.empty());
}

TEST_CASE("client: after the last reply the QUIT waits smtp_quit_timeout and then the client just hangs up") {
  ClientJob job{.helo_name = "h", .mail_from = "a@b.example", .rcpts = {"c@d.example"}, .data = "x\r\n"};
  ClientSession c(job);
  c.start(0);
  c.on_input(kSecond, "220 mx ESMTP\r\n");
  c.on_input(kSecond, "250 mx\r\n");
  c.on_input(kSecond, "250 2.1.0 Ok\r\n");
  c.on_input(kSecond, "250 2.1.5 Ok\r\n");
  c.on_input(kSecond, "354 go\r\n");
  c.on_input(2 * kSecond, "250 2.0.0 Ok: queued as ABC\r\n");
  REQUIRE(c.state() == ClientState::Quit);
  CHECK(*c.deadline() == 2 * kSecond + kSmtpQuitTimeout);
  const SessionOutput out = c.on_timeout(2 * kSecond + kSmtpQuitTimeout);
  CHECK(out.close);
  CHECK(c.done());
  CHECK(c.outcomes()[0].status == RcptStatus::Delivered);  // the message was already dealt with
  CHECK(out.notes[0].key == "note.smtp.client_timeout.quit");
}
