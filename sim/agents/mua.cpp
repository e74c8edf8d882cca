#include "agents/mua.h"

#include <cstdio>

#include "agents/smtp_conn.h"
#include "agents/world.h"
#include "mail/address.h"
#include "mail/encoding.h"
#include "mail/message.h"
#include "mail/mime.h"

namespace postlab {

std::string encode_mailbox(const std::string& mailbox) {
  const auto lt = mailbox.rfind('<');
  if (lt == std::string::npos || lt == 0) return mailbox;
  std::string name = mailbox.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return encode_header_text(name) + " " + mailbox.substr(lt);
}

Mua::Mua(World& world, HostId host, const HostSpec& spec)
    : world_(world), host_(host), spec_(spec), attachment_rng_(world.content_rng(spec.name)),
      user_(find_user(world.scenario(), spec.user)) {}

std::string Mua::compose(const MessageSpec& m) { return compose_message(world_, m, attachment_rng_); }

std::string compose_message(World& world, const MessageSpec& m, Rng& content) {
  // Header order as common mail clients write it (RFC 5322 §3.6 leaves the order free).
  Message msg;
  auto join = [](const std::vector<std::string>& list) {
    std::string out;
    for (const auto& a : list) out += (out.empty() ? "" : ", ") + encode_mailbox(a);
    return out;
  };
  auto add = [&msg](const char* name, const std::string& value) { msg.append(name, fold_header(name, value)); };
  Rng& rng = world.message_id_rng();
  char id[64];
  std::snprintf(id, sizeof id, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(rng.next() >> 32),
                static_cast<unsigned long long>(rng.next() >> 48), static_cast<unsigned long long>(rng.next() >> 48),
                static_cast<unsigned long long>(rng.next() >> 48), static_cast<unsigned long long>(rng.next() >> 16));
  auto from = parse_mailbox(m.from);
  // RFC 5322 §3.6.4: an id-left "@" a domain; the sender's domain keeps it unique to this client.
  msg.append("Message-ID", std::string("<") + id + "@" + (from ? from->domain : "localhost") + ">");
  msg.append("Date", format_rfc5322_date(world.rec().now(), world.epoch()));
  msg.append("MIME-Version", "1.0");
  add("From", encode_mailbox(m.from));
  if (!m.sender.empty()) add("Sender", encode_mailbox(m.sender));
  if (!m.reply_to.empty()) add("Reply-To", encode_mailbox(m.reply_to));
  if (!m.to.empty()) add("To", join(m.to));
  if (!m.cc.empty()) add("Cc", join(m.cc));
  // Bcc recipients travel only in the envelope (RFC 5322 §3.6.3): no Bcc header goes out.
  msg.append("Subject", encode_header_text(m.subject));
  BodySpec body{m.body, m.html, m.attachments, m.quoted_printable};
  build_mime_body(msg, body, content);
  return msg.serialize();
}

void Mua::send(const SendAction& action) {
  const MessageSpec& spec = action.message;
  const std::string data = compose(spec);
  auto from = parse_mailbox(spec.from);
  std::vector<std::string> rcpts;
  for (const auto* list : {&spec.to, &spec.cc, &spec.bcc})
    for (const auto& r : *list)
      if (auto a = parse_mailbox(r)) rcpts.push_back(a->str());
  // The envelope sender is the From address unless the lesson forges or nulls it (RFC 5321 §4.1.1.2).
  std::string mail_from = from ? from->str() : std::string();
  if (spec.null_sender) mail_from.clear();
  else if (!spec.envelope_from.empty()) mail_from = normalize_address(spec.envelope_from);
  MessageSnapshot draft;
  draft.envelope_from = mail_from;
  draft.envelope_to = rcpts;
  draft.set_data(data);
  draft.kind = CopyKind::Draft;
  draft.holder = spec_.name;
  const std::int64_t index = world_.rec().trace().add_message(std::move(draft));

  TraceEvent e;
  e.kind = EventKind::MessageComposed;
  e.from = spec_.name;
  e.to = spec_.name;
  e.message = index;
  e.text = spec.subject;
  world_.rec().emit(std::move(e));

  const SubmissionRoute route = submission_route(world_.scenario(), spec_, action);
  const std::string server_name = route.server ? route.server->name : std::string();
  const int port = route.port;
  const std::string password = action.has_password ? action.password : user_ ? user_->password : std::string();
  const bool login = action.login && !spec_.user.empty();
  world_.resolve(host_, server_name, DnsType::A,
                 [this, server_name, port, mail_from, rcpts, data, login, password](World::DnsResult result) {
    const std::vector<DnsRecord>& a = result.records;
    auto report = [this, server_name](const std::string& text) {
      TraceEvent s;
      s.kind = EventKind::Submitted;
      s.protocol = Protocol::Smtp;
      s.from = spec_.name;
      s.to = server_name;
      s.text = text;
      world_.rec().emit(std::move(s));
    };
    auto host = a.empty() ? std::nullopt : world_.net().find_by_address(a.front().value);
    if (result.try_again) {
      report("could not send: no answer from the DNS server about " + server_name + " (try again later)");
      return;
    }
    if (!host) {
      report("could not send: the name " + server_name + " does not lead to a mail server");
      return;
    }
    smtp::ClientJob job;
    job.helo_name = spec_.name;
    job.mail_from = mail_from;
    job.rcpts = rcpts;
    job.data = data;
    job.use_bdat = spec_.use_bdat;
    // RFC 6531 §3.2: an address with UTF-8 in it (a local part such as "josé") needs SMTPUTF8.
    job.smtputf8 = !is_ascii(mail_from);
    for (const auto& r : rcpts) job.smtputf8 = job.smtputf8 || !is_ascii(r);
    job.server_label = server_name + "[" + a.front().value + "]";
    // The device logs in as its user when the server offers AUTH (on the submission port it must).
    if (login) {
      job.auth_user = spec_.user;
      job.auth_password = password;
      job.auth_mechanism = spec_.auth_mechanism;
    }
    // Only a device that saves what it sends (IMAP, a Sent folder) keeps the text until the end.
    std::string saved = sent_ ? data : std::string();
    auto* conn = world_.make_handler<SmtpClientConn>(
        world_.net(), std::move(job),
        [this, report, server_name, saved = std::move(saved)](const smtp::ClientSession& s, const std::string& failure) {
          if (!failure.empty()) return report("could not send: " + failure + " (" + server_name + ")");
          std::string text;
          bool accepted = false;
          for (const auto& o : s.outcomes()) {
            text += (text.empty() ? "" : "; ") + o.rcpt + ": " +
                    (o.status == smtp::RcptStatus::Delivered ? "accepted" : to_string(o.status)) + " (" + o.reply + ")";
            accepted = accepted || o.status == smtp::RcptStatus::Delivered;
          }
          report(text);
          if (accepted && sent_) sent_(saved);
        });
    world_.net().connect(host_, *host, port, Protocol::Smtp, conn);
  });
}

}  // namespace postlab
