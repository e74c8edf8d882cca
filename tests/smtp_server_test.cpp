// proto/smtp/server: the sans-IO SMTP server session, driven by hand with fake MTA hooks.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proto/smtp/server.h"

using namespace postlab;
using namespace postlab::smtp;

namespace {

struct FakeHooks : ServerHooks {
  std::map<std::string, std::string> reject;  // recipient -> the whole reply line
  std::optional<std::string> refuse_message;  // accept_message answers with this reply
  std::vector<std::string> checked;
  std::vector<std::string> messages;
  std::vector<Transaction> transactions;

  std::optional<std::string> check_recipient(const Transaction&, const std::string& rcpt) override {
    checked.push_back(rcpt);
    if (auto it = reject.find(rcpt); it != reject.end()) return it->second;
    return std::nullopt;
  }
  AcceptResult accept_message(const Transaction& t, const std::string& data) override {
    if (refuse_message) return {false, {}, *refuse_message};
    transactions.push_back(t);
    messages.push_back(data);
    return {true, "4F2A91C3B7", {}};
  }
};

ServerConfig config(std::string host = "mx.correo.example") {
  ServerConfig c;
  c.hostname = std::move(host);
  return c;
}

// A server session with its hooks; say() feeds bytes and returns what the server sends back.
struct Server {
  explicit Server(ServerConfig c = config()) : session(std::move(c), hooks) {}
  std::string say(std::string_view bytes) {
    last = session.on_input(bytes);
    return last.send;
  }
  FakeHooks hooks;
  ServerSession session;
  SessionOutput last;
};

const char* const kEhloReply =
    "250-mx.correo.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n";

}  // namespace

TEST_CASE("server: greeting names the host and the software") {
  Server s;
  CHECK(s.session.on_connect().send == "220 mx.correo.example ESMTP Postfix\r\n");
  CHECK(s.session.state() == ServerState::Connected);
  ServerConfig c = config("smtp.other.example");
  c.software = "Exim";
  Server other(c);
  CHECK(other.session.on_connect().send == "220 smtp.other.example ESMTP Exim\r\n");
}

TEST_CASE("server: EHLO lists the extensions one per line in Postfix's order") {
  Server s;
  CHECK(s.say("EHLO alice-laptop\r\n") == kEhloReply);
  CHECK(s.session.transaction().helo == "alice-laptop");
  CHECK(s.session.transaction().esmtp);
  CHECK(s.session.state() == ServerState::Ready);

  ServerConfig c = config();
  c.vrfy_enabled = false;
  c.message_size_limit = 5000;
  Server quiet(c);
  CHECK(quiet.say("ehlo client.example\r\n") ==
        "250-mx.correo.example\r\n250-PIPELINING\r\n250-SIZE 5000\r\n250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n"
        "250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
}

TEST_CASE("server: HELO answers with the host name and an empty HELO/EHLO is a syntax error") {
  Server s;
  CHECK(s.say("HELO alice-laptop\r\n") == "250 mx.correo.example\r\n");
  CHECK_FALSE(s.session.transaction().esmtp);
  CHECK(s.session.transaction().helo == "alice-laptop");
  CHECK(s.session.errors() == 0);
  CHECK(s.say("HELO\r\n") == "501 Syntax: HELO hostname\r\n");
  CHECK(s.say("EHLO   \r\n") == "501 Syntax: EHLO hostname\r\n");
  CHECK(s.session.errors() == 2);
}

TEST_CASE("server: a whole transaction gets Postfix's exact replies") {
  Server s;
  s.session.on_connect();
  CHECK(s.say("EHLO mail.uni.example\r\n") == kEhloReply);
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.state() == ServerState::Mail);
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.session.state() == ServerState::Rcpt);
  CHECK(s.say("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(s.session.state() == ServerState::Data);
  CHECK(s.say("Subject: hi\r\n\r\nHello Bob\r\n").empty());
  CHECK(s.hooks.messages.empty());  // nothing is accepted before the final dot
  CHECK(s.say(".\r\n") == "250 2.0.0 Ok: queued as 4F2A91C3B7\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == "Subject: hi\r\n\r\nHello Bob\r\n");
  CHECK(s.hooks.transactions[0].mail_from == "alice@uni.example");
  CHECK(s.hooks.transactions[0].rcpts == std::vector<std::string>{"bob@correo.example"});
  CHECK(s.hooks.transactions[0].helo == "mail.uni.example");
  CHECK(s.hooks.checked == std::vector<std::string>{"bob@correo.example"});
  // The transaction is over; the session is ready for the next one.
  CHECK(s.session.state() == ServerState::Ready);
  CHECK_FALSE(s.session.transaction().has_sender);
  CHECK(s.session.transaction().rcpts.empty());
  CHECK(s.say("MAIL FROM:<alice@uni.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say("QUIT\r\n") == "221 2.0.0 Bye\r\n");
  CHECK(s.last.close);
  CHECK(s.session.state() == ServerState::Closed);
  CHECK(s.session.errors() == 0);
}

TEST_CASE("server: commands out of order") {
  Server s;
  s.say("EHLO x.example\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
  CHECK(s.say("DATA\r\n") == "503 5.5.1 Error: need RCPT command\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example>\r\n") == "503 5.5.1 Error: nested MAIL command\r\n");
  CHECK(s.say("DATA\r\n") == "554 5.5.1 Error: no valid recipients\r\n");
  CHECK(s.session.errors() == 4);
  CHECK(s.hooks.checked.empty());  // nothing reached the MTA
  CHECK(s.session.state() == ServerState::Mail);
}

TEST_CASE("server: MAIL before HELO is fine by default but refused with helo_required") {
  Server relaxed;
  CHECK(relaxed.say("MAIL FROM:<a@x.example>\r\n") == "250 2.1.0 Ok\r\n");
  ServerConfig c = config();
  c.helo_required = true;
  Server strict(c);
  CHECK(strict.say("MAIL FROM:<a@x.example>\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
  CHECK(strict.say("HELO x.example\r\n") == "250 mx.correo.example\r\n");
  CHECK(strict.say("MAIL FROM:<a@x.example>\r\n") == "250 2.1.0 Ok\r\n");
}

TEST_CASE("server: unknown commands and empty lines") {
  // Postfix 3.7 (../shared/truth/smtp_06_unknown_command): 500 for every verb it does not know.
  Server s;
  CHECK(s.say("STARTTLS\r\n") == "502 5.5.1 Error: command not implemented\r\n");  // TLS not offered
  CHECK(s.say("HELP\r\n") == "500 5.5.2 Error: command not recognized\r\n");        // Postfix has no HELP
  CHECK(s.say("EXPN staff\r\n") == "500 5.5.2 Error: command not recognized\r\n");
  CHECK(s.say("FOOBAR\r\n") == "500 5.5.2 Error: command not recognized\r\n");
  CHECK(s.say("XYZZY some args\r\n") == "500 5.5.2 Error: command not recognized\r\n");
  CHECK(s.say("\r\n") == "500 5.5.2 Error: bad syntax\r\n");
  CHECK(s.say("   \r\n") == "500 5.5.2 Error: bad syntax\r\n");
  CHECK(s.say("noop\r\n") == "250 2.0.0 Ok\r\n");  // verbs are case-insensitive
  CHECK(s.say(" NOOP\r\n") == "250 2.0.0 Ok\r\n");  // leading blanks are skipped
  CHECK(s.say("MAIL \xff\xfe\r\n") == "500 5.5.2 Error: bad UTF-8 syntax\r\n");
  CHECK(s.session.errors() == 8);
}

TEST_CASE("server: HTTP and headers and non-letters are not SMTP: 221 and hang up") {
  // smtpd_forbidden_commands (CONNECT GET POST, a first character that is not a letter) and
  // is_header(): Postfix says this and closes the connection.
  const char* const goodbye = "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n";
  for (const char* line : {"GET / HTTP/1.0", "get /", "POST /form HTTP/1.1", "CONNECT host:25", "From: x",
                           "From:x", "Subject: hi", "X-Foo: bar", "Foo:", "MAIL: x", "MAILFROM:<a@x.example>",
                           "EHLO:x", "123", " 123", "#foo", "<html>", "_foo"}) {
    CAPTURE(line);
    Server s;
    CHECK(s.say(std::string(line) + "\r\n") == goodbye);
    CHECK(s.last.close);
    CHECK(s.session.state() == ServerState::Closed);
    CHECK(s.say("NOOP\r\n").empty());
  }
  Server s;
  CHECK(s.say("X\r\n") == "500 5.5.2 Error: command not recognized\r\n");  // an unknown word is only unknown
  CHECK_FALSE(s.last.close);
}

TEST_CASE("server: MAIL and RCPT syntax errors") {
  Server s;
  s.say("EHLO x.example\r\n");
  CHECK(s.say("MAIL alice@uni.example\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  CHECK(s.say("MAIL FROM:\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  CHECK(s.say("MAIL FROM <alice@uni.example>\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  // A path that is there but malformed is a bad address (Postfix extract_addr()).
  CHECK(s.say("MAIL FROM:<alice@uni.example\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example>junk\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(s.say("MAIL FROM:<a b@uni.example>\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(s.say("MAIL FROM:<alice@@uni.example>\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example> junk\r\n") == "555 5.5.4 Unsupported option: junk\r\n");
  // What Postfix lets through: a stray closing bracket.
  CHECK(s.say("MAIL FROM:alice@uni.example>\r\nRSET\r\n") == "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n");
  CHECK(s.say("MAIL FROM:<alice@uni.example>>\r\nRSET\r\n") == "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n");
  CHECK_FALSE(s.session.transaction().has_sender);
  // Postfix tolerates a space after the colon and a path without brackets.
  CHECK(s.say("mail from: <Alice@UNI.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().mail_from == "Alice@uni.example");
  CHECK(s.say("RCPT bob@correo.example\r\n") == "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
  CHECK(s.say("RCPT TO:<bob@correo..example>\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example>junk\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example> XFOO=1\r\n") == "555 5.5.4 Unsupported option: XFOO=1\r\n");
  CHECK(s.say("RCPT TO:bob@correo.example\r\n") == "250 2.1.5 Ok\r\n");
  // A bare local part goes to the MTA as written (Postfix qualifies it with $myorigin).
  CHECK(s.say("RCPT TO:<carol>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.session.errors() == 13);
  CHECK(s.hooks.checked == std::vector<std::string>{"bob@correo.example", "carol"});
}

TEST_CASE("server: the null sender and postmaster are accepted") {
  Server s;
  s.say("EHLO x.example\r\n");
  CHECK(s.say("MAIL FROM:<>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().has_sender);
  CHECK(s.session.transaction().mail_from.empty());
  CHECK(s.say("RCPT TO:<Postmaster>\r\n") == "250 2.1.5 Ok\r\n");  // RFC 5321 §4.5.1
  CHECK(s.session.transaction().rcpts == std::vector<std::string>{"Postmaster"});
  CHECK(s.say("RCPT TO:<@relay.example:bob@correo.example>\r\n") == "250 2.1.5 Ok\r\n");  // source route ignored
  CHECK(s.session.transaction().rcpts.back() == "bob@correo.example");
}

TEST_CASE("server: a recipient refused by the MTA gets exactly the MTA's reply") {
  Server s;
  const std::string unknown =
      "550 5.1.1 <x@correo.example>: Recipient address rejected: User unknown in local recipient table";
  s.hooks.reject["x@correo.example"] = unknown;
  s.say("EHLO x.example\r\nMAIL FROM:<a@x.example>\r\n");
  CHECK(s.say("RCPT TO:<x@correo.example>\r\n") == unknown + "\r\n");
  CHECK(s.session.errors() == 1);
  CHECK(s.say("DATA\r\n") == "554 5.5.1 Error: no valid recipients\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.say("DATA\r\n.\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4F2A91C3B7\r\n");
  REQUIRE(s.hooks.transactions.size() == 1);
  CHECK(s.hooks.transactions[0].rcpts == std::vector<std::string>{"bob@correo.example"});
  CHECK(s.hooks.messages[0].empty());
}

TEST_CASE("server: the MTA may refuse the message after the final dot") {
  Server s;
  s.hooks.refuse_message = "554 5.7.1 Message rejected";
  s.say("EHLO x.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  CHECK(s.say("text\r\n.\r\n") == "554 5.7.1 Message rejected\r\n");
  CHECK(s.session.state() == ServerState::Ready);
  CHECK(s.session.errors() == 1);
}

TEST_CASE("server: SIZE and BODY parameters of MAIL") {
  ServerConfig c = config();
  c.message_size_limit = 1000;
  Server s(c);
  s.say("EHLO x.example\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example> SIZE=1001\r\n") == "552 5.3.4 Message size exceeds fixed limit\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example> SIZE=12ab\r\n") == "501 5.5.4 Bad message size syntax\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example> SIZE=\r\n") == "501 5.5.4 Bad message size syntax\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example> SIZE=99999999999999999999\r\n") == "501 5.5.4 Bad message size syntax\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example> XFOO\r\n") == "555 5.5.4 Unsupported option: XFOO\r\n");
  CHECK_FALSE(s.session.transaction().has_sender);
  CHECK(s.say("MAIL FROM:<a@x.example> size=1000 BODY=8BITMIME\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.session.transaction().declared_size == 1000);
}

TEST_CASE("server: a message over the size limit is refused only after the final dot") {
  ServerConfig c = config();
  c.message_size_limit = 1024;
  Server s(c);
  s.say("EHLO x.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n");
  CHECK(s.say("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
  const std::string line(98, 'x');
  std::string replies;
  for (int i = 0; i < 20; ++i) replies += s.say(line + "\r\n");  // 2000 octets
  replies += s.say(std::string(5000, 'y') + "\r\n");            // a runaway line, too
  CHECK(replies.empty());
  CHECK(s.session.state() == ServerState::Data);
  CHECK(s.say(".\r\n") == "552 5.3.4 Error: message file too big\r\n");
  CHECK(s.hooks.messages.empty());
  CHECK(s.session.state() == ServerState::Ready);
  // The next transaction starts clean.
  CHECK(s.say("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\nsmall\r\n.\r\n") ==
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 4F2A91C3B7\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == "small\r\n");
}

TEST_CASE("server: too many recipients gets 452 and is not counted as an error") {
  ServerConfig c = config();
  c.recipient_limit = 2;
  Server s(c);
  s.say("EHLO x.example\r\nMAIL FROM:<a@x.example>\r\n");
  CHECK(s.say("RCPT TO:<r1@y.example>\r\nRCPT TO:<r2@y.example>\r\n") == "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n");
  CHECK(s.say("RCPT TO:<r3@y.example>\r\n") == "452 4.5.3 Error: too many recipients\r\n");
  CHECK(s.session.errors() == 0);
  CHECK(s.session.transaction().rcpts.size() == 2);
  CHECK(s.hooks.checked.size() == 2);
}

TEST_CASE("server: RSET ends the transaction and NOOP does nothing") {
  Server s;
  s.say("EHLO x.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n");
  CHECK(s.say("NOOP\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(s.session.transaction().rcpts.size() == 1);
  CHECK(s.say("RSET now\r\n") == "501 5.5.4 Syntax: RSET\r\n");
  CHECK(s.say("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(s.session.state() == ServerState::Ready);
  CHECK_FALSE(s.session.transaction().has_sender);
  CHECK(s.session.transaction().rcpts.empty());
  CHECK(s.session.transaction().helo == "x.example");  // RSET keeps the HELO name
  CHECK(s.say("RCPT TO:<b@y.example>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
}

TEST_CASE("server: QUIT says Bye and closes and later input is ignored") {
  Server s;
  CHECK(s.say("QUIT\r\nNOOP\r\n") == "221 2.0.0 Bye\r\n");
  CHECK(s.last.close);
  CHECK(s.session.state() == ServerState::Closed);
  CHECK(s.say("NOOP\r\n").empty());
}

TEST_CASE("server: VRFY says 252 unless the MTA refuses the address or VRFY is off") {
  Server s;
  s.hooks.reject["nobody@correo.example"] = "550 5.1.1 <nobody@correo.example>: Recipient address rejected: nope";
  CHECK(s.say("VRFY bob@correo.example\r\n") == "252 2.0.0 bob@correo.example\r\n");
  CHECK(s.say("VRFY <bob@correo.example>\r\n") == "252 2.0.0 <bob@correo.example>\r\n");
  CHECK(s.say("VRFY nobody@correo.example\r\n") ==
        "550 5.1.1 <nobody@correo.example>: Recipient address rejected: nope\r\n");
  CHECK(s.say("VRFY\r\n") == "501 5.5.4 Syntax: VRFY address [SMTPUTF8]\r\n");
  CHECK(s.say("VRFY not an address\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  ServerConfig c = config();
  c.vrfy_enabled = false;
  Server off(c);
  CHECK(off.say("VRFY bob@correo.example\r\n") == "502 5.5.1 VRFY command is disabled\r\n");
}

TEST_CASE("server: DATA takes no argument") {
  Server s;
  s.say("EHLO x.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n");
  CHECK(s.say("DATA now\r\n") == "501 5.5.4 Syntax: DATA\r\n");
  CHECK(s.session.state() == ServerState::Rcpt);
}

TEST_CASE("server: dot-unstuffing removes one leading dot") {
  Server s;
  s.say("EHLO x.example\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n");
  s.say("..x\r\n");
  s.say("..\r\n");
  s.say("...\r\n");
  s.say("x.y\r\n");
  s.say(" .\r\n");
  CHECK(s.say(".\r\n") == "250 2.0.0 Ok: queued as 4F2A91C3B7\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == ".x\r\n.\r\n..\r\nx.y\r\n .\r\n");
}

namespace {

const char* const kScript =
    "EHLO mail.uni.example\r\nMAIL FROM:<alice@uni.example> SIZE=40\r\nRCPT TO:<bob@correo.example>\r\n"
    "RCPT TO:<x@correo.example>\r\nBOGUS\r\nDATA\r\nSubject: t\r\n\r\n..dot\r\nbody\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n";

std::string run_in_chunks(std::string_view script, std::size_t chunk) {
  Server s;
  s.hooks.reject["x@correo.example"] = "550 5.1.1 <x@correo.example>: User unknown";
  std::string out = s.session.on_connect().send;
  for (std::size_t i = 0; i < script.size(); i += chunk) out += s.say(script.substr(i, chunk));
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == "Subject: t\r\n\r\n.dot\r\nbody\r\n");
  return out;
}

}  // namespace

TEST_CASE("server: input split anywhere gives the same replies as whole lines") {
  const std::string whole = run_in_chunks(kScript, std::string_view(kScript).size());
  CHECK(whole == std::string("220 mx.correo.example ESMTP Postfix\r\n") + kEhloReply +
                     "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <x@correo.example>: User unknown\r\n"
                     "500 5.5.2 Error: command not recognized\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                     "250 2.0.0 Ok: queued as 4F2A91C3B7\r\n250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n");
  for (std::size_t chunk : {1, 2, 3, 7, 64}) {
    CAPTURE(chunk);
    CHECK(run_in_chunks(kScript, chunk) == whole);
  }
}

TEST_CASE("server: bare LF line ends are accepted in commands and in data") {
  Server s;
  CHECK(s.say("EHLO x.example\nMAIL FROM:<a@x.example>\nRCPT TO:<b@y.example>\nDATA\n") ==
        std::string(kEhloReply) + "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(s.say("line one\nline two\r\n.\n") == "250 2.0.0 Ok: queued as 4F2A91C3B7\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == "line one\r\nline two\r\n");
}

TEST_CASE("server: at the hard error limit the server says 421 and hangs up") {
  ServerConfig c = config();
  c.hard_error_limit = 5;
  Server s(c);
  for (int i = 1; i < 5; ++i) {
    CHECK(s.say("BOGUS\r\n") == "500 5.5.2 Error: command not recognized\r\n");
    CHECK_FALSE(s.last.close);
  }
  CHECK(s.session.errors() == 4);
  // Postfix checks the count before it reads the next command: the 421 follows the fifth error at once.
  CHECK(s.say("BOGUS\r\n") ==
        "500 5.5.2 Error: command not recognized\r\n421 4.7.0 mx.correo.example Error: too many errors\r\n");
  CHECK(s.last.close);
  CHECK(s.session.state() == ServerState::Closed);
  CHECK(s.say("NOOP\r\n").empty());
}

TEST_CASE("server: the default hard error limit is Postfix's 20 and a delivered message forgives errors") {
  Server s;
  s.say("EHLO x.example\r\n");
  for (int i = 0; i < 19; ++i) s.say("BOGUS\r\n");
  CHECK(s.session.errors() == 19);
  CHECK(s.say("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\nhi\r\n.\r\n").find("queued as") !=
        std::string::npos);
  CHECK(s.session.errors() == 0);
  for (int i = 0; i < 19; ++i) s.say("BOGUS\r\n");
  CHECK_FALSE(s.last.close);
  CHECK(s.say("BOGUS\r\n").find("421 4.7.0 mx.correo.example Error: too many errors\r\n") != std::string::npos);
  CHECK(s.last.close);
}

TEST_CASE("server: over-long command lines are cut at the limit and the rest discarded") {
  Server s;
  CHECK(s.say("NOOP " + std::string(5000, 'x') + "\r\n") == "250 2.0.0 Ok\r\n");
  REQUIRE(s.last.notes.size() == 1);
  CHECK(s.last.notes[0].key == "note.smtp.truncated");
  CHECK(s.last.notes[0].args == std::vector<std::string>{"2048"});
  CHECK(s.say("EHLO x.example\r\n") == kEhloReply);  // the next line is read normally
  // A MAIL command whose closing '>' falls in the discarded part is a bad address, as Postfix says.
  CHECK(s.say("MAIL FROM:<" + std::string(3000, 'a') + "@x.example>\r\n") ==
        "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(s.say("MAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n").find("354") != std::string::npos);
  // Message text has no line limit of its own (only the size limit).
  const std::string long_line(3000, 'z');
  CHECK(s.say(long_line + "\r\n.\r\n") == "250 2.0.0 Ok: queued as 4F2A91C3B7\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == long_line + "\r\n");
}

TEST_CASE("parse_path_args splits path and parameters") {
  auto a = parse_path_args("FROM:<a@b.example> SIZE=1 BODY=8BITMIME", "FROM:");
  REQUIRE(a);
  CHECK(a->path == "a@b.example");
  CHECK(a->params == std::vector<std::string>{"SIZE=1", "BODY=8BITMIME"});
  auto b = parse_path_args("to:<@one.example,@two.example:user@c.example>", "TO:");
  REQUIRE(b);
  CHECK(b->path == "user@c.example");
  CHECK(b->params.empty());
  auto c = parse_path_args("FROM:<>", "FROM:");
  REQUIRE(c);
  CHECK(c->path.empty());
  CHECK_FALSE(parse_path_args("FROM:", "FROM:"));
  CHECK(parse_path_args("FROM:<a@b.example>x", "FROM:")->bad_path);
  CHECK(parse_path_args("FROM:<a@b.example", "FROM:")->bad_path);
  CHECK_FALSE(parse_path_args("TO:<a@b.example>", "FROM:"));
  CHECK(parse_path_args("FROM:<@nowhere>", "FROM:")->bad_path);
}

TEST_CASE("server: lines past the RFC 5321 minimums get the replies Postfix gives") {
  // RFC 5321 §4.5.3.1.4 and .6 set 512 octets per command line and 1000 per text line as minimums a
  // server must accept. Postfix accepts longer lines: commands up to line_length_limit (2048),
  // and text lines of any length (stored in pieces), counting them towards the size limit.
  Server s;
  s.say("EHLO x.example\r\n");
  const std::string noop = "NOOP " + std::string(700, 'x') + "\r\n";  // 705 octets + CRLF
  CHECK(s.say(noop) == "250 2.0.0 Ok\r\n");
  CHECK(s.last.notes.empty());  // not truncated: under 2048
  CHECK(s.say("MAIL FROM:<a@x.example>\r\n") == "250 2.1.0 Ok\r\n");
  CHECK(s.say("RCPT TO:<bob@correo.example>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(s.say("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
  const std::string long_line(1500, 'z');
  CHECK(s.say("Subject: long\r\n\r\n" + long_line + "\r\n.\r\n") == "250 2.0.0 Ok: queued as 4F2A91C3B7\r\n");
  REQUIRE(s.hooks.messages.size() == 1);
  CHECK(s.hooks.messages[0] == "Subject: long\r\n\r\n" + long_line + "\r\n");
}
