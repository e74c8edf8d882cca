#include "mail/encoding.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "mail/message.h"

namespace postlab {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Bytes that may stand for themselves inside a Q-encoded word (RFC 2047 §5 rule 3).
bool q_plain(unsigned char c) { return std::isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/'; }

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Length of the UTF-8 sequence starting with lead byte c (1 for stray bytes).
std::size_t utf8_len(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                   static_cast<unsigned char>(data[i + 2]);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += rest == 2 ? kB64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  int padding = 0;
  for (char c : text) {
    if (c == '\r' || c == '\n') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    const int v = b64_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (padding > 2) return std::nullopt;
  return out;
}

std::string encode_header_text(std::string_view utf8) {
  bool plain = true;
  for (unsigned char c : utf8)
    if (c >= 0x80 || c < 0x20) plain = false;
  if (plain) return std::string(utf8);

  static constexpr std::string_view kPrefix = "=?UTF-8?Q?";
  static constexpr std::size_t kMaxWord = 75;  // RFC 2047 §2
  std::string out;
  std::string word(kPrefix);
  std::size_t i = 0;
  while (i < utf8.size()) {
    // Encode one whole character at a time: a word must never split a UTF-8 sequence (§5 rule 3).
    const std::size_t n = std::min(utf8_len(static_cast<unsigned char>(utf8[i])), utf8.size() - i);
    std::string piece;
    for (std::size_t k = i; k < i + n; ++k) {
      const auto c = static_cast<unsigned char>(utf8[k]);
      if (c == ' ') {
        piece += '_';
      } else if (q_plain(c)) {
        piece += static_cast<char>(c);
      } else {
        static constexpr char hex[] = "0123456789ABCDEF";
        piece += '=';
        piece += hex[c >> 4];
        piece += hex[c & 15];
      }
    }
    if (word.size() + piece.size() + 2 > kMaxWord) {
      out += word + "?=\r\n ";
      word = std::string(kPrefix);
    }
    word += piece;
    i += n;
  }
  out += word + "?=";
  return out;
}

std::string decode_header_text(std::string_view raw) {
  const std::string text = unfold(raw);
  std::string out;
  std::size_t pos = 0;
  bool last_was_word = false;
  std::string pending_space;
  while (pos < text.size()) {
    const auto start = text.find("=?", pos);
    if (start == std::string::npos) {
      out += pending_space;
      out += text.substr(pos);
      break;
    }
    // =?charset?enc?data?=
    const auto q1 = text.find('?', start + 2);
    const auto q2 = q1 == std::string::npos ? q1 : text.find('?', q1 + 1);
    const auto end = q2 == std::string::npos ? q2 : text.find("?=", q2 + 1);
    if (end == std::string::npos || q2 != q1 + 2) {
      out += pending_space;
      out += text.substr(pos, start + 2 - pos);
      pending_space.clear();
      pos = start + 2;
      last_was_word = false;
      continue;
    }
    std::string between = text.substr(pos, start - pos);
    bool only_space = true;
    for (char c : between)
      if (c != ' ' && c != '\t') only_space = false;
    // RFC 2047 §6.2: white space between adjacent encoded words is dropped.
    if (!(last_was_word && only_space)) out += between;

    std::string charset = text.substr(start + 2, q1 - start - 2);
    for (char& c : charset) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (auto star = charset.find('*'); star != std::string::npos) charset.resize(star);  // RFC 2231 language
    const char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(text[q1 + 1])));
    const std::string data = text.substr(q2 + 1, end - q2 - 1);
    std::optional<std::string> decoded;
    if (enc == 'B') {
      decoded = base64_decode(data);
    } else if (enc == 'Q') {
      std::string d;
      bool ok = true;
      for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '_') {
          d += ' ';
        } else if (data[i] == '=' && i + 2 < data.size() + 0 && hex_value(data[i + 1]) >= 0 &&
                   hex_value(data[i + 2]) >= 0) {
          d += static_cast<char>(hex_value(data[i + 1]) * 16 + hex_value(data[i + 2]));
          i += 2;
        } else if (data[i] == '=') {
          ok = false;
          break;
        } else {
          d += data[i];
        }
      }
      if (ok) decoded = d;
    }
    const bool known_charset = charset == "UTF-8" || charset == "US-ASCII" || charset == "ISO-8859-1";
    if (!decoded || !known_charset) {
      out += text.substr(start, end + 2 - start);  // leave what we cannot read as it was
    } else {
      out += charset == "ISO-8859-1" ? latin1_to_utf8(*decoded) : *decoded;
    }
    pos = end + 2;
    last_was_word = true;
    pending_space.clear();
  }
  return out;
}

}  // namespace postlab
