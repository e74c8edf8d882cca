// Relaying a queued message to another domain: MX lookup, each exchanger's address, never to itself,
// and one SMTP client session per exchanger until one answers (RFC 5321 §5.1).
#include <algorithm>

#include "agents/mta.h"
#include "agents/smtp_conn.h"
#include "agents/world.h"
#include "mail/mime.h"

namespace postlab {

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
