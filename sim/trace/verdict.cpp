#include "trace/verdict.h"

#include "mail/address.h"
#include "mail/message.h"
#include "trace/trace.h"

namespace postlab {
namespace {

std::string addr_of(const Message& m, const char* header) {
  const std::string v = m.get(header);
  if (v.empty()) return {};
  auto a = parse_mailbox(v);
  return a ? a->str() : std::string();
}

std::string domain_of(const std::string& address) {
  auto a = parse_address(address);
  return a ? a->domain : std::string();
}

// True when host is the domain itself or a name inside it ("mail.uni.example" in "uni.example").
bool host_in_domain(const std::string& host, const std::string& domain) {
  if (host.empty() || domain.empty()) return false;
  if (iequals(host, domain)) return true;
  return host.size() > domain.size() + 1 && host[host.size() - domain.size() - 1] == '.' &&
         iequals(std::string_view(host).substr(host.size() - domain.size()), domain);
}

}  // namespace

SenderFacts sender_facts(const MessageSnapshot& s) {
  const Message m = Message::parse(s.data);
  SenderFacts f;
  f.header_from = addr_of(m, "From");
  f.header_sender = addr_of(m, "Sender");
  f.header_reply_to = addr_of(m, "Reply-To");
  f.envelope_from = s.envelope_from;
  f.envelope_to = s.envelope_to;
  f.auth_user = s.auth_user;
  f.client_host = s.client_host;
  f.client_address = s.client_address;
  f.helo = s.helo;
  f.tls = s.tls;
  return f;
}

SpoofVerdict spoof_verdict(const MessageSnapshot& s) {
  SpoofVerdict v;
  if (s.client_host.empty()) return v;
  const SenderFacts f = sender_facts(s);
  const std::string from_domain = domain_of(f.header_from);
  if (f.header_from.empty()) {
    v.suspicious = true;
    v.reasons.push_back({"verdict.no_from", {}});
    return v;
  }
  if (!f.auth_user.empty()) {
    // A login ties the message to a mailbox: From: should be that mailbox.
    if (iequals(f.auth_user, f.header_from)) {
      v.reasons.push_back({"verdict.from_is_login", {f.header_from}});
    } else {
      v.suspicious = true;
      v.reasons.push_back({"verdict.from_not_login", {f.header_from, f.auth_user}});
    }
  } else if (host_in_domain(f.client_host, from_domain)) {
    v.reasons.push_back({"verdict.from_matches_host", {from_domain, f.client_host}});
  } else {
    v.suspicious = true;
    v.reasons.push_back({"verdict.from_not_host", {from_domain, f.client_host, f.client_address}});
  }
  if (!f.envelope_from.empty() && !iequals(domain_of(f.envelope_from), from_domain))
    v.reasons.push_back({"verdict.envelope_differs", {f.envelope_from, f.header_from}});
  if (f.envelope_from.empty())
    v.reasons.push_back({"verdict.null_sender", {}});
  if (!f.header_reply_to.empty() && !iequals(domain_of(f.header_reply_to), from_domain))
    v.reasons.push_back({"verdict.reply_to_elsewhere", {f.header_reply_to, f.header_from}});
  if (!f.header_sender.empty() && !iequals(f.header_sender, f.header_from))
    v.reasons.push_back({"verdict.sender_differs", {f.header_sender, f.header_from}});
  return v;
}

}  // namespace postlab
