// Virtual time: integer microseconds since the lesson starts. Never double, never the wall clock.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postlab {

using SimTime = std::int64_t;   // microseconds since the lesson's start
using Duration = std::int64_t;  // microseconds

inline constexpr Duration kMicrosecond = 1;
inline constexpr Duration kMillisecond = 1000;
inline constexpr Duration kSecond = 1000 * kMillisecond;
inline constexpr Duration kMinute = 60 * kSecond;
inline constexpr Duration kHour = 60 * kMinute;
inline constexpr Duration kDay = 24 * kHour;
// The longest duration a lesson may name (a year of virtual time is far beyond any retry schedule).
inline constexpr Duration kMaxDuration = 366 * kDay;

// "250ms", "5m", "4h", "5d", "1h30m", "0". Units: us, ms, s, m, h, d. No sign, no spaces.
std::optional<Duration> parse_duration(std::string_view text);
// Compact form that parse_duration reads back: "1h30m", "250ms", "0s".
std::string format_duration(Duration d);
// Clock shown to students: "00:00:01.250", "1d 04:00:00.000" once a day has passed.
std::string format_clock(SimTime t);

// Seconds with two significant digits, as Postfix logs "delay=0.56".
std::string format_log_delay(Duration d);

// Unix seconds of an ISO 8601 UTC instant "2026-03-02T09:00:00Z" (seconds required, 'Z' required).
std::optional<std::int64_t> parse_utc_instant(std::string_view text);
// RFC 5322 §3.3 date-time for a virtual time: "Mon, 2 Mar 2026 09:00:00 +0000".
// postfix_style pads the day to two places and names the zone, as Postfix's mail_date() does in
// Received headers: "Mon,  2 Mar 2026 09:00:00 +0000 (UTC)".
std::string format_rfc5322_date(SimTime t, std::int64_t epoch_unix_seconds, bool postfix_style = false);
// "20261124131952": the UTC date and time in one word, as Postfix puts it in a Message-Id.
std::string format_compact_utc(SimTime t, std::int64_t epoch_unix_seconds);

}  // namespace postlab
