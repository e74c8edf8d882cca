// Where the mail is: mailboxes (per user and folder), the MTAs' queues, and one message in full.
// In the eavesdropper's view these panels say what someone on the wire cannot see, and nothing more.
#include <imgui.h>

#include <algorithm>

#include "export/i18n.h"
#include "model/theme.h"
#include "model/timers.h"
#include "trace/player.h"
#include "trace/trace.h"
#include "ui.h"
#include "widgets.h"

namespace postlab {
namespace {

// Rows a folder or a queue lists at most: the panels of a world with thousands of messages stay
// quick to draw, and the counts say how many there are.
constexpr std::size_t kRowsListed = 200;
// A lesson with more users than this shows them closed at first: a big world's mailboxes panel is a
// list of names to open, not thousands of rows drawn every frame.
constexpr std::size_t kUsersOpenAtFirst = 8;

// True (after drawing the explanation) when the panel must show nothing of what servers hold.
bool hidden_from_eavesdropper(const Frame& f, bool explain) {
  if (!f.eavesdropper) return false;
  text_wrapped(f.tr->get(explain ? "eavesdropper.servers_hidden" : "eavesdropper.servers_hidden_short"),
               f.palette->text_disabled);
  return true;
}

// A row that fits the panel: cut with "…" when it does not (the caller shows the whole on hover).
bool fitted_selectable(const std::string& text, const std::string& id, bool selected) {
  const float width = ImGui::GetContentRegionAvail().x;
  const std::string shown = fit_text(text, width, imgui_measure());
  return ImGui::Selectable((shown + "##" + id).c_str(), selected);
}

std::string count_text(const Translations& tr, std::size_t n) {
  return n == 1 ? tr.get("mailbox.one_message") : fill(tr.get("mailbox.messages"), {std::to_string(n)});
}

// "Alice — Subject": the display name keeps a row short enough for the subject; the whole From: is
// on hover and in the inspector.
std::string short_row(const Translations& tr, const MailSummary& s) {
  const std::string subject = s.subject.empty() ? tr.get("mailbox.no_subject") : s.subject;
  const std::size_t lt = s.from.find(" <");
  const std::string who = lt != std::string::npos && lt > 0 ? s.from.substr(0, lt) : s.from;
  return who + "  —  " + subject;
}

// Each device that reads mail, with the copies it keeps itself (what POP3 took away from the
// server, or what IMAP cached); a click on one inspects it.
void draw_devices(const Frame& f, UiState& ui, const StateView& view) {
  const Translations& tr = *f.tr;
  const std::vector<const DeviceState*> devices = view.devices();
  if (devices.empty()) return;
  ImGui::Separator();
  ImGui::TextUnformatted(tr.c("mailbox.devices"));
  for (const DeviceState* d : devices) {
    const std::vector<const LocalCopy*> copies = view.copies(*d);
    const std::string label = d->name + "  ·  " + count_text(tr, copies.size());
    ImGui::SetNextItemOpen(true, ImGuiCond_Once);
    if (!ImGui::TreeNode((label + "##dev" + d->name).c_str())) continue;
    if (copies.empty()) ImGui::TextDisabled("%s", tr.c("mailbox.empty"));
    const std::size_t first = copies.size() > kRowsListed ? copies.size() - kRowsListed : 0;
    if (first > 0) ImGui::TextDisabled("%s", fill(tr.get("mailbox.more"), {std::to_string(first)}).c_str());
    for (std::size_t k = first; k < copies.size(); ++k) {
      const LocalCopy& c = *copies[k];
      const MailSummary& s = (*f.summaries)[static_cast<std::size_t>(c.message)];
      if (fitted_selectable(short_row(tr, s), "d" + std::to_string(c.message), ui.selected_message == c.message))
        ui.selected_message = ui.selected_message == c.message ? -1 : c.message;
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s\n%s", s.from.c_str(),
                          fill(tr.get("mailbox.copy_of"), {c.mailbox, c.folder, std::to_string(c.uid)}).c_str());
    }
    ImGui::TreePop();
  }
}

}  // namespace

void draw_mailboxes(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(panel_title(tr, "panel.mailboxes", f.eavesdropper).c_str())) {
    ImGui::End();
    return;
  }
  if (hidden_from_eavesdropper(f, true)) {
    ImGui::End();
    return;
  }
  const StateView view = f.player->view();
  const std::vector<const MailboxState*> boxes = view.mailboxes();
  // One line that says where the mail is, when devices keep mail of their own.
  const auto devices = view.devices();
  if (!devices.empty()) {
    std::string where;
    for (const DeviceState* d : devices) where += (where.empty() ? "" : " · ") + d->name + ": " + std::to_string(view.copies(*d).size());
    for (const MailboxState* box : boxes) {
      std::size_t n = 0;
      for (const FolderState* fs : view.folders(*box)) n += view.count(*fs);
      bool read = false;
      for (const DeviceState* d : devices) read = read || d->user == box->address;
      if (read) where += " · " + fill(tr.get("mailbox.where_server"), {box->address, std::to_string(n)});
    }
    text_wrapped(fill(tr.get("mailbox.where"), {where}), f.palette->accent);
    ImGui::Separator();
  }
  for (const MailboxState* box : boxes) {
    const std::string& user = box->address;
    // With devices that read mail, the mailboxes they read come first to the eye: the others start closed.
    bool read = devices.empty();
    for (const DeviceState* d : devices) read = read || d->user == user;
    ImGui::SetNextItemOpen(boxes.size() <= kUsersOpenAtFirst && read, ImGuiCond_Once);
    if (!ImGui::TreeNode(user.c_str())) continue;
    for (const FolderState* fs : view.folders(*box)) {
      const std::string& folder = fs->name;
      const std::size_t count = view.count(*fs);
      const std::string label = folder + "  ·  " + count_text(tr, count);
      ImGui::SetNextItemOpen(folder == "INBOX", ImGuiCond_Once);
      if (!ImGui::TreeNode((label + "##" + user + folder).c_str())) continue;
      if (count == 0) ImGui::TextDisabled("%s", tr.c("mailbox.empty"));
      // A folder of a big world lists its latest messages only; the count above says how many.
      if (count > kRowsListed) ImGui::TextDisabled("%s", fill(tr.get("mailbox.more"), {std::to_string(count - kRowsListed)}).c_str());
      for (const StoredItem* it : view.latest(*fs, kRowsListed)) {
        const StoredItem& item = *it;
        const MailSummary& s = (*f.summaries)[static_cast<std::size_t>(item.message)];
        const std::string subject = s.subject.empty() ? tr.get("mailbox.no_subject") : s.subject;
        // Flags (IMAP's system flags, which Dovecot keeps for POP3 too) lead the row: a message read
        // on one device shows as read everywhere.
        const std::string flags = format_flags(view.flags(item));
        const std::string row = tr.get("mailbox.uid") + " " + std::to_string(item.uid) + (flags.empty() ? "" : "  " + flags) +
                                "  " + short_row(tr, s);
        if (fitted_selectable(row, std::to_string(item.message), ui.selected_message == item.message))
          ui.selected_message = ui.selected_message == item.message ? -1 : item.message;
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("%s\n%s\n%s%s", s.from.c_str(), subject.c_str(),
                            fill(tr.get("mailbox.arrived"), {format_clock(item.arrived)}).c_str(),
                            flags.empty() ? "" : ("\n" + fill(tr.get("mailbox.flags"), {flags})).c_str());
      }
      ImGui::TreePop();
    }
    ImGui::TreePop();
  }
  draw_devices(f, ui, view);
  ImGui::End();
}

void draw_queue(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  if (!ImGui::Begin(panel_title(tr, "panel.queue", f.eavesdropper).c_str())) {
    ImGui::End();
    return;
  }
  if (hidden_from_eavesdropper(f, false)) {
    ImGui::End();
    return;
  }
  const std::vector<QueueEntryView> queue = f.player->view().queue();
  if (queue.empty()) ImGui::TextDisabled("%s", tr.c("queue.empty"));
  for (std::size_t i = 0; i < queue.size();) {
    const std::string_view host = queue[i].host;
    std::size_t end = i;
    while (end < queue.size() && queue[end].host == host) ++end;
    ImGui::TextUnformatted(host.data(), host.data() + host.size());
    ImGui::Indent();
    // A busy MTA of a big world lists its first entries only, and says how many more wait.
    for (std::size_t k = i; k < std::min(end, i + kRowsListed); ++k) {
      const QueueEntryView& item = queue[k];
      // Click a queued copy to inspect it; the status is the latest log line about it.
      if (fitted_selectable(std::string(item.queue_id), "q" + std::to_string(item.message), ui.selected_message == item.message))
        ui.selected_message = ui.selected_message == item.message ? -1 : item.message;
      // The timers counting down at the cursor's time come first: they are what changes step by step.
      const SimTime now = f.player->view().now();
      for (const TimerRow& t : timer_rows(item, now)) {
        const std::string text = fill(tr.get(t.key), {format_wait(t.left)}) + " · " + format_day_clock(t.at, tr);
        ImGui::ProgressBar(t.fraction, ImVec2(-1, 0), text.c_str());
      }
      std::string attempts = fill(tr.get("queue.attempts"), {std::to_string(item.attempts)});
      if (item.next_attempt < 0) attempts += " · " + tr.get("queue.trying_now");
      if (item.warned) attempts += " · " + tr.get("queue.warning_sent");
      text_wrapped(attempts);
      // Each recipient, then the latest log line about the message.
      for (const RecipientView& r : item.recipients) {
        static constexpr const char* kState[] = {"queue.recipient.waiting", "queue.recipient.deferred",
                                                 "queue.recipient.delivered", "queue.recipient.bounced"};
        static constexpr ReplyClass kClass[] = {ReplyClass::Intermediate, ReplyClass::Transient, ReplyClass::Positive,
                                                ReplyClass::Permanent};
        const auto st = static_cast<std::size_t>(r.state);
        text_wrapped(r.address + ": " + tr.get(kState[st]), reply_color(*f.palette, kClass[st]));
      }
      if (f.mono) ImGui::PushFont(f.mono);
      text_wrapped(std::string(item.status), f.palette->text_disabled);
      if (f.mono) ImGui::PopFont();
    }
    if (end - i > kRowsListed) ImGui::TextDisabled("%s", fill(tr.get("queue.more"), {std::to_string(end - i - kRowsListed)}).c_str());
    ImGui::Unindent();
    i = end;
  }
  ImGui::End();
}

void draw_message(const Frame& f, UiState& ui) {
  const Translations& tr = *f.tr;
  const Palette& pal = *f.palette;
  if (!ImGui::Begin(panel_title(tr, "panel.message", f.eavesdropper).c_str())) {
    ImGui::End();
    return;
  }
  if (hidden_from_eavesdropper(f, false)) {
    ImGui::End();
    return;
  }
  // The copy picked in a mailbox or queue, or else the latest copy the steps were about.
  const StateView view = f.player->view();
  const std::int64_t index = inspected_message(*f.trace, view, ui.selected_message);
  if (index < 0) {
    text_wrapped(tr.get("mailbox.select"), pal.text_disabled);
    ImGui::End();
    return;
  }
  const std::string folder = folder_of(view, index);
  if (ui.inspected != index || ui.inspected_lang != tr.lang() || ui.inspected_folder != folder) {
    ui.inspected_view = build_message_view(f.trace->messages()[static_cast<std::size_t>(index)], tr, folder);
    ui.inspected = index;
    ui.inspected_lang = tr.lang();
    ui.inspected_folder = folder;
  }
  const MessageView& v = ui.inspected_view;
  text_wrapped(v.copy);
  ImGui::Separator();
  text_wrapped(tr.get("mailbox.from") + ": " + v.summary.from);
  text_wrapped(tr.get("mailbox.subject") + ": " + v.summary.subject);
  if (v.has_verdict) {
    const Rgb color = v.verdict_kind == SenderVerdict::Forged       ? pal.forged
                      : v.verdict_kind == SenderVerdict::Unverified ? pal.unverified
                                                                    : pal.consistent;
    text_wrapped(v.verdict, color);
  }
  if (ImGui::BeginTabBar("##message")) {
    if (ImGui::BeginTabItem(tr.c("verdict.title"))) {
      ImGui::BeginChild("##who");
      for (const auto& r : v.reasons) bullet_wrapped(r);
      if (!v.envelope_note.empty()) text_wrapped(v.envelope_note, pal.text_disabled);
      ImGui::Separator();
      // Label and value side by side when both fit; on a narrow panel (a projector at 1280×720) the
      // label goes above its value, so addresses keep the whole width.
      float label_w = 0;
      for (const auto& fact : v.facts) label_w = std::max(label_w, ImGui::CalcTextSize(fact.first.c_str()).x);
      const bool side_by_side = ImGui::GetContentRegionAvail().x > label_w + ImGui::GetFontSize() * 16;
      if (side_by_side && ImGui::BeginTable("##facts", 2)) {
        ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthFixed, label_w);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
        for (const auto& [label, value] : v.facts) {
          ImGui::TableNextRow();
          ImGui::TableSetColumnIndex(0);
          ImGui::TextDisabled("%s", label.c_str());
          ImGui::TableSetColumnIndex(1);
          text_wrapped(value);
        }
        ImGui::EndTable();
      } else if (!side_by_side) {
        for (const auto& [label, value] : v.facts) {
          ImGui::TextDisabled("%s", label.c_str());
          ImGui::Indent();
          text_wrapped(value);
          ImGui::Unindent();
        }
      }
      ImGui::EndChild();
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
      ImGui::BeginChild("##mime", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
      for (const auto& line : v.mime) ImGui::TextUnformatted(line.c_str());
      ImGui::EndChild();
      if (f.mono) ImGui::PopFont();
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace postlab
