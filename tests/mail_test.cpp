// mail/: addresses, RFC 5322 messages, base64 and RFC 2047 header encoding, the mailstore.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mail/address.h"
#include "mail/encoding.h"
#include "mail/mailstore.h"
#include "mail/message.h"

using namespace postlab;

namespace {

// Strict UTF-8 validation (no overlongs, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const auto next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + sep.size();
  }
}

}  // namespace

TEST_CASE("the UTF-8 checker used below tells good from bad") {
  CHECK(valid_utf8("plain ¡Hola! año €"));
  CHECK_FALSE(valid_utf8("\xC2"));
  CHECK_FALSE(valid_utf8("a\xC3"));
  CHECK_FALSE(valid_utf8("\xA1Hola"));
  CHECK_FALSE(valid_utf8("\xE2\x82"));
}

// ---------------------------------------------------------------------------------------------
// Addresses

TEST_CASE("parse_address accepts addr-specs and lower-cases only the domain") {
  auto a = parse_address("bob@correo.example");
  REQUIRE(a);
  CHECK(a->local == "bob");
  CHECK(a->domain == "correo.example");
  CHECK(a->str() == "bob@correo.example");

  auto b = parse_address("Bob.Smith+tag@Correo.EXAMPLE");
  REQUIRE(b);
  CHECK(b->local == "Bob.Smith+tag");  // local parts are case-sensitive (RFC 5321 §2.4)
  CHECK(b->domain == "correo.example");

  CHECK(parse_address("o'brien@x.example"));
  CHECK(parse_address("josé@x.example"));  // RFC 6531 UTF-8 local part
  CHECK(parse_address("a@b-c.example"));
  CHECK(parse_address(std::string(64, 'x') + "@x.example"));
  CHECK(normalize_address("Bob@Correo.EXAMPLE") == "Bob@correo.example");
  CHECK(normalize_address("not an address") == "not an address");
}

TEST_CASE("parse_address rejects bad syntax") {
  for (const char* bad : {"", "bob", "@x.example", "bob@", "bob@@x.example", ".bob@x.example", "bob.@x.example",
                          "bo..b@x.example", "bob@-x.example", "bob@x-.example", "bob@x..example", "bob@.x.example",
                          "bob@x.example.", "b ob@x.example", "bob@x_y.example", "<bob@x.example>", "bob@x.example ",
                          "bo(b)@x.example", "bob@x.exam ple"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_address(bad).has_value());
  }
  // Postfix takes local parts longer than RFC 5321's 64 octets, and so does PostLab.
  CHECK(parse_address(std::string(100, 'x') + "@x.example"));  // RFC 5321 §4.5.3.1.1
  CHECK_FALSE(parse_address("bob@" + std::string(64, 'l') + ".example"));  // label over 63
  CHECK(is_valid_domain("mail.uni.example"));
  CHECK(is_valid_domain("alice-laptop"));
  CHECK_FALSE(is_valid_domain("-lead.example"));
  CHECK_FALSE(is_valid_domain(""));
}

TEST_CASE("parse_mailbox reads display mailboxes and bare addresses") {
  auto a = parse_mailbox("Alice <alice@uni.example>");
  REQUIRE(a);
  CHECK(a->str() == "alice@uni.example");
  auto b = parse_mailbox("  bob@correo.example\t");
  REQUIRE(b);
  CHECK(b->str() == "bob@correo.example");
  auto c = parse_mailbox("Bob Martínez <Bob@Correo.Example>");
  REQUIRE(c);
  CHECK(c->local == "Bob");
  CHECK(c->domain == "correo.example");
  auto d = parse_mailbox("\"Doe, John\" <john@x.example>");
  REQUIRE(d);
  CHECK(d->str() == "john@x.example");
  for (const char* bad : {"Alice <alice@uni.example", "Alice <alice@uni.example> x", "Alice <>", "Alice",
                          "Alice <alice>", "<bad@@x.example>", ""}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_mailbox(bad).has_value());
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

TEST_CASE("Message::parse and serialize round-trip byte for byte with folded headers") {
  const std::string raw =
      "Received: from alice-laptop (alice-laptop [192.0.2.10])\r\n"
      "\tby mail.uni.example (Postfix) with ESMTP id 36330D3E050\r\n"
      "\tfor <bob@correo.example>; Mon,  2 Mar 2026 09:00:00 +0000 (UTC)\r\n"
      "Subject: a long\r\n subject line\r\n"
      "From: Alice <alice@uni.example>\r\n"
      "X-Empty: \r\n"
      "\r\n"
      "Hola Bob,\r\n"
      "\r\n"
      "Subject: this is body text, not a header\r\n"
      ".\r\n";
  const Message m = Message::parse(raw);
  REQUIRE(m.headers().size() == 4);
  CHECK(m.headers()[0].name == "Received");
  CHECK(m.headers()[0].value ==
        "from alice-laptop (alice-laptop [192.0.2.10])\r\n\tby mail.uni.example (Postfix) with ESMTP id "
        "36330D3E050\r\n\tfor <bob@correo.example>; Mon,  2 Mar 2026 09:00:00 +0000 (UTC)");
  CHECK(m.headers()[1].value == "a long\r\n subject line");
  CHECK(m.headers()[3].name == "X-Empty");
  CHECK(m.headers()[3].value.empty());
  CHECK(m.body() == "Hola Bob,\r\n\r\nSubject: this is body text, not a header\r\n.\r\n");
  CHECK(m.serialize() == raw);
}

TEST_CASE("Message::parse turns LF line ends into CRLF") {
  const Message m = Message::parse("Subject: hi\n there\nTo: b@x.example\n\nline 1\nline 2\n");
  CHECK(m.serialize() == "Subject: hi\r\n there\r\nTo: b@x.example\r\n\r\nline 1\r\nline 2\r\n");
  CHECK(m.get("subject") == "hi there");
}

TEST_CASE("Message::parse: a line that is no header starts the body") {
  const Message m = Message::parse("Subject: x\r\nthis has no colon\r\nmore\r\n");
  REQUIRE(m.headers().size() == 1);
  CHECK(m.body() == "this has no colon\r\nmore\r\n");
  const Message empty_body = Message::parse("Subject: x\r\n\r\n");
  CHECK(empty_body.body().empty());
  CHECK(empty_body.serialize() == "Subject: x\r\n\r\n");
}

TEST_CASE("Message::get finds headers case-insensitively and unfolds them") {
  const Message m = Message::parse(
      "Received: from a\r\n\tby b\r\nSubject: =?UTF-8?Q?=C2=A1Hola!?=\r\nReceived: second\r\n\r\nbody\r\n");
  CHECK(m.get("RECEIVED") == "from a\tby b");  // the first one, CRLF removed, the WSP kept
  CHECK(m.get("subject") == "=?UTF-8?Q?=C2=A1Hola!?=");
  CHECK(m.has("Subject"));
  CHECK_FALSE(m.has("Date"));
  CHECK(m.get("Date").empty());
  CHECK(unfold("a\r\n b\r\n\tc") == "a b\tc");
  CHECK(to_crlf("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd");
  CHECK(iequals("Content-Type", "content-TYPE"));
  CHECK_FALSE(iequals("Content-Type", "Content-Typ"));
}

TEST_CASE("Message::prepend puts a header first and append puts it last") {
  Message m = Message::parse("Subject: s\r\nFrom: a@x.example\r\n\r\nbody\r\n");
  m.prepend("Received", "from x\r\n\tby y");
  m.prepend("Return-Path", "<a@x.example>");
  m.append("X-Last", "z");
  REQUIRE(m.headers().size() == 5);
  CHECK(m.headers()[0].name == "Return-Path");
  CHECK(m.headers()[1].name == "Received");
  CHECK(m.headers()[2].name == "Subject");
  CHECK(m.headers()[4].name == "X-Last");
  CHECK(m.serialize() ==
        "Return-Path: <a@x.example>\r\nReceived: from x\r\n\tby y\r\nSubject: s\r\nFrom: a@x.example\r\nX-Last: "
        "z\r\n\r\nbody\r\n");
}

// ---------------------------------------------------------------------------------------------
// base64

TEST_CASE("base64 matches the RFC 4648 §10 test vectors both ways") {
  const std::vector<std::pair<std::string, std::string>> vectors{
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(plain) == encoded);
    CHECK(base64_decode(encoded) == plain);
  }
}

TEST_CASE("base64 round-trips every byte value and ignores line breaks") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const std::string enc = base64_encode(all);
  CHECK(enc.size() == (256 + 2) / 3 * 4);
  CHECK(base64_decode(enc) == all);
  CHECK(base64_decode("Zm9v\r\nYmFy") == "foobar");
  CHECK(base64_decode("wqFIb2xhIQ==") == "¡Hola!");
}

TEST_CASE("base64_decode rejects junk") {
  for (const char* bad : {"Zm9v!", "Zm 9v", "Zm9v-", "Zm9v_", "Zg==Zg==", "Zg=A", "Zg===", "Zm9v\tYmFy", "é"}) {
    CAPTURE(bad);
    CHECK_FALSE(base64_decode(bad).has_value());
  }
}

// ---------------------------------------------------------------------------------------------
// RFC 2047

TEST_CASE("encode_header_text leaves printable ASCII alone and Q-encodes the rest") {
  CHECK(encode_header_text("Hello world") == "Hello world");
  CHECK(encode_header_text("") == "");
  CHECK(encode_header_text("¡Hola!") == "=?UTF-8?Q?=C2=A1Hola!?=");
  // Space becomes '_'; '_', '?', '=' and other specials are hex-encoded (RFC 2047 §4.2, §5).
  CHECK(encode_header_text("año 2026_x?=") == "=?UTF-8?Q?a=C3=B1o_2026=5Fx=3F=3D?=");
}

TEST_CASE("encode_header_text splits long text into words of at most 75 characters holding whole characters") {
  const std::vector<std::string> subjects{
      "Reunión del departamento de informática: revisión de los presupuestos del año próximo y planificación "
      "del calendario académico",
      "ñññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññ",
      "€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€ 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 ¿qué tal?"};
  for (const auto& subject : subjects) {
    CAPTURE(subject);
    const std::string enc = encode_header_text(subject);
    const auto words = split(enc, "\r\n ");
    CHECK(words.size() >= 2);
    std::string joined;
    for (const auto& w : words) {
      CAPTURE(w);
      CHECK(w.size() <= 75);
      CHECK(w.rfind("=?UTF-8?Q?", 0) == 0);
      CHECK(w.substr(w.size() - 2) == "?=");
      CHECK(w.find(' ') == std::string::npos);
      const std::string decoded = decode_header_text(w);
      CHECK(valid_utf8(decoded));  // no word ends inside a character
      joined += decoded;
    }
    CHECK(joined == subject);
    CHECK(decode_header_text(enc) == subject);
    CHECK(decode_header_text(unfold(enc)) == subject);
  }
}

TEST_CASE("decode_header_text(encode_header_text(x)) == x") {
  for (const char* s : {"¡Hola!", "plain ascii", "Bob Martínez", "año_nuevo = ¿sí?", "tab\there", "  spaces  ",
                        "日本語のテキスト", "emoji 🎉 party", "=?UTF-8?Q?looks_encoded?= ñ", "trailing é"}) {
    CAPTURE(s);
    CHECK(decode_header_text(encode_header_text(s)) == s);
  }
}

TEST_CASE("decode_header_text reads B and Q words in UTF-8 and ISO-8859-1") {
  CHECK(decode_header_text("=?UTF-8?B?wqFIb2xhIQ==?=") == "¡Hola!");
  CHECK(decode_header_text("=?utf-8?b?wqFIb2xhIQ==?=") == "¡Hola!");
  CHECK(decode_header_text("=?ISO-8859-1?Q?Mart=EDnez?=") == "Martínez");
  CHECK(decode_header_text("=?iso-8859-1?q?Mart=ednez?=") == "Martínez");
  CHECK(decode_header_text("=?ISO-8859-1?B?TWFydO1uZXo=?=") == "Martínez");
  CHECK(decode_header_text("=?US-ASCII?Q?plain_text?=") == "plain text");
  CHECK(decode_header_text("=?UTF-8*es?Q?hola?=") == "hola");  // RFC 2231 language tag
  CHECK(decode_header_text("Re: =?UTF-8?Q?caf=C3=A9?= ok") == "Re: café ok");
}

TEST_CASE("decode_header_text drops white space between adjacent encoded words only (RFC 2047 §6.2)") {
  CHECK(decode_header_text("=?UTF-8?Q?a?= =?UTF-8?Q?b?=") == "ab");
  CHECK(decode_header_text("=?UTF-8?Q?a?=   \t =?UTF-8?Q?b?=") == "ab");
  CHECK(decode_header_text("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=") == "ab");
  CHECK(decode_header_text("=?UTF-8?Q?a_?= =?UTF-8?Q?b?=") == "a b");  // encoded space is kept
  CHECK(decode_header_text("=?UTF-8?Q?a?= and =?UTF-8?Q?b?=") == "a and b");
  CHECK(decode_header_text("x =?UTF-8?Q?a?=") == "x a");
}

TEST_CASE("decode_header_text keeps what it cannot read") {
  CHECK(decode_header_text("=?KOI8-R?Q?abc?=") == "=?KOI8-R?Q?abc?=");
  CHECK(decode_header_text("=?UTF-8?Q?bad=ZZ?=") == "=?UTF-8?Q?bad=ZZ?=");
  CHECK(decode_header_text("=?UTF-8?B?!!!?=") == "=?UTF-8?B?!!!?=");
  CHECK(decode_header_text("=?UTF-8?X?abc?=") == "=?UTF-8?X?abc?=");
  CHECK(decode_header_text("price =? unknown") == "price =? unknown");
  CHECK(decode_header_text("no words here") == "no words here");
}

// ---------------------------------------------------------------------------------------------
// Mailstore

TEST_CASE("Mailstore: accounts are looked up without regard to case and keep the declared address") {
  Mailstore store;
  store.add_user("Bob@correo.example", "bob123");
  CHECK(store.has_user("bob@correo.example"));
  CHECK(store.has_user("BOB@CORREO.EXAMPLE"));
  CHECK_FALSE(store.has_user("alice@uni.example"));
  CHECK(store.mailbox("alice@uni.example") == nullptr);
  const Mailbox* box = store.mailbox("bob@correo.example");
  REQUIRE(box);
  CHECK(box->password == "bob123");
  CHECK(store.owner("bOb@correo.example") == "Bob@correo.example");
  CHECK(store.owner("nobody@correo.example").empty());
}

TEST_CASE("mail: a Spanish subject travels as ASCII and reads back the same") {
  const std::string subject = "¡Año nuevo, vida nueva!";
  const std::string wire = encode_header_text(subject);
  for (unsigned char c : wire) CHECK((c < 0x80));
  CHECK(wire.rfind("=?UTF-8?Q?", 0) == 0);
  CHECK(decode_header_text(wire) == subject);
  // As a header in a whole message, parsed back.
  Message m;
  m.append("Subject", wire);
  m.set_body("x\r\n");
  CHECK(decode_header_text(Message::parse(m.serialize()).get("Subject")) == subject);
}
