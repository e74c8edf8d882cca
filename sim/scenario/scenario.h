// A lesson as plain data: what the loader produces and what World::build consumes.
// The file format is documented in docs/scenario-format.md.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/text.h"
#include "core/time.h"

namespace postlab {

inline constexpr int kScenarioFormat = 1;  // the newest format this build reads

enum class HostRole { Client, Mta };

struct HostSpec {
  std::string name;
  HostRole role = HostRole::Client;
  std::string address;
  // client
  std::string user;          // the address this device sends as
  std::string submit_to;     // MTA host name; default: the MTA serving the user's domain
  int submit_port = 0;       // default: 587 when that MTA offers submission, else 25
  // mta
  std::vector<std::string> domains;
  std::vector<std::string> services;  // "smtp" (25), "submission" (587)
  std::string software = "Postfix";
  bool helo_required = false;
  std::size_t message_size_limit = 0;  // 0: the default (smtp::kMessageSizeLimit)
};

struct LinkSpec {
  std::string a, b;
  Duration latency = 0;
};

struct DnsSpec {
  std::string name;
  std::string type;  // "A" or "MX"
  int preference = 0;
  std::string value;
};

struct UserSpec {
  std::string address;
  std::string password;
  std::vector<std::string> folders;  // INBOX always exists
};

struct MessageSpec {
  std::string from;  // "Alice <alice@uni.example>"
  std::vector<std::string> to, cc, bcc;
  std::string subject;
  std::string body;
};

struct SendAction {
  std::string host;  // the client device that sends
  MessageSpec message;
};

struct TimelineItem {
  SimTime at = 0;
  std::optional<SendAction> send;
  LocalText say;
};

// A narration that appears when something happens, rather than at a time.
struct Trigger {
  enum class Kind { Stored, Command, Accepted };
  Kind kind = Kind::Stored;
  std::string mailbox;  // Stored: user address (empty: any)
  std::string verb;     // Command: SMTP verb sent by a client, e.g. "DATA"
  std::string host;     // Command: server host; Accepted: the MTA (empty: any)
};

struct NarrationItem {
  std::optional<SimTime> at;
  std::optional<Trigger> when;
  LocalText say;
};

struct Scenario {
  int format = kScenarioFormat;
  std::string file;         // where it was loaded from (for messages)
  LocalText title, summary;
  std::vector<LocalText> goals;
  std::uint64_t seed = 1;
  std::int64_t epoch = 0;   // Unix seconds of virtual time 0
  Duration default_latency = 0;
  Duration dns_latency = 0;
  std::vector<HostSpec> hosts;
  std::vector<LinkSpec> links;
  std::vector<DnsSpec> dns;
  std::vector<UserSpec> users;
  std::vector<TimelineItem> timeline;
  std::vector<NarrationItem> narration;
};

// Defaults a lesson gets when it does not say.
inline constexpr std::int64_t kDefaultEpoch = 1772442000;  // 2026-03-02T09:00:00Z, a Monday morning
inline constexpr Duration kDefaultLatency = 10 * kMillisecond;
inline constexpr Duration kDefaultDnsLatency = 2 * kMillisecond;

}  // namespace postlab
