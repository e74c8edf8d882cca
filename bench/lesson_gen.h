// Generated lessons for the benchmarks: many MTAs, one timeline entry that repeats.
#pragma once
#include <cstddef>
#include <string>

namespace postlab::bench {

struct WorldShape {
  std::size_t mtas = 100;            // one mail domain each, and one client device per domain
  std::size_t users_per_domain = 5;
  std::size_t messages = 20'000;     // one timeline entry repeated this many times
  std::string every = "1s";          // virtual time between two sends
  // false: port 25 in the clear everywhere (no STARTTLS, no login). true: devices submit on 587
  // with STARTTLS and AUTH PLAIN; MTAs relay to each other on 25 with STARTTLS.
  bool submission = false;
};

// The lesson's JSON text (format 1, see docs/scenario-format.md).
std::string make_lesson(const WorldShape& shape);

// The lesson written to a file in the temporary directory (named after `name` and this process), for
// as long as this object lives.
class LessonFile {
 public:
  LessonFile(const WorldShape& shape, const std::string& name);
  ~LessonFile();
  LessonFile(const LessonFile&) = delete;
  LessonFile& operator=(const LessonFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace postlab::bench
