// Machine-readable exports of a run (the only writers of JSON besides the loader).
#pragma once
#include <iosfwd>
#include <string>

#include "core/text.h"

namespace postlab {

struct Scenario;
class Trace;
class Translations;

// Every step with time, hosts, protocol, connection, direction, text and cause; then the messages.
// Written as it goes (one event at a time); the text is what dumping the whole document with indent 2
// would give.
void write_trace_json(std::ostream& out, const Scenario& scenario, const Trace& trace, const Translations& tr);
std::string trace_to_json(const Scenario& scenario, const Trace& trace, const Translations& tr);

}  // namespace postlab
