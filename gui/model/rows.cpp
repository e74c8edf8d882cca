#include "model/rows.h"

#include <algorithm>

#include "export/i18n.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "trace/trace.h"
#include "trace/view.h"

namespace postlab {

Exposure exposure(const TraceEvent& e, bool eavesdropper) {
  if (!eavesdropper || e.kind == EventKind::Narration) return Exposure::Clear;
  if (!is_traffic(e.kind)) return Exposure::Inside;
  return e.encrypted ? Exposure::Ciphertext : Exposure::Clear;
}

std::string event_sentence(const TraceEvent& e, const Translations& tr, bool eavesdropper) {
  if (exposure(e, eavesdropper) == Exposure::Inside) return fill(tr.get("eavesdropper.inside"), {e.from});
  return tr.phrase(describe(e, tr.lang()));
}

std::string ciphertext_text(const TraceEvent& e, const Translations& tr) {
  return fill(tr.get("transcript.ciphertext"), {std::to_string(e.text.size())});
}

std::vector<TranscriptRow> rows_for_event(const TraceEvent& e, std::size_t i, const Translations& tr, bool eavesdropper) {
  std::vector<TranscriptRow> rows;
  const std::string route = route_of(e);
  std::vector<std::string> lines;
  LineKind kind = LineKind::Info;
  const Exposure seen = exposure(e, eavesdropper);
  ReplyClass reply = ReplyClass::None;
  if (e.kind == EventKind::Line) {
    kind = e.from_client ? LineKind::Client : LineKind::Server;
    const std::string role = tr.get(e.from_client ? "transcript.client" : "transcript.server") + " ";
    if (seen == Exposure::Ciphertext) {
      lines.push_back(role + ciphertext_text(e, tr));  // no colour either: a 535 in red would tell
    } else {
      for (const auto& l : split_lines(e.text)) lines.push_back(role + l);
      if (!e.from_client) reply = reply_class(e.text);
    }
  } else {
    kind = e.kind == EventKind::Narration ? LineKind::Narration : LineKind::Info;
    lines = split_lines(event_sentence(e, tr, eavesdropper));
  }
  if (lines.empty()) lines.emplace_back();
  for (std::size_t k = 0; k < lines.size(); ++k)
    rows.push_back(TranscriptRow{i, k == 0, kind, e.time, k == 0 ? route : std::string(), std::move(lines[k]),
                                 e.encrypted, reply});
  if (seen == Exposure::Clear)
    for (const auto& n : explanations(e))
      rows.push_back(TranscriptRow{i, false, LineKind::Explanation, e.time, {}, "↳ " + tr.phrase(n), e.encrypted,
                                   ReplyClass::None});
  return rows;
}

std::vector<TranscriptRow> build_rows(const Trace& trace, const Translations& tr, bool eavesdropper) {
  std::vector<TranscriptRow> rows;
  const auto& events = trace.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!is_step(events[i])) continue;
    for (auto& r : rows_for_event(events[i], i, tr, eavesdropper)) rows.push_back(std::move(r));
  }
  return rows;
}

void TranscriptIndex::clear() {
  refs_.clear();
  taken_ = 0;
  widest_ = 0;
  cached_event_ = static_cast<std::size_t>(-1);
  cached_.clear();
}

void TranscriptIndex::extend(const Trace& trace, const Translations& tr, bool eavesdropper) {
  const auto& events = trace.events();
  for (; taken_ < events.size(); ++taken_) {
    if (!is_step(events[taken_])) continue;
    const std::vector<TranscriptRow> rows = rows_for_event(events[taken_], taken_, tr, eavesdropper);
    for (std::size_t k = 0; k < rows.size(); ++k) refs_.push_back(Ref{static_cast<std::uint32_t>(taken_), static_cast<std::uint32_t>(k)});
    widest_ = std::max(widest_, widest_row(rows));
  }
}

std::size_t TranscriptIndex::visible(std::size_t applied_events) const {
  auto it = std::lower_bound(refs_.begin(), refs_.end(), applied_events, [](const Ref& r, std::size_t n) { return r.event < n; });
  return static_cast<std::size_t>(it - refs_.begin());
}

TranscriptRow TranscriptIndex::row(const Trace& trace, const Translations& tr, bool eavesdropper, std::size_t r) const {
  const Ref ref = refs_[r];
  if (cached_event_ != ref.event) {
    cached_ = rows_for_event(trace.events()[ref.event], ref.event, tr, eavesdropper);
    cached_event_ = ref.event;
  }
  return cached_[ref.line];
}

std::size_t visible_rows(const std::vector<TranscriptRow>& rows, std::size_t applied_events) {
  auto it = std::lower_bound(rows.begin(), rows.end(), applied_events,
                             [](const TranscriptRow& r, std::size_t n) { return r.event < n; });
  return static_cast<std::size_t>(it - rows.begin());
}

std::size_t widest_row(const std::vector<TranscriptRow>& rows) {
  std::size_t w = 0;
  for (const auto& r : rows) {
    std::size_t n = 0;
    for (unsigned char c : r.text) n += (c & 0xC0) != 0x80;
    w = std::max(w, n);
  }
  return w;
}

bool message_present(const StateView& view, std::int64_t message) { return view.present(message); }

std::string folder_of(const StateView& view, std::int64_t message) { return view.folder_of(message); }

std::int64_t inspected_message(const Trace& trace, const StateView& view, std::int64_t selected) {
  if (view.present(selected)) return selected;
  // The latest message-bearing step whose copy still exists at the cursor: a copy filed or still
  // queued, or a draft (the device keeps it). A queue's copy that was handed on and removed is not
  // shown as if it were still there; the search goes on to an earlier step. Only the events about a
  // message are looked at (the state keeps their list).
  const auto& events = trace.events();
  const auto& about = trace.state().message_events();
  for (auto it = std::lower_bound(about.begin(), about.end(), view.applied()); it != about.begin();) {
    const TraceEvent& e = events[*--it];
    if (e.kind == EventKind::QueueRemoved) continue;
    if (view.present(e.message) || trace.messages()[static_cast<std::size_t>(e.message)].kind == CopyKind::Draft)
      return e.message;
  }
  return view.message();
}

float presentation_font_factor(float window_height) { return std::clamp(window_height / 640.0f, 1.2f, 1.6f); }

Layout compute_layout(float width, float height, float font) {
  Layout l;
  const float gap = std::max(2.0f, font * 0.25f);
  const float toolbar_h = font * 5.9f;
  l.toolbar = {0, 0, width, toolbar_h};
  const float top = toolbar_h + gap;
  const float body_h = std::max(font * 10, height - top);
  // Left: the transcript (what is said on the wire) above the narration (what it means).
  // Right: where the mail is (mailboxes, queues) above the message it is.
  const float left_w = std::max(font * 20, width * 0.58f);
  const float right_x = left_w + gap;
  const float right_w = std::max(font * 12, width - right_x);
  // The narration gets a third of the height on small windows (what a step means matters as much as
  // the lines), and at most 14 lines on large ones.
  const float narration_h = std::clamp(body_h * 0.32f, font * 6, font * 14);
  l.transcript = {0, top, left_w, body_h - narration_h - gap};
  l.narration = {0, top + body_h - narration_h, left_w, narration_h};
  const float mail_h = body_h * 0.34f;
  const float queue_h = body_h * 0.18f;
  l.mailboxes = {right_x, top, right_w, mail_h};
  l.queue = {right_x, top + mail_h + gap, right_w, queue_h};
  l.message = {right_x, top + mail_h + queue_h + 2 * gap, right_w, body_h - mail_h - queue_h - 2 * gap};
  return l;
}

}  // namespace postlab

