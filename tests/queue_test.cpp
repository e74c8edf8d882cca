// The MTA queue on the virtual clock: Postfix's retry schedule, the delay warning, expiry, and the
// notices (RFC 3464) byte for byte as Postfix 3.7 writes them (tests/truth/dsn_*, queue_02).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agents/world.h"
#include "export/i18n.h"
#include "mail/dsn.h"
#include "scenario/load.h"
#include "trace/player.h"
#include "trace_queries.h"

using namespace postlab;
using postlab::testing::of_kind;

namespace {

std::string truth_file(const std::string& name) {
  std::ifstream in(std::string(POSTLAB_SOURCE_DIR "/tests/truth/") + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A delivered .eml (LF) as the notice was queued: without the lines local(8) added, with CRLF.
std::string as_queued(const std::string& eml) {
  std::string crlf;
  for (char c : eml) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  for (int i = 0; i < 3; ++i) crlf.erase(0, crlf.find("\r\n") + 2);  // Return-Path, X-Original-To, Delivered-To
  return crlf;
}

// The original message of the captures (as its part 3 shows it, without Return-Path).
std::string original(const std::string& id, const std::string& domain, const std::string& body) {
  return "Received: from client.example.test (localhost [127.0.0.1])\r\n"
         "\tby mail.example.test (Postfix) with ESMTP id " + id + "\r\n"
         "\tfor <someone@" + domain + ">; Tue, 24 Nov 2026 13:19:14 +0000 (UTC)\r\n"
         "From: Alice <alice@example.test>\r\nTo: someone@" + domain + "\r\n"
         "Subject: queue test to " + domain + "\r\nDate: Mon, 24 Nov 2025 13:00:00 +0000\r\n"
         "Message-ID: <queue-" + domain + "@client.example.test>\r\n\r\n" + body;
}

Notice captured_notice(NoticeKind kind) {
  Notice n;
  n.kind = kind;
  n.hostname = "mail.example.test";
  n.origin = "example.test";
  n.sender = "alice@example.test";
  n.epoch = 1795526354;  // 13:19:14, when both messages arrived
  n.arrival = 0;
  n.warn_after = kMinute;             // the capture's short timers
  n.give_up_after = 4 * kMinute;
  return n;
}

Scenario load(const std::string& text) {
  LoadResult r = load_scenario_text(text, "queue-test.json");
  std::string errors;
  for (const auto& e : r.errors) errors += e.str() + "\n";
  INFO(errors);
  REQUIRE(r.ok());
  return *r.scenario;
}

// Alice (example.test) sends at `at` to `to`; unreachable.test's MX is a machine that runs no mail
// server (connections to port 25 are refused), like the capture's closed port.
Scenario queue_world(const std::string& queue, const std::string& to, const std::string& at = "2s",
                     const std::string& more_hosts = "", const std::string& more_dns = "", const std::string& timeline = "") {
  return load(R"({"format": 1, "title": "queue", "seed": 5,
  "hosts": [
    {"name": "alice-pc", "role": "client", "address": "192.0.2.10", "user": "alice@example.test"},
    {"name": "mail.example.test", "role": "mta", "address": "198.51.100.25", "domains": ["example.test"],
     "services": ["smtp", "submission"], "policy": {"queue": )" + queue + R"(}},
    {"name": "box.unreachable.test", "role": "mta", "address": "203.0.113.99", "domains": ["unreachable.test"],
     "services": []},
    {"name": "mx.correo.example", "role": "mta", "address": "203.0.113.5", "domains": ["correo.example"]})" +
              more_hosts + R"(],
  "dns": [{"name": "unreachable.test", "type": "MX", "preference": 10, "value": "box.unreachable.test"},
          {"name": "correo.example", "type": "MX", "preference": 10, "value": "mx.correo.example"})" + more_dns + R"(],
  "users": [{"address": "alice@example.test", "password": "pw"}, {"address": "bob@correo.example"}],
  "timeline": [)" + timeline + R"({"at": ")" + at + R"(", "send": {"from": "alice-pc", "message": {"to": [)" + to +
              R"(], "subject": "queue test", "body": "Hello\n"}}}]})");
}

const MessageSnapshot& copy(const World& w, const TraceEvent* e) {
  return w.trace().messages()[static_cast<std::size_t>(e->message)];
}

std::string subject(const std::string& data) {
  const auto at = data.find("\r\nSubject: ");
  return at == std::string::npos ? "" : data.substr(at + 11, data.find("\r\n", at + 11) - at - 11);
}

}  // namespace

TEST_CASE("dsn: a delay warning is byte for byte the one Postfix 3.7 sent") {
  Notice n = captured_notice(NoticeKind::Delay);
  n.queue_id = "8D26D10C506";
  n.notice_id = "AA6BE10C507";
  n.now = 78 * kSecond;  // 13:20:32
  n.rcpts.push_back(DsnRecipient{"someone@unreachable.test", "4.4.1", "",
                                 "X-Postfix; connect to 127.0.0.1[127.0.0.1]:2599: Connection refused",
                                 "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused"});
  n.original = original("8D26D10C506", "unreachable.test", "This message is addressed to a destination that will not answer.\r\n");
  CHECK(compose_notice(n) == as_queued(truth_file("dsn_03_delay_warning_unreachable.eml")));
}

TEST_CASE("dsn: a failure notice after a 5xx at RCPT is byte for byte the one Postfix 3.7 sent") {
  Notice n = captured_notice(NoticeKind::Failure);
  n.queue_id = "8EBC110C50E";
  n.notice_id = "9DEFC10C518";
  n.now = 38 * kSecond;  // 13:19:52
  n.rcpts.push_back(DsnRecipient{"someone@hardfail.test", "5.3.0", "127.0.0.1",
                                 "smtp; 500 5.3.0 Error: command failed",
                                 "host 127.0.0.1[127.0.0.1] said: 500 5.3.0 Error: command failed (in reply to RCPT TO command)"});
  n.original = original("8EBC110C50E", "hardfail.test", "This message is addressed to a destination that will fail.\r\n");
  CHECK(compose_notice(n) == as_queued(truth_file("dsn_02_bounce_remote_5xx_hardfail.eml")));
}

TEST_CASE("dsn: a message larger than bounce_size_limit comes back as its headers only") {
  Notice n = captured_notice(NoticeKind::Failure);
  n.queue_id = "A";
  n.notice_id = "B";
  n.rcpts.push_back(DsnRecipient{"x@y.example", "5.1.1", "", "X-Postfix; no", "no"});
  n.original = "Subject: big\r\n\r\n" + std::string(kBounceSizeLimit, 'x') + "\r\n";
  const std::string text = compose_notice(n);
  CHECK(text.find("Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n") !=
        std::string::npos);
  CHECK(text.find("xxxxxxxx") == std::string::npos);
  CHECK(text.size() < 4000);
}

TEST_CASE("dsn: lines wrap at 79 columns with a 4-space indent as bounce(8) wraps them") {
  CHECK(wrap_dsn_line("short line") == "short line\r\n");
  const std::string wrapped = wrap_dsn_line(
      "<someone@unreachable.test>: connect to 127.0.0.1[127.0.0.1]:2599: Connection refused");
  CHECK(wrapped == "<someone@unreachable.test>: connect to 127.0.0.1[127.0.0.1]:2599: Connection\r\n    refused\r\n");
}

TEST_CASE("queue: retries and the warning and expiry follow Postfix's clock as in the capture") {
  // The capture's settings (queue_03): warning 1m, lifetime 4m, backoff 20-40 s, a queue run every 20 s.
  World w(queue_world(R"({"delay_warning_time": "1m", "maximal_queue_lifetime": "4m", "bounce_queue_lifetime": "4m",
                          "minimal_backoff_time": "20s", "maximal_backoff_time": "40s", "queue_run_delay": "20s"})",
                      R"("someone@unreachable.test")"));
  CHECK(w.run());
  const auto accepted = of_kind(w.trace(), EventKind::MessageAccepted);
  REQUIRE(accepted.size() == 3);  // the message, the warning, the failure notice
  const SimTime t0 = accepted[0]->time;
  // The capture's attempts after the first: +38, +78, ... +278 s (queue_02_maillog.txt).
  const auto active = of_kind(w.trace(), EventKind::QueueActive);
  std::vector<SimTime> seconds;
  for (const auto* e : active)
    if (e->message == accepted[0]->message) seconds.push_back((e->time - t0 + kSecond / 2) / kSecond);
  CHECK(seconds == std::vector<SimTime>{38, 78, 118, 158, 198, 238, 278});
  for (const auto* e : of_kind(w.trace(), EventKind::DeliveryDeferred))
    CHECK(e->text.find("dsn=4.4.1, status=deferred (connect to box.unreachable.test[203.0.113.99]:25: Connection refused)") !=
          std::string::npos);
  // The warning at the end of the first attempt after 1 min (+78), the bounce after 4 min (+278).
  const auto warned = of_kind(w.trace(), EventKind::DelayNotified);
  REQUIRE(warned.size() == 1);
  CHECK((warned[0]->time - t0 + kSecond / 2) / kSecond == 78);
  const auto expired = of_kind(w.trace(), EventKind::QueueExpired);
  REQUIRE(expired.size() == 1);
  CHECK((expired[0]->time - t0 + kSecond / 2) / kSecond == 278);
  CHECK(expired[0]->text.find(": from=<alice@example.test>, status=expired, returned to sender") != std::string::npos);
  const auto notified = of_kind(w.trace(), EventKind::FailureNotified);
  REQUIRE(notified.size() == 1);
  // Both notices reach Alice's INBOX, warning first; the failure says the last temporary status.
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 2);
  const std::string warning = copy(w, stored[0]).data(), failure = copy(w, stored[1]).data();
  CHECK(subject(warning) == "Delayed Mail (still being retried)");
  CHECK(warning.find("\r\nAction: delayed\r\nStatus: 4.4.1\r\nDiagnostic-Code: X-Postfix; connect to") != std::string::npos);
  CHECK(warning.find("\r\nWill-Retry-Until: ") != std::string::npos);
  CHECK(warning.find("Content-Type: text/rfc822-headers") != std::string::npos);
  CHECK(subject(failure) == "Undelivered Mail Returned to Sender");
  CHECK(failure.find("\r\nAction: failed\r\nStatus: 4.4.1\r\n") != std::string::npos);
  CHECK(failure.find("Content-Type: message/rfc822") != std::string::npos);
  CHECK(w.trace().state().queue_lifetimes().size() == 3);
  // At the end every queue is empty.
  CHECK(StateView(w.trace(), w.trace().size()).queue().empty());
}

TEST_CASE("queue: Postfix's defaults retry at 5 min doubling to 4000 s and give up after 5 days with no warning") {
  World w(queue_world("{}", R"("someone@unreachable.test")", "0s"));
  CHECK(w.run());
  const auto active = of_kind(w.trace(), EventKind::QueueActive);
  REQUIRE(active.size() > 3);
  // Scans every 300 s: the waits are 300 s at first, then the time queued, up to 4000 s.
  std::vector<SimTime> minutes;
  for (std::size_t i = 0; i < 5; ++i) minutes.push_back(active[i]->time / kSecond);
  CHECK(minutes == std::vector<SimTime>{300, 600, 1200, 2400, 4800});
  CHECK(active[6]->time - active[5]->time <= 4000 * kSecond + 300 * kSecond);
  CHECK(of_kind(w.trace(), EventKind::DelayNotified).empty());  // delay_warning_time = 0h
  const auto expired = of_kind(w.trace(), EventKind::QueueExpired);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0]->time >= 5 * kDay);
  CHECK(expired[0]->time < 5 * kDay + 4300 * kSecond);
  // Five simulated days of retries are a few thousand events, run in an instant.
  CHECK(w.trace().size() < 5000);
}

TEST_CASE("queue: the sendmail preset warns after 4 hours and returns the message after 5 days") {
  World w(queue_world(R"({"preset": "sendmail"})", R"("someone@unreachable.test")", "0s"));
  CHECK(w.run());
  const auto active = of_kind(w.trace(), EventKind::QueueActive);
  REQUIRE(active.size() > 2);
  CHECK(active[0]->time == 10 * kMinute);  // a queue run every 10 minutes tries every message
  CHECK(active[1]->time == 20 * kMinute);
  const auto warned = of_kind(w.trace(), EventKind::DelayNotified);
  REQUIRE(warned.size() == 1);
  CHECK(warned[0]->time >= 4 * kHour);
  CHECK(warned[0]->time < 4 * kHour + 11 * kMinute);
  const auto expired = of_kind(w.trace(), EventKind::QueueExpired);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0]->time >= 5 * kDay);
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 2);
  const std::string warning = copy(w, stored[0]).data();
  CHECK(warning.find("Your message could not be delivered for more than 4 hour(s).\r\nIt will be retried until it is 5 "
                     "day(s) old.\r\n") != std::string::npos);
}

TEST_CASE("queue: mixed recipients get one notice that lists exactly the ones that failed") {
  // bob is delivered, nobody is unknown (550), someone's server refuses connections (deferred).
  World w(queue_world(R"({"maximal_queue_lifetime": "20m"})",
                      R"("bob@correo.example", "nobody@correo.example", "someone@unreachable.test")"));
  CHECK(w.run());
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  std::vector<std::string> notices;
  bool bob = false;
  for (const auto* e : stored) {
    if (e->mailbox == "bob@correo.example") bob = true;
    if (e->mailbox == "alice@example.test") notices.push_back(copy(w, e).data());
  }
  CHECK(bob);
  REQUIRE(notices.size() == 2);
  // First: nobody at once (5.1.1); someone is still being tried and is not named.
  CHECK(notices[0].find("Final-Recipient: rfc822; nobody@correo.example") != std::string::npos);
  CHECK(notices[0].find("Final-Recipient: rfc822; someone@") == std::string::npos);
  CHECK(notices[0].find("Final-Recipient: rfc822; bob@") == std::string::npos);
  // Then, when the message expires: someone only, with the last temporary status.
  CHECK(notices[1].find("Final-Recipient: rfc822; someone@unreachable.test\r\nOriginal-Recipient: "
                        "rfc822;someone@unreachable.test\r\nAction: failed\r\nStatus: 4.4.1\r\n") != std::string::npos);
  CHECK(notices[1].find("Final-Recipient: rfc822; nobody@") == std::string::npos);
  // The queue view at the end of the first attempt: one delivered, one bounced, one deferred.
  const auto retry = of_kind(w.trace(), EventKind::RetryScheduled);
  REQUIRE_FALSE(retry.empty());
  const StateView view(w.trace(), static_cast<std::size_t>(retry[0]->seq) + 1);
  const auto queue = view.queue();
  REQUIRE(queue.size() == 2);  // the message, and the notice for nobody on its way
  const QueueEntryView* entry = queue[0].message == retry[0]->message ? &queue[0] : &queue[1];
  REQUIRE(entry->recipients.size() == 3);
  CHECK(entry->recipients[0].state == RecipientState::Delivered);
  CHECK(entry->recipients[1].state == RecipientState::Bounced);
  CHECK(entry->recipients[2].state == RecipientState::Deferred);
  CHECK(entry->recipients[2].reason.find("Connection refused") != std::string::npos);
  CHECK(entry->next_attempt == retry[0]->arrive);
  CHECK(entry->expire_at == entry->arrived + 20 * kMinute);
  CHECK(entry->attempts == 1);
}

TEST_CASE("queue: a backup MX in relay_domains queues the mail and hands it to the primary when it is back") {
  const std::string hosts = R"(,
    {"name": "mx1.corp.example", "role": "mta", "address": "203.0.113.20", "domains": ["corp.example"]},
    {"name": "backup.isp.example", "role": "mta", "address": "203.0.113.30", "domains": ["isp.example"],
     "policy": {"relay_domains": ["corp.example"]}})";
  const std::string dns = R"(,
    {"name": "corp.example", "type": "MX", "preference": 10, "value": "mx1.corp.example"},
    {"name": "corp.example", "type": "MX", "preference": 20, "value": "backup.isp.example"})";
  Scenario s = queue_world("{}", R"("carol@corp.example")", "2s", hosts, dns,
                           R"({"at": "0s", "fault": {"type": "host_down", "host": "mx1.corp.example", "for": "20m"}},)");
  s.users.push_back(UserSpec{"carol@corp.example", "", {}});
  World w(s);
  CHECK(w.run());
  const auto relayed = of_kind(w.trace(), EventKind::Relayed);
  REQUIRE(relayed.size() == 2);
  CHECK(relayed[0]->from == "mail.example.test");
  CHECK(relayed[0]->text.find("relay=backup.isp.example[203.0.113.30]:25") != std::string::npos);
  CHECK(relayed[1]->from == "backup.isp.example");
  CHECK(relayed[1]->text.find("relay=mx1.corp.example[203.0.113.20]:25") != std::string::npos);
  CHECK(relayed[1]->time > 20 * kMinute);
  // Meanwhile the backup kept it and tried the primary only, never itself.
  bool backup_deferred = false;
  for (const auto* e : of_kind(w.trace(), EventKind::DeliveryDeferred))
    backup_deferred = backup_deferred || (e->from == "backup.isp.example" &&
                                          e->text.find("connect to mx1.corp.example[203.0.113.20]:25: Connection timed out") != std::string::npos);
  CHECK(backup_deferred);
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]->from == "mx1.corp.example");
  CHECK(of_kind(w.trace(), EventKind::FailureNotified).empty());
}

TEST_CASE("queue: the player jumps to a virtual time and from timer to timer") {
  World w(queue_world("{}", R"("someone@unreachable.test")", "0s"));
  CHECK(w.run());
  Player p(w.trace());
  // Day 3, 00:00: the last step by then; the next step is later.
  const std::size_t s = p.step_at_time(3 * kDay);
  REQUIRE(s > 0);
  CHECK(w.trace().events()[p.event_of_step(s)].time <= 3 * kDay);
  REQUIRE(s < p.steps());
  CHECK(w.trace().events()[p.event_of_step(s + 1)].time > 3 * kDay);
  CHECK(p.step_at_time(-1) == 0);
  // Timer by timer: each jump lands on a retry (or the expiry), in order.
  std::size_t jumps = 0;
  SimTime last = -1;
  while (auto next = p.next_timer_step()) {
    p.seek(*next);
    const TraceEvent& e = w.trace().events()[p.event_of_step(*next)];
    CHECK(is_timer(e));
    CHECK(e.time >= last);
    last = e.time;
    ++jumps;
  }
  CHECK(jumps == of_kind(w.trace(), EventKind::QueueActive).size() + 1);  // the retries, then the expiry
}

TEST_CASE("queue: times read as a person reads them") {
  std::string error;
  auto tr = Translations::load(POSTLAB_SOURCE_DIR "/assets", Lang::En, &error);
  REQUIRE(tr);
  CHECK(format_day_clock(4 * kHour + 15 * kMinute, *tr) == "04:15:00");
  CHECK(format_day_clock(2 * kDay + 4 * kHour + 15 * kMinute + 250 * kMillisecond, *tr, true) == "day 2, 04:15:00.250");
  auto es = Translations::load(POSTLAB_SOURCE_DIR "/assets", Lang::Es, &error);
  REQUIRE(es);
  CHECK(format_day_clock(5 * kDay, *es) == "día 5, 00:00:00");
  CHECK(format_wait(9 * kMinute + 58 * kSecond + 400 * kMillisecond) == "9m58s");
  CHECK(format_wait(3 * kHour + 49 * kMinute + 10 * kSecond) == "3h49m");
  CHECK(format_wait(4 * kDay + 23 * kHour + 59 * kMinute) == "4d23h");
}

TEST_CASE("queue: a lesson's queue settings are checked with a clear message") {
  auto errors = [](const std::string& queue) {
    const std::string text = R"({"format": 1, "title": "t",
      "hosts": [{"name": "m.example", "role": "mta", "address": "198.51.100.1", "domains": ["example.test"],
                 "policy": {"queue": )" + queue + R"(}}]})";
    std::string out;
    for (const auto& e : load_scenario_text(text, "q.json").errors) out += e.str() + "\n";
    return out;
  };
  CHECK(errors(R"({"preset": "exim"})").find("hosts[0].policy.queue.preset: expected \"postfix\" or \"sendmail\", got \"exim\"") !=
        std::string::npos);
  CHECK(errors(R"({"queue_run_delay": "0s"})").find("queue_run_delay: expected at least 1s") != std::string::npos);
  CHECK(errors(R"({"minimal_backoff_time": "2h", "maximal_backoff_time": "1h"})")
            .find("minimal_backoff_time (2h) must not be longer than maximal_backoff_time (1h)") != std::string::npos);
  CHECK(errors(R"({"delay_warnig_time": "4h"})").find("delay_warning_time") != std::string::npos);
  CHECK(errors(R"({"preset": "sendmail", "delay_warning_time": "1h"})").empty());
  const auto sendmail = queue_preset("sendmail");
  REQUIRE(sendmail);
  CHECK(sendmail->delay_warning_time == 4 * kHour);
  CHECK(sendmail->maximal_queue_lifetime == 5 * kDay);
  CHECK(queue_preset("postfix")->delay_warning_time == 0);
}
