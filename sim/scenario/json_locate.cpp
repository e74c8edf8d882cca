#include "scenario/json_locate.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace postlab {
namespace {

bool json_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool json_punct(char c) { return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ','; }

// Reads the string token at p (which holds '"') and returns its content with simple escapes decoded;
// p ends after the closing quote.
std::string read_string(std::string_view t, std::size_t& p) {
  std::string out;
  ++p;  // opening quote
  while (p < t.size() && t[p] != '"') {
    if (t[p] == '\\' && p + 1 < t.size()) {
      const char e = t[++p];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': out += "\\u"; break;  // names with \u escapes compare by their escaped form
        default: out += e;
      }
      ++p;
    } else {
      out += t[p++];
    }
  }
  ++p;  // closing quote
  return out;
}

class Skim {
 public:
  explicit Skim(std::string_view t, std::size_t start = 0) : t_(t), p_(start) {}

  void ws() {
    while (p_ < t_.size() && json_ws(t_[p_])) ++p_;
  }
  bool peek(char c) {
    ws();
    return p_ < t_.size() && t_[p_] == c;
  }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++p_;
    return true;
  }
  std::size_t pos() const { return p_; }

  std::string string() {
    if (!peek('"')) return {};
    return read_string(t_, p_);
  }

  // Skips one value. Nested values are skipped by counting brackets, not by recursion.
  void value() {
    std::size_t depth = 0;
    do {
      ws();
      if (p_ >= t_.size()) return;
      const char c = t_[p_];
      if (c == '"') {
        read_string(t_, p_);
      } else if (c == '{' || c == '[') {
        ++depth;
        ++p_;
      } else if (c == '}' || c == ']') {
        if (depth == 0) return;  // the end of the enclosing value, not part of this one
        --depth;
        ++p_;
      } else if (c == ',' || c == ':') {
        if (depth == 0) return;
        ++p_;
      } else {
        while (p_ < t_.size() && !json_ws(t_[p_]) && !json_punct(t_[p_]) && t_[p_] != '"') ++p_;
      }
    } while (depth > 0);
  }

 private:
  std::string_view t_;
  std::size_t p_ = 0;
};

// Reads JSON text one token at a time and keeps the path of the value being read on a heap stack.
// Lenient: text that does not parse is walked as far as it makes sense.
class Walker {
 public:
  enum class Tok { End, Open, Close, Key, Value, Punct };

  explicit Walker(std::string_view t) : t_(t) {}

  Tok next() {
    while (p_ < t_.size() && json_ws(t_[p_])) ++p_;
    start_ = p_;
    if (p_ >= t_.size()) return Tok::End;
    const char c = t_[p_];
    if (c == '{' || c == '[') {
      ++p_;
      frames_.push_back({c == '{', c == '{', 0, {}});
      return Tok::Open;
    }
    if (c == '}' || c == ']') {
      ++p_;
      if (!frames_.empty()) frames_.pop_back();
      return Tok::Close;
    }
    if (c == ',') {
      ++p_;
      if (!frames_.empty()) {
        if (frames_.back().object) frames_.back().expect_key = true;
        else ++frames_.back().index;
      }
      return Tok::Punct;
    }
    if (c == ':') {
      ++p_;
      return Tok::Punct;
    }
    if (c == '"') {
      std::string s = read_string(t_, p_);
      if (!frames_.empty() && frames_.back().object && frames_.back().expect_key) {
        frames_.back().key = std::move(s);
        frames_.back().expect_key = false;
        return Tok::Key;
      }
      return Tok::Value;
    }
    while (p_ < t_.size() && !json_ws(t_[p_]) && !json_punct(t_[p_]) && t_[p_] != '"') ++p_;
    return Tok::Value;
  }

  std::size_t start() const { return start_; }
  std::string_view token() const { return t_.substr(start_, p_ - start_); }
  // Open: counts the value just opened.
  std::size_t depth() const { return frames_.size(); }
  // Key: the member name just read.
  const std::string& key() const { return frames_.back().key; }

  // Where the current token sits: a Key or Value inside the innermost object or list; for Open, the
  // value just opened (pass opened = true).
  JsonPath path(bool opened = false) const {
    JsonPath out;
    const std::size_t n = opened && !frames_.empty() ? frames_.size() - 1 : frames_.size();
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Frame& f = frames_[i];
      if (f.object) out.push_back({f.key, 0, false});
      else out.push_back({{}, f.index, true});
    }
    return out;
  }

 private:
  struct Frame {
    bool object;
    bool expect_key;
    std::size_t index;
    std::string key;
  };
  std::string_view t_;
  std::size_t p_ = 0, start_ = 0;
  std::vector<Frame> frames_;
};

}  // namespace

std::string path_string(const JsonPath& path) {
  if (path.empty()) return "(top level)";
  std::string out;
  for (const auto& t : path) {
    if (t.is_index) {
      out += "[" + std::to_string(t.index) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += t.key;
    }
  }
  return out;
}

std::optional<std::size_t> locate(std::string_view text, const JsonPath& path, bool want_key) {
  std::size_t offset = 0;  // the value reached so far, walking down the path one member at a time
  for (std::size_t depth = 0; depth < path.size(); ++depth) {
    Skim s(text, offset);
    const PathToken& tok = path[depth];
    const bool last = depth + 1 == path.size();
    if (tok.is_index) {
      if (!s.eat('[') || s.peek(']')) return std::nullopt;
      for (std::size_t i = 0; i < tok.index; ++i) {
        s.value();
        if (!s.eat(',')) return std::nullopt;
      }
      s.ws();
      if (last && want_key) return std::nullopt;
      offset = s.pos();
      continue;
    }
    if (!s.eat('{') || s.peek('}')) return std::nullopt;
    std::optional<std::size_t> key_at, value_at;
    do {  // the last occurrence wins, as it does for the parser
      s.ws();
      const std::size_t k = s.pos();
      const std::string key = s.string();
      s.eat(':');
      s.ws();
      if (key == tok.key) {
        key_at = k;
        value_at = s.pos();
      }
      s.value();
    } while (s.eat(','));
    if (!value_at) return std::nullopt;
    if (last && want_key) return key_at;
    offset = *value_at;
  }
  Skim s(text, offset);
  s.ws();
  return s.pos();
}

TextPos position_of(std::string_view text, std::size_t offset) {
  TextPos pos{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {  // count characters, not UTF-8 continuation bytes
      ++pos.column;
    }
  }
  return pos;
}

namespace {

// A complete JSON literal or something shaped like a finished number ("1", "-2.5e3"): a parser that
// stops right after it is complaining about what follows, not about the word itself.
bool complete_word(std::string_view w) {
  if (w == "true" || w == "false" || w == "null") return true;
  if (w.empty() || !(w.back() >= '0' && w.back() <= '9')) return false;
  for (char c : w)
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) return false;
  return true;
}

}  // namespace

std::size_t token_start(std::string_view text, std::size_t offset) {
  std::size_t p = 0;
  constexpr std::size_t kNone = std::string_view::npos;
  std::size_t word = kNone;  // start of an unfinished bare word ending right at p
  while (p < text.size() && p <= offset) {
    const std::size_t start = p;
    const char c = text[p];
    if (p == offset && word != kNone && (json_ws(c) || json_punct(c) || c == '"')) return word;
    word = kNone;
    if (json_ws(c)) {
      ++p;
      continue;
    }
    if (c == '"') {
      ++p;
      while (p < text.size() && text[p] != '"') p += text[p] == '\\' ? 2 : 1;
      ++p;  // the closing quote
    } else if (json_punct(c)) {
      ++p;
    } else {
      while (p < text.size() && !json_ws(text[p]) && !json_punct(text[p]) && text[p] != '"') ++p;
      if (!complete_word(text.substr(start, p - start))) word = start;
    }
    if (offset < p) return start;
  }
  return offset;
}

std::vector<DuplicateKey> find_duplicate_keys(std::string_view text) {
  std::vector<DuplicateKey> out;
  Walker w(text);
  std::vector<std::set<std::string>> seen;  // the names met so far in each open object (or list)
  for (auto tok = w.next(); tok != Walker::Tok::End; tok = w.next()) {
    if (tok == Walker::Tok::Open) {
      seen.emplace_back();
    } else if (tok == Walker::Tok::Close) {
      if (!seen.empty()) seen.pop_back();
    } else if (tok == Walker::Tok::Key && !seen.empty()) {
      if (!seen.back().insert(w.key()).second) out.push_back({w.path(), w.start()});  // the path only then
    }
  }
  return out;
}

std::optional<DeepValue> find_too_deep(std::string_view text, std::size_t max_depth) {
  Walker w(text);
  for (auto tok = w.next(); tok != Walker::Tok::End; tok = w.next())
    if (tok == Walker::Tok::Open && w.depth() > max_depth) return DeepValue{w.path(true), w.start()};
  return std::nullopt;
}

namespace {

// Whether a JSON number is too large in magnitude for a double. std::from_chars says "out of range"
// for numbers too close to zero as well; those read as 0 and are harmless, so the decimal exponent
// decides which kind it is.
bool too_large_for_double(std::string_view w) {
  double v = 0;
  const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc::result_out_of_range) return false;
  std::size_t p = 0;
  if (p < w.size() && w[p] == '-') ++p;
  long long magnitude = 0;  // about log10 of the number
  bool leading = true;
  for (; p < w.size() && std::isdigit(static_cast<unsigned char>(w[p])); ++p) {
    if (leading && w[p] == '0') continue;
    leading = false;
    ++magnitude;
  }
  if (p < w.size() && w[p] == '.') {
    for (++p; p < w.size() && std::isdigit(static_cast<unsigned char>(w[p])); ++p) {
      if (!leading) continue;
      if (w[p] != '0') leading = false;
      else --magnitude;
    }
  }
  if (p < w.size() && (w[p] == 'e' || w[p] == 'E')) {
    ++p;
    bool negative = false;
    if (p < w.size() && (w[p] == '+' || w[p] == '-')) negative = w[p++] == '-';
    long long exponent = 0;
    for (; p < w.size() && std::isdigit(static_cast<unsigned char>(w[p])); ++p)
      exponent = std::min(exponent * 10 + (w[p] - '0'), 1'000'000'000LL);
    magnitude += negative ? -exponent : exponent;
  }
  return magnitude > 0;
}

}  // namespace

std::vector<HugeNumber> find_huge_numbers(std::string_view text, std::size_t max_depth) {
  std::vector<HugeNumber> out;
  Walker w(text);
  for (auto tok = w.next(); tok != Walker::Tok::End; tok = w.next()) {
    if (tok == Walker::Tok::Open && w.depth() > max_depth) break;
    if (tok != Walker::Tok::Value) continue;
    const std::string_view word = w.token();
    if (word.empty() || !(word[0] == '-' || std::isdigit(static_cast<unsigned char>(word[0])))) continue;
    if (too_large_for_double(word)) out.push_back({w.path(), w.start(), word.size()});
  }
  return out;
}

}  // namespace postlab
