#include "report.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "export/i18n.h"
#include "export/message_view.h"
#include "scenario/scenario.h"
#include "trace/transcript.h"
#include "trace/view.h"

namespace postlab {
namespace {

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}


}  // namespace

void write_steps_text(std::ostream& os, const Scenario& scenario, const Trace& trace, const Translations& tr,
                      std::size_t max_lines) {
  std::size_t steps = 0, route_width = 0;
  for (const auto& e : trace.events()) {
    if (!is_step(e)) continue;
    ++steps;
    route_width = std::max(route_width, display_width(route_of(e)));
  }
  route_width = std::min<std::size_t>(route_width, 44);

  std::string out = tr.get("app.title") + " · " + scenario.title.get(tr.lang()) + "\n";
  out += tr.get("cli.lesson") + ": " + scenario.file + " · " + fill(tr.get("cli.seed"), {std::to_string(scenario.seed)}) +
         " · " + fill(tr.get("cli.steps"), {std::to_string(steps)}) + "\n";
  if (!scenario.summary.empty()) out += "\n" + scenario.summary.get(tr.lang()) + "\n";
  if (!scenario.goals.empty()) {
    out += tr.get("cli.goals") + ":\n";
    for (const auto& g : scenario.goals) out += "  - " + g.get(tr.lang()) + "\n";
  }
  out += "\n";
  os << out;  // the header; then one step at a time, so memory does not grow with the trace

  std::size_t step = 0;
  for (const auto& e : trace.events()) {
    if (!is_step(e)) continue;
    char head[48];
    std::snprintf(head, sizeof head, "%5zu  %s  ", ++step, format_clock(e.time).c_str());
    // A line inside TLS is marked: the simulation shows its text, an eavesdropper would not see it.
    const std::string proto = e.encrypted ? tr.get("transcript.tls") : to_string(e.protocol);
    const std::string prefix = std::string(head) + pad(route_of(e), route_width) + "  " + pad(proto, 4) + "  ";
    const std::string indent(display_width(prefix), ' ');
    std::vector<std::string> lines;
    if (e.kind == EventKind::Line) {
      const std::string role = tr.get(e.from_client ? "transcript.client" : "transcript.server") + " ";
      const std::vector<std::string> bytes = split_lines(e.text);
      const std::size_t tail = 5;
      if (bytes.size() > max_lines && max_lines > tail + 1) {
        // The head and the tail, and how much is left out in between.
        const std::size_t head_lines = max_lines - tail - 1, left_out = bytes.size() - head_lines - tail;
        std::size_t octets = 0;
        for (std::size_t i = head_lines; i < head_lines + left_out; ++i) octets += bytes[i].size() + 2;
        for (std::size_t i = 0; i < head_lines; ++i) lines.push_back(role + bytes[i]);
        lines.push_back(fill(tr.get("cli.lines_left_out"), {std::to_string(left_out), std::to_string(octets)}));
        for (std::size_t i = bytes.size() - tail; i < bytes.size(); ++i) lines.push_back(role + bytes[i]);
      } else {
        for (const auto& l : bytes) lines.push_back(role + l);
      }
    } else {
      lines = split_lines(tr.phrase(describe(e, tr.lang())));
    }
    for (const auto& n : explanations(e)) lines.push_back("↳ " + tr.phrase(n));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string row = (i == 0 ? prefix : indent) + lines[i];
      while (!row.empty() && row.back() == ' ') row.pop_back();
      os << row << '\n';
    }
  }
}

void write_mailboxes(std::ostream& os, const Trace& trace, const StateView& view, std::size_t step, std::size_t steps,
                     const Translations& tr) {
  auto count = [&](std::size_t n) {
    return n == 1 ? tr.get("mailbox.one_message") : fill(tr.get("mailbox.messages"), {std::to_string(n)});
  };
  auto about = [&](std::int64_t message) {
    const MailSummary s = summarize(trace.messages()[static_cast<std::size_t>(message)]);
    return s.from + " · " + s.subject;
  };
  os << fill(tr.get("mailbox.title"), {std::to_string(step), std::to_string(steps), format_clock(view.now())}) << "\n";
  std::string where;
  for (const MailboxState* box : view.mailboxes()) {
    os << "\n" << (box->host.empty() ? fill(tr.get("mailbox.user_nowhere"), {box->address})
                                     : fill(tr.get("mailbox.user"), {box->address, box->host}))
       << "\n";
    std::size_t on_server = 0;
    for (const FolderState* f : view.folders(*box)) {
      const std::size_t n = view.count(*f);
      on_server += n;
      os << "  " << fill(tr.get("mailbox.folder"), {f->name, std::to_string(f->uidvalidity), std::to_string(view.uidnext(*f)), count(n)})
         << "\n";
      for (const StoredItem* i : view.latest(*f, f->items.size())) {
        const std::string flags = format_flags(view.flags(*i));
        char size[32];
        std::snprintf(size, sizeof size, "%zu", trace.messages()[static_cast<std::size_t>(i->message)].size());
        os << "    " << fill(tr.get("mailbox.item"), {std::to_string(i->uid), flags.empty() ? "-" : flags, size, about(i->message)})
           << "\n";
      }
    }
    // The summary names the mailboxes that hold mail or that a device reads.
    bool read = false;
    for (const DeviceState* d : view.devices()) read = read || d->user == box->address;
    if (on_server > 0 || read)
      where += (where.empty() ? "" : " · ") + fill(tr.get("mailbox.where_server"), {box->address, std::to_string(on_server)});
  }
  std::string held;  // what the devices hold, in the order of their names
  const auto devices = view.devices();
  os << "\n" << tr.get("mailbox.devices") << "\n";
  if (devices.empty()) os << "  " << tr.get("mailbox.no_devices") << "\n";
  for (const DeviceState* d : devices) {
    const auto copies = view.copies(*d);
    os << "  " << d->name << ": " << count(copies.size()) << "\n";
    for (const LocalCopy* c : copies)
      // A POP3 client knows a message by its UIDL only; an IMAP client by folder and UID.
      os << "    "
         << (c->uidl.empty() ? fill(tr.get("mailbox.copy"), {about(c->message), c->mailbox, c->folder, std::to_string(c->uid)})
                             : fill(tr.get("mailbox.copy_pop3"), {about(c->message), c->mailbox, c->uidl}))
         << "\n";
    held += (held.empty() ? "" : " · ") + d->name + ": " + std::to_string(copies.size());
  }
  os << "\n" << fill(tr.get("mailbox.where"), {held.empty() ? where : where.empty() ? held : held + " · " + where}) << "\n";
}

}  // namespace postlab
