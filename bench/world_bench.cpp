#include "world_bench.h"

#include <stdexcept>

#include "agents/world.h"
#include "common.h"
#include "scenario/load.h"

namespace postlab::bench {

namespace {

Scenario load(const WorldShape& shape, const std::string& name) {
  LoadResult r = load_scenario_file(LessonFile(shape, name).path());
  if (!r.ok()) throw std::runtime_error("generated lesson does not load: " + r.errors.front().str());
  return std::move(*r.scenario);
}

}  // namespace

void bench_world(const WorldShape& shape, std::string_view label) {
  const std::string l(label);
  auto start = Clock::now();
  const Scenario scenario = load(shape, l);
  const double load_s = seconds_since(start);
  World world(scenario);
  reset_peak_rss();
  const std::size_t rss_before = rss_bytes();
  start = Clock::now();
  const bool finished = world.run();
  const double run_s = seconds_since(start);
  const std::size_t peak = peak_rss_bytes();

  const Trace& trace = world.trace();
  std::size_t accepted = 0, stored = 0;
  for (const auto& e : trace.events()) {
    if (e.kind == EventKind::MessageAccepted) ++accepted;
    if (e.kind == EventKind::MessageStored) ++stored;
  }
  figure(l + " world", std::to_string(shape.mtas) + " MTAs, " + std::to_string(shape.mtas) + " devices, " +
                           std::to_string(shape.messages) + " messages" +
                           (shape.submission ? ", submission on 587 with STARTTLS and AUTH" : ", port 25 in the clear"));
  if (!finished) figure(l + " run stopped", world.limit_hit()->limit);
  figure(l + " lesson load", load_s * 1000, "ms", 0);
  figure(l + " run time", run_s, "s", 2);
  figure(l + " messages delivered", std::to_string(stored) + " of " + std::to_string(shape.messages) + " (" +
                                        std::to_string(accepted) + " acceptances by MTAs)");
  figure(l + " messages/s", static_cast<double>(stored) / run_s, "messages/s", 0);
  figure(l + " trace events", std::to_string(trace.size()));
  figure(l + " trace events/s", static_cast<double>(trace.size()) / run_s, "events/s", 0);
  figure(l + " trace memory", mib(trace.bytes()) + " (Trace::bytes)");
  figure(l + " bytes per event", static_cast<double>(trace.bytes()) / static_cast<double>(trace.size()), "B", 0);
  figure(l + " peak RSS", mib(peak) + " (" + mib(peak - rss_before) + " above the loaded lesson)");
}

std::size_t messages_for_events(WorldShape shape, std::size_t events, std::size_t sample) {
  shape.messages = sample;
  const Scenario scenario = load(shape, "sample");
  World world(scenario);
  world.run();
  const double per_message = static_cast<double>(world.trace().size()) / static_cast<double>(sample);
  return static_cast<std::size_t>(static_cast<double>(events) / per_message + 0.5);
}

}  // namespace postlab::bench
