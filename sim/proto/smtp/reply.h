// SMTP replies (RFC 5321 §4.2): three digits, '-' on every line but the last, then text.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postlab::smtp {

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text after "ddd-" / "ddd "
  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
  std::string first_line() const;  // "550 5.1.1 <x>: ..."
};

// Gathers reply lines until a complete reply is seen.
class ReplyReader {
 public:
  enum class Status { NeedMore, Complete, Malformed };
  Status feed_line(std::string_view line);  // one line without CRLF
  Reply take();                             // after Complete

 private:
  Reply current_;
  bool started_ = false;
};

}  // namespace postlab::smtp
