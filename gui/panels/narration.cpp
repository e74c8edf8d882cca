// Narration: what the current step is, in plain language, and the teacher's words. A note belongs to
// its step: a narration from an earlier step says which step it was written for.
#include <imgui.h>

#include "export/glossary.h"
#include "export/i18n.h"
#include "scenario/scenario.h"
#include "trace/player.h"
#include "trace/trace.h"
#include "trace/transcript.h"
#include "ui.h"
#include "widgets.h"

namespace postlab {
namespace {

// "alice-laptop → mail.uni.example: MAIL FROM:<…>" and the notes that explain it, as the view allows.
void draw_this_step(const Frame& f, const TraceEvent& e) {
  const Translations& tr = *f.tr;
  const Exposure seen = exposure(e, f.eavesdropper);
  std::string what;
  if (e.kind == EventKind::Line) {
    what = tr.phrase(describe(e, tr.lang())) + ": ";
    if (seen == Exposure::Ciphertext) {
      what += ciphertext_text(e, tr);
    } else {
      const auto lines = split_lines(e.text);
      what += lines.empty() ? std::string() : lines.front();
      if (lines.size() > 1) what += " " + fill(tr.get("narration.more_lines"), {std::to_string(lines.size() - 1)});
    }
  } else {
    what = event_sentence(e, tr, f.eavesdropper);
  }
  text_wrapped(what);
  if (seen == Exposure::Clear)
    for (const auto& note : explanations(e)) text_wrapped("↳ " + tr.phrase(note), f.palette->explanation);
  // What the command or reply code means, from the glossary (the same text as the transcript's).
  if (e.kind == EventKind::Line && seen == Exposure::Clear) {
    const std::string_view bytes = e.text;
    if (auto text = explain_line(e, bytes.substr(0, bytes.find("\r\n")), true, f.eavesdropper, tr))
      for (const auto& s : *text) text_wrapped(s, f.palette->text_disabled);
  }
}

}  // namespace

void draw_narration(const Frame& f) {
  const Translations& tr = *f.tr;
  const Palette& pal = *f.palette;
  if (!ImGui::Begin(panel_title(tr, "panel.narration", f.eavesdropper).c_str())) {
    ImGui::End();
    return;
  }
  const auto& events = f.trace->events();
  const std::int64_t n = f.player->view().narration();
  const auto current = f.player->current_event();
  const std::size_t cursor = f.player->cursor();
  // A run that stopped at a limit says so on every step: what is shown is not the whole story.
  if (!f.stopped.empty()) {
    text_wrapped(f.stopped, pal.error);
    ImGui::Separator();
  }

  if (!current) {
    // Before anything happens: what the lesson is about and what to learn from it.
    if (f.large) ImGui::PushFont(f.large);
    if (f.scenario && !f.scenario->summary.empty())
      text_wrapped(f.scenario->summary.get(tr.lang()));
    else
      ImGui::TextDisabled("%s", tr.c("narration.none"));
    if (f.large) ImGui::PopFont();
    // The goals are listed in the transcript panel, which is empty until the first step.
    ImGui::End();
    return;
  }

  const TraceEvent& cur = events[*current];
  if (cur.kind == EventKind::Narration) {
    // The teacher's words are this step.
    ImGui::TextDisabled("%s", fill(tr.get("narration.this_step_label"), {std::to_string(cursor)}).c_str());
    if (f.large) ImGui::PushFont(f.large);
    text_wrapped(LocalText{cur.text, cur.text_alt}.get(tr.lang()), pal.narration);
    if (f.large) ImGui::PopFont();
    ImGui::End();
    return;
  }

  // What happens at this step, first: it is what the student is looking at.
  ImGui::TextDisabled("%s", fill(tr.get("narration.current_step"), {std::to_string(cursor)}).c_str());
  draw_this_step(f, cur);

  // The latest narration came with an earlier step: shown smaller, with the step it belongs to.
  if (n >= 0) {
    const TraceEvent& e = events[static_cast<std::size_t>(n)];
    const std::size_t step = f.player->step_of_event(static_cast<std::size_t>(n));
    ImGui::Separator();
    ImGui::TextDisabled("%s", fill(tr.get("narration.earlier_label"), {std::to_string(step)}).c_str());
    text_wrapped(LocalText{e.text, e.text_alt}.get(tr.lang()), pal.narration);
  }
  ImGui::End();
}

}  // namespace postlab
