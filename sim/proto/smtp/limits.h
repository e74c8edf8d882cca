// Every SMTP limit in one place. Defaults are Postfix's (mail_params.h); the RFC minimums are noted.
#pragma once
#include <cstddef>
#include <cstdint>

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

}  // namespace postlab::smtp
