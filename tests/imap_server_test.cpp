// The IMAP server session against an in-memory store: Dovecot's captured sessions replayed line by
// line (../truth/imap_01, 03, 04: one session, IDLE with news from elsewhere, two sessions on one
// INBOX), and what the captures do not cover: literals, the login's limits, sequence sets, SEARCH.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "proto/imap/server.h"
#include "trace/state.h"
#include "trace/transcript.h"
#include "truth_replay.h"

using namespace postlab;
using namespace postlab::imap;
using postlab::testing::imap_status_lines;

namespace {

std::string imap_message(int n) {
  return "From: Bob Example <bob@example.test>\r\nTo: Alice <alice@example.test>\r\nCc: carol@example.test\r\n"
         "Subject: imap test message " + std::to_string(n) + "\r\nDate: Mon, 24 Nov 2025 11:00:00 +0000\r\n"
         "Message-ID: <imap-" + std::to_string(n) + "@seed.example.test>\r\n\r\nThis is IMAP message " +
         std::to_string(n) + ".\r\nSecond line.\r\n";
}

// One user's folders in memory, shared by every session; each change is told to the other sessions.
struct Store {
  struct Msg {
    std::uint32_t uid;
    std::uint8_t flags;
    std::string text;
  };
  struct Folder {
    std::uint32_t uidvalidity = 0, uidnext = 1, recent_from = 1;
    bool subscribed = false;
    std::vector<Msg> msgs;
  };
  std::map<std::string, Folder> folders;
  std::uint32_t next_validity = 1795526281;
  std::vector<ServerSession*> sessions;
  SimTime now = 0;

  Store() { folders["INBOX"].uidvalidity = 1795526280; }
  void add(const std::string& folder, std::uint32_t uid, std::uint8_t flags, std::string text) {
    Folder& f = folders[folder];
    f.msgs.push_back({uid, flags, std::move(text)});
    f.uidnext = std::max(f.uidnext, uid + 1);
  }
  void changed(ServerSession* by) {
    for (ServerSession* s : sessions)
      if (s != by) s->on_mailbox_changed(now);
  }
};

struct Hooks : ServerHooks {
  Store& store;
  ServerSession* self = nullptr;
  explicit Hooks(Store& s) : store(s) {}
  bool authenticate(const std::string& user, const std::string& password) override {
    return user == "alice" && password == "alicepw";
  }
  std::vector<FolderInfo> folders() override {
    std::vector<FolderInfo> out{{"INBOX", store.folders["INBOX"].subscribed}};
    for (const auto& [name, f] : store.folders)
      if (name != "INBOX") out.push_back({name, f.subscribed});
    return out;
  }
  std::optional<FolderStatus> folder(const std::string& name) override {
    auto it = store.folders.find(name);
    if (it == store.folders.end()) return std::nullopt;
    FolderStatus st{it->second.uidvalidity, it->second.uidnext, {}};
    for (const auto& m : it->second.msgs) st.messages.push_back({m.uid, m.flags, m.text.size(), 1795526280});
    return st;
  }
  Store::Msg* find(const std::string& folder, std::uint32_t uid) {
    for (auto& m : store.folders[folder].msgs)
      if (m.uid == uid) return &m;
    return nullptr;
  }
  std::string text(const std::string& folder, std::uint32_t uid) override { return find(folder, uid)->text; }
  std::string create(const std::string& name) override {
    if (store.folders.count(name)) return "Mailbox already exists";
    store.folders[name].uidvalidity = store.next_validity++;
    return {};
  }
  std::string remove(const std::string& name) override {
    if (name == "INBOX") return "INBOX can't be deleted.";
    if (!store.folders.erase(name)) return "Mailbox doesn't exist: " + name;
    return {};
  }
  std::string rename(const std::string& from, const std::string& to) override {
    if (!store.folders.count(from)) return "Mailbox doesn't exist: " + from;
    if (store.folders.count(to)) return "Mailbox already exists";
    store.folders[to] = store.folders[from];
    store.folders.erase(from);
    return {};
  }
  void subscribe(const std::string& name, bool on) override { store.folders[name].subscribed = on; }
  void set_flags(const std::string& folder, std::uint32_t uid, std::uint8_t flags) override {
    find(folder, uid)->flags = flags;
    store.changed(self);
  }
  std::uint32_t copy(const std::string& from, std::uint32_t uid, const std::string& to, bool move) override {
    const Store::Msg m = *find(from, uid);
    Store::Folder& f = store.folders[to];
    const std::uint32_t n = f.uidnext++;
    f.msgs.push_back({n, m.flags, m.text});
    if (move) expunge(from, uid);
    store.changed(self);
    return n;
  }
  void expunge(const std::string& folder, std::uint32_t uid) override {
    auto& v = store.folders[folder].msgs;
    v.erase(std::remove_if(v.begin(), v.end(), [uid](const Store::Msg& m) { return m.uid == uid; }), v.end());
    store.changed(self);
  }
  std::uint32_t append(const std::string& folder, const std::string& text, std::uint8_t flags) override {
    Store::Folder& f = store.folders[folder];
    const std::uint32_t n = f.uidnext++;
    f.msgs.push_back({n, flags, text});
    store.changed(self);
    return n;
  }
  std::uint32_t recent_from(const std::string& folder, bool take) override {
    Store::Folder& f = store.folders[folder];
    const std::uint32_t from = f.recent_from;
    if (take) f.recent_from = f.uidnext;
    return from;
  }
};

// A client connection: its session, and what the server sent it.
struct Conn {
  explicit Conn(Store& s) : hooks(s), session(ServerConfig{}, hooks) {
    hooks.self = &session;
    s.sessions.push_back(&session);
    heard += session.on_connect(s.now).send;
  }
  void catch_up(SimTime t) {
    while (auto d = session.deadline()) {
      if (*d > t) break;
      heard += session.on_timeout(*d).send;
    }
  }
  std::string say(const std::string& line, SimTime now = 0) {
    const SessionOutput out = session.on_input(now, line + "\r\n");
    heard += out.send;
    last = out;
    return out.send;
  }
  Hooks hooks;
  ServerSession session;
  std::string heard;
  SessionOutput last;
};

// Replays a capture's client lines, connection by connection and at their times, and compares what
// each connection heard with what Dovecot sent it. `on_comment` acts on the capture's comments (a
// message delivered by SMTP meanwhile).
void replay(const std::string& file, Store& store, const std::function<void(const std::string&)>& on_comment = {}) {
  std::ifstream in(std::string(POSTLAB_SOURCE_DIR "/tests/truth/") + file);
  REQUIRE_MESSAGE(in, file);
  std::map<char, std::unique_ptr<Conn>> conns;
  std::map<char, std::vector<std::string>> truth;
  auto unescape = [](std::string s) {
    if (s.size() >= 4 && s.substr(s.size() - 4) == "\\r\\n") s.resize(s.size() - 4);
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s.compare(i, 4, "\\r\\n") == 0) {
        out += "\r\n";
        i += 3;
      } else if (s.compare(i, 4, "\\x09") == 0) {
        out += '\t';
        i += 3;
      } else if (s.compare(i, 2, "\\\\") == 0) {
        out += '\\';
        ++i;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) {
      const std::size_t c = line.find("connect ");
      if (c != std::string::npos && line.find("->") != std::string::npos) {
        const char who = c == 2 ? 'S' : line[2];  // "# connect" (one connection) or "# A connect"
        conns[who] = std::make_unique<Conn>(store);
      } else if (on_comment) {
        on_comment(line);
      }
      continue;
    }
    if (line.empty() || line[0] != '[') continue;
    const std::size_t close = line.find(']');
    const SimTime t = static_cast<SimTime>(std::stod(line.substr(2, close - 2)) * 1e6);
    std::string rest = line.substr(close + 2);
    const char who = rest[0] == 'C' || rest[0] == 'S' ? 'S' : rest[0];
    if (who != 'S') rest = rest.substr(1);
    store.now = t;
    for (auto& [k, c] : conns) c->catch_up(t);
    if (rest.rfind("S: ", 0) == 0) {
      for (const auto& l : split_lines(unescape(rest.substr(3)))) truth[who].push_back(l);
    } else if (rest.rfind("C: ", 0) == 0) {
      REQUIRE(conns.count(who));
      Conn& c = *conns[who];
      const std::string bytes = unescape(rest.substr(3));
      c.heard += c.session.on_input(t, bytes + "\r\n").send;  // unescape took off the line's own CRLF
    }
  }
  for (auto& [who, c] : conns) {
    CAPTURE(who);
    c->catch_up(std::numeric_limits<SimTime>::max() / 2);
    const auto ours = imap_status_lines(split_lines(c->heard));
    const auto theirs = imap_status_lines(truth[who]);
    REQUIRE(theirs.size() >= 5);
    CHECK(ours == theirs);
    if (ours != theirs)
      for (std::size_t i = 0; i < std::max(ours.size(), theirs.size()); ++i) {
        const std::string a = i < ours.size() ? ours[i] : "", b = i < theirs.size() ? theirs[i] : "";
        if (a != b) MESSAGE("line " << i << "\n ours:    " << a << "\n dovecot: " << b);
      }
  }
}

}  // namespace

TEST_CASE("imap server: Dovecot's whole session replayed gives the same replies") {
  Store store;
  for (int n = 1; n <= 3; ++n) store.add("INBOX", static_cast<std::uint32_t>(n), 0, imap_message(n));
  replay("imap_01_session.txt", store);
}

TEST_CASE("imap server: IDLE tells news from another session half a second later as Dovecot does") {
  Store store;
  store.add("INBOX", 2, kFlagSeen, imap_message(2));
  store.folders["INBOX"].uidnext = 4;
  store.folders["INBOX"].recent_from = 4;
  replay("imap_03_idle.txt", store, [&](const std::string& comment) {
    if (comment.find("Postfix accepted it") == std::string::npos) return;
    // The message the capture sent through Postfix is delivered into the INBOX now.
    Store::Folder& f = store.folders["INBOX"];
    f.msgs.push_back({f.uidnext++, 0, imap_message(4)});
    store.changed(nullptr);
  });
}

TEST_CASE("imap server: two sessions on one INBOX learn of each other's flags and expunges") {
  Store store;
  store.add("INBOX", 2, kFlagSeen, imap_message(2));
  store.add("INBOX", 4, kFlagSeen, imap_message(4));
  store.folders["INBOX"].uidnext = 6;
  store.folders["INBOX"].recent_from = 6;
  replay("imap_04_two_connections_flags.txt", store);
}

namespace {
// A store with three messages in INBOX and a logged-in session that has it selected.
struct Selected {
  Store store;
  std::unique_ptr<Conn> c;
  Selected() {
    for (int n = 1; n <= 3; ++n) store.add("INBOX", static_cast<std::uint32_t>(n), 0, imap_message(n));
    c = std::make_unique<Conn>(store);
    c->say("a1 LOGIN alice alicepw");
    c->say("a2 SELECT INBOX");
  }
};
}  // namespace

TEST_CASE("imap server: literals synchronizing and not and what a too large one gets") {
  Store store;
  Conn c(store);
  // A synchronizing literal waits for "+ OK"; the rest of the command follows the octets.
  CHECK(c.say("a1 LOGIN {5}") == "+ OK\r\n");
  CHECK(c.session.on_input(0, "alice {7}\r\n").send == "+ OK\r\n");
  CHECK(c.session.on_input(0, "alicepw\r\n").send.rfind("a1 OK [CAPABILITY ", 0) == 0);
  // LITERAL+ (RFC 7888): no continuation; the octets may even come in pieces.
  c.session.on_input(0, "a2 APPEND INBOX (\\Seen) {11+}\r\nHello");
  const std::string done = c.session.on_input(0, "\r\nBob!\r\n").send;
  CHECK(done == "a2 OK [APPENDUID 1795526280 1] Append completed (0.001 + 0.000 secs).\r\n");
  REQUIRE(store.folders["INBOX"].msgs.size() == 1);
  CHECK(store.folders["INBOX"].msgs[0].text == "Hello\r\nBob!");
  CHECK(store.folders["INBOX"].msgs[0].flags == kFlagSeen);
  CHECK(c.say("a3 APPEND Nowhere {3+}\r\nabc") == "a3 NO [TRYCREATE] Mailbox doesn't exist: Nowhere\r\n");
  CHECK(c.say("a4 APPEND INBOX {99999999999}").rfind("a4 NO [TOOBIG]", 0) == 0);
  CHECK(c.say("a5 NOOP") == "a5 OK NOOP completed (0.001 + 0.000 secs).\r\n");
}

TEST_CASE("imap server: before the login only a few commands and three mistakes end it") {
  Store store;
  Conn c(store);
  CHECK(c.heard.rfind("* OK [CAPABILITY IMAP4rev1 ", 0) == 0);
  CHECK(c.say("b1 SELECT INBOX") == "b1 BAD Error in IMAP command received by server.\r\n");
  CHECK(c.say("b2 STARTTLS") == "b2 BAD TLS support isn't enabled.\r\n");
  CHECK(c.say("garbage") == "* BAD Error in IMAP command received by server.\r\n");
  CHECK(c.say("b3 FOO") == "b3 BAD Error in IMAP command received by server.\r\n* BYE Too many invalid IMAP commands.\r\n");
  CHECK(c.last.close);
}

TEST_CASE("imap server: a wrong password is answered after Dovecot's delay and AUTHENTICATE PLAIN works") {
  Store store;
  Conn c(store);
  CHECK(c.say("a1 LOGIN alice wrong", 0).empty());
  CHECK(c.say("a2 NOOP", kSecond).empty());  // waits behind the delayed answer
  REQUIRE(c.session.deadline());
  CHECK(*c.session.deadline() == 2 * kSecond);
  CHECK(c.session.on_timeout(2 * kSecond).send ==
        "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\na2 OK NOOP completed.\r\n");
  // SASL-IR: the credentials with the command; "\0alice\0alicepw" in base64.
  CHECK(c.say("a3 AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlcHc=", 3 * kSecond).rfind("a3 OK [CAPABILITY ", 0) == 0);
  CHECK(c.session.state() == State::Authenticated);
  Conn d(store);
  CHECK(d.say("x AUTHENTICATE PLAIN") == "+ \r\n");
  CHECK(d.say("*") == "x BAD Authentication aborted by client.\r\n");
  CHECK(d.say("y AUTHENTICATE LOGIN") == "+ VXNlcm5hbWU6\r\n");
  CHECK(d.say("YWxpY2U=") == "+ UGFzc3dvcmQ6\r\n");
  CHECK(d.say("YWxpY2Vwdw==").rfind("y OK [CAPABILITY ", 0) == 0);
}

TEST_CASE("imap server: the wrong state and missing mailboxes get Dovecot's answers") {
  Store store;
  for (int n = 1; n <= 2; ++n) store.add("INBOX", static_cast<std::uint32_t>(n), 0, imap_message(n));
  Conn c(store);
  c.say("a1 LOGIN alice alicepw");
  CHECK(c.say("a2 FETCH 1 FLAGS") == "a2 BAD No mailbox selected\r\n");
  CHECK(c.say("a3 FOOBAR") == "a3 BAD Error in IMAP command FOOBAR: Unknown command.\r\n");
  CHECK(c.say("a4 SELECT Nope") == "a4 NO Mailbox doesn't exist: Nope\r\n");
  CHECK(c.say("a5 DELETE INBOX") == "a5 NO INBOX can't be deleted.\r\n");
  CHECK(c.say("a6 CREATE Work/2026").rfind("a6 OK Create completed", 0) == 0);
  CHECK(c.say("a7 CREATE Work").rfind("a7 OK", 0) == 0);
  CHECK(c.say("a8 CREATE Work") == "a8 NO Mailbox already exists\r\n");
  CHECK(c.say("a9 LIST \"\" \"%\"") ==
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasChildren) \"/\" Work\r\n"
        "a9 OK List completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("b1 LIST \"\" \"\"") == "* LIST (\\Noselect) \"/\" \"\"\r\nb1 OK List completed (0.001 + 0.000 secs).\r\n");
  c.say("b2 SUBSCRIBE Work");
  CHECK(c.say("b3 LSUB \"\" \"*\"") == "* LSUB () \"/\" Work\r\nb3 OK Lsub completed (0.001 + 0.000 secs).\r\n");
  c.say("b4 SELECT INBOX");
  CHECK(c.say("b5 COPY 1 Nope") == "b5 NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n");
  CHECK(c.say("b6 FETCH 7 FLAGS") == "b6 BAD Error in IMAP command FETCH: Invalid messageset\r\n");
  CHECK(c.say("b7 FETCH 1 (FLAGS") == "b7 BAD Error in IMAP command FETCH: Missing ')'\r\n");
  CHECK(c.say("b8 UID FETCH 99 FLAGS") == "b8 OK Fetch completed (0.001 + 0.000 secs).\r\n");  // no such UID: nothing
  CHECK(c.say("b9 EXAMINE INBOX").find("[READ-ONLY] Examine completed") != std::string::npos);
  CHECK(c.say("c1 STORE 1 +FLAGS (\\Seen)") == "c1 NO Mailbox is read-only.\r\n");
  CHECK(c.say("c2 FETCH 1 BODY[TEXT]").find("FLAGS") == std::string::npos);  // read-only: no \Seen
}

TEST_CASE("imap server: FETCH sections and partials and what sets seen") {
  Selected s;
  Conn& c = *s.c;
  CHECK(c.say("f1 FETCH 2 BODY.PEEK[TEXT]<0.7>") ==
        "* 2 FETCH (BODY[TEXT]<0> {7}\r\nThis is)\r\nf1 OK Fetch completed (0.001 + 0.000 secs).\r\n");
  CHECK(s.store.folders["INBOX"].msgs[1].flags == 0);
  const std::string h = c.say("f2 FETCH 2 BODY[HEADER.FIELDS (SUBJECT)]");
  CHECK(h.rfind("* 2 FETCH (FLAGS (\\Seen \\Recent) BODY[HEADER.FIELDS (SUBJECT)] {32}\r\nSubject: imap test message 2\r\n\r\n)", 0) == 0);
  CHECK(s.store.folders["INBOX"].msgs[1].flags == kFlagSeen);
  const std::string not_fields = c.say("f3 FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (FROM TO CC DATE MESSAGE-ID)]");
  CHECK(not_fields.find("{32}\r\nSubject: imap test message 1\r\n\r\n)") != std::string::npos);
  CHECK(c.say("f4 FETCH 2,3 (UID FLAGS)") ==
        "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\n* 3 FETCH (UID 3 FLAGS (\\Recent))\r\nf4 OK Fetch completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("f5 FETCH 1 BODYSTRUCTURE") ==
        "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 39 2 NIL NIL NIL NIL))\r\nf5 OK Fetch completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("f6 FETCH 1 FAST").find("* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"24-Nov-2026 13:18:00 +0000\" RFC822.SIZE ") == 0);
  CHECK(c.say("f7 FETCH 1 (BOGUS)") == "f7 BAD Error in IMAP command FETCH: Unknown parameter BOGUS\r\n");
}

TEST_CASE("imap server: SEARCH keys combined and the UID forms") {
  Selected s;
  Conn& c = *s.c;
  s.store.folders["INBOX"].msgs[0].flags = kFlagSeen;
  s.store.folders["INBOX"].msgs[2].flags = kFlagFlagged;
  CHECK(c.say("n NOOP") ==  // learns the flags other sessions set
        "* 1 FETCH (FLAGS (\\Seen \\Recent))\r\n* 3 FETCH (FLAGS (\\Flagged \\Recent))\r\nn OK NOOP completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("s1 SEARCH UNSEEN") == "* SEARCH 2 3\r\ns1 OK Search completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("s2 SEARCH SUBJECT \"message 3\"").find("* SEARCH 3\r\n") == 0);
  CHECK(c.say("s3 SEARCH OR SEEN FLAGGED").find("* SEARCH 1 3\r\n") == 0);
  CHECK(c.say("s4 SEARCH NOT SEEN FROM bob").find("* SEARCH 2 3\r\n") == 0);
  CHECK(c.say("s5 SEARCH SINCE 24-Nov-2026").find("* SEARCH 1 2 3\r\n") == 0);
  CHECK(c.say("s6 SEARCH SINCE 25-Nov-2026").find("* SEARCH\r\n") == 0);
  CHECK(c.say("s7 SEARCH 2:*").find("* SEARCH 2 3\r\n") == 0);
  CHECK(c.say("s8 UID SEARCH UID 2,3 UNFLAGGED").find("* SEARCH 2\r\n") == 0);
  CHECK(c.say("s9 SEARCH SINCE tomorrow") == "s9 BAD Error in IMAP command SEARCH: Invalid search date parameter\r\n");
  // UID STORE, UID COPY, UID MOVE, UID EXPUNGE: by UID, with UID in the answers.
  c.say("m1 CREATE Archive");
  CHECK(c.say("m2 UID COPY 1:2 Archive") == "m2 OK [COPYUID 1795526281 1:2 1:2] Copy completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("m3 UID STORE 3 +FLAGS.SILENT (\\Deleted)") == "m3 OK Store completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("m4 UID EXPUNGE 1:2") == "m4 OK Expunge completed (0.001 + 0.000 secs).\r\n");  // 3 is not in the set
  CHECK(c.say("m5 UID EXPUNGE 3") == "* 3 EXPUNGE\r\n* 2 RECENT\r\nm5 OK Expunge completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("m6 UID MOVE 2 Archive") ==
        "* OK [COPYUID 1795526281 2 3] Moved UIDs.\r\n* 2 EXPUNGE\r\n* 1 RECENT\r\nm6 OK Move completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.say("m7 STATUS Archive (MESSAGES UNSEEN)") ==
        "* STATUS Archive (MESSAGES 3 UNSEEN 2)\r\nm7 OK Status completed (0.001 + 0.000 secs).\r\n");
}

TEST_CASE("imap server: CLOSE removes deleted messages silently and IDLE ends only with DONE") {
  Selected s;
  Conn& c = *s.c;
  c.say("d1 STORE 1:2 +FLAGS (\\Deleted)");
  CHECK(c.say("d2 CLOSE") == "d2 OK Close completed (0.001 + 0.000 secs).\r\n");
  CHECK(s.store.folders["INBOX"].msgs.size() == 1);
  CHECK(c.session.state() == State::Authenticated);
  c.say("d3 SELECT INBOX");
  CHECK(c.say("i1 IDLE", kSecond) == "+ idling\r\n");
  CHECK(c.session.idling());
  CHECK(c.say("i2 NOOP", 2 * kSecond) == "i1 BAD Expected DONE.\r\n");
  CHECK_FALSE(c.session.idling());
  c.say("i3 IDLE", 3 * kSecond);
  CHECK(c.say("DONE", 5 * kSecond) == "i3 OK Idle completed (2.000 + 0.000 + 2.000 secs).\r\n");
  CHECK(c.say("o LOGOUT") == "* BYE Logging out\r\no OK Logout completed (0.001 + 0.000 secs).\r\n");
  CHECK(c.last.close);
}

TEST_CASE("imap server: a silent client is logged out after 30 minutes") {
  Selected s;
  Conn& c = *s.c;
  REQUIRE(c.session.deadline());
  CHECK(*c.session.deadline() == kAutologout);
  CHECK(c.session.on_timeout(kAutologout).send == "* BYE Disconnected for inactivity.\r\n");
  CHECK(c.session.state() == State::Logout);
}

#include "proto/imap/client.h"

namespace {
// A mail program's own store, as the client session tells it what it learns.
struct Device : ClientHooks {
  bool offline = true;
  std::map<std::string, std::map<std::uint32_t, std::string>> copies;  // folder -> UID -> text ("" for a header)
  std::vector<std::string> listed;
  std::set<std::uint32_t> known(const std::string& folder) override {
    std::set<std::uint32_t> out;
    for (const auto& [uid, text] : copies[folder]) out.insert(uid);
    return out;
  }
  bool offline_copies() const override { return offline; }
  void folders(const std::vector<std::string>& names) override { listed = names; }
  void headers(const std::string& folder, std::uint32_t uid) override { copies[folder][uid]; }
  void body(const std::string& folder, std::uint32_t uid, const std::string& text) override { copies[folder][uid] = text; }
  void gone(const std::string& folder, std::uint32_t uid) override { copies[folder].erase(uid); }
  bool has_body(const std::string& folder, std::uint32_t uid) override {
    auto f = copies.find(folder);
    return f != copies.end() && f->second.count(uid) && !f->second.at(uid).empty();
  }
};

// Runs a client session against a server session until both are done or quiet; returns what the
// client sent.
std::string converse(ClientSession& client, Conn& server, SimTime& now) {
  std::string sent;
  std::string to_client = server.heard;
  server.heard.clear();
  client.start(now);
  for (int guard = 0; guard < 1000 && !client.done(); ++guard) {
    SessionOutput c = client.on_input(now, to_client);
    to_client.clear();
    if (c.send.empty()) {
      // Nothing to say: time passes to the next deadline (IDLE news, a renewal).
      const auto d1 = server.session.deadline(), d2 = client.deadline();
      // An idle client waits for the server's news; its own IDLE renewal is not part of a test.
      if (client.state() == ClientState::Idling && (!d1 || (d2 && *d1 >= *d2))) break;
      const SimTime next = std::min(d1.value_or(now + kDay), d2.value_or(now + kDay));
      if (next > now + kHour) break;
      now = next;
      to_client += server.session.on_timeout(now).send;
      c = client.on_timeout(now);
      if (c.send.empty() && to_client.empty()) continue;
    }
    sent += c.send;
    to_client += server.session.on_input(now, c.send).send;
    if (server.session.state() == State::Logout) {
      client.on_input(now, to_client);
      break;
    }
  }
  return sent;
}
}  // namespace

TEST_CASE("imap client: syncs every folder and keeps offline copies and learns what is gone") {
  Store store;
  for (int n = 1; n <= 3; ++n) store.add("INBOX", static_cast<std::uint32_t>(n), 0, imap_message(n));
  store.folders["Work"].uidvalidity = 7;
  store.add("Work", 1, kFlagSeen, imap_message(9));
  Device phone;
  SimTime now = 0;
  {
    Conn server(store);
    ClientSession c(ClientJob{"alice", "alicepw", {Op{Op::Kind::SyncAll, "", {}}}}, phone);
    const std::string sent = converse(c, server, now);
    CHECK(sent == "a1 LOGIN \"alice\" \"alicepw\"\r\na2 LIST \"\" \"*\"\r\na3 SELECT INBOX\r\na4 UID FETCH 1:* (FLAGS)\r\n"
                  "a5 UID FETCH 1,2,3 BODY.PEEK[]\r\na6 SELECT Work\r\na7 UID FETCH 1:* (FLAGS)\r\na8 UID FETCH 1 BODY.PEEK[]\r\n"
                  "a9 LOGOUT\r\n");
    CHECK(c.failure().empty());
  }
  CHECK(phone.listed == std::vector<std::string>{"INBOX", "Work"});
  REQUIRE(phone.copies["INBOX"].size() == 3);
  CHECK(phone.copies["INBOX"][2] == imap_message(2));
  CHECK(store.folders["INBOX"].msgs[1].flags == 0);  // PEEK: still unread on the server
  // Another device deletes message 2; the next sync finds it gone and downloads nothing again.
  store.folders["INBOX"].msgs.erase(store.folders["INBOX"].msgs.begin() + 1);
  {
    Conn server(store);
    ClientSession c(ClientJob{"alice", "alicepw", {Op{Op::Kind::Sync, "INBOX", {}}}}, phone);
    CHECK(converse(c, server, now) == "a1 LOGIN \"alice\" \"alicepw\"\r\na2 SELECT INBOX\r\na3 UID FETCH 1:* (FLAGS)\r\na4 LOGOUT\r\n");
  }
  CHECK(phone.copies["INBOX"].size() == 2);
  CHECK_FALSE(phone.copies["INBOX"].count(2));
}

TEST_CASE("imap client: find by subject then read and flag and move and delete and folders") {
  Store store;
  for (int n = 1; n <= 3; ++n) store.add("INBOX", static_cast<std::uint32_t>(n), 0, imap_message(n));
  Device laptop;
  laptop.offline = false;
  SimTime now = 0;
  Conn server(store);
  using K = Op::Kind;
  ClientSession c(ClientJob{"alice", "alicepw",
                            {Op{K::Find, "INBOX", "message 2"}, Op{K::Read, "INBOX", {}},
                             Op{K::Find, "INBOX", "message 3"}, Op{K::Flag, "INBOX", "+FLAGS (\\Flagged)"},
                             Op{K::Create, "INBOX", "Work"}, Op{K::Move, "INBOX", "Work"},
                             Op{K::Find, "INBOX", "message 1"}, Op{K::Delete, "INBOX", {}},
                             Op{K::Find, "INBOX", "no such subject"}, Op{K::Delete, "INBOX", {}},
                             Op{K::Rename, "Work", "Archive"}}},
                  laptop);
  const std::string sent = converse(c, server, now);
  CHECK(sent == "a1 LOGIN \"alice\" \"alicepw\"\r\na2 SELECT INBOX\r\na3 UID SEARCH SUBJECT \"message 2\"\r\n"
                "a4 UID FETCH 2 BODY[]\r\na5 UID SEARCH SUBJECT \"message 3\"\r\na6 UID STORE 3 +FLAGS (\\Flagged)\r\n"
                "a7 CREATE Work\r\na8 UID MOVE 3 Work\r\na9 UID SEARCH SUBJECT \"message 1\"\r\n"
                "a10 UID STORE 1 +FLAGS (\\Deleted)\r\na11 UID EXPUNGE 1\r\na12 UID SEARCH SUBJECT \"no such subject\"\r\n"
                "a13 RENAME Work Archive\r\na14 LOGOUT\r\n");
  CHECK(laptop.copies["INBOX"][2] == imap_message(2));
  REQUIRE(store.folders["INBOX"].msgs.size() == 1);
  CHECK(store.folders["INBOX"].msgs[0].flags == kFlagSeen);  // BODY[] marked it read
  REQUIRE(store.folders.count("Archive"));
  REQUIRE(store.folders["Archive"].msgs.size() == 1);
  CHECK(store.folders["Archive"].msgs[0].flags == kFlagFlagged);
}

TEST_CASE("imap client: IDLE leaves to sync when news comes and stops on request") {
  Store store;
  store.add("INBOX", 1, 0, imap_message(1));
  Device phone;
  SimTime now = 0;
  Conn server(store);
  ClientSession c(ClientJob{"alice", "alicepw", {Op{Op::Kind::Sync, "INBOX", {}}, Op{Op::Kind::Idle, "INBOX", {}}}},
                  phone);
  std::string sent = converse(c, server, now);
  CHECK(c.state() == ClientState::Idling);
  CHECK(sent.substr(sent.size() - 9) == "a5 IDLE\r\n");
  // New mail: the server tells the idling session half a second later; the phone syncs and idles again.
  store.add("INBOX", 2, 0, imap_message(2));
  store.changed(nullptr);
  server.heard.clear();
  sent = converse(c, server, now);
  CHECK(sent == "DONE\r\na6 UID FETCH 1:* (FLAGS)\r\na7 UID FETCH 2 BODY.PEEK[]\r\na8 IDLE\r\n");
  CHECK(phone.copies["INBOX"].count(2));
  // The user turns push off: DONE, LOGOUT.
  SessionOutput stop = c.stop_idle(now);
  CHECK(stop.send == "DONE\r\n");
  std::string back = server.session.on_input(now, stop.send).send;
  SessionOutput bye = c.on_input(now, back);
  CHECK(bye.send == "a9 LOGOUT\r\n");
}

TEST_CASE("imap server: SEARCH reads the decoded subject and an idle client hears Still here every 2 minutes") {
  Store store;
  store.add("INBOX", 1, 0, "Subject: =?UTF-8?Q?Reuni=C3=B3n_del_lunes?=\r\nFrom: =?UTF-8?Q?Mar=C3=ADa?= <m@x.example>\r\n\r\nHola\r\n");
  store.add("INBOX", 2, 0, imap_message(2));
  Conn c(store);
  c.say("a1 LOGIN alice alicepw");
  c.say("a2 SELECT INBOX");
  CHECK(c.say("a3 UID SEARCH CHARSET UTF-8 SUBJECT {8+}\r\nReunión").find("* SEARCH 1\r\n") == 0);
  CHECK(c.say("a4 SEARCH FROM \"maría\"").find("* SEARCH 1\r\n") == 0);  // ASCII letters without regard to case
  CHECK(c.say("a5 IDLE", 10 * kSecond) == "+ idling\r\n");
  REQUIRE(c.session.deadline());
  CHECK(*c.session.deadline() == 10 * kSecond + kIdleNotifyInterval);
  CHECK(c.session.on_timeout(10 * kSecond + kIdleNotifyInterval).send == "* OK Still here\r\n");
  CHECK(*c.session.deadline() == 10 * kSecond + 2 * kIdleNotifyInterval);
}
