#include "model/timers.h"

#include <algorithm>

#include "trace/view.h"

namespace postlab {

namespace {

TimerRow row(const char* key, SimTime from, SimTime at, SimTime now) {
  TimerRow r;
  r.key = key;
  r.at = at;
  r.left = std::max<Duration>(0, at - now);
  const Duration span = at - from;
  r.fraction = span <= 0 ? 1.0f : std::clamp(static_cast<float>(now - from) / static_cast<float>(span), 0.0f, 1.0f);
  return r;
}

}  // namespace

std::vector<TimerRow> timer_rows(const QueueEntryView& e, SimTime now) {
  std::vector<TimerRow> rows;
  if (e.next_attempt >= 0) rows.push_back(row("queue.next_bar", e.retry_scheduled, e.next_attempt, now));
  if (e.warn_at >= 0 && !e.warned) rows.push_back(row("queue.warning_bar", e.arrived, e.warn_at, now));
  if (e.expire_at >= 0) rows.push_back(row("queue.gives_up_bar", e.arrived, e.expire_at, now));
  return rows;
}

}  // namespace postlab
