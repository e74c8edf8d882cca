// The lesson sections that describe what happens: messages, the timeline, narration, and the
// checks that need the whole lesson.
#include <algorithm>
#include <map>
#include <set>

#include "core/ascii.h"
#include "mail/address.h"
#include "mail/message.h"
#include "trace/state.h"
#include "scenario/loader.h"

namespace postlab::detail {

std::optional<MessageSpec> Loader::message(const Json& j, const JsonPath& p, const HostSpec* sender,
                                           const std::string& default_to) {
  if (!object(j, p, {"from", "to", "to_one_of", "cc", "bcc", "reply_to", "sender", "envelope_from", "subject", "body", "html",
                     "attachments", "text_encoding"}))
    return std::nullopt;
  MessageSpec m;
  if (auto f = str(j, "from", p, false, "a sender such as \"Alice <alice@uni.example>\"")) {
    m.from = *f;
    address(*f, p / "from", true, "expected a sender such as \"Alice <alice@uni.example>\", got " + qt(*f));
  } else if (sender && !sender->user.empty()) {
    m.from = sender->user;  // the device's own user
    m.from_device = true;
  }
  std::size_t count = 0;
  m.to_one_of = str_list(j, "to_one_of", p, false, "a recipient such as \"bob@correo.example\"", kMaxRecipientsPerMessage);
  for (std::size_t k = 0; k < m.to_one_of.size(); ++k)
    if (!parse_mailbox(m.to_one_of[k]))
      error(p / "to_one_of" / k, "expected a recipient such as \"bob@correo.example\" or \"Bob <bob@correo.example>\", got " + qt(m.to_one_of[k]));
  if (!m.to_one_of.empty()) ++count;  // each message gets one of them
  for (const char* key : {"to", "cc", "bcc"}) {
    auto& out = std::string_view(key) == "to" ? m.to : std::string_view(key) == "cc" ? m.cc : m.bcc;
    out = str_list(j, key, p, false, "a recipient such as \"bob@correo.example\"", kMaxRecipientsPerMessage);
    for (std::size_t k = 0; k < out.size(); ++k)
      address(out[k], p / key / k, true,
              "expected a recipient such as \"bob@correo.example\" or \"Bob <bob@correo.example>\", got " + qt(out[k]));
    count += out.size();
  }
  if (count == 0 && !j.contains("to") && !default_to.empty()) m.to.push_back(default_to);
  else if (count == 0 && !j.contains("to")) error(p, "missing field \"to\": a message needs at least one recipient");
  else if (count == 0) error(p / "to", "a message needs at least one recipient in \"to\", \"cc\" or \"bcc\"");
  if (count > kMaxRecipientsPerMessage) error(p, "too many recipients (at most " + std::to_string(kMaxRecipientsPerMessage) + ")");
  if (auto s = str(j, "subject", p, false)) {
    if (s->find_first_of("\r\n") != std::string::npos) error(p / "subject", "a subject is one line of text");
    m.subject = *s;
  }
  if (auto b = str(j, "body", p, false)) {
    if (b->size() > kMaxBodyBytes)
      error(p / "body", "the body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
    m.body = *b;
  }
  if (auto h = str(j, "html", p, false)) {
    if (h->size() > kMaxBodyBytes)
      error(p / "html", "the HTML body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
    m.html = *h;
  }
  for (const char* key : {"reply_to", "sender"}) {
    if (auto v = str(j, key, p, false, "a mailbox such as \"Alice <alice@uni.example>\"")) {
      address(*v, p / key, true, "expected a mailbox such as \"Alice <alice@uni.example>\", got " + qt(*v));
      (std::string_view(key) == "sender" ? m.sender : m.reply_to) = *v;
    }
  }
  if (auto e = str(j, "envelope_from", p, false, "an address, or \"<>\" for the null sender")) {
    if (*e == "<>" || e->empty()) m.null_sender = true;
    else if (address(*e, p / "envelope_from", false,
                     "expected an address such as \"alice@uni.example\", or \"<>\", got " + qt(*e)))
      m.envelope_from = *e;
  }
  if (auto t = str(j, "text_encoding", p, false, "\"8bit\" or \"quoted-printable\"")) {
    if (*t == "quoted-printable") m.quoted_printable = true;
    else if (*t != "8bit") error(p / "text_encoding", "expected \"8bit\" or \"quoted-printable\", got " + qt(*t));
  }
  if (const Json* l = list(j, "attachments", p, false, kMaxAttachments)) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < l->size(); ++i) {
      const Json& a = (*l)[i];
      const JsonPath ap = p / "attachments" / i;
      if (!object(a, ap, {"name", "type", "size", "content"})) continue;
      AttachmentSpec spec;
      if (auto n = str(a, "name", ap, true, "a file name such as \"foto.jpg\"")) {
        if (n->empty() || n->find_first_of("/\\\r\n\"") != std::string::npos)
          error(ap / "name", "a file name has no path, quotes or line breaks: " + qt(*n));
        spec.name = *n;
      }
      if (auto t = str(a, "type", ap, false, "a media type such as \"image/jpeg\"")) {
        const auto slash = t->find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == t->size() || t->find_first_of(" ;\"") != std::string::npos)
          error(ap / "type", "expected a media type such as \"image/jpeg\" or \"application/pdf\", got " + qt(*t));
        spec.type = *t;
      }
      if (a.contains("size") == a.contains("content"))
        error(ap, "give exactly one of \"size\" (bytes, made up for you) or \"content\" (the file's text)");
      if (auto sz = integer(a, "size", ap, false, 0, static_cast<std::int64_t>(kMaxAttachmentBytes))) spec.size = static_cast<std::size_t>(*sz);
      if (auto c = str(a, "content", ap, false)) {
        if (c->size() > kMaxAttachmentBytes) error(ap / "content", "larger than " + std::to_string(kMaxAttachmentBytes) + " bytes");
        spec.content = *c;
        spec.has_content = true;
        spec.size = c->size();
      }
      total += spec.size;
      m.attachments.push_back(std::move(spec));
    }
    if (total > kMaxAttachmentBytes)
      error(p / "attachments", "the attachments add up to " + std::to_string(total) + " bytes (at most " +
                                   std::to_string(kMaxAttachmentBytes) + " per message)");
  }
  return m;
}

// The timeline's actions of an IMAP mail program.
constexpr const char* kMailActions[] = {"read", "flag", "move", "delete", "create_folder", "rename_folder", "delete_folder",
                                        "idle"};

void Loader::timeline(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "timeline", top, false, kMaxTimelineItems);
  if (!l) return;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "timeline" / i;
    if (!object(j, p, {"at", "send", "say", "repeat", "fault", "force_reply", "check_mail", "read", "flag", "move",
                       "delete", "create_folder", "rename_folder", "delete_folder", "idle", "offline", "online"}))
      continue;
    TimelineItem item;
    if (auto at = duration(j, "at", p, true)) item.at = *at;
    if (auto say = text(j, "say", p, false)) item.say = *say;
    if (j.contains("repeat")) {
      // "A spammer sends 10,000 messages": the same send, `count` times, `every` apart.
      const Json& rj = j.at("repeat");
      const JsonPath rp = p / "repeat";
      if (!j.contains("send") && !j.contains("fault") && !j.contains("force_reply") && !j.contains("check_mail"))
        error(rp, "\"repeat\" repeats a \"send\"; this entry has none", true);
      if (object(rj, rp, {"count", "every"})) {
        if (auto n = integer(rj, "count", rp, true, 1, static_cast<std::int64_t>(kMaxRepeat)))
          item.count = static_cast<std::size_t>(*n);
        if (auto d = duration(rj, "every", rp, true)) item.every = *d;
        if (item.at + item.every * static_cast<Duration>(item.count - 1) > kMaxDuration)
          error(rp, "the last repetition would come after " + format_duration(kMaxDuration) +
                        "; use a smaller \"count\" or \"every\"");
      }
      total_sends_ += item.count - 1;
    }
    if (j.contains("send")) {
      const Json& sj = j.at("send");
      const JsonPath sp = p / "send";
      if (object(sj, sp, {"from", "via", "port", "message", "login", "password"})) {
        SendAction send;
        const HostSpec* sender = nullptr;
        auto check_sender = [&](const std::string& h, const JsonPath& at) {
          const HostSpec* found = host_named(s, h);
          if (missing_host(s, h))
            error(at, "no host is named " + qt(h) + "; hosts: " + host_list(s));
          else if (wrong_role(found, HostRole::Client))
            error(at, qt(h) + " is an MTA; messages are sent from a host with role \"client\"");
          return found;
        };
        if (sj.contains("from") && sj.at("from").is_array()) {
          // A list of senders: each repetition draws one (seeded).
          send.hosts = str_list(sj, "from", sp, true, "the name of a client host", kMaxHosts);
          if (send.hosts.empty() && sj.at("from").empty()) error(sp / "from", "the list of senders is empty");
          for (std::size_t k = 0; k < send.hosts.size(); ++k) {
            const HostSpec* found = check_sender(send.hosts[k], sp / "from" / k);
            if (k == 0) sender = found;
          }
          if (!send.hosts.empty()) send.host = send.hosts.front();
        } else if (auto h = str(sj, "from", sp, true, "the name of the client host that sends, or a list of them")) {
          send.host = *h;
          sender = check_sender(*h, sp / "from");
        }
        if (auto v = str(sj, "via", sp, false, "the name of an MTA host")) {
          const HostSpec* via = host_named(s, *v);
          if (missing_host(s, *v)) error(sp / "via", "no host is named " + qt(*v) + "; hosts: " + host_list(s));
          else if (wrong_role(via, HostRole::Mta)) error(sp / "via", qt(*v) + " is not an MTA");
          send.via = *v;
        }
        if (auto port = integer(sj, "port", sp, false, 1, 65535)) {
          if (*port != 25 && *port != 587) error(sp / "port", "expected 587 (submission) or 25 (SMTP), got " + std::to_string(*port));
          send.port = static_cast<int>(*port);
        }
        if (auto b = boolean(sj, "login", sp)) send.login = *b;
        if (auto pw = str(sj, "password", sp, false, "the password to log in with")) {
          send.password = *pw;
          send.has_password = true;
        }
        if (!sj.contains("message")) error(sp, "missing field \"message\"");
        else if (auto m = message(sj.at("message"), sp / "message", sender)) {
          if (m->from.empty() && sender && sender->role == HostRole::Client)
            error(sp / "message", "missing field \"from\" (and the sending host has no \"user\")");
          send.message = *m;
        }
        item.send = std::move(send);
      }
    }
    if (j.contains("fault")) item.fault = fault(j.at("fault"), p / "fault", s);
    if (j.contains("force_reply")) item.force_reply = force_reply(j.at("force_reply"), p / "force_reply", s);
    if (j.contains("check_mail")) item.check_mail = check_mail(j.at("check_mail"), p / "check_mail", s);
    int mail_actions = 0;
    for (const char* k : kMailActions)
      if (j.contains(k)) {
        ++mail_actions;
        if (!item.mail) item.mail = mail_action(j.at(k), p / k, k, s);
      }
    // "offline": "bob-phone" (no network: every connection it tries times out) and "online" again.
    for (const char* k : {"offline", "online"}) {
      if (!j.contains(k)) continue;
      ++mail_actions;
      auto d = str(j, k, p, false, "the name of a client device");
      if (!d) continue;
      const HostSpec* h = host_named(s, *d);
      if (missing_host(s, *d)) error(p / k, "no host is named " + qt(*d) + "; hosts: " + host_list(s));
      else if (wrong_role(h, HostRole::Client)) error(p / k, qt(*d) + " is an MTA; a server that stops is a \"fault\": \"host_down\"");
      if (!item.fault) {
        FaultAction f;
        f.kind = std::string_view(k) == "offline" ? FaultKind::HostDown : FaultKind::HostUp;
        f.host = *d;
        f.device = true;
        item.fault = f;
      }
    }
    const int actions = int(j.contains("send")) + int(j.contains("fault")) + int(j.contains("force_reply")) +
                        int(j.contains("check_mail")) + mail_actions;
    if (actions == 0 && !j.contains("say"))
      error(p, "a timeline entry needs something to happen: \"send\", \"fault\", \"force_reply\", \"check_mail\" "
               "and/or \"say\"");
    if (actions > 1)
      error(p, "one timeline entry does one thing (\"send\", \"fault\", \"force_reply\", \"check_mail\", \"read\", ...); "
               "use one entry for each");
    if (j.contains("repeat") && !j.contains("send") && actions > 0)
      error(p / "repeat", "only a \"send\" repeats");
    if (item.send) ++total_sends_;
    if (item.send && item.count == 1 && (item.send->hosts.size() > 1 || !item.send->message.to_one_of.empty()) &&
        !j.contains("repeat"))
      error(p, "a list of senders or \"to_one_of\" is drawn from once per repetition: add \"repeat\": {\"count\": ..., \"every\": ...}");
    s.timeline.push_back(std::move(item));
    timeline_index_.push_back(i);
  }
}

void Loader::action_host(const Scenario& s, const std::string& name, const JsonPath& path, std::optional<HostRole> role) {
  const HostSpec* h = host_named(s, name);
  if (missing_host(s, name)) error(path, "no host is named " + qt(name) + "; hosts: " + host_list(s));
  else if (role && wrong_role(h, *role))
    error(path, qt(name) + (*role == HostRole::Mta ? " is not an MTA" : " is not a client device"));
}

namespace {
// "RCPT", "rcpt" -> "RCPT"; "." stays. Empty when it is not a command a server can be made to answer.
std::string server_command(std::string_view c) {
  static constexpr const char* kCommands[] = {"CONNECT", "HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA",
                                              "BDAT", ".", "RSET", "NOOP", "VRFY", "ETRN", "QUIT"};
  const std::string up = ascii_upper(c);
  for (const char* k : kCommands)
    if (up == k) return up;
  return {};
}
constexpr const char* kServerCommands =
    "CONNECT (the greeting), HELO, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, BDAT, \".\" (the end of the message "
    "text), RSET, NOOP, VRFY, ETRN or QUIT";

// A reply line a lesson may force: a 4xx or 5xx code, then a space and text (RFC 5321 §4.2).
bool forced_reply_line(std::string_view r) {
  if (r.size() < 3 || (r[0] != '4' && r[0] != '5') || r[1] < '0' || r[1] > '5' || r[2] < '0' || r[2] > '9')
    return false;
  if (r.size() > 3 && r[3] != ' ') return false;
  for (char c : r)
    if (c == '\r' || c == '\n') return false;
  return r.size() <= 512;  // RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets
}
}  // namespace

std::optional<FaultAction> Loader::fault(const Json& j, const JsonPath& p, const Scenario& s) {
  if (!object(j, p, {"type", "host", "between", "client", "command", "for", "times"})) return std::nullopt;
  FaultAction f;
  auto type = str(j, "type", p, true,
                  "one of \"host_down\", \"host_up\", \"link_down\", \"link_up\", \"dns_down\", \"dns_up\", "
                  "\"drop_connection\", \"lose_reply_after_dot\", \"disk_full\", \"disk_ok\"");
  if (!type) return std::nullopt;
  bool known = false;
  for (FaultKind k : {FaultKind::HostDown, FaultKind::HostUp, FaultKind::LinkDown, FaultKind::LinkUp, FaultKind::DnsDown,
                      FaultKind::DnsUp, FaultKind::DropConnection, FaultKind::LoseReplyAfterDot, FaultKind::DiskFull,
                      FaultKind::DiskOk})
    if (*type == to_string(k)) {
      f.kind = k;
      known = true;
    }
  if (!known) {
    error(p / "type", "expected one of \"host_down\", \"host_up\", \"link_down\", \"link_up\", \"dns_down\", "
                      "\"dns_up\", \"drop_connection\", \"lose_reply_after_dot\", \"disk_full\", \"disk_ok\", got " + qt(*type));
    return std::nullopt;
  }
  const FaultKind k = f.kind;
  const bool link = k == FaultKind::LinkDown || k == FaultKind::LinkUp;
  const bool dns = k == FaultKind::DnsDown || k == FaultKind::DnsUp;
  const bool per_connection = k == FaultKind::DropConnection || k == FaultKind::LoseReplyAfterDot;
  const bool disk = k == FaultKind::DiskFull || k == FaultKind::DiskOk;
  const bool ends_itself = k == FaultKind::HostDown || k == FaultKind::LinkDown || k == FaultKind::DnsDown ||
                           k == FaultKind::DiskFull;
  auto not_here = [&](const char* key, const char* why) {
    if (j.contains(key)) error(p / key, std::string("\"") + key + "\" " + why, true);
  };
  if (link) {
    not_here("host", "is not used by a link fault: name its two ends in \"between\"");
    auto ends = str_list(j, "between", p, true, "a host name");
    if (j.contains("between") && j.at("between").is_array() && ends.size() != 2)
      error(p / "between", "expected exactly two host names, like [\"mx.uni.example\", \"mx.correo.example\"]");
    if (ends.size() == 2) {
      for (std::size_t i = 0; i < 2; ++i) action_host(s, ends[i], p / "between" / i, std::nullopt);
      if (ends[0] == ends[1]) error(p / "between", "a link joins two different hosts");
      f.host = ends[0];
      f.other = ends[1];
    }
  } else {
    not_here("between", "is only for \"link_down\" and \"link_up\"");
    if (dns) {
      not_here("host", "is not used: the lesson has one DNS server");
    } else if (auto h = str(j, "host", p, true, "a host name")) {
      action_host(s, *h, p / "host", disk || per_connection ? std::optional(HostRole::Mta) : std::nullopt);
      f.host = *h;
    }
  }
  if (per_connection) {
    if (auto c = str(j, "client", p, false, "the host whose connections it hits")) {
      action_host(s, *c, p / "client", std::nullopt);
      f.other = *c;
    }
    if (auto n = integer(j, "times", p, false, 1, 1000)) f.times = static_cast<std::size_t>(*n);
  } else {
    not_here("client", "is only for \"drop_connection\" and \"lose_reply_after_dot\"");
    not_here("times", "is only for \"drop_connection\" and \"lose_reply_after_dot\"");
  }
  if (k == FaultKind::DropConnection) {
    if (auto c = str(j, "command", p, true, kServerCommands)) {
      f.command = server_command(*c);
      if (f.command.empty() || f.command == "CONNECT")
        error(p / "command", "expected the command the client sends when the connection drops: one of " +
                                 std::string(kServerCommands).substr(std::string(kServerCommands).find("HELO")) + "; got " + qt(*c));
    }
  } else {
    not_here("command", "is only for \"drop_connection\"");
  }
  if (ends_itself) {
    if (auto d = duration(j, "for", p, false)) {
      if (*d == 0) error(p / "for", "a fault that lasts no time does nothing; leave \"for\" out for one that lasts");
      f.lasts = *d;
    }
  } else {
    not_here("for", "is only for a fault that ends by itself: host_down, link_down, dns_down, disk_full");
  }
  return f;
}

std::optional<ForceReplyAction> Loader::force_reply(const Json& j, const JsonPath& p, const Scenario& s) {
  if (!object(j, p, {"host", "command", "reply", "times", "for", "always", "client", "recipient", "hang_up"}))
    return std::nullopt;
  ForceReplyAction f;
  if (auto h = str(j, "host", p, true, "the MTA that answers")) {
    action_host(s, *h, p / "host", HostRole::Mta);
    f.host = *h;
  }
  if (auto c = str(j, "command", p, true, kServerCommands)) {
    f.command = server_command(*c);
    if (f.command.empty()) error(p / "command", std::string("expected one of ") + kServerCommands + "; got " + qt(*c));
  }
  if (auto r = str(j, "reply", p, true, "a whole reply line such as \"450 4.2.0 Greylisted, try again later\"")) {
    if (!forced_reply_line(*r))
      error(p / "reply", "expected one reply line with a 4xx or 5xx code, a space and text, such as "
                         "\"450 4.2.0 Greylisted, try again later\" (at most 512 characters); got " + qt(*r));
    else if (f.command == "CONNECT" && r->rfind("421", 0) != 0 && r->rfind("554", 0) != 0)
      error(p / "reply", "a server that refuses at the greeting answers 421 (and hangs up) or 554 (RFC 5321 §3.1); got " + qt(*r));
    f.reply = *r;
  }
  const int limits = int(j.contains("times")) + int(j.contains("always"));
  if (limits > 1) error(p, "give at most one of \"times\" and \"always\"");
  if (auto n = integer(j, "times", p, false, 1, 1000000)) f.times = static_cast<std::size_t>(*n);
  if (auto a = boolean(j, "always", p)) {
    if (*a) f.times = 0;
    else error(p / "always", "leave \"always\" out, or give \"times\", for a reply that stops");
  }
  if (auto d = duration(j, "for", p, false)) {
    if (*d == 0) error(p / "for", "a rule that lasts no time does nothing");
    f.lasts = *d;
    if (!j.contains("times")) f.times = 0;  // "for a while": as often as asked until then
  }
  if (auto c = str(j, "client", p, false, "the host whose connections it answers")) {
    action_host(s, *c, p / "client", std::nullopt);
    f.client = *c;
  }
  if (auto r = str(j, "recipient", p, false, "an address")) {
    if (f.command != "RCPT") error(p / "recipient", "\"recipient\" narrows a rule for RCPT only", true);
    address(*r, p / "recipient", false, "expected an address such as \"bob@correo.example\", got " + qt(*r));
    f.recipient = *r;
  }
  if (auto b = boolean(j, "hang_up", p)) f.hang_up = *b;
  if (f.reply.rfind("421", 0) == 0 || (f.command == "CONNECT" && !f.reply.empty())) f.hang_up = true;
  return f;
}

void Loader::check_total_sends() {
  if (total_sends_ > kMaxTimelineSends)
    error(JsonPath{} / "timeline", "the timeline sends " + std::to_string(total_sends_) + " messages, repeats counted (at most " +
                                       std::to_string(kMaxTimelineSends) + " in one lesson)");
}

void Loader::narration(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "narration", top, false, kMaxTimelineItems);
  if (!l) return;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "narration" / i;
    if (!object(j, p, {"at", "when", "say"})) continue;
    NarrationItem n;
    if (auto say = text(j, "say", p, true)) n.say = *say;
    if (j.contains("at") == j.contains("when"))
      error(p, "give exactly one of \"at\" (a time) or \"when\" (an event)");
    if (auto at = duration(j, "at", p, false)) n.at = *at;
    if (j.contains("when")) {
      const Json& w = j.at("when");
      const JsonPath wp = p / "when";
      // What an MTA's queue does, each naming the MTA.
      static constexpr std::pair<const char*, Trigger::Kind> kQueueTriggers[] = {
          {"deferred", Trigger::Kind::Deferred}, {"bounced", Trigger::Kind::Bounced}, {"retried", Trigger::Kind::Retried},
          {"warned", Trigger::Kind::Warned},     {"expired", Trigger::Kind::Expired}};
      if (object(w, wp, {"stored", "command", "accepted", "host", "downloaded", "expunged", "flagged", "deferred",
                         "bounced", "retried", "warned", "expired"})) {
        int kinds = static_cast<int>(w.contains("stored")) + static_cast<int>(w.contains("command")) +
                    static_cast<int>(w.contains("accepted")) + static_cast<int>(w.contains("downloaded")) +
                    static_cast<int>(w.contains("expunged")) + static_cast<int>(w.contains("flagged"));
        for (const auto& [key, kind] : kQueueTriggers) kinds += static_cast<int>(w.contains(key));
        Trigger t;
        // With more than one kind given, each is still checked; the first one is kept.
        if (kinds != 1)
          error(wp, "give exactly one of \"stored\" (a user's address), \"command\" (an SMTP or POP3 verb), "
                    "\"accepted\" (an MTA host), \"downloaded\" (a device), \"expunged\" or \"flagged\" (a user's "
                    "address), or \"deferred\", \"bounced\", \"retried\", \"warned\" or \"expired\" (an MTA host)");
        bool kind_set = false;
        if (auto st = str(w, "stored", wp, false, "a user's address")) {
          t.kind = Trigger::Kind::Stored;
          kind_set = true;
          // Kept as written (domain in lower case); the world compares it without regard to case in the
          // local part, as Postfix delivers.
          t.mailbox = normalize_address(*st);
          if (address(*st, wp / "stored", false, "expected a user's address such as \"bob@correo.example\", got " + qt(*st)) &&
              !user_exists(s, *st) && users_complete_)
            error(wp / "stored", "no user has the address " + qt(*st));
        }
        if (auto cmd = str(w, "command", wp, false, "an SMTP or POP3 verb such as \"DATA\" or \"RETR\"")) {
          if (!kind_set) {
            t.kind = Trigger::Kind::Command;
            t.verb = *cmd;
            kind_set = true;
          }
          static const std::set<std::string> verbs{"HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET",
                                                   "NOOP", "VRFY", "ETRN", "QUIT", "BDAT", "USER", "PASS", "STAT",
                                                   "LIST", "UIDL", "RETR", "TOP", "DELE", "CAPA", "STLS"};
          std::string upper = *cmd;
          for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          if (!verbs.count(upper))
            error(wp / "command", "expected an SMTP verb (HELO, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, BDAT, RSET, NOOP, "
                                  "VRFY, ETRN, QUIT) or a POP3 verb (USER, PASS, STAT, LIST, UIDL, RETR, TOP, DELE, CAPA, "
                                  "STLS), got " + qt(*cmd));
        }
        if (auto acc = str(w, "accepted", wp, false, "an MTA host name")) {
          if (!kind_set) {
            t.kind = Trigger::Kind::Accepted;
            t.host = *acc;
            kind_set = true;
          }
          const HostSpec* h = host_named(s, *acc);
          if (missing_host(s, *acc) || wrong_role(h, HostRole::Mta))
            error(wp / "accepted", "no MTA host is named " + qt(*acc));
        }
        for (const auto& [key, kind] : kQueueTriggers) {
          auto mta = str(w, key, wp, false, "an MTA host name");
          if (!mta) continue;
          if (!kind_set) {
            t.kind = kind;
            t.host = *mta;
            kind_set = true;
          }
          const HostSpec* h = host_named(s, *mta);
          if (missing_host(s, *mta) || wrong_role(h, HostRole::Mta)) error(wp / key, "no MTA host is named " + qt(*mta));
        }
        if (auto dev = str(w, "downloaded", wp, false, "a client device's name")) {
          if (!kind_set) {
            t.kind = Trigger::Kind::Downloaded;
            t.host = *dev;
            kind_set = true;
          }
          const HostSpec* h = host_named(s, *dev);
          if (missing_host(s, *dev) || wrong_role(h, HostRole::Client))
            error(wp / "downloaded", "no client device is named " + qt(*dev));
        }
        for (const char* key : {"expunged", "flagged"}) {
          auto who = str(w, key, wp, false, "a user's address");
          if (!who) continue;
          if (!kind_set) {
            t.kind = std::string_view(key) == "expunged" ? Trigger::Kind::Expunged : Trigger::Kind::Flagged;
            t.mailbox = normalize_address(*who);
            kind_set = true;
          }
          if (address(*who, wp / key, false, "expected a user's address such as \"bob@correo.example\", got " + qt(*who)) &&
              !user_exists(s, *who) && users_complete_)
            error(wp / key, "no user has the address " + qt(*who));
        }
        if (auto host = str(w, "host", wp, false, "a server host name")) {
          if (!w.contains("command")) error(wp / "host", "\"host\" goes with \"command\" only", true);
          else if (missing_host(s, *host)) error(wp / "host", "no host is named " + qt(*host) + "; hosts: " + host_list(s));
          if (t.kind == Trigger::Kind::Command) t.host = *host;
        }
        n.when = t;
      }
    }
    s.narration.push_back(std::move(n));
  }
}

void Loader::cross_checks(const Scenario& s) {
  // They run on whatever loaded, so each one skips what is missing or was reported already. Hosts and
  // timeline entries that were not objects are not in s, hence the JSON positions kept by the loader.
  for (std::size_t k = 0; k < s.hosts.size(); ++k) {
    const HostSpec& h = s.hosts[k];
    const JsonPath p = JsonPath{} / "hosts" / host_index_[k];
    if (h.role == HostRole::Mta && !h.policy.relayhost.empty()) {
      // Postfix relayhost: mail for other domains goes to that host. Here it must be another MTA of the
      // lesson, since nothing else could take it.
      const JsonPath rp = p / "policy" / "relayhost";
      const HostSpec* r = host_named(s, h.policy.relayhost);
      if (h.policy.relayhost == h.name)
        error(rp, "an MTA cannot use itself as its relayhost (its mail would loop back to itself)");
      else if (missing_host(s, h.policy.relayhost))
        error(rp, "no host is named " + qt(h.policy.relayhost) + "; hosts: " + host_list(s));
      else if (wrong_role(r, HostRole::Mta))
        error(rp, qt(h.policy.relayhost) + " is not an MTA; a relayhost is a mail server that takes mail for other domains");
    }
    // Every client must reach a mail server: an explicit submit_to, or the MTA of its user's domain.
    if (h.role != HostRole::Client || role_unsure_.count(h.name)) continue;
    if (!h.submit_to.empty()) {
      const HostSpec* t = host_named(s, h.submit_to);
      if (missing_host(s, h.submit_to)) error(p / "submit_to", "no host is named " + qt(h.submit_to) + "; hosts: " + host_list(s));
      else if (wrong_role(t, HostRole::Mta)) error(p / "submit_to", qt(h.submit_to) + " is not an MTA");
      continue;
    }
    auto addr = parse_address(h.user);
    if (!addr || !hosts_complete_) continue;  // a missing or bad user is reported where it is written
    bool found = false;
    for (const auto& m : s.hosts)
      for (const auto& d : m.domains) found = found || d == addr->domain;
    if (!found)
      error(p / "user", "no MTA host serves " + qt(addr->domain) +
                            ", so this device has no server to send through; add \"submit_to\": \"<MTA host>\"");
  }
  // A device that reads mail needs a server that offers POP3, and a password to log in with.
  for (std::size_t k = 0; k < s.hosts.size(); ++k) {
    const HostSpec& h = s.hosts[k];
    if (h.role != HostRole::Client || !h.retrieve || role_unsure_.count(h.name) || !hosts_complete_) continue;
    const JsonPath p = JsonPath{} / "hosts" / host_index_[k] / "retrieve";
    if (!h.retrieve->server.empty() && missing_host(s, h.retrieve->server)) {
      error(p / "server", "no host is named " + qt(h.retrieve->server) + "; hosts: " + host_list(s));
      continue;
    }
    const HostSpec* server = retrieval_server(s, h);
    if (!server) {
      if (!h.retrieve->server.empty()) error(p / "server", qt(h.retrieve->server) + " is not an MTA");
      else if (parse_address(h.user)) error(p, "no MTA host serves this device's user; add \"server\": \"<MTA host>\"");
      continue;
    }
    const char* service = h.retrieve->imap ? "imap" : "pop3";
    if (std::find(server->services.begin(), server->services.end(), service) == server->services.end())
      error(p, server->name + " does not offer " + (h.retrieve->imap ? "IMAP" : "POP3") + ": add \"" + service +
                   "\" to its \"services\"");
    const UserSpec* user = find_user(s, h.user);
    if (users_complete_ && parse_address(h.user) && (!user || user->password.empty()))
      error(p, qt(h.user) + " has no \"password\" in \"users\"; a mail program logs in to read mail");
  }
  // A send that must log in needs a password: the default submission port refuses strangers.
  for (std::size_t k = 0; k < s.timeline.size(); ++k) {
    const auto& send = s.timeline[k].send;
    if (!send || !send->login || send->has_password) continue;
    // Every device that may send (one, or each of a list of senders).
    for (const std::string& name : send->hosts.empty() ? std::vector<std::string>{send->host} : send->hosts) {
      const HostSpec* device = host_named(s, name);
      if (!device || device->role != HostRole::Client || !parse_address(device->user)) continue;
      const SubmissionRoute route = submission_route(s, *device, *send);
      const HostSpec* server = route.server;
      if (!server || route.port != 587 || !server->policy.require_auth_on_submission) continue;
      if (std::find(server->services.begin(), server->services.end(), "submission") == server->services.end()) continue;
      const UserSpec* user = find_user(s, device->user);  // Alice@x logs in as alice@x, as Postfix looks it up
      if (!user && !users_complete_) continue;  // it may be the user that could not be read
      if (!user || user->password.empty())
        error(JsonPath{} / "timeline" / timeline_index_[k] / "send",
              qt(device->user) + " has no \"password\" in \"users\", but " + server->name +
                  " lets only logged-in users send on port 587: add the password, set \"login\": false to show "
                  "the refusal, or give " + server->name + " \"policy\": {\"require_auth_on_submission\": false}");
    }
  }
  // A domain belongs to one MTA.
  std::map<std::string, std::string> owner;
  for (std::size_t k = 0; k < s.hosts.size(); ++k)
    for (std::size_t d = 0; d < s.hosts[k].domains.size(); ++d) {
      const std::string& dom = s.hosts[k].domains[d];
      if (auto [it, fresh] = owner.emplace(dom, s.hosts[k].name); !fresh)
        error(JsonPath{} / "hosts" / host_index_[k] / "domains" / d,
              "the domain " + qt(dom) + " is already served by " + qt(it->second));
    }
}

}  // namespace postlab::detail
