// The window's colours as one table per mode, and the WCAG 2 contrast they must keep: every text
// colour at least 4.5:1 (AA) against every background it is drawn on. No ImGui: the app copies the
// table into ImGui's style, and a test checks the contrast.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

struct Rgb {
  float r = 0, g = 0, b = 0;  // sRGB, 0..1, opaque
};

// WCAG 2.1 relative luminance and contrast ratio (1 to 21).
float relative_luminance(Rgb c);
float contrast_ratio(Rgb a, Rgb b);

// What a server reply says by its class (RFC 5321 §4.2.1): 2xx done, 3xx go on, 4xx try later, 5xx no.
enum class ReplyClass { None, Positive, Intermediate, Transient, Permanent };
// From the first line's first three digits; None when the text does not start with a reply code.
ReplyClass reply_class(std::string_view text);

struct Palette {
  // Backgrounds text is drawn on.
  Rgb window_bg, row_bg_alt, current_row, selected, hovered, button, title, tab, tab_active, popup;
  // Text.
  Rgb text, text_disabled;
  Rgb client, server, narration, explanation, info, tls;
  Rgb reply_positive, reply_intermediate, reply_transient, reply_permanent;
  Rgb forged, unverified, consistent, error;
  // Not text: lines and frames.
  Rgb border, frame, frame_hovered, accent;
};
const Palette& palette(bool presentation);

struct NamedColor {
  const char* name;
  Rgb color;
};
// Every text colour and every background of a palette, named (for the contrast test and messages).
std::vector<NamedColor> text_colors(const Palette& p);
std::vector<NamedColor> backgrounds(const Palette& p);

Rgb reply_color(const Palette& p, ReplyClass c);

}  // namespace postlab
