// trace/: the recorder, views folded over the trace, and the Player that moves through them.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "agents/world.h"
#include "core/pages.h"
#include "core/rng.h"
#include "scenario/load.h"
#include "trace/player.h"
#include "trace/recorder.h"
#include "trace/transcript.h"
#include "trace/view.h"
#include "trace_queries.h"

using namespace postlab;

namespace {

Scenario lesson_01() {
  LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/01-smtp-basic.json");
  REQUIRE(r.ok());
  return *r.scenario;
}

// The lesson-01 world, run once and shared by the tests below (the trace never changes after run()).
const World& world_01() {
  static const Scenario scenario = lesson_01();
  static World world(scenario);
  static const bool ran = world.run();
  REQUIRE(ran);
  return world;
}

// How many events the view at `step` has folded in, computed without the Player's own bookkeeping.
std::size_t events_at(const Trace& t, std::size_t step) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!is_step(t.events()[i])) continue;
    if (++seen == step) return i + 1;
  }
  return t.size();  // step 0 is handled by the caller; the last step shows everything
}

// The set-up events before the first step (mailboxes and folders), which step 0 shows.
std::size_t setup_events(const Trace& t) {
  std::size_t n = 0;
  while (n < t.size() && !is_step(t.events()[n])) ++n;
  return n;
}

}  // namespace

TEST_CASE("Player: stepping forward and seeking backward and folding afresh agree at every step") {
  const World& w = world_01();
  const Trace& t = w.trace();
  Player forward(t);
  REQUIRE(forward.steps() > 10);
  const std::size_t n = forward.steps();
  std::vector<ViewState> views{forward.view().snapshot()};
  for (std::size_t k = 1; k <= n; ++k) {
    forward.forward();
    REQUIRE(forward.cursor() == k);
    views.push_back(forward.view().snapshot());
  }
  Player backward(t);
  backward.seek(n);
  for (std::size_t k = n + 1; k-- > 0;) {
    CAPTURE(k);
    REQUIRE(backward.cursor() == k);
    CHECK(backward.view().snapshot() == views[k]);
    const std::size_t applied = k == 0 ? setup_events(t) : events_at(t, k);
    CHECK(views[k].applied == applied);
    CHECK(views[k] == testing::replay_from_zero(t, applied));
    backward.back();
  }
  // Jumps in a scrambled order land on the same views.
  Rng rng(7);
  Player jumper(t);
  for (int i = 0; i < 200; ++i) {
    const auto k = static_cast<std::size_t>(rng.uniform(0, n));
    jumper.seek(k);
    CAPTURE(k);
    CHECK(jumper.view().snapshot() == views[k]);
  }
}

TEST_CASE("Player: cursor bounds and step 0 shows the set-up") {
  const World& w = world_01();
  const Trace& t = w.trace();
  Player p(t);
  const ViewState initial = p.view().snapshot();
  CHECK(p.cursor() == 0);
  CHECK(initial.applied == setup_events(t));
  CHECK(initial.applied > 0);  // the users' mailboxes and folders
  CHECK(initial.mailboxes.size() == w.scenario().users.size());
  CHECK(initial.mailboxes.at("bob@correo.example").count("Trabajo") == 1);
  CHECK(initial.queues.empty());
  // Nothing of the lesson follows from the set-up: no step names a set-up event as its cause.
  const auto setup = static_cast<std::int64_t>(setup_events(t));
  for (std::size_t k = 1; k <= p.steps(); ++k) {
    const std::int64_t cause = t.events()[p.event_of_step(k)].cause;
    CHECK((cause < 0 || cause >= setup));
  }
  CHECK_FALSE(p.current_event().has_value());
  p.back();
  CHECK(p.cursor() == 0);
  p.seek(p.steps() + 100);
  CHECK(p.cursor() == p.steps());
  CHECK(p.view().applied() == t.size());
  p.forward();
  CHECK(p.cursor() == p.steps());
  p.home();
  CHECK(p.cursor() == 0);
  CHECK(p.view().snapshot() == initial);
  p.end();
  CHECK(p.cursor() == p.steps());
  REQUIRE(p.current_event().has_value());
  CHECK(*p.current_event() == p.event_of_step(p.steps()));
}

TEST_CASE("Player: steps are the events a student sees and bookkeeping is folded silently") {
  const World& w = world_01();
  const Trace& t = w.trace();
  Player p(t);
  std::size_t visible = 0;
  for (const auto& e : t.events()) visible += is_step(e);
  CHECK(visible == t.size() - setup_events(t) - 2);
  CHECK(p.steps() == visible);
  CHECK(p.steps() < t.size());  // lesson 01 removes two queue entries
  std::size_t previous = 0;
  for (std::size_t k = 1; k <= p.steps(); ++k) {
    const std::size_t e = p.event_of_step(k);
    CHECK(is_step(t.events()[e]));
    CHECK((k == 1 || e > previous));
    CHECK(p.step_of_event(e) == k);
    previous = e;
  }
  for (std::size_t e = 0; e < t.size(); ++e) {
    CAPTURE(e);
    const std::size_t k = p.step_of_event(e);
    REQUIRE(k >= 1);
    REQUIRE(k <= p.steps());
    p.seek(k);
    CHECK(p.view().applied() > e);  // the step shows the event
  }
}

TEST_CASE("Player: a trailing bookkeeping event is shown by the last step") {
  Trace t;
  MessageSnapshot snap;
  snap.queue_id = "Q1";
  const std::int64_t m = t.add_message(snap);
  TraceEvent narration;
  narration.kind = EventKind::Narration;
  t.append(narration);
  TraceEvent accepted;
  accepted.kind = EventKind::MessageAccepted;
  accepted.from = "mta";
  accepted.message = m;
  accepted.text = "Q1: from=<a@x>";
  t.append(accepted);
  TraceEvent removed;
  removed.kind = EventKind::QueueRemoved;
  removed.from = "mta";
  removed.message = m;
  t.append(removed);

  Player p(t);
  REQUIRE(p.steps() == 2);
  CHECK(p.step_of_event(0) == 1);
  CHECK(p.step_of_event(1) == 2);
  CHECK(p.step_of_event(2) == 2);  // never a step past the end
  p.seek(1);
  CHECK(p.view().queue().empty());
  CHECK(p.view().narration() == 0);
  p.end();
  CHECK(p.view().applied() == 3);
  CHECK(p.view().queue().empty());
  // Seeking between the two: the entry is there after it was accepted and before it was removed.
  CHECK(StateView(t, 2).queue().size() == 1);
  CHECK(StateView(t, 2).queue()[0].status == "Q1: from=<a@x>");
}

TEST_CASE("ViewState at the end of lesson 01 shows Bob's message and nothing left open") {
  const World& w = world_01();
  const Trace& t = w.trace();
  Player p(t);
  p.end();
  const ViewState v = p.view().snapshot();
  REQUIRE(v.mailboxes.count("bob@correo.example") == 1);
  const auto& bob = v.mailboxes.at("bob@correo.example");
  REQUIRE(bob.at("INBOX").size() == 1);
  CHECK(bob.at("INBOX")[0].uid == 1);
  CHECK(bob.at("Trabajo").empty());
  const MessageSnapshot& msg = t.messages()[static_cast<std::size_t>(bob.at("INBOX")[0].message)];
  CHECK(msg.data().rfind("Return-Path: <alice@uni.example>\r\nX-Original-To: bob@correo.example\r\nDelivered-To: bob@correo.example\r\n", 0) == 0);
  CHECK(v.mailboxes.at("alice@uni.example").at("INBOX").empty());
  CHECK(v.queues.empty());
  CHECK(v.connections.empty());
  CHECK(v.now == t.events().back().time);
  std::int64_t last_narration = -1;
  for (const auto& e : t.events())
    if (e.kind == EventKind::Narration) last_narration = static_cast<std::int64_t>(e.seq);
  CHECK(v.narration == last_narration);
}

TEST_CASE("ViewState while the message is queued at the first MTA") {
  const World& w = world_01();
  const Trace& t = w.trace();
  Player p(t);
  std::size_t accepted = t.size();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t.events()[i].kind == EventKind::MessageAccepted && t.events()[i].from == "mail.uni.example") accepted = i;
  REQUIRE(accepted < t.size());
  p.seek(p.step_of_event(accepted));
  const ViewState v = p.view().snapshot();
  REQUIRE(v.queues.count("mail.uni.example") == 1);
  const auto& q = v.queues.at("mail.uni.example");
  REQUIRE(q.size() == 1);
  const std::string queue_id = q.begin()->first;
  CHECK(t.events()[accepted].text.rfind(queue_id + ": from=<alice@uni.example>", 0) == 0);
  CHECK(v.connections.size() == 1);  // Alice's submission is still open
  CHECK(v.connections.begin()->second == OpenConnection{"alice-laptop", "mail.uni.example", 587});
  CHECK(v.mailboxes.at("bob@correo.example").at("INBOX").empty());
}

TEST_CASE("Recorder: events get the time and the cause of the work that emitted them") {
  Simulator sim;
  Trace t;
  Recorder rec(sim, t);
  std::vector<EventKind> observed;
  rec.observe([&](const TraceEvent& e) { observed.push_back(e.kind); });
  TraceEvent a;
  a.kind = EventKind::DnsQuery;
  CHECK(rec.emit(a) == 0);
  rec.after(10, [&] {
    TraceEvent c;
    c.kind = EventKind::DnsAnswer;
    rec.emit(c);
  });
  TraceEvent b;
  b.kind = EventKind::Line;
  CHECK(rec.emit(b) == 1);
  while (sim.step()) {
  }
  REQUIRE(t.size() == 3);
  CHECK(t.events()[0].cause == -1);
  CHECK(t.events()[1].cause == 0);
  CHECK(t.events()[2].cause == 0);  // caused by what was current when the work was scheduled
  CHECK(t.events()[2].time == 10);
  CHECK(t.events()[2].seq == 2);
  CHECK(observed == std::vector<EventKind>{EventKind::DnsQuery, EventKind::Line, EventKind::DnsAnswer});
}

TEST_CASE("Trace::fingerprint changes with any event or message field") {
  auto make = [](std::string text, std::string data) {
    Trace t;
    TraceEvent e;
    e.kind = EventKind::Line;
    e.text = text;
    t.append(e);
    MessageSnapshot m{"Q", "a@x", {"b@y"}};
    m.set_data(data);
    t.add_message(std::move(m));
    return t.fingerprint();
  };
  CHECK(make("EHLO x\r\n", "d") == make("EHLO x\r\n", "d"));
  CHECK(make("EHLO x\r\n", "d") != make("EHLO y\r\n", "d"));
  CHECK(make("EHLO x\r\n", "d") != make("EHLO x\r\n", "e"));
  CHECK(make("EHLO x\r\n", "H: 1\r\n\r\nbody") != make("EHLO x\r\n", "H: 1\r\n\r\nbodY"));
  // Field boundaries count: moving a byte from one string to the next changes the hash.
  Trace a, b;
  TraceEvent ea, eb;
  ea.from = "ab";
  ea.to = "c";
  eb.from = "a";
  eb.to = "bc";
  a.append(ea);
  b.append(eb);
  CHECK(a.fingerprint() != b.fingerprint());
}

TEST_CASE("split_lines and fill") {
  CHECK(split_lines("250-a\r\n250 b\r\n") == std::vector<std::string>{"250-a", "250 b"});
  CHECK(split_lines("one\ntwo") == std::vector<std::string>{"one", "two"});
  CHECK(split_lines("\r\n") == std::vector<std::string>{""});
  CHECK(split_lines("").empty());
  CHECK(fill("{0} → {1}: {2}", {"a", "b"}) == "a → b: {2}");
  CHECK(fill("{1}{0}{1}", {"x", "y"}) == "yxy");
}

TEST_CASE("player: a world run in slices gives the steps and views and fingerprint of one run") {
  for (const auto& entry : std::filesystem::directory_iterator(POSTLAB_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    LoadResult r = load_scenario_file(entry.path().string());
    REQUIRE(r.ok());
    World whole(*r.scenario);
    REQUIRE(whole.run());
    Player once(whole.trace());

    // The same lesson, run a little at a time while a player follows the end of the growing trace.
    World sliced(*r.scenario);
    Player growing(sliced.trace());
    CHECK(growing.steps() == 0);
    CHECK(growing.view().snapshot() == StateView(whole.trace(), setup_events(whole.trace())).snapshot());
    const SimTime last = whole.trace().events().back().time;
    for (SimTime t = 0; t <= last; t += 37 * kMillisecond + 311) {
      REQUIRE(sliced.run_until(t));
      growing.sync(true);
      CHECK(growing.cursor() == growing.steps());  // following the end
      CHECK(growing.view().applied() == sliced.trace().size());
      if (sliced.trace().size() > 0) CHECK(sliced.trace().events().back().time <= t);  // appended in time order
    }
    REQUIRE(sliced.run());
    growing.sync(true);
    CHECK(sliced.trace().fingerprint() == whole.trace().fingerprint());
    REQUIRE(growing.steps() == once.steps());
    for (std::size_t k = 0; k <= once.steps(); ++k) {
      once.seek(k);
      growing.seek(k);
      CHECK(growing.view().snapshot() == once.view().snapshot());
    }
  }
}

TEST_CASE("world: run_for a few simulator steps at a time writes the trace of one run") {
  for (const std::string name : {"01-smtp-basic", "08-spam-storm"}) {
    CAPTURE(name);
    LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/" + name + ".json");
    REQUIRE(r.ok());
    World whole(*r.scenario);
    REQUIRE(whole.run());
    CHECK(whole.finished());
    World sliced(*r.scenario);
    std::size_t slices = 0;
    while (!sliced.finished()) {
      REQUIRE(sliced.run_for(7));
      ++slices;
    }
    CHECK(slices > 5);
    CHECK(sliced.trace().fingerprint() == whole.trace().fingerprint());
  }
}

TEST_CASE("player: the step filter is a parameter and sync keeps a cursor that is not at the end") {
  LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/01-smtp-basic.json");
  REQUIRE(r.ok());
  World w(*r.scenario);
  Player lines_only(w.trace(), [](const TraceEvent& e) { return e.kind == EventKind::Line; });
  REQUIRE(w.run_until(200 * kMillisecond));
  lines_only.sync();
  const std::size_t early = lines_only.steps();
  REQUIRE(early > 2);
  lines_only.seek(2);
  REQUIRE(w.run());
  CHECK(lines_only.sync() > 0);
  CHECK(lines_only.cursor() == 2);  // not following: the cursor stays where the student left it
  std::size_t line_events = 0;
  for (const auto& e : w.trace().events()) line_events += e.kind == EventKind::Line;
  CHECK(lines_only.steps() == line_events);
  for (std::size_t k = 1; k <= lines_only.steps(); ++k)
    CHECK(w.trace().events()[lines_only.event_of_step(k)].kind == EventKind::Line);
}

TEST_CASE("Trace keeps event texts itself: the author's string may go and every text stays as it was") {
  Trace t;
  std::vector<std::string> expected;
  Rng rng(7);
  // Enough text to fill several blocks of the store, with some texts longer than a shared block takes.
  std::size_t total = 0;
  for (int i = 0; total < 3 * kLargePage; ++i) {
    const std::size_t n = i % 97 == 0 ? kLargePage / 2 + static_cast<std::size_t>(i) : rng.uniform(0, 300);
    std::string text(n, static_cast<char>('a' + i % 26));
    if (!text.empty()) text.back() = '\n';
    TraceEvent e;
    e.kind = EventKind::Line;
    e.text = text;
    t.append(e);
    text.assign(text.size(), '#');  // the author reuses its buffer: the trace has its own copy
    expected.push_back(std::string(n, static_cast<char>('a' + i % 26)));
    if (n) expected.back().back() = '\n';
    total += n;
  }
  REQUIRE(t.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(t.events()[i].text == expected[i]);
  // An empty text is empty, not a dangling pointer.
  TraceEvent empty;
  t.append(empty);
  CHECK(t.events().back().text.empty());
  CHECK(t.events().back().text == "");
}
