// View models for the GUI: plain data computed from the trace, no ImGui. Unit-tested on their own.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "export/message_view.h"
#include "model/theme.h"
#include "trace/transcript.h"

namespace postlab {

class Trace;
class Translations;
struct MessageSnapshot;
struct TraceEvent;
class StateView;

// How much of an event someone sees. The whole lab sees everything; an eavesdropper on the wire sees
// traffic in clear (lines outside TLS, connections, DNS) and the teacher's narration as they are, a
// line inside TLS only as its size, and nothing of what happens inside a host.
enum class Exposure { Clear, Ciphertext, Inside };
Exposure exposure(const TraceEvent& e, bool eavesdropper);
// The sentence for a non-line event in that view: describe(), or "something happens inside <host>".
std::string event_sentence(const TraceEvent& e, const Translations& tr, bool eavesdropper);
// "[123 bytes of encrypted data]"
std::string ciphertext_text(const TraceEvent& e, const Translations& tr);

// One row of the transcript panel.
struct TranscriptRow {
  std::size_t event = 0;  // trace event it belongs to
  bool first = false;     // first row of its event (shows time and route)
  LineKind kind = LineKind::Info;
  SimTime time = 0;
  std::string route;      // "alice-laptop → mail.uni.example" (first row only)
  std::string text;       // "C: MAIL FROM:<...>" or a translated sentence
  bool encrypted = false; // a line that travelled inside TLS
  ReplyClass reply = ReplyClass::None;  // a server reply the viewer can read: its class colours it
};

// The rows of one step event (its lines, then the notes that explain a wire line).
std::vector<TranscriptRow> rows_for_event(const TraceEvent& e, std::size_t index, const Translations& tr, bool eavesdropper);

// Rows for every step event of the trace, in order, with the notes that explain wire lines.
// In the eavesdropper's view a line inside TLS is one row saying how many bytes passed, notes are
// left out (someone on the wire learns nothing more), and work inside a host is one sentence without
// its details. Rebuild when either setting changes.
std::vector<TranscriptRow> build_rows(const Trace& trace, const Translations& tr, bool eavesdropper = false);
// How many rows belong to events already folded in (the rows a student may see).
std::size_t visible_rows(const std::vector<TranscriptRow>& rows, std::size_t applied_events);
// The widest row text in code points (the line column's width in a monospace font).
std::size_t widest_row(const std::vector<TranscriptRow>& rows);

// The transcript's rows without their texts, for the window: which event and which of its rows each
// row is (8 bytes a row). A row's text is made when it is drawn (the table draws the rows on screen
// only), so a lesson of a million events does not hold a million sentences. Extended as the trace
// grows; rebuilt when the language or the view changes.
class TranscriptIndex {
 public:
  void clear();
  void extend(const Trace& trace, const Translations& tr, bool eavesdropper);  // the events added since
  std::size_t size() const { return refs_.size(); }
  std::size_t widest() const { return widest_; }
  std::size_t visible(std::size_t applied_events) const;  // rows of the events folded in
  std::size_t event_of(std::size_t row) const { return refs_[row].event; }
  TranscriptRow row(const Trace& trace, const Translations& tr, bool eavesdropper, std::size_t row) const;

 private:
  struct Ref {
    std::uint32_t event;
    std::uint32_t line;
  };
  std::vector<Ref> refs_;
  std::size_t taken_ = 0;
  std::size_t widest_ = 0;
  // The rows of the event drawn last (a multi-line reply is drawn row by row).
  mutable std::size_t cached_event_ = static_cast<std::size_t>(-1);
  mutable std::vector<TranscriptRow> cached_;
};

// The message the inspector shows at the cursor: the one picked in a mailbox or queue while it is
// still there at the cursor, else the latest one the steps were about that still exists there
// (filed or queued, else the sender's draft); -1 when no message has appeared yet.
std::int64_t inspected_message(const Trace& trace, const StateView& view, std::int64_t selected);
// True when the message is in a mailbox or a queue at the cursor.
bool message_present(const StateView& view, std::int64_t message);
// The folder a stored message is in at the cursor ("" when it is in none).
std::string folder_of(const StateView& view, std::int64_t message);

// Default window layout in pixels for a viewport, sized in multiples of the font size.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};
struct Layout {
  Rect toolbar, transcript, narration, mailboxes, queue, message;
};
Layout compute_layout(float width, float height, float font_size);
// How much larger presentation fonts are than normal ones for a window this tall: 1.6 from 1024
// lines up, less on smaller windows (down to 1.2), so a 1280×720 projector still fits a lesson.
float presentation_font_factor(float window_height);

}  // namespace postlab
