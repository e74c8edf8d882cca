// Faults and forced replies from a lesson's timeline, in whole worlds: what each does to what is in
// flight, at which virtual time, and what the trace says.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "agents/guest.h"
#include "agents/world.h"
#include "scenario/load.h"
#include "trace_queries.h"

using namespace postlab;
using postlab::testing::has_line;
using postlab::testing::of_kind;
using namespace postlab::smtp;

namespace {

// Alice's laptop submits to mail.uni.example at 1s, which relays to mx.correo.example; `before`
// holds more timeline entries (each followed by a comma), `policy` the relaying MTA's policy.
Scenario world_with(const std::string& before, const std::string& policy = "{}", const std::string& send_at = "1s",
                    const std::string& to = "bob@correo.example") {
  const std::string text = R"({
  "format": 1, "title": "faults test", "seed": 3,
  "hosts": [
    {"name": "alice-laptop", "role": "client", "address": "192.0.2.10", "user": "alice@uni.example"},
    {"name": "mail.uni.example", "role": "mta", "address": "198.51.100.25", "domains": ["uni.example"],
     "services": ["smtp", "submission"], "policy": )" + policy + R"(},
    {"name": "mx.correo.example", "role": "mta", "address": "203.0.113.5", "domains": ["correo.example"]}
  ],
  "dns": [{"name": "correo.example", "type": "MX", "preference": 10, "value": "mx.correo.example"}],
  "users": [{"address": "alice@uni.example", "password": "alice123"}, {"address": "bob@correo.example"}],
  "timeline": [)" + before + R"(
    {"at": ")" + send_at + R"(", "send": {"from": "alice-laptop", "message": {"to": [")" + to + R"("],
     "subject": "Hi", "body": "Hello Bob\n"}}}]
})";
  LoadResult r = load_scenario_text(text, "faults-test.json");
  std::string errors;
  for (const auto& e : r.errors) errors += e.str() + "\n";
  INFO(errors);
  REQUIRE(r.ok());
  return *r.scenario;
}

const TraceEvent* first(const Trace& t, EventKind kind, const std::string& text_part = {}) {
  for (const auto& e : t.events())
    if (e.kind == kind && (text_part.empty() || e.text.find(text_part) != std::string::npos)) return &e;
  return nullptr;
}

std::size_t stored(const Trace& t) { return of_kind(t, EventKind::MessageStored).size(); }

}  // namespace

TEST_CASE("fault: a host that is down makes the connection time out after smtp_connect_timeout") {
  World w(world_with(R"({"at": "0s", "fault": {"type": "host_down", "host": "mx.correo.example"}},)"));
  w.run_until(9 * kMinute);  // the first attempt (the queue tries again at 10 min)
  const TraceEvent* down = first(w.trace(), EventKind::Fault, "host_down");
  REQUIRE(down);
  CHECK(down->from == "mx.correo.example");
  REQUIRE(down->notes.size() == 1);
  CHECK(down->notes[0].key == "event.fault.host_down");
  const TraceEvent* refused = first(w.trace(), EventKind::ConnectionRefused);
  REQUIRE(refused);
  CHECK(refused->text == "Connection timed out");
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->text.find("connect to mx.correo.example[203.0.113.5]:25: Connection timed out") != std::string::npos);
  // The connection was tried when the SYN left and given up 30 s later.
  const TraceEvent* opened_try = nullptr;
  for (const auto& e : w.trace().events())
    if (e.kind == EventKind::DnsAnswer && e.to == "mail.uni.example" && e.text.find("203.0.113.5") != std::string::npos)
      opened_try = &e;
  REQUIRE(opened_try);
  CHECK(refused->time == opened_try->time + kSmtpConnectTimeout);
  CHECK(stored(w.trace()) == 0);
}

TEST_CASE("fault: down for a while comes back by itself as a step of its own") {
  World w(world_with(R"({"at": "0s", "fault": {"type": "host_down", "host": "mx.correo.example", "for": "10m"}},)"));
  w.run();
  const TraceEvent* up = first(w.trace(), EventKind::Fault, "host_up");
  REQUIRE(up);
  CHECK(up->time == 10 * kMinute);
  CHECK(up->notes[0].key == "event.fault.host_up");
}

TEST_CASE("fault: the lesson's smtp_connect_timeout replaces Postfix's 30 s") {
  World w(world_with(R"({"at": "0s", "fault": {"type": "host_down", "host": "mx.correo.example"}},)",
                     R"({"timeouts": {"smtp_connect_timeout": "5s"}})"));
  w.run_until(9 * kMinute);  // the first attempt (the queue tries again at 10 min)
  const TraceEvent* refused = first(w.trace(), EventKind::ConnectionRefused);
  REQUIRE(refused);
  const TraceEvent* syn_answer = nullptr;
  for (const auto& e : w.trace().events())
    if (e.kind == EventKind::DnsAnswer && e.to == "mail.uni.example" && e.text.find("203.0.113.5") != std::string::npos)
      syn_answer = &e;
  REQUIRE(syn_answer);
  CHECK(refused->time == syn_answer->time + 5 * kSecond);
}

TEST_CASE("fault: a link that goes down mid-session loses the bytes and the client gives up at its timeout") {
  // The relay starts about 1.1 s in; the link goes down at 1.2 s, during the SMTP dialogue.
  World w(world_with(R"({"at": "1200ms", "fault": {"type": "link_down", "between": ["mail.uni.example", "mx.correo.example"]}},)"));
  w.run_until(9 * kMinute);  // the first attempt (the queue tries again at 10 min)
  const auto lost = of_kind(w.trace(), EventKind::Lost);
  REQUIRE_FALSE(lost.empty());
  CHECK(lost.front()->text == "link_down");
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->text.find("timed out while") != std::string::npos);
  CHECK(deferred->text.find("dsn=4.4.2") != std::string::npos);
  CHECK(stored(w.trace()) == 0);
}

TEST_CASE("fault: with the DNS server down a lookup times out and the mail waits with 4.4.3") {
  World w(world_with(R"({"at": "1050ms", "fault": {"type": "dns_down", "for": "1h"}},)"));
  w.run();
  const TraceEvent* timeout = first(w.trace(), EventKind::DnsAnswer, "no answer about correo.example MX after 10s");
  REQUIRE(timeout);
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->text.find("Host or domain name not found. Name service error for name=correo.example type=MX: "
                            "Host not found, try again") != std::string::npos);
  CHECK(first(w.trace(), EventKind::Fault, "dns_up"));
}

TEST_CASE("fault: a connection dropped at DATA loses the command and both sides wait out their timeouts") {
  World w(world_with(R"({"at": "0s", "fault": {"type": "drop_connection", "host": "mx.correo.example", "command": "DATA"}},)"));
  w.run_until(9 * kMinute);  // the first attempt (the queue tries again at 10 min)
  const TraceEvent* data = nullptr;
  for (const auto& e : w.trace().events())
    if (e.kind == EventKind::Line && e.to == "mx.correo.example" && e.text.find("DATA\r\n") != std::string::npos) data = &e;
  REQUIRE(data);
  const TraceEvent* lost = first(w.trace(), EventKind::Lost, "dropped");
  REQUIRE(lost);
  CHECK(lost->time == data->arrive);
  // The client waits smtp_data_init_timeout (120 s) for its 354, then defers.
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->time == data->time + kSmtpDataInitTimeout);
  CHECK(deferred->text.find("timed out while sending DATA command") != std::string::npos);
  // The server hears nothing more and gives up after smtpd_timeout; its 421 is lost too.
  bool server_gave_up = false;
  for (const auto& e : w.trace().events())
    if (e.kind == EventKind::Line && e.text.find("421 4.4.2 mx.correo.example Error: timeout exceeded") == 0)
      server_gave_up = e.time > data->time + kSmtpdTimeout - kSecond;
  CHECK(server_gave_up);
  CHECK(stored(w.trace()) == 0);
}

TEST_CASE("fault: a reply lost after the final dot leaves the message delivered and the sender unsure") {
  World w(world_with(R"({"at": "0s", "fault": {"type": "lose_reply_after_dot", "host": "mx.correo.example"}},)"));
  w.run_until(15 * kMinute);  // before the retry at 20 min sends it again
  // The receiving server took the message and filed it...
  CHECK(stored(w.trace()) == 1);
  // ...but its 250 never reached the sender, which gives up after smtp_data_done_timeout (600 s).
  const TraceEvent* lost = first(w.trace(), EventKind::Lost, "dropped");
  REQUIRE(lost);
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->text.find("timed out while sending end of data -- message may be sent more than once") !=
        std::string::npos);
  CHECK(deferred->time - lost->time >= kSmtpDataDoneTimeout - kSecond);
}

TEST_CASE("fault: a full disk refuses MAIL with 452 4.3.1 and a message already queued waits") {
  World w(world_with(R"({"at": "0s", "fault": {"type": "disk_full", "host": "mx.correo.example"}},)"));
  w.run_until(9 * kMinute);  // the first attempt (the queue tries again at 10 min)
  CHECK(has_line(w.trace(), "452 4.3.1 Insufficient system storage\r\n"));
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->text.find("452 4.3.1 Insufficient system storage") != std::string::npos);
  CHECK(stored(w.trace()) == 0);

  // Full after the message was queued there: the MDA cannot file it.
  World later(world_with(R"({"at": "1150ms", "fault": {"type": "disk_full", "host": "mx.correo.example"}},)", "{}", "1s"));
  later.run_until(9 * kMinute);
  const TraceEvent* local = first(later.trace(), EventKind::DeliveryDeferred, "relay=local");
  if (local) {
    CHECK(local->text.find("dsn=4.3.0") != std::string::npos);
    CHECK(local->text.find("No space left on device") != std::string::npos);
    CHECK(stored(later.trace()) == 0);
  }
}

TEST_CASE("forced reply: greylisting answers the first RCPT with 450 and the message waits") {
  World w(world_with(R"({"at": "0s", "force_reply": {"host": "mx.correo.example", "command": "RCPT",
      "reply": "450 4.2.0 <bob@correo.example>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/correo.example.html"}},)"));
  w.run_until(9 * kMinute);  // the first attempt (the queue tries again at 10 min)
  const TraceEvent* rule = first(w.trace(), EventKind::Fault, "force_reply");
  REQUIRE(rule);
  CHECK(rule->notes[0].key == "event.fault.force_reply_once");
  CHECK(has_line(w.trace(), "450 4.2.0 <bob@correo.example>: Recipient address rejected: Greylisted, see "
                            "http://postgrey.schweikert.ch/help/correo.example.html\r\n"));
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->text.find("dsn=4.2.0") != std::string::npos);
  CHECK(stored(w.trace()) == 0);
}

TEST_CASE("forced reply: narrowed to another recipient or client it does not apply") {
  World w(world_with(R"({"at": "0s", "force_reply": {"host": "mx.correo.example", "command": "RCPT", "always": true,
      "recipient": "carol@correo.example", "reply": "550 5.1.1 no"}},)"));
  w.run();
  CHECK(stored(w.trace()) == 1);
  World c(world_with(R"({"at": "0s", "force_reply": {"host": "mx.correo.example", "command": "MAIL", "always": true,
      "client": "alice-laptop", "reply": "554 5.7.1 no"}},)"));
  c.run();
  CHECK(stored(c.trace()) == 1);
}

TEST_CASE("forced reply: 421 at the greeting hangs up and the client tries again later") {
  World w(world_with(R"({"at": "0s", "force_reply": {"host": "mx.correo.example", "command": "CONNECT",
      "reply": "421 4.3.2 mx.correo.example Service shutting down"}},)"));
  w.run();
  CHECK(has_line(w.trace(), "421 4.3.2 mx.correo.example Service shutting down\r\n"));
  const TraceEvent* deferred = first(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred);
  CHECK(deferred->text.find("421 4.3.2") != std::string::npos);
}

TEST_CASE("forced reply: for a while applies until then and says when it ends") {
  World w(world_with(R"({"at": "0s", "force_reply": {"host": "mx.correo.example", "command": "RCPT", "for": "500ms",
      "reply": "450 4.2.0 try later"}},)"));
  w.run();
  const TraceEvent* end = first(w.trace(), EventKind::Fault, "force_reply_end");
  REQUIRE(end);
  CHECK(end->time == 500 * kMillisecond);
  CHECK(stored(w.trace()) == 1);  // the relay's RCPT comes after the rule has ended
}

TEST_CASE("faults: a world run in slices writes the trace of one run") {
  const Scenario s = world_with(R"({"at": "0s", "fault": {"type": "drop_connection", "host": "mx.correo.example", "command": "RCPT"}},
      {"at": "5m", "fault": {"type": "dns_down", "for": "1m"}},)");
  World whole(s);
  whole.run();
  World sliced(s);
  for (SimTime t = 0; !sliced.finished(); t += 7 * kSecond + 13) sliced.run_until(t);
  CHECK(sliced.trace().size() == whole.trace().size());
  CHECK(sliced.trace().fingerprint() == whole.trace().fingerprint());
}

namespace {

// A stranger's machine types to mail.uni.example on port 25 and asks it to relay to correo.example.
std::string relay_attempt(const std::string& policy) {
  World w(world_with("", policy, "10m"));
  w.run_until(0);
  const HostId guest = w.add_guest_host("console", w.free_guest_address());
  std::string heard;
  GuestClient g(w, guest, *w.net().find_by_name("mail.uni.example"), 25, [&](std::string_view b) { heard += b; });
  g.settle();
  for (const char* line : {"EHLO console", "MAIL FROM:<x@elsewhere.example>", "RCPT TO:<bob@correo.example>"}) g.type(line);
  return heard;
}

}  // namespace

TEST_CASE("mynetworks: a listed network may relay and anyone else is refused") {
  CHECK(relay_attempt("{}").find("454 4.7.1 <bob@correo.example>: Relay access denied") != std::string::npos);
  CHECK(relay_attempt(R"({"mynetworks": ["192.0.2.0/24"]})").find("250 2.1.5 Ok") != std::string::npos);
  CHECK(relay_attempt(R"({"mynetworks": ["198.51.100.0/24"]})").find("454 4.7.1") != std::string::npos);
}

TEST_CASE("mynetworks: a malformed or sloppy network is reported with the right form") {
  const std::string text = R"({"format": 1, "title": "t",
    "hosts": [{"name": "mx.a.example", "role": "mta", "address": "198.51.100.1", "domains": ["a.example"],
               "policy": {"mynetworks": ["192.0.2.1/24", "10.0.0.0/40", "banana"]}}]})";
  LoadResult r = load_scenario_text(text, "nets.json");
  REQUIRE_FALSE(r.ok());
  std::string all;
  for (const auto& e : r.errors) all += e.str() + "\n";
  CHECK(all.find("\"192.0.2.0/24\"") != std::string::npos);
  CHECK(all.find("hosts[0].policy.mynetworks[1]") != std::string::npos);
  CHECK(all.find("hosts[0].policy.mynetworks[2]") != std::string::npos);
}

TEST_CASE("guest client: each typed line runs the world until the replies are in and no further") {
  World w(world_with("", "{}", "10m"));
  w.run_until(0);
  const HostId guest = w.add_guest_host("console", w.free_guest_address());
  std::string heard;
  GuestClient g(w, guest, *w.net().find_by_name("mx.correo.example"), 25, [&](std::string_view b) { heard += b; });
  REQUIRE(g.settle());
  CHECK(heard.rfind("220 mx.correo.example ESMTP Postfix\r\n", 0) == 0);
  const SimTime before = w.now();
  REQUIRE(g.type("EHLO console"));
  CHECK(heard.find("250-mx.correo.example\r\n") != std::string::npos);
  // The clock moved by the round trip only: the server's 5-minute timeout and Alice's send at 10m
  // have not happened.
  CHECK(w.now() - before < kSecond);
  CHECK(heard.find("421") == std::string::npos);
  CHECK_FALSE(w.finished());
  REQUIRE(g.type("QUIT"));
  CHECK(heard.find("221 2.0.0 Bye\r\n") != std::string::npos);
  CHECK(g.closed());
  g.hang_up();
  CHECK(w.finished());
  CHECK(stored(w.trace()) == 1);  // the lesson went on to its end: Alice's message arrived
}

TEST_CASE("suspension: RCPT waits for the host's DNS lookups and then gets its answer") {
  World w(world_with("", R"({"reject_unknown_recipient_domain": true})", "1s", "someone@nowhere.example"));
  w.run();
  const TraceEvent* rcpt = nullptr;
  const TraceEvent* reply = nullptr;
  for (const auto& e : w.trace().events()) {
    if (e.kind == EventKind::Line && e.to == "mail.uni.example" && e.text.rfind("RCPT TO:", 0) == 0) rcpt = &e;
    if (e.kind == EventKind::Line && e.from == "mail.uni.example" && e.text.find("4.1.2") != std::string::npos) reply = &e;
  }
  REQUIRE(rcpt);
  REQUIRE(reply);
  CHECK(reply->text == "450 4.1.2 <someone@nowhere.example>: Recipient address rejected: Domain not found\r\n");
  // Between the command and its reply, the server asked DNS twice (MX, then A).
  std::vector<std::string> asked;
  for (const auto& e : w.trace().events())
    if (e.kind == EventKind::DnsQuery && e.from == "mail.uni.example" && e.seq > rcpt->seq && e.seq < reply->seq)
      asked.push_back(e.text.str());
  CHECK(asked == std::vector<std::string>{"MX nowhere.example?", "A nowhere.example?"});
  // A domain that exists passes.
  World ok(world_with("", R"({"reject_unknown_recipient_domain": true})"));
  ok.run();
  CHECK(stored(ok.trace()) == 1);
}
