// The one message a person reads when a run stopped at a limit: which limit, its value, and the
// last thing that happened. Shared by postlab-cli and the window.
#pragma once
#include <string>

namespace postlab {

class Trace;
class Translations;
struct RunLimit;

std::string run_limit_message(const Trace& trace, const RunLimit& limit, const Translations& tr);

}  // namespace postlab
