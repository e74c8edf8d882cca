// Cuts the byte stream of a text protocol (SMTP, POP3, IMAP) into what its reader takes: lines ended
// by CRLF, or by a bare LF as Postfix and Dovecot accept, each with a length limit; and runs of exactly
// n octets that are not lines at all (an SMTP BDAT chunk, RFC 3030; an IMAP literal {n}, RFC 3501
// §4.3). Bytes may come split anywhere, one at a time or many lines at once; what is not complete yet
// is kept. Shared by every protocol session, sans-IO like them.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postlab {

struct Framed {
  enum class Kind { Line, Octets };
  Kind kind = Kind::Line;
  // A line without its line end (only its first max_line bytes when it was longer), or a part of
  // an octet run as it arrived. Valid until the framer is fed or asked again.
  std::string_view data;
  std::size_t length = 0;  // Line: how long the line really was, line end not counted
  bool truncated = false;  // Line: longer than max_line; the rest was thrown away
  bool last = false;       // Octets: this part completes the run
};

class Framer {
 public:
  explicit Framer(std::size_t max_line) : max_line_(max_line) {}

  void feed(std::string_view bytes) { buf_.append(bytes); }
  // The next complete frame; nullopt when more bytes are needed.
  std::optional<Framed> next();
  // The next n bytes are a run of octets, handed out as they arrive (n may be 0: nothing to read).
  void expect_octets(std::size_t n) { octets_left_ = n; }
  std::size_t octets_left() const { return octets_left_; }
  // Lines longer than this are cut here (what a server keeps of an over-long command).
  void set_max_line(std::size_t max_line) { max_line_ = max_line; }
  std::size_t max_line() const { return max_line_; }
  // Forgets every byte not yet framed (STARTTLS: what came before the handshake is not trusted).
  void discard_buffered();
  std::size_t buffered() const { return buf_.size() - pos_ + kept_.size(); }

 private:
  std::string buf_;        // bytes fed, read from pos_
  std::size_t pos_ = 0;
  std::size_t scanned_ = 0;  // bytes after pos_ already searched for a line end
  std::string kept_;       // the kept head of an over-long line whose end has not come yet
  std::size_t dropped_ = 0;  // bytes of that line thrown away so far
  bool last_cr_ = false;     // the last byte kept or thrown away was a CR
  std::size_t octets_left_ = 0;
  std::size_t max_line_;
  std::string line_;       // the line handed out last (when it had to be put together)
};

// RFC 5321 §4.5.2: a line of an SMTP DATA section. `end` for the lone dot that ends it; otherwise the
// line with the dot the sender added in front of a line that began with one taken off again.
struct DataLine {
  bool end = false;
  std::string_view text;
};
DataLine unstuff(std::string_view line);

// RFC 3501 §4.3, RFC 7888: an IMAP line that ends with a literal announcement "{n}" or "{n+}" (the
// non-synchronizing form). nullopt when it does not, or the number is malformed or beyond `max`.
struct Literal {
  std::size_t size = 0;
  bool non_sync = false;  // "{n+}": the client sends the octets without waiting for "+ go ahead"
};
std::optional<Literal> literal_at_end(std::string_view line, std::size_t max);

}  // namespace postlab
