// `postlab-cli show-message`: one message as a student inspects it — envelope, what the receiving
// server knew, the spoof verdict, headers (decoded where RFC 2047 applies) and the MIME tree.
#pragma once
#include <cstdint>
#include <string>

namespace postlab {

class Trace;
class Translations;

std::string message_to_text(const Trace& trace, std::int64_t message, const Translations& tr);

}  // namespace postlab
