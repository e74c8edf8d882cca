#include "mail/mime.h"

#include <algorithm>
#include <cctype>

#include "core/rng.h"
#include "mail/encoding.h"

namespace postlab {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::size_t longest_line(std::string_view s) {
  std::size_t best = 0, cur = 0;
  for (char c : s) {
    if (c == '\n') {
      best = std::max(best, cur);
      cur = 0;
    } else if (c != '\r') {
      ++cur;
    }
  }
  return std::max(best, cur);
}

// A parameter value in quotes when it needs them (RFC 2045 §5.1 tspecials).
std::string param(std::string_view name, std::string_view value) {
  if (!is_ascii(value)) {
    // RFC 2231 §4: name*=UTF-8''percent-encoded
    std::string out = std::string(name) + "*=UTF-8''";
    for (unsigned char c : value) {
      if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }
  std::string escaped;
  for (char c : value) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return std::string(name) + "=\"" + escaped + "\"";
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Counter {
  std::size_t parts = 0;
};

MimePart parse_entity(const std::vector<Header>& headers, std::string_view body, std::size_t depth, Counter& count,
                      std::string_view default_type) {
  MimePart part;
  part.headers = headers;
  part.content_type = std::string(default_type);
  for (const auto& h : headers) {
    if (iequals(h.name, "Content-Type")) {
      MimeParams p = parse_mime_params(unfold(h.value));
      if (p.value.find('/') != std::string::npos) {
        part.content_type = p.value;
        part.params = p.params;
      } else {
        part.problem = "Content-Type without type/subtype; read as " + std::string(default_type);
      }
    } else if (iequals(h.name, "Content-Transfer-Encoding")) {
      part.encoding = lower(trim(unfold(h.value)));
    } else if (iequals(h.name, "Content-Disposition")) {
      MimeParams p = parse_mime_params(unfold(h.value));
      part.disposition = p.value;
      if (auto it = p.params.find("filename"); it != p.params.end()) part.filename = it->second;
    }
  }
  if (part.filename.empty())
    if (auto it = part.params.find("name"); it != part.params.end()) part.filename = decode_header_text(it->second);

  if (part.multipart()) {
    auto b = part.params.find("boundary");
    if (b == part.params.end() || b->second.empty()) {
      part.problem = "multipart without a boundary parameter (RFC 2046 §5.1.1)";
    } else if (depth >= kMaxMimeDepth) {
      part.problem = "parts nested more than " + std::to_string(kMaxMimeDepth) + " deep; not read further";
    } else {
      // RFC 2046 §5.1.1: a delimiter is CRLF "--" boundary at the start of a line; the CRLF before
      // it belongs to the delimiter, not to the part.
      const std::string delim = "--" + b->second;
      std::vector<std::pair<std::size_t, std::size_t>> bodies;  // [start, end) of each part
      std::size_t pos = 0, start = std::string_view::npos;
      bool closed = false;
      while (pos <= body.size()) {
        std::size_t eol = body.find('\n', pos);
        if (eol == std::string_view::npos) eol = body.size();
        std::string_view line = body.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.substr(0, delim.size()) == delim) {
          const std::string_view rest = trim(line.substr(delim.size()));
          const bool last = rest.substr(0, 2) == "--";
          if (rest.empty() || last) {
            if (start != std::string_view::npos) {
              std::size_t end = pos;
              if (end >= 1 && body[end - 1] == '\n') --end;
              if (end >= 1 && body[end - 1] == '\r') --end;
              bodies.emplace_back(start, std::max(start, end));
            }
            start = eol + 1;
            if (last) {
              closed = true;
              break;
            }
          }
        }
        if (eol >= body.size()) break;
        pos = eol + 1;
      }
      if (!closed) {
        part.problem = "no closing boundary \"" + delim + "--\"";
        if (start != std::string_view::npos && start < body.size()) bodies.emplace_back(start, body.size());
      }
      const std::string child_default = part.content_type == "multipart/digest" ? "message/rfc822" : "text/plain";
      for (const auto& [s, e] : bodies) {
        if (++count.parts > kMaxMimeParts) {
          part.problem = "more than " + std::to_string(kMaxMimeParts) + " parts; the rest is not read";
          break;
        }
        const Message m = Message::parse(body.substr(s, e - s));
        part.children.push_back(parse_entity(m.headers(), m.body(), depth + 1, count, child_default));
      }
      part.encoded = std::string(body);
      part.decoded = part.encoded;
      return part;
    }
  }
  part.encoded = std::string(body);
  if (part.encoding == "base64") {
    auto d = base64_decode(body);
    if (d) {
      part.decoded = std::move(*d);
    } else {
      part.decoded = part.encoded;
      part.problem = "the base64 text has characters outside the base64 alphabet";
    }
  } else if (part.encoding == "quoted-printable") {
    part.decoded = qp_decode(body);
  } else {
    if (part.encoding != "7bit" && part.encoding != "8bit" && part.encoding != "binary")
      part.problem = "unknown Content-Transfer-Encoding \"" + part.encoding + "\"";
    part.decoded = part.encoded;
  }
  if (part.content_type == "message/rfc822") {
    if (depth >= kMaxMimeDepth) {
      part.problem = "parts nested more than " + std::to_string(kMaxMimeDepth) + " deep; not read further";
    } else {
      const Message inner = Message::parse(part.decoded);
      part.children.push_back(parse_entity(inner.headers(), inner.body(), depth + 1, count, "text/plain"));
    }
  }
  return part;
}

std::string boundary(Rng& rng) {
  static constexpr char kAlnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string b = "------------";
  for (int i = 0; i < 24; ++i) b += kAlnum[rng.uniform(0, 61)];
  return b;
}

// A text part's headers and body: 7bit when ASCII with short lines, else 8bit or quoted-printable.
struct TextPart {
  std::string type, encoding, body;
};

TextPart text_part(std::string_view subtype, std::string_view text, bool quoted_printable) {
  TextPart t;
  std::string body = to_crlf(text);
  if (!body.empty() && (body.size() < 2 || body.compare(body.size() - 2, 2, "\r\n") != 0)) body += "\r\n";
  t.type = "text/" + std::string(subtype) + "; charset=UTF-8";
  // RFC 5322 §2.1.1: lines of at most 998 octets; longer ones must be encoded.
  if (is_ascii(body) && longest_line(body) <= 998) {
    t.encoding = "7bit";
    t.body = body;
  } else if (!quoted_printable && longest_line(body) <= 998) {
    t.encoding = "8bit";
    t.body = body;
  } else {
    t.encoding = "quoted-printable";
    t.body = qp_encode(body);
  }
  return t;
}

std::string entity(const std::string& type, const std::string& encoding, const std::string& extra,
                   const std::string& body) {
  std::string out = "Content-Type: " + type + "\r\n";
  if (!extra.empty()) out += extra;
  if (!encoding.empty()) out += "Content-Transfer-Encoding: " + encoding + "\r\n";
  return out + "\r\n" + body;
}

std::string multipart(const std::string& b, const std::vector<std::string>& parts, bool preamble) {
  std::string out = preamble ? "This is a multi-part message in MIME format.\r\n" : "";
  // RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter, so it is added after
  // every part; a part that ends in a line break keeps it.
  for (const auto& p : parts) out += "--" + b + "\r\n" + p + "\r\n";
  return out + "--" + b + "--\r\n";
}

}  // namespace

std::string qp_encode(std::string_view data) {
  std::string out;
  std::size_t col = 0;
  auto put = [&](std::string_view piece) {
    // Soft line break (RFC 2045 §6.7 rule 5): lines of at most 76 characters including the '='.
    if (col + piece.size() > kMimeLineLength - 1) {
      out += "=\r\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  };
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') {  // hard line break stays
      out += "\r\n";
      col = 0;
      ++i;
      continue;
    }
    const bool at_eol = i + 1 == data.size() || data[i + 1] == '\r';
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_eol);
    if (literal) {
      const char ch = static_cast<char>(c);
      put(std::string_view(&ch, 1));
    } else {
      const char enc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      put(std::string_view(enc, 3));
    }
  }
  return out;
}

std::string qp_decode(std::string_view text) {
  std::string out;
  std::size_t line_start = 0;
  while (line_start <= text.size()) {
    std::size_t eol = text.find('\n', line_start);
    const bool has_eol = eol != std::string_view::npos;
    if (!has_eol) eol = text.size();
    std::string_view line = text.substr(line_start, eol - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);  // rule 3
    bool soft = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '=') {
        out += line[i];
      } else if (i + 1 == line.size()) {
        soft = true;  // "=" at the end: the line continues
      } else if (i + 2 < line.size() + 0 && hex_value(line[i + 1]) >= 0 && hex_value(line[i + 2]) >= 0) {
        out += static_cast<char>(hex_value(line[i + 1]) * 16 + hex_value(line[i + 2]));
        i += 2;
      } else {
        out += '=';  // RFC 2045 §6.7 note: a robust decoder keeps a stray '='
      }
    }
    if (!has_eol) break;
    if (!soft) out += "\r\n";
    line_start = eol + 1;
  }
  return out;
}

std::string base64_lines(std::string_view data) {
  const std::string b = base64_encode(data);
  std::string out;
  out.reserve(b.size() + b.size() / kMimeLineLength * 2 + 2);
  for (std::size_t i = 0; i < b.size(); i += kMimeLineLength) {
    out.append(b, i, kMimeLineLength);
    out += "\r\n";
  }
  return out;
}

MimeParams parse_mime_params(std::string_view header) {
  MimeParams out;
  std::vector<std::string> pieces;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const char c = header[i];
    if (quoted && c == '\\' && i + 1 < header.size()) {
      cur += header[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      pieces.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  pieces.push_back(cur);
  out.value = lower(trim(pieces.front()));
  std::map<std::string, std::string> continued;  // RFC 2231 §3 name*0, name*1, ...
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const std::string_view p = trim(pieces[i]);
    const auto eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name = lower(trim(p.substr(0, eq)));
    std::string value(trim(p.substr(eq + 1)));
    const bool extended = !name.empty() && name.back() == '*';
    if (extended) {
      name.pop_back();
      // charset'language'percent-encoded (RFC 2231 §4); only UTF-8 and ASCII are read as such.
      const auto q1 = value.find('\'');
      const auto q2 = q1 == std::string::npos ? q1 : value.find('\'', q1 + 1);
      value = percent_decode(q2 == std::string::npos ? value : value.substr(q2 + 1));
    }
    const auto star = name.find('*');
    if (star != std::string::npos) {
      continued[name.substr(0, star)] += value;
      continue;
    }
    out.params[name] = value;
  }
  for (auto& [name, value] : continued)
    if (!out.params.count(name)) out.params[name] = value;
  return out;
}

MimePart parse_mime(std::string_view message) {
  const Message m = Message::parse(message);
  Counter count;
  return parse_entity(m.headers(), m.body(), 0, count, "text/plain");
}

std::string guess_mime_type(std::string_view filename) {
  const auto dot = filename.rfind('.');
  const std::string ext = dot == std::string_view::npos ? std::string() : lower(filename.substr(dot + 1));
  static const std::map<std::string, std::string> types{
      {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"png", "image/png"}, {"gif", "image/gif"},
      {"pdf", "application/pdf"}, {"txt", "text/plain"}, {"html", "text/html"}, {"htm", "text/html"},
      {"csv", "text/csv"}, {"zip", "application/zip"}, {"mp3", "audio/mpeg"}, {"mp4", "video/mp4"},
      {"odt", "application/vnd.oasis.opendocument.text"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"ics", "text/calendar"}, {"vcf", "text/vcard"}};
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

std::string make_attachment_bytes(const AttachmentSpec& spec, Rng& rng) {
  if (spec.has_content) return spec.content;
  const std::string type = spec.type.empty() ? guess_mime_type(spec.name) : lower(spec.type);
  std::string head, tail;
  if (type == "image/jpeg") {
    head = std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
    tail = "\xFF\xD9";
  } else if (type == "image/png") {
    head = std::string("\x89PNG\r\n\x1A\n", 8);
  } else if (type == "application/pdf") {
    head = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    tail = "\n%%EOF\n";
  }
  std::string out = head;
  if (type.rfind("text/", 0) == 0) {
    static const char* kWords[] = {"correo", "mensaje", "servidor", "buzón", "carta", "red", "protocolo",
                                   "mail", "message", "server", "queue", "letter", "lesson", "data"};
    std::size_t col = 0;
    while (out.size() < spec.size) {
      std::string w = kWords[rng.uniform(0, 13)];
      if (col + w.size() > 70) {
        out += "\r\n";
        col = 0;
      } else if (col > 0) {
        out += ' ';
        ++col;
      }
      out += w;
      col += w.size();
    }
    out.resize(spec.size);
    return out;
  }
  while (out.size() + tail.size() < spec.size) out += static_cast<char>(rng.uniform(0, 255));
  out += tail;
  out.resize(spec.size);  // a tiny size may cut the signature: the lesson asked for exactly that size
  return out;
}

std::string serialize_mime(const MimePart& p) {
  std::string out;
  for (const auto& h : p.headers) out += h.name + ": " + h.value + "\r\n";
  out += "\r\n";
  if (!p.multipart() || p.children.empty() || !p.params.count("boundary")) return out + p.encoded;
  const std::string& b = p.params.at("boundary");
  // The parser gave each part its body without the CRLF that starts the next delimiter
  // (RFC 2046 §5.1.1), so exactly one CRLF goes back after every part.
  for (const auto& c : p.children) out += "--" + b + "\r\n" + serialize_mime(c) + "\r\n";
  return out + "--" + b + "--\r\n";
}

namespace {

bool has_8bit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Re-encodes 8-bit text leaves in place; true when anything changed.
bool downgrade_part(MimePart& p) {
  bool changed = false;
  for (auto& c : p.children) changed = downgrade_part(c) || changed;
  if (p.multipart()) {
    if (changed) p.encoded.clear();  // rebuilt from the children by serialize_mime
    return changed;
  }
  if (!has_8bit(p.encoded) || (p.encoding != "8bit" && p.encoding != "binary" && p.encoding != "7bit")) return changed;
  if (p.content_type.rfind("text/", 0) != 0) return changed;  // only text is converted, as Postfix does
  p.encoded = qp_encode(to_crlf(p.decoded));
  p.encoding = "quoted-printable";
  bool found = false;
  for (auto& h : p.headers)
    if (iequals(h.name, "Content-Transfer-Encoding")) {
      h.value = "quoted-printable";
      found = true;
    }
  if (!found) p.headers.push_back({"Content-Transfer-Encoding", "quoted-printable"});
  return true;
}

}  // namespace

std::optional<std::string> downgrade_to_7bit(std::string_view message) {
  const Message m = Message::parse(message);
  if (!has_8bit(m.body())) return std::nullopt;
  MimePart root = parse_mime(message);
  if (!downgrade_part(root)) return std::nullopt;
  return serialize_mime(root);
}

void build_mime_body(Message& message, const BodySpec& body, Rng& rng) {
  if (!message.has("MIME-Version")) message.append("MIME-Version", "1.0");
  const bool qp = body.quoted_printable;
  auto text_entity = [&](std::string_view subtype, std::string_view text) {
    const TextPart t = text_part(subtype, text, qp);
    return entity(t.type, t.encoding, {}, t.body);
  };
  std::string inner;       // the text part, or the alternative of text and html
  std::string inner_type;  // its Content-Type when it is the whole message
  if (body.html.empty()) {
    const TextPart t = text_part("plain", body.text, qp);
    if (body.attachments.empty()) {
      message.append("Content-Type", t.type);
      message.append("Content-Transfer-Encoding", t.encoding);
      message.set_body(t.body);
      return;
    }
    inner = entity(t.type, t.encoding, {}, t.body);
  } else {
    // RFC 2046 §5.1.4: alternatives in increasing order of preference, plain text first.
    const std::string b = boundary(rng);
    inner_type = "multipart/alternative; boundary=\"" + b + "\"";
    const std::vector<std::string> alternatives{text_entity("plain", body.text), text_entity("html", body.html)};
    if (body.attachments.empty()) {
      message.append("Content-Type", inner_type);
      message.set_body(multipart(b, alternatives, true));
      return;
    }
    const std::string alt = multipart(b, alternatives, false);
    inner = entity(inner_type, {}, {}, alt);
  }
  std::vector<std::string> parts{inner};
  for (const auto& a : body.attachments) {
    const std::string type = a.type.empty() ? guess_mime_type(a.name) : a.type;
    const std::string bytes = make_attachment_bytes(a, rng);
    parts.push_back(entity(type + "; " + param("name", a.name), "base64", "Content-Disposition: attachment; " + param("filename", a.name) + "\r\n",
                           base64_lines(bytes)));
  }
  const std::string b = boundary(rng);
  message.append("Content-Type", "multipart/mixed; boundary=\"" + b + "\"");
  message.set_body(multipart(b, parts, true));
}

}  // namespace postlab
