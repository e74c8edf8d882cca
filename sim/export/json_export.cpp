#include "export/json_export.h"

#include <nlohmann/json.hpp>

#include "export/i18n.h"
#include "scenario/scenario.h"
#include "trace/transcript.h"
#include "trace/verdict.h"
#include "trace/view.h"

namespace postlab {

std::string trace_to_json(const Scenario& scenario, const Trace& trace, const Translations& tr) {
  using Json = nlohmann::ordered_json;
  Json out;
  out["format"] = 1;
  out["lesson"] = {{"file", scenario.file}, {"title", scenario.title.get(tr.lang())}};
  out["fingerprint"] = trace.fingerprint();
  Json steps = Json::array();
  std::size_t step = 0;
  for (const auto& e : trace.events()) {
    Json j;
    if (is_step(e.kind)) j["step"] = ++step;
    j["seq"] = e.seq;
    j["time_us"] = e.time;
    j["time"] = format_clock(e.time);
    j["kind"] = to_string(e.kind);
    if (e.protocol != Protocol::None) j["protocol"] = to_string(e.protocol);
    if (!e.from.empty()) j["from"] = e.from;
    if (!e.to.empty()) j["to"] = e.to;
    if (e.connection >= 0) {
      j["connection"] = e.connection;
      j["port"] = e.port;
    }
    if (e.kind == EventKind::Line) {
      j["direction"] = e.from_client ? "client-to-server" : "server-to-client";
      j["arrive_us"] = e.arrive;
      j["lines"] = split_lines(e.text);
      j["encrypted"] = e.encrypted;
      if (!e.notes.empty()) {
        Json notes = Json::array();
        for (const auto& n : e.notes) notes.push_back(tr.phrase(n));
        j["notes"] = std::move(notes);
      }
    } else {
      j["text"] = tr.phrase(describe(e, tr.lang()));
    }
    if (e.kind == EventKind::MessageStored) {
      j["mailbox"] = e.mailbox;
      j["folder"] = e.folder;
      j["uid"] = e.uid;
    }
    if (e.message >= 0) j["message"] = e.message;
    if (e.cause >= 0) j["cause"] = e.cause;
    steps.push_back(std::move(j));
  }
  out["events"] = std::move(steps);
  Json messages = Json::array();
  for (std::size_t i = 0; i < trace.messages().size(); ++i) {
    const auto& m = trace.messages()[i];
    Json jm{{"id", i}, {"queue_id", m.queue_id}, {"envelope_from", m.envelope_from}, {"envelope_to", m.envelope_to}};
    const SenderFacts f = sender_facts(m);
    jm["header_from"] = f.header_from;
    if (!f.header_sender.empty()) jm["header_sender"] = f.header_sender;
    if (!f.header_reply_to.empty()) jm["header_reply_to"] = f.header_reply_to;
    if (!m.client_host.empty()) {
      // How the accepting server got it, and what that says about the sender (envelope vs header).
      jm["received_from"] = {{"host", m.client_host}, {"address", m.client_address}, {"helo", m.helo},
                             {"auth_user", m.auth_user}, {"tls", m.tls}};
      const SpoofVerdict v = spoof_verdict(m);
      Json reasons = Json::array();
      for (const auto& r : v.reasons) reasons.push_back({{"key", r.key}, {"text", tr.phrase(r)}});
      // "forged", "unverified" or "consistent" (the key without its "verdict." prefix).
      const std::string kind = std::string(verdict_key(v.verdict)).substr(sizeof("verdict.") - 1);
      jm["verdict"] = {{"kind", kind}, {"reasons", std::move(reasons)}};
    }
    jm["data"] = m.data;
    messages.push_back(std::move(jm));
  }
  out["messages"] = std::move(messages);
  return out.dump(2) + "\n";
}

}  // namespace postlab
