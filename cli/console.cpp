#include "console.h"

#include <iostream>

#include "agents/guest.h"
#include "agents/world.h"
#include "export/run_limit.h"
#include "export/i18n.h"
#include "net/network.h"
#include "trace/transcript.h"

namespace postlab {

int run_console(const Scenario& scenario, const ConsoleOptions& o, const Translations& tr, std::istream& in,
                std::ostream& out, std::ostream& err) {
  World world(scenario);
  // A world stopped at a run limit answers nothing more: say so once, and end the session.
  auto stopped = [&] {
    if (!world.limit_hit()) return false;
    err << run_limit_message(world.trace(), *world.limit_hit(), tr) << "\n";
    return true;
  };
  world.run();  // the lesson happens first; the console joins the world as it is at the end
  if (stopped()) return 1;
  Network& net = world.net();
  auto server = net.find_by_name(o.host);
  if (!server) {
    err << fill(tr.get("console.no_host"), {o.host}) << "\n";
    return 1;
  }
  HostId client;
  if (!o.as.empty()) {
    auto h = net.find_by_name(o.as);
    if (!h) {
      err << fill(tr.get("console.no_host"), {o.as}) << "\n";
      return 1;
    }
    client = *h;
  } else {
    std::string name = "console";
    while (net.find_by_name(name)) name += "-2";
    client = world.add_guest_host(name, world.free_guest_address());
  }
  err << fill(tr.get("console.connecting"),
              {net.host(client).name, net.host(client).address, o.host, std::to_string(o.port), o.port == 110 ? "POP3" : o.port == 143 ? "IMAP" : "SMTP",
               o.port == 143 ? "\"a LOGOUT\"" : "QUIT"})
      << "\n";

  const std::size_t first_event = world.trace().size();
  // The guest sends each line at the virtual time reached so far and runs the world only until the
  // replies are in: a server's timeout or a queue's retry minutes ahead does not happen in between.
  GuestClient guest(world, client, *server, o.port, [&](std::string_view bytes) {
    if (!o.transcript) {
      out << bytes;
    } else {
      for (const auto& line : split_lines(bytes)) out << "S: " << line << "\n";
    }
    out.flush();
  });
  if (!guest.settle() && stopped()) return 1;
  std::string line;
  bool encrypted_told = false;
  while (!guest.closed() && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (o.transcript) out << "C: " << line << "\n";
    if (!guest.type(line) && stopped()) return 1;
    const auto& events = world.trace().events();
    if (!encrypted_told && !events.empty() && events.back().encrypted) {
      err << tr.get("console.tls") << "\n";
      encrypted_told = true;
    }
  }
  if (!guest.failed().empty()) err << fill(tr.get("console.failed"), {guest.failed()}) << "\n";
  if (!guest.hang_up() && stopped()) return 1;

  // What the world did with the session: accepted, delivered, relayed, refused.
  err << "\n" << tr.get("console.summary") << "\n";
  std::size_t shown = 0;
  const auto& events = world.trace().events();
  for (std::size_t i = first_event; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    switch (e.kind) {
      case EventKind::MessageAccepted:
      case EventKind::MessageStored:
      case EventKind::Relayed:
      case EventKind::DeliveryDeferred:
      case EventKind::DeliveryFailed:
      case EventKind::MessageExpunged:
      case EventKind::FlagsChanged:
      case EventKind::FolderCreated:
      case EventKind::FolderDeleted:
      case EventKind::FolderRenamed:
        err << "  " << format_clock(e.time) << "  " << tr.phrase(describe(e, tr.lang())) << "\n";
        ++shown;
        break;
      default: break;
    }
  }
  if (shown == 0) err << "  " << tr.get("console.nothing") << "\n";
  return 0;
}

}  // namespace postlab
