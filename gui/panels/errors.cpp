// Lesson errors: shown instead of the simulation when a lesson does not load.
#include <imgui.h>

#include "export/i18n.h"
#include "scenario/load.h"
#include "ui.h"

namespace postlab {

void draw_errors(const Frame& f, UiState&) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(tr.c("panel.errors"))) {
    ImGui::End();
    return;
  }
  if (f.large) ImGui::PushFont(f.large);
  ImGui::TextUnformatted(tr.c("errors.title"));
  if (f.large) ImGui::PopFont();
  ImGui::TextWrapped("%s", tr.c("errors.hint"));
  ImGui::Separator();
  if (f.mono) ImGui::PushFont(f.mono);
  const ImVec4 red = ImVec4(0.95f, 0.35f, 0.30f, 1);
  for (const auto& e : *f.errors) {
    ImGui::PushStyleColor(ImGuiCol_Text, red);
    ImGui::TextWrapped("%s", e.str().c_str());
    ImGui::PopStyleColor();
  }
  if (f.mono) ImGui::PopFont();
  ImGui::End();
}

}  // namespace postlab
