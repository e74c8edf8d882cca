// The MTA's queue on the virtual clock: taking a message in, each attempt, what qmgr decides after
// it (expiry, failure notices, the delay warning, the next attempt) and local delivery.
#include <algorithm>

#include "agents/mda.h"
#include "agents/mta.h"
#include "agents/world.h"
#include "mail/address.h"

namespace postlab {

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

}  // namespace postlab
