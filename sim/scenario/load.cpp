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
#include "scenario/loader.h"

namespace postlab {
namespace detail {

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

}  // namespace detail

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
  return detail::Loader(text, file).run();
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