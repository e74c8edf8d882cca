// The lesson's DNS: A and MX records (RFC 1035), MX chosen by preference (RFC 5321 §5.1).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

class Rng;

enum class DnsType { A, MX };
const char* to_string(DnsType t);

struct DnsRecord {
  std::string name;    // lower case, no trailing dot
  DnsType type = DnsType::A;
  int preference = 0;  // MX only
  std::string value;   // A: dotted quad; MX: exchange host name
};

class Dns {
 public:
  void add(DnsRecord record);
  std::vector<DnsRecord> lookup(std::string_view name, DnsType type) const;  // in insertion order
  bool has_name(std::string_view name) const;  // any record at all: NODATA rather than NXDOMAIN
  // MX records ordered by preference; equal preferences shuffled with rng (RFC 5321 §5.1 "SHOULD").
  std::vector<DnsRecord> mx_ordered(std::string_view domain, Rng& rng) const;
  // Zone-file style line: "correo.example. 3600 IN MX 10 mx.correo.example."
  static std::string format(const DnsRecord& r);

 private:
  std::vector<DnsRecord> records_;
  // Record numbers by name in lower case (names compare without regard to case, RFC 4343), in the
  // order they were added: a lookup in a world of hundreds of domains reads only its own records.
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_name_;
};

bool is_valid_ipv4(std::string_view text);

}  // namespace postlab
