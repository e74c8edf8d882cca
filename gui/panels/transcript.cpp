// Transcript: every line on the wire so far, C: and S: coloured, the current step highlighted.
#include <imgui.h>

#include "export/i18n.h"
#include "trace/player.h"
#include "ui.h"

namespace postlab {
namespace {

ImVec4 color_for(LineKind kind, bool light) {
  switch (kind) {
    case LineKind::Client: return light ? ImVec4(0.05f, 0.25f, 0.70f, 1) : ImVec4(0.45f, 0.70f, 1.00f, 1);
    case LineKind::Server: return light ? ImVec4(0.00f, 0.45f, 0.10f, 1) : ImVec4(0.45f, 0.90f, 0.50f, 1);
    case LineKind::Narration: return light ? ImVec4(0.55f, 0.30f, 0.00f, 1) : ImVec4(1.00f, 0.80f, 0.35f, 1);
    case LineKind::Explanation: return light ? ImVec4(0.35f, 0.25f, 0.55f, 1) : ImVec4(0.75f, 0.65f, 0.95f, 1);
    case LineKind::Info: break;
  }
  return light ? ImVec4(0.30f, 0.30f, 0.30f, 1) : ImVec4(0.75f, 0.75f, 0.78f, 1);
}

}  // namespace

void draw_transcript(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(tr.c("panel.transcript"))) {
    ImGui::End();
    return;
  }
  const auto& rows = *f.rows;
  const std::size_t visible = visible_rows(rows, f.player->view().applied);
  if (visible == 0) {
    ImGui::TextWrapped("%s", tr.c("transcript.empty"));
    ImGui::End();
    return;
  }
  const auto current = f.player->current_event();
  const bool light = ui.presentation;
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingFixedFit;
  if (f.mono) ImGui::PushFont(f.mono);
  // On a projector the toolbar shows the time; the wire lines get the width instead.
  const bool show_time = !ui.presentation;
  if (ImGui::BeginTable("##rows", show_time ? 3 : 2, flags)) {
    const float ch = ImGui::CalcTextSize("0").x;
    ImGui::TableSetupScrollFreeze(0, 0);
    if (show_time) ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, ch * 13);
    ImGui::TableSetupColumn("route", ImGuiTableColumnFlags_WidthFixed, ch * (show_time ? 34 : 24));
    ImGui::TableSetupColumn("line", ImGuiTableColumnFlags_WidthFixed, ch * 110);

    // Keep the newest step in view whenever the cursor moves.
    const float row_h = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2;
    if (ui.scrolled_for_cursor != f.player->cursor()) {
      ui.scrolled_for_cursor = f.player->cursor();
      const float target = static_cast<float>(visible) * row_h - ImGui::GetWindowHeight() * 0.75f;
      ImGui::SetScrollY(std::max(0.0f, target));
    }
    const ImU32 highlight = ImGui::GetColorU32(light ? ImVec4(1.0f, 0.95f, 0.70f, 1) : ImVec4(0.16f, 0.24f, 0.40f, 1));
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(visible), row_h);
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const TranscriptRow& r = rows[static_cast<std::size_t>(i)];
        ImGui::TableNextRow();
        if (current && r.event == *current) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, highlight);
        int column = 0;
        if (show_time) {
          ImGui::TableSetColumnIndex(column++);
          if (r.first) ImGui::TextDisabled("%s", format_clock(r.time).c_str());
        }
        ImGui::TableSetColumnIndex(column++);
        if (r.first) {
          ImGui::TextUnformatted(r.route.c_str());
          if (r.encrypted) {
            ImGui::SameLine();
            ImGui::TextColored(light ? ImVec4(0.0f, 0.45f, 0.45f, 1) : ImVec4(0.3f, 0.85f, 0.85f, 1), "%s",
                               tr.c("transcript.tls"));
          }
        }
        ImGui::TableSetColumnIndex(column);
        ImGui::PushStyleColor(ImGuiCol_Text, color_for(r.kind, light));
        ImGui::TextUnformatted(r.text.c_str());
        ImGui::PopStyleColor();
      }
    }
    ImGui::EndTable();
  }
  if (f.mono) ImGui::PopFont();
  ImGui::End();
}

}  // namespace postlab
