#include "fonts.h"

#include <filesystem>
#include <imgui.h>

namespace postlab {
namespace {

constexpr const char* kSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kMono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";

const ImWchar* glyph_ranges() {
  // Latin (Spanish included), typographic punctuation (“ ” « » …), currency (€), arrows and the player's shapes.
  static ImVector<ImWchar> ranges;
  if (ranges.empty()) {
    ImFontGlyphRangesBuilder b;
    b.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesDefault());
    static const ImWchar extra[] = {0x0100, 0x017F, 0x2010, 0x205E, 0x20A0, 0x20CF, 0x2190, 0x21FF, 0x2500, 0x25FF, 0};
    b.AddRanges(extra);
    b.BuildRanges(&ranges);
  }
  return ranges.Data;
}

ImFont* load(const char* path, float px) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nullptr;
  return ImGui::GetIO().Fonts->AddFontFromFileTTF(path, px, nullptr, glyph_ranges());
}

}  // namespace

FontSet build_fonts(float px) {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  atlas->Clear();
  FontSet set;
  set.ui = load(kSans, px);
  if (!set.ui) {
    ImFontConfig cfg;
    cfg.SizePixels = px;
    set.ui = atlas->AddFontDefault(&cfg);
  }
  set.mono = load(kMono, px * 0.95f);
  set.large = load(kSans, px * 1.3f);
  atlas->Build();
  ImGui::GetIO().FontDefault = set.ui;
  return set;
}

}  // namespace postlab
