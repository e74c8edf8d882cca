// Seek latency of the trace player (sim/trace/player.h), and the memory it keeps beside the trace.
// Its own file because it is the one place that knows the Player's API.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace postlab {
class Trace;
}  // namespace postlab

namespace postlab::bench {

// Builds a Player over the finished trace, then seeks to `seeks` random steps (seeded) and prints
// p50/p99/max latency, the time to build the player, and its memory (RSS growth, per trace event).
void bench_seek(const Trace& trace, std::string_view label, std::size_t seeks,
                std::uint64_t seed);

}  // namespace postlab::bench
