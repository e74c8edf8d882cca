// Small look-ups over a finished trace, shared by the tests that run whole worlds.
#pragma once
#include <string>
#include <vector>

#include "trace/trace.h"

namespace postlab::testing {

inline std::vector<const TraceEvent*> of_kind(const Trace& t, EventKind kind) {
  std::vector<const TraceEvent*> out;
  for (const auto& e : t.events())
    if (e.kind == kind) out.push_back(&e);
  return out;
}

// True when some write on a connection was exactly these bytes.
inline bool has_line(const Trace& t, const std::string& text) {
  for (const auto& e : t.events())
    if (e.kind == EventKind::Line && e.text == text) return true;
  return false;
}

}  // namespace postlab::testing
