// The text a student reads in a terminal: one step per row (time, from → to, protocol, line).
#pragma once
#include <cstddef>
#include <iosfwd>

namespace postlab {

struct Scenario;
class StateView;
class Trace;
class Translations;

// A step whose bytes run longer than this many lines (a big attachment in base64) shows its first
// and last lines and says how many lines it leaves out; `--full` shows every line.
inline constexpr std::size_t kStepLinesShown = 60;

// Written as it goes, one step at a time.
void write_steps_text(std::ostream& out, const Scenario& scenario, const Trace& trace, const Translations& tr,
                      std::size_t max_lines = kStepLinesShown);

// What the servers' mailboxes and the devices hold at one step: each user's folders with UIDVALIDITY,
// UIDNEXT and every message's UID, flags and size; each device's own copies; and one line that says
// where the mail is ("bob-phone: 3 · bob-laptop: 0 · on the server: 0").
void write_mailboxes(std::ostream& out, const Trace& trace, const StateView& view, std::size_t step, std::size_t steps,
                     const Translations& tr);

}  // namespace postlab
