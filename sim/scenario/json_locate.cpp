#include "scenario/json_locate.h"

#include <set>

namespace postlab {
namespace {

class Skim {
 public:
  explicit Skim(std::string_view t, std::size_t start = 0) : t_(t), p_(start) {}

  void ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t' || t_[p_] == '\n' || t_[p_] == '\r')) ++p_;
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

  // Reads a string token and returns its content with simple escapes decoded.
  std::string string() {
    std::string out;
    if (!eat('"')) return out;
    while (p_ < t_.size() && t_[p_] != '"') {
      if (t_[p_] == '\\' && p_ + 1 < t_.size()) {
        const char e = t_[++p_];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': out += "\\u"; break;  // names with \u escapes compare by their escaped form
          default: out += e;
        }
        ++p_;
      } else {
        out += t_[p_++];
      }
    }
    ++p_;  // closing quote
    return out;
  }

  void value() {
    ws();
    if (p_ >= t_.size()) return;
    const char c = t_[p_];
    if (c == '"') {
      string();
    } else if (c == '{') {
      ++p_;
      if (eat('}')) return;
      do {
        string();
        eat(':');
        value();
      } while (eat(','));
      eat('}');
    } else if (c == '[') {
      ++p_;
      if (eat(']')) return;
      do value();
      while (eat(','));
      eat(']');
    } else {
      while (p_ < t_.size() && t_[p_] != ',' && t_[p_] != '}' && t_[p_] != ']' && t_[p_] != ' ' && t_[p_] != '\n' &&
             t_[p_] != '\r' && t_[p_] != '\t')
        ++p_;
    }
  }

  void duplicates(JsonPath& path, std::vector<DuplicateKey>& out) {
    ws();
    if (p_ >= t_.size()) return;
    if (t_[p_] == '{') {
      ++p_;
      if (eat('}')) return;
      std::set<std::string> seen;
      do {
        ws();
        const std::size_t at = p_;
        std::string key = string();
        path.push_back({key, 0, false});
        if (!seen.insert(key).second) out.push_back({path, at});
        eat(':');
        duplicates(path, out);
        path.pop_back();
      } while (eat(','));
      eat('}');
    } else if (t_[p_] == '[') {
      ++p_;
      if (eat(']')) return;
      std::size_t i = 0;
      do {
        path.push_back({{}, i++, true});
        duplicates(path, out);
        path.pop_back();
      } while (eat(','));
      eat(']');
    } else {
      value();
    }
  }

 private:
  std::string_view t_;
  std::size_t p_ = 0;
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

namespace {

// Walks from the value starting at `offset` down the rest of the path.
std::optional<std::size_t> locate_from(std::string_view text, std::size_t offset, const JsonPath& path,
                                       std::size_t depth, bool want_key) {
  Skim s(text, offset);
  s.ws();
  if (depth == path.size()) return s.pos();
  const PathToken& tok = path[depth];
  const bool last = depth + 1 == path.size();
  if (tok.is_index) {
    if (!s.eat('[') || s.peek(']')) return std::nullopt;
    for (std::size_t i = 0; i < tok.index; ++i) {
      s.value();
      if (!s.eat(',')) return std::nullopt;
    }
    s.ws();
    return last && want_key ? std::nullopt : locate_from(text, s.pos(), path, depth + 1, want_key);
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
  return locate_from(text, *value_at, path, depth + 1, want_key);
}

}  // namespace

std::optional<std::size_t> locate(std::string_view text, const JsonPath& path, bool want_key) {
  return locate_from(text, 0, path, 0, want_key);
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

bool json_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool json_punct(char c) { return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ','; }

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
  JsonPath path;
  Skim(text).duplicates(path, out);
  return out;
}

}  // namespace postlab
