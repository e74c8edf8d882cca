// proto/framer: lines and octet runs cut from a stream that may be split anywhere. Every test feeds
// the same bytes whole, one byte at a time, and in random pieces, and must read the same frames.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/rng.h"
#include "proto/framer.h"

using namespace postlab;

namespace {

// What a reader makes of the frames: "L:<text>" (with "+<n>" when cut, n the real length), or "O:<bytes>"
// for a whole octet run. After a line "BDAT <n>" or one ending "{<n>}" the next n bytes are octets.
std::vector<std::string> read_all(const std::vector<std::string>& pieces, std::size_t max_line) {
  Framer f(max_line);
  std::vector<std::string> out;
  std::string run;
  for (const auto& p : pieces) {
    f.feed(p);
    while (auto fr = f.next()) {
      if (fr->kind == Framed::Kind::Octets) {
        run.append(fr->data);
        if (fr->last) {
          out.push_back("O:" + run);
          run.clear();
        }
        continue;
      }
      std::string line(fr->data);
      out.push_back("L:" + line + (fr->truncated ? "+" + std::to_string(fr->length) : ""));
      if (line.rfind("BDAT ", 0) == 0) f.expect_octets(std::stoul(line.substr(5)));
      if (auto lit = literal_at_end(line, 1000)) f.expect_octets(lit->size);
    }
  }
  return out;
}

std::vector<std::vector<std::string>> splits(const std::string& bytes) {
  std::vector<std::vector<std::string>> all;
  all.push_back({bytes});
  std::vector<std::string> ones;
  for (char c : bytes) ones.emplace_back(1, c);
  all.push_back(ones);
  Rng rng(42);
  for (int t = 0; t < 20; ++t) {
    std::vector<std::string> pieces;
    for (std::size_t i = 0; i < bytes.size();) {
      const std::size_t n = std::min<std::size_t>(bytes.size() - i, rng.uniform(1, 7));
      pieces.push_back(bytes.substr(i, n));
      i += n;
    }
    all.push_back(pieces);
  }
  return all;
}

void check_every_split(const std::string& bytes, std::size_t max_line, const std::vector<std::string>& expected) {
  for (const auto& pieces : splits(bytes)) {
    INFO("pieces: " << pieces.size());
    CHECK(read_all(pieces, max_line) == expected);
  }
}

}  // namespace

TEST_CASE("framer: CRLF and bare LF end lines and an unfinished line waits") {
  check_every_split("EHLO a\r\nMAIL FROM:<x@y>\nRCPT", 100, {"L:EHLO a", "L:MAIL FROM:<x@y>"});
  check_every_split("\r\n\n", 100, {"L:", "L:"});
  check_every_split("a\rb\r\n", 100, {"L:a\rb"});  // a CR inside a line is content
}

TEST_CASE("framer: a line over the limit keeps its head and says how long it was") {
  check_every_split("ABCDEFGHIJ\r\nok\r\n", 4, {"L:ABCD+10", "L:ok"});
  check_every_split("ABCD\r\nABCDE\r\n", 4, {"L:ABCD", "L:ABCD+5"});  // exactly the limit is not cut
  check_every_split("ABCD\rX\r\n", 4, {"L:ABCD+6"});
  // The buffer does not grow with a runaway line.
  Framer f(8);
  for (int i = 0; i < 10000; ++i) {
    f.feed("xxxxxxxxxx");
    CHECK_FALSE(f.next());
  }
  CHECK(f.buffered() <= 8 + 10);
  f.feed("\r\n");
  auto line = f.next();
  REQUIRE(line);
  CHECK(line->data == "xxxxxxxx");
  CHECK(line->length == 100000);
  CHECK(line->truncated);
}

TEST_CASE("framer: octet runs are read exactly and may hold line ends") {
  check_every_split("BDAT 7\r\nab\r\n.\r\nBDAT 0\r\nQUIT\r\n", 100, {"L:BDAT 7", "O:ab\r\n.\r\n", "L:BDAT 0", "L:QUIT"});
  check_every_split("A1 APPEND INBOX {5}\r\nHello\r\nA2 NOOP\r\n", 100, {"L:A1 APPEND INBOX {5}", "O:Hello", "L:", "L:A2 NOOP"});
  check_every_split("A1 APPEND INBOX {3+}\r\nabc\r\n", 100, {"L:A1 APPEND INBOX {3+}", "O:abc", "L:"});
}

TEST_CASE("framer: bytes before STARTTLS can be thrown away") {
  Framer f(100);
  f.feed("STARTTLS\r\nMAIL FROM:<evil@x>\r\n");
  auto line = f.next();
  REQUIRE(line);
  CHECK(line->data == "STARTTLS");
  f.discard_buffered();
  CHECK_FALSE(f.next());
  CHECK(f.buffered() == 0);
}

TEST_CASE("unstuff: the lone dot ends DATA and a leading dot is taken off") {
  CHECK(unstuff(".").end);
  CHECK_FALSE(unstuff("..").end);
  CHECK(unstuff("..").text == ".");
  CHECK(unstuff("..hidden").text == ".hidden");
  CHECK(unstuff("text").text == "text");
  CHECK(unstuff("").text.empty());
  CHECK_FALSE(unstuff(". ").end);
}

TEST_CASE("literal_at_end reads IMAP literal announcements") {
  auto l = literal_at_end("A1 APPEND INBOX {310}", 1000);
  REQUIRE(l);
  CHECK(l->size == 310);
  CHECK_FALSE(l->non_sync);
  auto p = literal_at_end("A1 LOGIN {5+}", 1000);
  REQUIRE(p);
  CHECK(p->non_sync);
  CHECK(p->size == 5);
  for (const char* bad : {"A1 NOOP", "{}", "A1 X {a}", "A1 X {5", "A1 X {+}", "A1 X {1001}", "A1 X {99999999999999999999}"})
    CHECK_FALSE(literal_at_end(bad, 1000));
}
