// View models for the GUI: plain data computed from the trace, no ImGui. Unit-tested on their own.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/time.h"
#include "export/message_view.h"
#include "trace/transcript.h"

namespace postlab {

class Trace;
class Translations;
struct MessageSnapshot;

// One row of the transcript panel.
struct TranscriptRow {
  std::size_t event = 0;  // trace event it belongs to
  bool first = false;     // first row of its event (shows time and route)
  LineKind kind = LineKind::Info;
  SimTime time = 0;
  std::string route;      // "alice-laptop → mail.uni.example" (first row only)
  std::string text;       // "C: MAIL FROM:<...>" or a translated sentence
  bool encrypted = false; // a line that travelled inside TLS
};

// Rows for every step event of the trace, in order, with the notes that explain wire lines.
// In the eavesdropper's view a line inside TLS is one row saying how many bytes passed, and notes
// are left out (someone on the wire learns nothing more). Rebuild when either setting changes.
std::vector<TranscriptRow> build_rows(const Trace& trace, const Translations& tr, bool eavesdropper = false);
// How many rows belong to events already folded in (the rows a student may see).
std::size_t visible_rows(const std::vector<TranscriptRow>& rows, std::size_t applied_events);

// Default window layout in pixels for a viewport, sized in multiples of the font size.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};
struct Layout {
  Rect toolbar, transcript, narration, mailboxes, queue, message;
};
Layout compute_layout(float width, float height, float font_size);

}  // namespace postlab
