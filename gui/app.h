// The PostLab window's logic: one lesson, its run, a player over it, and the panels. With progressive
// runs on, a big lesson runs a little each frame and its steps appear as they are made.
// Knows ImGui but not GLFW/OpenGL (the platform layer owns those), so it runs headless in tests.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "export/i18n.h"
#include "model/rows.h"
#include "scenario/load.h"
#include "ui.h"

namespace postlab {

class World;
class Player;

class App {
 public:
  App(std::string assets_dir, Lang lang);
  ~App();

  // Loads (or replaces) the lesson. On errors the app shows them and keeps no simulation. Runs it to
  // the end, or (progressive) for a short while: the rest runs during the next frames.
  bool load(const std::string& path);
  // Budgets: how long loading may run before the first frame, and each frame after it (at least one
  // slice of simulator steps runs either way).
  void set_progressive(bool on, double load_seconds = 0.25, double frame_seconds = 0.003) {
    progressive_ = on;
    load_seconds_ = load_seconds;
    frame_seconds_ = frame_seconds;
  }
  bool running() const;  // the lesson's run has not reached its end yet
  void finish_run();      // runs the rest now
  void reload() { load(path_); }
  bool loaded() const { return world_ != nullptr; }
  const std::vector<LessonError>& errors() const { return result_.errors; }

  void seek(std::size_t step);
  std::size_t steps() const;
  std::size_t cursor() const;

  // One frame: keys, playback, panels. Call between ImGui::NewFrame() and ImGui::Render().
  // f5_key is the platform's key index for F5 (reload); wall_dt the seconds since the last frame.
  void frame(double wall_dt, int f5_key);
  // Checks the lesson file's modification time; reloads when it changed (teachers edit and save).
  void watch_file();

  UiState& ui() { return ui_; }
  // Called just before each panel is drawn (tests start ImGui's text capture there: ImGui stops it
  // at the end of every window).
  void set_before_panel(std::function<void()> hook) { before_panel_ = std::move(hook); }
  // Pixel size the fonts should have; fonts_changed() tells the platform to rebuild the atlas.
  float font_px() const;
  // The window's height: presentation fonts grow with it (what a room reads is the text's share of
  // the projected picture, so 720 lines need fewer pixels than 1080 for the same size on the wall).
  void set_viewport_height(float height);
  bool take_fonts_changed();
  void set_fonts(ImFont* mono, ImFont* large) {
    mono_ = mono;
    large_ = large;
  }
  bool set_language(Lang lang);
  const Translations& tr() const { return *tr_; }
  std::string window_title() const;  // "PostLab · <lesson title>" in the current language

 private:
  void handle_keys(int f5_key);
  void run_commands();
  void apply_theme();
  void rebuild_rows();
  void advance_run(double budget_seconds);  // runs the world a while, then takes in what it wrote

  std::string assets_;
  std::string path_;
  std::optional<std::filesystem::file_time_type> mtime_;
  LoadResult result_;
  std::unique_ptr<World> world_;
  std::unique_ptr<Player> player_;
  std::optional<Translations> tr_;
  TranscriptIndex rows_;
  std::vector<MailSummary> summaries_;
  UiState ui_;
  std::function<void()> before_panel_;
  ImFont* mono_ = nullptr;
  ImFont* large_ = nullptr;
  bool fonts_changed_ = true;
  float viewport_h_ = 900;
  bool progressive_ = false;
  double load_seconds_ = 0.25, frame_seconds_ = 0.003;
  std::optional<std::size_t> pending_cursor_;  // a reload's step, reached once the run gets there
  bool theme_applied_ = false;
  bool theme_presentation_ = false;
};

}  // namespace postlab
