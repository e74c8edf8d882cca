// proto/pop3: the sans-IO POP3 sessions. The server against what Dovecot 2.3.19 answered on loopback
// (the same commands, the same replies, byte for byte), driven by hand with a fake maildrop; the
// client against that server.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/pop3/client.h"
#include "proto/pop3/server.h"

using namespace postlab;
using namespace postlab::pop3;

namespace {

// A message of the given size in octets: headers, a body whose first lines are given, filler lines.
std::string message(int n, std::vector<std::string> body, std::size_t size) {
  std::string m = "Return-Path: <bob@example.test>\r\nFrom: bob@example.test\r\nTo: alice@example.test\r\nSubject: pop3 test message " +
                  std::to_string(n) + "\r\n\r\n";
  for (const auto& l : body) m += l + "\r\n";
  while (m.size() + 7 <= size) m += "filler\r\n";
  while (m.size() < size) m.insert(m.size() - 2, "x");
  return m;
}

struct Maildrop : ServerHooks {
  std::vector<std::string> texts;
  std::vector<std::string> uidls;
  bool locked = false;
  int releases = 0;
  bool authenticate(const std::string& user, const std::string& password) override {
    return user == "alice" && password == "alicepw";
  }
  std::optional<std::string> open(const std::string&, std::vector<Listed>& out) override {
    if (locked) return std::string("-ERR [IN-USE] Mailbox is locked by another POP3 session.");
    locked = true;
    for (std::size_t i = 0; i < texts.size(); ++i) out.push_back({texts[i].size(), uidls[i]});
    return std::nullopt;
  }
  std::string text(std::size_t i) override { return texts[i]; }
  std::vector<std::size_t> seen;  // indexes given \Seen, in the order the session said
  void update(const std::vector<std::size_t>& gone, const std::vector<std::size_t>& flagged) override {
    seen.insert(seen.end(), flagged.begin(), flagged.end());
    for (auto it = gone.rbegin(); it != gone.rend(); ++it) {
      texts.erase(texts.begin() + static_cast<std::ptrdiff_t>(*it));
      uidls.erase(uidls.begin() + static_cast<std::ptrdiff_t>(*it));
    }
  }
  void release() override {
    locked = false;
    ++releases;
  }
};

Maildrop three_messages() {
  Maildrop m;
  m.texts = {message(1, {"This is message 1.", "..leading dot line", "last line"}, 521),
             message(2, {"This is message 2."}, 521), message(3, {"This is message 3."}, 521)};
  m.uidls = {"000000016b058df9", "000000026b058df9", "000000036b058df9"};
  return m;
}

struct Session {
  explicit Session(Maildrop& m, ServerConfig c = {}) : s(std::move(c), m) { greeting = s.on_connect(0).send; }
  std::string say(const std::string& line, SimTime now = 0) {
    last = s.on_input(now, line + "\r\n");
    return last.send;
  }
  ServerSession s;
  std::string greeting;
  SessionOutput last;
};

}  // namespace

TEST_CASE("pop3: greeting and CAPA before and after the login as Dovecot says them") {
  Maildrop m = three_messages();
  Session c(m);
  CHECK(c.greeting == "+OK Dovecot (Debian) ready.\r\n");
  CHECK(c.say("CAPA") == "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n");
  CHECK(c.say("USER alice") == "+OK\r\n");
  CHECK(c.say("PASS alicepw") == "+OK Logged in.\r\n");
  CHECK(c.s.state() == State::Transaction);
  CHECK(c.say("CAPA") == "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n.\r\n");
}

TEST_CASE("pop3: STAT LIST UIDL RETR TOP DELE RSET and QUIT as in Dovecot's session") {
  Maildrop m = three_messages();
  {
    Session c(m);
    c.say("USER alice");
    c.say("PASS alicepw");
    CHECK(c.say("STAT") == "+OK 3 1563\r\n");
    CHECK(c.say("LIST") == "+OK 3 messages:\r\n1 521\r\n2 521\r\n3 521\r\n.\r\n");
    CHECK(c.say("LIST 2") == "+OK 2 521\r\n");
    CHECK(c.say("UIDL") == "+OK\r\n1 000000016b058df9\r\n2 000000026b058df9\r\n3 000000036b058df9\r\n.\r\n");
    CHECK(c.say("UIDL 1") == "+OK 1 000000016b058df9\r\n");
    // RETR: the size, the message with its leading dot doubled, the lone dot.
    const std::string retr = c.say("RETR 1");
    CHECK(retr.rfind("+OK 521 octets\r\nReturn-Path: <bob@example.test>\r\n", 0) == 0);
    CHECK(retr.find("\r\n...leading dot line\r\n") != std::string::npos);
    CHECK(retr.size() >= 5);
    CHECK(retr.substr(retr.size() - 5) == "\r\n.\r\n");
    // TOP n 0: the header and the empty line; TOP n 1: one line of the body.
    CHECK(c.say("TOP 1 0") ==
          "+OK\r\nReturn-Path: <bob@example.test>\r\nFrom: bob@example.test\r\nTo: alice@example.test\r\nSubject: pop3 test "
          "message 1\r\n\r\n.\r\n");
    CHECK(c.say("TOP 2 1") ==
          "+OK\r\nReturn-Path: <bob@example.test>\r\nFrom: bob@example.test\r\nTo: alice@example.test\r\nSubject: pop3 test "
          "message 2\r\n\r\nThis is message 2.\r\n.\r\n");
    CHECK(c.say("NOOP") == "+OK\r\n");
    CHECK(c.say("DELE 1") == "+OK Marked to be deleted.\r\n");
    for (const char* cmd : {"RETR 1", "LIST 1", "UIDL 1", "TOP 1 0", "DELE 1"}) CHECK(c.say(cmd) == "-ERR Message is deleted.\r\n");
    CHECK(c.say("STAT") == "+OK 2 1042\r\n");
    CHECK(c.say("LIST") == "+OK 2 messages:\r\n2 521\r\n3 521\r\n.\r\n");
    CHECK(c.say("UIDL") == "+OK\r\n2 000000026b058df9\r\n3 000000036b058df9\r\n.\r\n");
    CHECK(c.say("RSET") == "+OK\r\n");
    CHECK(c.say("STAT") == "+OK 3 1563\r\n");
    CHECK(c.say("DELE 1") == "+OK Marked to be deleted.\r\n");
    CHECK(m.texts.size() == 3);  // nothing is deleted before the UPDATE state
    CHECK(c.say("QUIT") == "+OK Logging out, messages deleted.\r\n");
    CHECK(c.last.close);
  }
  // The second session: message 1 is gone, numbering starts again at 1, the UIDLs stay.
  CHECK(m.texts.size() == 2);
  Session d(m);
  d.say("USER alice");
  CHECK(d.say("PASS alicepw") == "+OK Logged in.\r\n");
  CHECK(d.say("STAT") == "+OK 2 1042\r\n");
  CHECK(d.say("LIST") == "+OK 2 messages:\r\n1 521\r\n2 521\r\n.\r\n");
  CHECK(d.say("UIDL") == "+OK\r\n1 000000026b058df9\r\n2 000000036b058df9\r\n.\r\n");
  CHECK(d.say("QUIT") == "+OK Logging out.\r\n");
}

TEST_CASE("pop3: unknown commands and bad arguments after the login as Dovecot answers them") {
  Maildrop m = three_messages();
  Session c(m);
  CHECK(c.say("user alice") == "+OK\r\n");  // commands are not case-sensitive
  CHECK(c.say("pass alicepw") == "+OK Logged in.\r\n");
  CHECK(c.say("FOO") == "-ERR Unknown command: FOO\r\n");
  CHECK(c.say("XYZZY 1 2") == "-ERR Unknown command: XYZZY\r\n");
  CHECK(c.say("") == "-ERR Unknown command.\r\n");
  CHECK(c.say("stat") == "+OK 3 1563\r\n");
  CHECK(c.say("RETR") == "-ERR Invalid message number: \r\n");
  CHECK(c.say("RETR abc") == "-ERR Invalid message number: abc\r\n");
  CHECK(c.say("RETR 99") == "-ERR There's no message 99.\r\n");
  CHECK(c.say("RETR 0") == "-ERR There's no message 0.\r\n");
  CHECK(c.say("LIST 99") == "-ERR There's no message 99.\r\n");
  CHECK(c.say("DELE 99") == "-ERR There's no message 99.\r\n");
  CHECK(c.say("TOP 1") == "-ERR Noise after message number: \r\n");
  CHECK(c.say("TOP 1 -1") == "-ERR Invalid size: -1\r\n");
  CHECK(c.say("LIST 1 2") == "-ERR Noise after message number:  2\r\n");
  CHECK(c.say("UIDL 99") == "-ERR There's no message 99.\r\n");
  CHECK(c.say("USER bob") == "-ERR Unknown command: USER\r\n");
  CHECK(c.say("PASS bobpw") == "-ERR Unknown command: PASS\r\n");
  CHECK(c.say("APOP alice 0123456789abcdef0123456789abcdef") == "-ERR Unknown command: APOP\r\n");
  CHECK(c.say("STAT x") == "+OK 3 1563\r\n");  // arguments of STAT, NOOP and RSET are ignored
  CHECK(c.say("QUIT") == "+OK Logging out.\r\n");
}

TEST_CASE("pop3: bad commands in a row end the session at Dovecot's limits") {
  Maildrop m = three_messages();
  Session before(m);
  CHECK(before.say("FOO") == "-ERR Unknown command.\r\n");
  CHECK(before.say("BAR") == "-ERR Unknown command.\r\n");
  CHECK(before.say("BAZ") == "-ERR Unknown command.\r\n-ERR Too many invalid bad commands.\r\n");
  CHECK(before.last.close);
  CHECK(before.s.state() == State::Closed);

  Session after(m);
  after.say("USER alice");
  after.say("PASS alicepw");
  for (int i = 0; i < kMaxBadCommands; ++i) CHECK_FALSE(after.say("X" + std::to_string(i)).empty());
  CHECK_FALSE(after.last.close);
  CHECK(after.say("X20") == "-ERR Unknown command: X20\r\n-ERR Too many bad commands.\r\n");
  CHECK(after.last.close);
  CHECK(m.releases == 1);  // the maildrop is free again, and nothing was deleted
  CHECK(m.texts.size() == 3);
}

TEST_CASE("pop3: a wrong password is answered after auth_failure_delay and what came meanwhile waits") {
  Maildrop m = three_messages();
  Session c(m);
  c.say("USER alice", kSecond);
  const SessionOutput wrong = c.s.on_input(kSecond, "PASS nope\r\nUSER alice\r\n");
  CHECK(wrong.send.empty());
  REQUIRE(c.s.deadline());
  CHECK(*c.s.deadline() == kSecond + kAuthFailureDelay);
  CHECK(c.s.on_timeout(kSecond + kAuthFailureDelay - 1).send.empty());
  CHECK(c.s.on_timeout(kSecond + kAuthFailureDelay).send == "-ERR [AUTH] Authentication failed.\r\n+OK\r\n");
  CHECK(c.say("PASS alicepw", 4 * kSecond) == "+OK Logged in.\r\n");
  Session no_user(m);
  CHECK(no_user.say("PASS x") == "-ERR No username given.\r\n");
}

TEST_CASE("pop3: AUTH PLAIN and LOGIN and the mechanisms and STLS answers") {
  Maildrop m = three_messages();
  Session c(m);
  CHECK(c.say("AUTH") == "+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n");
  CHECK(c.say("AUTH FOO") == "-ERR [AUTH] Unsupported authentication mechanism.\r\n");
  CHECK(c.say("STLS") == "-ERR TLS support isn't enabled.\r\n");
  CHECK(c.say("AUTH PLAIN") == "+ \r\n");
  CHECK(c.say("*") == "-ERR Authentication aborted by client.\r\n");
  CHECK(c.say("AUTH PLAIN AGFsaWNlAGFsaWNlcHc=") == "+OK Logged in.\r\n");
  REQUIRE(c.last.notes.size() == 1);
  CHECK(c.last.notes[0].key == "note.pop3.auth_plain");
  CHECK(c.last.notes[0].args[2] == "alicepw");
  c.say("QUIT");

  Session l(m);
  CHECK(l.say("AUTH LOGIN") == "+ VXNlcm5hbWU6\r\n");
  CHECK(l.say("YWxpY2U=") == "+ UGFzc3dvcmQ6\r\n");
  CHECK(l.say("YWxpY2Vwdw==") == "+OK Logged in.\r\n");

  ServerConfig tls;
  tls.tls_available = true;
  tls.plaintext_auth = false;
  Maildrop m2 = three_messages();
  Session t(m2, tls);
  CHECK(t.say("CAPA") == "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n.\r\n");
  CHECK(t.say("USER alice") == "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n");
  const SessionOutput go = t.s.on_input(0, "STLS\r\nUSER sneaky\r\n");
  CHECK(go.send == "+OK Begin TLS negotiation now.\r\n");  // what was pipelined in the clear is dropped
  CHECK(go.start_tls);
  CHECK(t.say("USER alice") == "+OK\r\n");
}

TEST_CASE("pop3: a locked maildrop is refused and a dropped connection deletes nothing") {
  Maildrop m = three_messages();
  Session a(m);
  a.say("USER alice");
  a.say("PASS alicepw");
  Session b(m);
  b.say("USER alice");
  CHECK(b.say("PASS alicepw") == "-ERR [IN-USE] Mailbox is locked by another POP3 session.\r\n");
  CHECK(b.last.close);
  a.say("DELE 1");
  a.s.on_closed();  // the connection dropped before QUIT
  CHECK(m.texts.size() == 3);
  CHECK_FALSE(m.locked);
  Session c(m);
  c.say("USER alice");
  CHECK(c.say("PASS alicepw") == "+OK Logged in.\r\n");
}

TEST_CASE("pop3: RETR marks a message seen when the session ends as Dovecot does and TOP and RSET and DELE do not") {
  {
    Maildrop m = three_messages();
    Session c(m);
    c.say("USER alice");
    c.say("PASS alicepw");
    c.say("RETR 1");
    c.say("RSET");  // forgets both the deletions and the \Seen to come
    c.say("TOP 1 0");
    c.say("RETR 2");
    c.say("RETR 3");
    c.say("DELE 3");  // a message deleted gets no \Seen
    CHECK(m.seen.empty());  // nothing changes before the session ends
    c.say("QUIT");
    CHECK(m.seen == std::vector<std::size_t>{1});
    CHECK(m.texts.size() == 2);
  }
  {
    // Without QUIT nothing is deleted, but what RETR sent is \Seen all the same.
    Maildrop m = three_messages();
    Session c(m);
    c.say("USER alice");
    c.say("PASS alicepw");
    c.say("RETR 2");
    c.say("DELE 2");
    c.s.on_closed();
    CHECK(m.seen == std::vector<std::size_t>{1});
    CHECK(m.texts.size() == 3);
  }
}

TEST_CASE("pop3: an idle client is disconnected after Dovecot's idle timeout") {
  Maildrop m = three_messages();
  Session c(m);
  c.say("USER alice", 5 * kSecond);
  REQUIRE(c.s.deadline());
  CHECK(*c.s.deadline() == 5 * kSecond + kIdleTimeout);
  const SessionOutput out = c.s.on_timeout(5 * kSecond + kIdleTimeout);
  CHECK(out.send == "-ERR Disconnected for inactivity.\r\n");
  CHECK(out.close);
  CHECK_FALSE(c.s.deadline());
}

namespace {

// A POP3 client and server talking directly: every byte the one writes, the other reads.
struct Loopback {
  Loopback(Maildrop& m, ClientJob job) : server(ServerConfig{}, m), client(std::move(job)) {}
  void run() {
    client.start(0);
    std::string to_client = server.on_connect(0).send;
    for (int turns = 0; turns < 1000 && !client.done(); ++turns) {
      const SessionOutput c = client.on_input(0, to_client);
      transcript += c.send;
      to_client = server.on_input(0, c.send).send;
      if (c.close) server.on_closed();
    }
  }
  ServerSession server;
  pop3::ClientSession client;
  std::string transcript;  // what the client wrote
};

}  // namespace

TEST_CASE("pop3 client: downloads and deletes every message and QUIT makes the server delete them") {
  Maildrop m = three_messages();
  Loopback l(m, ClientJob{"alice", "alicepw"});
  l.run();
  CHECK(l.client.failure().empty());
  REQUIRE(l.client.downloaded().size() == 3);
  CHECK(l.client.downloaded()[0].text == three_messages().texts[0]);  // the leading dot restored
  CHECK(l.client.downloaded()[2].uidl == "000000036b058df9");
  CHECK(l.client.deleted() == 3);
  CHECK(l.client.committed());
  CHECK(m.texts.empty());
  CHECK(l.transcript == "USER alice\r\nPASS alicepw\r\nUIDL\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nRETR 3\r\nDELE 3\r\nQUIT\r\n");
}

TEST_CASE("pop3 client: leaving a copy downloads only what it has not seen and deletes nothing") {
  Maildrop m = three_messages();
  ClientJob job{"alice", "alicepw"};
  job.leave_copy = true;
  job.known = {"000000016b058df9"};
  Loopback l(m, job);
  l.run();
  REQUIRE(l.client.downloaded().size() == 2);
  CHECK(l.client.downloaded()[0].uidl == "000000026b058df9");
  CHECK(l.client.deleted() == 0);
  CHECK(m.texts.size() == 3);
  CHECK(l.transcript == "USER alice\r\nPASS alicepw\r\nUIDL\r\nRETR 2\r\nRETR 3\r\nQUIT\r\n");
}

TEST_CASE("pop3 client: remove from server after some days deletes only the known copies it is told to") {
  Maildrop m = three_messages();
  ClientJob job{"alice", "alicepw"};
  job.leave_copy = true;
  job.known = {"000000016b058df9", "000000026b058df9"};
  job.expire = {"000000016b058df9"};
  Loopback l(m, job);
  l.run();
  REQUIRE(l.client.downloaded().size() == 1);
  CHECK(l.client.downloaded()[0].uidl == "000000036b058df9");
  CHECK(l.client.deleted() == 1);
  CHECK(l.client.committed());
  CHECK(l.transcript == "USER alice\r\nPASS alicepw\r\nUIDL\r\nDELE 1\r\nRETR 3\r\nQUIT\r\n");
  CHECK(m.uidls == std::vector<std::string>{"000000026b058df9", "000000036b058df9"});
  CHECK(m.seen == std::vector<std::size_t>{2});  // what RETR took is \Seen on the server
}

TEST_CASE("pop3 client: a refused login ends with QUIT and its reason and a silent server with a timeout") {
  Maildrop m = three_messages();
  pop3::ClientSession c(ClientJob{"alice", "wrong"});
  c.start(0);
  CHECK(c.on_input(0, "+OK Dovecot (Debian) ready.\r\n").send == "USER alice\r\n");
  CHECK(c.on_input(0, "+OK\r\n").send == "PASS wrong\r\n");
  CHECK(c.on_input(2 * kSecond, "-ERR [AUTH] Authentication failed.\r\n").send == "QUIT\r\n");
  CHECK(c.on_input(2 * kSecond, "+OK Logging out\r\n").close);
  CHECK(c.failure() == "-ERR [AUTH] Authentication failed.");
  CHECK(c.downloaded().empty());

  pop3::ClientSession s(ClientJob{"alice", "alicepw"});
  s.start(kSecond);
  CHECK(*s.deadline() == kSecond + kClientTimeout);
  const SessionOutput out = s.on_timeout(kSecond + kClientTimeout);
  CHECK(out.close);
  CHECK(s.done());
  CHECK(s.failure().find("no answer from the server") == 0);
}
