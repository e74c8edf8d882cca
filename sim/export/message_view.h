// One message as a person inspects it, in their language: summary, envelope and what the receiving
// server knew, the spoof verdict, and the MIME tree with sizes. Shared by `postlab-cli show-message`
// and the GUI's inspector; computed once per message (a message may be megabytes).
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "trace/verdict.h"

namespace postlab {

struct MessageSnapshot;
class Translations;

struct MailSummary {
  std::string from;     // decoded display form
  std::string subject;  // decoded (RFC 2047)
  std::string date;
};
MailSummary summarize(const MessageSnapshot& message);

struct MessageView {
  MailSummary summary;
  std::string copy;                     // whose copy: "Draft on alice-laptop", "Copy queued at … (after 1 hop)"
  std::string envelope_note;            // a draft: why it has no envelope yet
  std::vector<std::pair<std::string, std::string>> facts;  // label, value
  bool has_verdict = false;             // only a message a server accepted has one
  SenderVerdict verdict_kind = SenderVerdict::Unverified;
  std::string verdict;                  // the one-line judgement
  std::vector<std::string> reasons;     // plain-words findings
  std::vector<std::string> mime;        // the MIME tree, one line per part, drawn with ├─ └─
  std::string raw;                      // the message text, cut at kRawPreviewBytes
  std::size_t raw_size = 0;             // its full size
};
inline constexpr std::size_t kRawPreviewBytes = 64 * 1024;
// folder: where a stored copy is filed ("" when unknown: "INBOX" is assumed).
MessageView build_message_view(const MessageSnapshot& message, const Translations& tr, const std::string& folder = {});
// How many Received: headers the copy has: the servers it has passed through.
std::size_t hop_count(const MessageSnapshot& message);

}  // namespace postlab
