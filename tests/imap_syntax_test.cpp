// IMAP syntax: commands with lists, quoted strings, literals and fetch sections; sequence sets; the
// strings, dates and ENVELOPEs a server writes (compared with Dovecot's, ../truth/imap_01_session).
#include <doctest/doctest.h>

#include "proto/imap/syntax.h"
#include "trace/state.h"

using namespace postlab;
using namespace postlab::imap;

TEST_CASE("imap syntax: a command's tag and name and arguments of every kind") {
  const Parsed p = parse_command("a011 uid fetch 2 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>)");
  REQUIRE(p.command);
  CHECK(p.command->tag == "a011");
  CHECK(p.command->name == "UID");
  REQUIRE(p.command->args.size() == 3);
  CHECK(p.command->args[0].is_atom("FETCH"));
  CHECK(p.command->args[1].text == "2");
  const Value& list = p.command->args[2];
  REQUIRE(list.kind == Value::Kind::List);
  REQUIRE(list.items.size() == 2);
  CHECK(list.items[1].text == "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>");

  const Parsed q = parse_command("a4 LIST \"\" \"*\"");
  REQUIRE(q.command);
  REQUIRE(q.command->args.size() == 2);
  CHECK(q.command->args[0].kind == Value::Kind::String);
  CHECK(q.command->args[0].text.empty());
  CHECK(q.command->args[1].text == "*");

  const Parsed s = parse_command("a13 STORE 2 +FLAGS (\\Seen \\Flagged)");
  REQUIRE(s.command);
  CHECK(flag_list(s.command->args[2]) == std::optional<std::uint8_t>(kFlagSeen | kFlagFlagged));
  CHECK(parse_command("x1 LOGIN \"al\\\"ice\" \"pa\\\\ss\"").command->args[0].text == "al\"ice");
}

TEST_CASE("imap syntax: literals synchronizing and not carry any octets") {
  const std::string text = "j002 APPEND INBOX (\\Seen) {11}\r\nHello\r\nBob!";
  const Parsed p = parse_command(text);
  REQUIRE(p.command);
  REQUIRE(p.command->args.size() == 3);
  CHECK(p.command->args[2].kind == Value::Kind::String);
  CHECK(p.command->args[2].text == "Hello\r\nBob!");
  const Parsed q = parse_command("a LOGIN {5+}\r\nalice {7}\r\nalicepw");
  REQUIRE(q.command);
  CHECK(q.command->args[0].text == "alice");
  CHECK(q.command->args[1].text == "alicepw");
  // Announced longer than what came: refused, never read past the end.
  CHECK_FALSE(parse_command("a APPEND INBOX {50}\r\nshort").command);
}

TEST_CASE("imap syntax: malformed commands are refused with the tag when there is one") {
  const Parsed untagged = parse_command("");
  CHECK_FALSE(untagged.command);
  CHECK(untagged.tag.empty());
  CHECK(untagged.error == "Error in IMAP command received by server.");
  CHECK(parse_command("a1").tag.empty());  // a tag alone is not a command
  const Parsed open = parse_command("a2 FETCH 1 (FLAGS");
  CHECK_FALSE(open.command);
  CHECK(open.tag == "a2");
  CHECK(open.error.rfind("Error in IMAP command FETCH: ", 0) == 0);
  CHECK_FALSE(parse_command("a3 LOGIN \"unterminated").command);
  CHECK_FALSE(parse_command("a4 NOOP  NOOP").command);  // two spaces
  // Nesting is bounded: a deep list is refused, not recursed into without end.
  CHECK_FALSE(parse_command("a5 SEARCH " + std::string(1000, '(') + std::string(1000, ')')).command);
  CHECK(parse_command("a6 SEARCH ((ALL))").command);
}

TEST_CASE("imap syntax: sequence sets with ranges and star") {
  const auto s = parse_sequence_set("2,4:6,9:*");
  REQUIRE(s);
  std::vector<std::uint32_t> in;
  for (std::uint32_t n = 1; n <= 12; ++n)
    if (s->contains(n, 12)) in.push_back(n);
  CHECK(in == std::vector<std::uint32_t>{2, 4, 5, 6, 9, 10, 11, 12});
  const auto rev = parse_sequence_set("6:4");
  REQUIRE(rev);
  CHECK(rev->contains(5, 10));
  const auto star = parse_sequence_set("*");
  REQUIRE(star);
  CHECK(star->contains(7, 7));
  CHECK_FALSE(star->contains(6, 7));
  for (const char* bad : {"", "0", "1:", ",1", "1,,2", "a", "1:0", "99999999999", "-1", "1 2"})
    CHECK_MESSAGE(!parse_sequence_set(bad), bad);
}

TEST_CASE("imap syntax: strings and dates and the ENVELOPE as Dovecot writes them") {
  CHECK(quoted("imap test message 1") == "\"imap test message 1\"");
  CHECK(quoted("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(quoted("two\r\nlines") == "{10}\r\ntwo\r\nlines");
  CHECK(quoted("¡Hola!") == "{7}\r\n¡Hola!");
  CHECK(nstring(std::nullopt) == "NIL");
  CHECK(internal_date(1795526280) == "24-Nov-2026 13:18:00 +0000");
  CHECK(internal_date(0) == "01-Jan-1970 00:00:00 +0000");
  // ../truth/imap_01_session.txt, a006 FETCH 1 (FLAGS ENVELOPE)
  const std::string head =
      "Return-Path: <bob@example.test>\r\nFrom: Bob Example <bob@example.test>\r\nTo: Alice <alice@example.test>\r\n"
      "Cc: carol@example.test\r\nSubject: imap test message 1\r\nDate: Mon, 24 Nov 2025 11:00:00 +0000\r\n"
      "Message-ID: <imap-1@seed.example.test>\r\n\r\n";
  CHECK(envelope(head) ==
        "(\"Mon, 24 Nov 2025 11:00:00 +0000\" \"imap test message 1\" ((\"Bob Example\" NIL \"bob\" \"example.test\")) "
        "((\"Bob Example\" NIL \"bob\" \"example.test\")) ((\"Bob Example\" NIL \"bob\" \"example.test\")) "
        "((\"Alice\" NIL \"alice\" \"example.test\")) ((NIL NIL \"carol\" \"example.test\")) NIL NIL "
        "\"<imap-1@seed.example.test>\")");
  // Quoted display names with commas, two recipients, a group, and no Date at all.
  CHECK(envelope("From: \"Martinez, Bob\" <bob@x.example>\r\nTo: a@x.example, B <b@x.example>\r\n"
                 "Cc: undisclosed-recipients:;\r\n\r\n") ==
        "(NIL NIL ((\"Martinez, Bob\" NIL \"bob\" \"x.example\")) ((\"Martinez, Bob\" NIL \"bob\" \"x.example\")) "
        "((\"Martinez, Bob\" NIL \"bob\" \"x.example\")) ((NIL NIL \"a\" \"x.example\")(\"B\" NIL \"b\" \"x.example\")) "
        "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL)");
}

TEST_CASE("imap syntax: flag lists keep the system flags and refuse what a client may not set") {
  const Parsed p = parse_command("a STORE 1 +FLAGS (\\Deleted $Junk \\draft)");
  REQUIRE(p.command);
  CHECK(flag_list(p.command->args[2]) == std::optional<std::uint8_t>(kFlagDeleted | kFlagDraft));
  CHECK_FALSE(flag_list(parse_command("a STORE 1 +FLAGS (\\Recent)").command->args[2]));
  CHECK_FALSE(flag_list(parse_command("a STORE 1 +FLAGS (\\Bogus)").command->args[2]));
  CHECK(flag_list(parse_command("a STORE 1 FLAGS \\Seen").command->args[2]) == std::optional<std::uint8_t>(kFlagSeen));
}
