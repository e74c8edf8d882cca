#include "model/rows.h"

#include <algorithm>

#include "export/i18n.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "trace/trace.h"
#include "trace/view.h"

namespace postlab {

std::vector<TranscriptRow> build_rows(const Trace& trace, const Translations& tr, bool eavesdropper) {
  std::vector<TranscriptRow> rows;
  const auto& events = trace.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (!is_step(e.kind)) continue;
    const std::string route = route_of(e);
    std::vector<std::string> lines;
    LineKind kind = LineKind::Info;
    const bool hidden = eavesdropper && e.encrypted;
    if (e.kind == EventKind::Line) {
      kind = e.from_client ? LineKind::Client : LineKind::Server;
      const std::string role = tr.get(e.from_client ? "transcript.client" : "transcript.server") + " ";
      if (hidden)
        lines.push_back(role + fill(tr.get("transcript.ciphertext"), {std::to_string(e.text.size())}));
      else
        for (const auto& l : split_lines(e.text)) lines.push_back(role + l);
    } else {
      kind = e.kind == EventKind::Narration ? LineKind::Narration : LineKind::Info;
      lines = split_lines(tr.phrase(describe(e, tr.lang())));
    }
    if (lines.empty()) lines.emplace_back();
    for (std::size_t k = 0; k < lines.size(); ++k)
      rows.push_back(TranscriptRow{i, k == 0, kind, e.time, k == 0 ? route : std::string(), std::move(lines[k]), e.encrypted});
    if (!hidden)
      for (const auto& n : e.notes)
        rows.push_back(TranscriptRow{i, false, LineKind::Explanation, e.time, {}, "↳ " + tr.phrase(n), e.encrypted});
  }
  return rows;
}

std::size_t visible_rows(const std::vector<TranscriptRow>& rows, std::size_t applied_events) {
  auto it = std::lower_bound(rows.begin(), rows.end(), applied_events,
                             [](const TranscriptRow& r, std::size_t n) { return r.event < n; });
  return static_cast<std::size_t>(it - rows.begin());
}

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
  const float narration_h = std::clamp(body_h * 0.26f, font * 5, font * 12);
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

