// Bad input never crashes: seeded random corruption of lessons, SMTP input and MIME messages.
// Run under the asan preset too, where any out-of-bounds read fails the test.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "agents/guest.h"
#include "agents/world.h"
#include "core/rng.h"
#include "mail/mime.h"
#include "proto/smtp/server.h"
#include "scenario/load.h"

using namespace postlab;

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One of: flip a byte, delete a run, duplicate a run, truncate.
std::string mutate(std::string s, Rng& rng) {
  if (s.empty()) return s;
  const auto pos = static_cast<std::size_t>(rng.uniform(0, s.size() - 1));
  switch (rng.uniform(0, 3)) {
    case 0: s[pos] = static_cast<char>(rng.uniform(0, 255)); break;
    case 1: s.erase(pos, static_cast<std::size_t>(rng.uniform(1, 40))); break;
    case 2: s.insert(pos, s.substr(pos, static_cast<std::size_t>(rng.uniform(1, 40)))); break;
    default: s.resize(pos); break;
  }
  return s;
}

struct AcceptAll : smtp::ServerHooks {
  std::optional<std::string> check_recipient(const smtp::Transaction&, const std::string&) override { return {}; }
  smtp::AcceptResult accept_message(const smtp::Transaction&, const std::string&) override { return {true, "1A", {}}; }
  bool authenticate(const std::string&, const std::string&) override { return true; }
};

}  // namespace

TEST_CASE("robustness: corrupted lessons load cleanly or give located errors and never throw") {
  Rng rng(2026);
  std::size_t rejected = 0, loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(POSTLAB_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    const std::string text = read(entry.path());
    for (int i = 0; i < 60; ++i) {
      std::string bad = text;
      const int edits = static_cast<int>(rng.uniform(1, 3));
      for (int k = 0; k < edits; ++k) bad = mutate(bad, rng);
      LoadResult r;
      CHECK_NOTHROW(r = load_scenario_text(bad, "mutated.json"));
      if (r.ok()) {
        ++loaded;
        // A lesson that still loads must also run: the world is built only from validated input.
        World w(*r.scenario);
        CHECK_NOTHROW(w.run());
      } else {
        ++rejected;
        for (const auto& e : r.errors) {
          CHECK(e.file == "mutated.json");
          CHECK_FALSE(e.path.empty());
          CHECK_FALSE(e.message.empty());
        }
      }
    }
  }
  CHECK(rejected > 0);
  MESSAGE("corrupted lessons: " << rejected << " rejected, " << loaded << " still valid");
}

TEST_CASE("robustness: pathological lessons up to the size limit give located errors and never throw") {
  auto fill = [](std::string_view unit, std::size_t bytes) {
    std::string out;
    while (out.size() + unit.size() <= bytes) out += unit;
    return out;
  };
  const std::size_t big = kMaxLessonBytes;
  const std::string lessons[] = {
      fill("[", big),                                    // nested as deep as the file allows, never closed
      fill("[", big / 2) + fill("]", big / 2),           // the same, closed
      fill("{\"a\":", big),
      fill("{", big),
      fill("[1e400,", big),                              // a huge number at every level
      "[" + fill("1e400,", big - 8) + "1]",              // hundreds of thousands of huge numbers
      "{\"$schema\": [" + fill("-1e400,", big - 20) + "0]}",
      "{\"format\": 1, \"title\": \"t\", \"hosts\": [" + fill("{\"name\": 1e400},", big - 60) + "{}]}",
      fill("\"", big),
      fill("\\u", big),
  };
  for (const auto& text : lessons) {
    LoadResult r;
    CHECK_NOTHROW(r = load_scenario_text(text, "odd.json"));
    CHECK_FALSE(r.ok());
    REQUIRE_FALSE(r.errors.empty());
    const bool named = std::all_of(r.errors.begin(), r.errors.end(),
                                   [](const LessonError& e) { return e.file == "odd.json" && !e.message.empty(); });
    CHECK(named);
  }
}

TEST_CASE("robustness: random bytes into the SMTP server get replies and never crash") {
  Rng rng(7);
  const std::string alphabet = "EHLO MAIL FROM:<a@b.c> RCPT TO:<> DATA AUTH PLAIN LOGIN STARTTLS . = * \r\n\r\n";
  for (int round = 0; round < 300; ++round) {
    AcceptAll hooks;
    smtp::ServerConfig config;
    config.hostname = "mx.example";
    config.starttls = round % 2 == 0;
    config.auth = true;
    config.message_size_limit = 4096;
    smtp::ServerSession s(config, hooks);
    s.on_connect();
    for (int chunk = 0; chunk < 40 && s.state() != smtp::ServerState::Closed; ++chunk) {
      std::string bytes;
      const auto n = rng.uniform(1, 200);
      for (std::uint64_t k = 0; k < n; ++k)
        bytes += rng.uniform(0, 3) == 0 ? static_cast<char>(rng.uniform(0, 255))
                                        : alphabet[static_cast<std::size_t>(rng.uniform(0, alphabet.size() - 1))];
      SessionOutput out;
      CHECK_NOTHROW(out = s.on_input(bytes));
      // Every reply line the server writes is well formed: three digits, then ' ' or '-'.
      std::size_t pos = 0;
      while (pos < out.send.size()) {
        const auto eol = out.send.find("\r\n", pos);
        REQUIRE(eol != std::string::npos);
        const std::string line = out.send.substr(pos, eol - pos);
        REQUIRE(line.size() >= 4);
        CHECK((line[3] == ' ' || line[3] == '-'));
        pos = eol + 2;
      }
    }
  }
}

TEST_CASE("robustness: corrupted MIME messages parse without crashing") {
  Rng rng(11);
  Message m;
  m.append("Subject", "x");
  BodySpec body;
  body.text = "Año nuevo.\n";
  body.html = "<p>Año nuevo.</p>\n";
  AttachmentSpec a;
  a.name = "f.pdf";
  a.size = 300;
  body.attachments.push_back(a);
  build_mime_body(m, body, rng);
  const std::string good = m.serialize();
  for (int i = 0; i < 400; ++i) {
    std::string bad = good;
    for (int k = 0; k < 3; ++k) bad = mutate(bad, rng);
    CHECK_NOTHROW(parse_mime(bad));
    CHECK_NOTHROW(downgrade_to_7bit(bad));
  }
}

TEST_CASE("robustness: random commands into the POP3 and IMAP servers of a world never crash or hang") {
  LoadResult r = load_scenario_text(R"({
  "format": 1, "title": "random mail reading", "seed": 5,
  "hosts": [{"name": "mail.example.test", "role": "mta", "address": "198.51.100.7", "domains": ["example.test"],
             "services": ["smtp", "pop3", "imap"]}],
  "users": [{"address": "alice@example.test", "password": "pw", "folders": ["Work"], "messages": [
    {"message": {"from": "bob@example.test", "subject": "one", "body": "1\n", "attachments": [{"name": "a.pdf", "size": 300}]}},
    {"message": {"from": "bob@example.test", "subject": "two", "body": "2\n"}},
    {"folder": "Work", "message": {"from": "bob@example.test", "subject": "three", "body": "3\n"}}]}]
})", "random.json");
  REQUIRE(r.ok());
  static const char* const kImap[] = {"a1", "LOGIN", "alice", "pw", "SELECT", "EXAMINE", "INBOX", "Work", "FETCH", "UID",
                                      "STORE", "COPY", "MOVE", "EXPUNGE", "SEARCH", "1:*", "2,1", "*", "(FLAGS", "BODY[]",
                                      "BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.5>", "+FLAGS", "(\\Deleted)", "(\\Seen)", "IDLE",
                                      "DONE", "CREATE", "RENAME", "DELETE", "STATUS", "(MESSAGES UNSEEN)", "APPEND", "{5}",
                                      "{3+}", "\"x y\"", "LIST", "\"\"", "%", "OR", "NOT", "SINCE", "1-Jan-2026", ")", "(",
                                      "CLOSE", "NOOP", "AUTHENTICATE", "PLAIN", "LOGOUT", "BODYSTRUCTURE", "ENVELOPE"};
  static const char* const kPop3[] = {"USER", "PASS", "alice", "pw", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET",
                                      "NOOP", "QUIT", "CAPA", "AUTH", "PLAIN", "1", "2", "0", "99", "x", "STLS", "-1"};
  Rng rng(11);
  std::size_t total = 0;
  for (int round = 0; round < 60; ++round) {
    World world(*r.scenario);
    REQUIRE(world.run());
    const bool imap = round % 2 == 0;
    std::string heard;
    GuestClient c(world, world.add_guest_host("fuzz", "192.0.2.40"), *world.net().find_by_name("mail.example.test"),
                  imap ? 143 : 110, [&](std::string_view s) { heard += s; });
    c.settle();
    c.type(imap ? "a0 LOGIN alice pw" : "USER alice");
    if (!imap) c.type("PASS pw");
    for (int line = 0; line < 40 && !c.closed(); ++line) {
      std::string text;
      const auto words = rng.uniform(1, 6);
      for (std::uint64_t w = 0; w < words; ++w) {
        if (w) text += ' ';
        if (rng.uniform(0, 9) == 0) {
          text += static_cast<char>(rng.uniform(1, 255));  // a stray byte now and then
          continue;
        }
        text += imap ? kImap[rng.uniform(0, std::size(kImap) - 1)] : kPop3[rng.uniform(0, std::size(kPop3) - 1)];
      }
      for (char& ch : text)
        if (ch == '\r' || ch == '\n') ch = ' ';
      CHECK_NOTHROW(c.type(text));
    }
    CHECK(c.hang_up());
    CHECK(world.finished());
    // What the server sent is made of whole lines (CRLF), literals aside.
    if (!heard.empty()) CHECK(heard.size() >= 2);
    total += heard.size();
  }
  CHECK(total > 60 * 500);  // the sessions did run: every round heard many replies
  MESSAGE("bytes heard: " << total);
}
