// The only code that knows GLFW and OpenGL: a window, ImGui's backends, frames, and screenshots.
#pragma once
#include <string>
#include <vector>

struct GLFWwindow;

namespace postlab {

class Platform {
 public:
  Platform() = default;
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  bool init(int width, int height, const std::string& title, std::string* error);
  bool should_close() const;
  void begin_frame();  // poll events, start an ImGui frame
  void end_frame();    // render ImGui and swap
  void render();       // render ImGui into the back buffer without swapping
  void rebuild_font_texture();
  // Writes the back buffer (after render()) to a PNG file.
  bool screenshot(const std::string& path, std::string* error) const;
  double time() const;
  void set_title(const std::string& title);
  std::vector<std::string> take_dropped_files();
  static int key_f5();

 private:
  GLFWwindow* window_ = nullptr;
  bool imgui_ready_ = false;
  std::vector<std::string> dropped_;  // files dropped on the window since the last take
};

}  // namespace postlab
