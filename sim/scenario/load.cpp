#include "scenario/load.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "mail/address.h"
#include "net/dns.h"
#include "scenario/json_locate.h"
#include "scenario/json_reader.h"

namespace postlab {
namespace {

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

const HostSpec* Loader::host_named(const Scenario& s, const std::string& name) const {
  for (const auto& h : s.hosts)
    if (h.name == name) return &h;
  return nullptr;
}

bool Loader::user_exists(const Scenario& s, const std::string& address) const {
  const std::string want = normalize_address(address);
  for (const auto& u : s.users)
    if (normalize_address(u.address) == want) return true;
  return false;
}

std::string host_list(const Scenario& s) {
  std::string out;
  for (const auto& h : s.hosts) out += (out.empty() ? "" : ", ") + h.name;
  return out.empty() ? "(none)" : out;
}

LoadResult Loader::run() {
  LoadResult result;
  Json root;
  try {
    root = Json::parse(text_.begin(), text_.end());
  } catch (const Json::parse_error& e) {
    // nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 5: <what>".
    std::string what = e.what();
    if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
    LessonError err;
    err.file = file_;
    err.path = "(syntax)";
    const TextPos p = position_of(text_, token_start(text_, e.byte > 0 ? e.byte - 1 : 0));
    err.line = p.line;
    err.column = p.column;
    err.message = "this is not valid JSON: " + what;
    result.errors.push_back(err);
    return result;
  }
  for (const auto& d : find_duplicate_keys(text_)) {
    LessonError e;
    e.file = file_;
    e.path = path_string(d.path);
    const TextPos p = position_of(text_, d.offset);
    e.line = p.line;
    e.column = p.column;
    e.message = "this field appears twice in the same object; only the last one would count";
    errors_.push_back(std::move(e));
  }

  const JsonPath top;
  Scenario s;
  s.file = file_;
  s.epoch = kDefaultEpoch;
  s.default_latency = kDefaultLatency;
  s.dns_latency = kDefaultDnsLatency;
  if (!object(root, top, {"$schema", "format", "title", "summary", "goals", "seed", "start", "network", "hosts", "links",
                          "dns", "users", "timeline", "narration"})) {
    result.errors = std::move(errors_);
    return result;
  }
  if (!root.contains("format")) {
    error(top, "missing field \"format\": write \"format\": 1 at the top of the lesson");
  } else if (auto f = integer(root, "format", top, true, 1, 1000)) {
    if (*f > kScenarioFormat)
      error(top / "format", "this lesson is written for a newer PostLab (format " + std::to_string(*f) +
                                "); this version reads format " + std::to_string(kScenarioFormat));
    else
      s.format = static_cast<int>(*f);
  }
  if (auto t = text(root, "title", top, true)) s.title = *t;
  if (auto t = text(root, "summary", top, false)) s.summary = *t;
  if (const Json* g = list(root, "goals", top, false, 50)) {
    for (std::size_t i = 0; i < g->size(); ++i) {
      const Json& v = (*g)[i];
      if (v.is_string()) s.goals.push_back({v.get<std::string>(), v.get<std::string>()});
      else if (v.is_object() && v.size() > 0) {
        LocalText t;
        if (object(v, top / "goals" / i, {"en", "es"})) {
          if (auto en = str(v, "en", top / "goals" / i, false)) t.en = *en;
          if (auto es = str(v, "es", top / "goals" / i, false)) t.es = *es;
          if (!t.empty()) s.goals.push_back(t);
        }
      } else {
        error(top / "goals" / i, "expected text, or {\"en\": ..., \"es\": ...}, got " + type_name(v));
      }
    }
  }
  if (root.contains("seed")) {
    if (auto n = integer(root, "seed", top, false, 0, std::numeric_limits<std::int64_t>::max()))
      s.seed = static_cast<std::uint64_t>(*n);
  }
  if (auto st = str(root, "start", top, false, "a UTC date and time like \"2026-03-02T09:00:00Z\"")) {
    if (auto e = parse_utc_instant(*st))
      s.epoch = *e;
    else
      error(top / "start", "expected a UTC date and time like \"2026-03-02T09:00:00Z\", got " + qt(*st));
  }
  if (root.contains("network")) {
    const Json& n = root.at("network");
    const JsonPath p = top / "network";
    if (object(n, p, {"default_latency", "dns_latency"})) {
      if (auto d = duration(n, "default_latency", p, false)) s.default_latency = *d;
      if (auto d = duration(n, "dns_latency", p, false)) s.dns_latency = *d;
    }
  }
  hosts(root, s);
  links(root, s);
  dns(root, s);
  users(root, s);
  timeline(root, s);
  narration(root, s);
  if (errors_.empty()) cross_checks(s);

  result.errors = std::move(errors_);
  std::stable_sort(result.errors.begin(), result.errors.end(), [](const LessonError& a, const LessonError& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  if (result.errors.empty()) result.scenario = std::move(s);
  return result;
}

void Loader::hosts(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "hosts", top, true, kMaxHosts);
  if (!l) return;
  if (l->empty()) error(top / "hosts", "a lesson needs at least one host");
  std::map<std::string, std::size_t> names, addresses;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "hosts" / i;
    if (!object(j, p, {"name", "role", "address", "user", "submit_to", "submit_port", "domains", "services",
                       "software", "policy", "auth_mechanism"}))
      continue;
    HostSpec h;
    if (auto n = str(j, "name", p, true, "a host name such as \"mail.uni.example\"")) {
      h.name = *n;
      if (!is_valid_domain(h.name))
        error(p / "name", "a host name uses letters, digits, '-' and '.', like \"mail.uni.example\" or \"alice-laptop\"; got " + qt(h.name));
      else if (auto [it, fresh] = names.emplace(h.name, i); !fresh)
        error(p / "name", "another host already has this name (hosts[" + std::to_string(it->second) + "])");
    }
    bool role_known = false;
    if (auto r = str(j, "role", p, true, "\"client\" or \"mta\"")) {
      role_known = *r == "client" || *r == "mta";
      if (*r == "client") h.role = HostRole::Client;
      else if (*r == "mta") h.role = HostRole::Mta;
      else error(p / "role", "expected \"client\" (a user's device) or \"mta\" (a mail server), got " + qt(*r));
    }
    if (auto a = str(j, "address", p, true, "an IPv4 address such as \"192.0.2.10\"")) {
      h.address = *a;
      if (!is_valid_ipv4(*a))
        error(p / "address", "expected an IPv4 address such as \"192.0.2.10\", got " + qt(*a));
      else if (auto [it, fresh] = addresses.emplace(*a, i); !fresh)
        error(p / "address", "hosts[" + std::to_string(it->second) + "] already has this address");
    }
    const bool client = h.role == HostRole::Client;
    auto only_for = [&](const char* key, const char* role) {
      if (j.contains(key)) error(p / key, std::string("only a host with role \"") + role + "\" has " + qt(key), true);
    };
    if (!role_known) {
      // Which fields belong here depends on the role; say nothing more until the role is right.
    } else if (client) {
      if (auto u = str(j, "user", p, true, "the address this device sends as, like \"alice@uni.example\"")) {
        h.user = *u;
        if (!parse_address(*u)) error(p / "user", "expected an e-mail address like \"alice@uni.example\", got " + qt(*u));
      }
      if (auto t = str(j, "submit_to", p, false, "the name of the MTA host this device sends through")) h.submit_to = *t;
      if (auto port = integer(j, "submit_port", p, false, 1, 65535)) {
        if (*port != 25 && *port != 587)
          error(p / "submit_port", "expected 587 (submission) or 25 (SMTP), got " + std::to_string(*port));
        h.submit_port = static_cast<int>(*port);
      }
      if (auto m = str(j, "auth_mechanism", p, false, "\"PLAIN\" or \"LOGIN\"")) {
        if (*m != "PLAIN" && *m != "LOGIN") error(p / "auth_mechanism", "expected \"PLAIN\" or \"LOGIN\", got " + qt(*m));
        h.auth_mechanism = *m;
      }
      for (const char* k : {"domains", "services", "software", "policy"}) only_for(k, "mta");
    } else {
      h.domains = str_list(j, "domains", p, true, "a mail domain such as \"uni.example\"");
      for (std::size_t d = 0; d < h.domains.size(); ++d) {
        if (!is_valid_domain(h.domains[d]))
          error(p / "domains" / d, "expected a mail domain such as \"uni.example\", got " + qt(h.domains[d]));
        for (char& c : h.domains[d]) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      if (j.contains("domains") && h.domains.empty() && j.at("domains").is_array())
        error(p / "domains", "an MTA needs at least one mail domain it is responsible for");
      if (j.contains("services")) {
        h.services = str_list(j, "services", p, false, "a service name");
        for (std::size_t k = 0; k < h.services.size(); ++k) {
          const std::string& sv = h.services[k];
          if (sv == "pop3" || sv == "imap")
            error(p / "services" / k, qt(sv) + " is not simulated yet in this version; available: \"smtp\" (port 25), \"submission\" (port 587)");
          else if (sv != "smtp" && sv != "submission")
            error(p / "services" / k, "expected \"smtp\" (port 25) or \"submission\" (port 587), got " + qt(sv));
        }
      } else {
        h.services = {"smtp"};
      }
      if (auto sw = str(j, "software", p, false, "the server software named in the greeting")) {
        if (sw->empty() || sw->find_first_of("\r\n") != std::string::npos)
          error(p / "software", "expected one line of text such as \"Postfix\"");
        h.software = *sw;
      }
      if (j.contains("policy")) policy(j.at("policy"), p / "policy", h.policy);
      for (const char* k : {"user", "submit_to", "submit_port", "auth_mechanism"}) only_for(k, "client");
    }
    s.hosts.push_back(std::move(h));
  }
}

void Loader::policy(const Json& j, const JsonPath& p, MtaPolicy& out) {
  if (!object(j, p, {"esmtp", "helo_required", "message_size_limit", "verify_sender", "open_relay", "require_auth_on_submission",
                     "starttls", "tls_required_on_submission", "auth_after_tls_only"}))
    return;
  if (auto b = boolean(j, "esmtp", p)) out.esmtp = *b;
  if (auto b = boolean(j, "helo_required", p)) out.helo_required = *b;
  if (auto m = integer(j, "message_size_limit", p, false, 1024, 1024LL * 1024 * 1024))
    out.message_size_limit = static_cast<std::size_t>(*m);
  if (auto b = boolean(j, "verify_sender", p)) out.verify_sender = *b;
  if (auto b = boolean(j, "open_relay", p)) out.open_relay = *b;
  if (auto b = boolean(j, "require_auth_on_submission", p)) out.require_auth_on_submission = *b;
  if (auto b = boolean(j, "starttls", p)) out.starttls = *b;
  if (auto b = boolean(j, "tls_required_on_submission", p)) out.tls_required_on_submission = *b;
  if (auto b = boolean(j, "auth_after_tls_only", p)) out.auth_after_tls_only = *b;
  if (out.tls_required_on_submission && !out.starttls)
    error(p / "tls_required_on_submission", "TLS cannot be required when \"starttls\" is false", true);
}

void Loader::links(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "links", top, false, kMaxHosts * kMaxHosts);
  if (!l) return;
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "links" / i;
    if (!object(j, p, {"between", "latency"})) continue;
    LinkSpec link;
    auto ends = str_list(j, "between", p, true, "a host name");
    if (j.contains("between") && j.at("between").is_array() && ends.size() != 2)
      error(p / "between", "expected exactly two host names, like [\"alice-laptop\", \"mail.uni.example\"]");
    if (ends.size() == 2) {
      for (std::size_t k = 0; k < 2; ++k)
        if (!host_named(s, ends[k]))
          error(p / "between" / k, "no host is named " + qt(ends[k]) + "; hosts: " + host_list(s));
      if (ends[0] == ends[1]) error(p / "between", "a link joins two different hosts");
      auto key = std::minmax(ends[0], ends[1]);
      if (!seen.insert({key.first, key.second}).second) error(p, "these two hosts are already linked");
      link.a = ends[0];
      link.b = ends[1];
    }
    if (auto d = duration(j, "latency", p, true)) link.latency = *d;
    s.links.push_back(link);
  }
}

void Loader::dns(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "dns", top, false, 10000);
  if (!l) return;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "dns" / i;
    if (!object(j, p, {"name", "type", "value", "preference"})) continue;
    DnsSpec r;
    if (auto n = str(j, "name", p, true, "a domain name")) {
      r.name = *n;
      if (!is_valid_domain(*n)) error(p / "name", "expected a domain name such as \"correo.example\", got " + qt(*n));
      for (char& c : r.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto type = str(j, "type", p, true, "\"A\" or \"MX\"");
    if (type && *type != "A" && *type != "MX") error(p / "type", "expected \"A\" or \"MX\", got " + qt(*type));
    if (type) r.type = *type;
    if (auto v = str(j, "value", p, true, type && *type == "MX" ? "the mail exchanger's host name" : "an IPv4 address")) {
      r.value = *v;
      if (type && *type == "A" && !is_valid_ipv4(*v))
        error(p / "value", "an A record holds an IPv4 address such as \"203.0.113.5\", got " + qt(*v));
      if (type && *type == "MX" && !is_valid_domain(*v))
        error(p / "value", "an MX record names a host such as \"mx.correo.example\", got " + qt(*v));
    }
    if (type && *type == "MX") {
      // RFC 1035 §3.3.9: PREFERENCE is a 16-bit number; lower is preferred.
      if (auto pref = integer(j, "preference", p, true, 0, 65535)) r.preference = static_cast<int>(*pref);
    } else if (j.contains("preference")) {
      error(p / "preference", "only MX records have a preference", true);
    }
    s.dns.push_back(r);
  }
}

void Loader::users(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "users", top, false, kMaxUsers);
  if (!l) return;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "users" / i;
    if (!object(j, p, {"address", "password", "folders"})) continue;
    UserSpec u;
    if (auto a = str(j, "address", p, true, "an e-mail address")) {
      auto addr = parse_address(*a);
      if (!addr) {
        error(p / "address", "expected an e-mail address like \"bob@correo.example\", got " + qt(*a));
      } else {
        u.address = addr->str();
        if (auto [it, fresh] = seen.emplace(u.address, i); !fresh)
          error(p / "address", "users[" + std::to_string(it->second) + "] already has this address");
        bool served = false;
        for (const auto& h : s.hosts)
          for (const auto& d : h.domains) served = served || d == addr->domain;
        if (!served)
          error(p / "address", "no MTA host lists the domain " + qt(addr->domain) +
                                   " in its \"domains\", so this mailbox would live nowhere");
      }
    }
    if (auto pw = str(j, "password", p, false)) u.password = *pw;
    u.folders = str_list(j, "folders", p, false, "a folder name", 200);
    std::set<std::string> names;
    for (std::size_t k = 0; k < u.folders.size(); ++k) {
      const std::string& f = u.folders[k];
      if (f.empty() || f.find_first_of("\r\n\"") != std::string::npos)
        error(p / "folders" / k, "a folder name is one line of text without quotes");
      else if (!names.insert(f).second)
        error(p / "folders" / k, "folder " + qt(f) + " is listed twice");
    }
    s.users.push_back(std::move(u));
  }
}

std::optional<MessageSpec> Loader::message(const Json& j, const JsonPath& p, const HostSpec* sender) {
  if (!object(j, p, {"from", "to", "cc", "bcc", "reply_to", "sender", "envelope_from", "subject", "body", "html",
                     "attachments", "text_encoding"}))
    return std::nullopt;
  MessageSpec m;
  if (auto f = str(j, "from", p, false, "a sender such as \"Alice <alice@uni.example>\"")) {
    m.from = *f;
    if (!parse_mailbox(*f)) error(p / "from", "expected a sender such as \"Alice <alice@uni.example>\", got " + qt(*f));
  } else if (sender && !sender->user.empty()) {
    m.from = sender->user;  // the device's own user
  }
  std::size_t count = 0;
  for (const char* key : {"to", "cc", "bcc"}) {
    auto& out = std::string_view(key) == "to" ? m.to : std::string_view(key) == "cc" ? m.cc : m.bcc;
    out = str_list(j, key, p, false, "a recipient such as \"bob@correo.example\"", kMaxRecipientsPerMessage);
    for (std::size_t k = 0; k < out.size(); ++k)
      if (!parse_mailbox(out[k]))
        error(p / key / k, "expected a recipient such as \"bob@correo.example\" or \"Bob <bob@correo.example>\", got " + qt(out[k]));
    count += out.size();
  }
  if (count == 0 && !j.contains("to")) error(p, "missing field \"to\": a message needs at least one recipient");
  else if (count == 0) error(p / "to", "a message needs at least one recipient in \"to\", \"cc\" or \"bcc\"");
  if (count > kMaxRecipientsPerMessage) error(p, "too many recipients (at most " + std::to_string(kMaxRecipientsPerMessage) + ")");
  if (auto s = str(j, "subject", p, false)) {
    if (s->find_first_of("\r\n") != std::string::npos) error(p / "subject", "a subject is one line of text");
    m.subject = *s;
  }
  if (auto b = str(j, "body", p, false)) {
    if (b->size() > kMaxBodyBytes)
      error(p / "body", "the body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
    m.body = *b;
  }
  if (auto h = str(j, "html", p, false)) {
    if (h->size() > kMaxBodyBytes)
      error(p / "html", "the HTML body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
    m.html = *h;
  }
  for (const char* key : {"reply_to", "sender"}) {
    if (auto v = str(j, key, p, false, "a mailbox such as \"Alice <alice@uni.example>\"")) {
      if (!parse_mailbox(*v)) error(p / key, "expected a mailbox such as \"Alice <alice@uni.example>\", got " + qt(*v));
      (std::string_view(key) == "sender" ? m.sender : m.reply_to) = *v;
    }
  }
  if (auto e = str(j, "envelope_from", p, false, "an address, or \"<>\" for the null sender")) {
    if (*e == "<>" || e->empty()) m.null_sender = true;
    else if (!parse_address(*e)) error(p / "envelope_from", "expected an address such as \"alice@uni.example\", or \"<>\", got " + qt(*e));
    else m.envelope_from = *e;
  }
  if (auto t = str(j, "text_encoding", p, false, "\"8bit\" or \"quoted-printable\"")) {
    if (*t == "quoted-printable") m.quoted_printable = true;
    else if (*t != "8bit") error(p / "text_encoding", "expected \"8bit\" or \"quoted-printable\", got " + qt(*t));
  }
  if (const Json* l = list(j, "attachments", p, false, kMaxAttachments)) {
    std::size_t total = 0;
    for (std::size_t i = 0; i < l->size(); ++i) {
      const Json& a = (*l)[i];
      const JsonPath ap = p / "attachments" / i;
      if (!object(a, ap, {"name", "type", "size", "content"})) continue;
      AttachmentSpec spec;
      if (auto n = str(a, "name", ap, true, "a file name such as \"foto.jpg\"")) {
        if (n->empty() || n->find_first_of("/\\\r\n\"") != std::string::npos)
          error(ap / "name", "a file name has no path, quotes or line breaks: " + qt(*n));
        spec.name = *n;
      }
      if (auto t = str(a, "type", ap, false, "a media type such as \"image/jpeg\"")) {
        const auto slash = t->find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == t->size() || t->find_first_of(" ;\"") != std::string::npos)
          error(ap / "type", "expected a media type such as \"image/jpeg\" or \"application/pdf\", got " + qt(*t));
        spec.type = *t;
      }
      if (a.contains("size") == a.contains("content"))
        error(ap, "give exactly one of \"size\" (bytes, made up for you) or \"content\" (the file's text)");
      if (auto sz = integer(a, "size", ap, false, 0, static_cast<std::int64_t>(kMaxAttachmentBytes))) spec.size = static_cast<std::size_t>(*sz);
      if (auto c = str(a, "content", ap, false)) {
        if (c->size() > kMaxAttachmentBytes) error(ap / "content", "larger than " + std::to_string(kMaxAttachmentBytes) + " bytes");
        spec.content = *c;
        spec.has_content = true;
        spec.size = c->size();
      }
      total += spec.size;
      m.attachments.push_back(std::move(spec));
    }
    if (total > kMaxAttachmentBytes)
      error(p / "attachments", "the attachments add up to " + std::to_string(total) + " bytes (at most " +
                                   std::to_string(kMaxAttachmentBytes) + " per message)");
  }
  return m;
}

void Loader::timeline(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "timeline", top, false, kMaxTimelineItems);
  if (!l) return;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "timeline" / i;
    if (!object(j, p, {"at", "send", "say"})) continue;
    TimelineItem item;
    if (auto at = duration(j, "at", p, true)) item.at = *at;
    if (auto say = text(j, "say", p, false)) item.say = *say;
    if (j.contains("send")) {
      const Json& sj = j.at("send");
      const JsonPath sp = p / "send";
      if (object(sj, sp, {"from", "via", "port", "message", "login", "password"})) {
        SendAction send;
        const HostSpec* sender = nullptr;
        if (auto h = str(sj, "from", sp, true, "the name of the client host that sends")) {
          send.host = *h;
          sender = host_named(s, *h);
          if (!sender)
            error(sp / "from", "no host is named " + qt(*h) + "; hosts: " + host_list(s));
          else if (sender->role != HostRole::Client)
            error(sp / "from", qt(*h) + " is an MTA; messages are sent from a host with role \"client\"");
        }
        if (auto v = str(sj, "via", sp, false, "the name of an MTA host")) {
          const HostSpec* via = host_named(s, *v);
          if (!via) error(sp / "via", "no host is named " + qt(*v) + "; hosts: " + host_list(s));
          else if (via->role != HostRole::Mta) error(sp / "via", qt(*v) + " is not an MTA");
          send.via = *v;
        }
        if (auto port = integer(sj, "port", sp, false, 1, 65535)) {
          if (*port != 25 && *port != 587) error(sp / "port", "expected 587 (submission) or 25 (SMTP), got " + std::to_string(*port));
          send.port = static_cast<int>(*port);
        }
        if (auto b = boolean(sj, "login", sp)) send.login = *b;
        if (auto pw = str(sj, "password", sp, false, "the password to log in with")) {
          send.password = *pw;
          send.has_password = true;
        }
        if (!sj.contains("message")) error(sp, "missing field \"message\"");
        else if (auto m = message(sj.at("message"), sp / "message", sender)) {
          if (m->from.empty() && sender && sender->role == HostRole::Client)
            error(sp / "message", "missing field \"from\" (and the sending host has no \"user\")");
          send.message = *m;
        }
        item.send = std::move(send);
      }
    }
    if (!j.contains("send") && !j.contains("say"))
      error(p, "a timeline entry needs something to happen: \"send\" and/or \"say\"");
    s.timeline.push_back(std::move(item));
  }
}

void Loader::narration(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "narration", top, false, kMaxTimelineItems);
  if (!l) return;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "narration" / i;
    if (!object(j, p, {"at", "when", "say"})) continue;
    NarrationItem n;
    if (auto say = text(j, "say", p, true)) n.say = *say;
    if (j.contains("at") == j.contains("when"))
      error(p, "give exactly one of \"at\" (a time) or \"when\" (an event)");
    if (auto at = duration(j, "at", p, false)) n.at = *at;
    if (j.contains("when")) {
      const Json& w = j.at("when");
      const JsonPath wp = p / "when";
      if (object(w, wp, {"stored", "command", "accepted", "host"})) {
        const int kinds = static_cast<int>(w.contains("stored")) + static_cast<int>(w.contains("command")) +
                          static_cast<int>(w.contains("accepted"));
        Trigger t;
        if (kinds != 1) {
          error(wp, "give exactly one of \"stored\" (a user's address), \"command\" (an SMTP verb) or \"accepted\" (an MTA host)");
        } else if (auto st = str(w, "stored", wp, false, "a user's address")) {
          t.kind = Trigger::Kind::Stored;
          t.mailbox = normalize_address(*st);
          if (!user_exists(s, *st)) error(wp / "stored", "no user has the address " + qt(*st));
        } else if (auto cmd = str(w, "command", wp, false, "an SMTP verb such as \"DATA\"")) {
          t.kind = Trigger::Kind::Command;
          t.verb = *cmd;
          static const std::set<std::string> verbs{"HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA",
                                                   "RSET", "NOOP", "VRFY", "ETRN", "QUIT"};
          std::string upper = *cmd;
          for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          if (!verbs.count(upper))
            error(wp / "command", "expected an SMTP verb (HELO, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, NOOP, VRFY, ETRN, QUIT), got " + qt(*cmd));
        } else if (auto acc = str(w, "accepted", wp, false, "an MTA host name")) {
          t.kind = Trigger::Kind::Accepted;
          t.host = *acc;
          const HostSpec* h = host_named(s, *acc);
          if (!h || h->role != HostRole::Mta) error(wp / "accepted", "no MTA host is named " + qt(*acc));
        }
        if (auto host = str(w, "host", wp, false, "a server host name")) {
          if (t.kind != Trigger::Kind::Command) error(wp / "host", "\"host\" goes with \"command\" only", true);
          else if (!host_named(s, *host)) error(wp / "host", "no host is named " + qt(*host) + "; hosts: " + host_list(s));
          t.host = *host;
        }
        n.when = t;
      }
    }
    s.narration.push_back(std::move(n));
  }
}

void Loader::cross_checks(const Scenario& s) {
  // Every client must reach a mail server: an explicit submit_to, or the MTA of its user's domain.
  for (std::size_t i = 0; i < s.hosts.size(); ++i) {
    const HostSpec& h = s.hosts[i];
    if (h.role != HostRole::Client) continue;
    const JsonPath p = JsonPath{} / "hosts" / i;
    if (!h.submit_to.empty()) {
      const HostSpec* t = host_named(s, h.submit_to);
      if (!t) error(p / "submit_to", "no host is named " + qt(h.submit_to) + "; hosts: " + host_list(s));
      else if (t->role != HostRole::Mta) error(p / "submit_to", qt(h.submit_to) + " is not an MTA");
      continue;
    }
    auto addr = parse_address(h.user);
    bool found = false;
    for (const auto& m : s.hosts)
      for (const auto& d : m.domains) found = found || (addr && d == addr->domain);
    if (!found)
      error(p / "user", "no MTA host serves " + qt(addr ? addr->domain : h.user) +
                            ", so this device has no server to send through; add \"submit_to\": \"<MTA host>\"");
  }
  // A send that must log in needs a password: the default submission port refuses strangers.
  for (std::size_t i = 0; i < s.timeline.size(); ++i) {
    const auto& send = s.timeline[i].send;
    if (!send || !send->login || send->has_password) continue;
    const HostSpec* device = host_named(s, send->host);
    if (!device || device->role != HostRole::Client) continue;
    auto user = parse_address(device->user);
    const HostSpec* server = nullptr;
    if (!send->via.empty()) server = host_named(s, send->via);
    else if (!device->submit_to.empty()) server = host_named(s, device->submit_to);
    else
      for (const auto& h : s.hosts)
        for (const auto& d : h.domains)
          if (user && d == user->domain) server = &h;
    if (!server || server->role != HostRole::Mta) continue;
    const bool submission = std::find(server->services.begin(), server->services.end(), "submission") != server->services.end();
    int port = send->port != 0 ? send->port : (send->via.empty() && device->submit_port != 0) ? device->submit_port
                                                                                             : (submission ? 587 : 25);
    if (port != 587 || !submission || !server->policy.require_auth_on_submission) continue;
    std::string password;
    for (const auto& u : s.users)
      if (user && normalize_address(u.address) == user->str()) password = u.password;
    if (password.empty())
      error(JsonPath{} / "timeline" / i / "send",
            qt(device->user) + " has no \"password\" in \"users\", but " + server->name +
                " lets only logged-in users send on port 587: add the password, set \"login\": false to show "
                "the refusal, or give " + server->name + " \"policy\": {\"require_auth_on_submission\": false}");
  }
  // A domain belongs to one MTA.
  std::map<std::string, std::string> owner;
  for (std::size_t i = 0; i < s.hosts.size(); ++i)
    for (std::size_t d = 0; d < s.hosts[i].domains.size(); ++d) {
      const std::string& dom = s.hosts[i].domains[d];
      if (auto [it, fresh] = owner.emplace(dom, s.hosts[i].name); !fresh)
        error(JsonPath{} / "hosts" / i / "domains" / d, "the domain " + qt(dom) + " is already served by " + qt(it->second));
    }
}

}  // namespace

std::string LessonError::str() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  return out + ": " + path + ": " + message;
}

LoadResult load_scenario_text(std::string_view text, const std::string& file) {
  if (text.size() > kMaxLessonBytes) {
    LoadResult r;
    r.errors.push_back({file, "(file)", 0, 0, "the file is larger than " + std::to_string(kMaxLessonBytes / 1024 / 1024) + " MiB; a lesson is much smaller"});
    return r;
  }
  return Loader(text, file).run();
}

LoadResult load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back({path, "(file)", 0, 0, "cannot open the file (does it exist, and may it be read?)"});
    return r;
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxLessonBytes) break;
  }
  return load_scenario_text(text, path);
}

}  // namespace postlab
