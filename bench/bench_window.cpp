// postlab-bench-window: the window's figures, headless (an ImGui context with its font atlas built and
// no renderer, as the GUI tests draw): lesson load to first frame, frame times, and memory.
// `--quick` runs small sizes. Each lesson runs in a child process, so its memory figures are its own.
#include <imgui.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agents/world.h"
#include "app.h"
#include "common.h"
#include "core/rng.h"
#include "export/i18n.h"
#include "fonts.h"
#include "lesson_gen.h"
#include "model/rows.h"
#include "scenario/load.h"
#include "world_bench.h"

namespace {

using namespace postlab;
using namespace postlab::bench;

const std::string kAssets = std::string(POSTLAB_SOURCE_DIR) + "/assets";
constexpr float kWidth = 1600, kHeight = 900;
constexpr int kFrames = 300;  // frames timed in each mode

// Transcript lines the window shows for a plain world of `messages` messages (the whole run).
std::size_t transcript_lines(WorldShape shape, std::size_t messages) {
  shape.messages = messages;
  const LessonFile file(shape, "lines");
  LoadResult r = load_scenario_file(file.path());
  if (!r.ok()) return 0;
  World world(*r.scenario);
  world.run();
  std::string error;
  auto tr = Translations::load(kAssets, Lang::En, &error);
  return tr ? build_rows(world.trace(), *tr).size() : 0;
}

// Messages for a plain world whose transcript has about `lines` lines.
std::size_t messages_for_lines(const WorldShape& shape, std::size_t lines) {
  constexpr std::size_t kSample = 200;
  const double per_message = static_cast<double>(transcript_lines(shape, kSample)) / kSample;
  return per_message > 0 ? static_cast<std::size_t>(static_cast<double>(lines) / per_message + 0.5) : kSample;
}

double timed_frame(App& app, int* vertices = nullptr) {
  const auto start = Clock::now();
  ImGui::NewFrame();
  app.frame(1.0 / 60, -1);
  ImGui::Render();
  const double ms = seconds_since(start) * 1000;
  if (vertices) *vertices = ImGui::GetDrawData()->TotalVtxCount;
  return ms;
}

void report_frames(const std::string& label, const std::vector<double>& ms) {
  figure(label + " p50", percentile(ms, 50), "ms", 2);
  figure(label + " p99", percentile(ms, 99), "ms", 2);
}

void window_section(const WorldShape& shape, const std::string& label) {
  const LessonFile file(shape, "window");
  const std::string& path = file.path();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(kWidth, kHeight);
  io.DeltaTime = 1.0f / 60;
  App app(kAssets, Lang::En);
  app.set_viewport_height(kHeight);
  app.take_fonts_changed();
  const FontSet fonts = build_fonts(app.font_px());
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  app.set_fonts(fonts.mono, fonts.large);
  reset_peak_rss();
  const std::size_t rss_start = rss_bytes();

  // Open the lesson as the window does (a progressive run: a quarter second of it, then frames that
  // run on), then draw the first frame.
  app.set_progressive(true);
  auto start = Clock::now();
  const bool loaded = app.load(path);
  const double load_ms = seconds_since(start) * 1000;
  int vertices = 0;  // what the frame drew (ImGui's vertex count), to show that the panels were laid out
  const double first_ms = timed_frame(app, &vertices);
  const double total_ms = seconds_since(start) * 1000;
  if (!loaded) {
    figure(label, "failed: the generated lesson does not load");
    ImGui::DestroyContext();
    return;
  }
  const std::size_t first_steps = app.steps();
  // The frames while the run goes on (each runs the world for half a frame at 60 Hz).
  std::vector<double> running_ms;
  while (app.running()) running_ms.push_back(timed_frame(app));
  const double run_done_ms = seconds_since(start) * 1000;
  figure(label + " lesson", std::to_string(shape.messages) + " messages, " + std::to_string(app.steps()) + " steps");
  figure(label + " load to first frame", total_ms, "ms", 0);
  figure(label + " load (part of the run, player, transcript)", load_ms, "ms", 0);
  figure(label + " first frame", first_ms, "ms", 1);
  figure(label + " first frame vertices", std::to_string(vertices));
  figure(label + " steps at the first frame", std::to_string(first_steps));
  figure(label + " whole run done after", run_done_ms, "ms", 0);
  if (!running_ms.empty()) report_frames(label + " frame while the run goes on", running_ms);

  // At the end (the whole transcript shown), standing still.
  app.seek(app.steps());
  timed_frame(app);
  std::vector<double> ms;
  for (int i = 0; i < kFrames; ++i) ms.push_back(timed_frame(app));
  report_frames(label + " frame at end, idle", ms);
  // Holding ← from the end: one step back per frame.
  ms.clear();
  for (int i = 0; i < kFrames; ++i) {
    app.ui().commands.push_back(Command::Back);
    ms.push_back(timed_frame(app));
  }
  report_frames(label + " frame stepping back", ms);
  // Dragging the timeline: a random step each frame.
  ms.clear();
  Rng rng(11);
  for (int i = 0; i < kFrames; ++i) {
    app.seek(static_cast<std::size_t>(rng.uniform(0, app.steps())));
    ms.push_back(timed_frame(app));
  }
  report_frames(label + " frame random jump", ms);
  figure(label + " memory", mib(rss_bytes()) + " now, " + mib(peak_rss_bytes()) + " peak (" + mib(rss_start) +
                                " before the lesson)");
  ImGui::DestroyContext();
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else {
      std::cerr << "Usage: postlab-bench-window [--quick]\n"
                   "Prints the window's figures (headless ImGui): load to first frame, frame times, memory.\n";
      return a == "--help" || a == "-h" ? EXIT_SUCCESS : 2;
    }
  }
  figure("cores", std::to_string(std::thread::hardware_concurrency()));
  figure("mode", quick ? "quick (small sizes)" : "full");
  bool ok = true;
  WorldShape lines_world;
  const std::size_t lines = quick ? 10'000 : 100'000;
  lines_world.messages = messages_for_lines(lines_world, lines);
  const std::string lines_label = quick ? "window 1e4 lines" : "window 1e5 lines";
  ok &= in_child(lines_label, [&] {
    window_section(lines_world, lines_label);
    figure(lines_label + " transcript lines", std::to_string(transcript_lines(lines_world, lines_world.messages)));
  });
  WorldShape events_world;
  const std::size_t events = quick ? 100'000 : 1'000'000;
  events_world.messages = messages_for_events(events_world, events);
  const std::string events_label = quick ? "window 1e5 events" : "window 1e6 events";
  ok &= in_child(events_label, [&] { window_section(events_world, events_label); });
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
