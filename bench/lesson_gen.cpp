#include "lesson_gen.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace postlab::bench {

namespace {

// Built by appending: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string when inlined.
std::string join(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s += p;
  return s;
}
std::string domain(std::size_t i) { return join({"d", std::to_string(i), ".example"}); }
std::string mta(std::size_t i) { return join({"mx.", domain(i)}); }
std::string client(std::size_t i) { return join({"pc", std::to_string(i)}); }
std::string user(std::size_t d, std::size_t u) { return join({"u", std::to_string(u), "@", domain(d)}); }
// Documentation ranges: MTAs in 198.51.100.0/24 and beyond, clients in 203.0.113.0/24 and beyond
// (only the uniqueness of an address matters to the simulation).
std::string address(int a, int b, int c, std::size_t i) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c + static_cast<int>(i / 250)) + "." +
         std::to_string(1 + i % 250);
}

}  // namespace

std::string make_lesson(const WorldShape& s) {
  std::ostringstream j;
  j << "{\n  \"format\": 1,\n"
    << "  \"title\": {\"en\": \"Benchmark world\", \"es\": \"Mundo de prueba de rendimiento\"},\n"
    << "  \"seed\": 2024,\n  \"hosts\": [\n";
  for (std::size_t i = 0; i < s.mtas; ++i) {
    j << "    {\"name\": \"" << mta(i) << "\", \"role\": \"mta\", \"address\": \"" << address(198, 51, 100, i)
      << "\", \"domains\": [\"" << domain(i) << "\"], ";
    if (s.submission)
      j << "\"services\": [\"smtp\", \"submission\"]},\n";
    else
      j << "\"services\": [\"smtp\"], \"policy\": {\"starttls\": false}},\n";
  }
  for (std::size_t i = 0; i < s.mtas; ++i) {
    j << "    {\"name\": \"" << client(i) << "\", \"role\": \"client\", \"address\": \"" << address(203, 0, 113, i)
      << "\", \"user\": \"" << user(i, 0) << "\", \"submit_port\": " << (s.submission ? 587 : 25) << "}"
      << (i + 1 < s.mtas ? ",\n" : "\n");
  }
  j << "  ],\n  \"dns\": [\n";
  for (std::size_t i = 0; i < s.mtas; ++i)
    j << "    {\"name\": \"" << domain(i) << "\", \"type\": \"MX\", \"preference\": 10, \"value\": \"" << mta(i) << "\"}"
      << (i + 1 < s.mtas ? ",\n" : "\n");
  j << "  ],\n  \"users\": [\n";
  for (std::size_t d = 0; d < s.mtas; ++d)
    for (std::size_t u = 0; u < s.users_per_domain; ++u)
      j << "    {\"address\": \"" << user(d, u) << "\", \"password\": \"pw-" << d << "-" << u << "\"}"
        << (d + 1 < s.mtas || u + 1 < s.users_per_domain ? ",\n" : "\n");
  j << "  ],\n  \"timeline\": [\n";
  // One entry repeats at most kMaxRepeat (100,000) times; larger worlds use several entries.
  constexpr std::size_t kPerEntry = 100'000;
  for (std::size_t done = 0, entry = 0; done < s.messages; ++entry) {
    const std::size_t count = std::min(kPerEntry, s.messages - done);
    j << "    {\"at\": \"" << entry * kPerEntry << "s\", \"repeat\": {\"count\": " << count << ", \"every\": \"" << s.every
      << "\"},\n     \"send\": {\"from\": [";
    for (std::size_t i = 0; i < s.mtas; ++i) j << (i ? ", " : "") << "\"" << client(i) << "\"";
    j << "], \"message\": {\n       \"to_one_of\": [";
    for (std::size_t d = 0; d < s.mtas; ++d)
      for (std::size_t u = 0; u < s.users_per_domain; ++u) j << (d || u ? ", " : "") << "\"" << user(d, u) << "\"";
    j << "],\n       \"subject\": \"Minutes of the meeting\", \"body\": \"Hello,\\nthe minutes are below.\\n\\n"
         "1. Budget approved.\\n2. Next meeting on Monday.\\n\\nRegards\\n\"}}}"
      << (done + count < s.messages ? ",\n" : "\n");
    done += count;
  }
  j << "  ]\n}\n";
  return j.str();
}

LessonFile::LessonFile(const WorldShape& shape, const std::string& name) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("postlab-bench-" + name + "-" + std::to_string(getpid()) + ".json");
  path_ = file.string();
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << make_lesson(shape);
  if (!out) throw std::runtime_error("cannot write " + path_);
}

LessonFile::~LessonFile() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace postlab::bench
