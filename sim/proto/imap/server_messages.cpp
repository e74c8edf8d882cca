#include "proto/imap/server.h"

#include <algorithm>
#include <functional>

#include "core/ascii.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "mail/mime.h"
#include "trace/state.h"

// The commands of the Selected state that work on messages: FETCH, STORE, COPY and MOVE, EXPUNGE and
// SEARCH, with their UID forms (RFC 3501 §6.4; MOVE RFC 6851; UIDPLUS RFC 4315).
namespace postlab::imap {
namespace {

// A UID set as UIDPLUS writes it: "1:3,7".
std::string uid_set(const std::vector<std::uint32_t>& uids) {
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(uids[i]) + (j > i ? ":" + std::to_string(uids[j]) : "");
    i = j + 1;
  }
  return out;
}

std::string_view header_of(std::string_view text) {
  const std::size_t blank = text.find("\r\n\r\n");
  return blank == std::string_view::npos ? text : text.substr(0, blank + 4);
}
std::string_view body_of(std::string_view text) {
  const std::size_t blank = text.find("\r\n\r\n");
  return blank == std::string_view::npos ? std::string_view() : text.substr(blank + 4);
}

// The header lines whose names are (or, with `negate`, are not) in the list, then the empty line.
std::string header_fields(std::string_view header, const std::vector<std::string>& names, bool negate) {
  std::string out;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = pos;
    // one field: its line and the folded lines after it
    do {
      const std::size_t nl = header.find("\r\n", end);
      end = nl == std::string_view::npos ? header.size() : nl + 2;
    } while (end < header.size() && (header[end] == ' ' || header[end] == '\t'));
    const std::string_view field = header.substr(pos, end - pos);
    pos = end;
    if (field == "\r\n") break;
    const std::string_view name = field.substr(0, field.find(':'));
    bool listed = false;
    for (const auto& n : names) listed = listed || iequals(n, name);
    if (listed != negate) out += field;
  }
  return out + "\r\n";
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// BODYSTRUCTURE (RFC 3501 §7.4.2) of a parsed part, with the extension data Dovecot gives.
std::string body_structure(const MimePart& p) {
  const std::size_t slash = p.content_type.find('/');
  const std::string type = p.content_type.substr(0, slash);
  const std::string subtype = slash == std::string::npos ? "" : p.content_type.substr(slash + 1);
  auto params = [&](bool skip_boundary) {
    std::string out;
    for (const auto& [k, v] : p.params) {
      if (skip_boundary != (k == "boundary")) continue;
      out += (out.empty() ? "" : " ") + quoted(k) + " " + quoted(v);
    }
    return out.empty() ? std::string("NIL") : "(" + out + ")";
  };
  if (p.multipart()) {
    std::string out = "(";
    for (const MimePart& c : p.children) out += body_structure(c);
    return out + " " + quoted(subtype) + " " + params(false) + " NIL NIL NIL)";
  }
  std::string out = "(" + quoted(type) + " " + quoted(subtype) + " " + params(true) + " NIL NIL " + quoted(p.encoding) +
                    " " + std::to_string(p.encoded.size());
  if (type == "text") out += " " + std::to_string(std::count(p.encoded.begin(), p.encoded.end(), '\n'));
  out += " NIL ";
  if (!p.disposition.empty())
    out += "(" + quoted(p.disposition) + (p.filename.empty() ? " NIL" : " (\"filename\" " + quoted(p.filename) + ")") + ")";
  else
    out += "NIL";
  return out + " NIL NIL)";
}

// "1-Feb-1994" (RFC 3501 date) as days since 1970, or nullopt.
std::optional<std::int64_t> search_date(std::string_view text) {
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::size_t a = text.find('-'), b = text.rfind('-');
  if (a == std::string_view::npos || b == a || b - a != 4) return std::nullopt;
  int d = 0, y = 0, m = 0;
  for (char c : text.substr(0, a)) {
    if (c < '0' || c > '9' || d > 31) return std::nullopt;
    d = d * 10 + (c - '0');
  }
  for (char c : text.substr(b + 1)) {
    if (c < '0' || c > '9' || y > 9999) return std::nullopt;
    y = y * 10 + (c - '0');
  }
  const std::string mon = lower(std::string(text.substr(a + 1, 3)));
  for (int k = 0; k < 12; ++k)
    if (mon == kMonths[k]) m = k + 1;
  if (m == 0 || d == 0 || text.substr(b + 1).size() != 4) return std::nullopt;
  // days from civil (proleptic Gregorian)
  const int yy = y - (m <= 2);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  const std::string h = lower(std::string(hay)), n = lower(std::string(needle));
  return h.find(n) != std::string::npos;
}

}  // namespace

std::optional<std::vector<std::size_t>> ServerSession::messages(const Value& set, bool by_uid, const std::string& tag,
                                                                const std::string& name, SessionOutput& out) const {
  const auto s = set.kind == Value::Kind::Atom ? parse_sequence_set(set.text) : std::nullopt;
  if (!s) {
    out.reply(tag + " BAD Error in IMAP command " + name + ": Invalid " + (by_uid ? "uidset" : "messageset"));
    return std::nullopt;
  }
  std::vector<std::size_t> idx;
  if (by_uid) {
    const std::uint32_t largest = slots_.empty() ? 0 : slots_.back().uid;
    for (std::size_t i = 0; i < slots_.size() && idx.size() < kMaxResponses; ++i)
      if (s->contains(slots_[i].uid, largest)) idx.push_back(i);
    return idx;
  }
  // A sequence number beyond the last message is an error (RFC 3501 §9: "*" aside).
  for (const auto& r : s->ranges)
    for (std::uint32_t v : {r.lo, r.hi})
      if (v != kStar && v > slots_.size()) {
        out.reply(tag + " BAD Error in IMAP command " + name + ": Invalid messageset");
        return std::nullopt;
      }
  const auto largest = static_cast<std::uint32_t>(slots_.size());
  for (std::size_t i = 0; i < slots_.size() && idx.size() < kMaxResponses; ++i)
    if (s->contains(static_cast<std::uint32_t>(i + 1), largest)) idx.push_back(i);
  return idx;
}

void ServerSession::fetch(const Command& c, std::size_t first, bool by_uid, SessionOutput& out) {
  const std::string name = by_uid ? "UID FETCH" : "FETCH";
  if (c.args.size() != first + 2) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing arguments.");
    return;
  }
  const auto idx = messages(c.args[first], by_uid, c.tag, name, out);
  if (!idx) return;
  // The attributes asked for, macros spelled out (RFC 3501 §6.4.5).
  std::vector<std::string> items;
  const Value& what = c.args[first + 1];
  if (what.kind == Value::Kind::List) {
    for (const Value& v : what.items) items.push_back(v.text);
  } else {
    const std::string m = ascii_upper(what.text);
    if (m == "ALL") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"};
    else if (m == "FAST") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE"};
    else if (m == "FULL") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"};
    else items = {what.text};
  }
  struct Item {
    std::string name;     // as the response names it
    std::string key;      // FLAGS, UID, ... or BODY for sections
    std::string section;  // BODY[section]
    bool peek = false;
    std::optional<std::pair<std::size_t, std::size_t>> partial;
  };
  std::vector<Item> parsed;
  bool sets_seen = false;
  for (const std::string& raw : items) {
    Item it;
    const std::string up = ascii_upper(raw);
    const std::size_t br = up.find('[');
    it.key = up.substr(0, br);
    if (br != std::string::npos) {
      const std::size_t close = up.find(']', br);
      it.section = raw.substr(br + 1, close - br - 1);
      const std::string rest = raw.substr(close + 1);
      if (!rest.empty()) {  // <offset.count>
        std::size_t o = 0, n = 0, i = 1;
        bool dot = false, good = rest.front() == '<' && rest.back() == '>';
        for (; good && i + 1 < rest.size(); ++i) {
          const char ch = rest[i];
          if (ch == '.' && !dot) dot = true;
          else if (ch >= '0' && ch <= '9') (dot ? n : o) = std::min<std::size_t>((dot ? n : o) * 10 + static_cast<std::size_t>(ch - '0'), 1u << 30);
          else good = false;
        }
        if (!good || !dot) {
          out.reply(c.tag + " BAD Error in IMAP command " + name + ": Invalid partial");
          return;
        }
        it.partial = std::make_pair(o, n);
      }
      if (it.key != "BODY" && it.key != "BODY.PEEK") {
        out.reply(c.tag + " BAD Error in IMAP command " + name + ": Unknown parameter " + raw);
        return;
      }
      it.peek = it.key == "BODY.PEEK";
      it.key = "BODY";
      it.name = "BODY[" + it.section + "]" + (it.partial ? "<" + std::to_string(it.partial->first) + ">" : "");
      if (!it.peek) sets_seen = true;
    } else {
      static const char* const kKnown[] = {"FLAGS", "UID", "RFC822.SIZE", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE",
                                           "BODY", "RFC822", "RFC822.HEADER", "RFC822.TEXT"};
      bool known = false;
      for (const char* k : kKnown) known = known || up == k;
      if (!known) {
        out.reply(c.tag + " BAD Error in IMAP command " + name + ": Unknown parameter " + raw);
        return;
      }
      it.name = up;
      if (up == "RFC822" || up == "RFC822.TEXT") sets_seen = true;
    }
    parsed.push_back(std::move(it));
  }
  const auto st = hooks_.folder(folder_);
  auto info_of = [&](std::uint32_t uid) { return st ? st->find(uid) : nullptr; };
  for (std::size_t i : *idx) {
    Slot& s = slots_[i];
    const MessageInfo* info = info_of(s.uid);
    // Dovecot answers with the flags as they are now, and still tells the change afterwards (the
    // client's view is brought up to date at the end of the command).
    Slot shown = s;
    if (info) shown.flags = info->flags;
    std::string text;  // fetched once per message, when some item needs it
    auto message = [&]() -> const std::string& {
      if (text.empty()) text = hooks_.text(folder_, s.uid);
      return text;
    };
    bool flags_changed = false;
    if (sets_seen && !read_only_ && !(shown.flags & kFlagSeen)) {  // RFC 3501 §6.4.5: BODY[...] sets \Seen
      shown.flags |= kFlagSeen;
      s.flags = shown.flags;
      hooks_.set_flags(folder_, s.uid, s.flags);
      flags_changed = true;
    }
    std::string resp = "* " + std::to_string(i + 1) + " FETCH (";
    bool any = false;
    auto add = [&](const std::string& piece) {
      resp += (any ? " " : "") + piece;
      any = true;
    };
    bool said_uid = false, said_flags = false;
    if (by_uid) {
      add("UID " + std::to_string(s.uid));
      said_uid = true;
    }
    bool flags_asked = false;
    for (const Item& it : parsed) flags_asked = flags_asked || it.key == "FLAGS";
    if (flags_changed && !flags_asked) {
      add("FLAGS " + flags_of(shown));
      said_flags = true;
    }
    for (const Item& it : parsed) {
      if (it.key == "UID") {
        if (!said_uid) add("UID " + std::to_string(s.uid));
        said_uid = true;
      } else if (it.key == "FLAGS") {
        if (!said_flags) add("FLAGS " + flags_of(shown));
        said_flags = true;
      } else if (it.key == "RFC822.SIZE") {
        add("RFC822.SIZE " + std::to_string(info ? info->size : message().size()));
      } else if (it.key == "INTERNALDATE") {
        add("INTERNALDATE \"" + internal_date(info ? info->internal_date : 0) + "\"");
      } else if (it.key == "ENVELOPE") {
        add("ENVELOPE " + envelope(header_of(message())));
      } else if (it.key == "BODYSTRUCTURE" || (it.key == "BODY" && it.section.empty() && it.name == "BODY")) {
        add(it.key + " " + body_structure(parse_mime(message())));
      } else {
        std::string_view whole = message();
        std::string content;
        std::string label = it.name;
        if (it.key == "RFC822") content = std::string(whole);
        else if (it.key == "RFC822.HEADER") content = std::string(header_of(whole));
        else if (it.key == "RFC822.TEXT") content = std::string(body_of(whole));
        else {
          const std::string sec = ascii_upper(it.section);
          if (sec.empty()) content = std::string(whole);
          else if (sec == "HEADER") content = std::string(header_of(whole));
          else if (sec == "TEXT") content = std::string(body_of(whole));
          else if (sec.rfind("HEADER.FIELDS", 0) == 0) {
            const Parsed p = parse_command("x F " + it.section.substr(it.section.find('(') == std::string::npos ? it.section.size() : it.section.find('(')));
            std::vector<std::string> names;
            if (p.command && !p.command->args.empty())
              for (const Value& v : p.command->args[0].items) names.push_back(v.text);
            content = header_fields(header_of(whole), names, sec.rfind("HEADER.FIELDS.NOT", 0) == 0);
          } else {
            // A part number: "1", "2.1" (RFC 3501 §6.4.5), read from the MIME tree.
            const MimePart root = parse_mime(whole);
            const MimePart* part = &root;
            std::size_t pos = 0;
            bool found = true;
            while (pos < sec.size() && found) {
              const std::size_t dot = std::min(sec.find('.', pos), sec.size());
              std::size_t k = 0;
              for (char ch : sec.substr(pos, dot - pos)) k = ch >= '0' && ch <= '9' ? k * 10 + static_cast<std::size_t>(ch - '0') : 1u << 30;
              if (part->multipart()) found = k >= 1 && k <= part->children.size() && (part = &part->children[k - 1]);
              else found = k == 1;
              pos = dot + 1;
            }
            if (found) content = part->multipart() ? serialize_mime(*part) : part->encoded;
          }
        }
        if (it.partial) {
          const std::size_t o = std::min(it.partial->first, content.size());
          content = content.substr(o, it.partial->second);
        }
        add(label + " {" + std::to_string(content.size()) + "}\r\n" + content);
      }
    }
    out.reply(resp + ")");
  }
  sync(out, by_uid, by_uid);  // no EXPUNGE news during FETCH (RFC 3501 §7.4.1)
  ok(c.tag, "Fetch completed", out);
}

void ServerSession::store(const Command& c, std::size_t first, bool by_uid, SessionOutput& out) {
  const std::string name = by_uid ? "UID STORE" : "STORE";
  if (c.args.size() != first + 3) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing arguments.");
    return;
  }
  const auto idx = messages(c.args[first], by_uid, c.tag, name, out);
  if (!idx) return;
  std::string item = ascii_upper(c.args[first + 1].text);
  const bool silent = item.size() > 7 && item.substr(item.size() - 7) == ".SILENT";
  if (silent) item.resize(item.size() - 7);
  const int op = item == "FLAGS" ? 0 : item == "+FLAGS" ? 1 : item == "-FLAGS" ? -1 : 2;
  const auto flags = flag_list(c.args[first + 2]);
  if (op == 2 || c.args[first + 1].kind != Value::Kind::Atom) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Invalid arguments.");
    return;
  }
  if (!flags) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Invalid system flag");
    return;
  }
  if (read_only_) {
    out.reply(c.tag + " NO Mailbox is read-only.");
    return;
  }
  for (std::size_t i : *idx) {
    Slot& s = slots_[i];
    const std::uint8_t now = op == 0 ? *flags : op == 1 ? static_cast<std::uint8_t>(s.flags | *flags)
                                                      : static_cast<std::uint8_t>(s.flags & ~*flags);
    if (now == s.flags) continue;  // Dovecot tells only the messages whose flags changed
    s.flags = now;
    hooks_.set_flags(folder_, s.uid, now);
    if (!silent)
      out.reply("* " + std::to_string(i + 1) + " FETCH (" + (by_uid ? "UID " + std::to_string(s.uid) + " " : "") +
                "FLAGS " + flags_of(s) + ")");
  }
  sync(out, by_uid, by_uid);
  ok(c.tag, "Store completed", out);
}

void ServerSession::copy(const Command& c, std::size_t first, bool by_uid, bool move, SessionOutput& out) {
  const std::string name = std::string(by_uid ? "UID " : "") + (move ? "MOVE" : "COPY");
  if (c.args.size() != first + 2 || !c.args[first + 1].is_astring()) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing arguments.");
    return;
  }
  const auto idx = messages(c.args[first], by_uid, c.tag, name, out);
  if (!idx) return;
  const std::string to = mailbox_name(c.args[first + 1].text);
  const auto dest = hooks_.folder(to);
  if (!dest) {
    out.reply(c.tag + " NO [TRYCREATE] Mailbox doesn't exist: " + to);
    return;
  }
  if (move && read_only_) {
    out.reply(c.tag + " NO Mailbox is read-only.");
    return;
  }
  std::vector<std::uint32_t> from_uids, to_uids;
  for (std::size_t i : *idx) {
    from_uids.push_back(slots_[i].uid);
    to_uids.push_back(hooks_.copy(folder_, slots_[i].uid, to, move));
  }
  const std::string copyuid = from_uids.empty() ? std::string()
                                                : "[COPYUID " + std::to_string(dest->uidvalidity) + " " + uid_set(from_uids) +
                                                      " " + uid_set(to_uids) + "] ";
  if (move) {
    // RFC 6851 §4.3: the COPYUID goes in an untagged OK before the EXPUNGEs.
    if (!copyuid.empty()) out.reply("* OK " + copyuid + "Moved UIDs.");
    sync(out);
    ok(c.tag, "Move completed", out);
    return;
  }
  sync(out, by_uid, by_uid);
  ok(c.tag, copyuid + "Copy completed", out);
}

void ServerSession::expunge(const std::string& tag, const std::optional<SequenceSet>& uids, SessionOutput& out) {
  if (read_only_) {
    out.reply(tag + " NO Mailbox is read-only.");
    return;
  }
  const std::uint32_t largest = slots_.empty() ? 0 : slots_.back().uid;
  for (const Slot& s : slots_)
    if ((s.flags & kFlagDeleted) && (!uids || uids->contains(s.uid, largest))) hooks_.expunge(folder_, s.uid);
  sync(out);
  ok(tag, "Expunge completed", out);
}

void ServerSession::search(const Command& c, std::size_t first, bool by_uid, SessionOutput& out) {
  const std::string name = by_uid ? "UID SEARCH" : "SEARCH";
  std::vector<Value> keys(c.args.begin() + static_cast<std::ptrdiff_t>(first), c.args.end());
  if (keys.size() >= 2 && keys[0].is_atom("CHARSET")) keys.erase(keys.begin(), keys.begin() + 2);
  if (keys.empty()) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": Missing search parameters");
    return;
  }
  const auto st = hooks_.folder(folder_);
  std::string error;
  // Evaluates the key at keys[k] (advancing k) for the message in slot i.
  std::function<bool(const std::vector<Value>&, std::size_t&, std::size_t)> key;
  key = [&](const std::vector<Value>& ks, std::size_t& k, std::size_t i) -> bool {
    if (k >= ks.size()) {
      error = "Missing search parameters";
      return false;
    }
    const Value& v = ks[k++];
    const Slot& s = slots_[i];
    if (v.kind == Value::Kind::List) {
      bool all = true;
      for (std::size_t j = 0; j < v.items.size() && error.empty();) all = key(v.items, j, i) && all;
      return all;
    }
    const std::string w = ascii_upper(v.text);
    auto arg = [&]() -> std::string {
      if (k >= ks.size()) {
        error = "Missing search parameters";
        return {};
      }
      return ks[k++].text;
    };
    auto text = [&]() { return hooks_.text(folder_, s.uid); };
    const MessageInfo* info = st ? st->find(s.uid) : nullptr;
    if (w == "ALL") return true;
    if (w == "SEEN") return s.flags & kFlagSeen;
    if (w == "UNSEEN") return !(s.flags & kFlagSeen);
    if (w == "DELETED") return s.flags & kFlagDeleted;
    if (w == "UNDELETED") return !(s.flags & kFlagDeleted);
    if (w == "FLAGGED") return s.flags & kFlagFlagged;
    if (w == "UNFLAGGED") return !(s.flags & kFlagFlagged);
    if (w == "ANSWERED") return s.flags & kFlagAnswered;
    if (w == "UNANSWERED") return !(s.flags & kFlagAnswered);
    if (w == "DRAFT") return s.flags & kFlagDraft;
    if (w == "UNDRAFT") return !(s.flags & kFlagDraft);
    if (w == "RECENT") return s.recent;
    if (w == "OLD") return !s.recent;
    if (w == "NEW") return s.recent && !(s.flags & kFlagSeen);
    if (w == "NOT") return !key(ks, k, i);
    if (w == "OR") {
      const bool a = key(ks, k, i);
      const bool b = key(ks, k, i);
      return a || b;
    }
    if (w == "FROM" || w == "TO" || w == "CC" || w == "BCC" || w == "SUBJECT") {
      const std::string needle = arg();
      const Message m = Message::parse(std::string(header_of(text())));
      // Dovecot searches the decoded header text (RFC 2047 words undone), as a person reads it.
      return contains_ci(decode_header_text(m.get(w == "SUBJECT" ? "Subject" : w == "FROM" ? "From" : w == "TO" ? "To" : w == "CC" ? "Cc" : "Bcc")),
                         needle);
    }
    if (w == "HEADER") {
      const std::string field = arg();
      const std::string needle = arg();
      const Message m = Message::parse(std::string(header_of(text())));
      return m.has(field) && contains_ci(decode_header_text(m.get(field)), needle);
    }
    if (w == "BODY") return contains_ci(body_of(text()), arg());
    if (w == "TEXT") return contains_ci(text(), arg());
    if (w == "SINCE" || w == "BEFORE" || w == "ON") {
      const auto day = search_date(arg());
      if (!day) {
        error = "Invalid search date parameter";
        return false;
      }
      std::int64_t t = info ? info->internal_date : 0;
      std::int64_t d = t / 86400 - (t % 86400 < 0);
      return w == "SINCE" ? d >= *day : w == "BEFORE" ? d < *day : d == *day;
    }
    if (w == "LARGER" || w == "SMALLER") {
      const std::string n = arg();
      std::size_t size = 0;
      for (char ch : n) size = ch >= '0' && ch <= '9' ? std::min<std::size_t>(size * 10 + static_cast<std::size_t>(ch - '0'), 1ull << 40) : size;
      const std::size_t have = info ? info->size : 0;
      return w == "LARGER" ? have > size : have < size;
    }
    if (w == "UID") {
      const auto set = parse_sequence_set(arg());
      if (!set) {
        error = "Invalid uidset";
        return false;
      }
      return set->contains(s.uid, slots_.empty() ? 0 : slots_.back().uid);
    }
    if (const auto set = parse_sequence_set(v.text))
      return set->contains(static_cast<std::uint32_t>(i + 1), static_cast<std::uint32_t>(slots_.size()));
    error = "Unknown argument " + w;
    return false;
  };
  std::string found;
  std::size_t count = 0;
  for (std::size_t i = 0; i < slots_.size() && error.empty() && count < kMaxResponses; ++i) {
    bool all = true;
    for (std::size_t k = 0; k < keys.size() && error.empty();) all = key(keys, k, i) && all;
    if (all && error.empty()) {
      found += " " + std::to_string(by_uid ? slots_[i].uid : static_cast<std::uint32_t>(i + 1));
      ++count;
    }
  }
  if (!error.empty()) {
    out.reply(c.tag + " BAD Error in IMAP command " + name + ": " + error);
    return;
  }
  out.reply("* SEARCH" + found);
  sync(out, by_uid, by_uid);
  ok(c.tag, "Search completed", out);
}

}  // namespace postlab::imap
