// Hosts, links and TCP-like connections: reliable, ordered, with latency each way.
// A connection to a port nobody listens on is refused; to a host that is down, it times out.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/phrase.h"
#include "core/time.h"
#include "trace/trace.h"

namespace postlab {

class Recorder;

using ConnId = std::int64_t;
using HostId = std::size_t;

// Postfix smtp_connect_timeout: how long a client waits for a host that does not answer.
inline constexpr Duration kConnectTimeout = 30 * kSecond;

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void on_open(ConnId) {}
  virtual void on_data(ConnId, std::string_view bytes) = 0;
  virtual void on_close(ConnId) {}                              // the peer closed
  // Client side only: "Connection refused" or "Connection timed out" (the errno texts).
  virtual void on_fail(ConnId, const std::string& /*reason*/) {}
};

class Listener {
 public:
  virtual ~Listener() = default;
  // A client connected; returns the handler for the server side (owned by the listener).
  virtual ConnectionHandler* accept(ConnId id, HostId client, int port) = 0;
};

struct NetHost {
  std::string name;
  Name label;  // the same name, as trace events hold it (no table look-up per line)
  std::string address;
  bool up = true;
  std::map<int, Listener*> listeners;  // port -> service
};

class Network {
 public:
  Network(Recorder& rec, Duration default_latency) : rec_(rec), default_latency_(default_latency) {}

  HostId add_host(std::string name, std::string address);
  void add_link(HostId a, HostId b, Duration latency);
  void listen(HostId host, int port, Listener* listener);
  // A host that is down answers nothing: connections to it time out, bytes to it are lost, and what
  // its own programs would send never leaves it. Its connections are cut when it goes down.
  void set_up(HostId host, bool up);
  // A link that is down loses every byte between its two hosts, and connections across it time out.
  void set_link_up(HostId a, HostId b, bool up);
  bool link_up(HostId a, HostId b) const;
  // Cuts a connection, as a pulled cable does: from now on nothing on it arrives, neither bytes nor
  // the other side's close, and each side finds out only when it gives up waiting. `why` is what the
  // trace says of the lost bytes ("dropped", "host_down", "link_down").
  void cut(ConnId id, const std::string& why);
  // Asked before bytes leave one side; true cuts the connection first (a lesson's dropped connection).
  using SendFilter = std::function<bool(ConnId id, bool from_client, std::string_view bytes)>;
  void on_send(SendFilter filter) { filter_ = std::move(filter); }

  const NetHost& host(HostId id) const { return hosts_[id]; }
  std::size_t host_count() const { return hosts_.size(); }
  std::optional<HostId> find_by_name(std::string_view name) const;
  std::optional<HostId> find_by_address(std::string_view address) const;
  Duration latency(HostId a, HostId b) const;

  // Opens a connection; `client` hears on_open, then on_data/on_close, or on_fail.
  // A client that hears nothing gives up after `timeout` (Postfix smtp_connect_timeout).
  ConnId connect(HostId from, HostId to, int port, Protocol protocol, ConnectionHandler* client,
                 Duration timeout = kConnectTimeout);
  // Sends bytes from one side; they arrive after the latency, in order. Ignored once that side closed.
  void send(ConnId id, bool from_client, std::string bytes, std::vector<Phrase> notes = {});
  // From now on everything on this connection travels inside TLS (RFC 3207 after "220 Ready").
  void start_tls(ConnId id) { conns_[static_cast<std::size_t>(id)].encrypted = true; }
  // Closes from one side; the other side hears on_close after whatever was in flight.
  void close(ConnId id, bool by_client);
  bool is_open(ConnId id) const;
  // Called with each handler of a connection that is over (nothing will call it again): its owner
  // may free it. A world of many messages does not keep every session it ever had.
  void on_release(std::function<void(ConnectionHandler*)> release) { release_ = std::move(release); }
  Recorder& rec() { return rec_; }
  HostId client_of(ConnId id) const { return conns_[static_cast<std::size_t>(id)].client; }
  HostId server_of(ConnId id) const { return conns_[static_cast<std::size_t>(id)].server; }

 private:
  struct Conn {
    HostId client, server;
    int port;
    Protocol protocol;
    ConnectionHandler* client_handler = nullptr;
    ConnectionHandler* server_handler = nullptr;
    bool client_open = false, server_open = false;
    bool encrypted = false;
    SimTime last_arrival[2] = {0, 0};  // [0]: to the server, [1]: to the client
    bool released = false;             // its handlers were handed back (release_when_done)
    std::string cut;                   // why nothing arrives any more ("" while it works)
  };
  // Schedules the arrival of bytes (or of a close) on a connection: delivered by `deliver`, or, when
  // the connection is cut by then, recorded as lost.
  void lose_at(SimTime when, ConnId id, bool from_client, const std::string& why);
  std::string loss(const Conn& c) const;  // why bytes on it would be lost now ("" when they pass)
  // Once neither side has the connection open (or it never opened), its handlers are handed to the
  // release hook, after the work now running (a handler may be inside one of its own calls).
  void release_when_done(ConnId id);

  Recorder& rec_;
  Duration default_latency_;
  std::function<void(ConnectionHandler*)> release_;
  std::vector<NetHost> hosts_;
  std::map<std::pair<HostId, HostId>, Duration> links_;
  std::map<std::pair<HostId, HostId>, bool> links_down_;  // looked up, never iterated
  SendFilter filter_;
  std::vector<Conn> conns_;
};

}  // namespace postlab
