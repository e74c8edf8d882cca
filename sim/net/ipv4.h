// IPv4 addresses and networks in CIDR notation (RFC 4632), as Postfix's mynetworks lists them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postlab {

// "198.51.100.7" -> its 32-bit value; nullopt unless it is four decimal numbers 0-255 without
// leading zeros.
std::optional<std::uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(std::uint32_t address);

struct Ipv4Net {
  std::uint32_t base = 0;  // host bits are zero
  int prefix = 32;         // 0-32
  bool contains(std::uint32_t address) const;
  std::string str() const;  // "192.0.2.0/24"
};

// "192.0.2.0/24", or an address alone ("192.0.2.10", a /32). nullopt when malformed; `host_bits`
// (when given) is set when the address has bits set beyond the prefix ("192.0.2.1/24"), which Postfix
// refuses: the network is then what the prefix keeps.
std::optional<Ipv4Net> parse_ipv4_net(std::string_view text, bool* host_bits = nullptr);

}  // namespace postlab
