#include "mail/address.h"

#include <cctype>

namespace postlab {
namespace {

bool atext(char c) {
  // RFC 5322 §3.2.3 atext
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return static_cast<unsigned char>(c) >= 0x80;  // RFC 6531 UTF-8 local parts
  }
}

bool valid_local(std::string_view s) {
  // RFC 5321 §4.5.3.1.1 names 64 octets, but §4.5.3.1 asks servers not to impose limits; Postfix
  // takes longer local parts, so no length is checked here.
  if (s.empty()) return false;
  if (s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!atext(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool is_valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 255) return false;  // RFC 5321 §4.5.3.1.2
  std::size_t label = 0;
  char prev = '.';
  for (char c : d) {
    if (c == '.') {
      if (label == 0 || prev == '-') return false;
      label = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      if (label == 0 && c == '-') return false;
      if (++label > 63) return false;
    } else {
      return false;
    }
    prev = c;
  }
  return label > 0 && prev != '-';
}

std::optional<Address> parse_address(std::string_view text) {
  const auto at = text.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  if (!valid_local(local) || !is_valid_domain(domain)) return std::nullopt;
  return Address{std::string(local), lower(domain)};
}

// Lower-cases the domain part only: local parts keep what the sender wrote (a server may match them
// without regard to case, as Postfix and the mailstore do, but must pass them on unchanged).
std::string normalize_address(std::string_view text) {
  auto a = parse_address(text);
  return a ? a->str() : std::string(text);
}

std::optional<Address> parse_mailbox(std::string_view text) {
  text = trim(text);
  const auto lt = text.rfind('<');
  if (lt != std::string_view::npos) {
    const auto gt = text.find('>', lt);
    if (gt == std::string_view::npos || !trim(text.substr(gt + 1)).empty()) return std::nullopt;
    return parse_address(text.substr(lt + 1, gt - lt - 1));
  }
  return parse_address(text);
}

}  // namespace postlab
