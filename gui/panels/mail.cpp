// Where the mail is: mailboxes (per user and folder), the MTAs' queues, and one message in full.
#include <imgui.h>

#include <algorithm>

#include "export/i18n.h"
#include "trace/player.h"
#include "trace/trace.h"
#include "ui.h"

namespace postlab {

void draw_mailboxes(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(tr.c("panel.mailboxes"))) {
    ImGui::End();
    return;
  }
  for (const auto& [user, folders] : f.player->view().mailboxes) {
    ImGui::SetNextItemOpen(true, ImGuiCond_Once);
    if (!ImGui::TreeNode(user.c_str())) continue;
    for (const auto& [folder, items] : folders) {
      const std::string label = folder + "  ·  " + fill(tr.get("mailbox.messages"), {std::to_string(items.size())});
      ImGui::SetNextItemOpen(folder == "INBOX", ImGuiCond_Once);
      if (!ImGui::TreeNode((label + "##" + user + folder).c_str())) continue;
      if (items.empty()) ImGui::TextDisabled("%s", tr.c("mailbox.empty"));
      for (const auto& item : items) {
        const MailSummary& s = (*f.summaries)[static_cast<std::size_t>(item.message)];
        const std::string subject = s.subject.empty() ? tr.get("mailbox.no_subject") : s.subject;
        const std::string row = tr.get("mailbox.uid") + " " + std::to_string(item.uid) + "  " + s.from + "  —  " + subject;
        if (ImGui::Selectable((row + "##" + std::to_string(item.message)).c_str(), ui.selected_message == item.message))
          ui.selected_message = ui.selected_message == item.message ? -1 : item.message;
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("%s", fill(tr.get("mailbox.arrived"), {format_clock(item.arrived)}).c_str());
      }
      ImGui::TreePop();
    }
    ImGui::TreePop();
  }
  ImGui::End();
}

void draw_queue(const Frame& f) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(tr.c("panel.queue"))) {
    ImGui::End();
    return;
  }
  const auto& queues = f.player->view().queues;
  if (queues.empty()) ImGui::TextDisabled("%s", tr.c("queue.empty"));
  for (const auto& [host, items] : queues) {
    ImGui::TextUnformatted(host.c_str());
    ImGui::Indent();
    for (const auto& [id, item] : items) {
      if (f.mono) ImGui::PushFont(f.mono);
      ImGui::TextWrapped("%s", item.status.c_str());
      if (f.mono) ImGui::PopFont();
    }
    ImGui::Unindent();
  }
  ImGui::End();
}

void draw_message(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(tr.c("panel.message"))) {
    ImGui::End();
    return;
  }
  // The message picked in a mailbox, or else the one the latest steps were about.
  const std::int64_t index = ui.selected_message >= 0 ? ui.selected_message : f.player->view().message;
  if (index < 0) {
    ImGui::TextDisabled("%s", tr.c("mailbox.select"));
    ImGui::End();
    return;
  }
  if (ui.inspected != index || ui.inspected_lang != tr.lang()) {
    ui.inspected_view = build_message_view(f.trace->messages()[static_cast<std::size_t>(index)], tr);
    ui.inspected = index;
    ui.inspected_lang = tr.lang();
  }
  const MessageView& v = ui.inspected_view;
  ImGui::TextWrapped("%s: %s", tr.c("mailbox.from"), v.summary.from.c_str());
  ImGui::TextWrapped("%s: %s", tr.c("mailbox.subject"), v.summary.subject.c_str());
  if (v.has_verdict) {
    const ImVec4 color = v.suspicious ? ImVec4(0.95f, 0.35f, 0.30f, 1) : ImVec4(0.30f, 0.75f, 0.40f, 1);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextWrapped("%s", v.verdict.c_str());
    ImGui::PopStyleColor();
  }
  if (ImGui::BeginTabBar("##message")) {
    if (ImGui::BeginTabItem(tr.c("verdict.title"))) {
      for (const auto& r : v.reasons) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", r.c_str());
      }
      ImGui::Separator();
      if (ImGui::BeginTable("##facts", 2)) {
        float label_w = 0;
        for (const auto& fact : v.facts) label_w = std::max(label_w, ImGui::CalcTextSize(fact.first.c_str()).x);
        ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, label_w);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
        for (const auto& [label, value] : v.facts) {
          ImGui::TableNextRow();
          ImGui::TableSetColumnIndex(0);
          ImGui::TextDisabled("%s", label.c_str());
          ImGui::TableSetColumnIndex(1);
          ImGui::TextWrapped("%s", value.c_str());
        }
        ImGui::EndTable();
      }
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem(tr.c("message.headers"))) {
      if (f.mono) ImGui::PushFont(f.mono);
      ImGui::BeginChild("##raw", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
      ImGui::TextUnformatted(v.raw.data(), v.raw.data() + v.raw.size());
      if (v.raw_size > v.raw.size()) ImGui::TextDisabled("… (+%zu B)", v.raw_size - v.raw.size());
      ImGui::EndChild();
      if (f.mono) ImGui::PopFont();
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem(tr.c("message.mime"))) {
      if (f.mono) ImGui::PushFont(f.mono);
      for (const auto& line : v.mime) ImGui::TextUnformatted(line.c_str());
      if (f.mono) ImGui::PopFont();
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace postlab
