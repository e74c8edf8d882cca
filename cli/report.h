// The text a student reads in a terminal: one step per row (time, from → to, protocol, line).
#pragma once
#include <string>

namespace postlab {

struct Scenario;
class Trace;
class Translations;

std::string steps_to_text(const Scenario& scenario, const Trace& trace, const Translations& tr);

}  // namespace postlab
