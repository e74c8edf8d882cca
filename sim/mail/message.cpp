#include "mail/message.h"

#include <cctype>

namespace postlab {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string fold_header(std::string_view name, std::string_view value, std::size_t width) {
  if (value.find('\n') != std::string_view::npos) return std::string(value);
  std::string out;
  std::size_t col = name.size() + 2;  // "Name: "
  std::size_t pos = 0;
  while (pos < value.size()) {
    // The next word, with all the spaces that precede it: a fold between two spaces could leave a
    // line of white space only, which RFC 5322 §3.2.2 forbids.
    std::size_t next = value.find_first_not_of(' ', pos);
    if (next != std::string_view::npos) next = value.find(' ', next);
    if (next == std::string_view::npos) next = value.size();
    const std::string_view word = value.substr(pos, next - pos);
    const bool has_text = word.find_first_not_of(' ') != std::string_view::npos;
    if (col + word.size() > width && pos > 0 && word.front() == ' ' && has_text) {
      out += "\r\n";  // the space stays at the start of the continuation line
      col = 0;
    }
    out += word;
    col += word.size();
    pos = next;
  }
  return out;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (value[i] == '\n') continue;
    out += value[i];
  }
  return out;
}

Message Message::parse(std::string_view data) {
  Message m;
  const std::string text = to_crlf(data);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find("\r\n", pos);
    if (eol == std::string::npos) eol = text.size();
    if (eol == pos) {  // empty line: the body follows
      pos = eol + 2;
      m.body_ = pos <= text.size() ? text.substr(pos) : std::string();
      return m;
    }
    std::string_view line(text.data() + pos, eol - pos);
    if ((line[0] == ' ' || line[0] == '\t') && !m.headers_.empty()) {
      m.headers_.back().value += "\r\n";
      m.headers_.back().value += line;
    } else {
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) {
        // Not a header: RFC 5322 has no place for it, so the rest is body.
        m.body_ = text.substr(pos);
        return m;
      }
      std::string_view value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
      m.headers_.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    pos = eol + 2;
  }
  return m;
}

std::string Message::serialize() const {
  std::string out;
  for (const auto& h : headers_) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
  out += body_;
  return out;
}

std::string Message::get(std::string_view name) const {
  for (const auto& h : headers_)
    if (iequals(h.name, name)) return unfold(h.value);
  return {};
}

bool Message::has(std::string_view name) const {
  for (const auto& h : headers_)
    if (iequals(h.name, name)) return true;
  return false;
}

void Message::prepend(std::string name, std::string value) {
  headers_.insert(headers_.begin(), Header{std::move(name), std::move(value)});
}

void Message::append(std::string name, std::string value) {
  headers_.push_back(Header{std::move(name), std::move(value)});
}

}  // namespace postlab
