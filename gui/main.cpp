// postlab: the desktop lab. Opens a lesson, runs it, and lets the student step through it.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <imgui.h>
#include <iostream>

#include "app.h"
#include "fonts.h"
#include "platform.h"

namespace {

constexpr int kExitOk = 0, kExitFailure = 1, kExitInvalid = 2;

std::string default_lesson(const std::string& assets) {
  const auto p = std::filesystem::path(assets).parent_path() / "scenarios" / "01-smtp-basic.json";
  return p.string();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace postlab;
  CLI::App cli{"PostLab: watch email work, one protocol line at a time."};
  std::string lesson, screenshot, lang_code = "en", size = "1600x900";
  long long step = -1;
  float scale = 1.0f;
  bool presentation = false, eavesdropper = false;
  cli.add_option("lesson", lesson, "Lesson file (JSON); default: the first lesson");
  cli.add_option("--lang", lang_code, "Interface language: en or es")->check(CLI::IsMember({"en", "es"}));
  cli.add_option("--screenshot", screenshot, "Render one frame to this PNG file and exit");
  cli.add_option("--step", step, "Open the lesson at this step (0 = before anything happens)")->check(CLI::NonNegativeNumber);
  cli.add_option("--size", size, "Window size WIDTHxHEIGHT in pixels");
  cli.add_option("--scale", scale, "Font scale (0.6 to 3)")->check(CLI::Range(0.6f, 3.0f));
  cli.add_flag("--presentation", presentation, "Large fonts and a light, high-contrast theme for projectors");
  cli.add_flag("--eavesdropper", eavesdropper, "Start in the eavesdropper's view (lines inside TLS show only their size)");
  cli.footer("Keys: → or PageDown next step, ← or PageUp back, Space play/pause, Home/End, F5 reload.\n"
             "Example: postlab --screenshot step12.png --step 12 scenarios/01-smtp-basic.json");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    cli.exit(e);
    return kExitFailure;
  }
  int width = 1600, height = 900;
  if (std::sscanf(size.c_str(), "%dx%d", &width, &height) != 2 || width < 320 || height < 240 || width > 8192 ||
      height > 8192) {
    std::cerr << "postlab: --size expects WIDTHxHEIGHT such as 1600x900\n";
    return kExitFailure;
  }

  const std::string assets = find_assets_dir(argv[0]);
  if (lesson.empty()) lesson = default_lesson(assets);

  Platform platform;
  std::string error;
  if (!platform.init(width, height, "PostLab", &error)) {
    std::cerr << "postlab: " << error << "\n";
    return kExitFailure;
  }
  App app(assets, lang_code == "es" ? Lang::Es : Lang::En);
  app.ui().font_scale = scale;
  app.ui().presentation = presentation;
  app.set_viewport_height(static_cast<float>(height));
  if (eavesdropper) app.ui().commands.push_back(Command::ToggleEavesdropper);
  // In a window a big lesson shows its first steps at once and runs on frame by frame; a screenshot
  // or a chosen step needs the whole run first.
  app.set_progressive(screenshot.empty() && step < 0);
  const bool ok = app.load(lesson);
  for (const auto& e : app.errors()) std::cerr << e.str() << "\n";
  if (step >= 0) {
    if (static_cast<std::size_t>(step) > app.steps())
      std::cerr << "postlab: the lesson has " << app.steps() << " steps; showing the last one\n";
    app.seek(static_cast<std::size_t>(step));
  }

  double last = platform.time(), last_watch = last;
  int frames = 0;
  std::string shown_title;
  while (!platform.should_close()) {
    if (app.take_fonts_changed()) {
      const FontSet fonts = build_fonts(app.font_px());
      app.set_fonts(fonts.mono, fonts.large);
      platform.rebuild_font_texture();
    }
    platform.begin_frame();
    const double now = platform.time();
    app.frame(now - last, Platform::key_f5());
    last = now;
    for (const auto& path : platform.take_dropped_files()) app.load(path);
    if (const std::string title = app.window_title(); title != shown_title) {
      platform.set_title(title);
      shown_title = title;
    }
    if (now - last_watch > 1.0) {
      app.watch_file();
      last_watch = now;
    }
    if (!screenshot.empty() && ++frames >= 3) {  // a few frames let ImGui settle sizes
      platform.render();
      if (!platform.screenshot(screenshot, &error)) {
        std::cerr << "postlab: " << error << "\n";
        return kExitFailure;
      }
      return ok ? kExitOk : kExitInvalid;
    }
    platform.end_frame();
  }
  return kExitOk;
}
