// Mail loops, run limits, addresses matched as servers match them, SMTPUTF8 and BDAT across a world.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "agents/mta.h"
#include "agents/world.h"
#include "export/i18n.h"
#include "export/run_limit.h"
#include "mail/message.h"
#include "scenario/load.h"
#include "trace_queries.h"
#include "trace/player.h"
#include "trace/transcript.h"
#include "trace/view.h"

using namespace postlab;
using postlab::testing::has_line;
using postlab::testing::of_kind;

namespace {

Scenario load(const std::string& text) {
  LoadResult r = load_scenario_text(text, "loop-test.json");
  std::string errors;
  for (const auto& e : r.errors) errors += e.str() + "\n";
  INFO(errors);
  REQUIRE(r.ok());
  return *r.scenario;
}

// A spammer's PC sends through `relay` (an open relay) to x@victim.example; the DNS is given.
Scenario relay_world(const std::string& dns, const std::string& extra_hosts = "") {
  return load(R"({"format": 1, "title": "loop",
  "hosts": [
    {"name": "spam-pc", "role": "client", "address": "192.0.2.66", "user": "spam@spam.example",
     "submit_to": "relay.open.example", "submit_port": 25},
    {"name": "relay.open.example", "role": "mta", "address": "198.51.100.7", "domains": ["open.example"],
     "policy": {"open_relay": true}})" + extra_hosts + R"(
  ],
  "dns": [)" + dns + R"(],
  "timeline": [{"at": "0s", "send": {"from": "spam-pc", "message": {
    "from": "spam@spam.example", "to": ["x@victim.example"], "subject": "loop", "body": "round and round"}}}]
})");
}

// The permanent failures of one recipient (a notice about a notice can fail too, and is dropped).
std::vector<const TraceEvent*> failed_to(const Trace& t, std::string_view rcpt) {
  std::vector<const TraceEvent*> out;
  for (const auto* e : of_kind(t, EventKind::DeliveryFailed))
    if (e->mailbox == rcpt) out.push_back(e);
  return out;
}

// Two providers as in lesson 01: a device of uni.example sends one message to correo.example.
struct TwoProviders {
  std::string device = "alice-laptop";
  std::string user = "alice@uni.example";       // the device's user
  std::string uni_policy = "{}";                // mail.uni.example's policy
  std::string users = R"({"address": "alice@uni.example", "password": "pw"}, {"address": "bob@correo.example"})";
  std::string message;                           // the message object's fields, without braces
  std::string more;                              // more top-level members, each with a leading comma
};

std::string lesson_text(const TwoProviders& p) {
  return R"({"format": 1, "title": "two providers",
  "hosts": [
    {"name": ")" + p.device + R"(", "role": "client", "address": "192.0.2.10", "user": ")" + p.user + R"("},
    {"name": "mail.uni.example", "role": "mta", "address": "198.51.100.25", "domains": ["uni.example"],
     "services": ["smtp", "submission"], "policy": )" + p.uni_policy + R"(},
    {"name": "mx.correo.example", "role": "mta", "address": "203.0.113.5", "domains": ["correo.example"]}],
  "dns": [{"name": "correo.example", "type": "MX", "preference": 10, "value": "mx.correo.example"}],
  "users": [)" + p.users + R"(],
  "timeline": [{"at": "0s", "send": {"from": ")" + p.device + R"(", "message": {)" + p.message + R"(}}}])" +
         p.more + "}";
}

}  // namespace

TEST_CASE("loops: an open relay that is the MX of a domain it does not host bounces 5.4.6 at once") {
  World w(relay_world(R"({"name": "victim.example", "type": "MX", "preference": 10, "value": "relay.open.example"})"));
  CHECK(w.run());
  CHECK(w.trace().size() < 200);
  const auto failed = failed_to(w.trace(), "x@victim.example");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->from == "relay.open.example");
  // Postfix smtp(8): "mail for DOMAIN loops back to myself", relay=none, dsn=5.4.6.
  CHECK(failed[0]->text.find(": to=<x@victim.example>, relay=none, delay=") != std::string::npos);
  CHECK(failed[0]->text.find(", dsn=5.4.6, status=bounced (mail for victim.example loops back to myself)") !=
        std::string::npos);
  // Accepted once and never passed on; the failure notice to the spammer's made-up address is
  // accepted too, and dropped when its domain turns out not to exist (no notice about a notice).
  const auto accepted = of_kind(w.trace(), EventKind::MessageAccepted);
  REQUIRE(accepted.size() == 2);
  CHECK(accepted[1]->text.find("from=<>") != std::string::npos);
  const auto dropped = failed_to(w.trace(), "spam@spam.example");
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0]->text.find("dsn=5.4.4") != std::string::npos);
  REQUIRE(dropped[0]->notes.size() == 1);
  CHECK(dropped[0]->notes[0].key == "note.queue.no_bounce_of_bounce");
  CHECK(of_kind(w.trace(), EventKind::FailureNotified).size() == 1);
  // The queue view shows the bounce as the message's last status, then the queue is empty.
  Player p(w.trace());
  p.seek(p.step_of_event(static_cast<std::size_t>(failed[0]->seq)));
  const auto queue = p.view().queue();
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].host == "relay.open.example");
  CHECK(queue[0].status == failed[0]->text);
  p.end();
  CHECK(p.view().queue().empty());
}

TEST_CASE("loops: two crossed MX records between two open relays end with 5.4.6") {
  // victim.example's MX is relay.open.example, which relays for anyone; back.example's MX is the
  // other relay. Whichever way the mail goes, a server ends up as the best MX of a domain it does not serve.
  World w(relay_world(R"({"name": "victim.example", "type": "MX", "preference": 10, "value": "relay2.other.example"},
                         {"name": "other.example", "type": "MX", "preference": 10, "value": "relay.open.example"})",
                      R"(,
    {"name": "relay2.other.example", "role": "mta", "address": "203.0.113.9", "domains": ["other.example"],
     "policy": {"open_relay": true}})"));
  CHECK(w.run());
  CHECK(w.trace().size() < 500);
  const auto failed = failed_to(w.trace(), "x@victim.example");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->from == "relay2.other.example");
  CHECK(failed[0]->text.find("dsn=5.4.6, status=bounced (mail for victim.example loops back to myself)") !=
        std::string::npos);
  CHECK(of_kind(w.trace(), EventKind::Relayed).size() == 1);  // relay -> relay2, then no further
}

TEST_CASE("loops: an implicit MX (the domain's A record) pointing at the server itself bounces 5.4.6") {
  World w(relay_world(R"({"name": "victim.example", "type": "A", "value": "198.51.100.7"})"));
  CHECK(w.run());
  const auto failed = failed_to(w.trace(), "x@victim.example");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->text.find("status=bounced (mail for victim.example loops back to myself)") != std::string::npos);
}

TEST_CASE("loops: as a lower-preference MX the server passes mail to the better one only") {
  World w(relay_world(R"({"name": "victim.example", "type": "MX", "preference": 20, "value": "relay.open.example"},
                         {"name": "victim.example", "type": "MX", "preference": 10, "value": "mx.victim.example"})",
                      R"(,
    {"name": "mx.victim.example", "role": "mta", "address": "203.0.113.5", "domains": ["victim.example"]})"));
  // x@victim.example is not a user there: the better MX refuses it, which bounces (5.1.1), not a loop.
  CHECK(w.run());
  const auto failed = failed_to(w.trace(), "x@victim.example");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->text.find("dsn=5.1.1") != std::string::npos);
}

TEST_CASE("loops: two relayhosts pointing at each other stop at the hop count (554 5.4.0 too many hops)") {
  Scenario s = relay_world(R"()", R"(,
    {"name": "relay2.other.example", "role": "mta", "address": "203.0.113.9", "domains": ["other.example"],
     "policy": {"open_relay": true}})");
  s.hosts[1].policy.relayhost = "relay2.other.example";
  s.hosts[2].policy.relayhost = "relay.open.example";
  World w(s);
  CHECK(w.run());
  // Each hop adds one Received: header; the server that would add the 50th refuses (Postfix cleanup).
  std::size_t hops = 0;
  for (const auto* e : of_kind(w.trace(), EventKind::MessageAccepted)) hops += e->text.find("from=<>") == std::string::npos;
  CHECK(hops == kHopCountLimit - 1);
  CHECK(has_line(w.trace(), "554 5.4.0 Error: too many hops\r\n"));
  const auto failed = failed_to(w.trace(), "x@victim.example");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->text.find("dsn=5.4.0, status=bounced (host ") != std::string::npos);
  CHECK(failed[0]->text.find("said: 554 5.4.0 Error: too many hops (in reply to end of DATA command))") != std::string::npos);
  CHECK(w.trace().size() < 20'000);
}

TEST_CASE("loops: a relayhost that is the server itself defers (Postfix 4.3.5) and keeps the mail") {
  Scenario s = relay_world(R"()");
  s.hosts[1].policy.relayhost = "relay.open.example";
  World w(s);
  CHECK(w.run());
  const auto deferred = of_kind(w.trace(), EventKind::DeliveryDeferred);
  REQUIRE(deferred.size() > 1);
  CHECK(deferred[0]->text.find("dsn=4.3.5, status=deferred (mail for relay.open.example loops back to myself)") !=
        std::string::npos);
  CHECK(failed_to(w.trace(), "x@victim.example").empty());
  // It waits for the settings to be fixed, and after maximal_queue_lifetime (5 days) gives up.
  const auto expired = of_kind(w.trace(), EventKind::QueueExpired);
  REQUIRE_FALSE(expired.empty());
  CHECK(expired[0]->time >= 5 * kDay);
  CHECK(expired[0]->text.find("from=<spam@spam.example>, status=expired, returned to sender") != std::string::npos);
}

TEST_CASE("run limits: a lesson that would fill the memory stops cleanly at the trace budget") {
  // Every send carries 8 MB of attachments; 400 of them would need gigabytes. The real budget is
  // kMaxTraceBytes; a lower one here reaches the same code sooner.
  std::string timeline;
  for (int i = 0; i < 400; ++i)
    timeline += std::string(i ? "," : "") + R"({"at": ")" + std::to_string(i) + R"(s", "send": {"from": "alice-laptop",
      "message": {"to": ["bob@correo.example"], "subject": "big", "attachments": [{"name": "v.mp4", "size": 1000000}]}}})";
  Scenario s = load(R"({"format": 1, "title": "budget",
  "hosts": [
    {"name": "alice-laptop", "role": "client", "address": "192.0.2.10", "user": "alice@uni.example"},
    {"name": "mail.uni.example", "role": "mta", "address": "198.51.100.25", "domains": ["uni.example"],
     "services": ["smtp", "submission"], "policy": {"require_auth_on_submission": false}},
    {"name": "mx.correo.example", "role": "mta", "address": "203.0.113.5", "domains": ["correo.example"]}],
  "dns": [{"name": "correo.example", "type": "MX", "preference": 10, "value": "mx.correo.example"}],
  "users": [{"address": "alice@uni.example"}, {"address": "bob@correo.example"}],
  "timeline": [)" + timeline + "]}");
  World w(s);
  RunLimits limits;
  limits.max_bytes = 32u * 1024 * 1024;
  w.set_limits(limits);
  CHECK_FALSE(w.run());
  REQUIRE(w.limit_hit());
  CHECK(w.limit_hit()->limit == "kMaxTraceBytes");
  CHECK(w.limit_hit()->value == limits.max_bytes);
  CHECK(w.limit_hit()->last_event == static_cast<std::int64_t>(w.trace().size()) - 1);
  CHECK(w.trace().bytes() >= limits.max_bytes);
  CHECK(w.trace().bytes() < limits.max_bytes + 8u * 1024 * 1024);  // stopped right after crossing it
  CHECK_FALSE(w.run());  // it stays stopped
  // One message for people: the limit, its value, when and what happened last.
  std::string err;
  for (Lang lang : {Lang::En, Lang::Es}) {
    auto tr = Translations::load(POSTLAB_SOURCE_DIR "/assets", lang, &err);
    REQUIRE(tr);
    const std::string message = run_limit_message(w.trace(), *w.limit_hit(), *tr);
    CAPTURE(message);
    CHECK(message.find("kMaxTraceBytes (32 MiB)") != std::string::npos);
    const TraceEvent& last = w.trace().events().back();
    CHECK(message.find(format_clock(last.time)) != std::string::npos);
    CHECK(message.find(tr->phrase(describe(last, lang))) != std::string::npos);
  }

  World counted(s);
  limits = RunLimits{};
  limits.max_events = 500;
  counted.set_limits(limits);
  CHECK_FALSE(counted.run());
  REQUIRE(counted.limit_hit());
  CHECK(counted.limit_hit()->limit == "kMaxTraceEvents");
  CHECK(counted.trace().size() >= 500);
  CHECK(counted.trace().size() < 520);  // one step may write a few events
}

TEST_CASE("addresses: local parts match without regard to case and messages keep what was written") {
  TwoProviders p;
  p.user = "Alice@uni.example";
  p.uni_policy = R"({"verify_sender": true})";
  p.users = R"({"address": "alice@uni.example", "password": "pw"}, {"address": "Bob@correo.example"})";
  p.message = R"("to": ["BOB@Correo.example"], "subject": "case", "body": "hi")";
  p.more = R"(, "narration": [{"when": {"stored": "bob@CORREO.example"}, "say": "stored"}])";
  Scenario s = load(lesson_text(p));
  World w(s);
  CHECK(w.run());
  CHECK(has_line(w.trace(), "235 2.7.0 Authentication successful\r\n"));  // logged in as Alice@ for alice@
  CHECK(has_line(w.trace(), "RCPT TO:<BOB@correo.example>\r\n"));         // the local part as written
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]->mailbox == "Bob@correo.example");  // the mailbox as the lesson declares it
  const Message m = Message::parse(w.trace().messages()[static_cast<std::size_t>(stored[0]->message)].data());
  CHECK(m.get("Delivered-To") == "BOB@correo.example");  // Postfix keeps the case the sender wrote
  CHECK(m.get("To") == "BOB@Correo.example");
  bool narrated = false;
  for (const auto* e : of_kind(w.trace(), EventKind::Narration)) narrated = narrated || e->text == "stored";
  CHECK(narrated);

  const Mta* mx = w.mta_on("mx.correo.example");
  smtp::Transaction tx;
  CHECK_FALSE(mx->check_recipient(0, 25, tx, "bOb@correo.example"));
  CHECK_FALSE(mx->check_recipient(0, 25, tx, "bob"));  // a bare name is looked up in the server's own domain
  CHECK(mx->check_recipient(0, 25, tx, "nosuch") ==
        "550 5.1.1 <nosuch>: Recipient address rejected: User unknown in local recipient table");
  CHECK(mx->authenticate("BOB@correo.example", "") == false);  // no password: no login
  CHECK(w.mta_on("mail.uni.example")->authenticate("ALICE@uni.example", "pw"));
}

TEST_CASE("smtputf8: a UTF-8 local part makes the client ask for SMTPUTF8 or give up (5.6.7)") {
  TwoProviders p;
  p.device = "jose-laptop";
  p.user = "jos\u00e9@uni.example";
  p.users = R"({"address": "jos\u00e9@uni.example", "password": "pw"}, {"address": "bob@correo.example"})";
  p.message = R"("to": ["bob@correo.example"], "subject": "utf8", "body": "hola")";
  const std::string text = lesson_text(p);
  World ok(load(text));
  CHECK(ok.run());
  std::size_t declared = 0;
  for (const auto& e : ok.trace().events())
    if (e.kind == EventKind::Line && e.text.rfind("MAIL FROM:<jos\xc3\xa9@uni.example> SIZE=", 0) == 0 &&
        e.text.find(" SMTPUTF8\r\n") != std::string::npos)
      ++declared;
  CHECK(declared == 2);  // the device, then the relaying MTA (the sender asked for it)
  CHECK(of_kind(ok.trace(), EventKind::MessageStored).size() == 1);  // relayed with SMTPUTF8 too

  Scenario s = load(text);
  s.hosts[2].policy.smtputf8 = false;  // Bob's server does not announce SMTPUTF8
  World w(s);
  CHECK(w.run());
  const auto failed = of_kind(w.trace(), EventKind::DeliveryFailed);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->text.find(", dsn=5.6.7, status=bounced (SMTPUTF8 is required, but was not offered by host "
                             "mx.correo.example[203.0.113.5])") != std::string::npos);
  // Only the failure notice reaches a mailbox: the sender's.
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 1);
  CHECK(w.trace().messages()[static_cast<std::size_t>(stored[0]->message)].envelope_from.empty());
}

TEST_CASE("bdat: a client told to use BDAT sends one chunk when CHUNKING is offered") {
  TwoProviders p;
  p.message = R"("to": ["bob@correo.example"], "subject": "chunks", "body": ".a line with a dot\n")";
  Scenario s = load(lesson_text(p));
  s.hosts[0].use_bdat = true;
  s.hosts[1].policy.use_bdat = true;
  World w(s);
  CHECK(w.run());
  std::size_t bdat = 0;
  for (const auto& e : w.trace().events())
    if (e.kind == EventKind::Line && e.text.rfind("BDAT ", 0) == 0) {
      ++bdat;
      CHECK(e.text.find(" LAST\r\n") != std::string::npos);
      CHECK(e.text.find("\r\n.a line with a dot\r\n") != std::string::npos);  // no dot-stuffing
    }
  CHECK(bdat == 2);
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 1);
  const std::string data = w.trace().messages()[static_cast<std::size_t>(stored[0]->message)].data();
  CHECK(data.find("\r\n\r\n.a line with a dot\r\n") != std::string::npos);
}

TEST_CASE("addresses: a recipient given twice in different case is delivered once") {
  // Postfix cleanup(8) keeps the first spelling and logs nrcpt=1; both RCPTs still get 250.
  TwoProviders p;
  p.message = R"("to": ["bob@correo.example"], "cc": ["BOB@correo.example"], "subject": "twice", "body": "hi")";
  Scenario s = load(lesson_text(p));
  World w(s);
  CHECK(w.run());
  const auto accepted = of_kind(w.trace(), EventKind::MessageAccepted);
  REQUIRE(accepted.size() == 2);
  CHECK(accepted[0]->text.find("nrcpt=1 ") != std::string::npos);
  CHECK(w.trace().messages()[static_cast<std::size_t>(accepted[0]->message)].envelope_to ==
        std::vector<std::string>{"bob@correo.example"});
  CHECK(of_kind(w.trace(), EventKind::MessageStored).size() == 1);
}

TEST_CASE("repeat: a repeated send happens count times every apart and draws from its lists") {
  LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/08-spam-storm.json");
  REQUIRE(r.ok());
  World w(*r.scenario);
  CHECK(w.run());
  const auto composed = of_kind(w.trace(), EventKind::MessageComposed);
  REQUIRE(composed.size() == 50);
  std::set<std::string> bots, students;
  for (std::size_t k = 0; k < composed.size(); ++k) {
    CHECK(composed[k]->time == static_cast<SimTime>(k) * 2 * kSecond);
    bots.insert(composed[k]->from);
    const auto& draft = w.trace().messages()[static_cast<std::size_t>(composed[k]->message)];
    REQUIRE(draft.envelope_to.size() == 1);
    students.insert(draft.envelope_to[0]);
  }
  CHECK(bots.size() == 3);      // each of the three bots sent some
  CHECK(students.size() >= 4);  // and many students got one
  CHECK(of_kind(w.trace(), EventKind::MessageStored).size() == 50);
  std::size_t said = 0;
  for (const auto* e : of_kind(w.trace(), EventKind::Narration)) said += e->text.rfind("The bots start.", 0) == 0;
  CHECK(said == 1);  // a repeated entry is narrated once

  World again(*r.scenario);
  again.run();
  CHECK(again.trace().fingerprint() == w.trace().fingerprint());  // the draws come from the seed
  Scenario other = *r.scenario;
  other.seed = 89;
  World reseeded(other);
  reseeded.run();
  CHECK(reseeded.trace().fingerprint() != w.trace().fingerprint());
}

TEST_CASE("repeat: without a from each message is from the drawn device's own user") {
  TwoProviders p;
  p.message = R"("to": ["bob@correo.example"], "subject": "many")";
  Scenario s = load(lesson_text(p));
  // A second device of another uni.example user, and the send drawn from both.
  HostSpec carol = s.hosts[0];
  carol.name = "carol-pc";
  carol.address = "192.0.2.11";
  carol.user = "carol@uni.example";
  s.hosts.push_back(carol);
  s.users.push_back(UserSpec{"carol@uni.example", "pw", {}});
  s.timeline[0].count = 12;
  s.timeline[0].every = kSecond;
  s.timeline[0].send->hosts = {"alice-laptop", "carol-pc"};
  World w(s);
  CHECK(w.run());
  std::size_t checked = 0;
  for (const auto* e : of_kind(w.trace(), EventKind::MessageComposed)) {
    const Message m = Message::parse(w.trace().messages()[static_cast<std::size_t>(e->message)].data());
    CHECK(m.get("From") == (e->from == "carol-pc" ? "carol@uni.example" : "alice@uni.example"));
    ++checked;
  }
  CHECK(checked == 12);
  CHECK(of_kind(w.trace(), EventKind::MessageStored).size() == 12);
}
