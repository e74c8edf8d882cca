#include "console.h"

#include <iostream>

#include "agents/world.h"
#include "export/run_limit.h"
#include "export/i18n.h"
#include "net/network.h"
#include "trace/transcript.h"

namespace postlab {
namespace {

// The console's end of the connection: prints what arrives.
class Terminal : public ConnectionHandler {
 public:
  Terminal(std::ostream& out, bool transcript) : out_(out), transcript_(transcript) {}
  void on_open(ConnId) override { open_ = true; }
  void on_data(ConnId, std::string_view bytes) override {
    if (!transcript_) {
      out_ << bytes;
    } else {
      for (const auto& line : split_lines(bytes)) out_ << "S: " << line << "\n";
    }
    out_.flush();
  }
  void on_close(ConnId) override { closed_ = true; }
  void on_fail(ConnId, const std::string& reason) override {
    failed_ = reason;
    closed_ = true;
  }
  bool open() const { return open_ && !closed_; }
  bool closed() const { return closed_; }
  const std::string& failed() const { return failed_; }

 private:
  std::ostream& out_;
  bool transcript_;
  bool open_ = false, closed_ = false;
  std::string failed_;
};

std::string free_address(const Network& net) {
  for (int last = 254; last > 1; --last) {
    const std::string a = "192.0.2." + std::to_string(last);
    if (!net.find_by_address(a)) return a;
  }
  return "198.18.0.1";  // RFC 2544 benchmarking range: never a lesson's documentation address
}

}  // namespace

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
    client = world.add_guest_host(name, free_address(net));
  }
  err << fill(tr.get("console.connecting"),
              {net.host(client).name, net.host(client).address, o.host, std::to_string(o.port)})
      << "\n";

  const std::size_t first_event = world.trace().size();
  Terminal terminal(out, o.transcript);
  const ConnId id = net.connect(client, *server, o.port, Protocol::Smtp, &terminal);
  world.run();
  if (stopped()) return 1;
  std::string line;
  bool encrypted_told = false;
  while (!terminal.closed() && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (o.transcript) out << "C: " << line << "\n";
    net.send(id, true, line + "\r\n");
    world.run();
    if (stopped()) return 1;
    const auto& events = world.trace().events();
    if (!encrypted_told && !events.empty() && events.back().encrypted) {
      err << tr.get("console.tls") << "\n";
      encrypted_told = true;
    }
  }
  if (!terminal.failed().empty()) err << fill(tr.get("console.failed"), {terminal.failed()}) << "\n";
  if (net.is_open(id)) net.close(id, true);
  world.run();
  if (stopped()) return 1;

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
