// The text of a trace event (a wire line, a log line, a narration): a view of bytes. While an event
// is being built it may point at any text its author holds until the event is appended; the trace
// then copies the bytes into its own store (TextStore) and points there, so a stored event's text
// lives as long as the trace, with no allocation of its own. Reads like a std::string_view.
#pragma once
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

class TraceText {
 public:
  static constexpr std::size_t npos = std::string_view::npos;

  TraceText() = default;
  TraceText(const char* text) : TraceText(std::string_view(text)) {}  // NOLINT: written like a string
  TraceText(std::string_view text) : data_(text.data()), size_(text.size()) {}  // NOLINT
  TraceText(const std::string& text) : TraceText(std::string_view(text)) {}  // NOLINT
  // A temporary would be gone before the event is appended: build the text in a named string first.
  TraceText(std::string&&) = delete;
  TraceText& operator=(std::string&&) = delete;
  TraceText& operator=(const std::string& text) { return *this = TraceText(text); }
  TraceText& operator=(std::string_view text) { return *this = TraceText(text); }
  TraceText& operator=(const char* text) { return *this = TraceText(text); }
  TraceText(const TraceText&) = default;
  TraceText& operator=(const TraceText&) = default;

  std::string_view view() const { return {data_, size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: read like a string
  operator std::string() const { return std::string(view()); }  // NOLINT
  std::string str() const { return std::string(view()); }

  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const char* begin() const { return data_; }
  const char* end() const { return data_ + size_; }
  char operator[](std::size_t i) const { return data_[i]; }
  char front() const { return data_[0]; }
  char back() const { return data_[size_ - 1]; }
  std::size_t find(std::string_view s, std::size_t pos = 0) const { return view().find(s, pos); }
  std::size_t find(char c, std::size_t pos = 0) const { return view().find(c, pos); }
  std::size_t rfind(std::string_view s, std::size_t pos = npos) const { return view().rfind(s, pos); }
  std::size_t rfind(char c, std::size_t pos = npos) const { return view().rfind(c, pos); }
  std::string_view substr(std::size_t pos, std::size_t n = npos) const { return view().substr(pos, n); }
  bool starts_with(std::string_view s) const { return view().starts_with(s); }
  bool ends_with(std::string_view s) const { return view().ends_with(s); }
  int compare(std::string_view s) const { return view().compare(s); }

  friend bool operator==(const TraceText& a, const TraceText& b) { return a.view() == b.view(); }
  friend bool operator==(const TraceText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const TraceText& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const TraceText& a, const char* b) { return a.view() == b; }
  friend std::string operator+(const TraceText& a, std::string_view b) { return a.str().append(b); }
  friend std::string operator+(const TraceText& a, const char* b) { return a.str().append(b); }
  friend std::string operator+(const TraceText& a, const std::string& b) { return a.str().append(b); }
  friend std::string operator+(const std::string& a, const TraceText& b) { return std::string(a).append(b.view()); }
  friend std::string operator+(const char* a, const TraceText& b) { return std::string(a).append(b.view()); }
  friend std::ostream& operator<<(std::ostream& out, const TraceText& t) { return out << t.view(); }

 private:
  const char* data_ = "";
  std::size_t size_ = 0;
};

// Where a trace keeps the bytes of its events' texts: appended in large pages, never moved or freed
// before the trace is.
class TextStore {
 public:
  TextStore() = default;
  TextStore(const TextStore&) = delete;
  TextStore& operator=(const TextStore&) = delete;
  ~TextStore();
  std::string_view keep(std::string_view text);

 private:
  struct Block {
    char* data;
    std::size_t size;
  };
  std::vector<Block> blocks_;
  char* cursor_ = nullptr;  // free space in the current block
  std::size_t left_ = 0;
};

}  // namespace postlab
