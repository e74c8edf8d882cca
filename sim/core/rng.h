// Seeded, portable pseudo-random numbers. One generator per world; named streams derived from its seed.
#pragma once
#include <cstdint>
#include <string_view>

namespace postlab {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  // splitmix64: small, fast, and identical on every standard library.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform integer in [lo, hi] by rejection (no modulo bias, no std distributions).
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    if (hi <= lo) return lo;
    const std::uint64_t span = hi - lo + 1;
    if (span == 0) return next();  // full 64-bit range
    const std::uint64_t limit = (~std::uint64_t{0} / span) * span;
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return lo + x % span;
  }

  // An independent stream for one purpose ("queue-ids", "message-ids", ...).
  Rng derive(std::string_view name) const {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
    for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
    Rng mixer(state_ ^ h);
    return Rng(mixer.next());
  }

 private:
  std::uint64_t state_;
};

}  // namespace postlab
