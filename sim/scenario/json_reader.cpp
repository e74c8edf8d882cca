#include "scenario/json_reader.h"

#include <algorithm>

namespace postlab {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
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

bool JsonReader::object(const Json& j, const JsonPath& path, std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) {
    error(path, "expected an object { ... }, got " + type_name(j));
    return false;
  }
  for (const auto& [key, value] : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string msg = "unknown field " + qt(key);
    std::string_view best;
    std::size_t best_d = 3;
    for (auto a : allowed) {
      const std::size_t d = edit_distance(key, a);
      if (d < best_d) {
        best_d = d;
        best = a;
      }
    }
    if (!best.empty())
      msg += "; did you mean " + qt(best) + "?";
    else {
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
  if (!v.is_number_integer()) {
    error(path / key, "expected a whole number, got " + type_name(v));
    return std::nullopt;
  }
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) {
    error(path / key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + v.dump());
    return std::nullopt;
  }
  const auto n = v.get<std::int64_t>();
  if (n < lo || n > hi) {
    error(path / key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + v.dump());
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
