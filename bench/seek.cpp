#include "seek.h"

#include <string>
#include <vector>

#include "common.h"
#include "core/rng.h"
#include "trace/player.h"
#include "trace/trace.h"
#include "trace/view.h"

namespace postlab::bench {

void bench_seek(const Scenario& scenario, const Trace& trace, std::string_view label, std::size_t seeks,
                std::uint64_t seed) {
  const std::string l(label);
  reset_peak_rss();
  const std::size_t rss_before = rss_bytes();
  auto start = Clock::now();
  Player player(trace, ViewState::initial(scenario));
  const double build_s = seconds_since(start);
  const std::size_t rss_after = rss_bytes();
  const std::size_t peak = peak_rss_bytes();

  Rng rng(seed);
  std::vector<double> ms;
  ms.reserve(seeks);
  std::size_t checksum = 0;  // keeps the seeks from being optimised away
  for (std::size_t i = 0; i < seeks; ++i) {
    const auto step = static_cast<std::size_t>(rng.uniform(0, player.steps()));
    start = Clock::now();
    player.seek(step);
    ms.push_back(seconds_since(start) * 1000);
    checksum += player.view().applied;
  }
  const double events = static_cast<double>(trace.size());
  const std::size_t grown = rss_after > rss_before ? rss_after - rss_before : 0;
  figure(l + " trace events", std::to_string(trace.size()) + " (" + std::to_string(player.steps()) + " steps)");
  figure(l + " player build", build_s * 1000, "ms", 0);
  figure(l + " seek p50", percentile(ms, 50), "ms", 3);
  figure(l + " seek p99", percentile(ms, 99), "ms", 3);
  figure(l + " seek max", percentile(ms, 100), "ms", 3);
  figure(l + " player memory", mib(grown) + " (" + std::to_string(static_cast<std::size_t>(static_cast<double>(grown) / events)) +
                                   " B per event; peak while building " +
                                   mib(peak > rss_before ? peak - rss_before : 0) + ")");
  if (checksum == 0 && player.steps() > 0 && seeks > 100) figure(l + " note", "every seek landed at step 0");
}

}  // namespace postlab::bench
