// A sentence to show a person: a translation key and its arguments ("{0}", "{1}", ...), so the same
// event reads in English or Spanish. Wire lines and log lines go in as arguments, unchanged.
#pragma once
#include <string>
#include <vector>

namespace postlab {

struct Phrase {
  std::string key;
  std::vector<std::string> args;
  bool operator==(const Phrase&) const = default;
};

}  // namespace postlab
