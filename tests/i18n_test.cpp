// export/i18n: the translation tables hold every key the simulator uses, in both languages.
#include <doctest/doctest.h>

#include <filesystem>
#include <optional>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

// trace/transcript.h first: its LineKind::Explanation would otherwise shadow postlab::Note from
// proto/session.h (-Wshadow).
#include "trace/transcript.h"
// (keep the line above first)
#include "export/glossary.h"
#include "export/i18n.h"
#include "proto/smtp/client.h"
#include "proto/smtp/server.h"
#include "trace/trace.h"
#include "trace/verdict.h"

using namespace postlab;

namespace {

const std::string kAssets = POSTLAB_SOURCE_DIR "/assets";

Translations load(Lang lang) {
  std::string error;
  auto t = Translations::load(kAssets, lang, &error);
  INFO(error);
  REQUIRE(t.has_value());
  return *t;
}

// Every first group of `literal` in the C++ sources below `dir` (a folder of the source tree).
std::set<std::string> literals_in(const char* dir, const std::regex& literal) {
  namespace fs = std::filesystem;
  std::set<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(POSTLAB_SOURCE_DIR) / dir)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), literal); it != std::sregex_iterator(); ++it)
      found.insert((*it)[1].str());
  }
  return found;
}

// Every string literal "note.<area>.<name>" or "verdict.<name>" in the simulator's sources.
std::set<std::string> keys_used_by_sim() {
  return literals_in("sim", std::regex(R"re("((?:note\.[a-z0-9_]+|verdict)\.[a-z0-9_]+)")re"));
}

// The {n} placeholders a text uses.
std::set<std::string> placeholders(const std::string& text) {
  static const std::regex placeholder(R"(\{[0-9]\})");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), placeholder); it != std::sregex_iterator(); ++it)
    out.insert(it->str());
  return out;
}

}  // namespace

TEST_CASE("i18n: both tables load and are not empty") {
  const Translations en = load(Lang::En);
  const Translations es = load(Lang::Es);
  CHECK(en.lang() == Lang::En);
  CHECK(es.lang() == Lang::Es);
  CHECK(en.table().size() > 50);
  CHECK(es.table().size() > 50);
  std::string error;
  CHECK_FALSE(Translations::load(kAssets + "/no-such-dir", Lang::En, &error).has_value());
  CHECK_FALSE(error.empty());
}

TEST_CASE("i18n: every note.* and verdict.* key in sim/ is in en.json and es.json") {
  const std::set<std::string> used = keys_used_by_sim();
  // The scan itself must work, or this test could not fail.
  CHECK(used.count("note.smtp.auth_plain") == 1);
  CHECK(used.count("note.smtp.tls_started") == 1);
  CHECK(used.count("verdict.from_not_host") == 1);
  CHECK(used.count("verdict.from_is_login") == 1);
  CHECK(used.size() >= 20);
  const Translations en = load(Lang::En);
  const Translations es = load(Lang::Es);
  for (const auto& key : used) {
    CAPTURE(key);
    CHECK(en.has(key));
    CHECK(es.has(key));
    if (en.has(key)) CHECK_FALSE(en.get(key).empty());
    if (es.has(key)) CHECK_FALSE(es.get(key).empty());
  }
}

TEST_CASE("i18n: en.json and es.json have the same keys and the same placeholders") {
  const Translations en = load(Lang::En);
  const Translations es = load(Lang::Es);
  for (const auto& [key, text] : en.table()) {
    CAPTURE(key);
    CHECK(es.has(key));
    if (es.has(key)) CHECK(placeholders(text) == placeholders(es.get(key)));
  }
  for (const auto& [key, text] : es.table()) {
    CAPTURE(key);
    CHECK(en.has(key));
  }
  CHECK(en.table().size() == es.table().size());
}

TEST_CASE("i18n: a phrase fills its arguments and a missing key shows itself") {
  const Translations en = load(Lang::En);
  const std::string filled = en.phrase(Phrase{"verdict.from_not_host", {"uni.example", "mallory-pc", "192.0.2.66"}});
  CHECK(filled.find("uni.example") != std::string::npos);
  CHECK(filled.find("mallory-pc") != std::string::npos);
  CHECK(filled.find("192.0.2.66") != std::string::npos);
  CHECK(filled.find("{") == std::string::npos);
  CHECK(en.get("no.such.key") == "no.such.key");
  CHECK_FALSE(en.has("no.such.key"));
}

namespace {

struct Hooks : smtp::ServerHooks {
  std::optional<std::string> check_recipient(const smtp::Transaction&, const std::string&) override { return {}; }
  smtp::AcceptResult accept_message(const smtp::Transaction&, const std::string&) override { return {true, "Q1", {}}; }
  bool authenticate(const std::string& user, const std::string& password) override {
    return user == "alice@uni.example" && password == "secret";
  }
};

// Notes from sessions that touch every note the server and client write, and verdict reasons.
std::vector<Phrase> phrases_from_sessions() {
  std::vector<Phrase> out;
  auto keep = [&out](const SessionOutput& o) { out.insert(out.end(), o.notes.begin(), o.notes.end()); };
  Hooks hooks;
  smtp::ServerConfig c;
  c.hostname = "smtp.uni.example";
  c.starttls = true;
  c.auth = true;
  c.tls_auth_only = true;
  c.tls_required = true;
  c.line_length_limit = 100;
  smtp::ServerSession s(c, hooks);
  keep(s.on_input("EHLO a\r\nMAIL FROM:<>\r\nNOOP " + std::string(200, 'x') + "\r\nSTARTTLS\r\n"));
  keep(s.on_input("EHLO a\r\nAUTH PLAIN AGFsaWNlQHVuaS5leGFtcGxlAHdyb25n\r\n"));
  keep(s.on_input("AUTH LOGIN\r\nYWxpY2VAdW5pLmV4YW1wbGU=\r\nc2VjcmV0\r\nMAIL FROM:<>\r\n"));

  smtp::ClientSession helo({.helo_name = "c", .mail_from = "a@b.example", .rcpts = {"x@y.example"}, .data = "x\r\n",
                            .auth_user = "alice@uni.example", .auth_password = "secret"});
  keep(helo.on_input("220 mx\r\n500 no\r\n250 mx\r\n"));
  keep(helo.on_closed());
  smtp::ClientSession bad({.helo_name = "c", .mail_from = "a@b.example", .rcpts = {"x@y.example"}, .data = "x\r\n"});
  keep(bad.on_input("220 mx\r\nxyz\r\n"));

  for (const char* from : {"alice@uni.example", "decano@uni.example", ""}) {
    for (const char* auth : {"", "alice@uni.example"}) {
      MessageSnapshot m;
      m.envelope_from = "x@lists.example";
      m.set_data(std::string(*from ? "From: " : "") + from +
                 "\r\nSender: s@uni.example\r\nReply-To: r@elsewhere.example\r\n\r\nhi\r\n");
      m.client_host = "mallory-pc";
      m.client_address = "192.0.2.66";
      m.auth_user = auth;
      const SpoofVerdict v = spoof_verdict(m);
      out.insert(out.end(), v.reasons.begin(), v.reasons.end());
      m.client_host = "mail.uni.example";
      m.envelope_from = Name();
      const SpoofVerdict w = spoof_verdict(m);
      out.insert(out.end(), w.reasons.begin(), w.reasons.end());
      // A lesson user's device: their own From (unverified) or someone else's (forged).
      m.client_host = "alice-laptop";
      m.client_user = "alice@uni.example";
      const SpoofVerdict d = spoof_verdict(m);
      out.insert(out.end(), d.reasons.begin(), d.reasons.end());
      out.push_back({verdict_key(d.verdict), {}});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("i18n: every note and verdict the simulator writes reads complete in both languages") {
  const std::vector<Phrase> phrases = phrases_from_sessions();
  std::set<std::string> seen;
  for (const auto& p : phrases) seen.insert(p.key);
  // The sessions above reach the notes and reasons that carry arguments.
  for (const char* key : {"note.smtp.auth_plain", "note.smtp.auth_login_user", "note.smtp.auth_login_password",
                          "note.smtp.auth_login_prompt", "note.smtp.auth_ok", "note.smtp.truncated",
                          "note.smtp.closed_while.mail", "note.smtp.tls_started", "note.smtp.tls_first",
                          "note.smtp.null_sender", "note.smtp.auth_after_tls", "note.smtp.helo_fallback",
                          "note.smtp.no_auth_offered", "note.smtp.malformed_reply", "verdict.from_is_login",
                          "verdict.from_not_login", "verdict.from_matches_host", "verdict.from_not_host",
                          "verdict.envelope_differs", "verdict.null_sender", "verdict.reply_to_elsewhere",
                          "verdict.sender_differs", "verdict.no_from", "verdict.own_device_no_login",
                          "verdict.other_persons_device", "verdict.forged", "verdict.unverified",
                          "verdict.consistent"}) {
    CAPTURE(key);
    CHECK(seen.count(key) == 1);
  }
  static const std::regex leftover(R"(\{[0-9]\})");
  for (Lang lang : {Lang::En, Lang::Es}) {
    const Translations t = load(lang);
    for (const auto& p : phrases) {
      CAPTURE(p.key);
      CHECK(t.has(p.key));
      const std::string text = t.phrase(p);
      CAPTURE(text);
      CHECK_FALSE(std::regex_search(text, leftover));  // every placeholder got its argument
    }
  }
}

TEST_CASE("i18n: the connection-closed note exists for every state a client can be in") {
  using smtp::ClientState;
  for (Lang lang : {Lang::En, Lang::Es}) {
    const Translations t = load(lang);
    for (ClientState s : {ClientState::Greeting, ClientState::Ehlo, ClientState::Helo, ClientState::StartTls,
                          ClientState::Auth, ClientState::AuthLoginUser, ClientState::AuthLoginPassword,
                          ClientState::Mail, ClientState::Rcpt, ClientState::Data, ClientState::Body}) {
      const std::string key = std::string("note.smtp.closed_while.") + smtp::state_key(s);
      CAPTURE(key);
      CHECK(t.has(key));
    }
  }
}

TEST_CASE("i18n: every key the window uses is in en.json and es.json") {
  // String literals such as "panel.message" or "eavesdropper.inside" in gui/ sources.
  std::set<std::string> used;
  for (const auto& key : literals_in(
           "gui", std::regex(R"re("((?:app|toolbar|panel|transcript|mailbox|queue|narration|errors|message|verdict|view|eavesdropper)\.[a-z0-9_]+)")re")))
    if (key.size() < 2 || key.substr(key.size() - 2) != ".h") used.insert(key);  // not "app.h"
  CHECK(used.count("eavesdropper.inside") == 1);
  CHECK(used.count("narration.earlier_label") == 1);
  CHECK(used.size() >= 30);
  const Translations en = load(Lang::En);
  const Translations es = load(Lang::Es);
  for (const auto& key : used) {
    CAPTURE(key);
    CHECK(en.has(key));
    CHECK(es.has(key));
  }
}

TEST_CASE("glossary: a reply is explained by its basic and enhanced codes and a command by its verb") {
  std::string error;
  auto tr = Translations::load(POSTLAB_SOURCE_DIR "/assets", Lang::En, &error);
  REQUIRE(tr);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
  };
  const auto refused = explain_smtp_line("550 5.1.1 <x@y.example>: Recipient address rejected: User unknown", false, *tr);
  REQUIRE(refused);
  const std::string text = join(*refused);
  CHECK(text.find("550: Refused for good") != std::string::npos);
  CHECK(text.find("X.1.1: Bad destination mailbox") != std::string::npos);
  CHECK(text.find("5.1.1: class 5, permanent failure (RFC 3463 §3.1)") != std::string::npos);
  CHECK(text.find("Subject 1: addressing") != std::string::npos);
  CHECK(text.find("RFC 5321 §4.2") != std::string::npos);
  // A code the glossary has no sentence for still gets its class; a multi-line reply's lines too.
  const auto odd = explain_smtp_line("299 9.9.9 odd", false, *tr);
  REQUIRE(odd);
  CHECK(join(*odd).find("2xx: success") != std::string::npos);
  CHECK(explain_smtp_line("250-PIPELINING", false, *tr).has_value());
  CHECK(join(*explain_smtp_line("450 4.2.0 Greylisted", false, *tr)).find("4xx: a temporary failure") != std::string::npos);
  // Commands, in any case; message text and strangers are not explained.
  const auto rcpt = explain_smtp_line("rcpt TO:<bob@correo.example>", true, *tr);
  REQUIRE(rcpt);
  CHECK(rcpt->front().find("RCPT TO: one recipient of the envelope") == 0);
  CHECK(explain_smtp_line(".", true, *tr).has_value());
  CHECK_FALSE(explain_smtp_line("Subject: hello", true, *tr).has_value());
  CHECK_FALSE(explain_smtp_line("+OK Dovecot ready.", false, *tr).has_value());
  CHECK_FALSE(explain_smtp_line("25 bytes", false, *tr).has_value());
  // The same keys in Spanish.
  auto es = Translations::load(POSTLAB_SOURCE_DIR "/assets", Lang::Es, &error);
  REQUIRE(es);
  CHECK(join(*explain_smtp_line("421 4.3.2 shutting down", false, *es)).find("421: El servidor no puede atender ahora") !=
        std::string::npos);
}
