// What an SMTP line means, from our own glossary (assets/i18n, "glossary."): a command, or a reply
// with its basic code (RFC 5321 §4.2) and its enhanced status code (RFC 3463), in the viewer's
// language. The transcript shows it when a line is pointed at.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

class Translations;
struct TraceEvent;

// The sentences for one line, most specific first; nullopt when the line is neither an SMTP command
// the glossary knows nor a reply. `from_client`: the client sent it.
std::optional<std::vector<std::string>> explain_smtp_line(std::string_view line, bool from_client, const Translations& tr);

// The same for one line of a trace's SMTP write (`first`: its first line): not for the lines of a
// message's text (only its lone dot, or BDAT itself), and never, in the eavesdropper's view, for
// what travelled inside TLS.
std::optional<std::vector<std::string>> explain_line(const TraceEvent& e, std::string_view line, bool first,
                                                     bool eavesdropper, const Translations& tr);

}  // namespace postlab
