// GUI without a window: view models, and headless ImGui frames of every panel at every step.
#include <doctest/doctest.h>
#include <imgui.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "agents/world.h"
#include "app.h"
#include "export/i18n.h"
#include "fonts.h"
#include "model/rows.h"
#include "model/text.h"
#include "model/theme.h"
#include "model/timers.h"
#include "scenario/load.h"
#include "trace/player.h"
#include "trace/transcript.h"

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
  MessageSnapshot m{"", "a@b.example", {"c@d.example"}};
  m.set_data("From: =?UTF-8?Q?Mar=C3=ADa?= <m@b.example>\r\nSubject: =?UTF-8?Q?=C2=A1Hola!?=\r\n\r\nhi\r\n");
  const MailSummary s = summarize(m);
  CHECK(s.subject == "¡Hola!");
  CHECK(s.from == "María <m@b.example>");

  for (float font : {13.0f, 17.0f, 27.0f}) {
    const Layout l = compute_layout(1600, 900, font);
    CHECK(presentation_font_factor(1080) == doctest::Approx(1.6f));
    CHECK(presentation_font_factor(720) < 1.6f);
    CHECK(presentation_font_factor(400) == doctest::Approx(1.2f));
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

// ---------------------------------------------------------------------------------------------------
// Pure view models: word wrap, fitting, compact time, reply classes, the theme's contrast.

namespace {

// One column per code point, as in a monospace font.
float chars(std::string_view s) { return static_cast<float>(count_chars(s)); }

}  // namespace

TEST_CASE("wrap_words breaks only at spaces and never inside a domain name") {
  const std::string text = "It came from mail.uni.example, a server of uni.example, to mx.correo.example.";
  for (float width : {18.0f, 20.0f, 25.0f, 40.0f}) {
    CAPTURE(width);
    const auto lines = wrap_words(text, width, chars);
    std::string joined;
    for (const auto& l : lines) {
      CHECK(chars(l) <= width);
      joined += (joined.empty() ? "" : " ") + l;
    }
    CHECK(joined == text);  // nothing lost, each break was a space
    for (const char* domain : {"mail.uni.example,", "uni.example,", "mx.correo.example."}) {
      bool whole = false;
      for (const auto& l : lines) whole = whole || l.find(domain) != std::string::npos;
      CHECK(whole);
    }
  }
  // Explicit line breaks are kept, blank lines too; runs of spaces collapse.
  CHECK(wrap_words("one two\n\nthree", 100, chars) == std::vector<std::string>{"one two", "", "three"});
  CHECK(wrap_words("a  b", 100, chars) == std::vector<std::string>{"a b"});
  CHECK(wrap_words("", 10, chars) == std::vector<std::string>{""});
  // A word wider than the whole width is cut at characters (UTF-8 safe): nothing else could show it.
  CHECK(wrap_words("ab ñññññ cd", 3, chars) == std::vector<std::string>{"ab", "ñññ", "ññ", "cd"});
}

TEST_CASE("fit_text and fit_route cut with an ellipsis only when needed") {
  CHECK(fit_text("UID 1  Alice", 12, chars) == "UID 1  Alice");
  CHECK(fit_text("UID 1  Alice <alice@uni.example>", 12, chars) == "UID 1  Alic…");
  CHECK(chars(fit_text("ñandú ñandú ñandú", 7, chars)) == 7);
  const std::string route = "mail.uni.example → mx.correo.example";
  CHECK(fit_route(route, 40, chars) == route);
  // Without the top-level domain first, then both hosts cut so that each keeps its start.
  CHECK(fit_route(route, 21, chars) == "mail.uni → mx.correo");
  CHECK(without_top_label("mail.uni.example") == "mail.uni");
  CHECK(without_top_label("uni.example") == "uni.example");
  CHECK(without_top_label("alice-laptop") == "alice-laptop");
  const std::string short_route = fit_route(route, 15, chars);
  CHECK(chars(short_route) <= 15);
  CHECK(short_route.rfind("mail", 0) == 0);
  CHECK(short_route.find(" → mx") != std::string::npos);
  CHECK(fit_route("DNS → mail.uni.example", 12, chars) == "DNS → mail.…");  // a short host stays whole
  CHECK(fit_route("alice-laptop", 6, chars) == "alice…");
}

TEST_CASE("compact_clock is narrow and still exact") {
  CHECK(compact_clock(222 * kMillisecond) == "00:00.222");
  CHECK(compact_clock(61 * kSecond + 5 * kMillisecond) == "01:01.005");
  CHECK(compact_clock(6 * kHour + 222 * kMillisecond) == "6:00:00.222");
  CHECK(compact_clock(kDay + 2 * kHour) == "1d 02:00:00");
}

TEST_CASE("reply_class reads the first line's code") {
  CHECK(reply_class("250 2.1.0 Ok\r\n") == ReplyClass::Positive);
  CHECK(reply_class("250-mx.correo.example\r\n250 SMTPUTF8\r\n") == ReplyClass::Positive);
  CHECK(reply_class("354 End data with <CR><LF>.<CR><LF>\r\n") == ReplyClass::Intermediate);
  CHECK(reply_class("334 VXNlcm5hbWU6\r\n") == ReplyClass::Intermediate);
  CHECK(reply_class("454 4.7.1 <x@y>: Relay access denied\r\n") == ReplyClass::Transient);
  CHECK(reply_class("535 5.7.8 Error: authentication failed\r\n") == ReplyClass::Permanent);
  CHECK(reply_class("220") == ReplyClass::Positive);
  for (const char* none : {"", "25", "EHLO x", "2500 x", "abc 250", "650 x"}) {
    CAPTURE(none);
    CHECK(reply_class(none) == ReplyClass::None);
  }
}

TEST_CASE("theme: every text colour has at least 4.5 to 1 contrast on every background it is drawn on") {
  CHECK(contrast_ratio(Rgb{0, 0, 0}, Rgb{1, 1, 1}) == doctest::Approx(21.0f));
  CHECK(contrast_ratio(Rgb{1, 1, 1}, Rgb{1, 1, 1}) == doctest::Approx(1.0f));
  // WCAG's own example: #777777 on white is 4.48.
  CHECK(contrast_ratio(Rgb{0x77 / 255.0f, 0x77 / 255.0f, 0x77 / 255.0f}, Rgb{1, 1, 1}) == doctest::Approx(4.48f).epsilon(0.01));
  for (bool presentation : {false, true}) {
    const Palette& p = palette(presentation);
    for (const auto& fg : text_colors(p))
      for (const auto& bg : backgrounds(p)) {
        CAPTURE(presentation);
        const std::string pair = std::string(fg.name) + " on " + bg.name;
        CAPTURE(pair);
        CHECK(contrast_ratio(fg.color, bg.color) >= 4.5f);
      }
    // The verdict and reply colours are told apart by more than their hue alone.
    CHECK(reply_color(p, ReplyClass::Permanent).r > reply_color(p, ReplyClass::Permanent).g);
    CHECK(reply_color(p, ReplyClass::Positive).g > reply_color(p, ReplyClass::Positive).r);
  }
}

// ---------------------------------------------------------------------------------------------------
// Real lessons: replies by class, routes, the eavesdropper's view of every panel, the inspector.

namespace {

std::vector<std::string> all_lessons() {
  std::vector<std::string> lessons;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POSTLAB_SOURCE_DIR) + "/scenarios"))
    if (entry.path().extension() == ".json") lessons.push_back(entry.path().string());
  std::sort(lessons.begin(), lessons.end());
  return lessons;
}

std::string lesson_path(const char* stem) { return std::string(POSTLAB_SOURCE_DIR) + "/scenarios/" + stem + ".json"; }

// Every piece of text drawn by every panel in one frame. ImGui's logging captures rendered text
// (tree nodes opened, list clippers off) and stops at the end of each window, so it starts again
// before each panel; "to the clipboard" hands each window's text to us when it ends.
std::string g_captured;
void capture_clipboard(void*, const char* text) { g_captured += text; }

std::string drawn_text(App& app) {
  ImGuiIO& io = ImGui::GetIO();
  io.SetClipboardTextFn = capture_clipboard;
  g_captured.clear();
  app.set_before_panel([] { ImGui::LogToClipboard(); });
  ImGui::NewFrame();
  app.frame(1.0 / 60, -1);
  ImGui::LogFinish();
  ImGui::Render();
  app.set_before_panel(nullptr);
  return g_captured;
}

// Runs of white space as one space: a wrapped line break is not a way to hide a secret.
std::string squeeze(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// What travelled inside TLS and nowhere in clear: the lines, the values of header-like lines, and
// the arguments of the notes that explain them (a decoded password) — minus anything that also
// appears in clear (an unencrypted line or its notes, the lesson's own texts, host names and addresses).
std::set<std::string> secrets_of(const Scenario& sc, const Trace& trace) {
  std::string clear;
  auto add = [&clear](const std::string& s) { clear += squeeze(s) + "\n"; };
  for (const LocalText* t : {&sc.title, &sc.summary}) add(t->en + "\n" + t->es);
  for (const auto& g : sc.goals) add(g.en + "\n" + g.es);
  for (const auto& h : sc.hosts) add(h.name + "\n" + h.address);
  for (const auto& e : trace.events()) {
    if (e.kind == EventKind::Narration) add(e.text + "\n" + e.text_alt);
    if (e.kind != EventKind::Line || e.encrypted) continue;
    add(e.text);
    for (const auto& n : e.notes)
      for (const auto& a : n.args) add(a);
  }
  std::set<std::string> candidates;
  for (const auto& e : trace.events()) {
    if (e.kind != EventKind::Line || !e.encrypted) continue;
    for (const auto& line : split_lines(e.text)) {
      if (line.size() >= 6) candidates.insert(squeeze(line));
      const auto colon = line.find(": ");
      if (colon != std::string::npos && colon > 0 && line.find(' ') > colon) {
        const std::string value = squeeze(line.substr(colon + 2));
        if (value.size() >= 6) candidates.insert(value);
      }
    }
    for (const auto& n : e.notes)
      for (const auto& a : n.args)
        if (a.size() >= 4) candidates.insert(squeeze(a));
  }
  std::set<std::string> secrets;
  for (const auto& c : candidates)
    if (!c.empty() && clear.find(c) == std::string::npos) secrets.insert(c);
  return secrets;
}

}  // namespace

TEST_CASE("server replies are coloured by class and non-traffic events have no arrow") {
  LoadResult r = load_scenario_file(lesson_path("07-submission-auth"));
  REQUIRE(r.ok());
  World world(*r.scenario);
  world.run();
  std::string err;
  auto tr = Translations::load(kAssets, Lang::En, &err);
  REQUIRE(tr);
  std::set<ReplyClass> seen;
  for (const auto& row : build_rows(world.trace(), *tr)) {
    if (row.kind == LineKind::Server && row.text.rfind("S: 535 ", 0) == 0) CHECK(row.reply == ReplyClass::Permanent);
    if (row.kind == LineKind::Server && row.text.rfind("S: 354 ", 0) == 0) CHECK(row.reply == ReplyClass::Intermediate);
    if (row.kind != LineKind::Server) CHECK(row.reply == ReplyClass::None);
    seen.insert(row.reply);
  }
  CHECK(seen.count(ReplyClass::Positive) == 1);
  CHECK(seen.count(ReplyClass::Permanent) == 1);
  // The eavesdropper cannot read a reply inside TLS, so its colour must not tell either.
  for (const auto& row : build_rows(world.trace(), *tr, true))
    if (row.encrypted) CHECK(row.reply == ReplyClass::None);

  for (const auto& e : world.trace().events()) {
    CAPTURE(to_string(e.kind));
    const std::string route = route_of(e);
    if (is_traffic(e.kind))
      CHECK(route.find("→") != std::string::npos);
    else
      CHECK(route.find("→") == std::string::npos);
    if (e.kind == EventKind::MessageAccepted || e.kind == EventKind::MessageStored) CHECK(route == e.from);
  }
}

TEST_CASE("progressive run: a lesson shows its first steps at once and its frames finish the same run") {
  HeadlessImGui imgui;
  const std::string storm = std::string(POSTLAB_SOURCE_DIR) + "/scenarios/08-spam-storm.json";
  App whole(kAssets, Lang::En);
  whole.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  REQUIRE(whole.load(storm));
  CHECK_FALSE(whole.running());

  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  app.set_progressive(true, 0, 0);  // one slice of simulator steps per frame
  REQUIRE(app.load(storm));
  REQUIRE(app.running());
  const std::size_t first = app.steps();
  CHECK(first < whole.steps());
  imgui.frame(app);
  CHECK(app.steps() > first);  // a frame runs on and its steps appear
  CHECK(app.cursor() == 0);    // the student's place does not move by itself
  app.ui().commands.push_back(Command::Forward);
  imgui.frame(app);
  CHECK(app.cursor() == 1);
  int frames = 0;
  while (app.running() && frames < 10000) {
    imgui.frame(app);
    ++frames;
  }
  CHECK_FALSE(app.running());
  CHECK(app.steps() == whole.steps());
  CHECK(app.cursor() == 1);
  // The same steps show the same panels as the run made at once.
  for (std::size_t k : {std::size_t{0}, std::size_t{1}, whole.steps() / 2, whole.steps()}) {
    // Each drawn twice: ImGui lays a window out on its first frame, and its log differs then.
    app.seek(k);
    drawn_text(app);
    const std::string progressive = squeeze(drawn_text(app));
    whole.seek(k);
    drawn_text(whole);
    CHECK(progressive == squeeze(drawn_text(whole)));
  }
}

TEST_CASE("transcript index: rows made on demand equal the rows built at once for every lesson and view") {
  std::string err;
  auto tr = Translations::load(kAssets, Lang::Es, &err);
  REQUIRE(tr);
  for (const auto& lesson : all_lessons()) {
    INFO(lesson);
    LoadResult r = load_scenario_file(lesson);
    REQUIRE(r.ok());
    World world(*r.scenario);
    for (bool eavesdropper : {false, true}) {
      CAPTURE(eavesdropper);
      // Built while the world runs in slices, as the trace grows.
      World sliced(*r.scenario);
      TranscriptIndex index;
      for (SimTime t = 0; !sliced.finished(); t += 250 * kMillisecond) {
        REQUIRE(sliced.run_until(t));
        index.extend(sliced.trace(), *tr, eavesdropper);
      }
      const auto rows = build_rows(sliced.trace(), *tr, eavesdropper);
      REQUIRE(index.size() == rows.size());
      CHECK(index.widest() == widest_row(rows));
      // Read backwards, so the one-event cache is refilled at every event.
      for (std::size_t i = rows.size(); i-- > 0;) {
        const TranscriptRow row = index.row(sliced.trace(), *tr, eavesdropper, i);
        CHECK(row.event == rows[i].event);
        CHECK(row.text == rows[i].text);
        CHECK(row.route == rows[i].route);
        CHECK(row.first == rows[i].first);
        CHECK(index.event_of(i) == rows[i].event);
      }
      for (std::size_t n : {std::size_t{0}, sliced.trace().size() / 2, sliced.trace().size()})
        CHECK(index.visible(n) == visible_rows(rows, n));
    }
  }
}

TEST_CASE("eavesdropper: no panel draws anything that travelled only inside TLS at any step of any lesson") {
  HeadlessImGui imgui;
  ImGui::GetIO().DisplaySize = ImVec2(3840, 2160);  // wide panels: nothing wraps a secret apart
  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  app.ui().commands.push_back(Command::ToggleEavesdropper);
  std::size_t secrets_checked = 0;
  bool password_is_secret = false;
  for (const auto& lesson : all_lessons()) {
    INFO(lesson);
    REQUIRE(app.load(lesson));
    LoadResult r = load_scenario_file(lesson);
    REQUIRE(r.ok());
    World world(*r.scenario);
    world.run();
    const std::set<std::string> secrets = secrets_of(*r.scenario, world.trace());
    secrets_checked += secrets.size();
    for (const auto& s : secrets) password_is_secret = password_is_secret || s.find("Tr3s-Lun4s") != std::string::npos;
    for (Lang lang : {Lang::En, Lang::Es}) {
      REQUIRE(app.set_language(lang));
      for (std::size_t k = 0; k <= app.steps(); ++k) {
        app.seek(k);
        const std::string text = squeeze(drawn_text(app));
        REQUIRE(app.ui().eavesdropper);
        CHECK(text.size() > 20);
        std::vector<std::string> leaked;
        for (const auto& s : secrets)
          if (text.find(s) != std::string::npos) leaked.push_back(s);
        CAPTURE(k);
        CAPTURE(lang_code(lang));
        CHECK_MESSAGE(leaked.empty(), "drawn in the eavesdropper's view: " << (leaked.empty() ? "" : leaked.front()));
      }
    }
  }
  CHECK(secrets_checked > 50);
  CHECK(password_is_secret);  // lesson 07 logs in inside TLS: its password is among the secrets
}

namespace {

// The text the message inspector drew (it is the last panel, after its title).
std::string inspector_text(App& app) {
  const std::string all = squeeze(drawn_text(app));
  const std::string title = app.tr().get("panel.message") + " · ";
  const auto at = all.rfind(title);
  return at == std::string::npos ? std::string() : all.substr(at);
}

// The first step that shows an event of this kind on this host.
std::size_t step_of(const Player& player, const Trace& trace, EventKind kind, const std::string& host) {
  for (std::size_t k = 1; k <= player.steps(); ++k) {
    const TraceEvent& e = trace.events()[player.event_of_step(k)];
    if (e.kind == kind && e.from == host) return k;
  }
  return 0;
}

// A bundled lesson, run to the end, with a player over its trace.
struct RanLesson {
  explicit RanLesson(const std::string& name) : scenario(loaded(name)), world(scenario), player(run(world)) {}
  static Scenario loaded(const std::string& name) {
    LoadResult r = load_scenario_file(lesson_path(name.c_str()));
    REQUIRE(r.ok());
    return *r.scenario;
  }
  static const Trace& run(World& w) {
    w.run();
    return w.trace();
  }
  Scenario scenario;
  World world;
  Player player;
};

}  // namespace

TEST_CASE("inspector: lesson 01 shows whose copy it is and only what has happened by the cursor") {
  HeadlessImGui imgui;
  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  REQUIRE(app.load(lesson_path("01-smtp-basic")));
  RanLesson lab("01-smtp-basic");
  World& world = lab.world;
  Player& player = lab.player;
  const std::size_t composed = step_of(player, world.trace(), EventKind::MessageComposed, "alice-laptop");
  const std::size_t queued = step_of(player, world.trace(), EventKind::MessageAccepted, "mail.uni.example");
  const std::size_t at_mx = step_of(player, world.trace(), EventKind::MessageAccepted, "mx.correo.example");
  const std::size_t stored = step_of(player, world.trace(), EventKind::MessageStored, "mx.correo.example");
  REQUIRE(0 < composed);
  REQUIRE(composed < queued);
  REQUIRE(queued < at_mx);
  REQUIRE(at_mx < stored);

  app.seek(0);
  CHECK(inspector_text(app).find("Draft") == std::string::npos);

  // Before MAIL FROM is sent (and while it is being sent): the draft, and no envelope at all.
  for (std::size_t k : {composed, queued - 1}) {
    CAPTURE(k);
    app.seek(k);
    const std::string text = inspector_text(app);
    CHECK(text.find("Draft on alice-laptop") != std::string::npos);
    CHECK(text.find("Envelope sender (MAIL FROM)") == std::string::npos);
    CHECK(text.find("No envelope yet") != std::string::npos);
    CHECK(text.find("Unverified") == std::string::npos);  // no server has judged it yet
  }
  app.seek(queued);
  std::string text = inspector_text(app);
  CHECK(text.find("Copy queued at mail.uni.example (after 1 hop)") != std::string::npos);
  CHECK(text.find("<bob@correo.example>") != std::string::npos);
  // Alice's own laptop, no login: trusted, not forged.
  CHECK(text.find("Unverified") != std::string::npos);
  CHECK(text.find("Forged") == std::string::npos);

  app.seek(at_mx);
  text = inspector_text(app);
  CHECK(text.find("Copy queued at mx.correo.example (after 2 hops)") != std::string::npos);
  CHECK(text.find("Consistent") != std::string::npos);  // handed over by uni.example's own MTA

  app.seek(stored);
  text = inspector_text(app);
  CHECK(text.find("Copy stored in bob@correo.example's INBOX by mx.correo.example") != std::string::npos);
  app.seek(app.steps());
  CHECK(inspector_text(app).find("Copy stored in bob@correo.example's INBOX") != std::string::npos);

  // It follows the cursor backwards: the copy is gone again before it was stored.
  app.seek(queued - 1);
  CHECK(inspector_text(app).find("Draft on alice-laptop") != std::string::npos);

  // A message picked in the mailbox is dropped when the cursor moves back before it was stored.
  app.seek(app.steps());
  std::int64_t stored_index = -1;
  for (std::size_t i = 0; i < world.trace().messages().size(); ++i)
    if (world.trace().messages()[i].kind == CopyKind::Stored) stored_index = static_cast<std::int64_t>(i);
  REQUIRE(stored_index >= 0);
  app.ui().selected_message = stored_index;
  CHECK(inspector_text(app).find("Copy stored in") != std::string::npos);
  CHECK(app.ui().selected_message == stored_index);
  app.seek(stored - 1);
  CHECK(inspector_text(app).find("Copy stored in") == std::string::npos);
  CHECK(app.ui().selected_message == -1);
}

TEST_CASE("inspector: lesson 06 shows each server only the envelope it was given") {
  RanLesson lab("06-bcc-and-envelope");
  World& world = lab.world;
  Player& player = lab.player;
  std::string err;
  auto tr = Translations::load(kAssets, Lang::En, &err);
  REQUIRE(tr);
  const std::size_t queued = step_of(player, world.trace(), EventKind::MessageAccepted, "mail.uni.example");
  const std::size_t at_mx = step_of(player, world.trace(), EventKind::MessageAccepted, "mx.correo.example");
  REQUIRE(0 < queued);
  REQUIRE(queued < at_mx);
  auto view_at = [&](std::size_t step) {
    player.seek(step);
    const std::int64_t index = inspected_message(world.trace(), player.view(), -1);
    REQUIRE(index >= 0);
    const auto& m = world.trace().messages()[static_cast<std::size_t>(index)];
    return build_message_view(m, *tr, folder_of(player.view(), index));
  };
  auto fact = [](const MessageView& v, const std::string& label) {
    for (const auto& [l, value] : v.facts)
      if (l == label) return value;
    return std::string("(none)");
  };
  const std::string rcpt_label = tr->get("verdict.envelope_to");

  const MessageView before = view_at(queued - 1);
  CHECK(before.copy == "Draft on alice-laptop");
  CHECK(fact(before, rcpt_label) == "(none)");
  CHECK_FALSE(before.has_verdict);

  // Alice's provider was given all three, Dave (Bcc) included.
  const MessageView uni = view_at(queued);
  CHECK(uni.copy == "Copy queued at mail.uni.example (after 1 hop)");
  CHECK(fact(uni, rcpt_label).find("dave@uni.example") != std::string::npos);
  CHECK(fact(uni, rcpt_label).find("bob@correo.example") != std::string::npos);

  // Bob's server only ever hears of Bob and Carol.
  const MessageView mx = view_at(at_mx);
  CHECK(mx.copy == "Copy queued at mx.correo.example (after 2 hops)");
  CHECK(fact(mx, rcpt_label) == "<bob@correo.example>, <carol@correo.example>");
  CHECK(mx.raw.find("dave@") == std::string::npos);
  CHECK(mx.verdict_kind == SenderVerdict::Consistent);

  // Once delivered: one stored copy per mailbox, each naming only its own recipient.
  const MessageView end = view_at(player.steps());
  CHECK(end.copy.rfind("Copy stored in ", 0) == 0);
  for (std::size_t i = 0; i < world.trace().messages().size(); ++i) {
    const auto& m = world.trace().messages()[i];
    if (m.holder != "mx.correo.example") continue;
    for (const auto& rcpt : m.envelope_to) CHECK(rcpt.find("@correo.example") != std::string::npos);
  }
}

TEST_CASE("inspector: a new draft is shown while it travels even when older mail is already filed") {
  // Lesson 02: the first message is in the museum's mailbox when the tablet writes the second one.
  RanLesson lab("02-ehlo-and-extensions");
  World& world = lab.world;
  Player& player = lab.player;
  std::size_t bdat = 0;
  for (std::size_t i = 0; i < world.trace().size() && bdat == 0; ++i) {
    const TraceEvent& e = world.trace().events()[i];
    if (e.kind == EventKind::Line && e.text.rfind("BDAT ", 0) == 0) bdat = player.step_of_event(i);
  }
  REQUIRE(bdat > 0);
  player.seek(bdat);
  const std::int64_t index = inspected_message(world.trace(), player.view(), -1);
  REQUIRE(index >= 0);
  const auto& m = world.trace().messages()[static_cast<std::size_t>(index)];
  CHECK(m.kind == CopyKind::Draft);
  CHECK(m.holder == "alice-tablet");
}

TEST_CASE("narration: a note is labelled with its own step and this step explains the current line") {
  HeadlessImGui imgui;
  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  REQUIRE(app.load(lesson_path("01-smtp-basic")));
  RanLesson lab("01-smtp-basic");
  World& world = lab.world;
  Player& player = lab.player;
  // Step 0: the summary and every goal.
  app.seek(0);
  std::string text = squeeze(drawn_text(app));
  CHECK(text.find(squeeze(lab.scenario.summary.en)) != std::string::npos);
  for (const auto& g : lab.scenario.goals) CHECK(text.find(squeeze(g.en)) != std::string::npos);
  std::size_t checked = 0;
  for (std::size_t k = 1; k <= player.steps(); ++k) {
    const TraceEvent& e = world.trace().events()[player.event_of_step(k)];
    app.seek(k);
    text = squeeze(drawn_text(app));
    CAPTURE(k);
    if (e.kind == EventKind::Narration) {
      CHECK(text.find("Step " + std::to_string(k) + " · narration for this step") != std::string::npos);
      continue;
    }
    CHECK(text.find("Step " + std::to_string(k) + " · this step") != std::string::npos);
    player.seek(k);
    const std::int64_t n = player.view().narration();
    if (n >= 0) {
      const std::size_t nstep = player.step_of_event(static_cast<std::size_t>(n));
      CHECK(nstep < k);
      CHECK(text.find("Step " + std::to_string(nstep) + " · narration (from an earlier step)") != std::string::npos);
      ++checked;
    }
    if (e.kind == EventKind::Line) CHECK(text.find(squeeze(split_lines(e.text).front())) != std::string::npos);
  }
  CHECK(checked > 10);
}

TEST_CASE("queue timers: the T key and the button jump to the next timer and the bars count down") {
  HeadlessImGui imgui;
  App app(kAssets, Lang::En);
  app.set_fonts(imgui.fonts.mono, imgui.fonts.large);
  REQUIRE(app.load(std::string(POSTLAB_SOURCE_DIR) + "/scenarios/20-retry-then-deliver.json"));
  imgui.frame(app);
  // Typed 'T' (a character, whatever the keyboard layout) jumps to the first retry or fault.
  ImGui::GetIO().AddInputCharacter('t');
  imgui.frame(app);
  REQUIRE(app.cursor() > 0);
  const std::size_t first = app.cursor();
  app.ui().commands.push_back(Command::NextTimer);
  imgui.frame(app);
  CHECK(app.cursor() > first);
}

TEST_CASE("queue timers: rows for the next attempt and the warning and the give-up time") {
  QueueEntryView e;
  e.arrived = 0;
  e.retry_scheduled = 30 * kSecond;
  e.next_attempt = 600 * kSecond;
  e.warn_at = 4 * kHour;
  e.expire_at = 5 * kDay;
  auto rows = timer_rows(e, 315 * kSecond);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].key == "queue.next_bar");
  CHECK(rows[0].left == 285 * kSecond);
  CHECK(rows[0].fraction == doctest::Approx(0.5));
  CHECK(rows[1].key == "queue.warning_bar");
  CHECK(rows[2].key == "queue.gives_up_bar");
  CHECK(rows[2].at == 5 * kDay);
  // A warning already sent has no bar; an attempt under way has no next-attempt bar.
  e.warned = true;
  e.next_attempt = -1;
  rows = timer_rows(e, 5 * kDay + kHour);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].left == 0);
  CHECK(rows[0].fraction == doctest::Approx(1.0));
}
