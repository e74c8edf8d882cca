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

struct SpoofVerdict {
  bool suspicious = false;      // From: is not backed by a login or by the connecting host
  std::vector<Phrase> reasons;  // plain-words findings, translation keys "verdict.*"
};
// Only meaningful for a snapshot an MTA accepted (it has client_host); a draft gets no findings.
SpoofVerdict spoof_verdict(const MessageSnapshot& m);

}  // namespace postlab
