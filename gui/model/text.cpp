#include "model/text.h"

#include <cstdio>

namespace postlab {
namespace {

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Byte offset just after the first n code points of s.
std::size_t prefix_bytes(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t k = 0; i < s.size() && k < n; ++k) {
    ++i;
    while (i < s.size() && continuation(static_cast<unsigned char>(s[i]))) ++i;
  }
  return i;
}

constexpr std::string_view kEllipsis = "…";
constexpr std::string_view kArrow = " → ";

// Longest prefix (in code points) of s whose width with `suffix` is at most width.
std::size_t fitting_prefix(std::string_view s, std::string_view suffix, float width, const MeasureText& measure) {
  std::size_t lo = 0, hi = count_chars(s);
  while (lo < hi) {
    const std::size_t mid = (lo + hi + 1) / 2;
    std::string candidate(s.substr(0, prefix_bytes(s, mid)));
    candidate += suffix;
    if (measure(candidate) <= width)
      lo = mid;
    else
      hi = mid - 1;
  }
  return prefix_bytes(s, lo);
}

void wrap_paragraph(std::string_view para, float width, const MeasureText& measure, std::vector<std::string>& out) {
  const float space = measure(" ");
  std::string line;
  float line_w = 0;
  std::size_t pos = 0;
  bool any = false;
  while (pos <= para.size()) {
    std::size_t end = para.find(' ', pos);
    if (end == std::string_view::npos) end = para.size();
    std::string_view word = para.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) {
      if (end >= para.size()) break;
      continue;  // runs of spaces collapse
    }
    any = true;
    const float w = measure(word);
    if (!line.empty() && line_w + space + w <= width) {
      line += ' ';
      line += word;
      line_w += space + w;
      continue;
    }
    if (!line.empty()) out.push_back(std::move(line));
    line.clear();
    line_w = 0;
    // A word wider than the whole line: cut it at characters, nothing else can show it.
    while (w > width && !word.empty() && measure(word) > width) {
      std::size_t cut = fitting_prefix(word, {}, width, measure);
      if (cut == 0) cut = prefix_bytes(word, 1);
      out.emplace_back(word.substr(0, cut));
      word.remove_prefix(cut);
    }
    line = std::string(word);
    line_w = measure(word);
  }
  if (!line.empty() || !any) out.push_back(std::move(line));
}

}  // namespace

std::size_t count_chars(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += !continuation(c);
  return n;
}

std::vector<std::string> wrap_words(std::string_view text, float width, const MeasureText& measure) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t eol = text.find('\n', pos);
    std::string_view para = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (!para.empty() && para.back() == '\r') para.remove_suffix(1);
    wrap_paragraph(para, width, measure, out);
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return out;
}

std::string fit_text(std::string_view text, float width, const MeasureText& measure) {
  if (measure(text) <= width) return std::string(text);
  std::string out(text.substr(0, fitting_prefix(text, kEllipsis, width, measure)));
  out += kEllipsis;
  return out;
}

std::string_view without_top_label(std::string_view host) {
  // "mail.uni.example" → "mail.uni"; names of one or two labels stay whole.
  const std::size_t last = host.rfind('.');
  if (last == std::string_view::npos || host.find('.') == last) return host;
  return host.substr(0, last);
}

std::string fit_route(std::string_view route, float width, const MeasureText& measure) {
  if (measure(route) <= width) return std::string(route);
  const std::size_t arrow = route.find(kArrow);
  if (arrow == std::string_view::npos) {
    const std::string_view shorter = without_top_label(route);
    return fit_text(shorter, width, measure);
  }
  // First without the top-level domain (the same ".example" everywhere), then cut both hosts.
  const std::string_view from = without_top_label(route.substr(0, arrow));
  const std::string_view to = without_top_label(route.substr(arrow + kArrow.size()));
  const std::string compact = std::string(from) + std::string(kArrow) + std::string(to);
  if (measure(compact) <= width) return compact;
  const float side = (width - measure(kArrow)) / 2;
  // The shorter host keeps all of itself when it can; the other gets the rest.
  const float from_w = measure(from), to_w = measure(to);
  const float from_room = from_w <= side ? from_w : to_w <= side ? width - measure(kArrow) - to_w : side;
  const std::string a = fit_text(from, from_room, measure);
  return a + std::string(kArrow) + fit_text(to, width - measure(kArrow) - measure(a), measure);
}

std::string compact_clock(SimTime t) {
  const bool negative = t < 0;
  if (negative) t = -t;
  const std::int64_t days = t / kDay, rest = t % kDay;
  const int h = static_cast<int>(rest / kHour);
  const int m = static_cast<int>(rest % kHour / kMinute);
  const int s = static_cast<int>(rest % kMinute / kSecond);
  const int ms = static_cast<int>(rest % kSecond / kMillisecond);
  char buf[48];
  const char* sign = negative ? "-" : "";
  if (days > 0)
    std::snprintf(buf, sizeof buf, "%s%lldd %02d:%02d:%02d", sign, static_cast<long long>(days), h, m, s);
  else if (h > 0)
    std::snprintf(buf, sizeof buf, "%s%d:%02d:%02d.%03d", sign, h, m, s, ms);
  else
    std::snprintf(buf, sizeof buf, "%s%02d:%02d.%03d", sign, m, s, ms);
  return buf;
}

}  // namespace postlab
