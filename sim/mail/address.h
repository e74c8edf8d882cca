// RFC 5321 §4.1.2 / RFC 5322 §3.4.1 mailbox addresses (the addr-spec subset a lesson needs).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace postlab {

struct Address {
  std::string local;
  std::string domain;  // lower case
  std::string str() const { return local + "@" + domain; }
  bool operator==(const Address&) const = default;
};

// "bob@correo.example" -> Address. Rejects what an SMTP server would call bad address syntax.
std::optional<Address> parse_address(std::string_view text);
bool is_valid_domain(std::string_view domain);
bool is_ascii(std::string_view text);
// Lower-cases the domain part only (local parts are case-sensitive, RFC 5321 §2.4).
std::string normalize_address(std::string_view text);

// A display mailbox "Alice <alice@uni.example>" or a bare address; returns the addr-spec part.
std::optional<Address> parse_mailbox(std::string_view text);

}  // namespace postlab
