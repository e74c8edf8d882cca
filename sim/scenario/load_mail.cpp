// The lesson's actions of a device that reads mail: "check_mail" and what a user does in an IMAP mail
// program ("read", "flag", "move", "delete", folders, "idle").
#include <set>
#include <string>

#include "core/ascii.h"
#include "mail/message.h"
#include "scenario/loader.h"
#include "trace/state.h"

namespace postlab::detail {

std::optional<MailAction> Loader::mail_action(const Json& j, const JsonPath& p, std::string_view key, const Scenario& s) {
  // {"device": "bob-phone", "subject": "Apuntes", ...}: what the user does in an IMAP mail program.
  using K = MailAction::Kind;
  MailAction a;
  const std::string k(key);
  a.kind = k == "read" ? K::Read : k == "flag" ? K::Flag : k == "move" ? K::Move : k == "delete" ? K::Delete
         : k == "create_folder" ? K::CreateFolder : k == "rename_folder" ? K::RenameFolder
         : k == "delete_folder" ? K::DeleteFolder : K::Idle;
  const bool on_message = a.kind == K::Read || a.kind == K::Flag || a.kind == K::Move || a.kind == K::Delete;
  bool shaped = false;
  switch (a.kind) {
    case K::Read:
    case K::Delete: shaped = object(j, p, {"device", "subject", "folder"}); break;
    case K::Flag: shaped = object(j, p, {"device", "subject", "folder", "flag", "on"}); break;
    case K::Move: shaped = object(j, p, {"device", "subject", "folder", "to"}); break;
    case K::CreateFolder:
    case K::DeleteFolder: shaped = object(j, p, {"device", "folder"}); break;
    case K::RenameFolder: shaped = object(j, p, {"device", "folder", "to"}); break;
    case K::Idle: shaped = object(j, p, {"device", "on"}); break;
  }
  if (!shaped) return std::nullopt;
  if (auto d = str(j, "device", p, true, "the name of a client device")) a.device = *d;
  if (on_message)
    if (auto t = str(j, "subject", p, true, "a part of the message's subject")) a.subject = *t;
  const bool folder_required = a.kind == K::CreateFolder || a.kind == K::RenameFolder || a.kind == K::DeleteFolder;
  if (auto f = str(j, "folder", p, folder_required, "a folder name such as \"Work\"")) {
    if (f->empty() || f->find_first_of("\r\n\"%*") != std::string::npos || f->front() == '/' || f->back() == '/')
      error(p / "folder", "expected a folder name such as \"Work\" or \"Work/2026\", got " + qt(*f));
    a.folder = iequals(*f, "INBOX") ? std::string("INBOX") : *f;
  }
  if (a.kind == K::Move || a.kind == K::RenameFolder)
    if (auto t = str(j, "to", p, true, "a folder name")) {
      if (t->empty() || t->find_first_of("\r\n\"%*") != std::string::npos)
        error(p / "to", "expected a folder name such as \"Archive\", got " + qt(*t));
      a.to = *t;
    }
  if (a.kind == K::Flag)
    if (auto fl = str(j, "flag", p, false, "\"\\\\Flagged\", \"\\\\Seen\", \"\\\\Answered\", \"\\\\Deleted\" or \"\\\\Draft\"")) {
      const std::uint8_t bit = parse_flags(*fl);
      if (bit == 0 || bit == kFlagRecent || fl->find(' ') != std::string::npos)
        error(p / "flag", "expected one of \"\\\\Seen\", \"\\\\Answered\", \"\\\\Flagged\", \"\\\\Deleted\", \"\\\\Draft\", got " + qt(*fl));
      a.flag = format_flags(bit);
    }
  if (a.kind == K::Flag || a.kind == K::Idle)
    if (auto b = boolean(j, "on", p)) a.on = *b;
  const HostSpec* h = host_named(s, a.device);
  const JsonPath dp = p / "device";
  if (missing_host(s, a.device)) error(dp, "no host is named " + qt(a.device) + "; hosts: " + host_list(s));
  else if (wrong_role(h, HostRole::Client)) error(dp, qt(a.device) + " is an MTA; this is done on a client device");
  else if (h && (!h->retrieve || !h->retrieve->imap))
    error(dp, qt(a.device) + " does not read mail with IMAP: give the host \"retrieve\": {\"protocol\": \"imap\"}");
  return a;
}

std::optional<CheckMailAction> Loader::check_mail(const Json& j, const JsonPath& p, const Scenario& s) {
  // "check_mail": "laptop", or {"device": "laptop", "password": "wrong"} to show a refused login.
  CheckMailAction a;
  if (j.is_string()) {
    a.device = j.get<std::string>();
  } else {
    if (!object(j, p, {"device", "password"})) return std::nullopt;
    if (auto d = str(j, "device", p, true, "the name of a client device")) a.device = *d;
    if (auto pw = str(j, "password", p, false, "the password to log in with")) {
      a.password = *pw;
      a.has_password = true;
    }
  }
  const JsonPath at = j.is_string() ? p : p / "device";
  const HostSpec* h = host_named(s, a.device);
  if (missing_host(s, a.device)) error(at, "no host is named " + qt(a.device) + "; hosts: " + host_list(s));
  else if (wrong_role(h, HostRole::Client)) error(at, qt(a.device) + " is an MTA; mail is checked from a client device");
  else if (h && !h->retrieve)
    error(at, qt(a.device) + " has no \"retrieve\" settings: give the host \"retrieve\": {\"protocol\": \"pop3\"} (or \"imap\")");
  return a;
}

}  // namespace postlab::detail
