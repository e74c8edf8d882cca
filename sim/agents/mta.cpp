#include "agents/mta.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "agents/mda.h"
#include "agents/imap_service.h"
#include "agents/pop3_service.h"
#include "agents/smtp_conn.h"
#include "agents/world.h"
#include "mail/address.h"
#include "mail/message.h"
#include "mail/mime.h"
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

namespace {

// "250 2.0.0 Ok" -> "2.0.0" (RFC 3463), or a class-only code when the server sent none.
std::string dsn_of(const std::string& reply) {
  if (reply.size() >= 9 && reply[3] == ' ' && reply[5] == '.') {
    const auto end = reply.find(' ', 4);
    return reply.substr(4, end == std::string::npos ? std::string::npos : end - 4);
  }
  if (!reply.empty() && reply[0] >= '2' && reply[0] <= '5') return std::string(1, reply[0]) + ".0.0";
  return "4.0.0";
}

}  // namespace

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

bool Mta::is_relay_domain(std::string_view domain) const {
  for (const auto& d : spec_.policy.relay_domains)
    if (iequals(d, domain)) return true;
  return false;
}

void Mta::enqueue(const std::string& queue_id, MessageSnapshot snap, std::vector<std::string> rcpts, bool smtputf8,
                  const std::string& client, std::size_t size) {
  const QueueSchedule& q = spec_.policy.queue;
  const SimTime now = world_.rec().now();
  const std::string from = snap.envelope_from;
  // cleanup(8) sets a warning time only for mail with a sender, and only when delay_warning_time is
  // on; the lifetime of a notice (null sender) is bounce_queue_lifetime (qmgr_active.c).
  snap.warn_at = q.delay_warning_time > 0 && !from.empty() ? now + q.delay_warning_time : -1;
  snap.expire_at = now + (from.empty() ? q.bounce_queue_lifetime : q.maximal_queue_lifetime);
  const std::int64_t index = world_.rec().trace().add_message(std::move(snap));
  QueueEntry entry;
  entry.id = queue_id;
  entry.from = from;
  entry.snapshot = index;
  entry.accepted = now;
  entry.size = size;
  entry.smtputf8 = smtputf8;
  for (auto& r : rcpts) entry.rcpts.push_back(Recipient{std::move(r)});
  const std::size_t nrcpt = entry.rcpts.size();
  queue_[queue_id] = std::move(entry);

  TraceEvent e;
  e.kind = EventKind::MessageAccepted;
  e.protocol = Protocol::Smtp;
  e.from = label_;
  e.to = client;
  e.message = index;
  const std::string log = queue_id + ": from=<" + from + ">, size=" + std::to_string(size) +
                          ", nrcpt=" + std::to_string(nrcpt) + " (queue active)";
  e.text = log;
  world_.rec().emit(std::move(e));
  // The queue manager picks the message up as soon as the SMTP server has answered.
  world_.rec().after(0, [this, queue_id] { attempt(queue_id); });
}

void Mta::report(EventKind kind, const std::string& queue_id, const std::string& text, const std::string& rcpt) {
  TraceEvent e;
  e.kind = kind;
  e.protocol = Protocol::Smtp;
  e.from = label_;
  e.to = label_;
  auto it = queue_.find(queue_id);
  e.message = it == queue_.end() ? -1 : it->second.snapshot;
  e.mailbox = rcpt;
  const std::string log = queue_id + ": " + text;
  e.text = log;
  // Postfix never bounces a bounce: a notice (null sender) that fails is dropped, and with
  // notify_classes at its default nobody is told (bounce_notify_service.c).
  if ((kind == EventKind::DeliveryFailed || kind == EventKind::QueueExpired) && it != queue_.end() &&
      it->second.from.empty())
    e.notes.push_back(Phrase{"note.queue.no_bounce_of_bounce", {}});
  world_.rec().emit(std::move(e));
}

void Mta::attempt(const std::string& queue_id) {
  auto it = queue_.find(queue_id);
  if (it == queue_.end()) return;
  QueueEntry& entry = it->second;
  std::vector<std::size_t> local;
  std::map<std::string, std::vector<std::string>> remote;  // by domain, ordered
  for (std::size_t i = 0; i < entry.rcpts.size(); ++i) {
    Recipient& r = entry.rcpts[i];
    if (r.state != RcptState::Waiting && r.state != RcptState::Deferred) continue;
    r.state = RcptState::Active;
    ++r.attempts;
    ++entry.active;
    auto addr = parse_address(r.address);
    if (addr && is_local_domain(addr->domain)) local.push_back(i);
    else remote[addr ? addr->domain : std::string()].push_back(r.address);
  }
  ++entry.active;  // held while the attempt is handed out, so that it cannot end half-way
  for (std::size_t i : local) deliver_local(queue_id, entry.rcpts[i].address);
  for (auto& [domain, list] : remote) {
    if (domain.empty()) {  // cannot happen after RCPT checked it; refused for good if it ever does
      Relay bad{queue_id, domain, std::move(list), {}, 0, {}, "none", {}, {}, {}, 0};
      bounce_rcpts(bad, "5.1.3", "bad address syntax");
      continue;
    }
    relay_domain(Relay{queue_id, domain, std::move(list), {}, 0, {}, "none", {}, {}, {}, 0});
  }
  if (--entry.active == 0) attempt_done(queue_id);
}

void Mta::finish(const std::string& queue_id, const std::string& rcpt, const Outcome& o) {
  auto it = queue_.find(queue_id);
  if (it == queue_.end()) return;
  QueueEntry& entry = it->second;
  for (auto& r : entry.rcpts) {
    if (r.state != RcptState::Active || r.address != rcpt) continue;
    r.state = o.state;
    if (o.state == RcptState::Done) break;  // a delivered recipient is named in no notice
    r.status = o.status;
    r.reason = o.reason;
    r.remote_mta = o.remote_mta;
    // RFC 3464 §2.3.6: the server's own words with their type, or Postfix's finding.
    r.diagnostic = o.reply.empty() ? "X-Postfix; " + o.reason : "smtp; " + o.reply;
    break;
  }
  if (entry.active > 0 && --entry.active == 0) attempt_done(queue_id);
}

void Mta::attempt_done(const std::string& queue_id) {
  QueueEntry& entry = queue_.at(queue_id);
  const QueueSchedule& q = spec_.policy.queue;
  const SimTime now = world_.rec().now();
  std::vector<Recipient*> deferred;
  for (auto& r : entry.rcpts)
    if (r.state == RcptState::Deferred) deferred.push_back(&r);
  // qmgr_active_done_25_generic(): after an attempt that left recipients waiting, a message older
  // than its lifetime expires; they fail with their last temporary status.
  const Duration lifetime = entry.from.empty() ? q.bounce_queue_lifetime : q.maximal_queue_lifetime;
  if (!deferred.empty() && now >= entry.accepted + lifetime) {
    report(EventKind::QueueExpired, queue_id, "from=<" + entry.from + ">, status=expired, returned to sender");
    for (Recipient* r : deferred) r->state = RcptState::Failed;
    deferred.clear();
  }
  // One failure notice lists every recipient that failed since the last one (bounce(8) reads the
  // message's bounce log when the attempt is over).
  std::vector<const Recipient*> failed;
  for (auto& r : entry.rcpts)
    if (r.state == RcptState::Failed && !r.notified) {
      r.notified = true;
      failed.push_back(&r);
    }
  if (!failed.empty() && !entry.from.empty()) notify(entry, NoticeKind::Failure, failed);
  if (!deferred.empty()) {
    // The delay warning goes out once, at the end of the first attempt after the warning time
    // (qmgr: now >= warn_time - 1), naming the recipients this attempt deferred.
    const SimTime warn_at = world_.rec().trace().messages()[static_cast<std::size_t>(entry.snapshot)].warn_at;
    if (!entry.warned && warn_at >= 0 && now >= warn_at - kSecond) {
      entry.warned = true;
      notify(entry, NoticeKind::Delay, std::vector<const Recipient*>(deferred.begin(), deferred.end()));
    }
    // qmgr_active_done_3_generic(): the message waits as long as it has been queued, within
    // [minimal_backoff_time, maximal_backoff_time], so the wait doubles from try to try. The
    // deferred queue is scanned every queue_run_delay from the start, and a scan takes a message
    // whose time is at most a second away (qmgr_active_feed).
    const Duration backoff = std::clamp(now - entry.accepted, q.minimal_backoff_time, q.maximal_backoff_time);
    const SimTime due = now + backoff - kSecond;
    const Duration run = q.queue_run_delay;
    SimTime next = due <= 0 ? 0 : (due + run - 1) / run * run;
    if (next <= now) next = (now / run + 1) * run;
    const std::uint64_t timer = entry.retry = ++timers_;
    TraceEvent e;
    e.kind = EventKind::RetryScheduled;
    e.protocol = Protocol::Smtp;
    e.from = label_;
    e.to = label_;
    e.message = entry.snapshot;
    e.arrive = next;
    e.text = queue_id;
    world_.rec().emit(std::move(e));
    world_.rec().at(next, [this, queue_id, timer] { retry(queue_id, timer); });
    return;
  }
  report(EventKind::QueueRemoved, queue_id, "removed");
  queue_.erase(queue_id);  // Postfix deletes the queue file: nothing of it is kept
}

void Mta::retry(const std::string& queue_id, std::uint64_t timer) {
  auto it = queue_.find(queue_id);
  if (it == queue_.end() || it->second.retry != timer || it->second.active > 0) return;  // a later timer took over
  const QueueEntry& entry = it->second;
  report(EventKind::QueueActive, queue_id,
         "from=<" + entry.from + ">, size=" + std::to_string(entry.size) +
             ", nrcpt=" + std::to_string(entry.rcpts.size()) + " (queue active)");
  attempt(queue_id);
}

void Mta::notify(QueueEntry& entry, NoticeKind kind, const std::vector<const Recipient*>& rcpts) {
  const QueueSchedule& q = spec_.policy.queue;
  const MessageSnapshot& queued = world_.rec().trace().messages()[static_cast<std::size_t>(entry.snapshot)];
  Notice n;
  n.kind = kind;
  n.hostname = spec_.name;
  n.origin = myorigin();
  n.queue_id = entry.id;
  n.notice_id = new_queue_id();
  n.sender = entry.from;
  n.epoch = world_.epoch();
  n.now = world_.rec().now();
  n.arrival = entry.accepted;
  n.warn_after = q.delay_warning_time;
  n.give_up_after = q.maximal_queue_lifetime;
  for (const Recipient* r : rcpts)
    n.rcpts.push_back(DsnRecipient{r->address, r->status, r->remote_mta, r->diagnostic, r->reason});
  n.original = queued.data();
  const std::string text = compose_notice(n);
  // bounce(8) hands the notice to cleanup(8) like any local mail: a queue entry of its own, from
  // MAILER-DAEMON with the null envelope sender (RFC 5321 §4.5.5), to the original sender.
  MessageSnapshot snap;
  snap.queue_id = n.notice_id;
  snap.envelope_from = "";
  snap.envelope_to = {entry.from};
  snap.set_data(text);
  snap.client_host = spec_.name;
  snap.client_address = world_.net().host(host_).address;
  snap.kind = CopyKind::Queued;
  snap.holder = spec_.name;
  snap.client_domains = spec_.domains;
  const std::string original = entry.id;  // enqueue() may move the queue's nodes' neighbours, not this one
  enqueue(n.notice_id, std::move(snap), {entry.from}, false, spec_.name, text.size());
  report(kind == NoticeKind::Failure ? EventKind::FailureNotified : EventKind::DelayNotified, original,
         std::string("sender ") + (kind == NoticeKind::Failure ? "non-delivery" : "delay") +
             " notification: " + n.notice_id);
}

void Mta::deliver_local(const std::string& queue_id, const std::string& rcpt) {
  const QueueEntry& entry = queue_.at(queue_id);
  const std::string delay = format_log_delay(world_.rec().now() - entry.accepted);
  if (!store_.has_user(rcpt)) {
    // A notice (or mail taken from a trusted client) for someone who has no mailbox here: local(8)
    // bounces it.
    const std::string user = rcpt.substr(0, rcpt.find('@'));
    const std::string why = "unknown user: \"" + user + "\"";
    report(EventKind::DeliveryFailed, queue_id,
           "to=<" + rcpt + ">, relay=local, delay=" + delay + ", dsn=5.1.1, status=bounced (" + why + ")", rcpt);
    return finish(queue_id, rcpt, Outcome{RcptState::Failed, "5.1.1", why, {}, {}});
  }
  if (world_.disk_full(host_)) {
    // Postfix local(8) cannot write the mailbox: the recipient stays queued (4.3.0), nothing is lost.
    const std::string owner = store_.owner(rcpt);
    const std::string user = owner.substr(0, owner.find('@'));
    const std::string why = "cannot update mailbox /var/mail/" + user + " for user " + user +
                            ". error writing message: No space left on device";
    report(EventKind::DeliveryDeferred, queue_id,
           "to=<" + rcpt + ">, relay=local, delay=" + delay + ", dsn=4.3.0, status=deferred (" + why + ")", rcpt);
    return finish(queue_id, rcpt, Outcome{RcptState::Deferred, "4.3.0", why, {}, {}});
  }
  const MessageSnapshot& queued = world_.rec().trace().messages()[static_cast<std::size_t>(entry.snapshot)];
  Mda::deliver(world_, spec_.name, queued, rcpt, store_.owner(rcpt), entry.accepted);
  finish(queue_id, rcpt, Outcome{});
}

void Mta::relay_domain(Relay relay) {
  auto shared = std::make_shared<Relay>(std::move(relay));
  if (!spec_.policy.relayhost.empty()) {
    // Postfix relayhost: every domain this server does not serve goes to one host, with no MX lookup.
    shared->targets = {Target{spec_.policy.relayhost, 0, {}, false, false}};
    return resolve_targets(shared, 0);
  }
  world_.resolve(host_, shared->domain, DnsType::MX, [this, shared](World::DnsResult result) {
    if (result.try_again) {
      // Postfix smtp_addr.c: the lookup failed for now, so the mail waits (4.4.3) rather than bounces.
      shared->last_error = "Host or domain name not found. Name service error for name=" + shared->domain +
                           " type=MX: Host not found, try again";
      shared->last_dsn = "4.4.3";
      shared->next = shared->targets.size();
      return try_next_target(shared);
    }
    const std::vector<DnsRecord>& mx = result.records;
    for (const auto& r : mx) shared->targets.push_back(Target{r.value, r.preference, {}, false, false});
    // RFC 5321 §5.1: with no MX at all (none, or no such name), the domain itself is the implicit MX.
    if (mx.empty()) shared->targets.push_back(Target{shared->domain, 0, {}, false, false});
    resolve_targets(shared, 0);
  });
}

void Mta::resolve_targets(std::shared_ptr<Relay> relay, std::size_t index) {
  // Like Postfix's smtp_domain_addr(), look up every exchanger's address before connecting.
  if (index >= relay->targets.size()) {
    drop_self(relay);
    return;
  }
  world_.resolve(host_, relay->targets[index].name, DnsType::A, [this, relay, index](World::DnsResult a) {
    Target& t = relay->targets[index];
    if (!a.records.empty()) t.address = a.records.front().value;
    t.try_again = a.try_again;
    t.nxdomain = a.nxdomain;
    resolve_targets(relay, index + 1);
  });
}

void Mta::drop_self(std::shared_ptr<Relay> relay) {
  // Postfix smtp_find_self()/smtp_truncate_self(): when this server is itself one of the exchangers,
  // it may only pass the mail to better-preference ones; with none left the mail would come straight
  // back, so it bounces at once ("loops back to myself", 5.4.6) instead of looping forever. A backup
  // MX (relay_domains) therefore holds the mail until a better exchanger takes it.
  const std::string& self_address = world_.net().host(host_).address;
  // Postfix compares addresses (its own interfaces), never names.
  auto self = std::find_if(relay->targets.begin(), relay->targets.end(),
                           [&](const Target& t) { return !t.address.empty() && t.address == self_address; });
  if (self != relay->targets.end()) {
    const int pref = self->preference;
    std::vector<Target> better;
    for (const auto& t : relay->targets)
      if (t.preference < pref) better.push_back(t);
    relay->targets = std::move(better);
    const std::string nexthop = spec_.policy.relayhost.empty() ? relay->domain : spec_.policy.relayhost;
    bool reachable = false;
    for (const auto& t : relay->targets) reachable = reachable || !t.address.empty();
    if (!reachable) {
      const std::string loop = "mail for " + nexthop + " loops back to myself";
      if (relay->targets.empty() && !spec_.policy.relayhost.empty()) {
        // smtp_connect.c: a relayhost that is this server is a settings problem, not the mail's
        // fault: Postfix turns the bounce into a deferral (4.3.5) and keeps the message.
        relay->last_error = loop;
        relay->last_dsn = "4.3.5";
        relay->next = relay->targets.size();
        return try_next_target(relay);
      }
      if (relay->targets.empty()) return bounce_rcpts(*relay, "5.4.6", loop);
      // A better exchanger exists but has no address: wait for it rather than bounce (4.4.4).
      relay->last_error = "unable to find primary relay for " + nexthop;
      relay->last_dsn = "4.4.4";
      relay->next = relay->targets.size();
    }
  }
  try_next_target(relay);
}

void Mta::bounce_rcpts(const Relay& relay, const std::string& dsn, const std::string& why) {
  auto it = queue_.find(relay.queue_id);
  if (it == queue_.end()) return;
  const std::string delay = format_log_delay(world_.rec().now() - it->second.accepted);
  for (const auto& r : relay.rcpts) {
    report(EventKind::DeliveryFailed, relay.queue_id,
           "to=<" + r + ">, relay=none, delay=" + delay + ", dsn=" + dsn + ", status=bounced (" + why + ")", r);
    finish(relay.queue_id, r, Outcome{RcptState::Failed, dsn, why, {}, {}});
  }
}

void Mta::try_next_target(std::shared_ptr<Relay> relay) {
  auto entry_it = queue_.find(relay->queue_id);
  if (entry_it == queue_.end()) return;
  if (relay->next >= relay->targets.size()) {
    // smtp_addr.c: when no exchanger has an address and every lookup said so for good (no such name,
    // or no A record), the domain cannot be reached at all: the mail bounces at once (5.4.4).
    if (!relay->targets.empty() && relay->dns_hard == relay->targets.size())
      return bounce_rcpts(*relay, "5.4.4", relay->last_error);
    const std::string delay = format_log_delay(world_.rec().now() - entry_it->second.accepted);
    const std::string dsn = relay->last_dsn.empty() ? "4.4.1" : relay->last_dsn;
    // Every MX failed for now: the message stays queued (RFC 5321 §4.5.4.1).
    for (const auto& r : relay->rcpts) {
      report(EventKind::DeliveryDeferred, relay->queue_id,
             "to=<" + r + ">, relay=" + relay->last_relay + ", delay=" + delay + ", dsn=" + dsn +
                 ", status=deferred (" + relay->last_error + ")",
             r);
      finish(relay->queue_id, r, Outcome{RcptState::Deferred, dsn, relay->last_error, relay->last_remote, relay->last_reply});
    }
    return;
  }
  const Target& t = relay->targets[relay->next++];
  const std::string target = t.name;
  const std::string address = t.address;
  if (address.empty()) {
    // dns_lookup.c's words: NXDOMAIN is "Host not found"; a name without that record, NODATA.
    relay->last_error = "Host or domain name not found. Name service error for name=" + target + " type=A: " +
                        (t.try_again ? "Host not found, try again"
                         : t.nxdomain ? "Host not found"
                                      : "Host found but no data record of requested type");
    relay->last_relay = "none";
    relay->last_dsn = t.try_again ? "4.4.3" : "5.4.4";
    relay->last_remote.clear();
    relay->last_reply.clear();
    if (!t.try_again) ++relay->dns_hard;
    return try_next_target(relay);
  }
  auto host = world_.net().find_by_address(address);
  if (!host) {
    // An address where no simulated machine lives: nothing ever answers, so the client gives up
    // only after its connect timeout, as it does for a host that is down.
    relay->last_error = "connect to " + target + "[" + address + "]:25: Connection timed out";
    relay->last_relay = "none";
    relay->last_dsn = "4.4.1";  // Postfix: no answer from the host
    relay->last_remote.clear();
    relay->last_reply.clear();
    world_.rec().after(spec_.policy.client_timeouts.connect, [this, relay, target, address] {
      TraceEvent e;  // the attempt the student would otherwise never see
      e.kind = EventKind::ConnectionRefused;
      e.protocol = Protocol::Tcp;
      e.from = label_;
      e.to = target + " [" + address + "]";
      e.port = smtp::kPort;
      e.text = "Connection timed out";
      world_.rec().emit(std::move(e));
      try_next_target(relay);
    });
    return;
  }
  const QueueEntry& entry = entry_it->second;
  smtp::ClientJob job;  // relaying MTA to MTA: opportunistic STARTTLS, no login (Postfix smtp(8))
  job.helo_name = spec_.name;
  job.mail_from = entry.from;
  job.rcpts = relay->rcpts;
  job.data = world_.rec().trace().messages()[static_cast<std::size_t>(entry.snapshot)].data();
  job.use_bdat = spec_.policy.use_bdat;
  job.smtputf8 = entry.smtputf8;  // Postfix smtp(8) asks for SMTPUTF8 when the sender did
  job.server_label = target + "[" + address + "]";
  job.timeouts = spec_.policy.client_timeouts;
  if (auto seven = downgrade_to_7bit(job.data)) job.data_7bit = std::move(*seven);  // Postfix's 8BITMIME downgrade
  const std::string relay_name = target + "[" + address + "]:25";  // relay= in the log
  const std::string server = target + "[" + address + "]";         // "host ... said:"
  auto* conn = world_.make_handler<SmtpClientConn>(
      world_.net(), std::move(job),
      [this, relay, relay_name, server, target](const smtp::ClientSession& s, const std::string& failure) {
        if (!failure.empty()) {
          relay->last_error = "connect to " + relay_name + ": " + failure;
          relay->last_relay = "none";
          relay->last_dsn = "4.4.1";
          relay->last_remote.clear();
          relay->last_reply.clear();
          return try_next_target(relay);
        }
        // A reply the server gave is quoted with the command it answered (smtp_proto.c); the
        // client's own finding (a timeout, a lost connection) is said as it is.
        auto why = [&](const smtp::RcptOutcome& r) {
          if (!r.local_dsn.empty() || r.status == smtp::RcptStatus::Delivered) return r.reply;
          if (r.command.empty()) return "host " + server + " refused to talk to me: " + r.reply;
          return "host " + server + " said: " + r.reply + " (in reply to " + r.command + " command)";
        };
        auto dsn = [](const smtp::RcptOutcome& r) { return r.local_dsn.empty() ? dsn_of(r.reply) : r.local_dsn; };
        // Remote-MTA and Diagnostic-Code (RFC 3464) when a server's reply decided, none otherwise.
        auto remote = [&](const smtp::RcptOutcome& r) { return r.local_dsn.empty() ? target : std::string(); };
        auto reply = [](const smtp::RcptOutcome& r) { return r.local_dsn.empty() ? r.reply : std::string(); };
        bool all_temp = true;
        for (const auto& o : s.outcomes()) all_temp = all_temp && o.status == smtp::RcptStatus::TempFail;
        if (all_temp && !s.outcomes().empty()) {
          // RFC 5321 §5.1: a temporary failure at one MX means trying the next one.
          const smtp::RcptOutcome& first = s.outcomes().front();
          relay->last_error = why(first);
          relay->last_relay = relay_name;
          relay->last_dsn = dsn(first);
          relay->last_remote = first.local_dsn.empty() ? target : std::string();
          relay->last_reply = first.local_dsn.empty() ? first.reply : std::string();
          return try_next_target(relay);
        }
        auto it = queue_.find(relay->queue_id);
        if (it == queue_.end()) return;
        const std::string delay = format_log_delay(world_.rec().now() - it->second.accepted);
        // The session outlives this call (handlers are released after the work now running).
        for (const auto& o : s.outcomes()) {
          const std::string head = "to=<" + o.rcpt + ">, relay=" + relay_name + ", delay=" + delay +
                                   ", dsn=" + dsn(o) + ", status=";
          switch (o.status) {
            case smtp::RcptStatus::Delivered:
              report(EventKind::Relayed, relay->queue_id, head + "sent (" + o.reply + ")", o.rcpt);
              finish(relay->queue_id, o.rcpt, Outcome{});
              break;
            case smtp::RcptStatus::PermFail:
              report(EventKind::DeliveryFailed, relay->queue_id, head + "bounced (" + why(o) + ")", o.rcpt);
              finish(relay->queue_id, o.rcpt, Outcome{RcptState::Failed, dsn(o), why(o), remote(o), reply(o)});
              break;
            default:
              report(EventKind::DeliveryDeferred, relay->queue_id, head + "deferred (" + why(o) + ")", o.rcpt);
              finish(relay->queue_id, o.rcpt, Outcome{RcptState::Deferred, dsn(o), why(o), remote(o), reply(o)});
              break;
          }
        }
      });
  world_.net().connect(host_, *host, smtp::kPort, Protocol::Smtp, conn, spec_.policy.client_timeouts.connect);
}

}  // namespace postlab
