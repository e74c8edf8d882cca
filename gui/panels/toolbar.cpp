// Toolbar: the lesson's title, the player buttons, the scrubber, language, size and presentation.
#include <imgui.h>

#include "export/i18n.h"
#include "scenario/scenario.h"
#include "trace/player.h"
#include "ui.h"

namespace postlab {

void draw_toolbar(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoScrollbar |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus;
  if (!ImGui::Begin("##toolbar", nullptr, flags)) {
    ImGui::End();
    return;
  }
  const std::string title = f.scenario ? f.scenario->title.get(tr.lang()) : tr.get("errors.title");
  if (f.large) ImGui::PushFont(f.large);
  ImGui::TextUnformatted((tr.get("app.title") + " · " + title).c_str());
  if (f.large) ImGui::PopFont();

  const std::size_t steps = f.player ? f.player->steps() : 0;
  const std::size_t cursor = f.player ? f.player->cursor() : 0;
  const bool have = f.player != nullptr;
  auto button = [&](const std::string& label, Command c, bool enabled) {
    if (!enabled) ImGui::BeginDisabled();
    if (ImGui::Button(label.c_str())) ui.commands.push_back(c);
    if (!enabled) ImGui::EndDisabled();
    ImGui::SameLine();
  };
  button("|◀ " + tr.get("toolbar.restart"), Command::Restart, have && cursor > 0);
  button("◀ " + tr.get("toolbar.back"), Command::Back, have && cursor > 0);
  button(ui.playing ? "▮▮ " + tr.get("toolbar.pause") : "▶ " + tr.get("toolbar.play"), Command::TogglePlay,
         have && (ui.playing || cursor < steps));
  button(tr.get("toolbar.forward") + " ▶", Command::Forward, have && cursor < steps);
  button(tr.get("toolbar.end") + " ▶|", Command::End, have && cursor < steps);
  {
    const bool timer = have && f.player->next_timer_step().has_value();
    if (!timer) ImGui::BeginDisabled();
    if (ImGui::Button((tr.get("toolbar.next_timer") + " ▶▶").c_str())) ui.commands.push_back(Command::NextTimer);
    if (!timer) ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tr.c("toolbar.next_timer_tip"));
    ImGui::SameLine();
  }

  ImGui::TextUnformatted(fill(tr.get("toolbar.step"), {std::to_string(cursor), std::to_string(steps)}).c_str());
  if (f.running) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", tr.c("toolbar.running"));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr.c("toolbar.running_tip"));
  }
  ImGui::SameLine();
  const std::string clock = format_day_clock(f.player ? f.player->view().now() : 0, tr, true);
  ImGui::TextUnformatted(fill(tr.get("toolbar.time"), {clock}).c_str());
  ImGui::SameLine();

  // The scrubber: drag to any step.
  ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 6, ImGui::GetContentRegionAvail().x));
  int k = static_cast<int>(cursor);
  if (!have) ImGui::BeginDisabled();
  if (ImGui::SliderInt("##scrub", &k, 0, static_cast<int>(steps), "%d")) ui.seek_request = k;
  if (!have) ImGui::EndDisabled();

  // Second row: settings, then the keys when there is room for them.
  if (ImGui::RadioButton("English", ui.lang == Lang::En)) ui.commands.push_back(Command::SetEnglish);
  ImGui::SameLine();
  if (ImGui::RadioButton("Español", ui.lang == Lang::Es)) ui.commands.push_back(Command::SetSpanish);
  ImGui::SameLine();
  button(tr.get("toolbar.smaller"), Command::Smaller, true);
  button(tr.get("toolbar.bigger"), Command::Bigger, true);
  bool eavesdropper = ui.eavesdropper;
  if (ImGui::Checkbox(tr.c("transcript.eavesdropper"), &eavesdropper)) ui.commands.push_back(Command::ToggleEavesdropper);
  ImGui::SameLine();
  bool presentation = ui.presentation;
  if (ImGui::Checkbox(tr.c("toolbar.presentation"), &presentation)) ui.commands.push_back(Command::TogglePresentation);
  ImGui::SameLine();
  button(tr.get("toolbar.reload"), Command::Reload, !f.lesson_path.empty());
  const float keys_w = ImGui::CalcTextSize(tr.c("toolbar.keys")).x;
  if (ImGui::GetContentRegionAvail().x > keys_w + ImGui::GetFontSize())
    ImGui::TextDisabled("%s", tr.c("toolbar.keys"));
  else
    ImGui::NewLine();
  ImGui::End();
}

}  // namespace postlab
