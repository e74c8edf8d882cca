#include "app.h"

#include <imgui.h>

#include <chrono>
#include <cmath>

#include "agents/world.h"
#include "export/run_limit.h"
#include "model/theme.h"
#include "trace/player.h"
#include "trace/view.h"

namespace postlab {

namespace {
constexpr float kBaseFontPx = 17.0f;
// Progressive runs: how many simulator steps go between two looks at the clock (the budgets, a
// quarter second before the first frame and 3 ms of each 60 Hz frame after, are set_progressive's).
constexpr std::size_t kRunSlice = 256;
constexpr float kMinScale = 0.6f, kMaxScale = 3.0f, kScaleStep = 0.1f;
}  // namespace

App::App(std::string assets_dir, Lang lang) : assets_(std::move(assets_dir)) {
  std::string error;
  if (!set_language(lang)) {
    // Without a translation table the UI would show raw keys: fall back to English, then to an empty table.
    tr_ = Translations::load(assets_, Lang::En, &error);
    if (!tr_) tr_ = Translations{};
  }
}

App::~App() = default;

bool App::set_language(Lang lang) {
  std::string error;
  auto t = Translations::load(assets_, lang, &error);
  if (!t) return false;
  tr_ = std::move(t);
  ui_.lang = lang;
  rebuild_rows();
  return true;
}

bool App::load(const std::string& path) {
  path_ = path;
  std::error_code ec;
  const auto mt = std::filesystem::last_write_time(path, ec);
  mtime_ = ec ? std::nullopt : std::optional(mt);
  const std::size_t keep_cursor = player_ ? player_->cursor() : 0;
  const bool same_lesson = player_ != nullptr;

  result_ = load_scenario_file(path);
  player_.reset();
  world_.reset();
  rows_.clear();
  summaries_.clear();
  ui_.selected_message = -1;
  ui_.inspected = -1;
  ui_.playing = false;
  if (!result_.ok()) return false;
  world_ = std::make_unique<World>(*result_.scenario);
  player_ = std::make_unique<Player>(world_->trace());
  // A reload keeps the student's place, as far as the new run reaches.
  pending_cursor_ = same_lesson ? std::optional(keep_cursor) : std::nullopt;
  if (progressive_) advance_run(load_seconds_);
  else finish_run();
  ui_.scrolled_for_cursor = static_cast<std::size_t>(-1);
  return true;
}

bool App::running() const { return world_ && !world_->finished(); }

void App::finish_run() {
  while (running()) advance_run(3600);
}

void App::advance_run(double budget_seconds) {
  if (!world_) return;
  // Wall time only decides how much is computed before the next frame; the trace is the same.
  const auto start = std::chrono::steady_clock::now();
  auto spent = [&start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  do world_->run_for(kRunSlice);
  while (!world_->finished() && spent() < budget_seconds);
  player_->sync(false);
  rows_.extend(world_->trace(), *tr_, ui_.eavesdropper);
  const auto& messages = world_->trace().messages();
  for (std::size_t i = summaries_.size(); i < messages.size(); ++i) summaries_.push_back(summarize(messages[i]));
  if (pending_cursor_ && (player_->steps() >= *pending_cursor_ || world_->finished())) {
    player_->seek(std::min(*pending_cursor_, player_->steps()));
    pending_cursor_.reset();
  }
}

void App::watch_file() {
  if (path_.empty()) return;
  std::error_code ec;
  const auto mt = std::filesystem::last_write_time(path_, ec);
  if (ec) return;
  if (!mtime_ || *mtime_ != mt) reload();
}

void App::seek(std::size_t step) {
  if (player_) player_->seek(step);
}
std::size_t App::steps() const { return player_ ? player_->steps() : 0; }
std::size_t App::cursor() const { return player_ ? player_->cursor() : 0; }

std::string App::window_title() const {
  const std::string app = tr_->get("app.title");
  return result_.ok() ? app + " · " + result_.scenario->title.get(ui_.lang) : app;
}

void App::rebuild_rows() {
  if (!world_) return;
  rows_.clear();
  rows_.extend(world_->trace(), *tr_, ui_.eavesdropper);
}

float App::font_px() const {
  const float factor = ui_.presentation ? presentation_font_factor(viewport_h_) : 1.0f;
  return std::round(kBaseFontPx * ui_.font_scale * factor);
}

void App::set_viewport_height(float height) {
  if (height <= 0 || height == viewport_h_) return;
  const float before = font_px();
  viewport_h_ = height;
  if (font_px() != before) {
    fonts_changed_ = true;
    theme_applied_ = false;
    ui_.layout_dirty = true;
  }
}

bool App::take_fonts_changed() {
  const bool c = fonts_changed_;
  fonts_changed_ = false;
  return c;
}

void App::apply_theme() {
  if (theme_applied_ && theme_presentation_ == ui_.presentation) return;
  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  // Presentation: light background, strong contrast for a projector. Otherwise a calm dark theme.
  // Every colour text is drawn on or in comes from one table (model/theme.h), whose contrast is tested.
  if (ui_.presentation)
    ImGui::StyleColorsLight(&style);
  else
    ImGui::StyleColorsDark(&style);
  const Palette& p = palette(ui_.presentation);
  auto set = [&style](ImGuiCol c, Rgb rgb) { style.Colors[c] = ImVec4(rgb.r, rgb.g, rgb.b, 1.0f); };
  set(ImGuiCol_Text, p.text);
  set(ImGuiCol_TextDisabled, p.text_disabled);
  set(ImGuiCol_WindowBg, p.window_bg);
  set(ImGuiCol_ChildBg, p.window_bg);
  set(ImGuiCol_PopupBg, p.popup);
  set(ImGuiCol_TableRowBg, p.window_bg);
  set(ImGuiCol_TableRowBgAlt, p.row_bg_alt);
  set(ImGuiCol_Header, p.selected);
  set(ImGuiCol_HeaderHovered, p.hovered);
  set(ImGuiCol_HeaderActive, p.hovered);
  set(ImGuiCol_Button, p.button);
  set(ImGuiCol_ButtonHovered, p.hovered);
  set(ImGuiCol_ButtonActive, p.selected);
  set(ImGuiCol_TitleBg, p.title);
  set(ImGuiCol_TitleBgActive, p.title);
  set(ImGuiCol_TitleBgCollapsed, p.title);
  set(ImGuiCol_Tab, p.tab);
  set(ImGuiCol_TabHovered, p.hovered);
  set(ImGuiCol_TabActive, p.tab_active);
  set(ImGuiCol_TabUnfocused, p.tab);
  set(ImGuiCol_TabUnfocusedActive, p.tab_active);
  set(ImGuiCol_Border, p.border);
  set(ImGuiCol_Separator, p.border);
  set(ImGuiCol_TableBorderStrong, p.border);
  set(ImGuiCol_TableBorderLight, p.border);
  set(ImGuiCol_FrameBg, p.frame);
  set(ImGuiCol_FrameBgHovered, p.frame_hovered);
  set(ImGuiCol_FrameBgActive, p.frame_hovered);
  set(ImGuiCol_CheckMark, p.accent);
  set(ImGuiCol_SliderGrab, p.accent);
  set(ImGuiCol_SliderGrabActive, p.accent);
  style.WindowRounding = 4;
  style.FrameRounding = 3;
  style.WindowBorderSize = 1;
  style.ScaleAllSizes(font_px() / kBaseFontPx);
  theme_applied_ = true;
  theme_presentation_ = ui_.presentation;
}

void App::handle_keys(int f5_key) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  auto pressed = [](ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key)); };
  // Arrows, and PageUp/PageDown which presentation clickers send.
  if (pressed(ImGuiKey_RightArrow) || pressed(ImGuiKey_PageDown)) ui_.commands.push_back(Command::Forward);
  if (pressed(ImGuiKey_LeftArrow) || pressed(ImGuiKey_PageUp)) ui_.commands.push_back(Command::Back);
  if (pressed(ImGuiKey_Space)) ui_.commands.push_back(Command::TogglePlay);
  if (pressed(ImGuiKey_Home)) ui_.commands.push_back(Command::Restart);
  if (pressed(ImGuiKey_End)) ui_.commands.push_back(Command::End);
  // T: the next thing a timer makes happen (typed characters, the same on every keyboard layout).
  for (ImWchar ch : io.InputQueueCharacters)
    if (ch == 't' || ch == 'T') ui_.commands.push_back(Command::NextTimer);
  if (f5_key >= 0 && ImGui::IsKeyPressed(f5_key)) ui_.commands.push_back(Command::Reload);
}

void App::run_commands() {
  for (Command c : ui_.commands) {
    switch (c) {
      case Command::Restart: seek(0); ui_.playing = false; break;
      case Command::Back: if (cursor() > 0) seek(cursor() - 1); ui_.playing = false; break;
      case Command::Forward: seek(cursor() + 1); break;
      case Command::End: seek(steps()); ui_.playing = false; break;
      case Command::NextTimer:
        if (player_)
          if (auto s = player_->next_timer_step()) seek(*s);
        ui_.playing = false;
        break;
      case Command::TogglePlay:
        ui_.playing = !ui_.playing && cursor() < steps();
        ui_.play_accum = 0;
        break;
      case Command::Reload: reload(); break;
      case Command::SetEnglish: set_language(Lang::En); break;
      case Command::SetSpanish: set_language(Lang::Es); break;
      case Command::Bigger:
        ui_.font_scale = std::min(kMaxScale, ui_.font_scale + kScaleStep);
        fonts_changed_ = true;
        break;
      case Command::Smaller:
        ui_.font_scale = std::max(kMinScale, ui_.font_scale - kScaleStep);
        fonts_changed_ = true;
        break;
      case Command::TogglePresentation:
        ui_.presentation = !ui_.presentation;
        fonts_changed_ = true;
        break;
      case Command::ResetLayout: ui_.layout_dirty = true; break;
      case Command::ToggleEavesdropper:
        ui_.eavesdropper = !ui_.eavesdropper;
        rebuild_rows();
        break;
    }
    if (c == Command::Bigger || c == Command::Smaller || c == Command::TogglePresentation) {
      theme_applied_ = false;
      ui_.layout_dirty = true;
    }
  }
  ui_.commands.clear();
  if (ui_.seek_request >= 0) {
    seek(static_cast<std::size_t>(ui_.seek_request));
    ui_.seek_request = -1;
  }
}

void App::frame(double wall_dt, int f5_key) {
  set_viewport_height(ImGui::GetIO().DisplaySize.y);
  apply_theme();
  handle_keys(f5_key);
  if (running()) advance_run(frame_seconds_);
  if (ui_.playing) {
    ui_.play_accum += wall_dt;
    while (ui_.play_accum >= ui_.play_interval && ui_.playing) {
      ui_.play_accum -= ui_.play_interval;
      seek(cursor() + 1);
      if (cursor() >= steps() && !running()) ui_.playing = false;
    }
  }

  Frame f;
  f.scenario = result_.ok() ? &*result_.scenario : nullptr;
  f.trace = world_ ? &world_->trace() : nullptr;
  f.player = player_.get();
  f.tr = &*tr_;
  f.rows = &rows_;
  f.summaries = &summaries_;
  f.errors = &result_.errors;
  f.lesson_path = path_;
  f.mono = mono_;
  f.large = large_;
  f.font_px = font_px();
  f.palette = &palette(ui_.presentation);
  f.eavesdropper = ui_.eavesdropper;
  f.widest_row = rows_.widest();
  f.running = running();
  if (world_ && world_->limit_hit()) f.stopped = run_limit_message(world_->trace(), *world_->limit_hit(), *tr_);
  // A message picked in a mailbox or queue is dropped when the cursor moves to before it was there.
  if (player_ && ui_.selected_message >= 0 && !message_present(player_->view(), ui_.selected_message))
    ui_.selected_message = -1;

  const ImVec2 size = ImGui::GetIO().DisplaySize;
  const Layout layout = compute_layout(size.x, size.y, ImGui::GetFontSize());
  const ImGuiCond cond = ui_.layout_dirty ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  auto place = [cond](const Rect& r) {
    ImGui::SetNextWindowPos(ImVec2(r.x, r.y), cond);
    ImGui::SetNextWindowSize(ImVec2(r.w, r.h), cond);
  };
  auto panel = [this](auto draw) {
    if (before_panel_) before_panel_();
    draw();
  };
  place(layout.toolbar);
  panel([&] { draw_toolbar(f, ui_); });
  if (!world_) {
    place(Rect{layout.transcript.x, layout.transcript.y, size.x, size.y - layout.transcript.y});
    panel([&] { draw_errors(f, ui_); });
  } else {
    place(layout.transcript);
    panel([&] { draw_transcript(f, ui_); });
    place(layout.narration);
    panel([&] { draw_narration(f); });
    place(layout.mailboxes);
    panel([&] { draw_mailboxes(f, ui_); });
    place(layout.queue);
    panel([&] { draw_queue(f, ui_); });
    place(layout.message);
    panel([&] { draw_message(f, ui_); });
  }
  ui_.layout_dirty = false;
  run_commands();
}

}  // namespace postlab
