#include "report.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "export/i18n.h"
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

void write_steps_text(std::ostream& os, const Scenario& scenario, const Trace& trace, const Translations& tr) {
  std::size_t steps = 0, route_width = 0;
  for (const auto& e : trace.events()) {
    if (!is_step(e.kind)) continue;
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
    if (!is_step(e.kind)) continue;
    char head[48];
    std::snprintf(head, sizeof head, "%5zu  %s  ", ++step, format_clock(e.time).c_str());
    // A line inside TLS is marked: the simulation shows its text, an eavesdropper would not see it.
    const std::string proto = e.encrypted ? tr.get("transcript.tls") : to_string(e.protocol);
    const std::string prefix = std::string(head) + pad(route_of(e), route_width) + "  " + pad(proto, 4) + "  ";
    const std::string indent(display_width(prefix), ' ');
    std::vector<std::string> lines;
    if (e.kind == EventKind::Line) {
      const std::string role = tr.get(e.from_client ? "transcript.client" : "transcript.server") + " ";
      for (const auto& l : split_lines(e.text)) lines.push_back(role + l);
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

}  // namespace postlab
