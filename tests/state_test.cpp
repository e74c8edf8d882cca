// trace/state: the interval tables that hold what the world holds, checked against brute force and
// against a replay from zero; and message bodies held once.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include "agents/world.h"
#include "core/rng.h"
#include "scenario/load.h"
#include "trace/player.h"
#include "trace/view.h"
#include "trace_queries.h"

using namespace postlab;

namespace {

// A bundled lesson, loaded and run to the end.
struct RanLesson {
  explicit RanLesson(const std::filesystem::path& path) : scenario(load(path)), world(scenario) { REQUIRE(world.run()); }
  static Scenario load(const std::filesystem::path& path) {
    LoadResult r = load_scenario_file(path.string());
    REQUIRE(r.ok());
    return *r.scenario;
  }
  Scenario scenario;
  World world;
};

std::vector<std::filesystem::path> lessons() {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(POSTLAB_SOURCE_DIR "/scenarios"))
    if (entry.path().extension() == ".json") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("state: Lifetimes answers which records are alive after n events as brute force does") {
  // Records of random lengths, some short, some spanning many blocks, some never closed.
  Rng rng(2026);
  Lifetimes table;
  struct Span {
    std::uint32_t born, died;
  };
  std::vector<Span> spans;
  std::vector<std::uint32_t> open;
  const std::size_t events = 5 * kLifetimeBlock + 77;
  for (std::uint32_t e = 0; e < events; ++e) {
    const auto roll = rng.uniform(0, 9);
    if (roll < 4) {
      open.push_back(table.open(e));
      spans.push_back({e, kNever});
    } else if (roll < 8 && !open.empty()) {
      const auto pick = static_cast<std::size_t>(rng.uniform(0, open.size() - 1));
      // Mostly the oldest-but-recent ones; now and then one that lived long.
      table.close(open[pick], e);
      spans[open[pick]].died = e;
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
    }
    table.applied(e + 1);
  }
  for (std::size_t n = 0; n <= events; ++n) {
    std::vector<std::uint32_t> got, want;
    table.each_alive(n, [&got](std::uint32_t r) { got.push_back(r); });
    for (std::uint32_t r = 0; r < spans.size(); ++r)
      if (spans[r].born < n && spans[r].died >= n) want.push_back(r);
    CAPTURE(n);
    REQUIRE(got == want);
    for (std::uint32_t r : want) CHECK(table.alive(r, n));
  }
}

TEST_CASE("state: a folder counts and lists what is in it after n events") {
  Trace t;
  MessageSnapshot s;
  s.set_data("Subject: a\r\n\r\nhi\r\n");
  for (int i = 0; i < 3; ++i) t.add_message(s);
  auto event = [&t](EventKind kind, std::string folder, std::uint32_t uid, std::int64_t message) {
    TraceEvent e;
    e.kind = kind;
    e.from = "mx";
    e.mailbox = "bob@x.example";
    e.folder = std::move(folder);
    e.uid = uid;
    e.message = message;
    t.append(e);
  };
  event(EventKind::MailboxCreated, "", 0, -1);
  event(EventKind::FolderCreated, "INBOX", 77, -1);
  event(EventKind::MessageStored, "INBOX", 1, 0);
  event(EventKind::MessageStored, "INBOX", 2, 1);
  event(EventKind::MessageStored, "Work", 1, 2);  // a folder that did not exist is created
  const StateIndex& st = t.state();
  REQUIRE(st.mailbox("bob@x.example"));
  CHECK(st.uidnext("bob@x.example", "INBOX") == 3);
  CHECK(st.uidnext("bob@x.example", "Work") == 2);
  CHECK(st.uidnext("bob@x.example", "Nowhere") == 1);
  CHECK(st.uidnext("nobody@x.example", "INBOX") == 1);
  const FolderState& inbox = st.mailbox("bob@x.example")->folders.at("INBOX");
  CHECK(inbox.uidvalidity == 77);
  CHECK(inbox.count_at(2) == 0);
  CHECK(inbox.count_at(3) == 1);
  CHECK(inbox.count_at(5) == 2);
  CHECK(StateView(t, 1).mailboxes().size() == 1);
  CHECK(StateView(t, 1).folders(*st.mailbox("bob@x.example")).empty());
  CHECK(StateView(t, 4).folders(*st.mailbox("bob@x.example")).size() == 1);
  CHECK(StateView(t, 5).folders(*st.mailbox("bob@x.example")).size() == 2);
  const auto latest = StateView(t, 5).latest(inbox, 1);
  REQUIRE(latest.size() == 1);
  CHECK(latest[0]->uid == 2);
  CHECK(StateView(t, 3).present(0));
  CHECK_FALSE(StateView(t, 3).present(1));
  CHECK(StateView(t, 5).folder_of(2) == "Work");
  CHECK(StateView(t, 4).folder_of(2).empty());
  CHECK(StateView(t, 0).snapshot().mailboxes.empty());
}

TEST_CASE("state: at random points of every lesson the state equals a replay from zero") {
  for (const auto& path : lessons()) {
    CAPTURE(path.string());
    RanLesson lesson(path);
    const Trace& t = lesson.world.trace();
    Rng rng(std::hash<std::string>{}(path.filename().string()) & 0xFFFF);
    std::vector<std::size_t> points{0, t.size()};
    for (int i = 0; i < 12; ++i) points.push_back(static_cast<std::size_t>(rng.uniform(0, t.size())));
    for (std::size_t n : points) {
      CAPTURE(n);
      CHECK(StateView(t, n).snapshot() == testing::replay_from_zero(t, n));
    }
    // The running world read the same state: every stored UID is the folder's next one at the time.
    for (const auto& [address, box] : t.state().mailboxes())
      for (const auto& [name, folder] : box.folders)
        for (std::size_t i = 0; i < folder.items.size(); ++i) CHECK(folder.items[i].uid == i + 1);
  }
}

TEST_CASE("state: the trace holds each body once and every hop's copy shares it") {
  for (const auto& path : lessons()) {
    CAPTURE(path.string());
    RanLesson lesson(path);
    const Trace& t = lesson.world.trace();
    const auto& messages = t.messages();
    std::set<const std::string*> held;
    std::set<std::string> distinct;
    for (const auto& m : messages) {
      REQUIRE(m.body);
      held.insert(m.body.get());
      distinct.insert(*m.body);
      CHECK(m.data() == m.head() + *m.body);
      CHECK(m.head().size() == m.head_size);
      CHECK(m.head_size >= 2);
    }
    CHECK(held.size() == distinct.size());  // equal bytes, one string
    CHECK(t.bodies() == held.size());
  }
  // Lesson 01: the draft, both queued copies and the filed copy are one body with four heads.
  RanLesson lesson01(POSTLAB_SOURCE_DIR "/scenarios/01-smtp-basic.json");
  const auto& messages = lesson01.world.trace().messages();
  REQUIRE(messages.size() == 4);
  for (const auto& m : messages) CHECK(m.body.get() == messages[0].body.get());
  CHECK(messages[3].head().rfind("Return-Path: ", 0) == 0);
  // Each hop holds only the lines it added: the queued copies a Received: line, the filed copy
  // Return-Path, X-Original-To and Delivered-To, each on top of the copy before it.
  REQUIRE(messages[0].head_part);
  CHECK(messages[0].head_part->below == nullptr);
  for (std::size_t i = 1; i < 4; ++i) {
    CAPTURE(i);
    REQUIRE(messages[i].head_part);
    CHECK(messages[i].head_part->below.get() == messages[i - 1].head_part.get());
  }
  CHECK(messages[1].head_part->lines.rfind("Received: from alice-laptop", 0) == 0);
  CHECK(messages[3].head_part->lines ==
        "Return-Path: <alice@uni.example>\r\nX-Original-To: bob@correo.example\r\nDelivered-To: bob@correo.example\r\n");
}

TEST_CASE("state: the index stays small beside the trace") {
  RanLesson storm(POSTLAB_SOURCE_DIR "/scenarios/08-spam-storm.json");
  const Trace& t = storm.world.trace();
  Player p(t);
  const double per_event = static_cast<double>(t.state().bytes() + p.bytes()) / static_cast<double>(t.size());
  CAPTURE(per_event);
  CHECK(per_event <= 200.0);  // issue target: the player's own state within 200 bytes per event
}

TEST_CASE("state: messages already in a mailbox are set-up that step 0 shows and delivery goes on from their UIDs") {
  std::string text;
  {
    std::ifstream in(POSTLAB_SOURCE_DIR "/scenarios/01-smtp-basic.json");
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  const std::string bob = R"("address": "bob@correo.example")";
  const auto at = text.find(bob);
  REQUIRE(at != std::string::npos);
  text.insert(at + bob.size(), R"(, "messages": [
    {"message": {"from": "Ana <ana@uni.example>", "subject": "Apuntes", "body": "Te paso los apuntes."}},
    {"folder": "Trabajo", "message": {"from": "jefa@correo.example", "subject": "Reunión", "body": "El lunes."}}])");
  LoadResult r = load_scenario_text(text, "lesson.json");
  REQUIRE(r.ok());
  World w(*r.scenario);
  REQUIRE(w.run());
  const Trace& t = w.trace();
  Player p(t);
  const ViewState start = p.view().snapshot();
  const auto& bob_box = start.mailboxes.at("bob@correo.example");
  REQUIRE(bob_box.at("INBOX").size() == 1);
  REQUIRE(bob_box.at("Trabajo").size() == 1);
  CHECK(bob_box.at("INBOX")[0].uid == 1);
  CHECK(bob_box.at("Trabajo")[0].uid == 1);
  const MessageSnapshot& preset = t.messages()[static_cast<std::size_t>(bob_box.at("INBOX")[0].message)];
  CHECK(preset.kind == CopyKind::Stored);
  CHECK(preset.holder == "mx.correo.example");
  CHECK(preset.head().rfind("Return-Path: <ana@uni.example>\r\nX-Original-To: bob@correo.example\r\n", 0) == 0);
  CHECK(preset.head().find("Subject: Apuntes\r\n") != std::string::npos);
  CHECK(preset.head().find("Date: Mon, 2 Mar 2026 09:00:00 +0000\r\n") != std::string::npos);
  // Alice's message, delivered during the lesson, is the next UID; the steps are those of lesson 01.
  p.end();
  const ViewState end = p.view().snapshot();
  REQUIRE(end.mailboxes.at("bob@correo.example").at("INBOX").size() == 2);
  CHECK(end.mailboxes.at("bob@correo.example").at("INBOX")[1].uid == 2);
  RanLesson plain(POSTLAB_SOURCE_DIR "/scenarios/01-smtp-basic.json");
  CHECK(Player(plain.world.trace()).steps() == p.steps());
  CHECK(StateView(t, t.size()).snapshot() == testing::replay_from_zero(t, t.size()));
}
