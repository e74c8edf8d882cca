#include "core/name.h"

#include <deque>
#include <map>
#include <mutex>

namespace postlab {

namespace {
// The table: texts in the order they were first seen (a deque never moves them) and a map to find
// one. The numbers never reach any output, so the order in which lessons meet names does not matter.
struct Table {
  std::mutex lock;
  std::deque<std::string> texts{std::string()};
  std::map<std::string, std::uint32_t, std::less<>> ids{{std::string(), 0}};
};
Table& table() {
  static Table t;
  return t;
}
}  // namespace

std::uint32_t Name::intern(std::string_view text) {
  if (text.empty()) return 0;
  Table& t = table();
  std::lock_guard<std::mutex> guard(t.lock);
  if (auto it = t.ids.find(text); it != t.ids.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(t.texts.size());
  t.texts.emplace_back(text);
  t.ids.emplace(t.texts.back(), id);
  return id;
}

const std::string& Name::text(std::uint32_t id) {
  Table& t = table();
  std::lock_guard<std::mutex> guard(t.lock);
  return t.texts[id];
}

}  // namespace postlab
