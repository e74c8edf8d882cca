// What every panel is handed each frame (read-only data) and the small UI state panels may change.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/text.h"
#include "model/rows.h"
#include "model/theme.h"

struct ImFont;

namespace postlab {

struct Scenario;
struct LessonError;
class Trace;
class Player;
class Translations;

// Requests a panel makes; the app carries them out after drawing.
enum class Command { Restart, Back, Forward, End, TogglePlay, Reload, SetEnglish, SetSpanish, Bigger, Smaller,
                     TogglePresentation, ToggleEavesdropper, ResetLayout, NextTimer };

struct Frame {
  const Scenario* scenario = nullptr;  // null when the lesson did not load
  const Trace* trace = nullptr;
  const Player* player = nullptr;
  const Translations* tr = nullptr;
  const TranscriptIndex* rows = nullptr;
  const std::vector<MailSummary>* summaries = nullptr;  // one per trace message, made once per lesson
  const std::vector<LessonError>* errors = nullptr;
  std::string lesson_path;
  ImFont* mono = nullptr;
  ImFont* large = nullptr;
  float font_px = 16;
  const Palette* palette = nullptr;  // the theme's colours for this mode
  bool eavesdropper = false;         // every panel shows only what crosses the wire in clear
  std::size_t widest_row = 0;
  bool running = false;  // the lesson's run is still going: more steps are coming        // longest transcript text, in characters
  std::string stopped;               // the run stopped at a limit: what to tell the user ("" when it ended)
};

struct UiState {
  Lang lang = Lang::En;
  float font_scale = 1.0f;
  bool presentation = false;
  bool playing = false;
  double play_interval = 0.8;    // seconds of wall time per step while playing
  double play_accum = 0;
  std::int64_t selected_message = -1;  // trace message picked in a mailbox or queue (-1: follow the step);
                                       // dropped when the cursor moves to before it was there
  std::size_t scrolled_for_cursor = static_cast<std::size_t>(-1);
  bool layout_dirty = true;
  bool eavesdropper = false;            // show TLS lines as an eavesdropper on the link sees them
  // The inspector's message, computed once per (message, folder, language): a message may be megabytes.
  std::int64_t inspected = -1;
  Lang inspected_lang = Lang::En;
  std::string inspected_folder;
  MessageView inspected_view;
  std::vector<Command> commands;   // filled by panels during a frame
  std::int64_t seek_request = -1;  // a step picked on the scrubber
};

void draw_toolbar(const Frame& f, UiState& ui);
void draw_transcript(const Frame& f, UiState& ui);
void draw_narration(const Frame& f);
void draw_mailboxes(const Frame& f, UiState& ui);
void draw_queue(const Frame& f, UiState& ui);
void draw_message(const Frame& f, UiState& ui);
void draw_errors(const Frame& f, UiState& ui);

}  // namespace postlab
