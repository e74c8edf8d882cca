#include "agents/mta.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "agents/imap_service.h"
#include "agents/pop3_service.h"
#include "agents/smtp_conn.h"
#include "agents/world.h"
#include "mail/address.h"
#include "mail/message.h"
#include "proto/imap/syntax.h"
#include "proto/pop3/server.h"
#include "proto/smtp/limits.h"

namespace postlab {

// One inbound SMTP connection: the server session plus this MTA's decisions.
class Mta::Inbound : public ConnectionHandler, public smtp::ServerHooks {
 public:
  Inbound(Mta& mta, HostId client, int port, smtp::ServerConfig config)
      : mta_(mta), client_(client), port_(port), session_(std::move(config), *this), timer_(mta.world_.rec()) {}

  void on_open(ConnId id) override {
    id_ = id;
    apply_output(mta_.world_.net(), id, false, session_.on_connect(mta_.world_.rec().now()));
    arm(id);
  }
  void on_data(ConnId id, std::string_view bytes) override {
    apply_output(mta_.world_.net(), id, false, session_.on_input(mta_.world_.rec().now(), bytes));
    arm(id);
  }
  void on_close(ConnId) override { timer_.cancel(); }
  std::optional<std::string> check_recipient(const smtp::Transaction& tx, const std::string& rcpt) override {
    return mta_.check_recipient(client_, port_, tx, rcpt);
  }
  std::optional<std::string> check_sender(const smtp::Transaction& tx, const std::string& sender) override {
    return mta_.check_sender(tx, sender);
  }
  bool authenticate(const std::string& user, const std::string& password) override {
    return mta_.authenticate(user, password);
  }
  std::optional<std::string> etrn(const std::string& domain) override { return mta_.etrn(domain); }
  bool hold_recipient(const smtp::Transaction&, const std::string& rcpt) override {
    // Postfix reject_unknown_recipient_domain: a recipient in another domain is looked up in DNS
    // (MX, then A) while the RCPT waits; a domain with neither is refused for now (450 4.1.2).
    if (!mta_.spec_.policy.reject_unknown_recipient_domain) return false;
    auto addr = parse_address(mta_.resolve_local(rcpt));
    if (!addr || mta_.is_local_domain(addr->domain)) return false;
    const std::string domain = addr->domain;
    const std::string refusal = "450 4.1.2 <" + rcpt + ">: Recipient address rejected: Domain not found";
    std::weak_ptr<bool> alive = alive_;
    mta_.world_.resolve(mta_.host_, domain, DnsType::MX, [this, alive, domain, refusal](World::DnsResult mx) {
      if (alive.expired()) return;  // the connection is gone
      if (!mx.records.empty()) return decide(std::nullopt);
      if (mx.try_again) return decide(refusal);
      mta_.world_.resolve(mta_.host_, domain, DnsType::A, [this, alive, refusal](World::DnsResult a) {
        if (alive.expired()) return;
        decide(a.records.empty() ? std::optional<std::string>(refusal) : std::nullopt);
      });
    });
    return true;
  }
  std::optional<smtp::ForcedReply> before_command(const smtp::Transaction&, std::string_view verb,
                                                  std::string_view args) override {
    if (auto f = mta_.world_.forced_reply(mta_.host_, client_, verb, args)) return f;
    // Postfix smtpd checks the queue's free space when a mail transaction starts (smtpd_check_queue).
    if (verb == "MAIL" && mta_.world_.disk_full(mta_.host_))
      return smtp::ForcedReply{"452 4.3.1 Insufficient system storage", false, "note.smtp.disk_full"};
    return std::nullopt;
  }
  smtp::AcceptResult accept_message(const smtp::Transaction& tx, const std::string& data) override {
    return mta_.accept_message(client_, tx, data);
  }

 private:
  // The host's decision on a held recipient reaches the session, which reads on.
  void decide(const std::optional<std::string>& rejection) {
    if (!mta_.world_.net().is_open(id_)) return;
    apply_output(mta_.world_.net(), id_, false, session_.resume(mta_.world_.rec().now(), rejection));
    arm(id_);
  }

  void arm(ConnId id) {
    timer_.arm(session_.deadline(), [this, id] {
      apply_output(mta_.world_.net(), id, false, session_.on_timeout(mta_.world_.rec().now()));
      arm(id);
    });
  }

  Mta& mta_;
  HostId client_;
  int port_;
  smtp::ServerSession session_;
  SessionTimer timer_;
  ConnId id_ = -1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // lookups in flight check it
};

Mta::Mta(World& world, HostId host, const HostSpec& spec) : world_(world), host_(host), spec_(spec), label_(spec.name) {
  for (const auto& s : spec_.services) {
    if (s == "smtp") world_.net().listen(host_, smtp::kPort, this);
    if (s == "submission") world_.net().listen(host_, smtp::kSubmissionPort, this);
    if (s == "pop3") world_.net().listen(host_, pop3::kPort, this);  // Dovecot's pop3 beside Postfix
    if (s == "imap") world_.net().listen(host_, imap::kPort, this);  // and its imap
  }
  // IMAP sessions hear of every change to a mailbox of this server, whoever made it.
  if (std::find(spec_.services.begin(), spec_.services.end(), "imap") != spec_.services.end())
    world_.rec().observe([this](const TraceEvent& e) {
      if (watchers_.empty() || e.from != label_) return;
      switch (e.kind) {
        case EventKind::MessageStored:
        case EventKind::MessageExpunged:
        case EventKind::FlagsChanged:
        case EventKind::FolderDeleted:
        case EventKind::FolderRenamed: {
          const std::string owner = e.mailbox.str();
          const std::vector<MailboxWatcher*> now = watchers_;  // a watcher may leave meanwhile
          for (MailboxWatcher* w : now)
            if (std::find(watchers_.begin(), watchers_.end(), w) != watchers_.end()) w->mailbox_changed(owner);
          break;
        }
        default: break;
      }
    });
}

bool Mta::is_local_domain(std::string_view domain) const {
  for (const auto& d : spec_.domains)
    if (iequals(d, domain)) return true;
  return false;
}

bool Mta::offers(int port) const {
  for (const auto& s : spec_.services)
    if ((s == "smtp" && port == smtp::kPort) || (s == "submission" && port == smtp::kSubmissionPort) ||
        (s == "pop3" && port == pop3::kPort) || (s == "imap" && port == imap::kPort))
      return true;
  return false;
}

smtp::ServerConfig Mta::server_config(int port) const {
  const MtaPolicy& p = spec_.policy;
  smtp::ServerConfig config;
  config.hostname = spec_.name;
  config.software = spec_.software;
  config.esmtp = p.esmtp;
  config.helo_required = p.helo_required;
  if (p.message_size_limit > 0) config.message_size_limit = p.message_size_limit;
  config.starttls = p.starttls;
  config.smtputf8 = p.smtputf8;
  config.chunking = p.chunking;
  if (port == smtp::kSubmissionPort) {
    // Postfix's submission service (master.cf): SASL on, and TLS as the policy says.
    config.auth = true;
    config.tls_required = p.starttls && p.tls_required_on_submission;
    config.tls_auth_only = p.starttls && p.auth_after_tls_only;
  }
  return config;
}

ConnectionHandler* Mta::accept(ConnId, HostId client, int port) {
  if (port == pop3::kPort) return accept_pop3(world_, *this, client);
  if (port == imap::kPort) return accept_imap(world_, *this, client);
  return world_.make_handler<Inbound>(*this, client, port, server_config(port));
}

std::string Mta::myorigin() const { return spec_.domains.empty() ? spec_.name : spec_.domains.front(); }

std::string Mta::resolve_local(const std::string& rcpt) const {
  // A bare local part ("alice", or "postmaster" which RFC 5321 §4.5.1 requires) is qualified with the
  // server's own domain, as Postfix appends $myorigin.
  if (rcpt.find('@') == std::string::npos) return rcpt + "@" + myorigin();
  return rcpt;
}

std::optional<std::string> Mta::check_recipient(HostId client, int port, const smtp::Transaction& tx,
                                                const std::string& rcpt_in) const {
  // Replies name the address as the client wrote it (Postfix echoes the RCPT argument).
  const std::string rcpt = resolve_local(rcpt_in);
  auto addr = parse_address(rcpt);
  if (!addr) return "501 5.1.3 Bad recipient address syntax";
  const MtaPolicy& p = spec_.policy;
  // Postfix's submission service: smtpd_relay_restrictions = permit_sasl_authenticated, reject.
  if (port == smtp::kSubmissionPort && p.require_auth_on_submission && tx.auth_user.empty())
    return "554 5.7.1 <" + rcpt_in + ">: Recipient address rejected: Access denied";
  if (is_local_domain(addr->domain)) {
    if (store_.has_user(rcpt)) return std::nullopt;
    // Postfix smtpd_check.c, local_recipient_maps.
    return "550 5.1.1 <" + rcpt_in + ">: Recipient address rejected: User unknown in local recipient table";
  }
  // Postfix relay_domains: mail for these domains is taken from anyone and passed on (a backup MX).
  if (is_relay_domain(addr->domain)) return std::nullopt;
  // Relaying. Allowed for logged-in users and on an unrestricted submission port (RFC 6409), for
  // devices of our own users (Postfix permit_mynetworks), or for anyone on an open relay.
  if (p.open_relay || !tx.auth_user.empty() || port == smtp::kSubmissionPort) return std::nullopt;
  if (p.mynetworks) {
    // Postfix permit_mynetworks: the client's address decides, whoever the client is.
    if (auto a = parse_ipv4(world_.net().host(client).address))
      for (const Ipv4Net& net : *p.mynetworks)
        if (net.contains(*a)) return std::nullopt;
  } else {
    const std::string& client_name = world_.net().host(client).name;
    for (const auto& h : world_.scenario().hosts) {
      if (h.name != client_name || h.role != HostRole::Client) continue;
      auto user = parse_address(h.user);
      if (user && is_local_domain(user->domain)) return std::nullopt;
    }
  }
  // smtpd_relay_restrictions: Postfix's default defer_unauth_destination answers 454 (try again
  // later, so a mistake in the settings loses no mail); reject_unauth_destination answers 554.
  if (p.relay_restriction == RelayRestriction::Defer) return "454 4.7.1 <" + rcpt_in + ">: Relay access denied";
  return "554 5.7.1 <" + rcpt_in + ">: Relay access denied";
}

std::optional<std::string> Mta::check_sender(const smtp::Transaction& tx, const std::string& sender) const {
  // Postfix reject_sender_login_mismatch: an address that belongs to someone here may be used only
  // by that someone, logged in; a logged-in user may use only their own address.
  if (!spec_.policy.verify_sender || sender.empty()) return std::nullopt;
  const bool owned = store_.has_user(resolve_local(sender));
  if (!tx.auth_user.empty() && !iequals(tx.auth_user, resolve_local(sender)))
    return "553 5.7.1 <" + sender + ">: Sender address rejected: not owned by user " + tx.auth_user;
  if (tx.auth_user.empty() && owned) return "553 5.7.1 <" + sender + ">: Sender address rejected: not logged in";
  return std::nullopt;
}

bool Mta::authenticate(const std::string& user, const std::string& password) const {
  const Mailbox* box = store_.mailbox(normalize_address(user));
  return box && !box->password.empty() && box->password == password;
}

std::optional<std::string> Mta::etrn(const std::string& domain) {
  // RFC 1985: deliver now what waits for this domain (Postfix flushes it: the deferred messages are
  // tried at once, whatever their backoff). Postfix answers before the work is done.
  for (auto& [id, entry] : queue_) {
    bool waits = false;
    for (const auto& r : entry.rcpts) {
      auto addr = parse_address(r.address);
      waits = waits || (r.state == RcptState::Deferred && addr && iequals(addr->domain, domain));
    }
    if (!waits || entry.active > 0) continue;
    const std::uint64_t timer = entry.retry = ++timers_;
    world_.rec().after(0, [this, id = id, timer] { retry(id, timer); });
  }
  return std::nullopt;
}

std::string Mta::new_queue_id() {
  // Postfix short queue ID: microseconds as five hex digits, then the queue file's inode in hex.
  char buf[32];
  const auto micros = static_cast<unsigned>(world_.rec().now() % kSecond);
  const auto inode = static_cast<unsigned long>(world_.queue_id_rng().uniform(0x10000, 0xFFFFFF));
  std::snprintf(buf, sizeof buf, "%05X%lX", micros, inode);
  return buf;
}

std::string Mta::received_header(HostId client, const smtp::Transaction& tx, const std::string& queue_id) const {
  // RFC 5321 §4.4 trace information, laid out as Postfix's cleanup writes it.
  const NetHost& c = world_.net().host(client);
  // RFC 3848: ESMTP, plus S with TLS and A with a login (ESMTPSA); UTF8SMTP for SMTPUTF8 (RFC 6531).
  std::string protocol = !tx.esmtp ? "SMTP" : tx.smtputf8 ? "UTF8SMTP" : "ESMTP";
  if (tx.esmtp && tx.tls) protocol += "S";
  if (tx.esmtp && !tx.auth_user.empty()) protocol += "A";
  std::string h = "from " + tx.helo + " (" + c.name + " [" + c.address + "])\r\n\tby " + spec_.name + " (" +
                  spec_.software + ") with " + protocol + " id " + queue_id;
  if (tx.rcpts.size() == 1) h += "\r\n\tfor <" + tx.rcpts.front() + ">";
  h += "; " + format_rfc5322_date(world_.rec().now(), world_.epoch(), true);
  return h;
}

smtp::AcceptResult Mta::accept_message(HostId client, const smtp::Transaction& tx_in, const std::string& data) {
  Message message = Message::parse(data);
  // Postfix cleanup(8) counts the Received: headers a message already has; at hopcount_limit it
  // refuses the message, which ends a mail loop between servers (RFC 5321 §6.3).
  std::size_t hops = 0;
  for (const auto& h : message.headers()) hops += iequals(h.name, "Received") ? 1 : 0;
  // The Received: line this server is about to add counts too (hop_count >= hopcount_limit).
  if (hops + 1 >= kHopCountLimit) return {false, {}, "554 5.4.0 Error: too many hops"};
  const std::string queue_id = new_queue_id();
  // cleanup(8) qualifies a bare sender with $myorigin.
  smtp::Transaction tx = tx_in;
  if (!tx.mail_from.empty()) tx.mail_from = resolve_local(tx.mail_from);
  message.prepend("Received", received_header(client, tx, queue_id));

  // cleanup(8) drops a recipient given twice (without regard to case), keeping the first spelling:
  // one delivery each.
  std::vector<std::string> rcpts;
  std::set<std::string> seen;
  for (const auto& r : tx.rcpts) {
    const std::string resolved = resolve_local(r);
    if (seen.insert(Mailstore::key(resolved)).second) rcpts.push_back(resolved);
  }
  const NetHost& from_host = world_.net().host(client);
  MessageSnapshot snap;
  snap.queue_id = queue_id;
  snap.envelope_from = tx.mail_from;
  snap.envelope_to = rcpts;
  snap.set_data(message.serialize());
  snap.client_host = from_host.name;
  snap.client_address = from_host.address;
  snap.helo = tx.helo;
  snap.auth_user = tx.auth_user;
  snap.tls = tx.tls;
  snap.kind = CopyKind::Queued;
  snap.holder = spec_.name;
  for (const auto& h : world_.scenario().hosts) {
    if (h.name != from_host.name) continue;
    if (h.role == HostRole::Client) snap.client_user = h.user;
    else snap.client_domains = h.domains;
  }
  // qmgr logs the size of the message as queued, with the Received: line cleanup(8) added.
  const std::size_t size = snap.size();
  enqueue(queue_id, std::move(snap), std::move(rcpts), tx.smtputf8, from_host.name, size);
  return {true, queue_id, {}};
}

}  // namespace postlab
