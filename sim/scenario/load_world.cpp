// Reading a lesson's world: hosts (with their MTA policy), links, DNS records and users, and the
// checks of host references, domains and addresses that the timeline shares.
#include <algorithm>
#include <map>
#include <set>

#include "core/ascii.h"
#include "mail/address.h"
#include "mail/message.h"
#include "net/dns.h"
#include "scenario/loader.h"

namespace postlab::detail {

const HostSpec* Loader::host_named(const Scenario& s, const std::string& name) const {
  for (const auto& h : s.hosts)
    if (h.name == name) return &h;
  return nullptr;
}

bool Loader::user_exists(const Scenario& s, const std::string& address) const {
  return find_user(s, address) != nullptr;  // local parts without regard to case, as Postfix delivers
}

bool Loader::missing_host(const Scenario& s, const std::string& name) const {
  return hosts_complete_ && !host_named(s, name);
}

bool Loader::wrong_role(const HostSpec* h, HostRole role) const {
  return h && h->role != role && !role_unsure_.count(h->name);
}

namespace {

bool non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// RFC 5890: an internationalised domain travels in DNS and SMTP as its A-label, "xn--" and Punycode
// (RFC 3492). Mail programs convert what the user types; a lesson describes the wire, so it says it.
std::string idna_advice(std::string_view domain, std::string_view what = "domains") {
  return std::string(what) + " must be ASCII: write " + qt(domain) +
         " in its xn-- (IDNA) form (RFC 5890), the form DNS and SMTP carry";
}

}  // namespace

bool Loader::domain(const std::string& value, const JsonPath& path, std::string_view what, const std::string& message) {
  if (is_valid_domain(value)) return true;
  if (non_ascii(value))
    error(path, idna_advice(value, what));
  else
    error(path, message);
  return false;
}

bool Loader::address(const std::string& value, const JsonPath& path, bool mailbox, const std::string& message) {
  if (mailbox ? parse_mailbox(value).has_value() : parse_address(value).has_value()) return true;
  std::string_view spec = value;
  if (mailbox) {
    if (const auto lt = spec.rfind('<'); lt != std::string_view::npos) {
      const auto gt = spec.find('>', lt);
      spec = spec.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
    }
  }
  const auto at = spec.rfind('@');
  if (at != std::string_view::npos && non_ascii(spec.substr(at + 1))) {
    // RFC 6531 (SMTPUTF8) allows UTF-8 before the @; the domain still travels in its ASCII form.
    error(path, idna_advice(spec.substr(at + 1)) + "; a non-ASCII local part before the @ is fine (SMTPUTF8, RFC 6531)");
    return false;
  }
  error(path, message);
  return false;
}

std::string host_list(const Scenario& s) {
  std::string out;
  for (const auto& h : s.hosts) out += (out.empty() ? "" : ", ") + h.name;
  return out.empty() ? "(none)" : out;
}


void Loader::hosts(const Json& root, Scenario& s) {
  const JsonPath top;
  const Json* l = list(root, "hosts", top, true, kMaxHosts);
  if (!l) {
    hosts_complete_ = false;
    return;
  }
  if (l->empty()) error(top / "hosts", "a lesson needs at least one host");
  std::map<std::string, std::size_t> names, addresses;
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "hosts" / i;
    if (!object(j, p, {"name", "role", "address", "user", "submit_to", "submit_port", "domains", "services",
                       "software", "policy", "auth_mechanism", "use_bdat", "retrieve"})) {
      hosts_complete_ = false;
      continue;
    }
    HostSpec h;
    if (auto n = str(j, "name", p, true, "a host name such as \"mail.uni.example\"")) {
      h.name = *n;
      if (domain(h.name, p / "name", "host names",
                 "a host name uses letters, digits, '-' and '.', like \"mail.uni.example\" or \"alice-laptop\"; got " +
                     qt(h.name)))
        if (auto [it, fresh] = names.emplace(h.name, i); !fresh)
          error(p / "name", "another host already has this name (hosts[" + std::to_string(it->second) + "])");
    } else {
      hosts_complete_ = false;  // references to this host cannot be checked
    }
    // Which fields belong here depends on the role. When "role" is missing or wrong, the other fields
    // say what the host is meant to be, and are checked as that (or as both, when they disagree).
    static constexpr const char* kClientFields[] = {"user", "submit_to", "submit_port", "auth_mechanism", "use_bdat",
                                                    "retrieve"};
    static constexpr const char* kMtaFields[] = {"domains", "services", "software", "policy"};
    const bool client_like = std::any_of(std::begin(kClientFields), std::end(kClientFields),
                                         [&](const char* k) { return j.contains(k); });
    const bool mta_like =
        std::any_of(std::begin(kMtaFields), std::end(kMtaFields), [&](const char* k) { return j.contains(k); });
    std::optional<HostRole> role;
    if (auto r = str(j, "role", p, true, "\"client\" or \"mta\"")) {
      if (*r == "client") role = HostRole::Client;
      else if (*r == "mta") role = HostRole::Mta;
      else {
        std::string msg = "expected \"client\" (a user's device) or \"mta\" (a mail server), got " + qt(*r);
        if (client_like != mta_like)
          msg += std::string("; its other fields are those of ") + (mta_like ? "an \"mta\"" : "a \"client\"");
        error(p / "role", msg);
      }
    }
    const bool sure = role.has_value() || client_like != mta_like;
    const bool as_client = role ? *role == HostRole::Client : client_like;
    const bool as_mta = role ? *role == HostRole::Mta : mta_like;
    h.role = as_mta && !as_client ? HostRole::Mta : HostRole::Client;
    if (!sure) {
      role_unsure_.insert(h.name);
      if (!as_client && !as_mta) hosts_complete_ = false;  // nothing says whether it serves domains
    }
    if (auto a = str(j, "address", p, true, "an IPv4 address such as \"192.0.2.10\"")) {
      h.address = *a;
      if (!is_valid_ipv4(*a))
        error(p / "address", "expected an IPv4 address such as \"192.0.2.10\", got " + qt(*a));
      else if (auto [it, fresh] = addresses.emplace(*a, i); !fresh)
        error(p / "address", "hosts[" + std::to_string(it->second) + "] already has this address");
    }
    auto only_for = [&](const char* key, const char* r) {
      if (j.contains(key)) error(p / key, std::string("only a host with role \"") + r + "\" has " + qt(key), true);
    };
    if (as_client) client_fields(j, p, h, sure);
    if (as_mta) mta_fields(j, p, h, sure);
    if (sure && as_client)
      for (const char* k : kMtaFields) only_for(k, "mta");
    if (sure && as_mta)
      for (const char* k : kClientFields) only_for(k, "client");
    s.hosts.push_back(std::move(h));
    host_index_.push_back(i);
  }
}

void Loader::client_fields(const Json& j, const JsonPath& p, HostSpec& h, bool required) {
  if (auto u = str(j, "user", p, required, "the address this device sends as, like \"alice@uni.example\"")) {
    h.user = *u;
    address(*u, p / "user", false, "expected an e-mail address like \"alice@uni.example\", got " + qt(*u));
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
  if (auto b = boolean(j, "use_bdat", p)) h.use_bdat = *b;
  if (j.contains("retrieve")) {
    // How its mail program reads mail: "retrieve": {"protocol": "pop3", "leave_copy": true, ...}
    const Json& r = j.at("retrieve");
    const JsonPath rp = p / "retrieve";
    if (object(r, rp, {"protocol", "server", "port", "leave_copy", "remember", "remove_after", "offline"})) {
      RetrievalSpec spec;
      if (auto proto = str(r, "protocol", rp, true, "\"pop3\" or \"imap\"")) {
        if (iequals(*proto, "imap")) {
          spec.imap = true;
          spec.port = 143;
        }
        if (*proto != "pop3" && *proto != "imap")
          error(rp / "protocol", iequals(*proto, "pop3") || iequals(*proto, "imap")
                                     ? "write it in lower case: " + qt(ascii_lower(*proto))
                                     : "expected \"pop3\" or \"imap\", got " + qt(*proto));
      }
      // Each protocol's own settings, reported when given to the other one.
      for (const char* k : {"leave_copy", "remember", "remove_after"})
        if (spec.imap && r.contains(k))
          error(rp / k, qt(k) + " is a POP3 setting; with IMAP the mail stays on the server", true);
      if (!spec.imap && r.contains("offline"))
        error(rp / "offline", "\"offline\" is an IMAP setting (a POP3 device always keeps what it downloads)", true);
      if (auto b = boolean(r, "offline", rp)) spec.offline = *b;
      if (auto sv = str(r, "server", rp, false, "the name of the MTA host that keeps this user's mail")) spec.server = *sv;
      if (auto port = integer(r, "port", rp, false, 1, 65535)) {
        if (*port != spec.port)
          error(rp / "port", std::string("expected ") + (spec.imap ? "143 (IMAP)" : "110 (POP3)") + ", got " + std::to_string(*port));
        spec.port = static_cast<int>(*port);
      }
      if (auto b = boolean(r, "leave_copy", rp)) spec.leave_copy = *b;
      if (auto b = boolean(r, "remember", rp)) spec.remember = *b;
      if (auto d = duration(r, "remove_after", rp, false)) {
        spec.remove_after = *d;
        if (!spec.leave_copy)
          error(rp / "remove_after", "\"remove_after\" goes with \"leave_copy\": true (without it every message is deleted at once)");
        if (!spec.remember)
          error(rp / "remove_after", "\"remove_after\" needs \"remember\": true (the device must know when it downloaded each message)");
      }
      h.retrieve = spec;
    }
  }
}

void Loader::mta_fields(const Json& j, const JsonPath& p, HostSpec& h, bool required) {
  if (j.contains("domains") && !j.at("domains").is_array()) hosts_complete_ = false;
  h.domains = str_list(j, "domains", p, required, "a mail domain such as \"uni.example\"");
  for (std::size_t d = 0; d < h.domains.size(); ++d) {
    domain(h.domains[d], p / "domains" / d, "mail domains",
           "expected a mail domain such as \"uni.example\", got " + qt(h.domains[d]));
    for (char& c : h.domains[d]) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (j.contains("domains") && h.domains.empty() && j.at("domains").is_array() && j.at("domains").empty())
    error(p / "domains", "an MTA needs at least one mail domain it is responsible for");
  if (j.contains("services")) {
    h.services = str_list(j, "services", p, false, "a service name");
    for (std::size_t k = 0; k < h.services.size(); ++k) {
      const std::string& sv = h.services[k];
      if (sv != "smtp" && sv != "submission" && sv != "pop3" && sv != "imap")
        error(p / "services" / k, "expected \"smtp\" (port 25), \"submission\" (port 587), \"pop3\" (port 110) or "
                                  "\"imap\" (port 143), got " + qt(sv));
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
}

void Loader::policy(const Json& j, const JsonPath& p, MtaPolicy& out) {
  if (!object(j, p, {"esmtp", "helo_required", "message_size_limit", "verify_sender", "open_relay",
                     "require_auth_on_submission", "starttls", "tls_required_on_submission", "auth_after_tls_only",
                     "relay_restriction", "smtputf8", "chunking", "use_bdat", "relayhost", "timeouts", "mynetworks",
                     "reject_unknown_recipient_domain", "relay_domains", "queue"}))
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
  // Postfix smtpd_relay_restrictions: defer_unauth_destination (the default since Postfix 2.10)
  // answers 454 4.7.1, so a misconfigured sender retries; reject_unauth_destination answers 554 5.7.1.
  if (auto r = str(j, "relay_restriction", p, false,
                   "\"defer_unauth_destination\" or \"reject_unauth_destination\"")) {
    if (*r == "defer_unauth_destination") out.relay_restriction = RelayRestriction::Defer;
    else if (*r == "reject_unauth_destination") out.relay_restriction = RelayRestriction::Reject;
    else
      error(p / "relay_restriction",
            "expected \"defer_unauth_destination\" (Postfix's default: 454 4.7.1, try again later) or "
            "\"reject_unauth_destination\" (554 5.7.1, refused for good), got " + qt(*r));
  }
  if (auto b = boolean(j, "smtputf8", p)) out.smtputf8 = *b;  // Postfix smtputf8_enable (RFC 6531)
  if (auto b = boolean(j, "chunking", p)) out.chunking = *b;  // CHUNKING and BDAT (RFC 3030)
  if (auto b = boolean(j, "use_bdat", p)) out.use_bdat = *b;
  // Postfix relayhost: the next hop for mail to domains this MTA does not serve. Which host it names
  // is checked with the other references, once every host is known.
  if (auto r = str(j, "relayhost", p, false, "the name of another MTA host of the lesson")) out.relayhost = *r;
  if (auto b = boolean(j, "reject_unknown_recipient_domain", p)) out.reject_unknown_recipient_domain = *b;
  if (j.contains("timeouts")) timeouts(j.at("timeouts"), p / "timeouts", out);
  if (j.contains("queue")) queue_schedule(j.at("queue"), p / "queue", out.queue);
  if (j.contains("relay_domains")) {
    // Postfix relay_domains: domains this server relays for anyone (a backup MX's job).
    const auto list = str_list(j, "relay_domains", p, false, "a mail domain such as \"corp.example\"", 100);
    for (std::size_t i = 0; i < list.size(); ++i)
      if (domain(list[i], p / "relay_domains" / i, "mail domains",
                 "expected a mail domain such as \"corp.example\", got " + qt(list[i])))
        out.relay_domains.push_back(list[i]);
  }
  if (j.contains("mynetworks")) {
    // Postfix mynetworks: addresses and CIDR networks whose clients are trusted to relay.
    const auto nets = str_list(j, "mynetworks", p, false, "an IPv4 address or network such as \"192.0.2.0/24\"", 100);
    std::vector<Ipv4Net> parsed;
    for (std::size_t i = 0; i < nets.size(); ++i) {
      bool host_bits = false;
      auto net = parse_ipv4_net(nets[i], &host_bits);
      if (!net)
        error(p / "mynetworks" / i, "expected an IPv4 address (\"192.0.2.10\") or network (\"192.0.2.0/24\"), got " + qt(nets[i]));
      else if (host_bits)
        error(p / "mynetworks" / i, qt(nets[i]) + " has bits set beyond its prefix; the network is " + qt(net->str()) +
                                        " (Postfix refuses the first form too)");
      else
        parsed.push_back(*net);
    }
    out.mynetworks = std::move(parsed);
  }
}

void Loader::timeouts(const Json& j, const JsonPath& p, MtaPolicy& out) {
  // Postfix's parameter names, so a teacher can copy them from `postconf -d`.
  struct Field {
    const char* name;
    Duration* value;
  };
  smtp::ClientTimeouts& c = out.client_timeouts;
  const Field fields[] = {{"smtpd_timeout", &out.smtpd_timeout},        {"smtp_connect_timeout", &c.connect},
                          {"smtp_helo_timeout", &c.helo},               {"smtp_mail_timeout", &c.mail},
                          {"smtp_rcpt_timeout", &c.rcpt},               {"smtp_data_init_timeout", &c.data_init},
                          {"smtp_data_xfer_timeout", &c.data_xfer},     {"smtp_data_done_timeout", &c.data_done},
                          {"smtp_quit_timeout", &c.quit}};
  if (!object(j, p, {"smtpd_timeout", "smtp_connect_timeout", "smtp_helo_timeout", "smtp_mail_timeout", "smtp_rcpt_timeout",
                     "smtp_data_init_timeout", "smtp_data_xfer_timeout", "smtp_data_done_timeout", "smtp_quit_timeout"}))
    return;
  for (const Field& f : fields) {
    auto d = duration(j, f.name, p, false);
    if (!d) continue;
    if (*d < kSecond) error(p / f.name, std::string("a timeout of less than a second (") + format_duration(*d) +
                                            ") would end every conversation; Postfix's default is " +
                                            format_duration(*f.value));
    else *f.value = *d;
  }
}

void Loader::queue_schedule(const Json& j, const JsonPath& p, QueueSchedule& out) {
  // Postfix's parameter names (postconf -d), on top of a preset.
  struct Field {
    const char* name;
    Duration QueueSchedule::*value;
  };
  static constexpr Field kFields[] = {{"queue_run_delay", &QueueSchedule::queue_run_delay},
                                      {"minimal_backoff_time", &QueueSchedule::minimal_backoff_time},
                                      {"maximal_backoff_time", &QueueSchedule::maximal_backoff_time},
                                      {"delay_warning_time", &QueueSchedule::delay_warning_time},
                                      {"maximal_queue_lifetime", &QueueSchedule::maximal_queue_lifetime},
                                      {"bounce_queue_lifetime", &QueueSchedule::bounce_queue_lifetime}};
  if (!object(j, p, {"preset", "queue_run_delay", "minimal_backoff_time", "maximal_backoff_time", "delay_warning_time",
                     "maximal_queue_lifetime", "bounce_queue_lifetime"}))
    return;
  if (auto name = str(j, "preset", p, false, "\"postfix\" or \"sendmail\"")) {
    if (auto preset = queue_preset(*name)) out = *preset;
    else error(p / "preset", "expected \"postfix\" or \"sendmail\", got " + qt(*name));
  }
  for (const Field& f : kFields)
    if (auto d = duration(j, f.name, p, false)) out.*f.value = *d;
  // A queue run every instant would retry without end in no virtual time at all.
  if (j.contains("queue_run_delay") && out.queue_run_delay < kSecond)
    error(p / "queue_run_delay", "expected at least 1s (Postfix's default is 300s), got " +
                                     format_duration(out.queue_run_delay));
  if (out.minimal_backoff_time > out.maximal_backoff_time)
    error(p / (j.contains("maximal_backoff_time") ? "maximal_backoff_time" : "minimal_backoff_time"),
          "minimal_backoff_time (" + format_duration(out.minimal_backoff_time) +
              ") must not be longer than maximal_backoff_time (" + format_duration(out.maximal_backoff_time) + ")");
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
        if (missing_host(s, ends[k]))
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
      domain(*n, p / "name", "domain names", "expected a domain name such as \"correo.example\", got " + qt(*n));
      for (char& c : r.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    auto type = str(j, "type", p, true, "\"A\" or \"MX\"");
    if (type && *type != "A" && *type != "MX") error(p / "type", "expected \"A\" or \"MX\", got " + qt(*type));
    if (type) r.type = *type;
    if (auto v = str(j, "value", p, true, type && *type == "MX" ? "the mail exchanger's host name" : "an IPv4 address")) {
      r.value = *v;
      if (type && *type == "A" && !is_valid_ipv4(*v))
        error(p / "value", "an A record holds an IPv4 address such as \"203.0.113.5\", got " + qt(*v));
      if (type && *type == "MX")
        domain(*v, p / "value", "host names", "an MX record names a host such as \"mx.correo.example\", got " + qt(*v));
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
  if (root.contains("users") && !root.at("users").is_array()) users_complete_ = false;
  const Json* l = list(root, "users", top, false, kMaxUsers);
  if (!l) {
    if (root.contains("users")) users_complete_ = false;
    return;
  }
  std::map<std::string, std::pair<std::size_t, std::string>> seen;  // by mailbox_key: Bob@x and bob@x are one mailbox
  for (std::size_t i = 0; i < l->size(); ++i) {
    const Json& j = (*l)[i];
    const JsonPath p = top / "users" / i;
    if (!object(j, p, {"address", "password", "folders", "messages"})) {
      users_complete_ = false;
      continue;
    }
    UserSpec u;
    users_complete_ = users_complete_ && j.contains("address") && j.at("address").is_string();
    if (auto a = str(j, "address", p, true, "an e-mail address")) {
      auto addr = parse_address(*a);
      if (!addr) {
        users_complete_ = false;
        address(*a, p / "address", false, "expected an e-mail address like \"bob@correo.example\", got " + qt(*a));
      } else {
        u.address = addr->str();  // as the teacher wrote it (the domain in lower case)
        if (auto [it, fresh] = seen.emplace(mailbox_key(u.address), std::pair(i, u.address)); !fresh) {
          const std::string& other = it->second.second;
          error(p / "address", "users[" + std::to_string(it->second.first) + "] already has this address" +
                                   (other == u.address ? std::string()
                                                       : " (" + qt(other) + ": local parts are matched without regard to "
                                                         "case, as Postfix does for local delivery)"));
        }
        bool served = !hosts_complete_;  // a host that could not be read may serve it
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
    // Messages already in the mailbox when the lesson starts, filed in this order (UIDs 1, 2, ...).
    if (const Json* m = list(j, "messages", p, false, kMaxPresetMessages)) {
      for (std::size_t k = 0; k < m->size(); ++k) {
        const Json& item = (*m)[k];
        const JsonPath mp = p / "messages" / k;
        if (!object(item, mp, {"folder", "message"})) continue;
        PresetMessage preset;
        if (auto f = str(item, "folder", mp, false, "a folder name")) {
          if (*f != "INBOX" && !names.count(*f)) {
            std::string known = "INBOX";
            for (const auto& n : u.folders) known += ", " + n;
            error(mp / "folder", "this user has no folder " + qt(*f) + " (the folders are " + known + ")");
          }
          preset.folder = *f;
        }
        if (!item.contains("message")) {
          error(mp, "missing field \"message\": the message that is already in the mailbox");
          continue;
        }
        if (item.contains("message") && item.at("message").is_object() && !item.at("message").contains("from"))
          error(mp / "message", "missing field \"from\": who wrote the message that is already in the mailbox");
        if (item.at("message").is_object() && item.at("message").contains("to_one_of"))
          error(mp / "message" / "to_one_of", "\"to_one_of\" draws a recipient for each repeated send; a message "
                                               "already in a mailbox is not sent (use \"to\")");
        if (auto msg = message(item.at("message"), mp / "message", nullptr, u.address)) {
          preset.message = std::move(*msg);
          u.messages.push_back(std::move(preset));
        }
      }
    }
    s.users.push_back(std::move(u));
  }
}

}  // namespace postlab::detail
