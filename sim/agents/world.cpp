#include "agents/world.h"

#include <algorithm>
#include <deque>
#include <limits>

#include "agents/mda.h"
#include "agents/mta.h"
#include "agents/mua.h"
#include "agents/mail_reader.h"
#include "core/ascii.h"
#include "mail/address.h"
#include "mail/message.h"

namespace postlab {

World::World(const Scenario& scenario)
    : scenario_(scenario),
      rec_(sim_, trace_),
      net_(rec_, scenario.default_latency),
      rng_(scenario.seed),
      queue_ids_(rng_.derive("queue-ids")),
      message_ids_(rng_.derive("message-ids")),
      mx_(rng_.derive("mx")),
      timeline_rng_(rng_.derive("timeline")) {
  net_.on_release([this](ConnectionHandler* h) { handlers_.erase(h); });
  net_.on_send([this](ConnId id, bool from_client, std::string_view bytes) { return cut_on_send(id, from_client, bytes); });
  std::vector<HostId> ids;
  for (const auto& h : scenario_.hosts) {
    ids.push_back(net_.add_host(h.name, h.address));
    host_specs_.emplace(h.name, &h);
  }
  for (const auto& l : scenario_.links)
    net_.add_link(*net_.find_by_name(l.a), *net_.find_by_name(l.b), l.latency);

  // DNS: what the lesson declares, plus an A record for every host whose name is a domain name
  // and that the lesson did not give one (so teachers need not repeat every address).
  for (const auto& r : scenario_.dns)
    dns_.add(DnsRecord{r.name, r.type == "MX" ? DnsType::MX : DnsType::A, r.preference, r.value});
  for (const auto& h : scenario_.hosts)
    if (h.name.find('.') != std::string::npos && dns_.lookup(h.name, DnsType::A).empty())
      dns_.add(DnsRecord{h.name, DnsType::A, 0, h.address});

  for (std::size_t i = 0; i < scenario_.hosts.size(); ++i) {
    const HostSpec& h = scenario_.hosts[i];
    if (h.role == HostRole::Mta) mtas_.push_back(std::make_unique<Mta>(*this, ids[i], h));
    if (h.role == HostRole::Client) muas_.push_back(std::make_unique<Mua>(*this, ids[i], h));
    if (h.role == HostRole::Client && h.retrieve) {
      readers_.push_back(std::make_unique<MailReader>(*this, ids[i], h));
      MailReader* reader = readers_.back().get();
      muas_.back()->on_sent([reader](const std::string& data) { reader->save_sent(data); });
    }
  }
  // UIDVALIDITY: a stable per-world number, as a real server picks one when a mailbox is created.
  const auto uidvalidity = static_cast<std::uint32_t>(rng_.derive("uidvalidity").uniform(1'000'000'000, 1'999'999'999));
  // The set-up is in the trace like every later change: each user's mailbox and folders are created
  // at time 0 by events that the views fold (they are not steps).
  for (const auto& u : scenario_.users) {
    auto addr = parse_address(u.address);
    const std::string address = addr ? addr->str() : normalize_address(u.address);
    Mta* mta = addr ? mta_for_domain(addr->domain) : nullptr;
    if (mta) mta->store().add_user(address, u.password);
    rec_.start_chain();  // each mailbox on its own; its folders and messages follow from it
    TraceEvent box;
    box.kind = EventKind::MailboxCreated;
    box.protocol = Protocol::Mda;
    box.from = box.to = mta ? mta->hostname() : std::string();
    box.mailbox = address;
    rec_.emit(std::move(box));
    std::vector<std::string> folders{"INBOX"};
    for (const auto& f : u.folders)
      if (f != "INBOX") folders.push_back(f);
    for (std::size_t k = 0; k < folders.size(); ++k) {
      const std::string& f = folders[k];
      TraceEvent e;
      e.kind = EventKind::FolderCreated;
      e.protocol = Protocol::Mda;
      e.from = e.to = mta ? mta->hostname() : std::string();
      e.mailbox = address;
      e.folder = f;
      e.uid = uidvalidity + static_cast<std::uint32_t>(k);  // each folder its own, as Dovecot counts them up
      rec_.emit(std::move(e));
    }
    Rng content = rng_.derive("preset:" + address);
    for (const PresetMessage& preset : u.messages) preset_message(mta ? mta->hostname() : std::string(), address, preset, content);
  }
  // The devices that read mail: each one starts with nothing of its own.
  for (const auto& h : scenario_.hosts) {
    if (h.role != HostRole::Client || !h.retrieve) continue;
    rec_.start_chain();
    TraceEvent d;
    d.kind = EventKind::DeviceAdded;
    d.from = h.name;
    const UserSpec* u = find_user(scenario_, h.user);
    d.mailbox = u ? u->address : h.user;
    rec_.emit(std::move(d));
  }
  rec_.start_chain();  // the lesson's timeline does not follow from the set-up
  schedule_timeline();
  watch_triggers();
}

World::~World() = default;

void World::preset_message(const std::string& host, const std::string& address, const PresetMessage& preset, Rng& content) {
  // Filed as the MDA files mail, dated when the lesson starts. How it arrived is not known: it was
  // there before.
  auto from = parse_mailbox(preset.message.from);
  MessageSnapshot written;
  written.envelope_from = from ? from->str() : std::string();
  written.set_data(compose_message(*this, preset.message, content));
  const std::int64_t index = trace_.add_message(Mda::filed_copy(written, address, host, address));
  TraceEvent e;
  e.kind = EventKind::MessagePreset;
  e.protocol = Protocol::Mda;
  e.from = e.to = host;
  e.mailbox = address;
  e.folder = preset.folder;
  e.uid = trace_.state().uidnext(address, preset.folder);
  e.message = index;
  e.text = preset.message.subject;
  rec_.emit(std::move(e));
}

Mta* World::mta_for_domain(std::string_view domain) {
  for (auto& m : mtas_)
    if (m->is_local_domain(domain)) return m.get();
  return nullptr;
}

Mta* World::mta_at(HostId host) {
  for (auto& m : mtas_)
    if (m->host() == host) return m.get();
  return nullptr;
}

const Mta* World::mta_on(std::string_view host) const {
  for (const auto& m : mtas_)
    if (m->hostname() == host) return m.get();
  return nullptr;
}

void World::resolve(HostId asker, const std::string& name, DnsType type, std::function<void(DnsResult)> answer) {
  TraceEvent q;
  q.kind = EventKind::DnsQuery;
  q.protocol = Protocol::Dns;
  q.from = net_.host(asker).name;
  q.to = "DNS";
  const std::string question = std::string(to_string(type)) + " " + name + "?";
  q.text = question;
  rec_.emit(std::move(q));
  if (dns_down_) {
    // Nobody answers: the resolver gives up after its timeout, and the lookup fails for now.
    rec_.after(kResolverTimeout, [this, asker, name, type, answer = std::move(answer)] {
      TraceEvent a;
      a.kind = EventKind::DnsAnswer;
      a.protocol = Protocol::Dns;
      a.from = a.to = net_.host(asker).name;  // the host's own resolver gives up: nothing came from DNS
      const std::string text = "no answer about " + name + " " + to_string(type) + " after " +
                               format_duration(kResolverTimeout) + ": Host not found, try again";
      a.text = text;
      rec_.emit(std::move(a));
      answer(DnsResult{{}, true, false});
    });
    return;
  }
  rec_.after(scenario_.dns_latency, [this, asker, name, type, answer = std::move(answer)] {
    std::vector<DnsRecord> records = type == DnsType::MX ? dns_.mx_ordered(name, mx_) : dns_.lookup(name, type);
    TraceEvent a;
    a.kind = EventKind::DnsAnswer;
    a.protocol = Protocol::Dns;
    a.from = "DNS";
    a.to = net_.host(asker).name;
    std::string text;
    const bool nxdomain = records.empty() && !dns_.has_name(name);
    if (records.empty()) {
      // RFC 2308: NXDOMAIN when the name does not exist at all, NODATA when it has other records.
      text = nxdomain ? "NXDOMAIN: " + name + " does not exist"
                      : "NODATA: " + name + " has no " + to_string(type) + " record";
    } else {
      for (const auto& r : records) text += (text.empty() ? "" : "\n") + Dns::format(r);
    }
    a.text = text;
    rec_.emit(std::move(a));
    answer(DnsResult{std::move(records), false, nxdomain});
  });
}

std::vector<std::string> World::mx_targets(const std::vector<DnsRecord>& mx, const std::string& domain) {
  std::vector<std::string> out;
  for (const auto& r : mx) out.push_back(r.value);
  // RFC 5321 §5.1: with no MX at all, the domain itself is the implicit MX (its A record).
  if (mx.empty()) out.push_back(domain);
  return out;
}

void World::schedule_timeline() {
  // At equal times, timed narration comes first, then the timeline in the lesson's order.
  for (const auto& n : scenario_.narration) {
    if (!n.at) continue;
    rec_.at(*n.at, [this, say = n.say] {
      TraceEvent e;
      e.kind = EventKind::Narration;
      e.text = say.en;
      e.text_alt = say.es;
      rec_.emit(std::move(e));
    });
  }
  for (const auto& item : scenario_.timeline) {
    for (std::size_t k = 0; k < item.count; ++k) {
      const SimTime at = item.at + item.every * static_cast<Duration>(k);
      rec_.at(at, [this, &item, k] {
        if (k == 0 && !item.say.empty()) {  // a repeated entry is narrated once, at its first send
          TraceEvent e;
          e.kind = EventKind::Narration;
          e.text = item.say.en;
          e.text_alt = item.say.es;
          rec_.emit(std::move(e));
        }
        if (item.send) send(*item.send);
        if (item.fault) apply_fault(*item.fault);
        if (item.force_reply) add_forced_reply(*item.force_reply);
        if (item.check_mail)
          for (auto& r : readers_)
            if (r->device() == item.check_mail->device) r->check(*item.check_mail);
        if (item.mail)
          for (auto& r : readers_)
            if (r->device() == item.mail->device) r->act(*item.mail);
      });
    }
  }
}

void World::fault_event(const std::string& type, const std::string& host, const std::string& other, Phrase says) {
  TraceEvent e;
  e.kind = EventKind::Fault;
  e.from = host;
  e.to = other;
  e.text = type;
  e.notes.push_back(std::move(says));
  rec_.emit(std::move(e));
}

void World::apply_fault(const FaultAction& f) {
  const std::string type = to_string(f.kind);
  const std::string lasts = f.lasts ? format_duration(*f.lasts) : std::string();
  const std::string key = "event.fault." + type + (f.lasts ? "_for" : "");
  auto host = [&](const std::string& name) { return *net_.find_by_name(name); };
  switch (f.kind) {
    case FaultKind::HostDown:
    case FaultKind::HostUp:
      net_.set_up(host(f.host), f.kind == FaultKind::HostUp);
      fault_event(type, f.host, {}, {f.device ? (f.kind == FaultKind::HostDown ? "event.fault.device_offline" : "event.fault.device_online") : key,
                                     {f.host, lasts}});
      break;
    case FaultKind::LinkDown:
    case FaultKind::LinkUp:
      net_.set_link_up(host(f.host), host(f.other), f.kind == FaultKind::LinkUp);
      fault_event(type, f.host, f.other, {key, {f.host, f.other, lasts}});
      break;
    case FaultKind::DnsDown:
    case FaultKind::DnsUp:
      dns_down_ = f.kind == FaultKind::DnsDown;
      fault_event(type, "DNS", {}, {key, {lasts}});
      break;
    case FaultKind::DiskFull:
    case FaultKind::DiskOk: {
      const HostId h = host(f.host);
      std::erase(disks_full_, h);
      if (f.kind == FaultKind::DiskFull) disks_full_.push_back(h);
      fault_event(type, f.host, {}, {key, {f.host, lasts}});
      break;
    }
    case FaultKind::DropConnection:
    case FaultKind::LoseReplyAfterDot: {
      ConnRule r{f.kind, host(f.host), std::nullopt, f.command, f.times};
      if (!f.other.empty()) r.client = host(f.other);
      conn_rules_.push_back(r);
      fault_event(type, f.host, f.other,
                  {"event.fault." + type + (f.times == 1 ? "" : "_times") + (f.other.empty() ? "" : "_from"),
                   {f.host, f.command, std::to_string(f.times), f.other}});
      break;
    }
  }
  if (f.lasts) rec_.after(*f.lasts, [this, &f] { end_fault(f); });
}

void World::end_fault(const FaultAction& f) {
  FaultAction back = f;
  back.lasts.reset();
  switch (f.kind) {
    case FaultKind::HostDown: back.kind = FaultKind::HostUp; break;
    case FaultKind::LinkDown: back.kind = FaultKind::LinkUp; break;
    case FaultKind::DnsDown: back.kind = FaultKind::DnsUp; break;
    case FaultKind::DiskFull: back.kind = FaultKind::DiskOk; break;
    default: return;
  }
  // The fault has passed by itself: the trace says so, as a step of its own.
  FaultAction* stored = &ended_.emplace_back(back);
  apply_fault(*stored);
}

void World::add_forced_reply(const ForceReplyAction& f) {
  ForcedRule r{&f, *net_.find_by_name(f.host), std::nullopt, f.times, f.times > 0,
               f.lasts ? rec_.now() + *f.lasts : std::numeric_limits<SimTime>::max()};
  if (!f.client.empty()) r.client = *net_.find_by_name(f.client);
  forced_.push_back(r);
  std::string limit = f.times == 0 ? (f.lasts ? "for" : "always") : f.times == 1 ? "once" : "times";
  const std::string count = f.lasts && f.times == 0 ? format_duration(*f.lasts) : std::to_string(f.times);
  const std::string only = !f.recipient.empty() ? f.recipient : f.client;
  fault_event("force_reply", f.host, f.client,
              {"event.fault.force_reply_" + limit + (only.empty() ? "" : "_only"), {f.host, f.command, f.reply, count, only}});
  if (f.lasts)
    rec_.after(*f.lasts, [this, &f] {
      fault_event("force_reply_end", f.host, f.client, {"event.fault.force_reply_end", {f.host, f.command}});
    });
}

bool World::disk_full(HostId host) const {
  return std::find(disks_full_.begin(), disks_full_.end(), host) != disks_full_.end();
}

std::optional<smtp::ForcedReply> World::forced_reply(HostId host, HostId client, std::string_view verb,
                                                     std::string_view args) {
  for (ForcedRule& r : forced_) {
    const ForceReplyAction& a = *r.action;
    if (r.host != host || a.command != verb || (r.client && *r.client != client)) continue;
    if ((r.counted && r.left == 0) || rec_.now() >= r.until) continue;
    if (!a.recipient.empty()) {  // "TO:<bob@b.example> NOTIFY=..." read as the server reads it
      const auto path = smtp::parse_path_args(args, "TO:");
      if (!path || path->bad_path || mailbox_key(path->path) != mailbox_key(a.recipient)) continue;
    }
    if (r.counted) --r.left;
    return smtp::ForcedReply{a.reply, a.hang_up};
  }
  return std::nullopt;
}

namespace {
// The command a client's bytes carry: the first word in capitals; "." for the text of a message
// (which ends with the lone dot); "BDAT" for a chunk.
std::string client_verb(std::string_view bytes, bool& final_text) {
  final_text = false;
  if (bytes == ".\r\n" || (bytes.size() >= 5 && bytes.substr(bytes.size() - 5) == "\r\n.\r\n")) {
    final_text = true;
    return ".";
  }
  const std::string verb = ascii_upper(bytes.substr(0, std::min(bytes.find_first_of(" \r\n"), bytes.size())));
  if (verb == "BDAT") {
    const std::string_view line = bytes.substr(0, bytes.find('\n'));
    for (std::size_t i = 0; i + 4 <= line.size(); ++i)
      if (iequals(line.substr(i, 4), "LAST")) final_text = true;
  }
  return verb;
}
}  // namespace

bool World::cut_on_send(ConnId id, bool from_client, std::string_view bytes) {
  if (conn_rules_.empty()) return false;
  const HostId server = net_.server_of(id), client = net_.client_of(id);
  auto take = [&](FaultKind kind, std::string_view verb) {
    for (ConnRule& r : conn_rules_) {
      if (r.kind != kind || r.left == 0 || r.server != server || (r.client && *r.client != client)) continue;
      if (kind == FaultKind::DropConnection && r.command != verb) continue;
      --r.left;
      return true;
    }
    return false;
  };
  if (from_client) {
    bool final_text = false;
    std::string verb = client_verb(bytes, final_text);
    if (take(FaultKind::DropConnection, verb)) return true;
    // With PIPELINING a client writes several commands at once (RFC 2920): look at each.
    if (!final_text && verb != "BDAT") {
      for (std::size_t pos = bytes.find('\n'); pos != std::string_view::npos && pos + 1 < bytes.size();
           pos = bytes.find('\n', pos + 1)) {
        bool ignored = false;
        if (take(FaultKind::DropConnection, client_verb(bytes.substr(pos + 1), ignored))) return true;
      }
    }
    if (final_text && std::find(awaiting_final_.begin(), awaiting_final_.end(), id) == awaiting_final_.end())
      awaiting_final_.push_back(id);
    return false;
  }
  auto waiting = std::find(awaiting_final_.begin(), awaiting_final_.end(), id);
  if (waiting == awaiting_final_.end()) return false;
  awaiting_final_.erase(waiting);
  // The server's answer to the end of the text: the message is queued, and this reply is lost.
  return take(FaultKind::LoseReplyAfterDot, ".");
}

const HostSpec* World::host_spec(const std::string& name) const {
  auto it = host_specs_.find(name);
  return it == host_specs_.end() ? nullptr : it->second;
}

void World::send(const SendAction& action) {
  const SendAction* chosen = &action;
  SendAction drawn;
  if (action.hosts.size() > 1 || !action.message.to_one_of.empty()) {
    // A repeated send with lists: draw this one's sender and recipient (seeded; the draws happen in
    // the order the sends run, which the event queue fixes).
    // Copy the send without its lists (they can hold thousands of names), once per timeline entry.
    auto bare = bare_sends_.find(&action);
    if (bare == bare_sends_.end()) {
      SendAction b = action;
      b.hosts.clear();
      b.message.to_one_of.clear();
      bare = bare_sends_.emplace(&action, std::move(b)).first;
    }
    drawn = bare->second;
    if (action.hosts.size() > 1) drawn.host = action.hosts[timeline_rng_.uniform(0, action.hosts.size() - 1)];
    if (!action.message.to_one_of.empty())
      drawn.message.to.push_back(action.message.to_one_of[timeline_rng_.uniform(0, action.message.to_one_of.size() - 1)]);
    if (action.message.from_device)
      if (const HostSpec* h = host_spec(drawn.host)) drawn.message.from = h->user;
    chosen = &drawn;
  }
  for (auto& m : muas_)
    if (m->name() == chosen->host) m->send(*chosen);
}

void World::watch_triggers() {
  fired_.assign(scenario_.narration.size(), false);
  rec_.observe([this](const TraceEvent& e) {
    if (e.kind == EventKind::Narration) return;
    std::vector<std::size_t> due;  // decided before emitting: emitting may move `e`
    for (std::size_t i = 0; i < scenario_.narration.size(); ++i) {
      const NarrationItem& n = scenario_.narration[i];
      if (!n.when || fired_[i]) continue;
      const Trigger& t = *n.when;
      bool match = false;
      switch (t.kind) {
        case Trigger::Kind::Stored:
          // Local parts match without regard to case, as the mailstore looks users up.
          // A delivery (the MDA), not a copy a mail program files over IMAP.
          match = e.kind == EventKind::MessageStored && e.protocol == Protocol::Mda &&
                  (t.mailbox.empty() || iequals(e.mailbox.str(), t.mailbox));
          break;
        case Trigger::Kind::Accepted:
          match = e.kind == EventKind::MessageAccepted && (t.host.empty() || e.from == t.host);
          break;
        case Trigger::Kind::Downloaded:
          match = e.kind == EventKind::Downloaded && (t.host.empty() || e.from == t.host);
          break;
        case Trigger::Kind::Deferred:
        case Trigger::Kind::Bounced:
        case Trigger::Kind::Retried:
        case Trigger::Kind::Warned:
        case Trigger::Kind::Expired: {
          static constexpr EventKind kinds[] = {EventKind::DeliveryDeferred, EventKind::DeliveryFailed,
                                                EventKind::QueueActive, EventKind::DelayNotified, EventKind::QueueExpired};
          const auto k = static_cast<std::size_t>(t.kind) - static_cast<std::size_t>(Trigger::Kind::Deferred);
          match = e.kind == kinds[k] && (t.host.empty() || e.from == t.host);
          break;
        }
        case Trigger::Kind::Expunged:
        case Trigger::Kind::Flagged:
          match = e.kind == (t.kind == Trigger::Kind::Expunged ? EventKind::MessageExpunged : EventKind::FlagsChanged) &&
                  (t.mailbox.empty() || iequals(e.mailbox.str(), t.mailbox));
          break;
        case Trigger::Kind::Command: {
          if (e.kind != EventKind::Line || !e.from_client || (e.protocol != Protocol::Smtp && e.protocol != Protocol::Pop3))
            break;
          const std::string_view text = e.text;
          const std::string_view verb = text.substr(0, text.find_first_of(" \r\n"));
          match = iequals(verb, t.verb) && (t.host.empty() || e.to == t.host);
          break;
        }
      }
      if (!match) continue;
      fired_[i] = true;
      due.push_back(i);
    }
    for (std::size_t i : due) {
      TraceEvent say;
      say.kind = EventKind::Narration;
      say.text = scenario_.narration[i].say.en;
      say.text_alt = scenario_.narration[i].say.es;
      rec_.emit(std::move(say));
    }
  });
}

HostId World::add_guest_host(const std::string& name, const std::string& address) {
  return net_.add_host(name, address);
}

std::string World::free_guest_address() const {
  for (int last = 254; last > 1; --last) {
    const std::string a = "192.0.2." + std::to_string(last);
    if (!net_.find_by_address(a)) return a;
  }
  return "198.18.0.1";  // RFC 2544 benchmarking range: never a lesson's documentation address
}

bool World::run() { return run_until(std::numeric_limits<SimTime>::max()); }

bool World::run_until_quiet(Duration quiet) {
  for (auto next = sim_.next_time(); next && *next <= sim_.now() + quiet; next = sim_.next_time())
    if (!run_until(*next)) return false;
  return !limit_;
}

bool World::run_until(SimTime horizon) { return run_steps(horizon, std::numeric_limits<std::size_t>::max()); }

bool World::run_for(std::size_t steps) { return run_steps(std::numeric_limits<SimTime>::max(), steps); }

bool World::finished() const { return limit_.has_value() || sim_.idle(); }

bool World::run_steps(SimTime horizon, std::size_t steps) {
  if (limit_) return false;
  for (auto next = sim_.next_time(); next && *next <= horizon && steps > 0; next = sim_.next_time(), --steps) {
    sim_.step();
    std::optional<RunLimit> hit;
    if (trace_.size() >= limits_.max_events) hit = RunLimit{"kMaxTraceEvents", limits_.max_events, -1};
    else if (trace_.bytes() >= limits_.max_bytes) hit = RunLimit{"kMaxTraceBytes", limits_.max_bytes, -1};
    else if (++steps_run_ >= limits_.max_steps) hit = RunLimit{"kMaxSimulatorSteps", limits_.max_steps, -1};
    if (!hit) continue;
    hit->last_event = static_cast<std::int64_t>(trace_.size()) - 1;
    limit_ = hit;
    return false;
  }
  return true;
}

}  // namespace postlab
