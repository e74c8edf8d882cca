// Every SMTP limit in one place. Defaults are Postfix's (mail_params.h); the RFC minimums are noted.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/time.h"

namespace postlab::smtp {

inline constexpr int kPort = 25;            // RFC 5321 §4.5.4 relay port
inline constexpr int kSubmissionPort = 587; // RFC 6409 §3.1

// Postfix message_size_limit; advertised as "SIZE 10240000" (RFC 1870).
inline constexpr std::size_t kMessageSizeLimit = 10240000;
// Postfix smtpd_recipient_limit; RFC 5321 §4.5.3.1.8 asks servers to take at least 100.
inline constexpr std::size_t kRecipientLimit = 1000;
// Postfix line_length_limit: longer command lines are cut here and the rest discarded (no error reply).
// RFC 5321 §4.5.3.1.4 sets 512 octets as the command line every server must accept.
inline constexpr std::size_t kLineLengthLimit = 2048;
// Postfix smtpd_hard_error_limit: at this many errors the server says 421 and hangs up.
inline constexpr int kHardErrorLimit = 20;
// Largest BDAT chunk size (RFC 3030 §3 "1*DIGIT"): Postfix reads it into a signed 64-bit off_t, so a
// larger value is a syntax error however many digits it has.
inline constexpr std::uint64_t kBdatMaxCount = 9223372036854775807ull;
// Longest reply line a client buffers before calling the reply malformed (RFC 5321 §4.5.3.1.5 is 512).
inline constexpr std::size_t kMaxReplyLine = 4096;
// Most lines of one multi-line reply a client accepts.
inline constexpr std::size_t kMaxReplyLines = 100;

// How long each side waits, Postfix 3.7's defaults (`postconf -d`). A lesson's MTA policy may set
// any of them ("timeouts"); RFC 5321 §4.5.3.2 gives the same minimums for the client.
inline constexpr Duration kSmtpdTimeout = 300 * kSecond;          // smtpd_timeout: server, per command or reply
inline constexpr Duration kSmtpConnectTimeout = 30 * kSecond;     // smtp_connect_timeout: TCP connect
inline constexpr Duration kSmtpHeloTimeout = 300 * kSecond;       // smtp_helo_timeout: greeting, EHLO/HELO, STARTTLS, AUTH
inline constexpr Duration kSmtpMailTimeout = 300 * kSecond;       // smtp_mail_timeout: reply to MAIL FROM
inline constexpr Duration kSmtpRcptTimeout = 300 * kSecond;       // smtp_rcpt_timeout: reply to RCPT TO
inline constexpr Duration kSmtpDataInitTimeout = 120 * kSecond;   // smtp_data_init_timeout: DATA until 354
// smtp_data_xfer_timeout: each write of the text. Writes never block here (the text goes out at
// once), so only the wait for the reply after it (data_done) can run out; kept so a lesson may name it.
inline constexpr Duration kSmtpDataXferTimeout = 180 * kSecond;
inline constexpr Duration kSmtpDataDoneTimeout = 600 * kSecond;   // smtp_data_done_timeout: final "." until its reply
inline constexpr Duration kSmtpQuitTimeout = 300 * kSecond;       // smtp_quit_timeout: reply to QUIT

// The client's waits, one per stage (Postfix smtp_proto.c xfer_timeouts).
struct ClientTimeouts {
  Duration connect = kSmtpConnectTimeout;
  Duration helo = kSmtpHeloTimeout;
  Duration mail = kSmtpMailTimeout;
  Duration rcpt = kSmtpRcptTimeout;
  Duration data_init = kSmtpDataInitTimeout;
  Duration data_xfer = kSmtpDataXferTimeout;
  Duration data_done = kSmtpDataDoneTimeout;
  Duration quit = kSmtpQuitTimeout;
};

}  // namespace postlab::smtp
