// Typed reading of a parsed JSON lesson, with one located error per problem: the field's JSON path
// and its line:column in the original text. Used by the lesson loader; includes nlohmann/json, so only
// scenario/ code includes this header.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "core/time.h"
#include "scenario/json_locate.h"
#include "scenario/load.h"

namespace postlab {

using Json = nlohmann::ordered_json;

std::string qt(std::string_view s);          // "quoted", for messages
std::string type_name(const Json& j);        // "the number 5", "a list", ... for messages
JsonPath operator/(JsonPath p, const std::string& key);
JsonPath operator/(JsonPath p, std::size_t index);

class JsonReader {
 public:
  JsonReader(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  // Records a problem at `path` (at its member name when at_key), with line:column when found.
  void error(const JsonPath& path, std::string message, bool at_key = false);
  // Checks that j is an object whose members are all in `allowed` (suggesting the nearest name).
  bool object(const Json& j, const JsonPath& path, std::initializer_list<std::string_view> allowed);
  std::optional<std::string> str(const Json& obj, const std::string& key, const JsonPath& path, bool required,
                                 std::string_view what = "text");
  std::optional<std::int64_t> integer(const Json& obj, const std::string& key, const JsonPath& path, bool required,
                                      std::int64_t lo, std::int64_t hi);
  std::optional<bool> boolean(const Json& obj, const std::string& key, const JsonPath& path);
  std::optional<Duration> duration(const Json& obj, const std::string& key, const JsonPath& path, bool required);
  // A text field: "plain" or {"en": ..., "es": ...}.
  std::optional<LocalText> text(const Json& obj, const std::string& key, const JsonPath& path, bool required);
  const Json* list(const Json& obj, const std::string& key, const JsonPath& path, bool required, std::size_t max);
  std::vector<std::string> str_list(const Json& obj, const std::string& key, const JsonPath& path, bool required,
                                    std::string_view what, std::size_t max = 1000);

 protected:
  // A number as the lesson writes it ("2e19" rather than 2e+19), for messages.
  std::string source(const JsonPath& path, const Json& v) const;

  std::string_view text_;
  std::string file_;
  std::vector<LessonError> errors_;
};

}  // namespace postlab
