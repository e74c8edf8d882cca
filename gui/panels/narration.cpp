// Narration: the teacher's words for this moment, and what the current step is, in plain language.
#include <imgui.h>

#include "export/i18n.h"
#include "scenario/scenario.h"
#include "trace/player.h"
#include "trace/trace.h"
#include "trace/transcript.h"
#include "ui.h"

namespace postlab {

void draw_narration(const Frame& f) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(tr.c("panel.narration"))) {
    ImGui::End();
    return;
  }
  const auto& events = f.trace->events();
  const std::int64_t n = f.player->view().narration;
  if (f.large) ImGui::PushFont(f.large);
  if (n >= 0) {
    const TraceEvent& e = events[static_cast<std::size_t>(n)];
    ImGui::TextWrapped("%s", LocalText{e.text, e.text_alt}.get(tr.lang()).c_str());
  } else if (f.scenario && !f.scenario->summary.empty()) {
    // Before anything happens: what the lesson is about and what to learn from it.
    ImGui::TextWrapped("%s", f.scenario->summary.get(tr.lang()).c_str());
  } else {
    ImGui::TextDisabled("%s", tr.c("narration.none"));
  }
  if (f.large) ImGui::PopFont();
  if (n < 0 && f.scenario && !f.scenario->goals.empty()) {
    ImGui::Separator();
    ImGui::TextDisabled("%s", tr.c("narration.goals"));
    for (const auto& g : f.scenario->goals) {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", g.get(tr.lang()).c_str());
    }
  }
  if (auto cur = f.player->current_event()) {
    const TraceEvent& e = events[*cur];
    if (e.kind != EventKind::Narration) {
      ImGui::Separator();
      ImGui::TextDisabled("%s", tr.c("narration.current_step"));
      std::string what = tr.phrase(describe(e, tr.lang()));
      if (e.kind == EventKind::Line) {
        const auto lines = split_lines(e.text);
        what += ": " + (lines.empty() ? std::string() : lines.front()) + (lines.size() > 1 ? " …" : "");
      }
      ImGui::TextWrapped("%s", what.c_str());
      for (const auto& note : e.notes) ImGui::TextWrapped("↳ %s", tr.phrase(note).c_str());
    }
  }
  ImGui::End();
}

}  // namespace postlab
