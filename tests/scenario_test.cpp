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

namespace {

// Whether some error of r is at `path` and says `part`.
bool has_error(const LoadResult& r, const std::string& path, const std::string& part) {
  for (const auto& e : r.errors)
    if (e.path == path && e.message.find(part) != std::string::npos) return true;
  return false;
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("scenario: pathological nesting is refused at the first level too deep whether closed or not") {
  constexpr std::size_t kDeep = 300000;
  const std::string lists = repeat("[", kDeep) + repeat("]", kDeep);
  const std::string objects = repeat("{\"a\": ", kDeep) + "1" + repeat("}", kDeep);
  struct Case {
    std::string text;
    std::string path;
    int column;
  };
  const Case cases[] = {
      {lists, "[0][0][0][0][0][0]… (level 101)", 101},
      {repeat("[", kDeep), "[0][0][0][0][0][0]… (level 101)", 101},         // never closed
      {objects, "a.a.a.a.a.a… (level 101)", 601},
      {repeat("{\"a\": ", kDeep), "a.a.a.a.a.a… (level 101)", 601},          // never closed
      {"{\"format\": 1, \"title\": " + lists + "}", "title[0][0][0][0][0]… (level 101)", 123},
  };
  for (const auto& c : cases) {
    LoadResult r;
    REQUIRE_NOTHROW(r = load_scenario_text(c.text, "deep.json"));
    INFO(all_errors(r));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == "deep.json");
    CHECK(r.errors[0].path == c.path);
    CHECK(r.errors[0].line == 1);
    CHECK(r.errors[0].column == c.column);
    CHECK(r.errors[0].message.find("nested more than 100 levels deep") != std::string::npos);
  }
  // `{{` is a syntax error long before anything is deep: that is what the teacher hears about.
  const LoadResult r = load_scenario_text(repeat("{", kDeep), "deep.json");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].path == "(syntax)");
  CHECK(r.errors[0].column == 2);
  // A lesson nested within the limit still loads (deep text in "$schema", which is not read).
  const std::string ok = with("\"format\": 1,", "\"format\": 1, \"$schema\": " + repeat("[", 98) + repeat("]", 98) + ",");
  CHECK(load_scenario_text(ok, "lesson.json").ok());
}

TEST_CASE("json_locate: the scanners walk deep text without recursion") {
  constexpr std::size_t kDeep = 500000;
  for (const std::string& text : {repeat("[", kDeep) + repeat("]", kDeep), repeat("{\"a\": ", kDeep) + "1" + repeat("}", kDeep),
                                  repeat("[", kDeep), repeat("{\"a\": 1, \"b\": ", kDeep)}) {
    CHECK_NOTHROW(find_duplicate_keys(text));
    CHECK(find_too_deep(text, kDeep + 1) == std::nullopt);
    const auto deep = find_too_deep(text, 3);
    REQUIRE(deep);
    CHECK(deep->path.size() == 3);
    CHECK(find_huge_numbers(text, kDeep + 1).empty());
    CHECK_NOTHROW(locate(text, JsonPath{{{}, 0, true}}));
    CHECK_NOTHROW(token_start(text, text.size() - 1));
  }
  const auto dups = find_duplicate_keys(repeat("{\"a\": 1, \"a\": ", 1000));
  REQUIRE(dups.size() == 1000);  // each object has "a" twice; the second one opens the next object
  CHECK(dups[999].path.size() == 1000);
}

TEST_CASE("json_locate: numbers too large for a double are found with their path") {
  CHECK(find_huge_numbers("[[[1e400]]]", 2).empty());  // it stops where the text is too deep anyway
  const auto huge = find_huge_numbers(R"({"a": [1e308, 1e400, -1e400, 1e-400, 0.0000e500, "1e400"], "b": {"c": 18446744073709551616}, "d": 1)"
                                      + repeat("9", 400) + "}", 100);
  REQUIRE(huge.size() == 3);
  CHECK(path_string(huge[0].path) == "a[1]");
  CHECK(path_string(huge[1].path) == "a[2]");
  CHECK(huge[1].length == 6);
  CHECK(path_string(huge[2].path) == "d");
  CHECK(huge[2].length == 401);
}

TEST_CASE("scenario: numbers out of range are located and say what the field expects") {
  // 1e400 and -1e400 are valid JSON that no double holds; the rest of the lesson is still checked.
  std::string text = with("\"format\": 1,", "\"format\": 1, \"seed\": 1e400,");
  text = with("\"latency\": \"20ms\"", "\"latency\": -1e400", text);
  text = with("\"role\": \"mta\",", "\"role\": \"mta\", \"policy\": {\"message_size_limit\": " + repeat("7", 400) + "},", text);
  text = with("\"title\": \"t\",", "\"title\": \"t\", \"$schema\": 2E+999,", text);
  text = with("\"198.51.100.25\"", "\"198.51.100.256\"", text);
  const LoadResult r = load_scenario_text(text, "lesson.json");
  INFO(all_errors(r));
  CHECK(has_error(r, "seed", "expected a whole number, got 1e400, a number too large to be read at all"));
  CHECK(has_error(r, "links[0].latency", "expected a duration such as \"250ms\", \"5m\", \"4h\" or \"5d\" in quotes, got -1e400, a number too large"));
  CHECK(has_error(r, "hosts[1].policy.message_size_limit", "got " + repeat("7", 400) + ", a number too large"));
  CHECK(has_error(r, "$schema", "the number 2E+999, a number too large to be read at all"));
  CHECK(has_error(r, "hosts[1].address", "expected an IPv4 address"));
  for (const auto& e : r.errors) {
    CHECK(e.file == "lesson.json");
    CHECK(e.line > 0);
  }
  expect_error(with("\"format\": 1,", "\"format\": 1, \"seed\": 1e400,"), "seed", 2, 24, "got 1e400");
}

TEST_CASE("scenario: a whole number written as a float or beyond 64 bits") {
  expect_error(with("\"format\": 1,", "\"format\": 1, \"seed\": 2e19,"), "seed", 2, 24,
               "must be between 0 and 9223372036854775807, got 2e19");
  expect_error(with("\"format\": 1,", "\"format\": 1, \"seed\": 18446744073709551616,"), "seed", 2, 24,
               "must be between 0 and 9223372036854775807, got 18446744073709551616");
  expect_error(with("\"format\": 1,", "\"format\": 1, \"seed\": 18446744073709551615,"), "seed", 2, 24,
               "must be between 0 and 9223372036854775807, got 18446744073709551615");
  expect_error(with("\"format\": 1,", "\"format\": 1, \"seed\": 9223372036854775808.0,"), "seed", 2, 24,
               "must be between 0 and 9223372036854775807");
  expect_error(with("\"format\": 1,", "\"format\": 1.5,"), "format", 2, 13, "expected a whole number between 1 and 1000, got the number 1.5");
  expect_error(with("\"user\": \"alice@uni.example\"}", "\"user\": \"alice@uni.example\", \"submit_port\": 5.87e2}"),
               "hosts[0].submit_port", 5, 117, "written without a decimal point or exponent, such as 587, got 5.87e2");
}

TEST_CASE("scenario: text the JSON library refuses never escapes as an exception") {
  for (const std::string& text :
       {std::string("{\"title\": \"\xff\xfe\"}"), std::string("{\"title\": \"\\ud800\"}"), std::string("\xef\xbb\xbf{}"),
        std::string(""), std::string("nul"), std::string("{\"a\": 1e400e}"), std::string("[1e400, -1e400]"),
        std::string("1e400"), std::string("{\"format\": -0.0e-99999, \"seed\": -9223372036854775809}")}) {
    LoadResult r;
    REQUIRE_NOTHROW(r = load_scenario_text(text, "odd.json"));
    CHECK_FALSE(r.ok());
    REQUIRE_FALSE(r.errors.empty());
    for (const auto& e : r.errors) CHECK(e.file == "odd.json");
  }
}

TEST_CASE("scenario: every independent problem of a lesson is reported in one run") {
  const std::string text = R"({"format": 1, "title": "t", "colour": 1,
  "hosts": [
    {"name": "alice-laptop", "role": "laptop", "address": "192.0.2.10", "user": "alice@uni.example", "auth_mechanism": "MD5"},
    {"name": "mail.uni.example", "role": "server", "address": "198.51.100.25", "domains": ["uni.example"],
     "services": ["smtp", "submission"], "policy": {"message_size_limit": "big", "relay_restriction": "deny"}},
    {"name": "mx.correo.example", "address": "203.0.113.5", "domains": ["correo.example"],
     "policy": {"relayhost": "mx.correo.example"}},
    {"name": "bob-pc", "role": "client", "address": "192.0.2.20", "user": "bob@correo.example", "submit_to": "alice-laptop"},
    {"name": "eve-pc", "role": "client", "address": "192.0.2.300", "user": "eve@correo.example"}
  ],
  "links": [{"between": ["alice-laptop", "nowhere"], "latency": "1ms"}],
  "dns": [{"name": "correo.example", "type": "AAAA", "value": "mx.correo.example"}],
  "users": [{"address": "alice@uni.example"}, {"address": "Bob@correo.example"}, {"address": "bob@correo.example"}],
  "timeline": [
    {"at": "1s", "send": {"from": "alice-laptop", "message": {"to": ["bob@correo.example"], "form": "x"}}},
    {"at": "2s", "send": {"from": "mx.correo.example", "message": {"to": ["bob@correo.example"]}}}
  ],
  "narration": [{"when": {"command": "HELLO", "accepted": "bob-pc"}, "say": "x"}]
})";
  const LoadResult r = load_scenario_text(text, "many.json");
  INFO(all_errors(r));
  CHECK_FALSE(r.ok());
  CHECK(has_error(r, "colour", "unknown field"));
  // A wrong role: the host is still checked as what its fields say it is.
  CHECK(has_error(r, "hosts[0].role", "got \"laptop\"; its other fields are those of a \"client\""));
  CHECK(has_error(r, "hosts[0].auth_mechanism", "expected \"PLAIN\" or \"LOGIN\", got \"MD5\""));
  CHECK(has_error(r, "hosts[1].role", "its other fields are those of an \"mta\""));
  CHECK(has_error(r, "hosts[1].policy.message_size_limit", "expected a whole number"));
  CHECK(has_error(r, "hosts[1].policy.relay_restriction", "got \"deny\""));
  CHECK(has_error(r, "hosts[2]", "missing field \"role\""));
  CHECK(has_error(r, "hosts[2].policy.relayhost", "cannot use itself as its relayhost"));
  CHECK(has_error(r, "hosts[4].address", "expected an IPv4 address"));
  CHECK(has_error(r, "links[0].between[1]", "no host is named \"nowhere\""));
  CHECK(has_error(r, "dns[0].type", "expected \"A\" or \"MX\", got \"AAAA\""));
  CHECK(has_error(r, "users[2].address", "users[1] already has this address"));
  CHECK(has_error(r, "timeline[0].send.message.form", "did you mean \"from\"?"));
  // Checks across sections run on what loaded, even though other sections had errors.
  CHECK(has_error(r, "hosts[3].submit_to", "\"alice-laptop\" is not an MTA"));
  CHECK(has_error(r, "timeline[0].send", "has no \"password\" in \"users\""));
  CHECK(has_error(r, "timeline[1].send.from", "\"mx.correo.example\" is an MTA"));
  CHECK(has_error(r, "narration[0].when", "give exactly one of"));
  CHECK(has_error(r, "narration[0].when.command", "got \"HELLO\""));
  CHECK(has_error(r, "narration[0].when.accepted", "no MTA host is named \"bob-pc\""));
  CHECK(r.errors.size() == 19);
}

TEST_CASE("scenario: a host that cannot be read does not make references to it errors") {
  const std::string text = with("{\"name\": \"mail.uni.example\", \"role\": \"mta\",", "{\"role\": \"mta\",");
  const LoadResult r = load_scenario_text(text, "lesson.json");
  INFO(all_errors(r));
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].path == "hosts[1]");
  CHECK(r.errors[0].message.find("missing field \"name\"") != std::string::npos);
}

TEST_CASE("scenario: did you mean only suggests an allowed field close to what was written") {
  const std::string message = "\"message\": {\"to\": [\"alice@uni.example\"], \"subject\": \"hi\"}";
  expect_error(with(message, "\"message\": {\"to\": [\"alice@uni.example\"], \"form\": \"alice@uni.example\"}"),
               "timeline[0].send.message.form", 15, 92, "unknown field \"form\"; did you mean \"from\"?");
  expect_error(with("\"subject\": \"hi\"", "\"Subject\": \"hi\""), "timeline[0].send.message.Subject", 15, 92,
               "unknown field \"Subject\"; did you mean \"subject\"?");
  expect_error(with("\"domains\": [\"uni.example\"]", "\"domains\": [\"uni.example\"], \"polcy\": {}"), "hosts[1].polcy", 6, 105,
               "did you mean \"policy\"?");
  expect_error(with("\"domains\": [\"uni.example\"]", "\"domians\": [\"uni.example\"]"), "hosts[1].domians", 6, 77,
               "did you mean \"domains\"?");
  // "to" belongs in a message; in a timeline entry it is not a typo of "at".
  const LoadResult r = load_scenario_text(with("{\"at\": \"1s\", ", "{\"at\": \"1s\", \"to\": \"x\", "), "lesson.json");
  INFO(all_errors(r));
  CHECK(has_error(r, "timeline[0].to", "unknown field \"to\"; allowed here: at send say"));
  CHECK_FALSE(has_error(r, "timeline[0].to", "did you mean"));
  // Far from every allowed name: the list, not a guess.
  expect_error(with("\"role\": \"client\", ", "\"role\": \"client\", \"mailbox\": 1, "), "hosts[0].mailbox", 5, 48,
               "allowed here: name role address");
}

TEST_CASE("scenario: a non-ASCII domain is told to use its xn-- form") {
  const std::string idna = "must be ASCII: write \"correo.españa\" in its xn-- (IDNA) form";
  struct Case {
    std::string from, to, path;
  };
  const Case cases[] = {
      {"\"domains\": [\"uni.example\"]", "\"domains\": [\"uni.example\", \"correo.españa\"]", "hosts[1].domains[1]"},
      {"\"user\": \"alice@uni.example\"}", "\"user\": \"alice@uni.example\", \"submit_to\": \"mail.uni.example\"}, "
                                          "{\"name\": \"correo.españa\", \"role\": \"client\", \"address\": \"192.0.2.99\", "
                                          "\"user\": \"alice@uni.example\", \"submit_to\": \"mail.uni.example\"}",
       "hosts[1].name"},
      {"\"links\": [", "\"dns\": [{\"name\": \"correo.españa\", \"type\": \"A\", \"value\": \"192.0.2.1\"}], \"links\": [", "dns[0].name"},
      {"\"links\": [", "\"dns\": [{\"name\": \"x.example\", \"type\": \"MX\", \"preference\": 1, \"value\": \"correo.españa\"}], \"links\": [",
       "dns[0].value"},
      {"{\"address\": \"alice@uni.example\"}", "{\"address\": \"alice@uni.example\"}, {\"address\": \"bob@correo.españa\"}",
       "users[1].address"},
      {"\"to\": [\"alice@uni.example\"]", "\"to\": [\"Bob <bob@correo.españa>\"]", "timeline[0].send.message.to[0]"},
      {"\"subject\": \"hi\"", "\"cc\": [\"bob@correo.españa\"]", "timeline[0].send.message.cc[0]"},
      {"\"subject\": \"hi\"", "\"bcc\": [\"bob@correo.españa\"]", "timeline[0].send.message.bcc[0]"},
      {"\"subject\": \"hi\"", "\"from\": \"Alice <alice@correo.españa>\"", "timeline[0].send.message.from"},
      {"\"subject\": \"hi\"", "\"reply_to\": \"alice@correo.españa\"", "timeline[0].send.message.reply_to"},
      {"\"subject\": \"hi\"", "\"sender\": \"alice@correo.españa\"", "timeline[0].send.message.sender"},
      {"\"subject\": \"hi\"", "\"envelope_from\": \"alice@correo.españa\"", "timeline[0].send.message.envelope_from"},
      {"  ]\n}", "  ], \"narration\": [{\"when\": {\"stored\": \"bob@correo.españa\"}, \"say\": \"x\"}]\n}", "narration[0].when.stored"},
  };
  for (const auto& c : cases) {
    const LoadResult r = load_scenario_text(with(c.from, c.to), "lesson.json");
    INFO(c.path << "\n" << all_errors(r));
    CHECK(has_error(r, c.path, idna));
    CHECK_FALSE(has_error(r, c.path, "expected"));
  }
  // The user's host could name it only with its domain: say it for the client's "user" too.
  const LoadResult u = load_scenario_text(with("\"user\": \"alice@uni.example\"}", "\"user\": \"alice@uni.españa\"}"), "lesson.json");
  CHECK(has_error(u, "hosts[0].user", "write \"uni.españa\" in its xn-- (IDNA) form"));
  // A non-ASCII local part is a valid address (RFC 6531 SMTPUTF8).
  std::string ok = with("{\"address\": \"alice@uni.example\"}", "{\"address\": \"alice@uni.example\"}, {\"address\": \"josé@uni.example\"}");
  ok = with("\"to\": [\"alice@uni.example\"]", "\"to\": [\"José <josé@uni.example>\"]", ok);
  const LoadResult r = load_scenario_text(ok, "lesson.json");
  INFO(all_errors(r));
  CHECK(r.ok());
}

TEST_CASE("scenario: local parts match without regard to case and keep what was written") {
  // Two users that differ only in case are one mailbox.
  expect_error(with("{\"address\": \"alice@uni.example\"}", "{\"address\": \"alice@uni.example\"}, {\"address\": \"Alice@UNI.example\"}"),
               "users[1].address", 12, 51, "users[0] already has this address (\"alice@uni.example\": local parts are matched");
  // The device's user, the users entry with the password and the narration trigger differ in case.
  std::string text = R"({"format": 1, "title": "t",
    "hosts": [{"name": "pc", "role": "client", "address": "192.0.2.1", "user": "Alice@x.example"},
              {"name": "mail.x.example", "role": "mta", "address": "192.0.2.2", "domains": ["x.example"],
               "services": ["smtp", "submission"]}],
    "users": [{"address": "alice@X.example", "password": "p"}],
    "timeline": [{"at": "0s", "send": {"from": "pc", "message": {"to": ["ALICE@x.example"]}}}],
    "narration": [{"when": {"stored": "aLiCe@X.EXAMPLE"}, "say": "stored"}]})";
  const LoadResult r = load_scenario_text(text, "t.json");
  INFO(all_errors(r));
  REQUIRE(r.ok());
  const Scenario& s = *r.scenario;
  CHECK(s.users[0].address == "alice@x.example");
  CHECK(s.hosts[0].user == "Alice@x.example");
  CHECK(s.timeline[0].send->message.to == std::vector<std::string>{"ALICE@x.example"});
  CHECK(s.narration[0].when->mailbox == "aLiCe@x.example");  // the world compares it without regard to case
  REQUIRE(find_user(s, "ALICE@X.EXAMPLE"));
  CHECK(find_user(s, "ALICE@X.EXAMPLE")->password == "p");
  CHECK(find_user(s, "alicia@x.example") == nullptr);
  CHECK(mailbox_key("José.Ñ@Correo.Example") == "josé.Ñ@correo.example");  // only ASCII letters fold
}

TEST_CASE("scenario: MTA policy for relaying and SMTPUTF8 and CHUNKING and BDAT and relayhost") {
  const std::string base = R"({"format": 1, "title": "t",
    "hosts": [{"name": "pc", "role": "client", "address": "192.0.2.1", "user": "a@x.example", "use_bdat": true},
              {"name": "mail.x.example", "role": "mta", "address": "192.0.2.2", "domains": ["x.example"], POLICY},
              {"name": "smarthost.example", "role": "mta", "address": "192.0.2.3", "domains": ["y.example"]}],
    "users": [{"address": "a@x.example", "password": "p"}]})";
  auto load = [&](const std::string& policy) {
    std::string text = base;
    text.replace(text.find("POLICY"), 6, "\"policy\": " + policy);
    return load_scenario_text(text, "p.json");
  };
  {
    const LoadResult r = load("{}");
    INFO(all_errors(r));
    REQUIRE(r.ok());
    const MtaPolicy& p = r.scenario->hosts[1].policy;
    CHECK(p.relay_restriction == RelayRestriction::Defer);
    CHECK(p.smtputf8);
    CHECK(p.chunking);
    CHECK_FALSE(p.use_bdat);
    CHECK(p.relayhost.empty());
    CHECK(r.scenario->hosts[0].use_bdat);
    CHECK_FALSE(r.scenario->hosts[2].use_bdat);
  }
  {
    const LoadResult r = load(R"({"relay_restriction": "reject_unauth_destination", "smtputf8": false, "chunking": false,
                                  "use_bdat": true, "relayhost": "smarthost.example"})");
    INFO(all_errors(r));
    REQUIRE(r.ok());
    const MtaPolicy& p = r.scenario->hosts[1].policy;
    CHECK(p.relay_restriction == RelayRestriction::Reject);
    CHECK_FALSE(p.smtputf8);
    CHECK_FALSE(p.chunking);
    CHECK(p.use_bdat);
    CHECK(p.relayhost == "smarthost.example");
  }
  CHECK(load(R"({"relay_restriction": "defer_unauth_destination"})").ok());
  const LoadResult bad = load(R"({"relay_restriction": "reject", "smtputf8": "yes", "chunking": 1, "use_bdat": null,
                                  "relayhost": "pc"})");
  INFO(all_errors(bad));
  CHECK(has_error(bad, "hosts[1].policy.relay_restriction", "expected \"defer_unauth_destination\" (Postfix's default: 454 4.7.1"));
  CHECK(has_error(bad, "hosts[1].policy.smtputf8", "expected true or false"));
  CHECK(has_error(bad, "hosts[1].policy.chunking", "expected true or false"));
  CHECK(has_error(bad, "hosts[1].policy.use_bdat", "expected true or false"));
  CHECK(has_error(bad, "hosts[1].policy.relayhost", "\"pc\" is not an MTA"));
  CHECK(bad.errors.size() == 5);
  CHECK(has_error(load(R"({"relayhost": "mail.x.example"})"), "hosts[1].policy.relayhost", "cannot use itself"));
  CHECK(has_error(load(R"({"relayhost": "smarthost.exmaple"})"), "hosts[1].policy.relayhost", "no host is named \"smarthost.exmaple\""));
  CHECK(has_error(load(R"({"relayhost": 5})"), "hosts[1].policy.relayhost", "in quotes, got the number 5"));
  CHECK(has_error(load(R"({"relayhots": "x"})"), "hosts[1].policy.relayhots", "did you mean \"relayhost\"?"));
  // use_bdat of an MTA is a policy; as a host field it belongs to clients.
  std::string text = base;
  text.replace(text.find("POLICY"), 6, "\"use_bdat\": true");
  CHECK(has_error(load_scenario_text(text, "p.json"), "hosts[1].use_bdat", "only a host with role \"client\" has \"use_bdat\""));
}

TEST_CASE("timeline repeat: count and every with senders and recipients drawn from lists") {
  const std::string two_devices = with(
      R"({"name": "alice-laptop", "role": "client", "address": "192.0.2.10", "user": "alice@uni.example"},)",
      R"({"name": "alice-laptop", "role": "client", "address": "192.0.2.10", "user": "alice@uni.example"},
    {"name": "bot", "role": "client", "address": "192.0.2.11", "user": "alice@uni.example"},)");
  const std::string repeated = with(
      R"({"at": "1s", "send": {"from": "alice-laptop", "message": {"to": ["alice@uni.example"], "subject": "hi"}}})",
      R"({"at": "1s", "repeat": {"count": 3, "every": "2s"}, "send": {"from": ["alice-laptop", "bot"],
       "message": {"to_one_of": ["alice@uni.example", "Alice@uni.example"], "subject": "hi"}}})",
      two_devices);
  const LoadResult r = load_scenario_text(repeated, "lesson.json");
  INFO(all_errors(r));
  REQUIRE(r.ok());
  const TimelineItem& item = r.scenario->timeline.at(0);
  CHECK(item.count == 3);
  CHECK(item.every == 2 * kSecond);
  REQUIRE(item.send);
  CHECK(item.send->hosts == std::vector<std::string>{"alice-laptop", "bot"});
  CHECK(item.send->host == "alice-laptop");
  CHECK(item.send->message.to_one_of.size() == 2);
  CHECK(item.send->message.to.empty());
  CHECK(item.send->message.from_device);

  auto repeat_error = [&](std::string_view repeat, const std::string& path, const std::string& part) {
    const LoadResult bad = load_scenario_text(with(R"("repeat": {"count": 3, "every": "2s"})", repeat, repeated), "lesson.json");
    INFO(all_errors(bad));
    CHECK_FALSE(bad.ok());
    bool found = false;
    for (const auto& e : bad.errors) found = found || (e.path == path && e.message.find(part) != std::string::npos);
    CHECK_MESSAGE(found, "no error at " << path << " saying " << part);
  };
  repeat_error(R"("repeat": {"count": 0, "every": "2s"})", "timeline[0].repeat.count", "between 1 and 100000");
  repeat_error(R"("repeat": {"count": 100001, "every": "2s"})", "timeline[0].repeat.count", "between 1 and 100000");
  repeat_error(R"("repeat": {"count": 3})", "timeline[0].repeat", "missing field \"every\"");
  repeat_error(R"("repeat": {"count": 100000, "every": "1d"})", "timeline[0].repeat", "the last repetition would come after");
  repeat_error(R"("repeat": {"count": 3, "every": "2s", "times": 2})", "timeline[0].repeat.times", "unknown field");

  // Lists are drawn from once per repetition: without "repeat" they make no sense.
  const LoadResult lists = load_scenario_text(with(R"("repeat": {"count": 3, "every": "2s"}, )", "", repeated), "lesson.json");
  CHECK_FALSE(lists.ok());
  CHECK(all_errors(lists).find("add \"repeat\"") != std::string::npos);
  // Every listed sender is checked.
  const LoadResult unknown = load_scenario_text(with(R"(["alice-laptop", "bot"])", R"(["alice-laptop", "nobody"])", repeated), "lesson.json");
  CHECK_FALSE(unknown.ok());
  CHECK(all_errors(unknown).find("send.from[1]: no host is named \"nobody\"") != std::string::npos);
  // "repeat" needs a send.
  const LoadResult alone = load_scenario_text(
      with(R"("timeline": [)", R"("timeline": [{"at": "0s", "say": "x", "repeat": {"count": 2, "every": "1s"}},)", repeated),
      "lesson.json");
  CHECK(all_errors(alone).find("\"repeat\" repeats a \"send\"") != std::string::npos);
}

TEST_CASE("timeline repeat: a lesson sends at most kMaxTimelineSends messages with repeats counted") {
  std::string entries;
  for (int i = 0; i < 11; ++i)
    entries += std::string(i ? "," : "") +
               R"({"at": "0s", "repeat": {"count": 100000, "every": "1ms"}, "send": {"from": "alice-laptop", "message": {"to": ["alice@uni.example"]}}})";
  const LoadResult r = load_scenario_text(
      with(R"({"at": "1s", "send": {"from": "alice-laptop", "message": {"to": ["alice@uni.example"], "subject": "hi"}}})",
           entries),
      "lesson.json");
  CHECK_FALSE(r.ok());
  CHECK(all_errors(r).find("the timeline sends 1100000 messages, repeats counted (at most 1000000") != std::string::npos);
}

TEST_CASE("scenario: messages already in a mailbox are read with their folder and default recipient") {
  const std::string text = with(R"({"address": "alice@uni.example"})",
                                R"({"address": "alice@uni.example", "folders": ["Work"], "messages": [
      {"message": {"from": "Bob <bob@x.example>", "subject": "one", "body": "hi"}},
      {"folder": "Work", "message": {"from": "boss@x.example", "to": ["team@uni.example"], "subject": "two"}}]})");
  const LoadResult r = load_scenario_text(text, "lesson.json");
  INFO(all_errors(r));
  REQUIRE(r.ok());
  const UserSpec& u = r.scenario->users.at(0);
  REQUIRE(u.messages.size() == 2);
  CHECK(u.messages[0].folder == "INBOX");
  CHECK(u.messages[0].message.to == std::vector<std::string>{"alice@uni.example"});
  CHECK(u.messages[1].folder == "Work");
  CHECK(u.messages[1].message.to == std::vector<std::string>{"team@uni.example"});

  // Every problem at once: an unknown folder, a missing sender, a drawn recipient, a missing message.
  const LoadResult bad = load_scenario_text(with(R"({"address": "alice@uni.example"})",
                                                 R"({"address": "alice@uni.example", "messages": [
      {"folder": "Trabajo", "message": {"from": "b@x.example"}},
      {"message": {"subject": "no sender"}},
      {"message": {"from": "b@x.example", "to_one_of": ["a@uni.example"]}},
      {"folder": "INBOX"}]})"),
                                            "lesson.json");
  INFO(all_errors(bad));
  CHECK_FALSE(bad.ok());
  CHECK(has_error(bad, "users[0].messages[0].folder", "no folder \"Trabajo\" (the folders are INBOX)"));
  CHECK(has_error(bad, "users[0].messages[1].message", "missing field \"from\""));
  CHECK(has_error(bad, "users[0].messages[2].message.to_one_of", "not sent"));
  CHECK(has_error(bad, "users[0].messages[3]", "missing field \"message\""));
}

TEST_CASE("scenario: reading mail with POP3 reports every mistake in the settings and actions") {
  // A device with POP3 settings that contradict each other, a server that does not offer POP3, a
  // user without a password, and actions and triggers that name the wrong hosts: all in one run.
  std::string text = with(R"("user": "alice@uni.example"})",
                          R"("user": "alice@uni.example",
     "retrieve": {"protocol": "imap", "port": 995, "remember": false, "remove_after": "2d"}})");
  text = with(R"({"at": "1s", "send")", R"({"at": "2s", "check_mail": "mail.uni.example"},
    {"at": "3s", "check_mail": {"device": "nobody"}},
    {"at": "1s", "send")", text);
  text = with(R"("timeline": [)", R"("narration": [{"when": {"downloaded": "mail.uni.example"}, "say": "x"},
                 {"when": {"expunged": "zoe@uni.example"}, "say": "y"},
                 {"when": {"command": "RETX"}, "say": "z"}],
  "timeline": [)", text);
  const LoadResult r = load_scenario_text(text, "lesson.json");
  INFO(all_errors(r));
  CHECK_FALSE(r.ok());
  CHECK(has_error(r, "hosts[0].retrieve.remember", "is a POP3 setting"));
  CHECK(has_error(r, "hosts[0].retrieve.remove_after", "is a POP3 setting"));
  CHECK(has_error(r, "hosts[0].retrieve.port", "expected 143 (IMAP), got 995"));
  CHECK(has_error(r, "hosts[0].retrieve", "mail.uni.example does not offer IMAP"));
  CHECK(has_error(r, "hosts[0].retrieve", "has no \"password\" in \"users\""));
  CHECK(has_error(r, "timeline[0].check_mail", "\"mail.uni.example\" is an MTA"));
  CHECK(has_error(r, "timeline[1].check_mail.device", "no host is named \"nobody\""));
  CHECK(has_error(r, "narration[0].when.downloaded", "no client device is named \"mail.uni.example\""));
  CHECK(has_error(r, "narration[1].when.expunged", "no user has the address \"zoe@uni.example\""));
  CHECK(has_error(r, "narration[2].when.command", "or a POP3 verb"));
}

TEST_CASE("scenario: POP3 settings that contradict each other and IMAP actions on the wrong device") {
  std::string text = with(R"("user": "alice@uni.example"})",
                          R"("user": "alice@uni.example",
     "retrieve": {"protocol": "pop3", "offline": false, "remember": false, "remove_after": "2d"}})");
  text = with(R"({"at": "1s", "send")", R"({"at": "2s", "read": {"device": "alice-laptop", "subject": "x"}},
    {"at": "3s", "move": {"device": "alice-laptop", "subject": "x"}},
    {"at": "4s", "flag": {"device": "alice-laptop", "subject": "x", "flag": "\\Recent"}},
    {"at": "1s", "send")", text);
  const LoadResult r = load_scenario_text(text, "lesson.json");
  INFO(all_errors(r));
  CHECK(has_error(r, "hosts[0].retrieve.offline", "is an IMAP setting"));
  CHECK(has_error(r, "hosts[0].retrieve.remove_after", "goes with \"leave_copy\": true"));
  CHECK(has_error(r, "hosts[0].retrieve.remove_after", "needs \"remember\": true"));
  CHECK(has_error(r, "hosts[0].retrieve", "mail.uni.example does not offer POP3"));
  CHECK(has_error(r, "timeline[0].read.device", "does not read mail with IMAP"));
  CHECK(has_error(r, "timeline[1].move", "missing field \"to\""));
  CHECK(has_error(r, "timeline[2].flag.flag", "expected one of"));
}

TEST_CASE("scenario: check_mail needs a device that reads mail") {
  const std::string text = with(R"({"at": "1s", "send")", R"({"at": "2s", "check_mail": "alice-laptop"},
    {"at": "1s", "send")");
  const LoadResult r = load_scenario_text(text, "lesson.json");
  CHECK(has_error(r, "timeline[0].check_mail", "has no \"retrieve\" settings"));
}
