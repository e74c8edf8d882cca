#include "net/dns.h"

#include <algorithm>

#include "core/ascii.h"
#include "core/rng.h"
#include "mail/message.h"

namespace postlab {

const char* to_string(DnsType t) { return t == DnsType::A ? "A" : "MX"; }

namespace {
std::string lower(std::string_view s) { return ascii_lower(s); }
}  // namespace

void Dns::add(DnsRecord record) {
  by_name_[lower(record.name)].push_back(records_.size());
  records_.push_back(std::move(record));
}

std::vector<DnsRecord> Dns::lookup(std::string_view name, DnsType type) const {
  std::vector<DnsRecord> out;
  auto it = by_name_.find(lower(name));
  if (it == by_name_.end()) return out;
  for (std::size_t i : it->second)
    if (records_[i].type == type) out.push_back(records_[i]);
  return out;
}

bool Dns::has_name(std::string_view name) const { return by_name_.count(lower(name)) != 0; }

std::vector<DnsRecord> Dns::mx_ordered(std::string_view domain, Rng& rng) const {
  auto mx = lookup(domain, DnsType::MX);
  std::stable_sort(mx.begin(), mx.end(), [](const auto& a, const auto& b) { return a.preference < b.preference; });
  // Fisher-Yates within each run of equal preference, with our own uniform() for portability.
  for (std::size_t start = 0; start < mx.size();) {
    std::size_t end = start;
    while (end < mx.size() && mx[end].preference == mx[start].preference) ++end;
    for (std::size_t i = end - 1; i > start; --i) {
      const auto j = static_cast<std::size_t>(rng.uniform(start, i));
      std::swap(mx[i], mx[j]);
    }
    start = end;
  }
  return mx;
}

std::string Dns::format(const DnsRecord& r) {
  std::string line = r.name + ". 3600 IN " + to_string(r.type) + " ";
  if (r.type == DnsType::MX) line += std::to_string(r.preference) + " " + r.value + ".";
  else line += r.value;
  return line;
}

bool is_valid_ipv4(std::string_view text) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text[i - digits] == '0')) return false;
    ++parts;
    if (i == text.size()) break;
    if (text[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

}  // namespace postlab
