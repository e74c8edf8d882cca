// Small helpers shared by the benchmarks: wall time, memory, percentiles, one figure per line.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace postlab::bench {

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Resident memory now (VmRSS) and its peak (VmHWM), in bytes, from /proc/self/status (0 if unknown).
std::size_t rss_bytes();
std::size_t peak_rss_bytes();
// Starts the peak over from the current RSS (Linux: "5" to /proc/self/clear_refs), after handing
// freed memory back to the system. False when the kernel does not allow it.
bool reset_peak_rss();

// The p-th percentile (0..100) of the samples, by the nearest-rank method; sorts a copy.
double percentile(std::vector<double> samples, double p);

// One figure per line: "name: value unit". Flushes, so figures show while the rest still runs.
void figure(std::string_view name, std::string_view value);
void figure(std::string_view name, double value, std::string_view unit, int decimals = 1);

std::string mib(std::size_t bytes);  // "123.4 MiB"

// Runs `section` in a child process (so that its memory figures are its own and a crash in it does
// not end the others); returns false when the child failed.
bool in_child(std::string_view name, const std::function<void()>& section);

}  // namespace postlab::bench
