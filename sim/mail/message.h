// RFC 5322 messages: an ordered header list and a body, both kept byte-exact (CRLF line ends).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

struct Header {
  std::string name;
  std::string value;  // as on the wire after "Name:" (leading space kept out), folds kept as CRLF + WSP
};

class Message {
 public:
  // Splits at the first empty line. Lines may end in CRLF or LF; output always uses CRLF.
  static Message parse(std::string_view data);
  std::string serialize() const;

  const std::vector<Header>& headers() const { return headers_; }
  const std::string& body() const { return body_; }
  void set_body(std::string body) { body_ = std::move(body); }

  // First header with this name (case-insensitive), unfolded; empty when absent.
  std::string get(std::string_view name) const;
  bool has(std::string_view name) const;
  void prepend(std::string name, std::string value);  // trace headers go on top (RFC 5321 §4.4)
  void append(std::string name, std::string value);

 private:
  std::vector<Header> headers_;
  std::string body_;
};

// RFC 5322 §2.1.1/§2.2.3: folds a header value at spaces so that "Name: value" lines stay within
// `width` characters where a space allows it. Values that already hold a fold are left alone.
std::string fold_header(std::string_view name, std::string_view value, std::size_t width = 78);
// RFC 5322 §2.2.3: remove CRLF before WSP.
std::string unfold(std::string_view value);
// Normalises a text to CRLF line ends (lone LF or CR become CRLF).
std::string to_crlf(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace postlab
