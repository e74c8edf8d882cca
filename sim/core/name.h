// A short text that many trace events repeat (host names, mailbox addresses, folder names, the
// Spanish text of a narration): held once in a table for the whole program, kept by an event as a
// 4-byte number. Reads like a const std::string.
#pragma once
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace postlab {

class Name {
 public:
  Name() = default;
  Name(std::string_view text) : id_(intern(text)) {}  // NOLINT: a name is written like a string
  Name(const std::string& text) : Name(std::string_view(text)) {}
  Name(const char* text) : Name(std::string_view(text)) {}

  const std::string& str() const { return text(id_); }
  operator const std::string&() const { return str(); }  // NOLINT: read like a string
  bool empty() const { return id_ == 0; }
  std::size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }

  friend bool operator==(const Name& a, const Name& b) { return a.id_ == b.id_; }
  friend bool operator==(const Name& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const Name& a, const char* b) { return a.str() == b; }
  friend bool operator==(const Name& a, const std::string& b) { return a.str() == b; }
  friend std::strong_ordering operator<=>(const Name& a, const Name& b) { return a.str() <=> b.str(); }
  friend std::string operator+(const std::string& a, const Name& b) { return a + b.str(); }
  friend std::string operator+(const Name& a, const std::string& b) { return a.str() + b; }
  friend std::string operator+(const char* a, const Name& b) { return a + b.str(); }
  friend std::string operator+(const Name& a, const char* b) { return a.str() + b; }
  friend std::string operator+(std::string&& a, const Name& b) { return std::move(a) + b.str(); }

 private:
  static std::uint32_t intern(std::string_view text);
  static const std::string& text(std::uint32_t id);
  std::uint32_t id_ = 0;
};

}  // namespace postlab
