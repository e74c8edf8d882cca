#include "export/json_export.h"

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "export/i18n.h"
#include "scenario/scenario.h"
#include "trace/transcript.h"
#include "trace/verdict.h"
#include "trace/view.h"

namespace postlab {

namespace {

using Json = nlohmann::ordered_json;

// Writes one value as it would stand at `depth` inside a document dumped with indent 2, so that the
// streamed file is byte for byte what dumping the whole document at once would give.
void put(std::ostream& out, const Json& value, std::size_t depth) {
  const std::string text = value.dump(2);
  const std::string pad(2 * depth, ' ');
  std::size_t start = 0;
  for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.write(text.data() + start, static_cast<std::streamsize>(nl + 1 - start));
    out << pad;
    start = nl + 1;
  }
  out.write(text.data() + start, static_cast<std::streamsize>(text.size() - start));
}

// `"key": [` ... `]` with one element at a time from make(i); an empty list is "[]" as dump() writes it.
template <class Make>
void put_list(std::ostream& out, const char* key, std::size_t count, Make make) {
  out << "  \"" << key << "\": ";
  if (count == 0) {
    out << "[]";
    return;
  }
  out << "[\n";
  for (std::size_t i = 0; i < count; ++i) {
    out << "    ";
    put(out, make(i), 2);
    out << (i + 1 < count ? ",\n" : "\n");
  }
  out << "  ]";
}

}  // namespace

std::string trace_to_json(const Scenario& scenario, const Trace& trace, const Translations& tr) {
  std::ostringstream out;
  write_trace_json(out, scenario, trace, tr);
  return out.str();
}

void write_trace_json(std::ostream& out, const Scenario& scenario, const Trace& trace, const Translations& tr) {
  // Streamed: one event or message at a time, so memory does not grow with the trace beyond itself.
  out << "{\n  \"format\": 1,\n  \"lesson\": ";
  put(out, Json{{"file", scenario.file}, {"title", scenario.title.get(tr.lang())}}, 1);
  out << ",\n  \"fingerprint\": " << Json(trace.fingerprint()).dump() << ",\n";
  const auto& events = trace.events();
  std::size_t step = 0;
  put_list(out, "events", events.size(), [&](std::size_t index) {
    const TraceEvent& e = events[index];
    Json j;
    if (is_step(e)) j["step"] = ++step;
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
    // Where mail is filed: the mailbox, and the folder with its UID (or UIDVALIDITY when created).
    const bool filed = e.kind == EventKind::MessageStored || e.kind == EventKind::MessagePreset ||
                       e.kind == EventKind::MessageExpunged || e.kind == EventKind::FlagsChanged ||
                       e.kind == EventKind::Downloaded;
    if (filed || e.kind == EventKind::FolderCreated || e.kind == EventKind::MailboxCreated) j["mailbox"] = e.mailbox;
    if (filed) {
      j["folder"] = e.folder;
      j["uid"] = e.uid;
    }
    if (e.kind == EventKind::FlagsChanged) j["flags"] = e.text.str();
    if ((e.kind == EventKind::MessageStored || e.kind == EventKind::MessagePreset) && !e.text_alt.empty())
      j["flags"] = e.text_alt.str();
    if (e.kind == EventKind::Downloaded && !e.text.empty()) j["uidl"] = e.text.str();
    if (e.kind == EventKind::FolderCreated) {
      j["folder"] = e.folder;
      j["uidvalidity"] = e.uid;
    }
    if (e.kind == EventKind::RetryScheduled) {
      j["next_attempt_us"] = e.arrive;
      j["next_attempt"] = format_clock(e.arrive);
    }
    const bool rcpt_status = e.kind == EventKind::Relayed || e.kind == EventKind::DeliveryDeferred ||
                             e.kind == EventKind::DeliveryFailed;
    if (rcpt_status && !e.mailbox.empty()) j["recipient"] = e.mailbox;
    if (e.message >= 0) j["message"] = e.message;
    if (e.cause >= 0) j["cause"] = e.cause;
    return j;
  });
  out << ",\n";
  put_list(out, "messages", trace.messages().size(), [&](std::size_t i) {
    const auto& m = trace.messages()[i];
    Json jm{{"id", i}, {"queue_id", m.queue_id}, {"envelope_from", m.envelope_from}, {"envelope_to", m.envelope_to}};
    if (m.warn_at >= 0) jm["warn_at_us"] = m.warn_at;
    if (m.expire_at >= 0) jm["expire_at_us"] = m.expire_at;
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
    jm["data"] = m.data();
    return jm;
  });
  out << "\n}\n";
}

}  // namespace postlab
