#include "proto/imap/server.h"

#include <algorithm>
#include <limits>

#include "core/ascii.h"
#include "mail/message.h"
#include "trace/state.h"

// The commands that work on folders: SELECT and EXAMINE, LIST and LSUB, STATUS and APPEND (RFC 3501
// §6.3). CREATE, DELETE, RENAME and the subscriptions are in server.cpp's dispatch.
namespace postlab::imap {
namespace {

// '*' matches anything, '%' anything but the delimiter (RFC 3501 §6.3.8).
bool wildcard_match(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return name.empty();
  if (pattern[0] == '*' || pattern[0] == '%') {
    for (std::size_t k = 0; k <= name.size(); ++k) {
      if (wildcard_match(pattern.substr(1), name.substr(k))) return true;
      if (k < name.size() && pattern[0] == '%' && name[k] == kDelimiter) return false;
    }
    return false;
  }
  if (name.empty()) return false;
  // INBOX is case-insensitive (RFC 3501 §5.1); other names are as written.
  return pattern[0] == name[0] && wildcard_match(pattern.substr(1), name.substr(1));
}

}  // namespace

void ServerSession::select(const Command& c, bool read_only, SessionOutput& out) {
  if (c.args.size() != 1 || !c.args[0].is_astring()) {
    out.reply(c.tag + " BAD Error in IMAP command " + c.name + ": Missing arguments.");
    return;
  }
  const std::string name = mailbox_name(c.args[0].text);
  if (state_ == State::Selected) {
    out.reply("* OK [CLOSED] Previous mailbox closed.");
    state_ = State::Authenticated;
    folder_.clear();
    slots_.clear();
  }
  const auto st = hooks_.folder(name);
  if (!st) {
    out.reply(c.tag + " NO Mailbox doesn't exist: " + name);
    return;
  }
  state_ = State::Selected;
  folder_ = name;
  read_only_ = read_only;
  const std::uint32_t from = read_only ? std::numeric_limits<std::uint32_t>::max() : hooks_.recent_from(name, true);
  slots_.clear();
  std::size_t first_unseen = 0;
  for (const MessageInfo& m : st->messages) {
    slots_.push_back(Slot{m.uid, m.flags, m.uid >= from});
    if (!first_unseen && !(m.flags & kFlagSeen)) first_unseen = slots_.size();
  }
  recent_told_ = static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.recent; }));
  out.reply(std::string("* FLAGS (") + kSystemFlags + ")");
  // Keywords are not kept here, so \* (new keywords allowed) is not offered.
  out.reply(read_only ? "* OK [PERMANENTFLAGS ()] Read-only mailbox."
                      : std::string("* OK [PERMANENTFLAGS (") + kSystemFlags + ")] Flags permitted.");
  out.reply("* " + std::to_string(slots_.size()) + " EXISTS");
  out.reply("* " + std::to_string(recent_told_) + " RECENT");
  if (first_unseen && !read_only) out.reply("* OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen.");
  out.reply("* OK [UIDVALIDITY " + std::to_string(st->uidvalidity) + "] UIDs valid");
  out.reply("* OK [UIDNEXT " + std::to_string(st->uidnext) + "] Predicted next UID");
  ok(c.tag, read_only ? "[READ-ONLY] Examine completed" : "[READ-WRITE] Select completed", out);
}

void ServerSession::list(const Command& c, bool lsub, SessionOutput& out) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) {
    out.reply(c.tag + " BAD Error in IMAP command " + c.name + ": Missing arguments.");
    return;
  }
  const std::string pattern = c.args[0].text + c.args[1].text;
  const std::string verb = lsub ? "LSUB" : "LIST";
  if (!lsub && c.args[1].text.empty()) {
    // RFC 3501 §6.3.8: an empty pattern asks for the delimiter.
    out.reply(std::string("* LIST (\\Noselect) \"") + kDelimiter + "\" \"\"");
    ok(c.tag, "List completed", out);
    return;
  }
  const std::vector<FolderInfo> all = hooks_.folders();
  for (const FolderInfo& f : all) {
    if (lsub && !f.subscribed) continue;
    const bool match = f.name == "INBOX" ? wildcard_match(ascii_upper(pattern.substr(0, 5)) + pattern.substr(std::min<std::size_t>(5, pattern.size())), f.name) || wildcard_match(pattern, f.name)
                                         : wildcard_match(pattern, f.name);
    if (!match) continue;
    std::string attrs;
    if (!lsub) {
      bool children = false;
      for (const FolderInfo& g : all) children = children || g.name.rfind(f.name + kDelimiter, 0) == 0;
      attrs = children ? "\\HasChildren" : "\\HasNoChildren";
    }
    out.reply("* " + verb + " (" + attrs + ") \"" + kDelimiter + "\" " + astring(f.name));
  }
  ok(c.tag, lsub ? "Lsub completed" : "List completed", out);
}

void ServerSession::status(const Command& c, SessionOutput& out) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || c.args[1].kind != Value::Kind::List) {
    out.reply(c.tag + " BAD Error in IMAP command STATUS: Missing arguments.");
    return;
  }
  const std::string name = mailbox_name(c.args[0].text);
  const auto st = hooks_.folder(name);
  if (!st) {
    out.reply(c.tag + " NO Mailbox doesn't exist: " + name);
    return;
  }
  const std::uint32_t from = hooks_.recent_from(name, false);
  std::string items;
  for (const Value& v : c.args[1].items) {
    const std::string item = ascii_upper(v.text);
    std::size_t value = 0;
    if (item == "MESSAGES") value = st->messages.size();
    else if (item == "RECENT")
      value = state_ == State::Selected && name == folder_
                  ? static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.recent; }))
                  : static_cast<std::size_t>(std::count_if(st->messages.begin(), st->messages.end(),
                                                           [from](const MessageInfo& m) { return m.uid >= from; }));
    else if (item == "UIDNEXT") value = st->uidnext;
    else if (item == "UIDVALIDITY") value = st->uidvalidity;
    else if (item == "UNSEEN")
      value = static_cast<std::size_t>(std::count_if(st->messages.begin(), st->messages.end(),
                                                     [](const MessageInfo& m) { return !(m.flags & kFlagSeen); }));
    else {
      out.reply(c.tag + " BAD Error in IMAP command STATUS: Invalid status item " + item);
      return;
    }
    items += (items.empty() ? "" : " ") + item + " " + std::to_string(value);
  }
  out.reply("* STATUS " + astring(name) + " (" + items + ")");
  // Dovecot reminds a client that asks STATUS of the folder it has selected that it need not.
  ok(c.tag, state_ == State::Selected && name == folder_ ? "[CLIENTBUG] Status on selected mailbox completed" : "Status completed",
     out);
}

void ServerSession::append(const Command& c, SessionOutput& out) {
  // APPEND mailbox [flags] [date-time] literal (RFC 3501 §6.3.11)
  if (c.args.size() < 2 || c.args.size() > 4 || !c.args[0].is_astring() || c.args.back().kind != Value::Kind::String) {
    out.reply(c.tag + " BAD Error in IMAP command APPEND: Invalid arguments.");
    return;
  }
  std::uint8_t flags = 0;
  if (c.args.size() >= 3 && c.args[1].kind == Value::Kind::List) {
    const auto f = flag_list(c.args[1]);
    if (!f) {
      out.reply(c.tag + " BAD Error in IMAP command APPEND: Invalid system flag");
      return;
    }
    flags = *f;
  }
  const std::string name = mailbox_name(c.args[0].text);
  const auto st = hooks_.folder(name);
  if (!st) {
    out.reply(c.tag + " NO [TRYCREATE] Mailbox doesn't exist: " + name);
    return;
  }
  const std::uint32_t uid = hooks_.append(name, to_crlf(c.args.back().text), flags);
  sync(out);
  ok(c.tag, "[APPENDUID " + std::to_string(st->uidvalidity) + " " + std::to_string(uid) + "] Append completed", out);
}

}  // namespace postlab::imap
