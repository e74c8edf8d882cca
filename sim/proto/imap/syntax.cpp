#include "proto/imap/syntax.h"

#include <cstdio>

#include "core/ascii.h"
#include "mail/message.h"
#include "trace/state.h"

namespace postlab::imap {
namespace {

// RFC 3501 §9: ATOM-CHAR is any CHAR except atom-specials: ( ) { SP CTL % * " \ ]
// (list-wildcards % and * and resp-specials ] are allowed in the places where this parser reads
// atoms: LIST patterns, sequence sets, fetch sections).
bool atom_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != '{' && c != '"' && c != '\\';
}

class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  std::string_view rest() const { return s_.substr(i_); }

  // One SP between arguments (RFC 3501 §9: exactly one; Dovecot is as strict).
  bool space() {
    if (peek() != ' ') return false;
    ++i_;
    return true;
  }

  bool value(Value& out, std::size_t depth, std::string& error) {
    const char c = peek();
    if (c == '(') {
      if (depth >= kMaxListDepth) return fail(error, "Too deep nesting of lists");
      ++i_;
      out.kind = Value::Kind::List;
      if (peek() == ')') {
        ++i_;
        return true;
      }
      for (;;) {
        Value item;
        if (!value(item, depth + 1, error)) return false;
        out.items.push_back(std::move(item));
        if (peek() == ')') {
          ++i_;
          return true;
        }
        if (!space()) return fail(error, done() ? "Missing ')'" : "Expected ' ' or ')'");
      }
    }
    if (c == '"') return quoted_string(out, error);
    if (c == '{') return literal(out, error);
    return atom(out, error);
  }

 private:
  bool fail(std::string& error, const char* why) {
    error = why;
    return false;
  }

  bool quoted_string(Value& out, std::string& error) {
    ++i_;
    out.kind = Value::Kind::String;
    while (!done()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (c == '\r' || c == '\n') return fail(error, "Missing '\"'");
      if (c == '\\') {
        if (done() || (s_[i_] != '"' && s_[i_] != '\\')) return fail(error, "Invalid escape in quoted string");
        out.text += s_[i_++];
        continue;
      }
      out.text += c;
    }
    return fail(error, "Missing '\"'");
  }

  // {n}CRLF followed by n octets (RFC 3501 §4.3); {n+} is RFC 7888's non-synchronizing form.
  bool literal(Value& out, std::string& error) {
    const std::size_t close = s_.find('}', i_);
    if (close == std::string_view::npos) return fail(error, "Invalid literal");
    std::string_view digits = s_.substr(i_ + 1, close - i_ - 1);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    if (digits.empty() || digits.size() > 10) return fail(error, "Invalid literal size");
    std::uint64_t n = 0;
    for (char d : digits) {
      if (d < '0' || d > '9') return fail(error, "Invalid literal size");
      n = n * 10 + static_cast<std::uint64_t>(d - '0');
    }
    if (s_.substr(close + 1, 2) != "\r\n") return fail(error, "Missing CRLF after literal");
    const std::size_t start = close + 3;
    if (n > s_.size() - std::min(s_.size(), start)) return fail(error, "Literal is shorter than announced");
    out.kind = Value::Kind::String;
    out.text = std::string(s_.substr(start, static_cast<std::size_t>(n)));
    i_ = start + static_cast<std::size_t>(n);
    return true;
  }

  // An atom, with fetch sections "[...]" (which may hold spaces and lists) and partials "<0.100>".
  bool atom(Value& out, std::string& error) {
    const std::size_t start = i_;
    while (!done()) {
      const char c = s_[i_];
      if (c == '[') {
        const std::size_t end = s_.find(']', i_);
        if (end == std::string_view::npos || s_.substr(i_, end - i_).find_first_of("\r\n") != std::string_view::npos)
          return fail(error, "Missing ']'");
        i_ = end + 1;
        continue;
      }
      if (c == '\\' && i_ == start) {  // a flag: "\Seen", "\*"
        ++i_;
        continue;
      }
      if (!atom_char(c)) break;
      ++i_;
    }
    if (i_ == start) return fail(error, "Unexpected character");
    out.kind = Value::Kind::Atom;
    out.text = std::string(s_.substr(start, i_ - start));
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

bool Value::is_atom(std::string_view upper) const { return kind == Kind::Atom && iequals(text, upper); }

Parsed parse_command(std::string_view text) {
  Parsed p;
  // The tag: one or more ATOM-CHARs except '+' (RFC 3501 §9 tag).
  std::size_t i = 0;
  while (i < text.size() && atom_char(text[i]) && text[i] != '+' && text[i] != '*' && text[i] != '%' && text[i] != ']')
    ++i;
  if (i == 0 || i >= text.size() || text[i] != ' ') {
    p.error = "Error in IMAP command received by server.";
    return p;
  }
  p.tag = std::string(text.substr(0, i));
  Reader r(text.substr(i + 1));
  Command c;
  c.tag = p.tag;
  Value name;
  std::string error;
  if (!r.value(name, 0, error) || name.kind != Value::Kind::Atom) {
    p.error = "Error in IMAP command received by server.";
    return p;
  }
  c.name = ascii_upper(name.text);
  while (!r.done()) {
    if (!r.space()) {
      p.error = "Error in IMAP command " + c.name + ": Unexpected character";
      return p;
    }
    Value v;
    if (!r.value(v, 0, error)) {
      p.error = "Error in IMAP command " + c.name + ": " + error;
      return p;
    }
    c.args.push_back(std::move(v));
  }
  p.command = std::move(c);
  return p;
}

std::optional<SequenceSet> parse_sequence_set(std::string_view text) {
  SequenceSet set;
  auto number = [](std::string_view s) -> std::optional<std::uint32_t> {
    if (s == "*") return kStar;
    if (s.empty() || s.size() > 10 || s[0] == '0') return std::nullopt;  // nz-number
    std::uint64_t n = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n >= kStar) return std::nullopt;
    return static_cast<std::uint32_t>(n);
  };
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view part = text.substr(pos, comma - pos);
    const std::size_t colon = part.find(':');
    const auto lo = number(part.substr(0, colon));
    const auto hi = colon == std::string_view::npos ? lo : number(part.substr(colon + 1));
    if (!lo || !hi) return std::nullopt;
    set.ranges.push_back({*lo, *hi});
    if (comma == text.size()) break;
    pos = comma + 1;
  }
  return set;
}

bool SequenceSet::contains(std::uint32_t n, std::uint32_t largest) const {
  for (const Range& r : ranges) {
    std::uint32_t lo = r.lo == kStar ? largest : r.lo, hi = r.hi == kStar ? largest : r.hi;
    if (lo > hi) std::swap(lo, hi);
    if (n >= lo && n <= hi) return true;
  }
  return false;
}

std::string quoted(std::string_view text) {
  // A quoted string holds no CR, LF or NUL and no 8-bit bytes (RFC 3501 §4.3); Dovecot sends such
  // text as a literal.
  bool plain = text.size() < 1024;
  for (char c : text) plain = plain && c != '\r' && c != '\n' && c != '\0' && static_cast<unsigned char>(c) < 0x80;
  if (!plain) return "{" + std::to_string(text.size()) + "}\r\n" + std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string mailbox_name(const std::string& name) { return iequals(name, "INBOX") ? std::string("INBOX") : name; }

std::string astring(std::string_view text) {
  bool atom = !text.empty();
  for (char c : text) atom = atom && atom_char(c) && c != '%' && c != '*' && c != ']';
  return atom ? std::string(text) : quoted(text);
}

std::string nstring(const std::optional<std::string>& text) { return text ? quoted(*text) : std::string("NIL"); }

std::string internal_date(std::int64_t t) {
  // Days to civil date (proleptic Gregorian), as in core/time.
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t days = t / 86400, secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d +0000", static_cast<int>(d), kMonths[m - 1],
                static_cast<int>(y), static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

namespace {

// One address of an address list as RFC 3501 writes it: (name adl mailbox host).
std::string address(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  std::optional<std::string> name;
  std::string_view spec = text;
  const std::size_t lt = text.rfind('<');
  if (lt != std::string_view::npos && text.back() == '>') {
    spec = text.substr(lt + 1, text.size() - lt - 2);
    std::string_view display = trim(text.substr(0, lt));
    if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
      std::string unq;
      for (std::size_t i = 1; i + 1 < display.size(); ++i) {
        if (display[i] == '\\' && i + 2 < display.size()) ++i;
        unq += display[i];
      }
      name = unq;
    } else if (!display.empty()) {
      name = std::string(display);
    }
  }
  const std::size_t at = spec.rfind('@');
  const std::optional<std::string> mailbox = std::string(at == std::string_view::npos ? spec : spec.substr(0, at));
  const std::optional<std::string> host =
      at == std::string_view::npos ? std::nullopt : std::optional<std::string>(std::string(spec.substr(at + 1)));
  return "(" + nstring(name) + " NIL " + nstring(mailbox) + " " + (host ? quoted(*host) : std::string("NIL")) + ")";
}

// An address-list header as a parenthesised list of addresses, NIL when absent or empty. Commas
// inside quotes, angle brackets or comments do not split; a group "name: a, b;" is written as RFC
// 3501 §7.4.2 says (a start marker with the group name, the members, an end marker).
std::string address_list(const std::string& value) {
  if (value.find_first_not_of(" \t") == std::string::npos) return "NIL";
  std::string cur;
  int angle = 0, paren = 0;
  bool quote = false;
  std::string out = "(";
  auto flush = [&](char sep) {
    std::string_view p = cur;
    const std::size_t colon = p.find(':');
    if (!quote && colon != std::string_view::npos && p.find('<') == std::string_view::npos && p.find('@') > colon) {
      // a group's start: "name:" then maybe its first member
      std::string_view group = p.substr(0, colon);
      while (!group.empty() && group.front() == ' ') group.remove_prefix(1);
      out += "(NIL NIL " + quoted(group) + " NIL)";
      p = p.substr(colon + 1);
    }
    if (p.find_first_not_of(" \t;") != std::string_view::npos) out += address(p.substr(0, p.find(';')));
    if (sep == ';' || p.find(';') != std::string_view::npos) out += "(NIL NIL NIL NIL)";
    cur.clear();
  };
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '"' && (i == 0 || value[i - 1] != '\\')) quote = !quote;
    else if (!quote && c == '<') ++angle;
    else if (!quote && c == '>') angle = std::max(0, angle - 1);
    else if (!quote && c == '(') ++paren;
    else if (!quote && c == ')') paren = std::max(0, paren - 1);
    if (!quote && angle == 0 && paren == 0 && c == ',') {
      flush(',');
      continue;
    }
    cur += c;
  }
  flush('\0');
  return out == "(" ? "NIL" : out + ")";
}

}  // namespace

std::string envelope(std::string_view header_section) {
  const Message m = Message::parse(std::string(header_section) + (header_section.find("\r\n\r\n") == std::string_view::npos ? "\r\n" : ""));
  auto field = [&](const char* name) -> std::optional<std::string> {
    if (!m.has(name)) return std::nullopt;
    return m.get(name);
  };
  const std::string from = address_list(m.get("From"));
  const std::string sender = m.has("Sender") ? address_list(m.get("Sender")) : from;
  const std::string reply_to = m.has("Reply-To") ? address_list(m.get("Reply-To")) : from;
  return "(" + nstring(field("Date")) + " " + nstring(field("Subject")) + " " + from + " " + sender + " " + reply_to + " " +
         address_list(m.get("To")) + " " + address_list(m.get("Cc")) + " " + address_list(m.get("Bcc")) + " " +
         nstring(field("In-Reply-To")) + " " + nstring(field("Message-ID")) + ")";
}

std::optional<std::uint8_t> flag_list(const Value& v) {
  std::vector<const Value*> words;
  if (v.kind == Value::Kind::List) {
    for (const Value& i : v.items) words.push_back(&i);
  } else {
    words.push_back(&v);
  }
  std::uint8_t flags = 0;
  for (const Value* w : words) {
    if (w->kind != Value::Kind::Atom) return std::nullopt;
    if (w->text.empty() || w->text[0] != '\\') continue;  // a keyword: not kept here
    const std::uint8_t f = parse_flags(w->text);
    if (f == 0 || f == kFlagRecent) return std::nullopt;  // \Recent is the server's alone (RFC 3501 §2.3.2)
    flags |= f;
  }
  return flags;
}

}  // namespace postlab::imap
