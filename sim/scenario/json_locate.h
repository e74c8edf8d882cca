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

}  // namespace postlab
