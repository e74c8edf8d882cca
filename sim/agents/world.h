// The simulated world of one lesson: hosts, DNS, MTAs with their mailstores, client devices.
// Build it from a validated Scenario, run it, read its Trace.
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/simulator.h"
#include "net/dns.h"
#include "net/network.h"
#include "proto/smtp/server.h"
#include "scenario/scenario.h"
#include "trace/recorder.h"
#include "trace/trace.h"

namespace postlab {

class MailReader;
class Mta;
class Mua;

// Limits of one run: a lesson that would run forever or fill the memory stops at the first it reaches,
// and says which (RunLimit). Real MTAs end mail loops long before (hop count, "loops back to myself").
inline constexpr std::size_t kMaxTraceEvents = 10'000'000;         // events written to the trace
inline constexpr std::size_t kMaxTraceBytes = 512u * 1024 * 1024;  // trace memory budget (events + messages)
inline constexpr std::size_t kMaxSimulatorSteps = 20'000'000;      // scheduled actions run, traced or not
// How long a resolver waits for a DNS server that does not answer before it gives up for now
// (glibc's resolv.conf defaults: timeout 5 s, 2 attempts).
inline constexpr Duration kResolverTimeout = 10 * kSecond;

// The limits one world runs under (tests may lower them to reach them quickly).
struct RunLimits {
  std::size_t max_events = kMaxTraceEvents;
  std::size_t max_bytes = kMaxTraceBytes;
  std::size_t max_steps = kMaxSimulatorSteps;
};

// Why a run stopped early: the limit's name, its value, and the last thing that happened.
struct RunLimit {
  std::string limit;       // "kMaxTraceEvents", "kMaxTraceBytes" or "kMaxSimulatorSteps"
  std::uint64_t value = 0;
  std::int64_t last_event = -1;  // seq of the last event written (-1: none)
};

class World {
 public:
  explicit World(const Scenario& scenario);  // the scenario must have passed validation
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Runs until nothing is left to happen, or until a run limit is reached: then it returns false and
  // limit_hit() says which; the world stays stopped. It may be called again after new work is added
  // (a console line): the world carries on.
  bool run();
  // The same, but only what happens up to virtual time `horizon` (inclusive): a world run in slices
  // writes the same trace as one run to the end.
  bool run_until(SimTime horizon);
  // The same, but at most `steps` simulator steps (the window runs a big lesson a little each frame).
  bool run_for(std::size_t steps);
  // One simulator step (which may write no event, or several).
  bool step() { return run_for(1); }
  // Runs what follows closely on what just happened: it stops before the first thing that would come
  // more than `quiet` after the virtual time reached so far. A console uses it after each typed line:
  // the replies arrive, and the clock does not jump to a timeout or a retry minutes ahead.
  bool run_until_quiet(Duration quiet);
  SimTime now() const { return sim_.now(); }
  // Nothing is left to happen, or a run limit stopped the world.
  bool finished() const;
  const std::optional<RunLimit>& limit_hit() const { return limit_; }
  void set_limits(RunLimits limits) { limits_ = limits; }
  // A machine that is not in the lesson (a student's console): a new host on the network, a stranger
  // to every server. Returns its id; the name and address must not be in use.
  HostId add_guest_host(const std::string& name, const std::string& address);
  // An address for such a host that nothing in the lesson uses (192.0.2.0/24, RFC 5737).
  std::string free_guest_address() const;

  const Trace& trace() const { return trace_; }
  const Scenario& scenario() const { return scenario_; }
  const Mta* mta_on(std::string_view host) const;

  // For the agents.
  Recorder& rec() { return rec_; }
  Network& net() { return net_; }
  std::int64_t epoch() const { return scenario_.epoch; }
  Rng& queue_id_rng() { return queue_ids_; }
  Rng& message_id_rng() { return message_ids_; }
  Rng content_rng(std::string_view owner) const { return rng_.derive("content:" + std::string(owner)); }
  Mta* mta_for_domain(std::string_view domain);
  Mta* mta_at(HostId host);
  // Looks a name up on behalf of a host: a query event, then the answer event after the DNS latency.
  // While the lesson's DNS server is down, no answer comes: after kResolverTimeout the lookup fails
  // for now (try_again), as a resolver says "Host not found, try again".
  struct DnsResult {
    std::vector<DnsRecord> records;  // empty with !try_again: the name has no such record
    bool try_again = false;
    bool nxdomain = false;  // empty because the name does not exist at all (RFC 2308), not NODATA
  };
  void resolve(HostId asker, const std::string& name, DnsType type, std::function<void(DnsResult)> answer);
  // What the lesson's faults say now, for the agents.
  bool disk_full(HostId host) const;
  // The reply a lesson forces server `host` to give to command `verb` from `client` (and takes one
  // use of that rule), or nullopt.
  std::optional<smtp::ForcedReply> forced_reply(HostId host, HostId client, std::string_view verb, std::string_view args);
  // MX targets for a domain, preference order (RFC 5321 §5.1); an implicit MX when there is none.
  std::vector<std::string> mx_targets(const std::vector<DnsRecord>& mx, const std::string& domain);
  // The world owns every connection handler until the network says its connection is over.
  template <class T, class... Args>
  T* make_handler(Args&&... args) {
    auto h = std::make_unique<T>(std::forward<Args>(args)...);
    T* raw = h.get();
    handlers_.emplace(raw, std::move(h));
    return raw;
  }

 private:
  void schedule_timeline();
  bool run_steps(SimTime horizon, std::size_t steps);
  void preset_message(const std::string& host, const std::string& address, const PresetMessage& preset, Rng& content);
  void send(const SendAction& action);  // one send of the timeline (a repetition draws from its lists)
  const HostSpec* host_spec(const std::string& name) const;
  void watch_triggers();
  void apply_fault(const FaultAction& f);
  void end_fault(const FaultAction& f);
  void add_forced_reply(const ForceReplyAction& f);
  void fault_event(const std::string& type, const std::string& host, const std::string& other, Phrase says);
  bool cut_on_send(ConnId id, bool from_client, std::string_view bytes);

  struct ForcedRule {
    const ForceReplyAction* action;
    HostId host;
    std::optional<HostId> client;
    std::size_t left;   // uses left (0 with `counted` false: no limit)
    bool counted;
    SimTime until;      // it applies before this time
  };
  struct ConnRule {     // a dropped connection or a lost reply
    FaultKind kind;
    HostId server;
    std::optional<HostId> client;
    std::string command;
    std::size_t left;
  };
  Scenario scenario_;
  Simulator sim_;
  Trace trace_;
  Recorder rec_;
  Network net_;
  Dns dns_;
  Rng rng_;
  Rng queue_ids_, message_ids_, mx_, timeline_rng_;
  std::vector<std::unique_ptr<Mta>> mtas_;
  std::map<const SendAction*, SendAction> bare_sends_;  // a repeated send without its lists (looked up, never iterated)
  std::map<std::string, const HostSpec*> host_specs_;   // by name
  std::vector<std::unique_ptr<Mua>> muas_;
  std::vector<std::unique_ptr<MailReader>> readers_;  // the devices that read mail
  std::map<const ConnectionHandler*, std::unique_ptr<ConnectionHandler>> handlers_;  // looked up, never iterated
  std::vector<bool> fired_;  // one per narration item with a trigger
  bool dns_down_ = false;
  std::vector<HostId> disks_full_;
  std::vector<ForcedRule> forced_;     // in the order the lesson set them: the first that matches answers
  std::vector<ConnRule> conn_rules_;
  std::vector<ConnId> awaiting_final_;  // connections whose client has sent the end of a message
  std::deque<FaultAction> ended_;       // the "up again" of faults that lasted a while (never moves)
  std::optional<RunLimit> limit_;
  RunLimits limits_;
  std::size_t steps_run_ = 0;  // scheduled actions run so far, for kMaxSimulatorSteps
};

}  // namespace postlab
