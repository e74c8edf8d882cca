// scenario/: loading lessons. Every problem names its JSON path and line:column; loading is all-or-nothing.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include <string>
#include <string_view>
#include <vector>

#include "scenario/json_locate.h"
#include "scenario/load.h"

using namespace postlab;

namespace {

// A small valid lesson. Line numbers matter: the tests below point into it.
const std::string kBase = R"({
  "format": 1,
  "title": "t",
  "hosts": [
    {"name": "alice-laptop", "role": "client", "address": "192.0.2.10", "user": "alice@uni.example"},
    {"name": "mail.uni.example", "role": "mta", "address": "198.51.100.25", "domains": ["uni.example"]}
  ],
  "links": [
    {"between": ["alice-laptop", "mail.uni.example"], "latency": "20ms"}
  ],
  "users": [
    {"address": "alice@uni.example"}
  ],
  "timeline": [
    {"at": "1s", "send": {"from": "alice-laptop", "message": {"to": ["alice@uni.example"], "subject": "hi"}}}
  ]
}
)";

// kBase with one piece of text replaced (the piece must be there exactly once).
std::string with(std::string_view from, std::string_view to, std::string text = kBase) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.str() + "\n";
  return out;
}

// Checks that loading fails, gives no scenario, and reports this problem at this place.
void expect_error(const std::string& text, const std::string& path, int line, int column,
                  const std::string& message_part) {
  const LoadResult r = load_scenario_text(text, "lesson.json");
  INFO(all_errors(r));
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.scenario.has_value());  // all-or-nothing
  const LessonError* found = nullptr;
  for (const auto& e : r.errors)
    if (e.path == path && e.message.find(message_part) != std::string::npos) found = &e;
  REQUIRE_MESSAGE(found, "no error at " << path << " saying: " << message_part);
  CHECK(found->file == "lesson.json");
  CHECK(found->line == line);
  CHECK(found->column == column);
  const std::string prefix =
      "lesson.json:" + std::to_string(line) + ":" + std::to_string(column) + ": " + path + ": ";
  CHECK(found->str().rfind(prefix, 0) == 0);
}

}  // namespace

TEST_CASE("scenario: lesson 01 loads cleanly") {
  const LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/01-smtp-basic.json");
  INFO(all_errors(r));
  REQUIRE(r.ok());
  CHECK(r.errors.empty());
  const Scenario& s = *r.scenario;
  CHECK(s.format == 1);
  CHECK(s.title.en == "Sending one message");
  CHECK(s.title.es == "Enviar un mensaje");
  CHECK(s.goals.size() == 3);
  CHECK(s.seed == 7);
  CHECK(s.epoch == 1772442000);
  CHECK(s.default_latency == kDefaultLatency);
  CHECK(s.dns_latency == kDefaultDnsLatency);
  REQUIRE(s.hosts.size() == 3);
  CHECK(s.hosts[0].role == HostRole::Client);
  CHECK(s.hosts[0].user == "alice@uni.example");
  CHECK(s.hosts[1].services == std::vector<std::string>{"smtp", "submission"});
  CHECK(s.hosts[2].services == std::vector<std::string>{"smtp"});
  CHECK(s.hosts[2].domains == std::vector<std::string>{"correo.example"});
  REQUIRE(s.links.size() == 2);
  CHECK(s.links[1].latency == 40 * kMillisecond);
  REQUIRE(s.dns.size() == 1);
  CHECK(s.dns[0].type == "MX");
  CHECK(s.dns[0].preference == 10);
  REQUIRE(s.users.size() == 2);
  CHECK(s.users[1].folders == std::vector<std::string>{"Trabajo"});
  REQUIRE(s.timeline.size() == 1);
  REQUIRE(s.timeline[0].send);
  CHECK(s.timeline[0].send->host == "alice-laptop");
  CHECK(s.timeline[0].send->message.subject == "¡Hola!");
  REQUIRE(s.narration.size() == 8);
  REQUIRE(s.narration[0].when);
  CHECK(s.narration[0].when->kind == Trigger::Kind::Command);
  CHECK(s.narration[0].when->verb == "EHLO");
  CHECK(s.narration[6].when->kind == Trigger::Kind::Stored);
  CHECK(s.narration[6].when->mailbox == "bob@correo.example");
}

TEST_CASE("scenario: the small base lesson of these tests is valid") {
  const LoadResult r = load_scenario_text(kBase, "lesson.json");
  INFO(all_errors(r));
  REQUIRE(r.ok());
  CHECK(r.scenario->file == "lesson.json");
  REQUIRE(r.scenario->timeline.size() == 1);
  CHECK(r.scenario->timeline[0].at == kSecond);
  CHECK(r.scenario->timeline[0].send->message.from == "alice@uni.example");  // the device's own user
  CHECK(r.scenario->epoch == kDefaultEpoch);
}

TEST_CASE("scenario: a syntax error points at the start of the bad token") {
  // A missing comma: the next member name is where the parser gives up.
  expect_error(with("\"format\": 1,", "\"format\": 1"), "(syntax)", 3, 3, "not valid JSON");
  expect_error(with("\"title\": \"t\",", "\"title\": \"t\",,"), "(syntax)", 3, 16, "unexpected ','");
  expect_error(with("\"title\": \"t\",", "\"title\": tru,"), "(syntax)", 3, 12, "invalid literal");
  expect_error(with("\"title\": \"t\",", "\"title\": \"a\nb\","), "(syntax)", 3, 12, "control character");
  expect_error(R"({"format": 1, "title": "t")", "(syntax)", 1, 27, "unexpected end of input");
  const LoadResult r = load_scenario_text(with("\"format\": 1,", "\"format\": 1"), "lesson.json");
  CHECK(r.errors.size() == 1);  // nothing else can be said about text that does not parse
}

TEST_CASE("json_locate: token_start finds where the token at a position begins") {
  const std::string_view text = R"({"key": "value", "n": -12, "bad": tru})";
  CHECK(token_start(text, 0) == 0);
  CHECK(token_start(text, 5) == 1);    // inside "key"
  CHECK(token_start(text, 14) == 8);   // the closing quote of "value"
  CHECK(token_start(text, 24) == 22);  // the 2 of -12
  CHECK(token_start(text, 25) == 25);  // the comma after a finished number is its own token
  CHECK(token_start(text, 37) == 34);  // the brace right after the unfinished word `tru`
  CHECK(token_start(text, 100) == 100);
}

TEST_CASE("scenario: an unknown field suggests the closest allowed one") {
  expect_error(with("\"title\": \"t\",", "\"titel\": \"t\","), "titel", 3, 3, "unknown field \"titel\"; did you mean \"title\"?");
  // The misspelt field does not count as the real one.
  expect_error(with("\"title\": \"t\",", "\"titel\": \"t\","), "(top level)", 1, 1, "missing field \"title\"");
  expect_error(with("{\"address\": \"alice@uni.example\"}", "{\"address\": \"alice@uni.example\", \"colour\": \"blue\"}"),
               "users[0].colour", 12, 38, "unknown field \"colour\"; allowed here: address password folders");
}

TEST_CASE("scenario: a missing required field is reported at its object") {
  expect_error(with("\"role\": \"client\", ", ""), "hosts[0]", 5, 5, "missing field \"role\"");
  expect_error(with("\"latency\": \"20ms\"", "\"latenc\": \"20ms\""), "links[0]", 9, 5, "missing field \"latency\"");
  expect_error(with("  \"format\": 1,\n", ""), "(top level)", 1, 1, "missing field \"format\"");
}

TEST_CASE("scenario: a value of the wrong type") {
  expect_error(with("\"format\": 1,", "\"format\": \"1\","), "format", 2, 13,
               "expected a whole number, got the text \"1\"");
  expect_error(with("\"domains\": [\"uni.example\"]", "\"domains\": \"uni.example\""), "hosts[1].domains", 6, 88,
               "expected a list [ ... ], got the text \"uni.example\"");
  expect_error(with("\"subject\": \"hi\"", "\"subject\": 42"), "timeline[0].send.message.subject", 15, 103,
               "got the number 42");
}

TEST_CASE("scenario: a reference to a host that does not exist") {
  expect_error(with("\"mail.uni.example\"]", "\"mail.uni.exampel\"]"), "links[0].between[1]", 9, 34,
               "no host is named \"mail.uni.exampel\"; hosts: alice-laptop, mail.uni.example");
  expect_error(with("{\"from\": \"alice-laptop\"", "{\"from\": \"bob-laptop\""), "timeline[0].send.from", 15, 35,
               "no host is named \"bob-laptop\"");
  expect_error(with("\"user\": \"alice@uni.example\"}",
                    "\"user\": \"alice@uni.example\", \"submit_to\": \"smtp.uni.example\"}"),
               "hosts[0].submit_to", 5, 115, "no host is named \"smtp.uni.example\"");
}

TEST_CASE("scenario: two hosts with the same name") {
  expect_error(with("{\"name\": \"mail.uni.example\"", "{\"name\": \"alice-laptop\""), "hosts[1].name", 6, 14,
               "another host already has this name (hosts[0])");
}

TEST_CASE("scenario: an invalid IPv4 address") {
  expect_error(with("198.51.100.25", "198.51.100.256"), "hosts[1].address", 6, 60,
               "expected an IPv4 address such as \"192.0.2.10\", got \"198.51.100.256\"");
  expect_error(with("198.51.100.25", "192.0.2.10"), "hosts[1].address", 6, 60, "hosts[0] already has this address");
}

TEST_CASE("scenario: an invalid duration") {
  expect_error(with("\"20ms\"", "\"20 ms\""), "links[0].latency", 9, 66, "expected a duration such as");
  expect_error(with("\"at\": \"1s\"", "\"at\": \"5x\""), "timeline[0].at", 15, 12, "got \"5x\"");
  expect_error(with("\"at\": \"1s\"", "\"at\": \"999999999999d\""), "timeline[0].at", 15, 12, "at most 366d");
}

TEST_CASE("scenario: the same key twice in one object") {
  expect_error(with("\"title\": \"t\",", "\"title\": \"t\", \"title\": \"u\","), "title", 3, 17,
               "this field appears twice in the same object");
  expect_error(with("\"role\": \"mta\",", "\"role\": \"mta\", \"role\": \"mta\","), "hosts[1].role", 6, 49,
               "appears twice");
}

TEST_CASE("scenario: a lesson written for a newer format") {
  expect_error(with("\"format\": 1,", "\"format\": 2,"), "format", 2, 13,
               "this lesson is written for a newer PostLab (format 2); this version reads format 1");
}

TEST_CASE("scenario: a user whose domain no MTA serves") {
  expect_error(with("{\"address\": \"alice@uni.example\"}",
                    "{\"address\": \"alice@uni.example\"}, {\"address\": \"zed@elsewhere.example\"}"),
               "users[1].address", 12, 51, "no MTA host lists the domain \"elsewhere.example\"");
}

TEST_CASE("scenario: columns count characters rather than bytes") {
  expect_error(with("\"title\": \"t\",", "\"title\": \"¡Hola!\", \"seed\": -1,"), "seed", 3, 30, "must be between 0");
  const std::string text = "é\n  ab";
  CHECK(position_of(text, 0).line == 1);
  CHECK(position_of(text, 2).column == 2);  // after the two bytes of é
  CHECK(position_of(text, 5).line == 2);
  CHECK(position_of(text, 5).column == 3);
}

TEST_CASE("scenario: several problems are all reported in one load and sorted by position") {
  std::string text = with("\"mail.uni.example\"]", "\"mail.uni.exampel\"]");
  text = with("\"20ms\"", "\"20 ms\"", text);
  text = with("198.51.100.25", "198.51.100.256", text);
  text = with("{\"address\": \"alice@uni.example\"}", "{\"address\": \"alice@uni.example\", \"colour\": \"blue\"}", text);
  text = with("\"at\": \"1s\"", "\"at\": \"5x\"", text);
  const LoadResult r = load_scenario_text(text, "lesson.json");
  INFO(all_errors(r));
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.scenario.has_value());
  std::vector<std::string> paths;
  for (const auto& e : r.errors) paths.push_back(e.path);
  CHECK(paths == std::vector<std::string>{"hosts[1].address", "links[0].between[1]", "links[0].latency",
                                          "users[0].colour", "timeline[0].at"});
  for (std::size_t i = 1; i < r.errors.size(); ++i)
    CHECK(std::make_pair(r.errors[i - 1].line, r.errors[i - 1].column) <
          std::make_pair(r.errors[i].line, r.errors[i].column));
}

TEST_CASE("scenario: a file that cannot be read") {
  const LoadResult r = load_scenario_file(POSTLAB_SOURCE_DIR "/scenarios/no-such-lesson.json");
  CHECK_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].path == "(file)");
  CHECK(r.errors[0].line == 0);
  CHECK(r.errors[0].str() ==
        std::string(POSTLAB_SOURCE_DIR) +
            "/scenarios/no-such-lesson.json: (file): cannot open the file (does it exist, and may it be read?)");
}

TEST_CASE("json_locate: paths and positions") {
  const std::string_view text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c\": 2\n}";
  JsonPath path{{"a", 0, false}, {{}, 1, true}, {"b", 0, false}};
  CHECK(path_string(path) == "a[1].b");
  CHECK(path_string({}) == "(top level)");
  const auto value = locate(text, path);
  REQUIRE(value);
  CHECK(text.substr(*value, 3) == "\"x\"");
  const auto key = locate(text, path, true);
  REQUIRE(key);
  CHECK(text.substr(*key, 3) == "\"b\"");
  CHECK(position_of(text, *key).line == 2);
  CHECK(position_of(text, *key).column == 13);
  CHECK_FALSE(locate(text, JsonPath{{"z", 0, false}}));
  CHECK_FALSE(locate(text, JsonPath{{"a", 0, false}, {{}, 5, true}}));
  const auto dups = find_duplicate_keys("{\"a\": {\"x\": 1, \"x\": 2}, \"a\": 3}");
  REQUIRE(dups.size() == 2);
  CHECK(path_string(dups[0].path) == "a.x");
  CHECK(dups[0].offset == 15);
  CHECK(path_string(dups[1].path) == "a");
}

TEST_CASE("scenario: the example in docs/scenario-format.md loads and delivers") {
  std::ifstream in(POSTLAB_SOURCE_DIR "/docs/scenario-format.md");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const auto start = doc.find("```json\n");
  REQUIRE(start != std::string::npos);
  const auto end = doc.find("```", start + 8);
  LoadResult r = load_scenario_text(doc.substr(start + 8, end - start - 8), "scenario-format.md");
  for (const auto& e : r.errors) INFO(e.str());
  REQUIRE(r.ok());
}

TEST_CASE("scenario: a send that must log in without a password is reported") {
  const std::string text = R"({"format": 1, "title": "t",
    "hosts": [{"name": "pc", "role": "client", "address": "192.0.2.1", "user": "a@x.example"},
              {"name": "mail.x.example", "role": "mta", "address": "192.0.2.2", "domains": ["x.example"],
               "services": ["smtp", "submission"]}],
    "users": [{"address": "a@x.example"}],
    "timeline": [{"at": "0s", "send": {"from": "pc", "message": {"to": ["a@x.example"]}}},
                 {"at": "1s", "send": {"from": "pc", "login": false, "message": {"to": ["a@x.example"]}}}]})";
  LoadResult r = load_scenario_text(text, "t.json");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].path == "timeline[0].send");
  CHECK(r.errors[0].message.find("has no \"password\"") != std::string::npos);
  CHECK(r.errors[0].line == 6);
}
