// What each MTA's queue holds at one step, laid out like Postfix's mailq (postqueue -p), with the
// timers a student watches: next attempt, warning, give-up time.
#pragma once
#include <cstddef>
#include <iosfwd>

namespace postlab {

class StateView;
class Trace;
class Translations;
struct Scenario;

// `attempts`: also the virtual time of every delivery attempt so far.
void write_queues(std::ostream& out, const Scenario& scenario, const Trace& trace, const StateView& view,
                  std::size_t step, std::size_t steps, const Translations& tr, bool attempts);

// Postfix's qshape: per MTA, the recipients still waiting by domain and by age (minutes, doubling
// buckets), so a teacher sees at a glance which destination is stuck and for how long.
void write_qshape(std::ostream& out, const Scenario& scenario, const StateView& view, const Translations& tr);

}  // namespace postlab
