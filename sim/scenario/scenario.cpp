#include "scenario/scenario.h"

#include <algorithm>

#include "mail/address.h"

namespace postlab {
namespace {

const HostSpec* host_named(const Scenario& s, std::string_view name) {
  for (const auto& h : s.hosts)
    if (h.name == name) return &h;
  return nullptr;
}

}  // namespace

SubmissionRoute submission_route(const Scenario& s, const HostSpec& device, const SendAction& send) {
  SubmissionRoute route;
  if (!send.via.empty()) {
    route.server = host_named(s, send.via);
  } else if (!device.submit_to.empty()) {
    route.server = host_named(s, device.submit_to);
  } else if (auto user = parse_address(device.user)) {
    for (const auto& h : s.hosts)
      if (h.role == HostRole::Mta && std::find(h.domains.begin(), h.domains.end(), user->domain) != h.domains.end())
        route.server = &h;
  }
  if (route.server && route.server->role != HostRole::Mta) route.server = nullptr;
  const bool submission = route.server && std::find(route.server->services.begin(), route.server->services.end(),
                                                    "submission") != route.server->services.end();
  if (send.port != 0) route.port = send.port;
  else if (send.via.empty() && device.submit_port != 0) route.port = device.submit_port;
  else route.port = submission ? 587 : 25;
  return route;
}

const HostSpec* retrieval_server(const Scenario& s, const HostSpec& device) {
  const HostSpec* server = nullptr;
  if (device.retrieve && !device.retrieve->server.empty()) {
    server = host_named(s, device.retrieve->server);
  } else if (auto user = parse_address(device.user)) {
    for (const auto& h : s.hosts)
      if (h.role == HostRole::Mta && std::find(h.domains.begin(), h.domains.end(), user->domain) != h.domains.end())
        server = &h;
  }
  return server && server->role == HostRole::Mta ? server : nullptr;
}

std::string mailbox_key(std::string_view address) {
  std::string out = normalize_address(address);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');  // ASCII only, whatever the locale
  return out;
}

const UserSpec* find_user(const Scenario& s, std::string_view address) {
  const std::string want = mailbox_key(address);
  for (const auto& u : s.users)
    if (mailbox_key(u.address) == want) return &u;
  return nullptr;
}

const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::HostDown: return "host_down";
    case FaultKind::HostUp: return "host_up";
    case FaultKind::LinkDown: return "link_down";
    case FaultKind::LinkUp: return "link_up";
    case FaultKind::DnsDown: return "dns_down";
    case FaultKind::DnsUp: return "dns_up";
    case FaultKind::DropConnection: return "drop_connection";
    case FaultKind::LoseReplyAfterDot: return "lose_reply_after_dot";
    case FaultKind::DiskFull: return "disk_full";
    case FaultKind::DiskOk: return "disk_ok";
  }
  return "?";
}

}  // namespace postlab

namespace postlab {

std::optional<QueueSchedule> queue_preset(std::string_view name) {
  QueueSchedule s;  // Postfix 3.7, postconf -d: queue_run_delay 300s, minimal_backoff_time 300s,
                    // maximal_backoff_time 4000s, delay_warning_time 0h, maximal_queue_lifetime 5d,
                    // bounce_queue_lifetime 5d.
  if (name == "postfix") return s;
  if (name == "sendmail") {
    // sendmail.cf as m4 builds it (cf/m4/cfhead.m4): Timeout.queuewarn 4h, Timeout.queuereturn 5d.
    // Debian starts the daemon with -q10m (QUEUE_INTERVAL), and every queue run tries every waiting
    // message (MinQueueAge 0, no backoff of its own: op.me, "Queue Interval").
    s.preset = "sendmail";
    s.queue_run_delay = 10 * kMinute;
    s.minimal_backoff_time = 0;
    s.maximal_backoff_time = 0;
    s.delay_warning_time = 4 * kHour;
    s.maximal_queue_lifetime = 5 * kDay;
    s.bounce_queue_lifetime = 5 * kDay;
    return s;
  }
  return std::nullopt;
}

}  // namespace postlab
