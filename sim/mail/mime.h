// MIME (RFC 2045-2049): build messages with text, alternatives and attachments, and parse any
// message back into a tree of parts with their headers, encodings and sizes.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/message.h"

namespace postlab {

class Rng;

inline constexpr std::size_t kMimeLineLength = 76;   // RFC 2045 §6.7 (QP) and §6.8 (base64)
inline constexpr std::size_t kMaxMimeDepth = 16;      // nesting a parser follows before giving up
inline constexpr std::size_t kMaxMimeParts = 1000;    // parts a parser reads in one message

// Content-Transfer-Encoding (RFC 2045 §6).
std::string qp_encode(std::string_view data);                // text: CRLF kept as hard line breaks
std::string qp_decode(std::string_view text);
std::string base64_lines(std::string_view data);             // 76-column lines, each ending CRLF

struct MimeParams {
  std::string value;                          // "text/plain", "attachment" (lower case)
  std::map<std::string, std::string> params;  // names lower case: charset, boundary, name, filename
};
// "text/plain; charset=UTF-8; format=flowed" -> value + params (quoted strings unquoted).
MimeParams parse_mime_params(std::string_view header);

struct MimePart {
  std::vector<Header> headers;
  std::string content_type = "text/plain";    // RFC 2045 §5.2 default
  std::map<std::string, std::string> params;
  std::string encoding = "7bit";              // Content-Transfer-Encoding, lower case
  std::string disposition;                    // "inline", "attachment" or ""
  std::string filename;                       // from disposition or Content-Type name=
  std::string encoded;                        // body as it travels (leaves only)
  std::string decoded;                        // body after undoing the transfer encoding
  std::vector<MimePart> children;             // multipart/* only
  std::string problem;                        // what was wrong, when the part is malformed

  bool multipart() const { return content_type.rfind("multipart/", 0) == 0; }
  std::size_t encoded_size() const { return encoded.size(); }
  std::size_t decoded_size() const { return decoded.size(); }
};

// Parses a whole message (headers and body). Never throws; malformed parts carry `problem`.
MimePart parse_mime(std::string_view message);

// An attachment as a lesson describes it: the content is given, or made up (deterministically)
// with the right signature for the type, e.g. a JPEG or a PDF of `size` bytes.
struct AttachmentSpec {
  std::string name;         // "foto.jpg"
  std::string type;         // "image/jpeg"; empty: guessed from the name
  std::size_t size = 0;     // bytes, when no content is given
  std::string content;      // exact bytes (text), when given
  bool has_content = false;
};

std::string guess_mime_type(std::string_view filename);
std::string make_attachment_bytes(const AttachmentSpec& spec, Rng& rng);

struct BodySpec {
  std::string text;                        // text/plain
  std::string html;                        // optional text/html alternative
  std::vector<AttachmentSpec> attachments;
  bool quoted_printable = false;           // non-ASCII text as quoted-printable rather than 8bit
};

// RFC 6152 §3: 8-bit text may only go to a server that announced 8BITMIME. Like Postfix, convert
// every 8bit/binary text part to quoted-printable. nullopt when the message is already 7-bit.
std::optional<std::string> downgrade_to_7bit(std::string_view message);
// The part tree written back as a message (what parse_mime read, with its encoded bodies).
std::string serialize_mime(const MimePart& part);

// Adds MIME-Version, Content-Type and Content-Transfer-Encoding to `message` and sets its body.
// Plain ASCII text stays 7bit; other text goes quoted-printable unless eight_bit is allowed.
void build_mime_body(Message& message, const BodySpec& body, Rng& rng);

}  // namespace postlab
