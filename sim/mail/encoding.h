// Transfer encodings: base64 (RFC 4648 §4) and RFC 2047 encoded words for non-ASCII header text.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace postlab {

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);  // ignores CR/LF; rejects other junk

// Header text as it must travel: unchanged when printable ASCII, else RFC 2047 Q-encoded UTF-8 words
// of at most 75 characters (§2), separated by CRLF SP folds so no header line grows too long.
std::string encode_header_text(std::string_view utf8);
// Decodes every =?charset?Q|B?...?= word (UTF-8 and US-ASCII/ISO-8859-1 charsets); other text is kept.
std::string decode_header_text(std::string_view text);

}  // namespace postlab
