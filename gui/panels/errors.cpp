// Lesson errors: shown instead of the simulation when a lesson does not load.
#include <imgui.h>

#include "export/i18n.h"
#include "scenario/load.h"
#include "ui.h"
#include "widgets.h"

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
  text_wrapped(tr.get("errors.hint"));
  ImGui::Separator();
  if (f.mono) ImGui::PushFont(f.mono);
  for (const auto& e : *f.errors) text_wrapped(e.str(), f.palette->error);
  if (f.mono) ImGui::PopFont();
  ImGui::End();
}

}  // namespace postlab
