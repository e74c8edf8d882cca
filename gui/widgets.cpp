#include "widgets.h"

#include "export/i18n.h"

namespace postlab {

MeasureText imgui_measure() {
  return [](std::string_view s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x; };
}

void text_wrapped(std::string_view text) {
  const float width = std::max(ImGui::GetFontSize() * 4, ImGui::GetContentRegionAvail().x);
  for (const auto& line : wrap_words(text, width, imgui_measure()))
    ImGui::TextUnformatted(line.data(), line.data() + line.size());
}

void text_wrapped(std::string_view text, Rgb color) {
  ImGui::PushStyleColor(ImGuiCol_Text, to_imvec(color));
  text_wrapped(text);
  ImGui::PopStyleColor();
}

void bullet_wrapped(std::string_view text) {
  ImGui::Bullet();
  ImGui::SameLine();
  ImGui::BeginGroup();
  text_wrapped(text);
  ImGui::EndGroup();
}

void text_fitted(std::string_view text) {
  const float width = ImGui::GetContentRegionAvail().x;
  const std::string shown = fit_text(text, width, imgui_measure());
  ImGui::TextUnformatted(shown.data(), shown.data() + shown.size());
  if (shown.size() != text.size() && ImGui::IsItemHovered())
    ImGui::SetTooltip("%.*s", static_cast<int>(text.size()), text.data());
}

std::string panel_title(const Translations& tr, const char* panel_key, bool eavesdropper) {
  return tr.get(panel_key) + " · " + tr.get(eavesdropper ? "view.eavesdropper" : "view.lab") + "###" + panel_key;
}

}  // namespace postlab
