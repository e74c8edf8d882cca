// IMAP4rev1 syntax (RFC 3501 §9), sans-IO: commands as a client writes them (tag, name, arguments,
// with literals inline), sequence sets, and the forms a server writes (strings, INTERNALDATE,
// ENVELOPE). The server session builds on these; each piece is tested on its own.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace postlab::imap {

inline constexpr int kPort = 143;  // RFC 3501 §2.1
// The hierarchy delimiter of folder names: "Work/2026" is a child of "Work". Dovecot's default maildir
// layout uses '.'; the simulated Dovecot is set up with `separator = /`, the one students meet most.
inline constexpr char kDelimiter = '/';
// Deepest nesting of parenthesised lists a command may hold (BODY[HEADER.FIELDS (...)] needs 2; a
// SEARCH with OR and NOT a few more). Deeper is answered BAD, never recursed into.
inline constexpr std::size_t kMaxListDepth = 32;

// One argument: an atom (also NIL, numbers, flags, and fetch attributes such as
// BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.100>, whose brackets may hold spaces), a string (quoted, or a
// literal {n} whose octets follow), or a parenthesised list.
struct Value {
  enum class Kind { Atom, String, List };
  Kind kind = Kind::Atom;
  std::string text;          // Atom, String (a quoted string with its escapes undone)
  std::vector<Value> items;  // List
  bool is_atom(std::string_view upper) const;  // an atom equal to `upper`, case-insensitive
  bool is_nil() const { return is_atom("NIL"); }
  // An atom or a string: what a mailbox name or a search key's value may be (astring).
  bool is_astring() const { return kind != Kind::List; }
};

struct Command {
  std::string tag;
  std::string name;  // in capitals
  std::vector<Value> args;
};

// A command as one text: its lines joined with CRLF, each literal's octets right after its "{n}\r\n"
// (what CommandReader gathers). On a syntax error `command` is empty and `error` says what is
// wrong; `tag` is the tag when one could be read (the server answers "<tag> BAD ...", else "* BAD").
struct Parsed {
  std::optional<Command> command;
  std::string tag;
  std::string error;
};
Parsed parse_command(std::string_view text);

// Sequence sets (RFC 3501 §9 sequence-set): "1:*", "2,4:6", "*". A number 0 is not allowed; '*' is
// kept as kStar and stands for the largest number in use when the set is applied.
inline constexpr std::uint32_t kStar = 0xFFFFFFFFu;
struct SequenceSet {
  struct Range {
    std::uint32_t lo = 1, hi = 1;  // as written (lo may be larger than hi: 4:2 is 2:4)
  };
  std::vector<Range> ranges;
  // Whether n is in the set, with '*' meaning `largest` (RFC 3501 §6.4.8: "*" is the largest in use).
  bool contains(std::uint32_t n, std::uint32_t largest) const;
};
std::optional<SequenceSet> parse_sequence_set(std::string_view text);

// A string as the server writes it: quoted when that is possible, else a literal {n}\r\n... (RFC
// 3501 §4.3); NIL for nullopt.
std::string quoted(std::string_view text);
std::string nstring(const std::optional<std::string>& text);
// A folder name as the server files it: "inbox", "Inbox" are the INBOX (RFC 3501 §5.1, the only name
// that is not case-sensitive); any other name is kept as written.
std::string mailbox_name(const std::string& name);
// A mailbox name as Dovecot writes it: an atom when it can be one ("Work"), else a string.
std::string astring(std::string_view text);
// "24-Nov-2026 13:18:00 +0000" (RFC 3501 date-time), in UTC.
std::string internal_date(std::int64_t unix_seconds);
// The ENVELOPE of a message (RFC 3501 §7.4.2) from its header section: date, subject, from, sender,
// reply-to, to, cc, bcc, in-reply-to, message-id, each as written in the header (encoded words are
// not decoded); sender and reply-to default to from.
std::string envelope(std::string_view header_section);
// The flags in a list value "(\Seen \Flagged)", or nullopt when it names something that is not a
// flag (Dovecot keeps keywords; here only the system flags are kept, unknown words are refused).
std::optional<std::uint8_t> flag_list(const Value& list);

}  // namespace postlab::imap
