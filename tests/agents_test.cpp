// agents/: whole worlds built from lessons, run to the end, checked through their trace and stores.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "agents/mta.h"
#include "agents/world.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "mail/mime.h"
#include "scenario/load.h"
#include "trace_queries.h"

using namespace postlab;
using postlab::testing::has_line;
using postlab::testing::of_kind;

namespace {

std::string errors_of(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.str() + "\n";
  return out;
}

Scenario lesson_01() {
  LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/01-smtp-basic.json");
  INFO(errors_of(r));
  REQUIRE(r.ok());
  return *r.scenario;
}

struct LessonSpec {
  std::string to = "Bob <bob@correo.example>";
  std::string bcc;                                  // one address, or none
  std::string sender = "alice-laptop";
  std::string from = "Alice <alice@uni.example>";
  std::string alice_extra;                          // more fields for alice-laptop
  std::string extra_hosts;                          // more host objects, each with a leading comma
  std::string extra_dns;                            // more records, each with a leading comma
  std::string mx = "mx.correo.example";
  std::string start = "2026-03-02T09:00:00Z";
  std::string at = "0s";
  int seed = 7;
};

// Two providers: uni.example (submission and smtp) and correo.example (smtp only), as in lesson 01.
Scenario lesson(const LessonSpec& s) {
  const std::string text = R"({
  "format": 1, "title": "agents test", "seed": )" + std::to_string(s.seed) + R"(, "start": ")" + s.start + R"(",
  "hosts": [
    {"name": "alice-laptop", "role": "client", "address": "192.0.2.10", "user": "alice@uni.example")" +
                           s.alice_extra + R"(},
    {"name": "mail.uni.example", "role": "mta", "address": "198.51.100.25", "domains": ["uni.example"],
     "services": ["smtp", "submission"]},
    {"name": "mx.correo.example", "role": "mta", "address": "203.0.113.5", "domains": ["correo.example"]})" +
                           s.extra_hosts + R"(
  ],
  "links": [{"between": ["alice-laptop", "mail.uni.example"], "latency": "20ms"}],
  "dns": [{"name": "correo.example", "type": "MX", "preference": 10, "value": ")" + s.mx + R"("})" +
                           s.extra_dns + R"(],
  "users": [{"address": "alice@uni.example", "password": "alice123"}, {"address": "bob@correo.example"},
            {"address": "carol@correo.example"}],
  "timeline": [{"at": ")" + s.at + R"(", "send": {"from": ")" + s.sender + R"(", "message": {
    "from": ")" + s.from + R"(", "to": [")" + s.to + R"("],)" +
                           (s.bcc.empty() ? "" : R"( "bcc": [")" + s.bcc + R"("],)") + R"(
    "subject": "¡Hola!", "body": "Hola Bob,\nhasta mañana.\n"}}}]
})";
  LoadResult r = load_scenario_text(text, "agents-test.json");
  INFO(errors_of(r));
  INFO(text);
  REQUIRE(r.ok());
  return *r.scenario;
}

std::vector<std::string> queue_ids(const Trace& t) {
  std::vector<std::string> out;
  for (const auto* e : of_kind(t, EventKind::MessageAccepted)) out.emplace_back(e->text.substr(0, e->text.find(':')));
  return out;
}

// The message filed in a user's INBOX, read through the world's state (held by that MTA).
Message stored_message(const World& w, const std::string& mta, const std::string& user, std::size_t index = 0) {
  const MailboxState* box = w.trace().state().mailbox(user);
  REQUIRE(box);
  CHECK(box->host == mta);
  const auto& inbox = box->folders.at("INBOX").items;
  REQUIRE(inbox.size() > index);
  REQUIRE(inbox[index].message >= 0);
  return Message::parse(w.trace().messages()[static_cast<std::size_t>(inbox[index].message)].data());
}

}  // namespace

TEST_CASE("agents: lesson 01 files exactly one message in Bob's INBOX") {
  World w(lesson_01());
  CHECK(w.run());
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]->mailbox == "bob@correo.example");
  CHECK(stored[0]->folder == "INBOX");
  CHECK(stored[0]->uid == 1);
  CHECK(stored[0]->from == "mx.correo.example");

  const MailboxState* bob = w.trace().state().mailbox("bob@correo.example");
  REQUIRE(bob);
  CHECK(bob->host == "mx.correo.example");
  const auto& inbox = bob->folders.at("INBOX").items;
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0].uid == 1);
  CHECK(inbox[0].message == stored[0]->message);
  CHECK(bob->folders.at("INBOX").uidnext == 2);
  const MessageSnapshot& snap = w.trace().messages()[static_cast<std::size_t>(inbox[0].message)];
  CHECK(snap.envelope_from == "alice@uni.example");
  CHECK(snap.envelope_to == std::vector<std::string>{"bob@correo.example"});
  CHECK(bob->folders.at("Trabajo").items.empty());
  // Nothing came back to Alice, and nothing stays queued.
  CHECK(w.trace().state().mailbox("alice@uni.example")->folders.at("INBOX").items.empty());
  CHECK(of_kind(w.trace(), EventKind::QueueRemoved).size() == 2);
  CHECK(of_kind(w.trace(), EventKind::DeliveryFailed).empty());
  CHECK(of_kind(w.trace(), EventKind::DeliveryDeferred).empty());
}

TEST_CASE("agents: the stored message carries the trace headers in order") {
  World w(lesson_01());
  w.run();
  const Message m = stored_message(w, "mx.correo.example", "bob@correo.example");
  const auto& h = m.headers();
  REQUIRE(h.size() >= 6);
  // Postfix local(8): Return-Path, X-Original-To, Delivered-To (../shared/truth/smtp_14_*.eml).
  CHECK(h[0].name == "Return-Path");
  CHECK(h[0].value == "<alice@uni.example>");
  CHECK(h[1].name == "X-Original-To");
  CHECK(h[1].value == "bob@correo.example");
  CHECK(h[2].name == "Delivered-To");
  CHECK(h[2].value == "bob@correo.example");
  CHECK(h[3].name == "Received");
  CHECK(unfold(h[3].value).find("from mail.uni.example (mail.uni.example [198.51.100.25])") == 0);
  CHECK(unfold(h[3].value).find("by mx.correo.example (Postfix) with ESMTP id ") != std::string::npos);
  CHECK(h[4].name == "Received");
  CHECK(unfold(h[4].value).find("from alice-laptop (alice-laptop [192.0.2.10])") == 0);
  CHECK(unfold(h[4].value).find("by mail.uni.example (Postfix) with ESMTP id ") != std::string::npos);
  CHECK(unfold(h[4].value).find("for <bob@correo.example>") != std::string::npos);
  // Received dates are virtual time, in Postfix's padded form.
  CHECK(unfold(h[3].value).find("; Mon,  2 Mar 2026 09:00:00 +0000 (UTC)") != std::string::npos);
  CHECK(h[5].name != "Received");

  CHECK(decode_header_text(m.get("Subject")) == "¡Hola!");
  CHECK(m.get("Subject") == "=?UTF-8?Q?=C2=A1Hola!?=");
  CHECK(m.get("Date") == "Mon, 2 Mar 2026 09:00:00 +0000");
  CHECK(m.get("From") == "Alice <alice@uni.example>");
  CHECK(m.get("To") == "Bob <bob@correo.example>");
  CHECK(m.get("Content-Transfer-Encoding") == "8bit");
  const std::string id = m.get("Message-ID");
  CHECK(id.front() == '<');
  CHECK(id.size() > 14);
  CHECK(id.substr(id.size() - 13) == "@uni.example>");
  CHECK(m.body().find("nos vemos mañana") != std::string::npos);
}

TEST_CASE("agents: the Date header is the virtual time of sending") {
  LessonSpec spec;
  spec.start = "2024-02-29T23:59:00Z";
  spec.at = "1m30s";
  World w(lesson(spec));
  w.run();
  const Message m = stored_message(w, "mx.correo.example", "bob@correo.example");
  CHECK(m.get("Date") == "Fri, 1 Mar 2024 00:00:30 +0000");
  const auto composed = of_kind(w.trace(), EventKind::MessageComposed);
  REQUIRE(composed.size() == 1);
  CHECK(composed[0]->time == 90 * kSecond);
}

TEST_CASE("agents: runs are deterministic and the seed changes the queue IDs") {
  const Scenario s = lesson_01();
  World a(s), b(s);
  a.run();
  b.run();
  CHECK(a.trace().size() == b.trace().size());
  CHECK(a.trace().fingerprint() == b.trace().fingerprint());
  CHECK(queue_ids(a.trace()) == queue_ids(b.trace()));
  CHECK(queue_ids(a.trace()).size() == 2);

  Scenario other = s;
  other.seed = s.seed + 1;
  World c(other);
  c.run();
  CHECK(a.trace().size() == c.trace().size());  // the same story...
  CHECK(a.trace().fingerprint() != c.trace().fingerprint());
  const auto ids_a = queue_ids(a.trace()), ids_c = queue_ids(c.trace());
  REQUIRE(ids_c.size() == 2);
  CHECK(ids_a[0] != ids_c[0]);  // ...with other queue IDs
  CHECK(ids_a[1] != ids_c[1]);
}

TEST_CASE("agents: the client submits on 587 and the MTAs relay on 25") {
  World w(lesson_01());
  w.run();
  const auto opened = of_kind(w.trace(), EventKind::ConnectionOpened);
  REQUIRE(opened.size() == 2);
  CHECK(opened[0]->from == "alice-laptop");
  CHECK(opened[0]->to == "mail.uni.example");
  CHECK(opened[0]->port == 587);
  CHECK(opened[1]->from == "mail.uni.example");
  CHECK(opened[1]->to == "mx.correo.example");
  CHECK(opened[1]->port == 25);
  const auto relayed = of_kind(w.trace(), EventKind::Relayed);
  REQUIRE(relayed.size() == 1);
  CHECK(relayed[0]->text.find("relay=mx.correo.example[203.0.113.5]:25") != std::string::npos);
  CHECK(relayed[0]->text.find("status=sent (250 2.0.0 Ok: queued as ") != std::string::npos);
}

TEST_CASE("agents: an unknown recipient at the destination is refused with 550 5.1.1 and bounces") {
  LessonSpec spec;
  spec.to = "nobody@correo.example";
  World w(lesson(spec));
  w.run();
  const std::string reply =
      "550 5.1.1 <nobody@correo.example>: Recipient address rejected: User unknown in local recipient table";
  CHECK(has_line(w.trace(), reply + "\r\n"));
  const auto failed = of_kind(w.trace(), EventKind::DeliveryFailed);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->from == "mail.uni.example");
  CHECK(failed[0]->mailbox == "nobody@correo.example");
  // Postfix's log: relay= names the port, "host ... said:" does not, and the command is named.
  CHECK(failed[0]->text.find("relay=mx.correo.example[203.0.113.5]:25,") != std::string::npos);
  CHECK(failed[0]->text.find("dsn=5.1.1, status=bounced (host mx.correo.example[203.0.113.5] said: " + reply +
                             " (in reply to RCPT TO command))") != std::string::npos);
  // Every recipient was refused, so the relaying MTA never sends DATA to mx.correo.example.
  for (const auto* e : of_kind(w.trace(), EventKind::Line))
    if (e->to == "mx.correo.example") CHECK(e->text != "DATA\r\n");
  // The sender gets a failure notice in her own INBOX: a second queue entry, from <>.
  const auto notified = of_kind(w.trace(), EventKind::FailureNotified);
  REQUIRE(notified.size() == 1);
  CHECK(notified[0]->text.find("sender non-delivery notification: ") != std::string::npos);
  const auto accepted = of_kind(w.trace(), EventKind::MessageAccepted);
  REQUIRE(accepted.size() == 2);
  CHECK(accepted[1]->text.find(": from=<>, size=") != std::string::npos);
  CHECK(of_kind(w.trace(), EventKind::QueueRemoved).size() == 2);
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]->mailbox == "alice@uni.example");
  const MessageSnapshot& dsn = w.trace().messages()[static_cast<std::size_t>(stored[0]->message)];
  CHECK(dsn.envelope_from.empty());
  const std::string text = dsn.data();
  CHECK(text.rfind("Return-Path: <>\r\n", 0) == 0);
  for (const char* part : {"\r\nFrom: Mail Delivery System <MAILER-DAEMON@uni.example>\r\n",
                           "\r\nSubject: Undelivered Mail Returned to Sender\r\n",
                           "\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n",
                           "\r\nThis is the mail system at host mail.uni.example.\r\n",
                           "\r\nReporting-MTA: dns; mail.uni.example\r\n",
                           "\r\nFinal-Recipient: rfc822; nobody@correo.example\r\n", "\r\nAction: failed\r\n",
                           "\r\nStatus: 5.1.1\r\n", "\r\nRemote-MTA: dns; mx.correo.example\r\n",
                           "\r\nDiagnostic-Code: smtp; 550 5.1.1 <nobody@correo.example>: Recipient address\r\n",
                           "\r\nContent-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n"})
    CHECK_MESSAGE(text.find(part) != std::string::npos, part);
}

TEST_CASE("agents: an unknown local recipient is refused at submission") {
  LessonSpec spec;
  spec.to = "nobody@uni.example";
  World w(lesson(spec));
  w.run();
  CHECK(has_line(w.trace(),
                 "550 5.1.1 <nobody@uni.example>: Recipient address rejected: User unknown in local recipient "
                 "table\r\n"));
  CHECK(of_kind(w.trace(), EventKind::MessageAccepted).empty());
  const auto submitted = of_kind(w.trace(), EventKind::Submitted);
  REQUIRE(submitted.size() == 1);
  CHECK(submitted[0]->text.find("nobody@uni.example: failed (550 5.1.1") != std::string::npos);
}

TEST_CASE("agents: a domain with neither MX nor A record bounces at once with 5.4.4") {
  LessonSpec spec;
  spec.to = "someone@nowhere.example";
  World w(lesson(spec));
  CHECK(w.run());
  bool nxdomain_mx = false;
  for (const auto* e : of_kind(w.trace(), EventKind::DnsAnswer))
    nxdomain_mx = nxdomain_mx || e->text == "NXDOMAIN: nowhere.example does not exist";
  CHECK(nxdomain_mx);
  CHECK(of_kind(w.trace(), EventKind::DeliveryDeferred).empty());
  const auto failed = of_kind(w.trace(), EventKind::DeliveryFailed);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]->from == "mail.uni.example");
  // Postfix (inet_protocols = ipv4): the address lookup of the implicit MX says the name does not exist.
  CHECK(failed[0]->text.find("to=<someone@nowhere.example>, relay=none") != std::string::npos);
  CHECK(failed[0]->text.find("dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for "
                             "name=nowhere.example type=A: Host not found)") != std::string::npos);
  CHECK(of_kind(w.trace(), EventKind::FailureNotified).size() == 1);
  CHECK(of_kind(w.trace(), EventKind::RetryScheduled).empty());
  CHECK(of_kind(w.trace(), EventKind::ConnectionOpened).size() == 1);  // only the submission
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 1);
  const std::string text = w.trace().messages()[static_cast<std::size_t>(stored[0]->message)].data();
  CHECK(text.find("\r\nStatus: 5.4.4\r\n") != std::string::npos);
  // Wrapped as bounce(8) wraps, at 79 columns with a 4-space indent.
  CHECK(text.find("\r\nDiagnostic-Code: X-Postfix; Host or domain name not found. Name service error\r\n"
                  "    for name=nowhere.example type=A: Host not found\r\n") != std::string::npos);
  CHECK(text.find("Remote-MTA") == std::string::npos);
}

TEST_CASE("agents: an MTA refuses to relay for a stranger on port 25") {
  LessonSpec spec;
  spec.sender = "mallory-pc";
  spec.from = "mallory@correo.example";
  spec.extra_hosts = R"(,
    {"name": "mallory-pc", "role": "client", "address": "192.0.2.66", "user": "mallory@correo.example",
     "submit_to": "mail.uni.example", "submit_port": 25})";
  // Postfix's default defer_unauth_destination: a temporary refusal, 454 4.7.1.
  World w(lesson(spec));
  w.run();
  CHECK(has_line(w.trace(), "454 4.7.1 <bob@correo.example>: Relay access denied\r\n"));
  CHECK(of_kind(w.trace(), EventKind::MessageAccepted).empty());
  CHECK(of_kind(w.trace(), EventKind::MessageStored).empty());
  const auto opened = of_kind(w.trace(), EventKind::ConnectionOpened);
  REQUIRE(opened.size() == 1);
  CHECK(opened[0]->port == 25);
  const auto submitted = of_kind(w.trace(), EventKind::Submitted);
  REQUIRE(submitted.size() == 1);
  CHECK(submitted[0]->text == "bob@correo.example: deferred (454 4.7.1 <bob@correo.example>: Relay access denied)");

  // reject_unauth_destination: a permanent 554 5.7.1.
  Scenario strict = lesson(spec);
  strict.hosts[1].policy.relay_restriction = RelayRestriction::Reject;
  World r(strict);
  r.run();
  CHECK(has_line(r.trace(), "554 5.7.1 <bob@correo.example>: Relay access denied\r\n"));
  const auto refused = of_kind(r.trace(), EventKind::Submitted);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]->text == "bob@correo.example: failed (554 5.7.1 <bob@correo.example>: Relay access denied)");
}

TEST_CASE("agents: the MTA relays on port 25 for a device of its own user") {
  LessonSpec spec;
  spec.alice_extra = R"(, "submit_port": 25)";
  World w(lesson(spec));
  w.run();
  const auto opened = of_kind(w.trace(), EventKind::ConnectionOpened);
  REQUIRE_FALSE(opened.empty());
  CHECK(opened[0]->port == 25);
  CHECK(of_kind(w.trace(), EventKind::MessageStored).size() == 1);
}

TEST_CASE("agents: a dead primary MX makes the MTA try the next one") {
  LessonSpec spec;
  spec.mx = "mx1.correo.example";
  spec.extra_dns = R"(,
    {"name": "mx1.correo.example", "type": "A", "value": "203.0.113.99"},
    {"name": "correo.example", "type": "MX", "preference": 20, "value": "mx.correo.example"})";
  World w(lesson(spec));
  w.run();
  std::vector<std::string> queries;
  for (const auto* e : of_kind(w.trace(), EventKind::DnsQuery))
    if (e->from == "mail.uni.example") queries.push_back(e->text);
  CHECK(queries == std::vector<std::string>{"MX correo.example?", "A mx1.correo.example?", "A mx.correo.example?"});
  // Like Postfix, every exchanger's address is looked up first. Nothing lives at mx1's address: the
  // MTA waits out its connect timeout, then connects to the next MX.
  SimTime answered = -1, timed_out = -1, next_open = -1;
  for (const auto& e : w.trace().events()) {
    if (e.kind == EventKind::DnsAnswer && e.to == "mail.uni.example") answered = e.time;
    if (e.kind == EventKind::ConnectionRefused) timed_out = e.time;
    if (e.kind == EventKind::ConnectionOpened && e.to == "mx.correo.example") next_open = e.time;
  }
  REQUIRE(answered >= 0);
  CHECK(timed_out - answered == kConnectTimeout);
  CHECK(next_open > timed_out);
  CHECK(next_open - timed_out < kSecond);
  CHECK(of_kind(w.trace(), EventKind::MessageStored).size() == 1);
  CHECK(of_kind(w.trace(), EventKind::DeliveryDeferred).empty());
}

TEST_CASE("agents: Bcc recipients get the message but no Bcc header") {
  LessonSpec spec;
  spec.bcc = "carol@correo.example";
  World w(lesson(spec));
  w.run();
  const auto stored = of_kind(w.trace(), EventKind::MessageStored);
  REQUIRE(stored.size() == 2);
  for (const char* user : {"bob@correo.example", "carol@correo.example"}) {
    CAPTURE(user);
    const Message m = stored_message(w, "mx.correo.example", user);
    CHECK(m.get("Delivered-To") == user);
    CHECK_FALSE(m.has("Bcc"));
    CHECK(m.get("To") == "Bob <bob@correo.example>");
  }
}

TEST_CASE("agents: by default the device logs in inside TLS and the MTAs relay over STARTTLS") {
  World w(lesson({}));
  w.run();
  // Submission: EHLO, STARTTLS, EHLO again, AUTH PLAIN, then the transaction.
  CHECK(has_line(w.trace(), "220 2.0.0 Ready to start TLS\r\n"));
  CHECK(has_line(w.trace(), "235 2.7.0 Authentication successful\r\n"));
  bool auth_encrypted = false, ehlo_in_clear = false;
  for (const auto& e : w.trace().events()) {
    if (e.kind != EventKind::Line) continue;
    if (e.text.rfind("AUTH PLAIN ", 0) == 0) auth_encrypted = e.encrypted;
    if (e.text == "EHLO alice-laptop\r\n" && !e.encrypted) ehlo_in_clear = true;
  }
  CHECK(auth_encrypted);
  CHECK(ehlo_in_clear);  // the first EHLO, before STARTTLS
  const Message m = stored_message(w, "mx.correo.example", "bob@correo.example");
  CHECK(unfold(m.headers()[3].value).find("with ESMTPS id ") != std::string::npos);   // TLS, no login
  CHECK(unfold(m.headers()[4].value).find("with ESMTPSA id ") != std::string::npos);  // TLS and login
}

TEST_CASE("agents: a wrong password is refused with 535 5.7.8 and nothing is sent") {
  LessonSpec spec;
  Scenario s = lesson(spec);
  s.timeline[0].send->password = "wrong";
  s.timeline[0].send->has_password = true;
  World w(s);
  w.run();
  CHECK(has_line(w.trace(), "535 5.7.8 Error: authentication failed: (reason unavailable)\r\n"));
  CHECK(of_kind(w.trace(), EventKind::MessageAccepted).empty());
  const auto submitted = of_kind(w.trace(), EventKind::Submitted);
  REQUIRE(submitted.size() == 1);
  CHECK(submitted[0]->text.find("failed (535 5.7.8") != std::string::npos);
}

TEST_CASE("agents: without logging in the submission port refuses every recipient") {
  Scenario s = lesson({});
  s.timeline[0].send->login = false;
  World w(s);
  w.run();
  CHECK(has_line(w.trace(), "554 5.7.1 <bob@correo.example>: Recipient address rejected: Access denied\r\n"));
  CHECK(of_kind(w.trace(), EventKind::MessageAccepted).empty());
}

namespace {

const MimePart* find_part(const MimePart& p, const std::string& type, const std::string& filename = {}) {
  if (!p.multipart() && p.content_type == type && (filename.empty() || p.filename == filename)) return &p;
  for (const auto& c : p.children)
    if (const MimePart* found = find_part(c, type, filename)) return found;
  return nullptr;
}

}  // namespace

TEST_CASE("agents: every lesson's messages parse back to what the lesson described") {
  for (const auto& entry : std::filesystem::directory_iterator(POSTLAB_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    LoadResult r = load_scenario_file(entry.path().string());
    REQUIRE(r.ok());
    World w(*r.scenario);
    w.run();
    // The drafts are the messages as the clients composed them, in timeline order.
    std::vector<const MessageSnapshot*> drafts;
    for (const auto& e : w.trace().events())
      if (e.kind == EventKind::MessageComposed) drafts.push_back(&w.trace().messages()[static_cast<std::size_t>(e.message)]);
    std::size_t k = 0;
    for (const auto& item : r.scenario->timeline) {
      if (!item.send) continue;
      // A repeated entry composes one draft per repetition (the bundled lessons do not interleave them).
      for (std::size_t rep = 0; rep < item.count; ++rep) {
        REQUIRE(k < drafts.size());
        const MessageSpec& spec = item.send->message;
        const MimePart root = parse_mime(drafts[k++]->data());
        CHECK(decode_header_text(Message::parse(drafts[k - 1]->data()).get("Subject")) == spec.subject);
        const MimePart* text = find_part(root, "text/plain");
        REQUIRE(text != nullptr);
        CHECK(text->problem.empty());
        CHECK(text->decoded == to_crlf(spec.body));
        if (!spec.html.empty()) {
          const MimePart* html = find_part(root, "text/html");
          REQUIRE(html != nullptr);
          CHECK(html->decoded == to_crlf(spec.html));
        }
        for (const auto& a : spec.attachments) {
          const MimePart* part = find_part(root, a.type.empty() ? guess_mime_type(a.name) : a.type, a.name);
          REQUIRE(part != nullptr);
          CHECK(part->encoding == "base64");
          CHECK(part->decoded.size() == a.size);
          if (a.has_content) CHECK(part->decoded == a.content);
        }
      }
    }
    CHECK(k == drafts.size());
  }
}
