#include "net/network.h"

#include <algorithm>

#include "trace/recorder.h"

namespace postlab {

HostId Network::add_host(std::string name, std::string address) {
  Name label(name);
  hosts_.push_back(NetHost{std::move(name), label, std::move(address), true, {}});
  return hosts_.size() - 1;
}

void Network::add_link(HostId a, HostId b, Duration latency) {
  links_[{std::min(a, b), std::max(a, b)}] = latency;
}

void Network::listen(HostId host, int port, Listener* listener) { hosts_[host].listeners[port] = listener; }

std::optional<HostId> Network::find_by_name(std::string_view name) const {
  for (HostId i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].name == name) return i;
  return std::nullopt;
}

std::optional<HostId> Network::find_by_address(std::string_view address) const {
  for (HostId i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].address == address) return i;
  return std::nullopt;
}

Duration Network::latency(HostId a, HostId b) const {
  if (a == b) return 0;
  auto it = links_.find({std::min(a, b), std::max(a, b)});
  return it == links_.end() ? default_latency_ : it->second;
}

void Network::set_up(HostId host, bool up) {
  hosts_[host].up = up;
  if (up) return;
  // Its connections die with it: nothing more arrives on them (the peers are not told).
  for (std::size_t i = 0; i < conns_.size(); ++i) {
    Conn& c = conns_[i];
    if ((c.client == host || c.server == host) && (c.client_open || c.server_open) && c.cut.empty())
      cut(static_cast<ConnId>(i), "host_down");
  }
}

void Network::set_link_up(HostId a, HostId b, bool up) {
  links_down_[{std::min(a, b), std::max(a, b)}] = !up;
  if (up) return;
  for (std::size_t i = 0; i < conns_.size(); ++i) {
    Conn& c = conns_[i];
    if (std::minmax(c.client, c.server) == std::minmax(a, b) && (c.client_open || c.server_open) && c.cut.empty())
      cut(static_cast<ConnId>(i), "link_down");
  }
}

bool Network::link_up(HostId a, HostId b) const {
  auto it = links_down_.find({std::min(a, b), std::max(a, b)});
  return it == links_down_.end() || !it->second;
}

void Network::cut(ConnId id, const std::string& why) {
  Conn& c = conns_[static_cast<std::size_t>(id)];
  if (c.cut.empty()) c.cut = why;
}

std::string Network::loss(const Conn& c) const {
  if (!c.cut.empty()) return c.cut;
  if (!hosts_[c.client].up || !hosts_[c.server].up) return "host_down";
  if (!link_up(c.client, c.server)) return "link_down";
  return {};
}

void Network::lose_at(SimTime when, ConnId id, bool from_client, const std::string& why) {
  rec_.at(when, [this, id, from_client, why] {
    const Conn& c = conns_[static_cast<std::size_t>(id)];
    TraceEvent e;
    e.kind = EventKind::Lost;
    e.protocol = c.protocol;
    e.from = hosts_[from_client ? c.client : c.server].label;
    e.to = hosts_[from_client ? c.server : c.client].label;
    e.connection = id;
    e.port = c.port;
    e.from_client = from_client;
    e.text = why;
    rec_.emit(std::move(e));
  });
}

ConnId Network::connect(HostId from, HostId to, int port, Protocol protocol, ConnectionHandler* client,
                        Duration timeout) {
  const ConnId id = static_cast<ConnId>(conns_.size());
  conns_.push_back(Conn{from, to, port, protocol, client, nullptr, false, false, false, {0, 0}, false, {}});
  const Duration lat = latency(from, to);
  // The SYN reaches the server after one latency; the answer comes back after another.
  rec_.after(lat, [this, id, lat, timeout] {
    Conn& c = conns_[static_cast<std::size_t>(id)];
    const NetHost& server = hosts_[c.server];
    TraceEvent e;
    e.protocol = Protocol::Tcp;
    e.from = hosts_[c.client].label;
    e.to = server.label;
    e.connection = id;
    e.port = c.port;
    if (!server.up || !hosts_[c.client].up || !link_up(c.client, c.server)) {
      // Nothing answers (the host is down, or the SYN is lost on a link that is down): the client
      // gives up after its connect timeout.
      rec_.after(std::max<Duration>(0, timeout - lat), [this, id] {
        Conn& cc = conns_[static_cast<std::size_t>(id)];
        TraceEvent t;
        t.kind = EventKind::ConnectionRefused;
        t.protocol = Protocol::Tcp;
        t.from = hosts_[cc.client].label;
        t.to = hosts_[cc.server].label;
        t.connection = id;
        t.port = cc.port;
        t.text = "Connection timed out";
        rec_.emit(t);
        cc.client_handler->on_fail(id, "Connection timed out");
        release_when_done(id);
      });
      return;
    }
    auto listener = server.listeners.find(c.port);
    if (listener == server.listeners.end()) {
      e.kind = EventKind::ConnectionRefused;
      e.text = "Connection refused";
      rec_.emit(e);
      rec_.after(lat, [this, id] {
        conns_[static_cast<std::size_t>(id)].client_handler->on_fail(id, "Connection refused");
        release_when_done(id);
      });
      return;
    }
    e.kind = EventKind::ConnectionOpened;
        rec_.emit(e);
    c.client_open = c.server_open = true;
    c.last_arrival[1] = rec_.now() + lat;
    rec_.after(lat, [this, id] {
      Conn& cc = conns_[static_cast<std::size_t>(id)];
      if (cc.client_open) cc.client_handler->on_open(id);
    });
    c.server_handler = listener->second->accept(id, c.client, c.port);
    c.server_handler->on_open(id);
  });
  return id;
}

void Network::send(ConnId id, bool from_client, std::string bytes, std::vector<Phrase> notes) {
  Conn& c = conns_[static_cast<std::size_t>(id)];
  if (!(from_client ? c.client_open : c.server_open) || bytes.empty()) return;
  const HostId src = from_client ? c.client : c.server;
  const HostId dst = from_client ? c.server : c.client;
  if (!hosts_[src].up) return;  // a host that is down runs nothing: these bytes are never written
  if (filter_ && c.cut.empty() && filter_(id, from_client, bytes)) cut(id, "dropped");
  const std::string lost_now = loss(c);  // lost already as they leave
  SimTime& last = c.last_arrival[from_client ? 0 : 1];
  const SimTime arrive = std::max(rec_.now() + latency(src, dst), last);
  last = arrive;
  TraceEvent e;
  e.kind = EventKind::Line;
  e.protocol = c.protocol;
  e.from = hosts_[src].label;
  e.to = hosts_[dst].label;
  e.connection = id;
  e.port = c.port;
  e.from_client = from_client;
  e.arrive = arrive;
  e.text = bytes;
  e.encrypted = c.encrypted;
  e.notes = std::move(notes);
  rec_.emit(std::move(e));
  if (!lost_now.empty()) {
    lose_at(arrive, id, from_client, lost_now);
    return;
  }
  rec_.at(arrive, [this, id, from_client, bytes = std::move(bytes)] {
    Conn& cc = conns_[static_cast<std::size_t>(id)];
    // A link or host that went down while the bytes were on their way loses them.
    if (const std::string why = loss(cc); !why.empty()) {
      lose_at(rec_.now(), id, from_client, why);
      return;
    }
    // Bytes reach a side only while it still has the connection open.
    if (from_client ? cc.server_open : cc.client_open)
      (from_client ? cc.server_handler : cc.client_handler)->on_data(id, bytes);
  });
}

void Network::close(ConnId id, bool by_client) {
  Conn& c = conns_[static_cast<std::size_t>(id)];
  bool& mine = by_client ? c.client_open : c.server_open;
  if (!mine) return;
  mine = false;
  const HostId src = by_client ? c.client : c.server;
  const HostId dst = by_client ? c.server : c.client;
  // A host that is down closes nothing that anyone sees.
  if (hosts_[src].up) {
    TraceEvent e;
    e.kind = EventKind::ConnectionClosed;
    e.protocol = Protocol::Tcp;
    e.from = hosts_[src].label;
    e.to = hosts_[dst].label;
    e.connection = id;
    e.port = c.port;
    e.from_client = by_client;
    rec_.emit(std::move(e));
  }
  if (!hosts_[src].up || !c.cut.empty()) {
    // On a cut connection (or from a host that is down) the other side never hears of it; this
    // side is done with it all the same.
    release_when_done(id);
    return;
  }
  SimTime& last = c.last_arrival[by_client ? 0 : 1];
  const SimTime arrive = std::max(rec_.now() + latency(src, dst), last);
  last = arrive;
  release_when_done(id);  // both sides closed on their own
  rec_.at(arrive, [this, id, by_client] {
    Conn& cc = conns_[static_cast<std::size_t>(id)];
    bool& theirs = by_client ? cc.server_open : cc.client_open;
    if (!theirs || !loss(cc).empty()) return;  // a close lost on the way is never heard
    theirs = false;  // the peer's FIN: this side closes too (no half-open connections here)
    (by_client ? cc.server_handler : cc.client_handler)->on_close(id);
    release_when_done(id);
  });
}

void Network::release_when_done(ConnId id) {
  Conn& c = conns_[static_cast<std::size_t>(id)];
  if (c.released || c.client_open || c.server_open || !release_) return;
  c.released = true;
  ConnectionHandler* client = c.client_handler;
  ConnectionHandler* server = c.server_handler;
  c.client_handler = c.server_handler = nullptr;
  rec_.after(0, [this, client, server] {
    if (client) release_(client);
    if (server && server != client) release_(server);
  });
}

bool Network::is_open(ConnId id) const {
  const Conn& c = conns_[static_cast<std::size_t>(id)];
  return c.client_open || c.server_open;
}

}  // namespace postlab
