// GUI without a window: view models, and headless ImGui frames of every panel at every step.
#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "agents/world.h"
#include "app.h"
#include "export/i18n.h"
#include "fonts.h"
#include "model/rows.h"
#include "scenario/load.h"
#include "trace/player.h"

using namespace postlab;

namespace {

const std::string kAssets = std::string(POSTLAB_SOURCE_DIR) + "/assets";
const std::string kLesson = std::string(POSTLAB_SOURCE_DIR) + "/scenarios/01-smtp-basic.json";

// An ImGui context with a built font atlas and no renderer: enough to lay out and draw frames.
struct HeadlessImGui {
  explicit HeadlessImGui(float font_px = 17) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1600, 900);
    io.DeltaTime = 1.0f / 60;
    fonts = build_fonts(font_px);
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  ~HeadlessImGui() { ImGui::DestroyContext(); }
  // Runs one frame; returns the number of vertices drawn.
  int frame(App& app) {
    ImGui::NewFrame();
    app.frame(1.0 / 60, -1);
    ImGui::Render();
    return ImGui::GetDrawData()->TotalVtxCount;
  }
  FontSet fonts;
};

}  // namespace

TEST_CASE("transcript rows cover every step event in order and grow with the cursor") {
  LoadResult r = load_scenario_file(kLesson);
  REQUIRE(r.ok());
  World world(*r.scenario);
  world.run();
  std::string err;
  auto tr = Translations::load(kAssets, Lang::En, &err);
  REQUIRE(tr);
  const auto rows = build_rows(world.trace(), *tr);
  REQUIRE_FALSE(rows.empty());
  for (std::size_t i = 1; i < rows.size(); ++i) CHECK(rows[i - 1].event <= rows[i].event);
  CHECK(visible_rows(rows, 0) == 0);
  CHECK(visible_rows(rows, world.trace().size()) == rows.size());
  bool saw_client = false, saw_server = false;
  for (const auto& row : rows) {
    if (row.kind == LineKind::Client && row.text == "C: DATA") saw_client = true;
    if (row.kind == LineKind::Server && row.text.rfind("S: 354 ", 0) == 0) saw_server = true;
  }
  CHECK(saw_client);
  CHECK(saw_server);

  auto es = Translations::load(kAssets, Lang::Es, &err);
  REQUIRE(es);
  const auto rows_es = build_rows(world.trace(), *es);
  CHECK(rows_es.size() == rows.size());
  bool spanish = false;
  for (const auto& row : rows_es) spanish = spanish || row.text.find("abre una conexión TCP") != std::string::npos;
  CHECK(spanish);
}

TEST_CASE("mail summary decodes the subject and the layout fills the window without overlap") {
  MessageSnapshot m{"", "a@b.example", {"c@d.example"},
                    "From: =?UTF-8?Q?Mar=C3=ADa?= <m@b.example>\r\nSubject: =?UTF-8?Q?=C2=A1Hola!?=\r\n\r\nhi\r\n"};
  const MailSummary s = summarize(m);
  CHECK(s.subject == "¡Hola!");
  CHECK(s.from == "María <m@b.example>");

  for (float font : {13.0f, 17.0f, 27.0f}) {
    const Layout l = compute_layout(1600, 900, font);
    CHECK(l.toolbar.h >= font * 4);
    CHECK(l.transcript.y >= l.toolbar.y + l.toolbar.h);
    CHECK(l.narration.y >= l.transcript.y + l.transcript.h);
    CHECK(l.mailboxes.x >= l.transcript.x + l.transcript.w);
    CHECK(l.message.y + l.message.h <= 900.5f);
    CHECK(l.mailboxes.x + l.mailboxes.w <= 1600.5f);
  }
}

TEST_CASE("every panel draws at every step of every lesson in both languages and all view modes") {
  HeadlessImGui imgui;
  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  std::vector<std::string> lessons;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POSTLAB_SOURCE_DIR) + "/scenarios"))
    if (entry.path().extension() == ".json") lessons.push_back(entry.path().string());
  std::sort(lessons.begin(), lessons.end());
  REQUIRE(lessons.size() >= 7);
  for (const auto& lesson : lessons) {
    INFO(lesson);
    REQUIRE(app.load(lesson));
    REQUIRE(app.steps() > 20);
    for (Lang lang : {Lang::En, Lang::Es}) {
      REQUIRE(app.set_language(lang));
      for (int mode = 0; mode < 3; ++mode) {
        app.ui().presentation = mode == 1;
        if ((mode == 2) != app.ui().eavesdropper) app.ui().commands.push_back(Command::ToggleEavesdropper);
        for (std::size_t k = 0; k <= app.steps(); ++k) {
          app.seek(k);
          CHECK(imgui.frame(app) > 100);
          CHECK(app.cursor() == k);
        }
      }
    }
  }
}

TEST_CASE("keys and buttons move the player and a broken lesson shows its errors") {
  HeadlessImGui imgui;
  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  REQUIRE(app.load(kLesson));
  imgui.frame(app);
  app.ui().commands.push_back(Command::Forward);
  app.ui().commands.push_back(Command::Forward);
  imgui.frame(app);
  CHECK(app.cursor() == 2);
  app.ui().commands.push_back(Command::Back);
  imgui.frame(app);
  CHECK(app.cursor() == 1);
  app.ui().commands.push_back(Command::End);
  imgui.frame(app);
  CHECK(app.cursor() == app.steps());
  app.ui().commands.push_back(Command::Restart);
  imgui.frame(app);
  CHECK(app.cursor() == 0);

  // Playing advances by wall time, one step per interval, and stops at the end.
  app.ui().commands.push_back(Command::TogglePlay);
  imgui.frame(app);
  REQUIRE(app.ui().playing);
  ImGui::NewFrame();
  app.frame(app.ui().play_interval * 3 + 0.01, -1);
  ImGui::Render();
  CHECK(app.cursor() == 3);

  CHECK_FALSE(app.load(std::string(POSTLAB_SOURCE_DIR) + "/tests/data/does-not-exist.json"));
  CHECK_FALSE(app.errors().empty());
  CHECK(imgui.frame(app) > 100);  // the errors panel is drawn
}

TEST_CASE("keys: arrows and a presentation clicker's PageDown and PageUp step the lesson") {
  HeadlessImGui imgui;
  ImGuiIO& io = ImGui::GetIO();
  // Without a platform backend, give the named keys their own indices (as the GLFW backend does).
  const ImGuiKey keys[] = {ImGuiKey_RightArrow, ImGuiKey_LeftArrow, ImGuiKey_PageDown, ImGuiKey_PageUp,
                           ImGuiKey_Home,       ImGuiKey_End,       ImGuiKey_Space};
  for (int i = 0; i < 7; ++i) io.KeyMap[keys[i]] = 300 + i;
  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  REQUIRE(app.load(kLesson));
  imgui.frame(app);
  auto press = [&](ImGuiKey key) {
    io.KeysDown[io.KeyMap[key]] = true;
    imgui.frame(app);
    io.KeysDown[io.KeyMap[key]] = false;
    imgui.frame(app);
  };
  press(ImGuiKey_RightArrow);
  CHECK(app.cursor() == 1);
  press(ImGuiKey_PageDown);
  press(ImGuiKey_PageDown);
  CHECK(app.cursor() == 3);
  press(ImGuiKey_PageUp);
  CHECK(app.cursor() == 2);
  press(ImGuiKey_LeftArrow);
  CHECK(app.cursor() == 1);
  press(ImGuiKey_End);
  CHECK(app.cursor() == app.steps());
  press(ImGuiKey_Home);
  CHECK(app.cursor() == 0);
  press(ImGuiKey_Space);
  CHECK(app.ui().playing);
}
