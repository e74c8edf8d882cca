#include "scenario/json_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace postlab {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters ("form" -> "from" is one edit), each counted once.
std::size_t osa_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The allowed name a teacher most likely meant by `written`, or nothing when no name is close enough
// to be a typo: the same name in other case first, then the nearest one within a distance that grows
// with the length (1 up to 4 characters, 2 up to 8, 3 beyond) but is never more than a third of what
// was written, so "to" is not taken for "at". A tie between two names suggests neither.
std::string_view suggestion(std::string_view written, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (same_ignoring_case(written, a)) return a;
  const std::size_t len = characters(written);
  const std::size_t limit = std::min<std::size_t>(len <= 4 ? 1 : len <= 8 ? 2 : 3, len / 3);
  std::string_view best;
  std::size_t best_d = limit + 1;
  bool tie = false;
  for (auto a : allowed) {
    const std::size_t d = osa_distance(written, a);
    if (d < best_d) {
      best_d = d;
      best = a;
      tie = false;
    } else if (d == best_d) {
      tie = true;
    }
  }
  return tie ? std::string_view() : best;
}

}  // namespace

std::string qt(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "a list";
    case Json::value_t::string: return "the text " + qt(j.get<std::string>());
    case Json::value_t::boolean: return j.get<bool>() ? "true" : "false";
    case Json::value_t::number_float: return "the number " + j.dump();
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "the number " + j.dump();
    default: return "something else";
  }
}

JsonPath operator/(JsonPath p, const std::string& key) {
  p.push_back({key, 0, false});
  return p;
}
JsonPath operator/(JsonPath p, std::size_t index) {
  p.push_back({{}, index, true});
  return p;
}


void JsonReader::error(const JsonPath& path, std::string message, bool at_key) {
  LessonError e;
  e.file = file_;
  e.path = path_string(path);
  e.message = std::move(message);
  auto off = locate(text_, path, at_key);
  if (!off && !path.empty()) off = locate(text_, JsonPath(path.begin(), path.end() - 1));
  if (off) {
    const TextPos p = position_of(text_, *off);
    e.line = p.line;
    e.column = p.column;
  }
  errors_.push_back(std::move(e));
}

std::string JsonReader::source(const JsonPath& path, const Json& v) const {
  if (const auto at = locate(text_, path)) {
    std::size_t end = *at;
    while (end < text_.size() && std::string_view("-+.0123456789eE").find(text_[end]) != std::string_view::npos) ++end;
    if (end > *at) return std::string(text_.substr(*at, end - *at));
  }
  return v.dump();
}

bool JsonReader::object(const Json& j, const JsonPath& path, std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) {
    error(path, "expected an object { ... }, got " + type_name(j));
    return false;
  }
  for (const auto& [key, value] : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string msg = "unknown field " + qt(key);
    if (const std::string_view best = suggestion(key, allowed); !best.empty()) {
      msg += "; did you mean " + qt(best) + "?";
    } else {
      msg += "; allowed here:";
      for (auto a : allowed) msg += " " + std::string(a);
    }
    error(path / key, msg, true);
  }
  return true;
}

std::optional<std::string> JsonReader::str(const Json& obj, const std::string& key, const JsonPath& path, bool required,
                                           std::string_view what) {
  if (!obj.contains(key)) {
    if (required) error(path, "missing field " + qt(key) + " (" + std::string(what) + ")");
    return std::nullopt;
  }
  const Json& v = obj.at(key);
  if (!v.is_string()) {
    error(path / key, "expected " + std::string(what) + " in quotes, got " + type_name(v));
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<std::int64_t> JsonReader::integer(const Json& obj, const std::string& key, const JsonPath& path, bool required,
                                    std::int64_t lo, std::int64_t hi) {
  if (!obj.contains(key)) {
    if (required) error(path, "missing field " + qt(key) + " (a whole number)");
    return std::nullopt;
  }
  const Json& v = obj.at(key);
  const std::string range = "between " + std::to_string(lo) + " and " + std::to_string(hi);
  if (v.is_number_float()) {
    // JSON has one kind of number; nlohmann/json reads 2e19, 1.0 and integers too large for 64 bits
    // (18446744073709551616) as floating point. Say so with the number as it was written.
    const double d = v.get<double>();
    const std::string written = source(path / key, v);
    if (!std::isfinite(d) || d != std::trunc(d))
      error(path / key, "expected a whole number " + range + ", got the number " + written);
    else if (d < static_cast<double>(lo) || d >= static_cast<double>(hi) + 1.0)  // hi + 1: 2^63 for INT64_MAX
      error(path / key, "must be " + range + ", got " + written);
    else
      error(path / key, "expected a whole number written without a decimal point or exponent, such as " +
                            std::to_string(static_cast<std::int64_t>(d)) + ", got " + written);
    return std::nullopt;
  }
  if (!v.is_number_integer()) {
    error(path / key, "expected a whole number, got " + type_name(v));
    return std::nullopt;
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) {
    error(path / key, "must be " + range + ", got " + v.dump());
    return std::nullopt;
  }
  const auto n = v.get<std::int64_t>();
  if (n < lo || n > hi) {
    error(path / key, "must be " + range + ", got " + v.dump());
    return std::nullopt;
  }
  return n;
}

std::optional<bool> JsonReader::boolean(const Json& obj, const std::string& key, const JsonPath& path) {
  if (!obj.contains(key)) return std::nullopt;
  const Json& v = obj.at(key);
  if (!v.is_boolean()) {
    error(path / key, "expected true or false, got " + type_name(v));
    return std::nullopt;
  }
  return v.get<bool>();
}

std::optional<Duration> JsonReader::duration(const Json& obj, const std::string& key, const JsonPath& path, bool required) {
  auto s = str(obj, key, path, required, "a duration such as \"250ms\", \"5m\", \"4h\" or \"5d\"");
  if (!s) return std::nullopt;
  auto d = parse_duration(*s);
  if (!d) {
    error(path / key, "expected a duration such as \"250ms\", \"30s\", \"5m\", \"4h\", \"5d\" or \"1h30m\" (at most " +
                          format_duration(kMaxDuration) + "), got " + qt(*s));
    return std::nullopt;
  }
  return d;
}

std::optional<LocalText> JsonReader::text(const Json& obj, const std::string& key, const JsonPath& path, bool required) {
  if (!obj.contains(key)) {
    if (required) error(path, "missing field " + qt(key) + " (text, or {\"en\": ..., \"es\": ...})");
    return std::nullopt;
  }
  const Json& v = obj.at(key);
  const JsonPath p = path / key;
  if (v.is_string()) return LocalText{v.get<std::string>(), v.get<std::string>()};
  if (!v.is_object()) {
    error(p, "expected text, or {\"en\": ..., \"es\": ...}, got " + type_name(v));
    return std::nullopt;
  }
  if (!object(v, p, {"en", "es"})) return std::nullopt;
  LocalText t;
  if (auto en = str(v, "en", p, false)) t.en = *en;
  if (auto es = str(v, "es", p, false)) t.es = *es;
  if (t.empty()) {
    error(p, "give the text in at least one language: {\"en\": ..., \"es\": ...}");
    return std::nullopt;
  }
  return t;
}

const Json* JsonReader::list(const Json& obj, const std::string& key, const JsonPath& path, bool required, std::size_t max) {
  if (!obj.contains(key)) {
    if (required) error(path, "missing field " + qt(key) + " (a list [ ... ])");
    return nullptr;
  }
  const Json& v = obj.at(key);
  if (!v.is_array()) {
    error(path / key, "expected a list [ ... ], got " + type_name(v));
    return nullptr;
  }
  if (v.size() > max) {
    error(path / key, "too many entries: " + std::to_string(v.size()) + " (at most " + std::to_string(max) + ")");
    return nullptr;
  }
  return &v;
}

std::vector<std::string> JsonReader::str_list(const Json& obj, const std::string& key, const JsonPath& path,
                                              bool required, std::string_view what, std::size_t max) {
  std::vector<std::string> out;
  const Json* l = list(obj, key, path, required, max);
  if (!l) return out;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& v = (*l)[i];
    if (!v.is_string())
      error(path / key / i, "expected " + std::string(what) + " in quotes, got " + type_name(v));
    else
      out.push_back(v.get<std::string>());
  }
  return out;
}


}  // namespace postlab
