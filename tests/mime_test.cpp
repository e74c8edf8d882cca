// mail/mime: quoted-printable and base64 bodies, MIME parameters, the message builder and the parser;
// mail/message: header folding.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "mail/mime.h"

using namespace postlab;

namespace {

// Physical lines of a CRLF text, without their line ends (a final CRLF gives no empty last line).
std::vector<std::string> crlf_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      out.emplace_back(text.substr(pos));
      break;
    }
    out.emplace_back(text.substr(pos, eol - pos));
    pos = eol + 2;
  }
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// What a text part holds after build and parse: CRLF line ends, and a final line end.
std::string normalized(std::string_view text) {
  std::string t = to_crlf(text);
  if (!t.empty() && !ends_with(t, "\r\n")) t += "\r\n";
  return t;
}

Message headers_only() {
  Message m;
  m.append("From", "Alice <alice@uni.example>");
  m.append("To", "Bob <bob@correo.example>");
  m.append("Subject", "hola");
  return m;
}

MimePart build_and_parse(const BodySpec& spec, std::uint64_t seed = 7, std::string* wire = nullptr) {
  Message m = headers_only();
  Rng rng(seed);
  build_mime_body(m, spec, rng);
  const std::string text = m.serialize();
  if (wire) *wire = text;
  return parse_mime(text);
}

// Every base64 line of a part is at most 76 characters and only the last may be shorter.
void check_base64_lines(const MimePart& p) {
  const auto lines = crlf_lines(p.encoded);
  REQUIRE_FALSE(lines.empty());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(i);
    CHECK(lines[i].size() <= kMimeLineLength);
    if (i + 1 < lines.size() && !lines[i + 1].empty()) CHECK(lines[i].size() == kMimeLineLength);
    for (char c : lines[i]) {
      const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                       c == '/' || c == '=';
      CHECK(b64);
    }
  }
}

const char* const kSpanish =
    "Hola Bob:\n\nTe envío la foto de la excursión a la montaña y el programa del año que viene. ¡Qué día más "
    "bonito! El niño comió piñata, y mañana volveremos al camino de Peñalara con el pingüino.\n\nUn abrazo,\nAlice\n";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Quoted-printable (RFC 2045 §6.7)

TEST_CASE("qp_encode encodes '=' and non-ASCII bytes and keeps plain text") {
  CHECK(qp_encode("Hello Bob") == "Hello Bob");
  CHECK(qp_encode("a=b") == "a=3Db");
  CHECK(qp_encode("==") == "=3D=3D");
  CHECK(qp_encode("niño") == "ni=C3=B1o");
  CHECK(qp_encode("mañana\r\n") == "ma=C3=B1ana\r\n");
  CHECK(qp_encode(std::string("\x00\x7F\xFF", 3)) == "=00=7F=FF");
  CHECK(qp_encode("a\tb c") == "a\tb c");  // white space inside a line stays (rule 3)
}

TEST_CASE("qp_encode encodes white space at the end of a line and keeps hard line breaks") {
  CHECK(qp_encode("end ") == "end=20");
  CHECK(qp_encode("end\t") == "end=09");
  CHECK(qp_encode("trailing \r\nnext\t\r\nlast") == "trailing=20\r\nnext=09\r\nlast");
  CHECK(qp_encode("two  \r\n") == "two =20\r\n");
  CHECK(qp_encode("a\r\n\r\nb") == "a\r\n\r\nb");
  for (const auto& line : crlf_lines(qp_encode("x \r\ny\t\r\n \r\n\t"))) {
    CAPTURE(line);
    REQUIRE_FALSE(line.empty());
    CHECK(line.back() != ' ');
    CHECK(line.back() != '\t');
  }
}

TEST_CASE("qp_encode keeps every line within 76 characters with soft breaks") {
  const std::vector<std::string> texts{
      std::string(200, 'x'),
      std::string(75, 'a'),
      std::string(76, 'a'),
      std::string(74, 'a') + "ñ",
      std::string(73, 'a') + "=",
      [] {
        std::string s;
        for (int i = 0; i < 60; ++i) s += "ñ";
        return s;
      }(),
      std::string(300, ' ') + "x",
      std::string(kSpanish) + std::string(kSpanish),
  };
  for (const auto& t : texts) {
    CAPTURE(t);
    const std::string enc = qp_encode(to_crlf(t));
    for (const auto& line : crlf_lines(enc)) {
      CAPTURE(line);
      CHECK(line.size() <= kMimeLineLength);
      // Only printable ASCII travels (rule 2) and an "=" is never cut from its two hex digits.
      for (char c : line) CHECK(((c >= 33 && c <= 126) || c == ' ' || c == '\t'));
      for (std::size_t i = 0; i < line.size(); ++i)
        if (line[i] == '=' && i + 1 < line.size()) {
          REQUIRE(i + 2 < line.size());
          const auto hex = [](char h) { return (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'); };
          CHECK(hex(line[i + 1]));
          CHECK(hex(line[i + 2]));
          i += 2;
        }
    }
  }
  const auto lines = crlf_lines(qp_encode(std::string(200, 'x')));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == std::string(75, 'x') + "=");
  CHECK(lines[1] == std::string(75, 'x') + "=");
  CHECK(lines[2] == std::string(50, 'x'));
}

TEST_CASE("qp_decode reads encoded bytes and soft breaks and drops transport padding") {
  CHECK(qp_decode("=41=42C") == "ABC");
  CHECK(qp_decode("ni=C3=B1o") == "niño");
  CHECK(qp_decode("ni=c3=b1o") == "niño");  // lower-case hex is read too
  CHECK(qp_decode("abc=\r\ndef") == "abcdef");
  CHECK(qp_decode("abc=  \r\ndef") == "abcdef");   // white space after a soft break
  CHECK(qp_decode("abc   \r\ndef") == "abc\r\ndef");  // rule 3: trailing white space is padding
  CHECK(qp_decode("a=\ndef\n") == "adef\r\n");       // bare LF line ends
  CHECK(qp_decode("a=zzb") == "a=zzb");              // a stray '=' is kept
  CHECK(qp_decode("end=") == "end");
  CHECK(qp_decode("") == "");
}

TEST_CASE("qp_decode(qp_encode(x)) == x") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::vector<std::string> texts{
      "",
      "plain ASCII line",
      "\r\n",
      "a=b==c=\r\n=",
      "trailing space \r\ntrailing tab\t\r\n  \r\n\t",
      "no final line end",
      "lone\nLF and lone\rCR",
      to_crlf(kSpanish),
      to_crlf(std::string(kSpanish) + std::string(500, 'z') + " ñ " + std::string(150, '=') + "\n"),
      std::string(1000, ' '),
      all,
      all + all + "\r\n" + all,
  };
  for (const auto& t : texts) {
    CAPTURE(t);
    CHECK(qp_decode(qp_encode(t)) == t);
  }
  Rng rng(2045);
  for (int round = 0; round < 200; ++round) {
    std::string t;
    const auto n = rng.uniform(0, 400);
    for (std::uint64_t i = 0; i < n; ++i) {
      static constexpr char kPool[] = {'a', 'Z', ' ', '\t', '=', '\r', '\n', '.', '\xC3', '\xB1', '0'};
      t += kPool[rng.uniform(0, sizeof kPool - 1)];
    }
    CAPTURE(t);
    CHECK(qp_decode(qp_encode(t)) == t);
    for (const auto& line : crlf_lines(qp_encode(t))) CHECK(line.size() <= kMimeLineLength);
  }
}

// ---------------------------------------------------------------------------------------------
// base64 bodies (RFC 2045 §6.8)

TEST_CASE("base64_lines writes lines of 76 characters that decode back") {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{56}, std::size_t{57}, std::size_t{58},
                           std::size_t{114}, std::size_t{3000}}) {
    CAPTURE(size);
    std::string data;
    for (std::size_t i = 0; i < size; ++i) data += static_cast<char>((i * 37 + 11) & 0xFF);
    const std::string b = base64_lines(data);
    CHECK((b.empty() || ends_with(b, "\r\n")));
    const auto lines = crlf_lines(b);
    CHECK(lines.size() == (base64_encode(data).size() + kMimeLineLength - 1) / kMimeLineLength);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i + 1 < lines.size()) CHECK(lines[i].size() == kMimeLineLength);
      CHECK(lines[i].size() <= kMimeLineLength);
    }
    CHECK(base64_decode(b) == data);
  }
  CHECK(base64_lines(std::string(57, 'a')) == base64_encode(std::string(57, 'a')) + "\r\n");
  CHECK(crlf_lines(base64_lines(std::string(3000, 'a'))).size() == 53);  // 4000 characters
}

// ---------------------------------------------------------------------------------------------
// Parameters (RFC 2045 §5.1, RFC 2231)

TEST_CASE("parse_mime_params reads the value and its parameters") {
  const MimeParams p = parse_mime_params("text/plain; charset=\"UTF-8\"; format=flowed");
  CHECK(p.value == "text/plain");
  CHECK(p.params.size() == 2);
  CHECK(p.params.at("charset") == "UTF-8");
  CHECK(p.params.at("format") == "flowed");

  const MimeParams upper = parse_mime_params("  Text/HTML ;CharSet=utf-8 ;  NAME = \"Page.html\"  ");
  CHECK(upper.value == "text/html");
  CHECK(upper.params.at("charset") == "utf-8");  // names are lower-cased, values kept
  CHECK(upper.params.at("name") == "Page.html");

  const MimeParams bare = parse_mime_params("attachment");
  CHECK(bare.value == "attachment");
  CHECK(bare.params.empty());
}

TEST_CASE("parse_mime_params: quoted values may hold semicolons and '=' and escaped quotes") {
  const MimeParams p = parse_mime_params("multipart/mixed; boundary=\"----=_Part;7\"; x=1");
  CHECK(p.value == "multipart/mixed");
  CHECK(p.params.at("boundary") == "----=_Part;7");
  CHECK(p.params.at("x") == "1");
  const MimeParams q = parse_mime_params(R"(attachment; filename="say \"hi\" \\ bye.txt")");
  CHECK(q.params.at("filename") == R"(say "hi" \ bye.txt)");
}

TEST_CASE("parse_mime_params: RFC 2231 extended and continued values") {
  const MimeParams p = parse_mime_params("attachment; filename*=UTF-8''%C3%B1.pdf");
  CHECK(p.value == "attachment");
  CHECK(p.params.at("filename") == "ñ.pdf");
  const MimeParams lang = parse_mime_params("attachment; filename*=utf-8'es'a%C3%B1o%20nuevo.txt");
  CHECK(lang.params.at("filename") == "año nuevo.txt");
  const MimeParams cont = parse_mime_params("application/pdf; name*0=\"informe-\"; name*1=\"final.pdf\"");
  CHECK(cont.params.at("name") == "informe-final.pdf");
  const MimeParams mixed = parse_mime_params("attachment; filename*0*=UTF-8''a%C3%B1o; filename*1=\"-2024%.pdf\"");
  CHECK(mixed.params.at("filename") == "año-2024%.pdf");  // only '*' segments are percent-decoded
}

// ---------------------------------------------------------------------------------------------
// Building messages

TEST_CASE("build_mime_body: ASCII text is a single 7bit part") {
  Message m = headers_only();
  Rng rng(1);
  build_mime_body(m, BodySpec{.text = "Hello Bob,\nsee you tomorrow.\n"}, rng);
  CHECK(m.get("MIME-Version") == "1.0");
  CHECK(m.get("Content-Type") == "text/plain; charset=UTF-8");
  CHECK(m.get("Content-Transfer-Encoding") == "7bit");
  CHECK(m.body() == "Hello Bob,\r\nsee you tomorrow.\r\n");
  CHECK(m.get("Subject") == "hola");  // the headers already there stay

  const MimePart p = parse_mime(m.serialize());
  CHECK(p.content_type == "text/plain");
  CHECK(p.params.at("charset") == "UTF-8");
  CHECK(p.encoding == "7bit");
  CHECK_FALSE(p.multipart());
  CHECK(p.children.empty());
  CHECK(p.problem.empty());
  CHECK(p.decoded == "Hello Bob,\r\nsee you tomorrow.\r\n");

  // A MIME-Version header already there is not repeated.
  Message twice = headers_only();
  twice.append("MIME-Version", "1.0");
  build_mime_body(twice, BodySpec{.text = "x y"}, rng);
  int count = 0;
  for (const auto& h : twice.headers()) count += iequals(h.name, "MIME-Version") ? 1 : 0;
  CHECK(count == 1);
}

TEST_CASE("build_mime_body: non-ASCII text is 8bit or quoted-printable when asked") {
  const std::string text = "Hola Bob,\nnos vemos mañana.\n";
  Message eight = headers_only();
  Rng rng(1);
  build_mime_body(eight, BodySpec{.text = text}, rng);
  CHECK(eight.get("Content-Type") == "text/plain; charset=UTF-8");
  CHECK(eight.get("Content-Transfer-Encoding") == "8bit");
  CHECK(eight.body() == "Hola Bob,\r\nnos vemos mañana.\r\n");

  Message qp = headers_only();
  build_mime_body(qp, BodySpec{.text = text, .quoted_printable = true}, rng);
  CHECK(qp.get("Content-Transfer-Encoding") == "quoted-printable");
  CHECK(qp.body() == "Hola Bob,\r\nnos vemos ma=C3=B1ana.\r\n");
  const MimePart p = parse_mime(qp.serialize());
  CHECK(p.encoding == "quoted-printable");
  CHECK(p.decoded == "Hola Bob,\r\nnos vemos mañana.\r\n");

  // ASCII text stays 7bit even when quoted-printable is allowed.
  Message ascii = headers_only();
  build_mime_body(ascii, BodySpec{.text = "plain\n", .quoted_printable = true}, rng);
  CHECK(ascii.get("Content-Transfer-Encoding") == "7bit");

  // A line longer than 998 octets cannot travel as it is (RFC 5322 §2.1.1).
  Message wide = headers_only();
  const std::string long_line = std::string(1200, 'w') + "\n";
  build_mime_body(wide, BodySpec{.text = long_line}, rng);
  CHECK(wide.get("Content-Transfer-Encoding") == "quoted-printable");
  for (const auto& line : crlf_lines(wide.body())) CHECK(line.size() <= kMimeLineLength);
  CHECK(parse_mime(wide.serialize()).decoded == to_crlf(long_line));
}

TEST_CASE("build_mime_body: text and HTML make multipart/alternative with plain text first") {
  std::string wire;
  const MimePart p = build_and_parse(BodySpec{.text = "Hello *Bob*\n", .html = "<p>Hello <b>Bob</b></p>\n"}, 7, &wire);
  CHECK(p.content_type == "multipart/alternative");
  REQUIRE(p.params.count("boundary") == 1);
  CHECK_FALSE(p.params.at("boundary").empty());
  CHECK(wire.find("\r\n--" + p.params.at("boundary") + "--\r\n") != std::string::npos);
  CHECK(p.problem.empty());
  REQUIRE(p.children.size() == 2);
  CHECK(p.children[0].content_type == "text/plain");
  CHECK(p.children[0].params.at("charset") == "UTF-8");
  CHECK(p.children[0].decoded == "Hello *Bob*\r\n");
  CHECK(p.children[1].content_type == "text/html");
  CHECK(p.children[1].decoded == "<p>Hello <b>Bob</b></p>\r\n");
  for (const auto& c : p.children) {
    CHECK(c.problem.empty());
    CHECK(c.encoding == "7bit");
  }
}

TEST_CASE("build_mime_body: text with a JPEG and a PDF makes multipart/mixed") {
  BodySpec spec{.text = "Hola Bob:\nte mando la foto y el programa.\n",
                .attachments = {AttachmentSpec{.name = "foto.jpg", .type = "image/jpeg", .size = 3000},
                                AttachmentSpec{.name = "programa.pdf", .size = 5000}}};
  std::string wire;
  const MimePart p = build_and_parse(spec, 7, &wire);
  CHECK(p.content_type == "multipart/mixed");
  CHECK(p.problem.empty());
  REQUIRE(p.children.size() == 3);

  const MimePart& text = p.children[0];
  CHECK(text.content_type == "text/plain");
  CHECK(text.encoding == "7bit");
  CHECK(text.disposition.empty());
  CHECK(text.decoded == normalized(spec.text));

  const MimePart& jpeg = p.children[1];
  CHECK(jpeg.content_type == "image/jpeg");
  CHECK(jpeg.params.at("name") == "foto.jpg");
  CHECK(jpeg.disposition == "attachment");
  CHECK(jpeg.filename == "foto.jpg");
  CHECK(jpeg.encoding == "base64");
  CHECK(jpeg.problem.empty());
  CHECK(jpeg.decoded_size() == 3000);
  CHECK(jpeg.encoded_size() >= jpeg.decoded_size() * 4 / 3);
  CHECK(jpeg.encoded_size() <= jpeg.decoded_size() * 4 / 3 + 4 + 2 * (3000 / 57 + 2));
  CHECK(starts_with(jpeg.decoded, "\xFF\xD8\xFF"));
  CHECK(ends_with(jpeg.decoded, "\xFF\xD9"));
  check_base64_lines(jpeg);

  const MimePart& pdf = p.children[2];
  CHECK(pdf.content_type == "application/pdf");  // guessed from the name
  CHECK(pdf.filename == "programa.pdf");
  CHECK(pdf.disposition == "attachment");
  CHECK(pdf.encoding == "base64");
  CHECK(pdf.decoded_size() == 5000);
  CHECK(pdf.encoded_size() >= pdf.decoded_size() * 4 / 3);
  CHECK(starts_with(pdf.decoded, "%PDF-"));
  CHECK(ends_with(pdf.decoded, "%%EOF\n"));
  check_base64_lines(pdf);

  // Every line on the wire is short enough for SMTP.
  for (const auto& line : crlf_lines(wire)) CHECK(line.size() <= 998);
}

TEST_CASE("build_mime_body: HTML and an attachment nest the alternative inside the mixed part") {
  BodySpec spec{.text = "Hola", .html = "<p>Hola</p>",
                .attachments = {AttachmentSpec{.name = "año.pdf", .size = 700},
                                AttachmentSpec{.name = "notas.txt", .content = "uno\r\ndos\r\n", .has_content = true}}};
  const MimePart p = build_and_parse(spec);
  CHECK(p.content_type == "multipart/mixed");
  REQUIRE(p.children.size() == 3);
  const MimePart& alt = p.children[0];
  CHECK(alt.content_type == "multipart/alternative");
  REQUIRE(alt.children.size() == 2);
  CHECK(alt.children[0].content_type == "text/plain");
  CHECK(alt.children[1].content_type == "text/html");
  CHECK(alt.children[0].decoded == "Hola\r\n");
  CHECK(alt.children[1].decoded == "<p>Hola</p>\r\n");
  CHECK(p.params.at("boundary") != alt.params.at("boundary"));
  // A non-ASCII file name travels RFC 2231-encoded and comes back whole.
  CHECK(p.children[1].filename == "año.pdf");
  CHECK(p.children[1].decoded_size() == 700);
  CHECK(p.children[2].content_type == "text/plain");  // guessed from .txt
  CHECK(p.children[2].decoded == "uno\r\ndos\r\n");   // given content, byte for byte
}

TEST_CASE("parse_mime(build_mime_body(x)) gives back the text") {
  const std::vector<std::string> texts{
      "Hello Bob",
      "Hello Bob\n",
      "line one\r\nline two\r\n\r\n",
      "!",
      "Old Mac\rline ends\r",
      kSpanish,
      std::string(kSpanish) + std::string(1500, 'n') + " ñ\n",
      "trailing spaces   \nand tabs\t\n",
  };
  for (const auto& text : texts) {
    for (bool qp : {false, true}) {
      for (int shape = 0; shape < 3; ++shape) {  // alone, with HTML, with an attachment
        CAPTURE(text);
        CAPTURE(qp);
        CAPTURE(shape);
        BodySpec spec{.text = text, .quoted_printable = qp};
        if (shape == 1) spec.html = "<p>" + text + "</p>";
        if (shape == 2) spec.attachments.push_back(AttachmentSpec{.name = "a.bin", .size = 100});
        const MimePart p = build_and_parse(spec);
        CHECK(p.problem.empty());
        const MimePart* leaf = &p;
        while (!leaf->children.empty()) leaf = &leaf->children.front();
        CHECK(leaf->content_type == "text/plain");
        CHECK(leaf->problem.empty());
        CHECK(leaf->decoded == normalized(text));
        if (shape == 1) {
          REQUIRE(p.children.size() == 2);
          CHECK(p.children[1].decoded == normalized(spec.html));
        }
      }
    }
  }
}

TEST_CASE("build_mime_body is deterministic: same seed same bytes and another seed another boundary") {
  BodySpec spec{.text = "Hola", .html = "<p>Hola</p>",
                .attachments = {AttachmentSpec{.name = "foto.jpg", .size = 1000}}};
  std::string a, b, c;
  const MimePart pa = build_and_parse(spec, 99, &a);
  build_and_parse(spec, 99, &b);
  const MimePart pc = build_and_parse(spec, 100, &c);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(pa.params.at("boundary") != pc.params.at("boundary"));
  CHECK(pa.children[0].params.at("boundary") != pc.children[0].params.at("boundary"));
}

// ---------------------------------------------------------------------------------------------
// Parsing what others wrote, and what is broken

TEST_CASE("parse_mime reads a hand-written message with preamble and epilogue") {
  const std::string msg =
      "From: x@y.example\r\nContent-Type: multipart/mixed;\r\n boundary=\"XYZ\"\r\n\r\n"
      "preamble\r\n--XYZ\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nfirst\r\n\r\n"
      "--XYZ  \r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: BASE64\r\n"
      "Content-Disposition: attachment; filename=\"data.bin\"\r\n\r\nAAEC\r\n/w==\r\n"
      "--XYZ--\r\nepilogue\r\n";
  const MimePart p = parse_mime(msg);
  CHECK(p.content_type == "multipart/mixed");
  CHECK(p.problem.empty());
  REQUIRE(p.children.size() == 2);
  CHECK(p.children[0].decoded == "first\r\n");
  CHECK(p.children[1].encoding == "base64");
  CHECK(p.children[1].filename == "data.bin");
  CHECK(p.children[1].decoded == std::string("\x00\x01\x02\xFF", 4));
  // A message with no MIME headers is text/plain 7bit (RFC 2045 §5.2).
  const MimePart plain = parse_mime("Subject: x\r\n\r\nhi\r\n");
  CHECK(plain.content_type == "text/plain");
  CHECK(plain.encoding == "7bit");
  CHECK(plain.decoded == "hi\r\n");
}

TEST_CASE("parse_mime: malformed messages set problem and never crash") {
  const MimePart no_boundary = parse_mime("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n--x--\r\n");
  CHECK(no_boundary.multipart());
  CHECK_FALSE(no_boundary.problem.empty());
  CHECK(no_boundary.children.empty());

  const MimePart unclosed = parse_mime(
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n");
  CHECK_FALSE(unclosed.problem.empty());
  REQUIRE(unclosed.children.size() == 1);
  CHECK(unclosed.children[0].decoded == "hello\r\n");

  const MimePart bad64 = parse_mime(
      "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBE*Ri0x!!\r\n");
  CHECK_FALSE(bad64.problem.empty());
  CHECK(bad64.encoded == "JVBE*Ri0x!!\r\n");

  const MimePart no_subtype = parse_mime("Content-Type: text\r\n\r\nx");
  CHECK(no_subtype.content_type == "text/plain");
  CHECK_FALSE(no_subtype.problem.empty());

  const MimePart unknown_cte = parse_mime("Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n");
  CHECK_FALSE(unknown_cte.problem.empty());

  const MimePart never_opened = parse_mime("Content-Type: multipart/mixed; boundary=q\r\n\r\nno parts at all\r\n");
  CHECK_FALSE(never_opened.problem.empty());
  CHECK(never_opened.children.empty());

  // Every prefix of a real message, and random bytes, parse without crashing.
  std::string wire;
  build_and_parse(BodySpec{.text = "Hola", .html = "<p>Hola</p>", .attachments = {AttachmentSpec{.name = "f.jpg", .size = 900}}},
                  3, &wire);
  for (std::size_t n = 0; n <= wire.size(); n += 13) {
    const MimePart p = parse_mime(std::string_view(wire).substr(0, n));
    CHECK(p.children.size() <= kMaxMimeParts);
  }
  Rng rng(5);
  for (int round = 0; round < 50; ++round) {
    std::string junk = "Content-Type: multipart/mixed; boundary=a\r\n\r\n";
    for (int i = 0; i < 300; ++i) {
      static const char* kPieces[] = {"--a", "--a--", "\r\n", "\n", "Content-Type: multipart/mixed; boundary=a",
                                      "Content-Transfer-Encoding: base64", "==", "x", "Content-Type: message/rfc822"};
      junk += kPieces[rng.uniform(0, 8)];
    }
    (void)parse_mime(junk);
  }
}

TEST_CASE("parse_mime stops following nested multiparts at kMaxMimeDepth") {
  const std::size_t levels = kMaxMimeDepth + 5;
  std::string inner = "Content-Type: text/plain\r\n\r\ndeep\r\n";
  for (std::size_t i = levels; i-- > 0;) {
    const std::string b = "b" + std::to_string(i);
    inner = "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n--" + b + "\r\n" + inner + "\r\n--" + b +
            "--\r\n";
  }
  const MimePart top = parse_mime(inner);
  std::size_t depth = 0;
  const MimePart* p = &top;
  while (!p->children.empty()) {
    p = &p->children.front();
    ++depth;
  }
  CHECK(depth == kMaxMimeDepth);
  CHECK(p->multipart());
  CHECK_FALSE(p->problem.empty());
}

TEST_CASE("parse_mime stops following nested message/rfc822 parts at kMaxMimeDepth") {
  std::string msg = "Subject: innermost\r\n\r\nhi\r\n";
  for (std::size_t i = 0; i < kMaxMimeDepth + 5; ++i) msg = "Content-Type: message/rfc822\r\n\r\n" + msg;
  const MimePart top = parse_mime(msg);
  std::size_t depth = 0;
  const MimePart* p = &top;
  while (!p->children.empty()) {
    p = &p->children.front();
    ++depth;
  }
  CHECK(depth == kMaxMimeDepth);
  CHECK(p->content_type == "message/rfc822");
  CHECK_FALSE(p->problem.empty());  // the reader is told that there was more
}

TEST_CASE("parse_mime reads at most kMaxMimeParts parts") {
  std::string msg = "Content-Type: multipart/mixed; boundary=p\r\n\r\n";
  for (std::size_t i = 0; i < kMaxMimeParts + 100; ++i) msg += "--p\r\n\r\nx\r\n";
  msg += "--p--\r\n";
  const MimePart top = parse_mime(msg);
  CHECK(top.children.size() == kMaxMimeParts);
  CHECK_FALSE(top.problem.empty());
}

// ---------------------------------------------------------------------------------------------
// Header folding (RFC 5322 §2.2.3)

namespace {

// Checks fold_header's promises for one value and returns the physical lines ("Name: " included).
std::vector<std::string> check_fold(std::string_view name, const std::string& value, std::size_t width = 78) {
  const std::string folded = fold_header(name, value, width);
  CHECK(unfold(folded) == value);
  const std::vector<std::string> lines = crlf_lines(std::string(name) + ": " + folded);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    CAPTURE(line);
    if (i > 0) {
      REQUIRE_FALSE(line.empty());
      CHECK(line.front() == ' ');  // a continuation starts with white space
      // RFC 5322 §3.2.2: no line of a folded header may be white space only.
      CHECK(line.find_first_not_of(" \t") != std::string::npos);
    }
    if (line.size() > width) {
      // Too long only when there was no space to fold at: one word after the line's leading spaces.
      const std::size_t from = line.find_first_not_of(' ', i == 0 ? name.size() + 2 : 0);
      CHECK((from == std::string::npos || line.find(' ', from) == std::string::npos));
    }
  }
  return lines;
}

}  // namespace

TEST_CASE("fold_header keeps short values and values without spaces on one line") {
  CHECK(fold_header("Subject", "hola") == "hola");
  const std::string unbroken(200, 'x');
  CHECK(fold_header("Subject", unbroken) == unbroken);
  const std::string exact(78 - 9, 'y');  // "Subject: " + 69 = 78
  CHECK(fold_header("Subject", exact) == exact);
  const std::string two = std::string(40, 'a') + " " + std::string(28, 'b');  // 9 + 69 = 78
  CHECK(fold_header("Subject", two) == two);
  CHECK(fold_header("Subject", two + "c") == std::string(40, 'a') + "\r\n " + std::string(28, 'b') + "c");
  // A value that already holds a fold is left alone.
  CHECK(fold_header("To", "a@b.example,\r\n c@d.example") == "a@b.example,\r\n c@d.example");
}

TEST_CASE("fold_header folds long lists at spaces within 78 characters and unfold undoes it") {
  std::string to;
  for (const char* who : {"Alice Example <alice@uni.example>", "Bob Example <bob@correo.example>",
                          "Carol Example <carol@correo.example>", "Dave Example <dave@correo.example>",
                          "Erin Example <erin@correo.example>"})
    to += (to.empty() ? "" : ", ") + std::string(who);
  const auto lines = check_fold("To", to);
  CHECK(lines.size() >= 3);
  for (const auto& line : lines) CHECK(line.size() <= 78);

  const auto subject = check_fold("Subject", "short " + std::string(100, 'x') + " tail");
  REQUIRE(subject.size() == 3);
  CHECK(subject[0] == "Subject: short");
  CHECK(subject[1] == " " + std::string(100, 'x'));
  CHECK(subject[2] == " tail");

  check_fold("Subject", std::string(100, 'q') + " then more words that fit");
  check_fold("X-Narrow", "one two three four five six", 12);
}

TEST_CASE("fold_header on many generated values keeps its promises") {
  Rng rng(5322);
  for (int round = 0; round < 300; ++round) {
    std::string value;
    const auto words = rng.uniform(1, 30);
    for (std::uint64_t w = 0; w < words; ++w) {
      if (w > 0) value += std::string(rng.uniform(1, 3), ' ');
      value += std::string(rng.uniform(1, rng.uniform(0, 3) == 0 ? 90 : 12), static_cast<char>('a' + w % 26));
    }
    CAPTURE(value);
    check_fold(rng.uniform(0, 1) ? "Subject" : "X-A-Much-Longer-Header-Name", value);
  }
}

TEST_CASE("mime: downgrade_to_7bit turns 8-bit text into quoted-printable and leaves the rest") {
  const std::string plain = "Subject: x\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                            "Buenos días, mañana.\r\n";
  auto down = downgrade_to_7bit(plain);
  REQUIRE(down.has_value());
  const Message parsed = Message::parse(*down);
  for (unsigned char c : parsed.body()) CHECK(c < 0x80);
  const MimePart p = parse_mime(*down);
  CHECK(p.encoding == "quoted-printable");
  CHECK(p.decoded == "Buenos días, mañana.\r\n");
  CHECK_FALSE(downgrade_to_7bit("Subject: x\r\n\r\nonly ascii\r\n").has_value());

  // In a multipart message only the 8-bit text part changes; base64 parts stay byte for byte.
  Message m;
  m.append("Subject", "x");
  Rng rng(5);
  BodySpec body;
  body.text = "Año nuevo, vida nueva.\n";
  AttachmentSpec a;
  a.name = "foto.jpg";
  a.size = 500;
  body.attachments.push_back(a);
  build_mime_body(m, body, rng);
  const std::string original = m.serialize();
  auto mixed = downgrade_to_7bit(original);
  REQUIRE(mixed.has_value());
  const MimePart before = parse_mime(original), after = parse_mime(*mixed);
  REQUIRE(after.children.size() == 2);
  CHECK(after.children[0].encoding == "quoted-printable");
  CHECK(after.children[0].decoded == before.children[0].decoded);
  CHECK(after.children[1].encoded == before.children[1].encoded);
  CHECK(after.children[1].decoded.size() == 500);
}
