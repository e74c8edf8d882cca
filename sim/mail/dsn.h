// Delivery status notifications (RFC 3464) as Postfix's bounce(8) writes them: the failure notice
// ("Undelivered Mail Returned to Sender") and the delay warning ("Delayed Mail (still being
// retried)"), each a multipart/report from MAILER-DAEMON. Compared with real Postfix 3.7 notices.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"

namespace postlab {

// Postfix bounce_size_limit: a returned message larger than this travels back as its headers only.
inline constexpr std::size_t kBounceSizeLimit = 50000;

enum class NoticeKind : std::uint8_t { Failure, Delay };

// One recipient's per-recipient fields (RFC 3464 §2.3) and the line the human-readable part gives it.
struct DsnRecipient {
  std::string address;     // Final-Recipient
  std::string status;      // RFC 3463 code: "5.1.1", or the last temporary one ("4.4.1") when expired
  std::string remote_mta;  // the server that answered, "" when none did
  std::string diagnostic;  // "smtp; 550 5.1.1 ..." (a server's reply) or "X-Postfix; ..." (Postfix's own)
  std::string reason;      // "host mx[addr] said: ... (in reply to RCPT TO command)", as logged
};

struct Notice {
  NoticeKind kind = NoticeKind::Failure;
  std::string hostname;   // the reporting MTA ($myhostname)
  std::string origin;     // its mail domain ($myorigin): MAILER-DAEMON@origin
  std::string queue_id;   // the original message's queue id
  std::string notice_id;  // the notice's own queue id
  std::string sender;     // the original's envelope sender: the notice goes to it
  std::int64_t epoch = 0;
  SimTime now = 0;
  SimTime arrival = 0;
  Duration warn_after = 0;     // delay_warning_time, for the warning's text
  Duration give_up_after = 0;  // maximal_queue_lifetime: the text, and Will-Retry-Until
  std::vector<DsnRecipient> rcpts;
  std::string original;  // the message as queued (CRLF), returned whole or as headers
};

// The whole notice as cleanup(8) queues it (CRLF line ends): Received, Date, From, Subject, To,
// Auto-Submitted, MIME headers, Message-Id, then the three parts.
std::string compose_notice(const Notice& n);

// Postfix's bounce(8) line wrapping: words fill lines of up to 79 columns, continued with 4 spaces.
std::string wrap_dsn_line(const std::string& text);

}  // namespace postlab
