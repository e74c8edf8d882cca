// Finds where a JSON path points in the original text, so every lesson error can name line:column.
// Works on text that already parsed; it only skims, it never builds values.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

struct PathToken {
  std::string key;         // object member name, when !is_index
  std::size_t index = 0;   // array position, when is_index
  bool is_index = false;
};
using JsonPath = std::vector<PathToken>;

// hosts[1].address ; "(top level)" for the empty path.
std::string path_string(const JsonPath& path);

// Byte offset of the value at `path`, or of its member name when want_key. nullopt if absent.
std::optional<std::size_t> locate(std::string_view text, const JsonPath& path, bool want_key = false);

struct TextPos {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters (UTF-8 aware)
};
TextPos position_of(std::string_view text, std::size_t offset);

// Where the JSON token holding `offset` begins. A parser reports the last character it read, which is
// the end of a bad string token or the character after an unfinished word such as `tru`; a syntax
// error should point at the start of that token instead.
std::size_t token_start(std::string_view text, std::size_t offset);

struct DuplicateKey {
  JsonPath path;        // path of the second occurrence
  std::size_t offset;   // where its name starts
};
// RFC 8259 §4 says names SHOULD be unique; a lesson with a repeated name is almost always a typo.
std::vector<DuplicateKey> find_duplicate_keys(std::string_view text);

// Every scanner here is iterative: text nested hundreds of thousands of levels deep costs memory in
// proportion to its depth, never stack.

struct DeepValue {
  JsonPath path;        // where the too-deep value sits
  std::size_t offset;   // its opening '{' or '['
};
// The first '{' or '[' that opens nesting level max_depth + 1 (the top-level value is level 1).
std::optional<DeepValue> find_too_deep(std::string_view text, std::size_t max_depth);

struct HugeNumber {
  JsonPath path;
  std::size_t offset;
  std::size_t length;
};
// Numbers beyond what a double can hold (1e400, -1e400, a 400-digit integer). RFC 8259 §6 lets JSON
// write them, but nlohmann/json refuses the whole text (out_of_range.406) without saying where.
// Stops at the first value nested deeper than max_depth (so each path found is short).
std::vector<HugeNumber> find_huge_numbers(std::string_view text, std::size_t max_depth);

}  // namespace postlab
