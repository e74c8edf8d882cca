// Turning trace events into what a student reads: transcript lines and translatable phrases.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/phrase.h"
#include "core/text.h"
#include "trace/trace.h"

namespace postlab {

// The sentence to show for an event. Wire lines and server log lines are arguments: they stay
// exactly as a real system prints them.
Phrase describe(const TraceEvent& e, Lang lang);
// The notes to show under an event, as explanations. A fault's note is its description (what
// describe() says), so it has none beside it.
std::span<const Phrase> explanations(const TraceEvent& e);
// True for what travels between hosts: lines, connections and DNS. Everything else happens inside one host.
bool is_traffic(EventKind kind);
// "alice-laptop → mail.uni.example" for traffic; just the acting host for anything else.
std::string route_of(const TraceEvent& e);
// Replaces {0}..{9} in pattern with args; unknown placeholders stay as they are.
std::string fill(std::string_view pattern, const std::vector<std::string>& args);

enum class LineKind { Client, Server, Info, Narration, Explanation };

struct TranscriptLine {
  std::size_t event = 0;  // index of the trace event it comes from
  LineKind kind = LineKind::Info;
  std::string text;       // one line, no CRLF; wire lines keep their C:/S: role in `kind`
};

// Splits the bytes of a Line event into its lines (CRLF or LF), without the line ends.
std::vector<std::string> split_lines(std::string_view bytes);

}  // namespace postlab
