// Reading a lesson file: the JSON text (syntax, nesting, numbers too large) and its top level; the
// sections are read in load_world.cpp and load_timeline.cpp.
#include "scenario/load.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "scenario/json_locate.h"
#include "scenario/json_reader.h"
#include "scenario/loader.h"

namespace postlab {
namespace detail {

void Loader::huge_numbers(const std::vector<HugeNumber>& huge) {
  // A file can hold hundreds of thousands of them: one index of the errors by path, and positions
  // counted on from the previous number (they come in the order of the text).
  std::unordered_map<std::string, std::vector<std::size_t>> by_path;
  for (std::size_t k = 0; k < errors_.size(); ++k) by_path[errors_[k].path].push_back(k);
  // Past a few, more of the same helps nobody: one line says how many were not listed.
  constexpr std::size_t kListed = 20;
  std::size_t listed = 0, unlisted = 0;
  std::size_t counted = 0;
  TextPos pos{1, 1};
  for (const auto& h : huge) {
    const std::string raw(text_.substr(h.offset, h.length));
    const std::string where = path_string(h.path);
    const std::string what = raw + ", a number too large to be read at all (beyond ±1.8e308)";
    bool told = false;
    if (auto it = by_path.find(where); it != by_path.end()) {
      for (std::size_t k : it->second) {
        std::string& message = errors_[k].message;
        if (const auto got = message.find("got null"); got != std::string::npos) {
          message.replace(got + 4, 4, what);  // the field says what it expects; say what was written
          told = true;
        }
      }
    }
    if (told) continue;
    if (listed == kListed) {
      ++unlisted;
      continue;
    }
    ++listed;
    const TextPos step = position_of(text_.substr(counted, h.offset - counted), h.offset - counted);
    pos = step.line > 1 ? TextPos{pos.line + step.line - 1, step.column} : TextPos{pos.line, pos.column + step.column - 1};
    counted = h.offset;
    LessonError e;
    e.file = file_;
    e.path = where;
    e.line = pos.line;
    e.column = pos.column;
    e.message = "the number " + what + "; no field of a lesson takes a number this large";
    errors_.push_back(std::move(e));
  }
  if (unlisted > 0) {
    LessonError e = errors_.back();  // placed right after the last one listed
    e.message = "and " + std::to_string(unlisted) + " more numbers too large to be read, not listed here";
    errors_.push_back(std::move(e));
  }
}

namespace {

// Reads JSON without building anything, to find its first syntax error.
struct SyntaxCheck : nlohmann::json_sax<Json> {
  bool failed = false;
  std::size_t byte = 0;
  std::string what;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    failed = true;
    byte = position;
    what = e.what();
    return false;
  }
};

// A path nested so deep that writing it out helps nobody: the first levels, then how deep it goes.
std::string short_path(const JsonPath& path) {
  constexpr std::size_t kShown = 6;
  if (path.size() <= kShown) return path_string(path);
  std::string out = path_string(JsonPath(path.begin(), path.begin() + kShown));
  return out + "… (level " + std::to_string(path.size() + 1) + ")";
}

}  // namespace

LoadResult Loader::run() {
  LoadResult result;
  auto located = [&](std::string path, std::size_t offset, std::string message) {
    LessonError err;
    err.file = file_;
    err.path = std::move(path);
    const TextPos p = position_of(text_, offset);
    err.line = p.line;
    err.column = p.column;
    err.message = std::move(message);
    return err;
  };
  // RFC 8259 §6 allows numbers of any size, but a double holds about ±1.8e308 and nlohmann/json
  // refuses the whole text beyond that. Such a number is read as null here (same length, so every
  // position stays right) and reported below with what its field expects.
  const std::vector<HugeNumber> huge = find_huge_numbers(text_, kMaxJsonDepth);
  std::string readable(text_);
  for (const auto& h : huge) readable.replace(h.offset, h.length, "null" + std::string(h.length - 4, ' '));
  auto syntax_error = [&](std::size_t byte, std::string what) {
    // nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 5: <what>".
    if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    result.errors.push_back(located("(syntax)", token_start(text_, byte > 0 ? byte - 1 : 0), "this is not valid JSON: " + what));
  };
  // The parser is iterative, but every level it opens costs memory: deep text is refused at its first
  // value too deep, unless a syntax error comes before that point.
  if (const auto deep = find_too_deep(text_, kMaxJsonDepth)) {
    SyntaxCheck check;
    Json::sax_parse(readable.begin(), readable.begin() + static_cast<std::ptrdiff_t>(deep->offset), &check);
    if (check.failed && check.byte <= deep->offset) {
      syntax_error(check.byte, check.what);
    } else {
      result.errors.push_back(located(short_path(deep->path), deep->offset,
                                      "lists and objects are nested more than " + std::to_string(kMaxJsonDepth) +
                                          " levels deep here; a lesson needs fewer than ten (is a ] or } missing, "
                                          "or one [ or { too many?)"));
    }
    return result;
  }
  Json root;
  try {
    root = Json::parse(readable.begin(), readable.end());
  } catch (const Json::parse_error& e) {
    syntax_error(e.byte, e.what());
    return result;
  } catch (const Json::exception& e) {
    // Anything else the JSON library refuses: say what it said, at the start of the file.
    result.errors.push_back(located("(syntax)", 0, std::string("this JSON cannot be read: ") + e.what()));
    return result;
  }
  for (const auto& d : find_duplicate_keys(text_))
    errors_.push_back(located(path_string(d.path), d.offset,
                              "this field appears twice in the same object; only the last one would count"));

  const JsonPath top;
  Scenario s;
  s.file = file_;
  s.epoch = kDefaultEpoch;
  s.default_latency = kDefaultLatency;
  s.dns_latency = kDefaultDnsLatency;
  // A lesson is one object; when the text is something else, nothing more can be said about it.
  if (object(root, top, {"$schema", "format", "title", "summary", "goals", "seed", "start", "network", "hosts",
                         "links", "dns", "users", "timeline", "narration"})) {
    top_level(root, s);
    hosts(root, s);
    links(root, s);
    dns(root, s);
    users(root, s);
    timeline(root, s);
    check_total_sends();
    narration(root, s);
    cross_checks(s);  // on whatever loaded: they skip what is missing or already reported
  }
  huge_numbers(huge);

  result.errors = std::move(errors_);
  std::stable_sort(result.errors.begin(), result.errors.end(), [](const LessonError& a, const LessonError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  if (result.errors.empty()) result.scenario = std::move(s);
  return result;
}

void Loader::top_level(const Json& root, Scenario& s) {
  const JsonPath top;
  if (!root.contains("format")) {
    error(top, "missing field \"format\": write \"format\": 1 at the top of the lesson");
  } else if (auto f = integer(root, "format", top, true, 1, 1000)) {
    if (*f > kScenarioFormat)
      error(top / "format", "this lesson is written for a newer PostLab (format " + std::to_string(*f) +
                                "); this version reads format " + std::to_string(kScenarioFormat));
    else
      s.format = static_cast<int>(*f);
  }
  if (auto t = text(root, "title", top, true)) s.title = *t;
  if (auto t = text(root, "summary", top, false)) s.summary = *t;
  if (const Json* g = list(root, "goals", top, false, 50)) {
    for (std::size_t i = 0; i < g->size(); ++i) {
      const Json& v = (*g)[i];
      if (v.is_string()) s.goals.push_back({v.get<std::string>(), v.get<std::string>()});
      else if (v.is_object() && v.size() > 0) {
        LocalText t;
        if (object(v, top / "goals" / i, {"en", "es"})) {
          if (auto en = str(v, "en", top / "goals" / i, false)) t.en = *en;
          if (auto es = str(v, "es", top / "goals" / i, false)) t.es = *es;
          if (!t.empty()) s.goals.push_back(t);
        }
      } else {
        error(top / "goals" / i, "expected text, or {\"en\": ..., \"es\": ...}, got " + type_name(v));
      }
    }
  }
  if (root.contains("seed")) {
    if (auto n = integer(root, "seed", top, false, 0, std::numeric_limits<std::int64_t>::max()))
      s.seed = static_cast<std::uint64_t>(*n);
  }
  if (auto st = str(root, "start", top, false, "a UTC date and time like \"2026-03-02T09:00:00Z\"")) {
    if (auto e = parse_utc_instant(*st))
      s.epoch = *e;
    else
      error(top / "start", "expected a UTC date and time like \"2026-03-02T09:00:00Z\", got " + qt(*st));
  }
  if (root.contains("network")) {
    const Json& n = root.at("network");
    const JsonPath p = top / "network";
    if (object(n, p, {"default_latency", "dns_latency"})) {
      if (auto d = duration(n, "default_latency", p, false)) s.default_latency = *d;
      if (auto d = duration(n, "dns_latency", p, false)) s.dns_latency = *d;
    }
  }
}

}  // namespace detail

std::string LessonError::str() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  return out + ": " + path + ": " + message;
}

LoadResult load_scenario_text(std::string_view text, const std::string& file) {
  if (text.size() > kMaxLessonBytes) {
    LoadResult r;
    r.errors.push_back({file, "(file)", 0, 0, "the file is larger than " + std::to_string(kMaxLessonBytes / 1024 / 1024) + " MiB; a lesson is much smaller"});
    return r;
  }
  // Nothing a file holds may escape as an exception: the JSON library's own (a type it was not asked
  // for, say) and running out of memory become a message naming the file, like any other problem.
  LoadResult r;
  try {
    return detail::Loader(text, file).run();
  } catch (const nlohmann::ordered_json::exception& e) {
    r.errors.push_back({file, "(file)", 0, 0, std::string("PostLab could not read this lesson: ") + e.what()});
  } catch (const std::bad_alloc&) {
    r.errors.push_back({file, "(file)", 0, 0, "PostLab ran out of memory reading this lesson"});
  } catch (const std::exception& e) {
    r.errors.push_back({file, "(file)", 0, 0, std::string("PostLab could not read this lesson: ") + e.what()});
  }
  return r;
}

LoadResult load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back({path, "(file)", 0, 0, "cannot open the file (does it exist, and may it be read?)"});
    return r;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxLessonBytes) break;
  }
  return load_scenario_text(text, path);
}

}  // namespace postlab