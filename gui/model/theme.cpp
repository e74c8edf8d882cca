#include "model/theme.h"

#include <algorithm>
#include <cmath>

namespace postlab {
namespace {

float linear(float c) { return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); }

constexpr Rgb rgb(int hex) {
  return Rgb{static_cast<float>((hex >> 16) & 0xFF) / 255.0f, static_cast<float>((hex >> 8) & 0xFF) / 255.0f,
             static_cast<float>(hex & 0xFF) / 255.0f};
}

// A calm dark theme for a screen.
const Palette kDark = [] {
  Palette p;
  p.window_bg = rgb(0x16181D);
  p.row_bg_alt = rgb(0x1E2128);
  p.current_row = rgb(0x1F3050);
  p.selected = rgb(0x223A62);
  p.hovered = rgb(0x243C66);
  p.button = rgb(0x213860);
  p.title = rgb(0x243A60);
  p.tab = rgb(0x22324E);
  p.tab_active = rgb(0x243C66);
  p.popup = rgb(0x20232A);
  p.text = rgb(0xECEEF2);
  p.text_disabled = rgb(0xA4AAB6);
  p.client = rgb(0x8CC4FF);
  p.server = rgb(0xD8DCE3);
  p.narration = rgb(0xFFCF6B);
  p.explanation = rgb(0xCDB8FF);
  p.info = rgb(0xC3C8D0);
  p.tls = rgb(0x6FE0E0);
  p.reply_positive = rgb(0x7EE08A);
  p.reply_intermediate = rgb(0xD8DCE3);
  p.reply_transient = rgb(0xFFC04D);
  p.reply_permanent = rgb(0xFF8A80);
  p.forged = rgb(0xFF8A80);
  p.unverified = rgb(0xFFC04D);
  p.consistent = rgb(0x7EE08A);
  p.error = rgb(0xFF8A80);
  p.border = rgb(0x3A3F4B);
  p.frame = rgb(0x2A2E37);
  p.frame_hovered = rgb(0x353B47);
  p.accent = rgb(0x5A9BF0);
  return p;
}();

// Presentation: light and strong for a projector at the back of a room.
const Palette kLight = [] {
  Palette p;
  p.window_bg = rgb(0xFFFFFF);
  p.row_bg_alt = rgb(0xF0F1F4);
  p.current_row = rgb(0xFFF0B0);
  p.selected = rgb(0xD6E4FA);
  p.hovered = rgb(0xC4D8F7);
  p.button = rgb(0xD3E1F7);
  p.title = rgb(0xD4D8E0);
  p.tab = rgb(0xDDE3EE);
  p.tab_active = rgb(0xB9CFF2);
  p.popup = rgb(0xFAFAFA);
  p.text = rgb(0x101216);
  p.text_disabled = rgb(0x4F5561);
  p.client = rgb(0x0B3D91);
  p.server = rgb(0x1A1C20);
  p.narration = rgb(0x7A3E00);
  p.explanation = rgb(0x4B2E83);
  p.info = rgb(0x3A3F47);
  p.tls = rgb(0x005A5A);
  p.reply_positive = rgb(0x0A5C1E);
  p.reply_intermediate = rgb(0x1A1C20);
  p.reply_transient = rgb(0x7A4800);
  p.reply_permanent = rgb(0xA3120A);
  p.forged = rgb(0xA3120A);
  p.unverified = rgb(0x7A4800);
  p.consistent = rgb(0x0A5C1E);
  p.error = rgb(0xA3120A);
  p.border = rgb(0x9AA0AA);
  p.frame = rgb(0xE4E7EC);
  p.frame_hovered = rgb(0xD3E1F7);
  p.accent = rgb(0x1F5FBF);
  return p;
}();

}  // namespace

float relative_luminance(Rgb c) { return 0.2126f * linear(c.r) + 0.7152f * linear(c.g) + 0.0722f * linear(c.b); }

float contrast_ratio(Rgb a, Rgb b) {
  const float la = relative_luminance(a), lb = relative_luminance(b);
  return (std::max(la, lb) + 0.05f) / (std::min(la, lb) + 0.05f);
}

ReplyClass reply_class(std::string_view text) {
  if (text.size() < 3) return ReplyClass::None;
  for (int i = 0; i < 3; ++i)
    if (text[i] < '0' || text[i] > '9') return ReplyClass::None;
  if (text.size() > 3 && text[3] != ' ' && text[3] != '-' && text[3] != '\r' && text[3] != '\n') return ReplyClass::None;
  switch (text[0]) {
    case '2': return ReplyClass::Positive;
    case '3': return ReplyClass::Intermediate;
    case '4': return ReplyClass::Transient;
    case '5': return ReplyClass::Permanent;
    default: return ReplyClass::None;
  }
}

const Palette& palette(bool presentation) { return presentation ? kLight : kDark; }

std::vector<NamedColor> text_colors(const Palette& p) {
  return {{"text", p.text},
          {"text_disabled", p.text_disabled},
          {"client", p.client},
          {"server", p.server},
          {"narration", p.narration},
          {"explanation", p.explanation},
          {"info", p.info},
          {"tls", p.tls},
          {"reply_positive", p.reply_positive},
          {"reply_intermediate", p.reply_intermediate},
          {"reply_transient", p.reply_transient},
          {"reply_permanent", p.reply_permanent},
          {"forged", p.forged},
          {"unverified", p.unverified},
          {"consistent", p.consistent},
          {"error", p.error}};
}

std::vector<NamedColor> backgrounds(const Palette& p) {
  return {{"window_bg", p.window_bg}, {"row_bg_alt", p.row_bg_alt}, {"current_row", p.current_row},
          {"selected", p.selected},   {"hovered", p.hovered},       {"button", p.button},
          {"title", p.title},         {"tab", p.tab},               {"tab_active", p.tab_active},
          {"popup", p.popup}};
}

Rgb reply_color(const Palette& p, ReplyClass c) {
  switch (c) {
    case ReplyClass::Positive: return p.reply_positive;
    case ReplyClass::Intermediate: return p.reply_intermediate;
    case ReplyClass::Transient: return p.reply_transient;
    case ReplyClass::Permanent: return p.reply_permanent;
    case ReplyClass::None: break;
  }
  return p.server;
}

}  // namespace postlab
