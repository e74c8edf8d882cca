#include "engine.h"

#include <cstdio>
#include <sstream>
#include <vector>

#include "common.h"
#include "core/rng.h"
#include "core/simulator.h"

namespace postlab::bench {

namespace {

struct Workload {
  Simulator sim;
  Rng rng{0};
  std::size_t done = 0;
  std::size_t limit = 0;
};

// One process's wake-up: count the wait that ended, then wait again.
struct Wake {
  Workload* w;
  void operator()() const {
    ++w->done;
    w->sim.after(static_cast<Duration>(w->rng.uniform(1, 1000)), Wake{w});
  }
};

// Where Debian's python3-simpy is importable: the system interpreter, not a user's own Python.
std::string python() {
  std::FILE* f = std::fopen("/usr/bin/python3", "r");
  if (!f) return "python3";
  std::fclose(f);
  return "/usr/bin/python3";
}

}  // namespace

EngineRun run_engine_workload(std::size_t processes, std::size_t events, std::uint64_t seed) {
  Workload w;
  w.rng = Rng(seed);
  w.limit = events;
  const auto start = Clock::now();
  for (std::size_t p = 0; p < processes; ++p) w.sim.after(static_cast<Duration>(w.rng.uniform(1, 1000)), Wake{&w});
  while (w.done < w.limit && w.sim.step()) {
  }
  return EngineRun{w.done, seconds_since(start)};
}

std::optional<EngineRun> run_simpy_workload(const std::string& script, std::size_t processes, std::size_t events,
                                            std::string* why, std::string* version) {
  const std::string command =
      python() + " '" + script + "' " + std::to_string(events) + " " + std::to_string(processes) + " 2>&1";
  std::FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    *why = "cannot start python3";
    return std::nullopt;
  }
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  const int status = pclose(pipe);
  // The script prints "simpy VERSION", then "events N seconds S"; exit status 3 without SimPy.
  std::istringstream lines(out);
  std::string line;
  EngineRun run;
  bool have = false;
  while (std::getline(lines, line)) {
    if (line.rfind("simpy ", 0) == 0) *version = line.substr(6);
    if (std::sscanf(line.c_str(), "events %zu seconds %lf", &run.events, &run.seconds) == 2) have = true;
  }
  if (have && status == 0) return run;
  if (out.find("no-simpy") != std::string::npos)
    *why = "python3-simpy not installed";
  else
    *why = "python3 failed: " + out.substr(0, out.find('\n'));
  return std::nullopt;
}

void bench_engine(std::size_t events, const std::string& simpy_script) {
  constexpr std::size_t kProcesses = 1000;
  constexpr std::uint64_t kSeed = 42;
  constexpr int kRuns = 3;  // each side's figure is the median of three runs (this machine is noisy)
  reset_peak_rss();
  const std::size_t before = peak_rss_bytes();
  std::vector<double> ours;
  for (int i = 0; i < kRuns; ++i) {
    const EngineRun run = run_engine_workload(kProcesses, events, kSeed);
    ours.push_back(static_cast<double>(run.events) / run.seconds);
  }
  const double ours_rate = percentile(ours, 50);
  figure("engine workload", std::to_string(kProcesses) + " processes, " + std::to_string(events) +
                                " waits of 1-1000 units, median of " + std::to_string(kRuns) + " runs");
  figure("engine events/s", ours_rate, "events/s", 0);
  figure("engine memory growth", mib(peak_rss_bytes() - before));

  std::string why, version;
  std::vector<double> simpy;
  for (int i = 0; i < kRuns; ++i) {
    const auto run = run_simpy_workload(simpy_script, kProcesses, events, &why, &version);
    if (!run) break;
    simpy.push_back(static_cast<double>(run->events) / run->seconds);
  }
  if (simpy.size() < kRuns) {
    figure("simpy events/s", "skipped (" + why + ")");
    figure("engine vs simpy", "skipped (" + why + ")");
    return;
  }
  const double simpy_rate = percentile(simpy, 50);
  figure("simpy version", version);
  figure("simpy events/s", simpy_rate, "events/s", 0);
  figure("engine vs simpy", ours_rate / simpy_rate, "x (target >= 30x)", 1);
}

}  // namespace postlab::bench
