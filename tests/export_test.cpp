// export/: the JSON a program reads from `postlab-cli run --format json`.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "agents/world.h"
#include "export/i18n.h"
#include "export/json_export.h"
#include "scenario/load.h"
#include "trace/trace.h"

using namespace postlab;

TEST_CASE("export: the JSON trace names every step and records envelope facts and verdicts") {
  LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/03-spoofed-from.json");
  REQUIRE(r.ok());
  World w(*r.scenario);
  w.run();
  std::string error;
  auto tr = Translations::load(POSTLAB_SOURCE_DIR "/assets", Lang::Es, &error);
  REQUIRE(tr);
  const auto j = nlohmann::json::parse(trace_to_json(*r.scenario, w.trace(), *tr));
  CHECK(j["fingerprint"].get<std::uint64_t>() == w.trace().fingerprint());
  REQUIRE(j["events"].size() == w.trace().size());

  std::size_t steps = 0, encrypted = 0;
  for (const auto& e : j["events"]) {
    if (e.contains("step")) CHECK(e["step"].get<std::size_t>() == ++steps);
    if (e["kind"] == "line") {
      CHECK(e.contains("lines"));
      if (e["encrypted"].get<bool>()) ++encrypted;
    } else {
      CHECK(e.contains("text"));
    }
  }
  CHECK(encrypted > 0);

  // Both messages in Bob's INBOX: the dean's is consistent, Mallory's is forged.
  int consistent = 0, forged = 0;
  for (const auto& m : j["messages"]) {
    if (!m.contains("verdict") || m["envelope_to"] != nlohmann::json::array({"bob@correo.example"})) continue;
    if (m["received_from"]["host"] == "mallory-pc") {
      CHECK(m["verdict"]["kind"] == "forged");
      CHECK(m["verdict"]["reasons"][0]["key"] == "verdict.other_persons_device");  // Mallory's own PC
      CHECK(m["header_reply_to"] == "soporte@evil.example");
      ++forged;
    } else if (m["received_from"]["host"] == "mail.uni.example") {
      CHECK(m["verdict"]["kind"] == "consistent");
      ++consistent;
    }
  }
  CHECK(forged >= 1);
  CHECK(consistent >= 1);
}

TEST_CASE("export: the streamed JSON is byte for byte the whole document dumped at once") {
  // Written one event at a time; parsing it back and dumping the whole document with the same
  // indent must give the very same bytes, for every lesson and both languages.
  std::string error;
  for (const auto& entry : std::filesystem::directory_iterator(POSTLAB_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    LoadResult r = load_scenario_file(entry.path().string());
    REQUIRE(r.ok());
    World w(*r.scenario);
    w.run();
    for (Lang lang : {Lang::En, Lang::Es}) {
      auto tr = Translations::load(POSTLAB_SOURCE_DIR "/assets", lang, &error);
      REQUIRE(tr);
      std::ostringstream streamed;
      write_trace_json(streamed, *r.scenario, w.trace(), *tr);
      const std::string text = streamed.str();
      CHECK(nlohmann::ordered_json::parse(text).dump(2) + "\n" == text);
    }
  }
  // An empty list is written "[]", as dump() writes it.
  Scenario empty;
  Trace none;
  auto tr = Translations::load(POSTLAB_SOURCE_DIR "/assets", Lang::En, &error);
  REQUIRE(tr);
  const std::string text = trace_to_json(empty, none, *tr);
  CHECK(text.find("\"events\": [],") != std::string::npos);
  CHECK(nlohmann::ordered_json::parse(text).dump(2) + "\n" == text);
}
