#include "core/time.h"

#include <array>
#include <cstdio>
#include <limits>

namespace postlab {
namespace {

std::optional<Duration> unit_of(std::string_view u) {
  if (u == "us") return kMicrosecond;
  if (u == "ms") return kMillisecond;
  if (u == "s") return kSecond;
  if (u == "m") return kMinute;
  if (u == "h") return kHour;
  if (u == "d") return kDay;
  return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's civil-day algorithm, own code).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return Duration{0};
  Duration total = 0;
  Duration previous_unit = std::numeric_limits<Duration>::max();
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) return std::nullopt;
    std::int64_t value = 0;
    while (i < text.size() && is_digit(text[i])) {
      value = value * 10 + (text[i] - '0');
      if (value > kMaxDuration) return std::nullopt;
      ++i;
    }
    std::size_t start = i;
    while (i < text.size() && !is_digit(text[i])) ++i;
    auto unit = unit_of(text.substr(start, i - start));
    // Units must go from large to small, each once: "1h30m" yes, "30m1h" no.
    if (!unit || *unit >= previous_unit) return std::nullopt;
    previous_unit = *unit;
    if (value > kMaxDuration / *unit) return std::nullopt;
    total += value * *unit;
    if (total > kMaxDuration) return std::nullopt;
  }
  return total;
}

std::string format_duration(Duration d) {
  if (d == 0) return "0s";
  std::string out;
  if (d < 0) {
    out = "-";
    d = -d;
  }
  static constexpr std::array<std::pair<Duration, const char*>, 6> units{
      {{kDay, "d"}, {kHour, "h"}, {kMinute, "m"}, {kSecond, "s"}, {kMillisecond, "ms"}, {kMicrosecond, "us"}}};
  for (const auto& [size, name] : units) {
    if (d >= size) {
      out += std::to_string(d / size);
      out += name;
      d %= size;
    }
  }
  return out;
}

std::string format_clock(SimTime t) {
  const bool negative = t < 0;
  if (negative) t = -t;
  const std::int64_t days = t / kDay;
  const std::int64_t rest = t % kDay;
  char buf[64];
  const int h = static_cast<int>(rest / kHour);
  const int m = static_cast<int>(rest % kHour / kMinute);
  const int s = static_cast<int>(rest % kMinute / kSecond);
  const int ms = static_cast<int>(rest % kSecond / kMillisecond);
  if (days > 0)
    std::snprintf(buf, sizeof buf, "%s%lldd %02d:%02d:%02d.%03d", negative ? "-" : "", static_cast<long long>(days), h,
                  m, s, ms);
  else
    std::snprintf(buf, sizeof buf, "%s%02d:%02d:%02d.%03d", negative ? "-" : "", h, m, s, ms);
  return buf;
}

std::string format_log_delay(Duration d) {
  // Postfix log_adhoc.c/format_tv(): two significant digits for small values, and large values
  // rounded to whole seconds ("delay=300", never "3e+02").
  if (d >= 10 * kSecond) return std::to_string((d + kSecond / 2) / kSecond);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", static_cast<double>(d) / kSecond);
  return buf;
}

std::optional<std::int64_t> parse_utc_instant(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SSZ
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z')
    return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!is_digit(text[i])) return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  if (*y < 1970 || *mo < 1 || *mo > 12 || *d < 1 || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  static constexpr std::array<int, 12> month_days{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  const int max_day = (*mo == 2 && !leap) ? 28 : month_days[static_cast<std::size_t>(*mo - 1)];
  if (*d > max_day) return std::nullopt;
  const std::int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  return days * 86400 + *h * 3600 + *mi * 60 + *s;
}

std::string format_rfc5322_date(SimTime t, std::int64_t epoch_unix_seconds, bool postfix_style) {
  static constexpr std::array<const char*, 7> weekdays{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t unix_seconds = epoch_unix_seconds + floor_div(t, kSecond);
  const std::int64_t days = floor_div(unix_seconds, 86400);
  const std::int64_t secs = unix_seconds - days * 86400;
  const Civil c = civil_from_days(days);
  const auto weekday = static_cast<std::size_t>(((days % 7) + 7) % 7);  // 1970-01-01 was a Thursday
  char buf[64];
  std::snprintf(buf, sizeof buf, postfix_style ? "%s, %2u %s %lld %02d:%02d:%02d +0000 (UTC)" : "%s, %u %s %lld %02d:%02d:%02d +0000", weekdays[weekday], c.day,
                months[c.month - 1], static_cast<long long>(c.year), static_cast<int>(secs / 3600),
                static_cast<int>(secs % 3600 / 60), static_cast<int>(secs % 60));
  return buf;
}

std::string format_compact_utc(SimTime t, std::int64_t epoch_unix_seconds) {
  const std::int64_t unix_seconds = epoch_unix_seconds + floor_div(t, kSecond);
  const std::int64_t days = floor_div(unix_seconds, 86400);
  const std::int64_t secs = unix_seconds - days * 86400;
  const Civil c = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u%02d%02d%02d", static_cast<long long>(c.year), c.month, c.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs % 3600 / 60), static_cast<int>(secs % 60));
  return buf;
}

}  // namespace postlab
