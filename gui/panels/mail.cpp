// Where the mail is: mailboxes (per user and folder), the MTAs' queues, and one message in full.
#include <imgui.h>

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
  const auto& messages = f.trace->messages();
  for (const auto& [user, folders] : f.player->view().mailboxes) {
    ImGui::SetNextItemOpen(true, ImGuiCond_Once);
    if (!ImGui::TreeNode(user.c_str())) continue;
    for (const auto& [folder, items] : folders) {
      const std::string label = folder + "  ·  " + fill(tr.get("mailbox.messages"), {std::to_string(items.size())});
      ImGui::SetNextItemOpen(folder == "INBOX", ImGuiCond_Once);
      if (!ImGui::TreeNode((label + "##" + user + folder).c_str())) continue;
      if (items.empty()) ImGui::TextDisabled("%s", tr.c("mailbox.empty"));
      for (const auto& item : items) {
        const MailSummary s = summarize(messages[static_cast<std::size_t>(item.message)]);
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

void draw_message(const Frame& f, const UiState& ui) {
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
  const MessageSnapshot& m = f.trace->messages()[static_cast<std::size_t>(index)];
  const MailSummary s = summarize(m);
  ImGui::TextWrapped("%s: %s", tr.c("mailbox.from"), s.from.c_str());
  ImGui::TextWrapped("%s: %s", tr.c("mailbox.subject"), s.subject.c_str());
  ImGui::TextWrapped("MAIL FROM:<%s>  RCPT TO:%s", m.envelope_from.c_str(), [&] {
    std::string r;
    for (const auto& t : m.envelope_to) r += " <" + t + ">";
    return r;
  }().c_str());
  ImGui::Separator();
  if (f.mono) ImGui::PushFont(f.mono);
  ImGui::BeginChild("##raw", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::TextUnformatted(m.data.data(), m.data.data() + m.data.size());
  ImGui::EndChild();
  if (f.mono) ImGui::PopFont();
  ImGui::End();
}

}  // namespace postlab
