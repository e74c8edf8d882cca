// Small drawing helpers shared by the panels: our word wrap (never breaks a domain at its dots),
// one-line text cut with an ellipsis and shown whole on hover, colours from the theme table.
#pragma once
#include <string>
#include <string_view>

#include <imgui.h>

#include "model/text.h"
#include "model/theme.h"

namespace postlab {

class Translations;

inline ImVec4 to_imvec(Rgb c, float alpha = 1.0f) { return ImVec4(c.r, c.g, c.b, alpha); }
// Text width with the current font.
MeasureText imgui_measure();
// Wrapped at the available width, broken only at spaces.
void text_wrapped(std::string_view text);
void text_wrapped(std::string_view text, Rgb color);
// A bullet followed by wrapped text whose later lines line up with the first.
void bullet_wrapped(std::string_view text);
// One line; cut with "…" when it does not fit the available width (the whole text then on hover).
void text_fitted(std::string_view text);
// "Transcript · eavesdropper's view###transcript": the panel names whose point of view it shows,
// and keeps one identity (position, size) whichever view it is.
std::string panel_title(const Translations& tr, const char* panel_key, bool eavesdropper);

}  // namespace postlab
