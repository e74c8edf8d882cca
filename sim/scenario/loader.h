// The lesson loader's internals, shared by load.cpp (the JSON text and the top level), load_world.cpp
// (hosts, links, DNS, users) and load_timeline.cpp (messages, timeline, narration, cross-checks).
// Only scenario/ includes this.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/json_reader.h"
#include "scenario/load.h"
#include "scenario/scenario.h"

namespace postlab::detail {

class Loader : public JsonReader {
 public:
  using JsonReader::JsonReader;

  LoadResult run();

 private:
  void top_level(const Json& root, Scenario& s);
  void hosts(const Json& root, Scenario& s);
  void client_fields(const Json& j, const JsonPath& path, HostSpec& h, bool required);
  void mta_fields(const Json& j, const JsonPath& path, HostSpec& h, bool required);
  void links(const Json& root, Scenario& s);
  void policy(const Json& j, const JsonPath& path, MtaPolicy& out);
  void dns(const Json& root, Scenario& s);
  void users(const Json& root, Scenario& s);
  void timeline(const Json& root, Scenario& s);
  void check_total_sends();
  std::optional<FaultAction> fault(const Json& j, const JsonPath& path, const Scenario& s);
  std::optional<CheckMailAction> check_mail(const Json& j, const JsonPath& p, const Scenario& s);
  std::optional<MailAction> mail_action(const Json& j, const JsonPath& p, std::string_view key, const Scenario& s);
  std::optional<ForceReplyAction> force_reply(const Json& j, const JsonPath& path, const Scenario& s);
  void timeouts(const Json& j, const JsonPath& path, MtaPolicy& out);
  void queue_schedule(const Json& j, const JsonPath& path, QueueSchedule& out);
  // A host named in a timeline action: it must exist, and have `role` when one is given.
  void action_host(const Scenario& s, const std::string& name, const JsonPath& path, std::optional<HostRole> role);
  void narration(const Json& root, Scenario& s);
  void cross_checks(const Scenario& s);
  // A message to compose. Without "from" it is the sending device's user; without recipients it goes
  // to `default_to` when one is given (a message already in that user's mailbox).
  std::optional<MessageSpec> message(const Json& j, const JsonPath& path, const HostSpec* sender,
                                     const std::string& default_to = {});
  const HostSpec* host_named(const Scenario& s, const std::string& name) const;
  bool user_exists(const Scenario& s, const std::string& address) const;
  // A reference to a host that does not exist, unless some host could not be read (then it may be that one).
  bool missing_host(const Scenario& s, const std::string& name) const;
  // A host of another role than `role`, unless its role is unknown.
  bool wrong_role(const HostSpec* h, HostRole role) const;
  // Checks a domain or host name (`what`: "host names", "mail domains"...); a non-ASCII one is told
  // to use its xn-- form, anything else gets `message`. False when it is not valid.
  bool domain(const std::string& value, const JsonPath& path, std::string_view what, const std::string& message);
  // Checks an address, or with `mailbox` also "Name <address>"; like domain() for its domain part.
  bool address(const std::string& value, const JsonPath& path, bool mailbox, const std::string& message);
  // Says where numbers too large to read were (the parser saw null there).
  void huge_numbers(const std::vector<HugeNumber>& huge);

  bool hosts_complete_ = true;   // every host's name, role and domains could be read
  bool users_complete_ = true;   // every user's address could be read
  std::set<std::string> role_unsure_;  // hosts whose role is neither given nor clear from their fields
  std::vector<std::size_t> host_index_;      // s.hosts[k] is hosts[host_index_[k]] in the file
  std::vector<std::size_t> timeline_index_;  // s.timeline[k] is timeline[timeline_index_[k]]
  std::size_t total_sends_ = 0;              // sends in the timeline, repeats counted
};

std::string host_list(const Scenario& s);  // "a, b, c" for messages

}  // namespace postlab::detail
