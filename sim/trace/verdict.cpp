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
  const Message m = Message::parse(s.head());
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
  auto judge = [&v](SenderVerdict verdict, Phrase why) {
    v.verdict = verdict;
    v.reasons.push_back(std::move(why));
  };
  bool serves_domain = host_in_domain(f.client_host, from_domain);
  for (const auto& d : s.client_domains) serves_domain = serves_domain || iequals(d, from_domain);
  if (f.header_from.empty()) {
    // Nothing to contradict and nothing to confirm.
    judge(SenderVerdict::Unverified, {"verdict.no_from", {}});
    return v;
  }
  if (!f.auth_user.empty()) {
    // A login ties the message to a mailbox: From: should be that mailbox.
    if (iequals(f.auth_user, f.header_from))
      judge(SenderVerdict::Consistent, {"verdict.from_is_login", {f.header_from}});
    else
      judge(SenderVerdict::Forged, {"verdict.from_not_login", {f.header_from, f.auth_user}});
  } else if (!s.client_user.empty() && iequals(s.client_user.str(), f.header_from)) {
    // The user's own device, accepted without a login: nothing wrong, but nothing checked either.
    judge(SenderVerdict::Unverified, {"verdict.own_device_no_login", {f.client_host, s.client_user}});
  } else if (!s.client_user.empty()) {
    // Someone's device, whatever its name says ("pc.uni.example" may be anyone's at uni.example).
    judge(SenderVerdict::Forged, {"verdict.other_persons_device", {f.header_from, f.client_host, s.client_user}});
  } else if (serves_domain) {
    judge(SenderVerdict::Consistent, {"verdict.from_matches_host", {from_domain, f.client_host}});
  } else {
    judge(SenderVerdict::Forged, {"verdict.from_not_host", {from_domain, f.client_host, f.client_address}});
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

const char* verdict_key(SenderVerdict v) {
  switch (v) {
    case SenderVerdict::Forged: return "verdict.forged";
    case SenderVerdict::Unverified: return "verdict.unverified";
    case SenderVerdict::Consistent: return "verdict.consistent";
  }
  return "verdict.unverified";
}

}  // namespace postlab
