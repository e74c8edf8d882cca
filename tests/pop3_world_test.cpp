// POP3 in whole worlds: a mail server's pop3 service, devices that check mail, and the console, with
// every change to a mailbox or a device's store read back from the trace's state.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "agents/guest.h"
#include "agents/world.h"
#include "scenario/load.h"
#include "trace/player.h"
#include "trace/transcript.h"
#include "trace/view.h"
#include "truth_replay.h"

using namespace postlab;

namespace {

// alice@example.test on mail.example.test (smtp and pop3) with `count` messages already in her INBOX;
// `more` adds hosts (each followed by a comma) and `timeline` the timeline's entries.
Scenario maildrop(int count, const std::string& more = "", const std::string& timeline = "") {
  std::string messages;
  for (int i = 1; i <= count; ++i)
    messages += std::string(i > 1 ? "," : "") + R"({"message": {"from": "bob@example.test", "to": ["alice@example.test"],
      "subject": "pop3 test message )" + std::to_string(i) + R"(", "body": "This is message )" + std::to_string(i) + R"(.\n"}})";
  const std::string text = R"({
  "format": 1, "title": "pop3 world test", "seed": 5,
  "hosts": [)" + more + R"(
    {"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
     "services": ["smtp", "pop3"]}
  ],
  "users": [{"address": "alice@example.test", "password": "alicepw", "messages": [)" + messages + R"(]}],
  "timeline": [)" + timeline + R"(]
})";
  LoadResult r = load_scenario_text(text, "pop3-world-test.json");
  std::string errors;
  for (const auto& e : r.errors) errors += e.str() + "\n";
  REQUIRE_MESSAGE(r.ok(), errors);
  return *r.scenario;
}

// A person typing into one POP3 connection; what the server sent, as lines.
struct Typist {
  Typist(World& w, const std::string& name) : world(w) {
    host = w.add_guest_host(name, w.free_guest_address());
    guest = std::make_unique<GuestClient>(w, host, *w.net().find_by_name("mail.example.test"), 110,
                                          [this](std::string_view b) { heard += b; });
    guest->settle();
  }
  std::string say(const std::string& line) {
    const std::size_t from = heard.size();
    guest->type(line);
    return heard.substr(from);
  }
  World& world;
  HostId host = 0;
  std::string heard;
  std::unique_ptr<GuestClient> guest;
};

std::size_t inbox_count(const World& w) {
  const MailboxState* box = w.trace().state().mailbox("alice@example.test");
  REQUIRE(box);
  return box->folders.at("INBOX").count_at(w.trace().size());
}

std::size_t count_kind(const World& w, EventKind kind) {
  std::size_t n = 0;
  for (const auto& e : w.trace().events()) n += e.kind == kind;
  return n;
}

// A captured Dovecot session (tests/truth/pop3_*.txt): per connection, the client's lines and the
// server's lines, with \r\n and \x09 written out as the capture writes them.
struct Captured {
  std::vector<std::vector<std::string>> client, server;
};
Captured read_capture(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, path);
  Captured c;
  std::string line;
  auto unescape = [](std::string s) {
    if (s.size() >= 4 && s.substr(s.size() - 4) == "\\r\\n") s.resize(s.size() - 4);
    for (std::size_t p; (p = s.find("\\x09")) != std::string::npos;) s.replace(p, 4, "\t");
    return s;
  };
  while (std::getline(in, line)) {
    if (line.rfind("# connect", 0) == 0) {
      c.client.emplace_back();
      c.server.emplace_back();
      continue;
    }
    const auto mark = line.find("] ");
    if (line.empty() || line[0] != '[' || mark == std::string::npos || c.client.empty()) continue;
    const std::string rest = line.substr(mark + 2);
    if (rest.rfind("C: ", 0) == 0) c.client.back().push_back(unescape(rest.substr(3)));
    if (rest.rfind("S: ", 0) == 0) c.server.back().push_back(unescape(rest.substr(3)));
  }
  return c;
}

// The status lines of a session (+OK and -ERR), with what differs between two mailboxes made equal:
// UIDLs, numbers and sizes.
std::vector<std::string> status_lines(const std::vector<std::string>& lines) {
  static const std::regex uidl("[0-9a-f]{16}"), number("[0-9]+");
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (l.rfind("+OK", 0) != 0 && l.rfind("-ERR", 0) != 0) continue;
    out.push_back(std::regex_replace(std::regex_replace(l, uidl, "<uidl>"), number, "N"));
  }
  return out;
}

}  // namespace

TEST_CASE("pop3 world: the console replays Dovecot's captured sessions with the same replies") {
  struct Case {
    const char* file;
    int messages;  // what the maildrop held when the capture began
  };
  for (const Case& k : {Case{"pop3_01_session.txt", 3}, Case{"pop3_03_unknown_and_bad_args.txt", 2}}) {
    CAPTURE(k.file);
    const Captured captured = read_capture(std::string(POSTLAB_SOURCE_DIR "/tests/truth/") + k.file);
    REQUIRE_FALSE(captured.client.empty());
    World world(maildrop(k.messages));
    REQUIRE(world.run());
    for (std::size_t s = 0; s < captured.client.size(); ++s) {
      CAPTURE(s);
      Typist t(world, "console" + std::to_string(s));
      for (const auto& line : captured.client[s]) t.say(line);
      t.guest->hang_up();
      CHECK(t.guest->closed());
      REQUIRE(status_lines(captured.server[s]).size() >= 5);
      CHECK(status_lines(split_lines(t.heard)) == status_lines(captured.server[s]));
    }
  }
}

TEST_CASE("pop3 world: QUIT expunges what DELE marked and a dropped connection deletes nothing") {
  World world(maildrop(3));
  REQUIRE(world.run());
  {
    Typist a(world, "one");
    CHECK(a.say("USER alice") == "+OK\r\n");
    CHECK(a.say("PASS alicepw") == "+OK Logged in.\r\n");
    CHECK(a.say("RETR 2").rfind("+OK ", 0) == 0);
    CHECK(a.say("DELE 1") == "+OK Marked to be deleted.\r\n");
    // RFC 1939 §8: the maildrop is locked while this session holds it.
    Typist b(world, "two");
    b.say("USER alice@example.test");
    CHECK(b.say("PASS alicepw") == "-ERR [IN-USE] Mailbox is locked by another POP3 session.\r\n");
    a.guest->hang_up();  // no QUIT: no UPDATE state
  }
  CHECK(inbox_count(world) == 3);
  CHECK(count_kind(world, EventKind::MessageExpunged) == 0);
  // Dovecot still gives \Seen to what RETR sent when a session ends without QUIT.
  const FolderState& inbox = world.trace().state().mailbox("alice@example.test")->folders.at("INBOX");
  CHECK(inbox.items[1].flags_at(world.trace().size()) == kFlagSeen);
  CHECK(inbox.items[0].flags_at(world.trace().size()) == 0);
  {
    Typist c(world, "three");
    c.say("USER alice");
    CHECK(c.say("PASS alicepw") == "+OK Logged in.\r\n");  // the lock went with the dropped session
    c.say("DELE 1");
    c.say("DELE 3");
    CHECK(c.say("QUIT") == "+OK Logging out, messages deleted.\r\n");
  }
  CHECK(inbox_count(world) == 1);
  CHECK(count_kind(world, EventKind::MessageExpunged) == 2);
  // Stepping back: before the QUIT the view still shows three messages.
  std::size_t quit = 0;
  for (const auto& e : world.trace().events())
    if (e.kind == EventKind::MessageExpunged && quit == 0) quit = e.seq;
  CHECK(StateView(world.trace(), quit).count(inbox) == 3);
  CHECK(StateView(world.trace(), quit + 1).count(inbox) == 2);
}

TEST_CASE("pop3 world: two devices on one maildrop and what each keeps") {
  const std::string devices = R"(
    {"name": "laptop", "role": "client", "address": "192.0.2.20", "user": "alice@example.test",
     "retrieve": {"protocol": "pop3"}},
    {"name": "phone", "role": "client", "address": "192.0.2.21", "user": "alice@example.test",
     "retrieve": {"protocol": "pop3", "leave_copy": true, "remember": false}},
    {"name": "tablet", "role": "client", "address": "192.0.2.22", "user": "alice@example.test",
     "retrieve": {"protocol": "pop3", "leave_copy": true, "remove_after": "1d"}},)";
  SUBCASE("download and delete: the second device finds nothing") {
    World world(maildrop(2, devices, R"({"at": "1s", "check_mail": "laptop"}, {"at": "1m", "check_mail": "phone"})"));
    REQUIRE(world.run());
    const ViewState v = StateView(world.trace(), world.trace().size()).snapshot();
    CHECK(v.devices.at("laptop").size() == 2);
    CHECK(v.devices.at("phone").empty());
    CHECK(v.devices.at("tablet").empty());
    CHECK(v.mailboxes.at("alice@example.test").at("INBOX").empty());
  }
  SUBCASE("a device that forgets downloads the same message at every check") {
    World world(maildrop(1, devices, R"({"at": "1s", "check_mail": "phone"}, {"at": "1m", "check_mail": "phone"},
                                       {"at": "2m", "check_mail": "tablet"}, {"at": "3m", "check_mail": "tablet"})"));
    REQUIRE(world.run());
    const ViewState v = StateView(world.trace(), world.trace().size()).snapshot();
    CHECK(v.devices.at("phone").size() == 2);
    CHECK(v.devices.at("tablet").size() == 1);  // it remembers the UIDL
    const auto& inbox = v.mailboxes.at("alice@example.test").at("INBOX");
    REQUIRE(inbox.size() == 1);
    CHECK(inbox[0].flags == kFlagSeen);
  }
  SUBCASE("remove from server after a day deletes the copy on the first check after it") {
    World world(maildrop(1, devices, R"({"at": "1s", "check_mail": "tablet"}, {"at": "23h", "check_mail": "tablet"},
                                       {"at": "1d1m", "check_mail": "tablet"})"));
    REQUIRE(world.run());
    std::vector<SimTime> expunged;
    for (const auto& e : world.trace().events())
      if (e.kind == EventKind::MessageExpunged) expunged.push_back(e.time);
    REQUIRE(expunged.size() == 1);
    CHECK(expunged[0] > kDay);
    CHECK(inbox_count(world) == 0);
    CHECK(StateView(world.trace(), world.trace().size()).snapshot().devices.at("tablet").size() == 1);
  }
  SUBCASE("a wrong password downloads nothing") {
    World world(maildrop(1, devices, R"({"at": "1s", "check_mail": {"device": "laptop", "password": "nope"}})"));
    REQUIRE(world.run());
    CHECK(count_kind(world, EventKind::Downloaded) == 0);
    CHECK(inbox_count(world) == 1);
    bool refused = false;
    for (const auto& e : world.trace().events())
      refused = refused || (e.kind == EventKind::Line && std::string_view(e.text).rfind("-ERR [AUTH] Authentication failed.", 0) == 0);
    CHECK(refused);
  }
}

TEST_CASE("pop3 world: the same lesson gives the same trace twice") {
  const std::string devices = R"(
    {"name": "laptop", "role": "client", "address": "192.0.2.20", "user": "alice@example.test",
     "retrieve": {"protocol": "pop3", "leave_copy": true}},)";
  const Scenario s = maildrop(3, devices, R"({"at": "1s", "check_mail": "laptop"}, {"at": "1s", "check_mail": "laptop"})");
  World a(s), b(s);
  REQUIRE(a.run());
  REQUIRE(b.run());
  CHECK(a.trace().fingerprint() == b.trace().fingerprint());
  // Two checks at once: the second waits for the first, then finds nothing new.
  CHECK(count_kind(a, EventKind::Downloaded) == 3);
}

TEST_CASE("imap world: a session in IDLE hears at once what another session and a delivery change") {
  LoadResult r = load_scenario_text(R"({
  "format": 1, "title": "imap world test", "seed": 5,
  "hosts": [
    {"name": "alice-laptop", "role": "client", "address": "192.0.2.10", "user": "alice@example.test"},
    {"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
     "services": ["smtp", "submission", "imap"]}
  ],
  "users": [{"address": "alice@example.test", "password": "alicepw", "messages": [
    {"message": {"from": "bob@example.test", "subject": "one", "body": "1\n"}},
    {"message": {"from": "bob@example.test", "subject": "two", "body": "2\n"}}]}]
})", "imap-world.json");
  REQUIRE(r.ok());
  World world(*r.scenario);
  REQUIRE(world.run());
  const HostId server = *world.net().find_by_name("mail.example.test");
  std::string a_heard, b_heard;
  GuestClient a(world, world.add_guest_host("phone", "192.0.2.30"), server, 143, [&](std::string_view s) { a_heard += s; });
  GuestClient b(world, world.add_guest_host("laptop", "192.0.2.31"), server, 143, [&](std::string_view s) { b_heard += s; });
  a.settle();
  CHECK(a_heard.rfind("* OK [CAPABILITY IMAP4rev1 ", 0) == 0);
  a.type("a1 LOGIN alice alicepw");
  a.type("a2 SELECT INBOX");
  CHECK(a_heard.find("* 2 EXISTS\r\n* 2 RECENT\r\n") != std::string::npos);
  a.type("a3 IDLE");
  b.type("b1 LOGIN alice@example.test alicepw");
  b.type("b2 SELECT INBOX");
  CHECK(b_heard.find("* 0 RECENT") != std::string::npos);  // the phone took them
  a_heard.clear();
  b.type("b3 STORE 1 +FLAGS (\\Seen)");  // the laptop reads message 1 ...
  CHECK(a_heard == "* 1 FETCH (FLAGS (\\Seen \\Recent))\r\n");  // ... and the phone, idling, is told
  b.type("b4 CREATE Work");
  b.type("b5 MOVE 2 Work");
  CHECK(b_heard.find("* OK [COPYUID ") != std::string::npos);
  CHECK(a_heard.find("* 2 EXPUNGE\r\n* 1 RECENT\r\n") != std::string::npos);
  a.type("DONE");
  a.type("a4 LOGOUT");
  b.type("b6 LOGOUT");
  // Every change is in the trace, and the view at the end shows it.
  const ViewState v = StateView(world.trace(), world.trace().size()).snapshot();
  const auto& box = v.mailboxes.at("alice@example.test");
  REQUIRE(box.at("INBOX").size() == 1);
  CHECK(box.at("INBOX")[0].flags == kFlagSeen);
  REQUIRE(box.at("Work").size() == 1);
  CHECK(box.at("Work")[0].uid == 1);
  std::size_t created = 0, moved = 0;
  for (const auto& e : world.trace().events()) {
    created += e.kind == EventKind::FolderCreated && e.protocol == Protocol::Imap;
    moved += e.kind == EventKind::MessageExpunged && std::string_view(e.text) == "MOVE to Work";
  }
  CHECK(created == 1);
  CHECK(moved == 1);
}

TEST_CASE("imap world: rename keeps UIDs and a deleted folder is gone from the view after and not before") {
  LoadResult r = load_scenario_text(R"({
  "format": 1, "title": "imap folders", "seed": 5,
  "hosts": [{"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
             "services": ["smtp", "imap"]}],
  "users": [{"address": "alice@example.test", "password": "alicepw", "folders": ["Work"], "messages": [
    {"folder": "Work", "message": {"from": "bob@example.test", "subject": "one", "body": "1\n"}}]}]
})", "imap-folders.json");
  REQUIRE(r.ok());
  World world(*r.scenario);
  REQUIRE(world.run());
  std::string heard;
  GuestClient c(world, world.add_guest_host("pc", "192.0.2.30"), *world.net().find_by_name("mail.example.test"), 143,
                [&](std::string_view s) { heard += s; });
  c.settle();
  c.type("a LOGIN alice alicepw");
  c.type("b RENAME Work Archive");
  const std::size_t renamed = world.trace().size();
  c.type("c DELETE Archive");
  c.type("d CREATE Archive");
  c.type("e STATUS Archive (MESSAGES UIDVALIDITY)");
  CHECK(heard.find("* STATUS Archive (MESSAGES 0 UIDVALIDITY ") != std::string::npos);
  c.type("f LOGOUT");
  auto names = [&](std::size_t n) {
    std::vector<std::string> out;
    StateView view(world.trace(), n);
    for (const MailboxState* box : view.mailboxes())
      for (const FolderState* f : view.folders(*box)) out.push_back(f->name + ":" + std::to_string(view.count(*f)));
    return out;
  };
  CHECK(names(renamed) == std::vector<std::string>{"Archive:1", "INBOX:0"});
  CHECK(names(world.trace().size()) == std::vector<std::string>{"Archive:0", "INBOX:0"});
  std::size_t first = 0;
  while (first < world.trace().size() && world.trace().events()[first].kind != EventKind::FolderRenamed) ++first;
  CHECK(names(first) == std::vector<std::string>{"INBOX:0", "Work:1"});
}

TEST_CASE("imap world: a message an IMAP device sends is saved in its user's Sent folder") {
  LoadResult r = load_scenario_text(R"({
  "format": 1, "title": "sent folder", "seed": 5,
  "hosts": [
    {"name": "laptop", "role": "client", "address": "192.0.2.20", "user": "alice@example.test",
     "retrieve": {"protocol": "imap"}},
    {"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
     "services": ["smtp", "submission", "imap"]}
  ],
  "users": [{"address": "alice@example.test", "password": "alicepw", "folders": ["Sent"]},
            {"address": "bob@example.test", "password": "bobpw"}],
  "timeline": [{"at": "1s", "send": {"from": "laptop", "message": {"to": ["bob@example.test"], "subject": "Hi", "body": "Hello\n"}}}]
})", "sent.json");
  REQUIRE(r.ok());
  World world(*r.scenario);
  REQUIRE(world.run());
  const ViewState v = StateView(world.trace(), world.trace().size()).snapshot();
  REQUIRE(v.mailboxes.at("alice@example.test").at("Sent").size() == 1);
  CHECK(v.mailboxes.at("alice@example.test").at("Sent")[0].flags == kFlagSeen);
  CHECK(v.mailboxes.at("bob@example.test").at("INBOX").size() == 1);
  const std::int64_t saved = v.mailboxes.at("alice@example.test").at("Sent")[0].message;
  CHECK(world.trace().messages()[static_cast<std::size_t>(saved)].head().find("Subject: Hi\r\n") != std::string::npos);
}

TEST_CASE("imap world: the console replays Dovecot's captured IMAP session with the same replies") {
  LoadResult r = load_scenario_text(R"({
  "format": 1, "title": "imap truth", "seed": 5,
  "hosts": [{"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
             "services": ["smtp", "imap"]}],
  "users": [{"address": "alice@example.test", "password": "alicepw", "messages": [
    {"message": {"from": "Bob Example <bob@example.test>", "subject": "imap test message 1", "body": "This is IMAP message 1.\nSecond line.\n"}},
    {"message": {"from": "Bob Example <bob@example.test>", "subject": "imap test message 2", "body": "This is IMAP message 2.\nSecond line.\n"}},
    {"message": {"from": "Bob Example <bob@example.test>", "subject": "imap test message 3", "body": "This is IMAP message 3.\nSecond line.\n"}}]}]
})", "imap-truth.json");
  REQUIRE(r.ok());
  World world(*r.scenario);
  REQUIRE(world.run());
  std::ifstream in(POSTLAB_SOURCE_DIR "/tests/truth/imap_01_session.txt");
  REQUIRE(in);
  std::vector<std::string> typed, theirs;
  for (std::string line; std::getline(in, line);) {
    const std::size_t mark = line.find("] ");
    if (line.empty() || line[0] != '[' || mark == std::string::npos) continue;
    std::string data = line.substr(mark + 5);
    if (data.size() >= 4 && data.substr(data.size() - 4) == "\\r\\n") data.resize(data.size() - 4);
    for (std::size_t p; (p = data.find("\\\\")) != std::string::npos;) data.replace(p, 2, "\\");
    (line.compare(mark + 2, 3, "C: ") == 0 ? typed : theirs).push_back(data);
  }
  std::string heard;
  GuestClient c(world, world.add_guest_host("console", "192.0.2.30"), *world.net().find_by_name("mail.example.test"), 143,
                [&](std::string_view s) { heard += s; });
  c.settle();
  for (const auto& t : typed) c.type(t);
  c.hang_up();
  const auto ours = postlab::testing::imap_status_lines(split_lines(heard), true);
  const auto dovecot = postlab::testing::imap_status_lines(theirs, true);
  REQUIRE(dovecot.size() > 60);
  CHECK(ours == dovecot);
  for (std::size_t i = 0; i < std::max(ours.size(), dovecot.size()); ++i)
    if ((i < ours.size() ? ours[i] : "") != (i < dovecot.size() ? dovecot[i] : ""))
      MESSAGE("line " << i << "\n ours:    " << (i < ours.size() ? ours[i] : "") << "\n dovecot: " << (i < dovecot.size() ? dovecot[i] : ""));
}

TEST_CASE("pop3 and imap world: with the MTA's STARTTLS the devices log in inside TLS") {
  LoadResult r = load_scenario_text(R"({
  "format": 1, "title": "tls reading", "seed": 5,
  "hosts": [
    {"name": "laptop", "role": "client", "address": "192.0.2.20", "user": "alice@example.test", "retrieve": {"protocol": "pop3"}},
    {"name": "phone", "role": "client", "address": "192.0.2.21", "user": "alice@example.test", "retrieve": {"protocol": "imap"}},
    {"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
     "services": ["smtp", "pop3", "imap"]}
  ],
  "users": [{"address": "alice@example.test", "password": "secret-pw", "messages": [
    {"message": {"from": "bob@example.test", "subject": "one", "body": "1\n"}}]}],
  "timeline": [{"at": "1s", "check_mail": "phone"}, {"at": "1m", "check_mail": "laptop"}]
})", "tls.json");
  REQUIRE(r.ok());
  World world(*r.scenario);
  REQUIRE(world.run());
  std::size_t secret_lines = 0, stls = 0, starttls = 0, downloads = 0;
  for (const auto& e : world.trace().events()) {
    if (e.kind == EventKind::Downloaded) ++downloads;
    if (e.kind != EventKind::Line) continue;
    const std::string_view text = e.text;
    stls += text == "STLS\r\n";
    starttls += text == "a1 STARTTLS\r\n";
    if (text.find("secret-pw") != std::string_view::npos) {
      ++secret_lines;
      CHECK(e.encrypted);  // the password never crosses the wire in the clear
    }
  }
  CHECK(stls == 1);
  CHECK(starttls == 1);
  CHECK(secret_lines == 2);
  CHECK(downloads == 2);  // the phone's offline copy, then the laptop's download
}

TEST_CASE("pop3 and imap world: a world that ends with sessions logged in and selected and idling ends cleanly") {
  LoadResult r = load_scenario_text(R"({
  "format": 1, "title": "teardown", "seed": 5,
  "hosts": [
    {"name": "phone", "role": "client", "address": "192.0.2.21", "user": "alice@example.test", "retrieve": {"protocol": "imap"}},
    {"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
     "services": ["smtp", "pop3", "imap"], "policy": {"starttls": false}}],
  "users": [{"address": "alice@example.test", "password": "pw", "messages": [
    {"message": {"from": "bob@example.test", "subject": "one", "body": "1\n"}}]}],
  "timeline": [{"at": "1s", "idle": {"device": "phone"}}]
})", "teardown.json");
  REQUIRE(r.ok());
  World world(*r.scenario);
  world.run_until(10 * kSecond);  // the phone is idling now, and stays so
  const HostId server = *world.net().find_by_name("mail.example.test");
  GuestClient imap(world, world.add_guest_host("a", "192.0.2.40"), server, 143, [](std::string_view) {});
  GuestClient pop(world, world.add_guest_host("b", "192.0.2.41"), server, 110, [](std::string_view) {});
  imap.settle();
  pop.settle();
  imap.type("x LOGIN alice pw");
  imap.type("y SELECT INBOX");
  imap.type("z IDLE");
  pop.type("USER alice");
  pop.type("PASS pw");
  pop.type("RETR 1");
  CHECK(imap.open());
  CHECK(pop.open());
  // The world, its handlers and their sessions go away now, mid-session (under ASan too).
}
