// Text that has to fit a width: word wrap that breaks only at spaces (never inside a domain name),
// one line cut with an ellipsis, a route shortened on both sides, and a compact clock. No ImGui: the
// caller passes how wide a piece of text is (ImGui::CalcTextSize in the app, a count in tests).
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace postlab {

using MeasureText = std::function<float(std::string_view)>;

// Lines of at most `width`, broken only at spaces; explicit '\n' starts a new line. A single word
// wider than the whole width is cut at characters (UTF-8 safe), as nothing else can fit it.
std::vector<std::string> wrap_words(std::string_view text, float width, const MeasureText& measure);
// The text itself when it fits; otherwise its longest prefix that fits followed by "…".
std::string fit_text(std::string_view text, float width, const MeasureText& measure);
// "mail.uni.example → mx.correo.example" when it fits; else without the top-level domains
// ("mail.uni → mx.correo"); else both hosts cut so each keeps its start.
std::string_view without_top_label(std::string_view host);
std::string fit_route(std::string_view route, float width, const MeasureText& measure);
// Time for a narrow column: "00:00.222" below an hour, "6:00:00.222" below a day, then "1d 02:00:00".
std::string compact_clock(SimTime t);
// Number of code points (one column each in a monospace font).
std::size_t count_chars(std::string_view text);

}  // namespace postlab
