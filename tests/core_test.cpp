// core/: virtual time parsing and formatting, the discrete-event simulator, the seeded RNG.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/simulator.h"
#include "core/time.h"

using namespace postlab;

// ---------------------------------------------------------------------------------------------
// Durations

TEST_CASE("parse_duration reads every unit and combinations from large to small") {
  CHECK(parse_duration("250ms") == 250 * kMillisecond);
  CHECK(parse_duration("5m") == 5 * kMinute);
  CHECK(parse_duration("4h") == 4 * kHour);
  CHECK(parse_duration("5d") == 5 * kDay);
  CHECK(parse_duration("30s") == 30 * kSecond);
  CHECK(parse_duration("7us") == 7);
  CHECK(parse_duration("1h30m") == kHour + 30 * kMinute);
  CHECK(parse_duration("1d2h3m4s5ms6us") == kDay + 2 * kHour + 3 * kMinute + 4 * kSecond + 5 * kMillisecond + 6);
  CHECK(parse_duration("0") == 0);
  CHECK(parse_duration("0s") == 0);
  CHECK(parse_duration("366d") == kMaxDuration);
}

TEST_CASE("parse_duration rejects malformed and out-of-range text") {
  for (const char* bad : {"", "5", "-1s", "+1s", "1m1h", "1h1h", "5x", "ms", "1.5s", " 1s", "1s ", "1 s", "1H",
                          "999999999999d", "367d", "99999999999999999999999s", "366d1us"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad).has_value());
  }
}

TEST_CASE("format_duration is compact and parse_duration reads it back") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(250 * kMillisecond) == "250ms");
  CHECK(format_duration(kHour + 30 * kMinute) == "1h30m");
  CHECK(format_duration(5 * kDay) == "5d");
  CHECK(format_duration(kMaxDuration) == "366d");
  const std::vector<Duration> samples{0,         1,           999,           kMillisecond,       61 * kSecond,
                                      kDay + 1,  3 * kHour,   kMaxDuration,  kDay + kHour + kMinute + kSecond + kMillisecond + 1};
  for (Duration d : samples) {
    CAPTURE(d);
    CHECK(parse_duration(format_duration(d)) == d);
  }
}

TEST_CASE("format_clock shows hours to milliseconds and days once a day has passed") {
  CHECK(format_clock(0) == "00:00:00.000");
  CHECK(format_clock(1250 * kMillisecond) == "00:00:01.250");
  CHECK(format_clock(kHour + 2 * kMinute + 3 * kSecond + 4 * kMillisecond + 999) == "01:02:03.004");
  CHECK(format_clock(kDay - 1) == "23:59:59.999");
  CHECK(format_clock(kDay + 4 * kHour) == "1d 04:00:00.000");
  CHECK(format_clock(12 * kDay + 30 * kSecond) == "12d 00:00:30.000");
}

// ---------------------------------------------------------------------------------------------
// Calendar

TEST_CASE("parse_utc_instant converts ISO 8601 UTC instants to Unix seconds") {
  CHECK(parse_utc_instant("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_utc_instant("2026-03-02T09:00:00Z") == 1772442000);
  CHECK(parse_utc_instant("2026-12-31T23:59:59Z") == 1798761599);
  // Leap years: divisible by 4, except centuries, except every 400 years.
  CHECK(parse_utc_instant("2024-02-29T12:00:00Z") == 1709208000);
  CHECK(parse_utc_instant("2000-02-29T00:00:00Z") == 951782400);
  CHECK_FALSE(parse_utc_instant("2023-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_utc_instant("2100-02-29T00:00:00Z").has_value());
  CHECK(parse_utc_instant("2023-02-28T00:00:00Z").has_value());
}

TEST_CASE("parse_utc_instant rejects other forms") {
  for (const char* bad : {"", "2026-03-02", "2026-03-02T09:00:00", "2026-03-02T09:00Z", "2026-03-02 09:00:00Z",
                          "2026-03-02T09:00:00+01:00", "2026-3-02T09:00:00Z", "2026-03-02T09:00:00.5Z",
                          "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-04-31T00:00:00Z",
                          "2026-03-00T00:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T09:60:00Z",
                          "2026-03-02T09:00:60Z", "1969-12-31T23:59:59Z", "2026-03-02t09:00:00z",
                          "20a6-03-02T09:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_utc_instant(bad).has_value());
  }
}

TEST_CASE("format_rfc5322_date writes RFC 5322 dates and Postfix's padded form") {
  const std::int64_t epoch = 1772442000;  // 2026-03-02T09:00:00Z, a Monday
  CHECK(format_rfc5322_date(0, epoch) == "Mon, 2 Mar 2026 09:00:00 +0000");
  CHECK(format_rfc5322_date(0, epoch, true) == "Mon,  2 Mar 2026 09:00:00 +0000 (UTC)");
  // Sub-second virtual time is cut to the second, not rounded.
  CHECK(format_rfc5322_date(999 * kMillisecond, epoch) == "Mon, 2 Mar 2026 09:00:00 +0000");
  CHECK(format_rfc5322_date(kDay + 15 * kHour + 30 * kSecond, epoch) == "Wed, 4 Mar 2026 00:00:30 +0000");
  CHECK(format_rfc5322_date(8 * kDay, epoch, true) == "Tue, 10 Mar 2026 09:00:00 +0000 (UTC)");
  CHECK(format_rfc5322_date(0, 1709208000) == "Thu, 29 Feb 2024 12:00:00 +0000");
  CHECK(format_rfc5322_date(kDay, 1709208000) == "Fri, 1 Mar 2024 12:00:00 +0000");
  CHECK(format_rfc5322_date(kSecond, 1798761599) == "Fri, 1 Jan 2027 00:00:00 +0000");
  CHECK(format_rfc5322_date(0, 0) == "Thu, 1 Jan 1970 00:00:00 +0000");
}

// ---------------------------------------------------------------------------------------------
// Simulator

TEST_CASE("format_log_delay: two significant digits when small and whole seconds when large as Postfix logs") {
  CHECK(format_log_delay(0) == "0");
  CHECK(format_log_delay(320 * kMillisecond) == "0.32");
  CHECK(format_log_delay(3500 * kMillisecond) == "3.5");
  CHECK(format_log_delay(30 * kSecond) == "30");
  CHECK(format_log_delay(300 * kSecond + 466 * kMillisecond) == "300");
  CHECK(format_log_delay(600 * kSecond + 500 * kMillisecond) == "601");
  CHECK(format_log_delay(5 * kDay) == "432000");
}

TEST_CASE("Simulator runs events by time and equal times in the order they were scheduled") {
  Simulator sim;
  std::vector<std::string> order;
  sim.at(30, [&] { order.push_back("c@30"); });
  sim.at(10, [&] { order.push_back("a@10"); });
  sim.at(20, [&] { order.push_back("b1@20"); });
  sim.at(20, [&] { order.push_back("b2@20"); });
  sim.at(20, [&] { order.push_back("b3@20"); });
  CHECK(sim.next_time() == 10);
  CHECK_FALSE(sim.idle());
  std::vector<SimTime> times;
  while (sim.step()) times.push_back(sim.now());
  CHECK(order == std::vector<std::string>{"a@10", "b1@20", "b2@20", "b3@20", "c@30"});
  CHECK(times == std::vector<SimTime>{10, 20, 20, 20, 30});
  CHECK(sim.idle());
  CHECK_FALSE(sim.next_time().has_value());
  CHECK(sim.executed() == 5);
  CHECK_FALSE(sim.step());
}

TEST_CASE("Simulator: work scheduled from inside an event keeps the ordering") {
  Simulator sim;
  std::vector<std::string> order;
  sim.at(10, [&] {
    order.push_back("first");
    sim.after(0, [&] { order.push_back("same-time, scheduled later"); });
    sim.after(5, [&] { order.push_back("at 15"); });
  });
  sim.at(10, [&] { order.push_back("second"); });
  sim.at(12, [&] { order.push_back("at 12"); });
  while (sim.step()) {
  }
  CHECK(order == std::vector<std::string>{"first", "second", "same-time, scheduled later", "at 12", "at 15"});
  CHECK(sim.now() == 15);
}

TEST_CASE("Simulator::cancel removes an event and cancelling a finished one does nothing") {
  Simulator sim;
  std::vector<int> ran;
  const EventId a = sim.at(5, [&] { ran.push_back(1); });
  const EventId b = sim.at(6, [&] { ran.push_back(2); });
  sim.at(7, [&] { ran.push_back(3); });
  sim.cancel(b);
  CHECK(sim.next_time() == 5);
  sim.cancel(a);
  CHECK(sim.next_time() == 7);  // cancelled heads are skipped
  CHECK(sim.step());
  CHECK(ran == std::vector<int>{3});
  CHECK(sim.idle());
  sim.cancel(a);      // already cancelled
  sim.cancel(12345);  // never existed
  CHECK(sim.idle());
  CHECK(sim.executed() == 1);
}

TEST_CASE("Simulator::run_until runs exactly the events up to and including the horizon") {
  Simulator sim;
  std::vector<SimTime> ran;
  for (SimTime t : {5, 10, 10, 11, 20}) sim.at(t, [&ran, &sim] { ran.push_back(sim.now()); });
  CHECK(sim.run_until(4) == 0);
  CHECK(ran.empty());
  CHECK(sim.run_until(10) == 3);
  CHECK(ran == std::vector<SimTime>{5, 10, 10});
  CHECK(sim.now() == 10);
  CHECK(sim.next_time() == 11);
  CHECK(sim.run_until(100) == 2);
  CHECK(sim.now() == 20);
  CHECK(sim.idle());
}

TEST_CASE("Simulator: an event scheduled in the past runs now after what is already due now") {
  Simulator sim;
  std::vector<std::string> order;
  sim.at(100, [&] {
    order.push_back("at 100");
    sim.at(40, [&] { order.push_back("late, clamped to 100"); });
  });
  sim.at(100, [&] { order.push_back("also at 100"); });
  sim.at(101, [&] { order.push_back("at 101"); });
  std::vector<SimTime> times;
  while (sim.step()) times.push_back(sim.now());
  CHECK(order == std::vector<std::string>{"at 100", "also at 100", "late, clamped to 100", "at 101"});
  CHECK(times == std::vector<SimTime>{100, 100, 100, 101});  // time never goes backwards
}

// ---------------------------------------------------------------------------------------------
// Rng

TEST_CASE("Rng is splitmix64: known first outputs and identical streams for equal seeds") {
  Rng zero(0);
  CHECK(zero.next() == 0xE220A8397B1DCDAFull);
  CHECK(zero.next() == 0x6E789E6AA1B965F4ull);
  Rng a(42), b(42), c(43);
  std::vector<std::uint64_t> sa, sb, sc;
  for (int i = 0; i < 100; ++i) {
    sa.push_back(a.next());
    sb.push_back(b.next());
    sc.push_back(c.next());
  }
  CHECK(sa == sb);
  CHECK(sa != sc);
}

TEST_CASE("Rng::derive gives stable and distinct streams and leaves the parent alone") {
  const Rng parent(7);
  Rng q1 = parent.derive("queue-ids");
  Rng q2 = parent.derive("queue-ids");
  Rng m = parent.derive("message-ids");
  Rng other_parent_q = Rng(8).derive("queue-ids");
  std::vector<std::uint64_t> s1, s2, sm, so;
  for (int i = 0; i < 20; ++i) {
    s1.push_back(q1.next());
    s2.push_back(q2.next());
    sm.push_back(m.next());
    so.push_back(other_parent_q.next());
  }
  CHECK(s1 == s2);
  CHECK(s1 != sm);
  CHECK(s1 != so);
  // derive() is const: using the parent afterwards gives the same numbers as a fresh generator.
  Rng copy = parent;
  Rng fresh(7);
  CHECK(copy.next() == fresh.next());
  // A derived stream is not the parent's stream.
  CHECK(Rng(7).derive("x").next() != Rng(7).next());
}

TEST_CASE("Rng::uniform stays within its bounds and reaches every value") {
  Rng rng(2026);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t v = rng.uniform(3, 7);
    REQUIRE(v >= 3);
    REQUIRE(v <= 7);
    seen.insert(v);
  }
  CHECK(seen == std::set<std::uint64_t>{3, 4, 5, 6, 7});
  CHECK(rng.uniform(5, 5) == 5);
  CHECK(rng.uniform(9, 2) == 9);  // an empty range gives its lower end
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t big = rng.uniform(0x10000, 0xFFFFFF);
    REQUIRE(big >= 0x10000);
    REQUIRE(big <= 0xFFFFFF);
  }
  // The full 64-bit range must not divide by zero or loop forever.
  Rng full(1), raw(1);
  CHECK(full.uniform(0, ~std::uint64_t{0}) == raw.next());
}
