// postlab-bench: PostLab's performance figures, one per line ("name: value unit"), starting with the
// machine's core count. `--quick` runs small sizes (a smoke run of a few seconds); the default sizes
// are the ones README's Performance section reports. Each section runs in a child process, so its
// memory figures are its own.
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "agents/world.h"
#include "common.h"
#include "engine.h"
#include "lesson_gen.h"
#include "scenario/load.h"
#include "seek.h"
#include "world_bench.h"

namespace {

using namespace postlab;
using namespace postlab::bench;

constexpr const char* kSections[] = {"engine", "smtp", "seek"};

int usage(std::ostream& out, int status) {
  out << "Usage: postlab-bench [--quick] [--only SECTION[,SECTION...]]\n"
         "Prints PostLab's performance figures, one per line.\n"
         "  --quick   small sizes, for a smoke run (figures are not comparable with the full run)\n"
         "  --only    run only these sections: engine, smtp, seek\n"
         "SimPy's side of the engine figure runs bench/simpy_workload.py with Debian's python3-simpy;\n"
         "without it that figure says skipped.\n";
  return status;
}

// A plain generated world sized to about `events` trace events, run, then its player measured.
void seek_section(std::size_t events, std::size_t seeks, std::string_view label) {
  WorldShape shape;
  shape.messages = messages_for_events(shape, events);
  LoadResult r = load_scenario_file(LessonFile(shape, "seek").path());
  if (!r.ok()) {
    figure(label, "failed: " + r.errors.front().str());
    return;
  }
  World world(*r.scenario);
  if (!world.run()) figure(std::string(label) + " run stopped", world.limit_hit()->limit);
  bench_seek(world.trace(), label, seeks, 7);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::set<std::string> only;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--only" && i + 1 < argc) {
      std::string list = argv[++i];
      for (std::size_t pos = 0; pos <= list.size();) {
        const std::size_t comma = std::min(list.find(',', pos), list.size());
        only.insert(list.substr(pos, comma - pos));
        pos = comma + 1;
      }
    } else if (a == "--help" || a == "-h") {
      return usage(std::cout, 0);
    } else {
      std::cerr << "postlab-bench: unknown argument " << a << "\n";
      return usage(std::cerr, 2);
    }
  }
  for (const auto& s : only) {
    bool known = false;
    for (const char* k : kSections) known = known || s == k;
    if (!known) {
      std::cerr << "postlab-bench: unknown section " << s << "\n";
      return usage(std::cerr, 2);
    }
  }
  auto wanted = [&](std::string_view s) { return only.empty() || only.count(std::string(s)) > 0; };

  figure("cores", std::to_string(std::thread::hardware_concurrency()));
  figure("mode", quick ? "quick (small sizes)" : "full");
  bool ok = true;

  if (wanted("engine")) {
    const std::size_t events = quick ? 100'000 : 1'000'000;
    const std::string script = std::string(POSTLAB_SOURCE_DIR) + "/bench/simpy_workload.py";
    ok &= in_child("engine", [&] { bench_engine(events, script); });
  }
  if (wanted("smtp")) {
    WorldShape plain;
    plain.messages = quick ? 2'000 : 20'000;
    ok &= in_child("smtp plain", [&] { bench_world(plain, "smtp plain"); });
    WorldShape secure = plain;
    secure.submission = true;
    ok &= in_child("smtp submission", [&] { bench_world(secure, "smtp submission"); });
  }
  if (wanted("seek")) {
    const std::size_t seeks = quick ? 1'000 : 10'000;
    const std::size_t small = quick ? 10'000 : 100'000, large = quick ? 100'000 : 1'000'000;
    ok &= in_child("seek 1e5", [&] { seek_section(small, seeks, quick ? "seek 1e4" : "seek 1e5"); });
    ok &= in_child("seek 1e6", [&] { seek_section(large, seeks, quick ? "seek 1e5" : "seek 1e6"); });
  }
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
