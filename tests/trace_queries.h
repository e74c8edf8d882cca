// Small look-ups over a finished trace, shared by the tests that run whole worlds.
#pragma once
#include <string>
#include <vector>

#include "trace/trace.h"
#include "trace/view.h"

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

// The state after n events, replayed from zero into a fresh trace: the same fold, without the
// interval tables' shortcuts (every message first, then the first n events).
inline ViewState replay_from_zero(const Trace& t, std::size_t n) {
  Trace fresh;
  for (const auto& m : t.messages()) fresh.add_message(m);
  for (std::size_t i = 0; i < n; ++i) fresh.append(t.events()[i]);
  return StateView(fresh, n).snapshot();
}

}  // namespace postlab::testing
