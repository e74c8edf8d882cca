// Machine-readable exports of a run (the only writers of JSON besides the loader).
#pragma once
#include <string>

#include "core/text.h"

namespace postlab {

struct Scenario;
class Trace;
class Translations;

// Every step with time, hosts, protocol, connection, direction, text and cause; then the messages.
std::string trace_to_json(const Scenario& scenario, const Trace& trace, const Translations& tr);

}  // namespace postlab
