#include "platform.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <vector>

namespace postlab {
namespace {

void on_drop(GLFWwindow* window, int count, const char** paths) {
  auto* list = static_cast<std::vector<std::string>*>(glfwGetWindowUserPointer(window));
  for (int i = 0; i < count && list; ++i) list->emplace_back(paths[i]);
}

}  // namespace

Platform::~Platform() {
  if (imgui_ready_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Platform::init(int width, int height, const std::string& title, std::string* error) {
  if (!glfwInit()) {
    if (error) *error = "cannot open a window (is there a display? DISPLAY is not set or not reachable)";
    return false;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) {
    if (error) *error = "cannot create an OpenGL 3.3 window";
    return false;
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(1);
  glfwSetWindowUserPointer(window_, &dropped_);
  glfwSetDropCallback(window_, on_drop);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // layout is computed; nothing is written next to the lesson
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330");
  imgui_ready_ = true;
  return true;
}

bool Platform::should_close() const { return glfwWindowShouldClose(window_); }

void Platform::begin_frame() {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

void Platform::render() {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x * 0.8f, bg.y * 0.8f, bg.z * 0.8f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Platform::end_frame() {
  render();
  glfwSwapBuffers(window_);
}

void Platform::rebuild_font_texture() {
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

bool Platform::screenshot(const std::string& path, std::string* error) const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  // OpenGL's rows run bottom-up; PNG's top-down.
  stbi_flip_vertically_on_write(1);
  if (!stbi_write_png(path.c_str(), w, h, 4, pixels.data(), w * 4)) {
    if (error) *error = "cannot write " + path;
    return false;
  }
  return true;
}

double Platform::time() const { return glfwGetTime(); }

void Platform::set_title(const std::string& title) { glfwSetWindowTitle(window_, title.c_str()); }

std::vector<std::string> Platform::take_dropped_files() {
  std::vector<std::string> out;
  out.swap(dropped_);
  return out;
}

int Platform::key_f5() { return GLFW_KEY_F5; }

}  // namespace postlab
