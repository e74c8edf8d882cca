// The event engine on SimPy's classic workload: processes that each wait a random 1-1,000 time units
// in a loop, until a fixed number of waits has ended.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace postlab::bench {

struct EngineRun {
  std::size_t events = 0;  // waits that ended
  double seconds = 0;      // wall time of the run (scheduling the first waits included)
};

EngineRun run_engine_workload(std::size_t processes, std::size_t events, std::uint64_t seed);

// The same workload under SimPy (bench/simpy_workload.py) in a child Python. Without SimPy the result
// is empty and `why` says so.
std::optional<EngineRun> run_simpy_workload(const std::string& script, std::size_t processes, std::size_t events,
                                            std::string* why, std::string* version);

// Prints the engine's figures, SimPy's and their ratio.
void bench_engine(std::size_t events, const std::string& simpy_script);

}  // namespace postlab::bench
