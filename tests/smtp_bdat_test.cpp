// proto/smtp/server: CHUNKING and BDAT (RFC 3030), SMTPUTF8 (RFC 6531) and the line limit, with
// the replies Postfix 3.7 gives (smtpd.c bdat_cmd(), skip_bdat(); checked against a real server).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/smtp/server.h"

using namespace postlab;
using namespace postlab::smtp;

namespace {

struct Hooks : ServerHooks {
  std::vector<std::string> messages;
  std::vector<Transaction> transactions;
  std::optional<std::string> check_recipient(const Transaction&, const std::string&) override { return std::nullopt; }
  AcceptResult accept_message(const Transaction& t, const std::string& data) override {
    messages.push_back(data);
    transactions.push_back(t);
    return {true, "8D1E210C4FA", {}};
  }
};

struct Server {
  explicit Server(ServerConfig c = make()) : session(std::move(c), hooks) {}
  static ServerConfig make() {
    ServerConfig c;
    c.hostname = "mx.correo.example";
    return c;
  }
  std::string say(std::string_view bytes) {
    last = session.on_input(bytes);
    return last.send;
  }
  void ready() { say("EHLO mail.uni.example\r\nMAIL FROM:<alice@uni.example>\r\nRCPT TO:<bob@correo.example>\r\n"); }
  Hooks hooks;
  ServerSession session;
  SessionOutput last;
};

}  // namespace

TEST_CASE("bdat: chunks are read by size and the LAST one queues the message") {
  Server s;
  s.ready();
  CHECK(s.say("BDAT 13\r\nSubject: hi\r\n") == "250 2.0.0 Ok: 13 bytes\r\n");
  CHECK(s.session.state() == ServerState::Bdat);
  // No dot-stuffing: a line with a single dot is just text.
  CHECK(s.say("BDAT 8 LAST\r\n\r\n.\r\nx\r\n") == "250 2.0.0 Ok: 21 bytes queued as 8D1E210C4FA\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == "Subject: hi\r\n\r\n.\r\nx\r\n");
  CHECK(s.session.state() == ServerState::Ready);
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
}

TEST_CASE("bdat: chunk bytes may arrive split anywhere and a line may span chunks") {
  Server s;
  s.ready();
  std::string all;
  for (char c : std::string("BDAT 3\r\nabcBDAT 4 LAST\r\ndef\n")) all += s.say(std::string(1, c));
  CHECK(all == "250 2.0.0 Ok: 3 bytes\r\n250 2.0.0 Ok: 8 bytes queued as 8D1E210C4FA\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == "abcdef\n");
}

TEST_CASE("bdat: an unterminated last line counts its CR LF and BDAT 0 LAST is allowed") {
  Server s;
  s.ready();
  CHECK(s.say("BDAT 3 LAST\r\nabc") == "250 2.0.0 Ok: 5 bytes queued as 8D1E210C4FA\r\n");
  CHECK(s.hooks.messages.back() == "abc\r\n");
  s.say("MAIL FROM:<alice@uni.example>\r\nRCPT TO:<bob@correo.example>\r\n");
  CHECK(s.say("BDAT 0 LAST\r\n") == "250 2.0.0 Ok: 0 bytes queued as 8D1E210C4FA\r\n");
}

TEST_CASE("bdat: bad syntax is answered 521 and the server hangs up") {
  for (const char* line : {"BDAT", "BDAT x", "BDAT -1", "BDAT +5", "BDAT 5 FIRST", "BDAT 1 LAST more",
                           "BDAT 99999999999999999999"}) {
    CAPTURE(line);
    Server s;
    s.ready();
    CHECK(s.say(std::string(line) + "\r\n") == "521 5.5.4 Syntax: BDAT count [LAST]\r\n");
    CHECK(s.last.close);
    CHECK(s.session.state() == ServerState::Closed);
  }
  Server off([] {
    ServerConfig c = Server::make();
    c.chunking = false;
    return c;
  }());
  CHECK(off.say("EHLO x.example\r\n").find("CHUNKING") == std::string::npos);
  CHECK(off.say("BDAT 1 LAST\r\n") == "521 5.5.1 Error: command not implemented\r\n");
  CHECK(off.last.close);
}

TEST_CASE("bdat: a refused chunk is read first and later chunks are discarded up to LAST") {
  Server s;
  s.say("EHLO x.example\r\n");
  // No transaction: the 5 bytes are read and thrown away, then the reply.
  CHECK(s.say("BDAT 5\r\nhello") == "503 5.5.1 Error: need RCPT command\r\n");
  CHECK(s.say("BDAT 3\r\nabc") == "551 5.0.0 Discarded 3 bytes after earlier error\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example>\r\n") == "503 5.5.1 Error: MAIL after BDAT\r\n");
  CHECK(s.say("BDAT 2 LAST\r\nxy") == "551 5.0.0 Discarded 2 bytes after earlier error\r\n");
  // LAST ended it: a new transaction works.
  CHECK(s.say("MAIL FROM:<a@x.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say("BDAT 4 LAST\r\nabcd") == "554 5.5.1 Error: no valid recipients\r\n");
  CHECK(s.hooks.messages.empty());
}

TEST_CASE("bdat: RSET ends the discarding and BDAT 0 without LAST is refused") {
  Server s;
  s.ready();
  CHECK(s.say("BDAT 0\r\n") == "551 5.7.1 Null BDAT request\r\n");
  CHECK(s.say("BDAT 1\r\nz") == "551 5.0.0 Discarded 1 bytes after earlier error\r\n");
  CHECK(s.say("RSET\r\n") == "250 2.0.0 Ok\r\n");
  s.ready();
  CHECK(s.say("BDAT 2 LAST\r\nok") == "250 2.0.0 Ok: 4 bytes queued as 8D1E210C4FA\r\n");
}

TEST_CASE("bdat: DATA and RCPT after BDAT are out of order") {
  Server s;
  s.ready();
  CHECK(s.say("BDAT 2\r\nab") == "250 2.0.0 Ok: 2 bytes\r\n");
  CHECK(s.say("DATA\r\n") == "503 5.5.1 Error: DATA after BDAT\r\n");
  CHECK(s.say("RCPT TO:<carol@correo.example>\r\n") == "503 5.5.1 Error: RCPT after BDAT\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example>\r\n") == "503 5.5.1 Error: nested MAIL command\r\n");
  CHECK(s.say("BDAT 2 LAST\r\ncd") == "250 2.0.0 Ok: 6 bytes queued as 8D1E210C4FA\r\n");
  CHECK(s.hooks.messages.back() == "abcd\r\n");
}

TEST_CASE("bdat: pipelined with MAIL and RCPT in one write") {
  Server s;
  CHECK(s.say("EHLO x.example\r\n").find("250 CHUNKING\r\n") != std::string::npos);  // last, as Postfix lists it
  CHECK(s.say("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nBDAT 5 LAST\r\nhi\r\n.QUIT\r\n") ==
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: 7 bytes queued as 8D1E210C4FA\r\n221 2.0.0 Bye\r\n");
  CHECK(s.hooks.messages.back() == "hi\r\n.\r\n");
}

TEST_CASE("bdat: the size limit is checked per chunk and for the whole message") {
  ServerConfig c = Server::make();
  c.message_size_limit = 10;
  Server s(c);
  s.ready();
  CHECK(s.say("BDAT 11 LAST\r\n01234567890") == "552 5.3.4 Chunk exceeds message size limit\r\n");
  s.ready();
  CHECK(s.say("BDAT 6\r\n012345") == "250 2.0.0 Ok: 6 bytes\r\n");
  CHECK(s.say("BDAT 5\r\n67890") == "552 5.3.4 Chunk exceeds message size limit\r\n");
  CHECK(s.say("BDAT 1 LAST\r\nx") == "551 5.0.0 Discarded 1 bytes after earlier error\r\n");
  CHECK(s.hooks.messages.empty());
}

TEST_CASE("smtputf8: a UTF-8 local part is taken without SMTPUTF8 as Postfix's strict_smtputf8=no does") {
  Server s;
  s.say("EHLO x.example\r\n");
  CHECK(s.say("MAIL FROM:<jos\xc3\xa9@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK_FALSE(s.session.transaction().smtputf8);
  CHECK(s.say("RSET\r\nMAIL FROM:<jos\xc3\xa9@uni.example> SMTPUTF8\r\n") == "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().smtputf8);
  // A non-ASCII domain is not an address here (domains travel as xn--).
  CHECK(s.say("RCPT TO:<bob@correo.espa\xc3\xb1" "a>\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
}

TEST_CASE("smtputf8: a server without it does not announce it and refuses the option") {
  ServerConfig c = Server::make();
  c.smtputf8 = false;
  Server s(c);
  const std::string ehlo = s.say("EHLO x.example\r\n");
  CHECK(ehlo.find("SMTPUTF8") == std::string::npos);
  CHECK(s.say("MAIL FROM:<a@uni.example> SMTPUTF8\r\n") == "555 5.5.4 Unsupported option: SMTPUTF8\r\n");
  CHECK(s.say("VRFY\r\n") == "501 5.5.4 Syntax: VRFY address\r\n");
}

TEST_CASE("line limit: a command is cut at 2048 bytes and the rest of the line dropped") {
  Server s;
  s.say("EHLO x.example\r\n");
  const std::string head = "MAIL FROM:<a@uni.example>";
  // The kept head runs; the spaces and junk after byte 2048 are gone (no "Unsupported option").
  CHECK(s.say(head + std::string(3000, ' ') + "junk\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.last.notes.size() == 1);
  s.say("RSET\r\n");
  // Exactly 2048 characters are all kept: the X at the end is read as an option.
  const std::string exact = head + std::string(2048 - head.size() - 1, ' ') + "X";
  REQUIRE(exact.size() == 2048);
  CHECK(s.say(exact + "\r\n") == "555 5.5.4 Unsupported option: X\r\n");
  s.say("RSET\r\n");
  CHECK(s.say(exact + "Y\r\n") == "555 5.5.4 Unsupported option: X\r\n");
  // Local parts longer than 64 bytes are accepted, as by Postfix.
  CHECK(s.say("RSET\r\nMAIL FROM:<" + std::string(100, 'l') + "@uni.example>\r\n") == "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n");
}

TEST_CASE("bdat: after a refused chunk RCPT and DATA are out of order and EHLO starts afresh") {
  // Checked against Postfix 3.7: the error state counts as a BDAT transaction, and HELO/EHLO reset it.
  Server s;
  s.say("EHLO x.example\r\nMAIL FROM:<a@b.example>\r\n");
  CHECK(s.say("BDAT 2\r\nab") == "554 5.5.1 Error: no valid recipients\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == "503 5.5.1 Error: RCPT after BDAT\r\n");
  CHECK(s.say("DATA\r\n") == "503 5.5.1 Error: DATA after BDAT\r\n");
  CHECK(s.say("EHLO y.example\r\n").rfind("250-", 0) == 0);
  CHECK(s.say("MAIL FROM:<a@b.example>\r\n") == "250 2.1.0 Ok\r\n");
}

TEST_CASE("bdat: a null chunk is refused before anything else and any number of digits is a count") {
  Server s;
  s.say("EHLO x.example\r\n");
  CHECK(s.say("BDAT 0\r\n") == "551 5.7.1 Null BDAT request\r\n");
  CHECK(s.say("BDAT 0\r\n") == "551 5.7.1 Null BDAT request\r\n");
  s.say("RSET\r\n");
  s.ready();
  CHECK(s.say("BDAT 0000000000000000005 LAST\r\nabcde") == "250 2.0.0 Ok: 7 bytes queued as 8D1E210C4FA\r\n");
  s.ready();
  CHECK(s.say("BDAT 9223372036854775808 LAST\r\n") == "521 5.5.4 Syntax: BDAT count [LAST]\r\n");
}

TEST_CASE("bdat: many small chunks are counted once each and a CR LF split across chunks is one line end") {
  Server s;
  s.ready();
  std::string replies;
  for (int i = 0; i < 20000; ++i) replies += s.say("BDAT 1\r\nx");
  CHECK(replies.size() == 20000 * std::string("250 2.0.0 Ok: 1 bytes\r\n").size());
  CHECK(s.say("BDAT 1\r\n\r") == "250 2.0.0 Ok: 1 bytes\r\n");
  CHECK(s.say("BDAT 1 LAST\r\n\n") == "250 2.0.0 Ok: 20002 bytes queued as 8D1E210C4FA\r\n");
}

TEST_CASE("bdat: refused chunks count as errors and the 421 follows the one that reaches the limit") {
  Server s;
  s.say("EHLO x.example\r\n");
  std::string all;
  for (int i = 0; i < 19; ++i) all += s.say("BDAT 2\r\n\r\n");
  CHECK(s.session.errors() == 19);
  CHECK(s.say("BDAT 2\r\n\r\n") ==
        "551 5.0.0 Discarded 2 bytes after earlier error\r\n421 4.7.0 mx.correo.example Error: too many errors\r\n");
  CHECK(s.last.close);
}
