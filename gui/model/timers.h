// A queue entry's timers as the queue panel draws them: what each counts down to, the time left at
// the view's time, and how far along its bar is. Plain data, no ImGui (unit-tested).
#pragma once
#include <string>
#include <vector>

#include "core/time.h"

namespace postlab {

struct QueueEntryView;

struct TimerRow {
  std::string key;    // translation key with {0} = the time left: "queue.next_bar", ...
  SimTime at = 0;     // when it runs out
  Duration left = 0;  // from the view's time
  float fraction = 0; // of the bar that is filled (0 at its start, 1 when it runs out)
};

// The next attempt (counted from the attempt that scheduled it), the delay warning while it is still
// to come, and the give-up time (both counted from the arrival). While an attempt is under way there
// is no next-attempt row.
std::vector<TimerRow> timer_rows(const QueueEntryView& entry, SimTime now);

}  // namespace postlab
