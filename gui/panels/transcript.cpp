// Transcript: every line on the wire so far, C: and S: coloured (replies by class), the current step
// highlighted. The line text gets most of the width: a compact time, a narrower route column (the
// full route on hover) and a TLS column that is never clipped.
#include <imgui.h>

#include "export/glossary.h"
#include "export/i18n.h"
#include "scenario/scenario.h"
#include "trace/player.h"
#include "ui.h"
#include "widgets.h"

namespace postlab {

namespace {

// Pointing at an SMTP command or reply shows what it means (our glossary, RFC 5321 and 3463). Not
// for the lines of a message's text, and never for what an eavesdropper could not read.
void explain_row(const Trace& trace, const TranscriptRow& r, bool eavesdropper, const Translations& tr) {
  if ((r.kind != LineKind::Client && r.kind != LineKind::Server) || r.text.size() < 3) return;
  const std::string_view line = std::string_view(r.text).substr(3);  // after "C: " or "S: "
  const auto text = explain_line(trace.events()[r.event], line, r.first, eavesdropper, tr);
  if (!text) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
  for (const auto& s : *text) ImGui::TextUnformatted(s.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

}  // namespace
namespace {

Rgb color_for(const TranscriptRow& r, const Palette& p) {
  switch (r.kind) {
    case LineKind::Client: return p.client;
    case LineKind::Server: return reply_color(p, r.reply);
    case LineKind::Narration: return p.narration;
    case LineKind::Explanation: return p.explanation;
    case LineKind::Info: break;
  }
  return p.info;
}

}  // namespace

void draw_transcript(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  const Palette& pal = *f.palette;
  if (!ImGui::Begin(panel_title(tr, "panel.transcript", f.eavesdropper).c_str())) {
    ImGui::End();
    return;
  }
  const TranscriptIndex& rows = *f.rows;
  const std::size_t visible = rows.visible(f.player->applied());
  if (visible == 0) {
    // Before the first step the panel has room for what the lesson wants the student to learn.
    text_wrapped(tr.get("transcript.empty"));
    if (f.scenario && !f.scenario->goals.empty()) {
      ImGui::Separator();
      ImGui::TextDisabled("%s", tr.c("narration.goals"));
      for (const auto& g : f.scenario->goals) bullet_wrapped(g.get(tr.lang()));
    }
    ImGui::End();
    return;
  }
  const auto current = f.player->current_event();
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
  if (f.mono) ImGui::PushFont(f.mono);
  // On a projector the toolbar shows the time; the wire lines get the width instead.
  const bool show_time = !ui.presentation;
  const float ch = ImGui::CalcTextSize("0").x;
  const float avail = ImGui::GetContentRegionAvail().x;
  const float tls_w = ImGui::CalcTextSize(tr.c("transcript.tls")).x;
  // "00:00.222", wider only once the lesson runs for hours or days.
  const float time_w = ch * static_cast<float>(count_chars(compact_clock(f.trace->events()[rows.event_of(visible - 1)].time)));
  // The route gets a bit over a quarter of the width (12 to 40 characters); the line the rest. At
  // 1280 pixels that is enough for "alice-laptop → mail.uni" once the top-level domain is dropped.
  const float route_w = std::clamp(avail * 0.28f, ch * 12, ch * 40);
  if (ImGui::BeginTable("##rows", show_time ? 4 : 3, flags)) {
    ImGui::TableSetupScrollFreeze(0, 0);
    if (show_time) ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, time_w);
    ImGui::TableSetupColumn("route", ImGuiTableColumnFlags_WidthFixed, route_w);
    ImGui::TableSetupColumn("tls", ImGuiTableColumnFlags_WidthFixed, tls_w);
    const float pad = ImGui::GetStyle().CellPadding.x * 2 * (show_time ? 4 : 3);
    const float rest = avail - route_w - tls_w - (show_time ? time_w : 0) - pad;
    ImGui::TableSetupColumn("line", ImGuiTableColumnFlags_WidthFixed,
                            std::max(rest, ch * static_cast<float>(f.widest_row + 1)));

    // Keep the newest step in view whenever the cursor moves.
    const float row_h = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2;
    if (ui.scrolled_for_cursor != f.player->cursor()) {
      ui.scrolled_for_cursor = f.player->cursor();
      const float target = static_cast<float>(visible) * row_h - ImGui::GetWindowHeight() * 0.75f;
      ImGui::SetScrollY(std::max(0.0f, target));
    }
    const ImU32 highlight = ImGui::GetColorU32(to_imvec(pal.current_row));
    const MeasureText measure = imgui_measure();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(visible), row_h);
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const TranscriptRow r = rows.row(*f.trace, tr, f.eavesdropper, static_cast<std::size_t>(i));
        ImGui::TableNextRow();
        if (current && r.event == *current) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, highlight);
        int column = 0;
        if (show_time) {
          ImGui::TableSetColumnIndex(column++);
          if (r.first) {
            ImGui::TextDisabled("%s", compact_clock(r.time).c_str());
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", format_clock(r.time).c_str());
          }
        }
        ImGui::TableSetColumnIndex(column++);
        if (r.first) {
          const std::string shown = fit_route(r.route, ImGui::GetContentRegionAvail().x, measure);
          ImGui::TextUnformatted(shown.c_str());
          if (shown != r.route && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.route.c_str());
        }
        ImGui::TableSetColumnIndex(column++);
        if (r.first && r.encrypted) ImGui::TextColored(to_imvec(pal.tls), "%s", tr.c("transcript.tls"));
        ImGui::TableSetColumnIndex(column);
        ImGui::PushStyleColor(ImGuiCol_Text, to_imvec(color_for(r, pal)));
        ImGui::TextUnformatted(r.text.c_str());
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered()) explain_row(*f.trace, r, f.eavesdropper, tr);
      }
    }
    ImGui::EndTable();
  }
  if (f.mono) ImGui::PopFont();
  ImGui::End();
}

}  // namespace postlab
