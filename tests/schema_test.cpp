// docs/scenario.schema.json must allow exactly the fields the loader allows, object by object.
// The loader names its allowed fields when it meets an unknown one; the test compares the lists.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "scenario/load.h"

using Json = nlohmann::json;

namespace {

const char* const kBase = R"({
  "format": 1, "title": {"en": "t", "es": "t"}, "network": {"default_latency": "5ms"},
  "hosts": [
    {"name": "pc", "role": "client", "address": "192.0.2.1", "user": "a@x.example"},
    {"name": "mail.x.example", "role": "mta", "address": "192.0.2.2", "domains": ["x.example"],
     "services": ["smtp", "submission"], "policy": {"starttls": false}}],
  "links": [{"between": ["pc", "mail.x.example"], "latency": "1ms"}],
  "dns": [{"name": "y.example", "type": "MX", "preference": 1, "value": "mail.x.example"}],
  "users": [{"address": "a@x.example", "password": "p"}],
  "timeline": [{"at": "0s", "send": {"from": "pc", "message": {"to": ["a@x.example"],
                "attachments": [{"name": "a.txt", "content": "hi"}]}}}],
  "narration": [{"when": {"stored": "a@x.example"}, "say": "ok"}]
})";

std::set<std::string> loader_allows(const std::string& pointer, const std::string& path) {
  Json lesson = Json::parse(kBase);
  lesson[Json::json_pointer(pointer)]["qqqqqqqqqq"] = 1;
  const postlab::LoadResult r = postlab::load_scenario_text(lesson.dump(), "probe.json");
  const std::string want = (path.empty() ? "" : path + ".") + "qqqqqqqqqq";
  for (const auto& e : r.errors) {
    if (e.path != want) continue;
    const auto at = e.message.find("allowed here:");
    REQUIRE(at != std::string::npos);
    std::set<std::string> out;
    std::istringstream words(e.message.substr(at + 13));
    for (std::string w; words >> w;) out.insert(w);
    return out;
  }
  FAIL("no unknown-field error at " << want);
  return {};
}

std::set<std::string> schema_allows(const Json& schema, const std::string& def) {
  const Json& node = def.empty() ? schema : schema.at(Json::json_pointer(def));
  std::set<std::string> out;
  for (const auto& [k, v] : node.at("properties").items()) out.insert(k);
  return out;
}

}  // namespace

TEST_CASE("schema: every object allows the same fields in the JSON Schema as in the loader") {
  std::ifstream in(POSTLAB_SOURCE_DIR "/docs/scenario.schema.json");
  REQUIRE(in);
  const Json schema = Json::parse(in);
  REQUIRE(postlab::load_scenario_text(kBase, "base.json").ok());
  struct Place {
    const char* pointer;  // where the probe goes in the lesson
    const char* path;     // how the loader names it
    const char* def;      // the schema object that describes it
  };
  const Place places[] = {
      {"", "", ""},
      {"/title", "title", "/$defs/text/oneOf/1"},
      {"/network", "network", "/$defs/network"},
      {"/hosts/0", "hosts[0]", "/$defs/host"},
      {"/hosts/1", "hosts[1]", "/$defs/host"},
      {"/hosts/1/policy", "hosts[1].policy", "/$defs/policy"},
      {"/links/0", "links[0]", "/$defs/link"},
      {"/dns/0", "dns[0]", "/$defs/dns"},
      {"/users/0", "users[0]", "/$defs/user"},
      {"/timeline/0", "timeline[0]", "/$defs/timeline_item"},
      {"/timeline/0/send", "timeline[0].send", "/$defs/send"},
      {"/timeline/0/send/message", "timeline[0].send.message", "/$defs/message"},
      {"/timeline/0/send/message/attachments/0", "timeline[0].send.message.attachments[0]", "/$defs/attachment"},
      {"/narration/0", "narration[0]", "/$defs/narration_item"},
      {"/narration/0/when", "narration[0].when", "/$defs/when"},
  };
  for (const auto& p : places) {
    INFO("at " << p.path);
    CHECK(loader_allows(p.pointer, p.path) == schema_allows(schema, p.def));
  }
}
