#include "export/run_limit.h"

#include "agents/world.h"
#include "export/i18n.h"
#include "trace/transcript.h"

namespace postlab {

std::string run_limit_message(const Trace& trace, const RunLimit& hit, const Translations& tr) {
  std::string what = "-", when = format_clock(0);
  if (hit.last_event >= 0 && static_cast<std::size_t>(hit.last_event) < trace.size()) {
    const TraceEvent& e = trace.events()[static_cast<std::size_t>(hit.last_event)];
    what = route_of(e) + ": " + tr.phrase(describe(e, tr.lang()));
    if (e.kind == EventKind::Line && !e.encrypted) {
      const auto lines = split_lines(e.text);
      if (!lines.empty()) what += " " + lines.front();
    }
    when = format_clock(e.time);
  }
  // A byte budget reads better in MiB.
  const std::string value = hit.limit == "kMaxTraceBytes" && hit.value % (1024 * 1024) == 0
                                ? std::to_string(hit.value / (1024 * 1024)) + " MiB"
                                : std::to_string(hit.value);
  return fill(tr.get("cli.stopped"), {hit.limit, value, when, what});
}

}  // namespace postlab
