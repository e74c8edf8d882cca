#include "queue_report.h"

#include <array>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>

#include "core/time.h"
#include "export/i18n.h"
#include "scenario/scenario.h"
#include "trace/transcript.h"
#include "trace/view.h"

namespace postlab {

namespace {

// showq's arrival column: "Mon Mar  2 09:00:01" (ctime without the year).
std::string arrival_time(SimTime t, std::int64_t epoch) {
  const std::string d = format_rfc5322_date(t, epoch, true);  // "Mon,  2 Mar 2026 09:00:01 +0000 (UTC)"
  // weekday, day, month, time
  const std::string wd = d.substr(0, 3), day = d.substr(5, 2), mon = d.substr(8, 3);
  const auto time_at = d.find(':') - 2;
  return wd + " " + mon + " " + day + " " + d.substr(time_at, 8);
}

}  // namespace

void write_queues(std::ostream& os, const Scenario& scenario, const Trace& trace, const StateView& view,
                  std::size_t step, std::size_t steps, const Translations& tr, bool attempts) {
  const SimTime now = view.now();
  os << fill(tr.get("queue.title"), {std::to_string(step), std::to_string(steps), format_day_clock(now, tr)}) << "\n";
  std::map<std::string, std::vector<const QueueEntryView*>> by_host;  // every MTA, in name order
  for (const auto& h : scenario.hosts)
    if (h.role == HostRole::Mta) by_host[h.name];
  const auto entries = view.queue();
  for (const auto& e : entries) by_host[std::string(e.host)].push_back(&e);
  auto timer = [&](SimTime at) {
    return fill(tr.get("queue.at_in"), {format_day_clock(at, tr), format_wait(at - now)});
  };
  for (const auto& [host, list] : by_host) {
    os << "\n" << host << "\n";
    if (list.empty()) {
      os << "  " << tr.get("queue.host_empty") << "\n";
      continue;
    }
    os << "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n";
    std::size_t bytes = 0;
    for (const QueueEntryView* e : list) {
      const MessageSnapshot& m = trace.messages()[static_cast<std::size_t>(e->message)];
      bytes += m.size();
      // showq marks a message that is being delivered right now with '*'.
      const bool active = e->next_attempt < 0;
      char head[160];
      std::snprintf(head, sizeof head, "%-12s%8zu %s  %s", (std::string(e->queue_id) + (active ? "*" : "")).c_str(),
                    m.size(), arrival_time(e->arrived, scenario.epoch).c_str(),
                    m.envelope_from.empty() ? "MAILER-DAEMON" : m.envelope_from.c_str());
      os << head << "\n";
      for (const RecipientView& r : e->recipients) {
        if (r.state == RecipientState::Delivered || r.state == RecipientState::Bounced) continue;
        if (!r.reason.empty()) os << "        (" << r.reason << ")\n";
        os << std::string(41, ' ') << r.address << "\n";
      }
      // What mailq does not show: the queue manager's timers at this moment.
      std::string line = fill(tr.get("queue.attempts"), {std::to_string(e->attempts)});
      line += " · " + (active ? tr.get("queue.trying_now") : fill(tr.get("queue.next"), {timer(e->next_attempt)}));
      if (e->warned) line += " · " + tr.get("queue.warning_sent");
      else if (e->warn_at >= 0) line += " · " + fill(tr.get("queue.warning_at"), {timer(e->warn_at)});
      if (e->expire_at >= 0) line += " · " + fill(tr.get("queue.gives_up"), {timer(e->expire_at)});
      os << "  " << line << "\n";
      if (attempts)
        for (std::size_t i = 0; i < e->attempt_events.size(); ++i)
          os << "    " << fill(tr.get("queue.attempt"), {std::to_string(i + 1), format_clock(trace.events()[e->attempt_events[i]].time)})
             << "\n";
      os << "\n";
    }
    // showq's last line: "-- 1 Kbytes in 1 Request."
    os << "-- " << (bytes + 1023) / 1024 << " Kbytes in " << list.size() << (list.size() == 1 ? " Request.\n" : " Requests.\n");
  }
}

void write_qshape(std::ostream& os, const Scenario& scenario, const StateView& view, const Translations& tr) {
  // qshape's default buckets: up to 5, 10, 20, ... 1280 minutes old, then older.
  static constexpr int kBuckets[] = {5, 10, 20, 40, 80, 160, 320, 640, 1280};
  constexpr std::size_t kColumns = std::size(kBuckets) + 1;
  const SimTime now = view.now();
  std::map<std::string, std::map<std::string, std::array<std::size_t, kColumns>>> shape;  // host -> domain -> ages
  for (const auto& h : scenario.hosts)
    if (h.role == HostRole::Mta) shape[h.name];
  for (const auto& e : view.queue()) {
    const auto minutes = (now - e.arrived) / kMinute;
    std::size_t column = 0;
    while (column < std::size(kBuckets) && minutes > kBuckets[column]) ++column;
    for (const RecipientView& r : e.recipients) {
      if (r.state == RecipientState::Delivered || r.state == RecipientState::Bounced) continue;
      const std::string domain = r.address.substr(r.address.rfind('@') + 1);
      ++shape[std::string(e.host)][domain][column];
    }
  }
  auto row = [&](const std::string& name, std::size_t total, const std::array<std::size_t, kColumns>& ages) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%30s %3zu", name.c_str(), total);
    os << buf;
    for (std::size_t c = 0; c < kColumns; ++c) {
      std::snprintf(buf, sizeof buf, " %*zu", c < 5 ? 2 : c < 8 ? 3 : c < 9 ? 4 : 5, ages[c]);
      os << buf;
    }
    os << "\n";
  };
  for (const auto& [host, domains] : shape) {
    os << "\n" << host << "\n";
    if (domains.empty()) {
      os << "  " << tr.get("queue.host_empty") << "\n";
      continue;
    }
    os << std::string(30, ' ') << "   T  5 10 20 40 80 160 320 640 1280 1280+\n";
    std::array<std::size_t, kColumns> total{};
    std::size_t all = 0;
    for (const auto& [domain, ages] : domains)
      for (std::size_t c = 0; c < kColumns; ++c) {
        total[c] += ages[c];
        all += ages[c];
      }
    row("TOTAL", all, total);
    for (const auto& [domain, ages] : domains) {
      std::size_t n = 0;
      for (std::size_t c : ages) n += c;
      row(domain, n, ages);
    }
  }
}

}  // namespace postlab
