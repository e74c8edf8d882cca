// The text a student reads in a terminal: one step per row (time, from → to, protocol, line).
#pragma once
#include <iosfwd>

namespace postlab {

struct Scenario;
class Trace;
class Translations;

// Written as it goes, one step at a time.
void write_steps_text(std::ostream& out, const Scenario& scenario, const Trace& trace, const Translations& tr);

}  // namespace postlab
