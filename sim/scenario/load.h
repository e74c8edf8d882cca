// Reading a lesson file: all-or-nothing, with one precise message per problem.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace postlab {

// Limits on what a lesson may ask for (bad input never exhausts the machine).
inline constexpr std::size_t kMaxLessonBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxHosts = 200;
inline constexpr std::size_t kMaxUsers = 2000;
inline constexpr std::size_t kMaxPresetMessages = 1000;      // messages already in one user's mailbox
inline constexpr std::size_t kMaxTimelineItems = 5000;
inline constexpr std::size_t kMaxRepeat = 100'000;            // "repeat": {"count": ...} of one entry
inline constexpr std::size_t kMaxTimelineSends = 1'000'000;   // all sends of a lesson, repeats counted
inline constexpr std::size_t kMaxRecipientsPerMessage = 1000;
inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
inline constexpr std::size_t kMaxAttachments = 20;
inline constexpr std::size_t kMaxAttachmentBytes = 8 * 1024 * 1024;  // all attachments of one message
// How deep lists and objects may nest. A lesson needs about seven levels
// (timeline[0].send.message.attachments[0]); the parser builds every level it opens, so text such as
// a million '[' is refused at the first level too deep, before it costs memory.
inline constexpr std::size_t kMaxJsonDepth = 100;

struct LessonError {
  std::string file;
  std::string path;  // "hosts[1].address", "(top level)"
  int line = 0;      // 0 when unknown
  int column = 0;
  std::string message;
  // "lesson.json:12:7: hosts[1].address: expected ..." (no line:column part when unknown)
  std::string str() const;
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set only when there is no error at all
  std::vector<LessonError> errors;
  bool ok() const { return scenario.has_value(); }
};

LoadResult load_scenario_file(const std::string& path);
LoadResult load_scenario_text(std::string_view text, const std::string& file);

}  // namespace postlab
