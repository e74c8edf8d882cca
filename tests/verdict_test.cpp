// trace/verdict: who a message says it is from against what the accepting server knew, on
// snapshots built by hand.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "trace/trace.h"
#include "trace/verdict.h"

using namespace postlab;

namespace {

std::string message(const std::string& from, const std::string& extra = {}) {
  return (from.empty() ? std::string() : "From: " + from + "\r\n") + extra +
         "To: Bob <bob@correo.example>\r\nSubject: hola\r\n\r\nhi\r\n";
}

// A snapshot as mail.uni.example's server would record it.
MessageSnapshot snapshot(const std::string& from_header, const std::string& envelope_from, const std::string& client_host,
                         const std::string& auth_user = {}, const std::string& extra_headers = {}) {
  MessageSnapshot s;
  s.queue_id = "4F2A91C3B7";
  s.envelope_from = envelope_from;
  s.envelope_to = {"bob@correo.example"};
  s.set_data(message(from_header, extra_headers));
  s.client_host = client_host;
  s.client_address = client_host.empty() ? "" : "192.0.2.66";
  s.helo = client_host;
  s.auth_user = auth_user;
  return s;
}

bool has(const SpoofVerdict& v, const std::string& key) {
  for (const auto& r : v.reasons)
    if (r.key == key) return true;
  return false;
}

std::vector<std::string> keys(const SpoofVerdict& v) {
  std::vector<std::string> out;
  for (const auto& r : v.reasons) out.push_back(r.key);
  return out;
}

}  // namespace

TEST_CASE("sender_facts copies the envelope and reads the From Sender and Reply-To addresses") {
  MessageSnapshot s = snapshot("\"Decano\" <Decano@UNI.example>", "alice@uni.example", "alice-laptop", "alice@uni.example",
                               "Sender: Alice <alice@uni.example>\r\nReply-To: replies@lists.example\r\n");
  s.tls = true;
  const SenderFacts f = sender_facts(s);
  CHECK(f.header_from == "Decano@uni.example");  // the domain is lower-cased, the local part kept
  CHECK(f.header_sender == "alice@uni.example");
  CHECK(f.header_reply_to == "replies@lists.example");
  CHECK(f.envelope_from == "alice@uni.example");
  CHECK(f.envelope_to == std::vector<std::string>{"bob@correo.example"});
  CHECK(f.auth_user == "alice@uni.example");
  CHECK(f.client_host == "alice-laptop");
  CHECK(f.client_address == "192.0.2.66");
  CHECK(f.helo == "alice-laptop");
  CHECK(f.tls);
}

TEST_CASE("verdict: From matching the login is consistent") {
  const SpoofVerdict v =
      spoof_verdict(snapshot("Alice <alice@uni.example>", "alice@uni.example", "alice-laptop", "alice@uni.example"));
  CHECK(v.verdict == SenderVerdict::Consistent);
  CHECK(v.verdict != SenderVerdict::Forged);
  REQUIRE(v.reasons.size() == 1);
  CHECK(v.reasons[0] == Phrase{"verdict.from_is_login", {"alice@uni.example"}});
}

TEST_CASE("verdict: From differing from the login is forged") {
  const SpoofVerdict v =
      spoof_verdict(snapshot("Decano <decano@uni.example>", "alice@uni.example", "alice-laptop", "alice@uni.example"));
  CHECK(v.verdict == SenderVerdict::Forged);
  CHECK(v.verdict == SenderVerdict::Forged);
  REQUIRE_FALSE(v.reasons.empty());
  CHECK(v.reasons[0] == Phrase{"verdict.from_not_login", {"decano@uni.example", "alice@uni.example"}});
  CHECK_FALSE(has(v, "verdict.from_is_login"));
  CHECK_FALSE(has(v, "verdict.from_not_host"));  // with a login, the host does not matter
}

TEST_CASE("verdict: unauthenticated mail from a host of the From domain is consistent") {
  const SpoofVerdict v = spoof_verdict(snapshot("Alice <alice@uni.example>", "alice@uni.example", "mail.uni.example"));
  CHECK(v.verdict == SenderVerdict::Consistent);
  REQUIRE(v.reasons.size() == 1);
  CHECK(v.reasons[0] == Phrase{"verdict.from_matches_host", {"uni.example", "mail.uni.example"}});
  // The domain itself, and any case, count as inside.
  CHECK(spoof_verdict(snapshot("alice@uni.example", "alice@uni.example", "uni.example")).verdict != SenderVerdict::Forged);
  CHECK(spoof_verdict(snapshot("alice@uni.example", "alice@uni.example", "MX1.Uni.Example")).verdict != SenderVerdict::Forged);
  CHECK(spoof_verdict(snapshot("alice@uni.example", "alice@uni.example", "a.b.c.uni.example")).verdict != SenderVerdict::Forged);
}

TEST_CASE("verdict: unauthenticated mail from a stranger host outside the From domain is forged") {
  const SpoofVerdict v = spoof_verdict(snapshot("Decano <decano@uni.example>", "decano@uni.example", "mallory-pc"));
  CHECK(v.verdict == SenderVerdict::Forged);
  REQUIRE(v.reasons.size() == 1);
  CHECK(v.reasons[0] == Phrase{"verdict.from_not_host", {"uni.example", "mallory-pc", "192.0.2.66"}});
}

TEST_CASE("verdict: a host name that only looks like the domain is outside it") {
  for (const char* host : {"uni.example.evil", "evil.uni.example.attacker", "eviluni.example", "xuni.example",
                           "ni.example", "example", ".uni.example.x"}) {
    CAPTURE(host);
    const SpoofVerdict v = spoof_verdict(snapshot("decano@uni.example", "decano@uni.example", host));
    CHECK(v.verdict == SenderVerdict::Forged);
    CHECK(has(v, "verdict.from_not_host"));
    CHECK_FALSE(has(v, "verdict.from_matches_host"));
  }
}

TEST_CASE("verdict: an envelope sender in another domain is pointed out") {
  const SpoofVerdict v =
      spoof_verdict(snapshot("Alice <alice@uni.example>", "bounces+123@lists.example", "mail.uni.example"));
  CHECK(v.verdict != SenderVerdict::Forged);  // mailing lists do this all the time
  CHECK(keys(v) == std::vector<std::string>{"verdict.from_matches_host", "verdict.envelope_differs"});
  CHECK(v.reasons[1].args == std::vector<std::string>{"bounces+123@lists.example", "alice@uni.example"});
  // The same domain in another case is the same domain.
  CHECK_FALSE(has(spoof_verdict(snapshot("alice@uni.example", "alice@UNI.EXAMPLE", "mail.uni.example")),
                  "verdict.envelope_differs"));
}

TEST_CASE("verdict: a Reply-To elsewhere is pointed out") {
  const SpoofVerdict v = spoof_verdict(snapshot("Decano <decano@uni.example>", "decano@uni.example", "mallory-pc", {},
                                                "Reply-To: Decano <decano.uni@freemail.example>\r\n"));
  CHECK(v.verdict == SenderVerdict::Forged);
  CHECK(has(v, "verdict.reply_to_elsewhere"));
  for (const auto& r : v.reasons)
    if (r.key == "verdict.reply_to_elsewhere")
      CHECK(r.args == std::vector<std::string>{"decano.uni@freemail.example", "decano@uni.example"});
  // A Reply-To in the same domain is nothing to say.
  CHECK_FALSE(has(spoof_verdict(snapshot("alice@uni.example", "alice@uni.example", "mail.uni.example", {},
                                         "Reply-To: team@uni.example\r\n")),
                  "verdict.reply_to_elsewhere"));
}

TEST_CASE("verdict: the null sender is pointed out and is not an envelope mismatch") {
  const SpoofVerdict v =
      spoof_verdict(snapshot("Mail Delivery System <MAILER-DAEMON@uni.example>", "", "mail.uni.example"));
  CHECK(v.verdict != SenderVerdict::Forged);
  CHECK(keys(v) == std::vector<std::string>{"verdict.from_matches_host", "verdict.null_sender"});
  CHECK(v.reasons[1].args.empty());
}

TEST_CASE("verdict: a Sender header that differs from From is pointed out") {
  const SpoofVerdict v = spoof_verdict(snapshot("decano@uni.example", "alice@uni.example", "mail.uni.example", {},
                                                "Sender: alice@uni.example\r\n"));
  CHECK(has(v, "verdict.sender_differs"));
  CHECK_FALSE(has(spoof_verdict(snapshot("alice@uni.example", "alice@uni.example", "mail.uni.example", {},
                                         "Sender: alice@uni.example\r\n")),
                  "verdict.sender_differs"));
}

TEST_CASE("verdict: a message without a readable From is unverified") {
  for (const char* from : {"", "not an address", "<@>"}) {
    CAPTURE(from);
    const SpoofVerdict v = spoof_verdict(snapshot(from, "alice@uni.example", "mail.uni.example"));
    CHECK(v.verdict == SenderVerdict::Unverified);
    CHECK(keys(v) == std::vector<std::string>{"verdict.no_from"});
  }
}

TEST_CASE("verdict: a draft that no server accepted has no findings") {
  MessageSnapshot draft = snapshot("Decano <decano@uni.example>", "mallory@evil.example", "", {},
                                   "Reply-To: x@elsewhere.example\r\n");
  draft.queue_id.clear();
  const SpoofVerdict v = spoof_verdict(draft);
  CHECK(v.verdict != SenderVerdict::Forged);
  CHECK(v.verdict == SenderVerdict::Unverified);
  CHECK(v.reasons.empty());
}

TEST_CASE("verdict: an MTA that serves the From domain is consistent whatever its name") {
  MessageSnapshot s = snapshot("Alice <alice@uni.example>", "alice@uni.example", "smtp.hosting.example");
  s.client_domains = {"hosting.example", "UNI.example"};
  const SpoofVerdict v = spoof_verdict(s);
  CHECK(v.verdict == SenderVerdict::Consistent);
  CHECK(v.reasons[0] == Phrase{"verdict.from_matches_host", {"uni.example", "smtp.hosting.example"}});
  // An MTA of other domains only (an open relay passing on a stranger's message) is no evidence for From:.
  s.client_domains = {"relay.example"};
  CHECK(spoof_verdict(s).verdict == SenderVerdict::Forged);
  CHECK(spoof_verdict(s).reasons[0].key == "verdict.from_not_host");
}

TEST_CASE("verdict: Alice's own device without a login is unverified and says why") {
  MessageSnapshot s = snapshot("Alice <alice@uni.example>", "alice@uni.example", "alice-laptop");
  s.client_user = "Alice@uni.example";
  const SpoofVerdict v = spoof_verdict(s);
  CHECK(v.verdict == SenderVerdict::Unverified);
  CHECK(v.verdict != SenderVerdict::Forged);
  CHECK(v.reasons[0] == Phrase{"verdict.own_device_no_login", {"alice-laptop", "Alice@uni.example"}});
  // With the login that matches, it is consistent.
  s.auth_user = "alice@uni.example";
  CHECK(spoof_verdict(s).verdict == SenderVerdict::Consistent);
}

TEST_CASE("verdict: another person's device writing someone else's From is forged") {
  MessageSnapshot s = snapshot("Decano <decano@uni.example>", "decano@uni.example", "alice-laptop");
  s.client_user = "alice@uni.example";
  const SpoofVerdict v = spoof_verdict(s);
  CHECK(v.verdict == SenderVerdict::Forged);
  CHECK(v.verdict == SenderVerdict::Forged);
  CHECK(v.reasons[0] == Phrase{"verdict.other_persons_device", {"decano@uni.example", "alice-laptop", "alice@uni.example"}});
}

TEST_CASE("verdict: a device named inside the domain is still judged by whose device it is") {
  // pc.uni.example belongs to Mallory, a uni.example user; it writes the dean's name in From:.
  MessageSnapshot s = snapshot("Decano <decano@uni.example>", "mallory@uni.example", "pc.uni.example");
  s.client_user = "mallory@uni.example";
  const SpoofVerdict v = spoof_verdict(s);
  CHECK(v.verdict == SenderVerdict::Forged);
  REQUIRE_FALSE(v.reasons.empty());
  CHECK(v.reasons.front().key == "verdict.other_persons_device");
}

TEST_CASE("verdict: each verdict has its translation key") {
  CHECK(std::string(verdict_key(SenderVerdict::Forged)) == "verdict.forged");
  CHECK(std::string(verdict_key(SenderVerdict::Unverified)) == "verdict.unverified");
  CHECK(std::string(verdict_key(SenderVerdict::Consistent)) == "verdict.consistent");
}
