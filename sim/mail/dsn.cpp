#include "mail/dsn.h"

namespace postlab {

namespace {

constexpr std::size_t kWrapColumns = 79;  // bounce_notify_util.c, LENGTH
constexpr const char* kIndent = "    ";   // and INDENT

const char* const kFailureText =
    "I'm sorry to have to inform you that your message could not\r\n"
    "be delivered to one or more recipients. It's attached below.\r\n";

const char* const kAdvice =
    "For further assistance, please send mail to postmaster.\r\n"
    "\r\n"
    "If you do so, please include this problem report. You can\r\n"
    "delete your own text from the attached returned message.\r\n"
    "\r\n"
    "                   The mail system\r\n";

// The header section of a message (up to the empty line), CRLF kept.
std::string headers_of(const std::string& message) {
  const auto end = message.find("\r\n\r\n");
  return end == std::string::npos ? message : message.substr(0, end + 2);
}

}  // namespace

std::string wrap_dsn_line(const std::string& text) {
  std::string out, line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto space = text.find(' ', pos);
    if (space == std::string::npos) space = text.size();
    const std::string word = text.substr(pos, space - pos);
    pos = space + 1;
    if (!line.empty() && line.size() + 1 + word.size() > kWrapColumns) {
      out += line + "\r\n";
      line = kIndent + word;
    } else {
      line += (line.empty() ? "" : " ") + word;
    }
  }
  return out + line + "\r\n";
}

std::string compose_notice(const Notice& n) {
  const bool failure = n.kind == NoticeKind::Failure;
  const std::string date = format_rfc5322_date(n.now, n.epoch, true);
  // bounce_mail_init(): the boundary is the original's queue id, the time, and the host name.
  const std::string boundary =
      n.queue_id + "." + std::to_string(n.epoch + n.now / kSecond) + "/" + n.hostname;
  std::string m;
  // cleanup(8) stamps mail the system makes itself with a Received line "by" the host only.
  m += "Received: by " + n.hostname + " (Postfix)\r\n\tid " + n.notice_id + "; " + date + "\r\n";
  m += "Date: " + date + "\r\n";
  m += "From: Mail Delivery System <MAILER-DAEMON@" + n.origin + ">\r\n";
  m += failure ? "Subject: Undelivered Mail Returned to Sender\r\n" : "Subject: Delayed Mail (still being retried)\r\n";
  m += "To: " + n.sender + "\r\n";
  m += "Auto-Submitted: auto-replied\r\n";  // RFC 3834: no vacation program answers it
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "Message-Id: <" + format_compact_utc(n.now, n.epoch) + "." + n.notice_id + "@" + n.hostname + ">\r\n";
  m += "\r\nThis is a MIME-encapsulated message.\r\n\r\n";

  // Part 1: for people.
  m += "--" + boundary + "\r\nContent-Description: Notification\r\n"
       "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  m += "This is the mail system at host " + n.hostname + ".\r\n\r\n";
  if (failure) {
    m += kFailureText;
  } else {
    m += "####################################################################\r\n"
         "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
         "####################################################################\r\n\r\n";
    // bounce(5): $delay_warning_time_hours and $maximal_queue_lifetime_days, whole numbers.
    m += "Your message could not be delivered for more than " + std::to_string(n.warn_after / kHour) +
         " hour(s).\r\nIt will be retried until it is " + std::to_string(n.give_up_after / kDay) + " day(s) old.\r\n";
  }
  m += "\r\n";
  m += kAdvice;
  m += "\r\n";
  for (const auto& r : n.rcpts) m += wrap_dsn_line("<" + r.address + ">: " + r.reason) + "\r\n";

  // Part 2: for programs (RFC 3464 §2.2 per message, §2.3 per recipient).
  m += "--" + boundary + "\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n";
  m += "Reporting-MTA: dns; " + n.hostname + "\r\n";
  m += "X-Postfix-Queue-ID: " + n.queue_id + "\r\n";
  m += "X-Postfix-Sender: rfc822; " + n.sender + "\r\n";
  m += "Arrival-Date: " + format_rfc5322_date(n.arrival, n.epoch, true) + "\r\n";
  for (const auto& r : n.rcpts) {
    m += "\r\nFinal-Recipient: rfc822; " + r.address + "\r\n";
    m += "Original-Recipient: rfc822;" + r.address + "\r\n";  // Postfix writes no space here
    m += std::string("Action: ") + (failure ? "failed" : "delayed") + "\r\n";
    m += "Status: " + r.status + "\r\n";
    if (!r.remote_mta.empty()) m += "Remote-MTA: dns; " + r.remote_mta + "\r\n";
    if (!r.diagnostic.empty()) m += wrap_dsn_line("Diagnostic-Code: " + r.diagnostic);
    if (!failure) m += "Will-Retry-Until: " + format_rfc5322_date(n.arrival + n.give_up_after, n.epoch, true) + "\r\n";
  }
  m += "\r\n";

  // Part 3: the message itself (a failure notice, when small enough), else its headers.
  const bool whole = failure && n.original.size() <= kBounceSizeLimit;
  m += "--" + boundary + "\r\n";
  if (whole) {
    m += "Content-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n";
  } else {
    m += "Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n";
  }
  m += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  m += "Return-Path: <" + n.sender + ">\r\n";
  if (whole) {
    m += n.original;
    if (m.size() < 2 || m.compare(m.size() - 2, 2, "\r\n") != 0) m += "\r\n";
  } else {
    m += headers_of(n.original);
  }
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace postlab
