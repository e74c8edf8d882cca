// View models for the GUI: plain data computed from the trace, no ImGui. Unit-tested on their own.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/time.h"
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

// What a mail list shows for one message.
struct MailSummary {
  std::string from;     // decoded display form
  std::string subject;  // decoded (RFC 2047)
  std::string date;
};
MailSummary summarize(const MessageSnapshot& message);

// Default window layout in pixels for a viewport, sized in multiples of the font size.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};
struct Layout {
  Rect toolbar, transcript, narration, mailboxes, queue, message;
};
Layout compute_layout(float width, float height, float font_size);

// Everything the message inspector shows, computed once per message (a message may be megabytes).
struct MessageView {
  MailSummary summary;
  std::vector<std::pair<std::string, std::string>> facts;  // label, value
  bool has_verdict = false;
  bool suspicious = false;
  std::string verdict;                  // the one-line judgement
  std::vector<std::string> reasons;     // plain-words findings
  std::vector<std::string> mime;        // the MIME tree, one line per part, indented
  std::string raw;                      // the message text, cut at kRawPreviewBytes
  std::size_t raw_size = 0;             // its full size
};
inline constexpr std::size_t kRawPreviewBytes = 64 * 1024;
MessageView build_message_view(const MessageSnapshot& message, const Translations& tr);

}  // namespace postlab
