// The lesson loader's internals, shared by load.cpp (top level, hosts, links, DNS, users) and
// load_timeline.cpp (messages, timeline, narration, cross-checks). Only scenario/ includes this.
#pragma once
#include <optional>
#include <string>

#include "scenario/json_reader.h"
#include "scenario/load.h"
#include "scenario/scenario.h"

namespace postlab::detail {

class Loader : public JsonReader {
 public:
  using JsonReader::JsonReader;

  LoadResult run();

 private:
  void hosts(const Json& root, Scenario& s);
  void links(const Json& root, Scenario& s);
  void policy(const Json& j, const JsonPath& path, MtaPolicy& out);
  void dns(const Json& root, Scenario& s);
  void users(const Json& root, Scenario& s);
  void timeline(const Json& root, Scenario& s);
  void narration(const Json& root, Scenario& s);
  void cross_checks(const Scenario& s);
  std::optional<MessageSpec> message(const Json& j, const JsonPath& path, const HostSpec* sender);
  const HostSpec* host_named(const Scenario& s, const std::string& name) const;
  bool user_exists(const Scenario& s, const std::string& address) const;
};

std::string host_list(const Scenario& s);  // "a, b, c" for messages

}  // namespace postlab::detail
