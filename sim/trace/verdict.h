// Envelope versus header: who a message says it is from, and what the server actually knew.
// SMTP itself checks none of it (RFC 5321 §3.3), which is what lets forged senders through.
#pragma once
#include <string>
#include <vector>

#include "trace/transcript.h"

namespace postlab {

struct MessageSnapshot;

struct SenderFacts {
  std::string header_from;      // addr-spec of From: ("" when missing or unreadable)
  std::string header_sender;    // Sender:
  std::string header_reply_to;  // Reply-To:
  std::string envelope_from;    // MAIL FROM ("" for <>)
  std::vector<std::string> envelope_to;
  std::string auth_user;
  std::string client_host, client_address, helo;
  bool tls = false;
};
SenderFacts sender_facts(const MessageSnapshot& m);

// What the accepting server's evidence says about From:.
enum class SenderVerdict {
  Consistent,  // checked and matching: logged in as From:, or handed over by an MTA of From:'s domain
  Unverified,  // nothing checked it (e.g. a user's own device sending without a login): From: was trusted
  Forged,      // the evidence contradicts From:: another login, another person's device, a stranger host
};

struct SpoofVerdict {
  SenderVerdict verdict = SenderVerdict::Unverified;
  std::vector<Phrase> reasons;  // plain-words findings, translation keys "verdict.*"; the first says why
};
// Only meaningful for a snapshot an MTA accepted (it has client_host); a draft gets no findings.
SpoofVerdict spoof_verdict(const MessageSnapshot& m);
// "verdict.forged", "verdict.unverified", "verdict.consistent".
const char* verdict_key(SenderVerdict v);

}  // namespace postlab
