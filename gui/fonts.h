// Fonts loaded at the size they are shown (no blurry scaling): UI, monospace, and a large face.
#pragma once

struct ImFont;

namespace postlab {

struct FontSet {
  ImFont* ui = nullptr;
  ImFont* mono = nullptr;
  ImFont* large = nullptr;
};

// Clears ImGui's atlas and loads DejaVu Sans / Sans Mono at px (falls back to ImGui's own font).
// The renderer's font texture must be rebuilt afterwards.
FontSet build_fonts(float px);

}  // namespace postlab
