#include "net/ipv4.h"

namespace postlab {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t value = 0;
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    std::uint32_t part = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 4) {
      part = part * 10 + static_cast<std::uint32_t>(text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || part > 255 || (digits > 1 && text[i - digits] == '0')) return std::nullopt;
    value = (value << 8) | part;
    ++parts;
    if (i == text.size()) break;
    if (text[i] != '.' || parts == 4) return std::nullopt;
    ++i;
  }
  if (parts != 4) return std::nullopt;
  return value;
}

std::string format_ipv4(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) + "." +
         std::to_string(a & 255);
}

namespace {
std::uint32_t mask_of(int prefix) { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }
}  // namespace

bool Ipv4Net::contains(std::uint32_t address) const { return (address & mask_of(prefix)) == base; }

std::string Ipv4Net::str() const { return format_ipv4(base) + "/" + std::to_string(prefix); }

std::optional<Ipv4Net> parse_ipv4_net(std::string_view text, bool* host_bits) {
  if (host_bits) *host_bits = false;
  const auto slash = text.find('/');
  auto address = parse_ipv4(text.substr(0, slash));
  if (!address) return std::nullopt;
  int prefix = 32;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 2 || (p.size() == 2 && p[0] == '0')) return std::nullopt;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > 32) return std::nullopt;
  }
  const std::uint32_t base = *address & mask_of(prefix);
  if (host_bits) *host_bits = base != *address;
  return Ipv4Net{base, prefix};
}

}  // namespace postlab
