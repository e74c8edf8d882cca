// Simulated SMTP on a generated world: messages per second of World::run, the trace it writes, memory.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "lesson_gen.h"

namespace postlab {
class Trace;
struct Scenario;
}  // namespace postlab

namespace postlab::bench {

// Loads the generated lesson, runs it, and prints its figures under `label`.
void bench_world(const WorldShape& shape, std::string_view label);

// Messages needed for a plain world of `shape` (messages ignored) to write about `events` trace events,
// from a small run of `sample` messages.
std::size_t messages_for_events(WorldShape shape, std::size_t events, std::size_t sample = 400);

}  // namespace postlab::bench
