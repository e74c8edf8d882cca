// Conservation, as a property over many seeded worlds with random fault schedules: every recipient of
// every message an MTA accepted with 250 ends delivered (or handed on), or its sender gets a failure
// notice that names it, or the run ends while it is still queued. No notice is ever sent about a
// notice, and a message arrives twice only where a reply after the final dot was lost.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "agents/world.h"
#include "core/rng.h"
#include "scenario/load.h"
#include "trace/view.h"

using namespace postlab;

namespace {

constexpr int kWorlds = 300;  // seeds; each has its own fault schedule

struct Generated {
  std::string json;
  std::optional<SimTime> horizon;  // the run stops here (mail may still be queued), else at the end
};

Generated generate(std::uint64_t seed) {
  Rng rng(seed);
  auto pick = [&](const std::vector<std::string>& v) { return v[static_cast<std::size_t>(rng.uniform(0, v.size() - 1))]; };
  auto minutes = [&](std::uint64_t lo, std::uint64_t hi) { return std::to_string(rng.uniform(lo, hi)) + "m"; };
  const std::vector<std::string> mtas{"mail.uni.example", "mx.correo.example", "mx.far.example", "backup.isp.example"};
  const std::vector<std::string> devices{"alice-pc", "bob-pc", "carl-pc"};
  const std::vector<std::string> rcpts{"alice@uni.example", "ann@uni.example",   "bob@correo.example",
                                       "bea@correo.example", "carl@far.example", "nobody@correo.example",
                                       "x@nowhere.example",  "ivan@isp.example"};
  const bool sendmail = rng.uniform(0, 3) == 0;
  const std::string queue = sendmail ? R"({"preset": "sendmail", "maximal_queue_lifetime": "1d"})"
                                     : R"({"delay_warning_time": "2h", "maximal_queue_lifetime": "2d"})";
  std::string timeline;
  const int faults = static_cast<int>(rng.uniform(0, 4));
  for (int i = 0; i < faults; ++i) {
    const std::string at = minutes(0, 120);
    const std::string host = pick(mtas);
    std::string f;
    switch (rng.uniform(0, 4)) {
      case 0: {  // a server off for a while, or for good
        const bool forever = rng.uniform(0, 5) == 0;
        f = R"({"type": "host_down", "host": ")" + host + "\"" + (forever ? "" : R"(, "for": ")" + minutes(1, 3000) + "\"") + "}";
        break;
      }
      case 1: {
        std::string other = pick(mtas);
        if (other == host) other = mtas[(std::find(mtas.begin(), mtas.end(), host) - mtas.begin() + 1) % mtas.size()];
        f = R"({"type": "link_down", "between": [")" + host + R"(", ")" + other + R"("], "for": ")" + minutes(1, 600) + "\"}";
        break;
      }
      case 2:
        f = R"({"type": "lose_reply_after_dot", "host": ")" + host + "\"}";
        break;
      case 3:
        timeline += R"({"at": ")" + at + R"(", "force_reply": {"host": ")" + host + R"(", "command": "RCPT", "for": ")" +
                    minutes(1, 180) + R"(", "reply": "451 4.3.0 Try again later"}},)";
        continue;
      default:
        timeline += R"({"at": ")" + at + R"(", "force_reply": {"host": ")" + host + R"(", "command": ")" +
                    pick({"RCPT", "DATA", "."}) + R"(", "reply": "554 5.7.1 Refused"}},)";
        continue;
    }
    timeline += R"({"at": ")" + at + R"(", "fault": )" + f + "},";
  }
  const int sends = static_cast<int>(rng.uniform(2, 6));
  for (int i = 0; i < sends; ++i) {
    std::string to;
    const int n = static_cast<int>(rng.uniform(1, 3));
    for (int k = 0; k < n; ++k) to += (k ? ", \"" : "\"") + pick(rcpts) + "\"";
    timeline += R"({"at": ")" + minutes(0, 120) + R"(", "send": {"from": ")" + pick(devices) +
                R"(", "message": {"to": [)" + to + R"(], "subject": "m)" + std::to_string(i) + R"(", "body": "Hi\n"}}},)";
  }
  timeline.pop_back();
  Generated g;
  g.json = R"({"format": 1, "title": "property", "seed": )" + std::to_string(seed) + R"(,
  "hosts": [
    {"name": "alice-pc", "role": "client", "address": "192.0.2.10", "user": "alice@uni.example"},
    {"name": "bob-pc", "role": "client", "address": "192.0.2.20", "user": "bob@correo.example"},
    {"name": "carl-pc", "role": "client", "address": "192.0.2.30", "user": "carl@far.example"},
    {"name": "mail.uni.example", "role": "mta", "address": "198.51.100.25", "domains": ["uni.example"],
     "services": ["smtp", "submission"], "policy": {"queue": )" + queue + R"(}},
    {"name": "mx.correo.example", "role": "mta", "address": "203.0.113.5", "domains": ["correo.example"],
     "services": ["smtp", "submission"], "policy": {"queue": )" + queue + R"(}},
    {"name": "mx.far.example", "role": "mta", "address": "203.0.113.50", "domains": ["far.example"],
     "services": ["smtp", "submission"], "policy": {"queue": )" + queue + R"(}},
    {"name": "backup.isp.example", "role": "mta", "address": "203.0.113.30", "domains": ["isp.example"],
     "policy": {"relay_domains": ["correo.example"], "queue": )" + queue + R"(}}],
  "dns": [{"name": "uni.example", "type": "MX", "preference": 10, "value": "mail.uni.example"},
          {"name": "correo.example", "type": "MX", "preference": 10, "value": "mx.correo.example"},
          {"name": "correo.example", "type": "MX", "preference": 20, "value": "backup.isp.example"},
          {"name": "far.example", "type": "MX", "preference": 10, "value": "mx.far.example"},
          {"name": "isp.example", "type": "MX", "preference": 10, "value": "backup.isp.example"}],
  "users": [{"address": "alice@uni.example", "password": "a"}, {"address": "ann@uni.example"},
            {"address": "bob@correo.example", "password": "b"}, {"address": "bea@correo.example"},
            {"address": "carl@far.example", "password": "c"}, {"address": "ivan@isp.example"}],
  "timeline": [)" + timeline + "]}";
  if (rng.uniform(0, 3) == 0) g.horizon = static_cast<SimTime>(rng.uniform(10, 360)) * kMinute;
  return g;
}

// What a queue entry (host, queue id) promised and what became of it.
struct Entry {
  std::string sender;
  std::vector<std::string> rcpts;
  std::map<std::string, EventKind> last;  // recipient -> Relayed, MessageStored or DeliveryFailed
  std::set<std::string> notified;         // recipients named in a failure notice about it
  bool expired = false;
  bool notices = false;  // it caused a notice
};

std::vector<std::string> final_recipients(const std::string& dsn) {
  std::vector<std::string> out;
  const std::string tag = "\r\nFinal-Recipient: rfc822; ";
  for (auto at = dsn.find(tag); at != std::string::npos; at = dsn.find(tag, at + 1))
    out.push_back(dsn.substr(at + tag.size(), dsn.find("\r\n", at + tag.size()) - at - tag.size()));
  return out;
}

// The Message-ID of a message (a notice writes "Message-Id"), from its own header section only.
std::string message_id(const std::string& data) {
  const std::string head = data.substr(0, data.find("\r\n\r\n") + 2);
  for (const char* name : {"\r\nMessage-ID: ", "\r\nMessage-Id: "}) {
    const auto at = head.find(name);
    if (at != std::string::npos) return head.substr(at + 14, head.find("\r\n", at + 14) - at - 14);
  }
  return {};
}

}  // namespace

TEST_CASE("queue property: every accepted recipient is delivered or its sender is told or it is still queued") {
  std::size_t checked = 0, bounced = 0, queued_at_end = 0, duplicates = 0, notices = 0;
  for (int seed = 1; seed <= kWorlds; ++seed) {
    const Generated g = generate(static_cast<std::uint64_t>(seed) * 7919);
    LoadResult r = load_scenario_text(g.json, "property.json");
    std::string errors;
    for (const auto& e : r.errors) errors += e.str() + "\n";
    INFO("seed ", seed, "\n", errors, g.json);
    REQUIRE(r.ok());
    World w(*r.scenario);
    REQUIRE((g.horizon ? w.run_until(*g.horizon) : w.run()));
    if (!g.horizon) CHECK(w.finished());
    const Trace& t = w.trace();
    const auto& msgs = t.messages();

    std::map<std::pair<std::string, std::string>, Entry> entries;  // (host, queue id)
    auto key = [&](const TraceEvent& e) { return std::make_pair(e.from.str(), msgs[static_cast<std::size_t>(e.message)].queue_id); };
    bool unsure_after_dot = false;  // a sender never heard the reply to its final dot
    std::set<std::pair<std::string, std::string>> accepted_from;  // (server, client) that passed a message
    for (const auto& e : t.events()) {
      switch (e.kind) {
        case EventKind::MessageAccepted: {
          accepted_from.insert({e.from.str(), e.to.str()});
          Entry& x = entries[key(e)];
          const MessageSnapshot& m = msgs[static_cast<std::size_t>(e.message)];
          x.sender = m.envelope_from;
          x.rcpts = m.envelope_to;
          break;
        }
        case EventKind::Relayed:
        case EventKind::DeliveryFailed:
          entries[key(e)].last[e.mailbox.str()] = e.kind;
          break;
        case EventKind::Lost:
          // A server's reply lost on its way to a client it had taken a message from: the client may
          // never hear the 250 for its final dot, and sends the message again (here or to another MX).
          if (!e.from_client && e.protocol == Protocol::Smtp && accepted_from.count({e.from.str(), e.to.str()}))
            unsure_after_dot = true;
          break;
        case EventKind::MessageStored:
          if (e.protocol == Protocol::Mda)
            entries[key(e)].last[msgs[static_cast<std::size_t>(e.message)].envelope_to.front()] = e.kind;
          break;
        case EventKind::QueueExpired: entries[key(e)].expired = true; break;
        case EventKind::DelayNotified:
        case EventKind::FailureNotified: {
          Entry& x = entries[key(e)];
          x.notices = true;
          ++notices;
          // Never a notice about a notice.
          CHECK_MESSAGE(!x.sender.empty(), "a notice about a notice: " << e.text.str());
          if (e.kind != EventKind::FailureNotified) break;
          const std::string text = e.text;
          const std::string id = text.substr(text.rfind(' ') + 1);
          for (const auto& m : msgs)
            if (m.queue_id == id && m.kind == CopyKind::Queued && m.holder == e.from)
              for (const auto& rcpt : final_recipients(m.data())) x.notified.insert(rcpt);
          break;
        }
        default: break;
      }
    }
    // What is still queued when the run ends.
    std::set<std::pair<std::string, std::string>> alive;
    for (const auto& q : StateView(t, t.size()).queue()) alive.insert({std::string(q.host), std::string(q.queue_id)});
    if (!g.horizon) CHECK(alive.empty());

    for (const auto& [k, x] : entries) {
      for (const auto& rcpt : x.rcpts) {
        ++checked;
        auto it = x.last.find(rcpt);
        const bool done = it != x.last.end() && it->second != EventKind::DeliveryFailed;
        const bool failed = (it != x.last.end() && it->second == EventKind::DeliveryFailed) || (x.expired && it == x.last.end());
        if (done) continue;
        if (failed) {
          ++bounced;
          // The sender is told, unless the message is itself a notice (dropped, as Postfix does) or
          // the run stopped before the attempt that tells it ended.
          if (!x.sender.empty() && !alive.count(k))
            CHECK_MESSAGE(x.notified.count(rcpt), k.first << " " << k.second << ": " << rcpt << " failed and nobody was told");
          continue;
        }
        ++queued_at_end;
        CHECK_MESSAGE(alive.count(k), k.first << " " << k.second << ": " << rcpt << " is neither delivered, bounced nor queued");
      }
    }
    // A message arrives twice in a mailbox only when a sender was left unsure after its final dot.
    std::map<std::pair<std::string, std::string>, int> copies;  // (mailbox, Message-ID)
    for (const auto& e : t.events())
      if (e.kind == EventKind::MessageStored && e.protocol == Protocol::Mda)
        ++copies[{e.mailbox.str(), message_id(msgs[static_cast<std::size_t>(e.message)].data())}];
    for (const auto& [k, n] : copies) {
      (void)k;
      if (n <= 1) continue;
      ++duplicates;
      CHECK_MESSAGE(unsure_after_dot, "a duplicate without a lost reply after the dot: " << k.first << " " << k.second);
    }
  }
  MESSAGE(kWorlds << " worlds: " << checked << " recipients checked, " << bounced << " failed and told, "
                  << queued_at_end << " still queued at the end, " << notices << " notices, " << duplicates << " duplicates");
  CHECK(checked > 100);
  CHECK(bounced > 0);
  CHECK(queued_at_end > 0);
}
