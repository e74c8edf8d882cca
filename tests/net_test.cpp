// net/: the lesson's DNS and the TCP-like network (latency, refusal, timeouts, ordering, close).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/simulator.h"
#include "net/dns.h"
#include "net/ipv4.h"
#include "net/network.h"
#include "trace/recorder.h"
#include "trace/trace.h"

using namespace postlab;

namespace {

std::vector<std::string> values(const std::vector<DnsRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.value);
  return out;
}

}  // namespace

TEST_CASE("Dns::lookup matches names case-insensitively and filters by type") {
  Dns dns;
  dns.add({"correo.example", DnsType::MX, 10, "mx.correo.example"});
  dns.add({"mx.correo.example", DnsType::A, 0, "203.0.113.5"});
  dns.add({"correo.example", DnsType::A, 0, "203.0.113.9"});
  CHECK(values(dns.lookup("CORREO.Example", DnsType::MX)) == std::vector<std::string>{"mx.correo.example"});
  CHECK(values(dns.lookup("correo.example", DnsType::A)) == std::vector<std::string>{"203.0.113.9"});
  CHECK(values(dns.lookup("MX.correo.EXAMPLE", DnsType::A)) == std::vector<std::string>{"203.0.113.5"});
  CHECK(dns.lookup("mx.correo.example", DnsType::MX).empty());
  CHECK(dns.lookup("nowhere.example", DnsType::A).empty());
  CHECK(dns.has_name("Mx.Correo.Example"));
  CHECK_FALSE(dns.has_name("nowhere.example"));
}

TEST_CASE("Dns::format writes zone-file lines") {
  CHECK(Dns::format({"correo.example", DnsType::MX, 10, "mx.correo.example"}) ==
        "correo.example. 3600 IN MX 10 mx.correo.example.");
  CHECK(Dns::format({"mx.correo.example", DnsType::A, 0, "203.0.113.5"}) == "mx.correo.example. 3600 IN A 203.0.113.5");
}

TEST_CASE("Dns::mx_ordered sorts by preference and shuffles equal preferences by seed") {
  Dns dns;
  dns.add({"big.example", DnsType::MX, 30, "backup"});
  dns.add({"big.example", DnsType::MX, 10, "a"});
  dns.add({"big.example", DnsType::MX, 20, "middle"});
  dns.add({"big.example", DnsType::MX, 10, "b"});
  dns.add({"big.example", DnsType::MX, 10, "c"});
  dns.add({"big.example", DnsType::MX, 10, "d"});
  dns.add({"other.example", DnsType::MX, 5, "elsewhere"});

  std::vector<std::vector<std::string>> orders;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    const auto mx = dns.mx_ordered("BIG.example", rng);
    REQUIRE(mx.size() == 6);
    std::vector<int> prefs;
    for (const auto& r : mx) prefs.push_back(r.preference);
    CHECK(prefs == std::vector<int>{10, 10, 10, 10, 20, 30});
    CHECK(mx[4].value == "middle");
    CHECK(mx[5].value == "backup");
    auto first4 = values(mx);
    first4.resize(4);
    auto sorted = first4;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == std::vector<std::string>{"a", "b", "c", "d"});  // a permutation of the group
    orders.push_back(first4);

    Rng again(seed);
    CHECK(values(dns.mx_ordered("big.example", again)) == values(mx));  // same seed, same order
  }
  // Different seeds do not all give the same order (RFC 5321 §5.1 asks for randomisation).
  std::sort(orders.begin(), orders.end());
  orders.erase(std::unique(orders.begin(), orders.end()), orders.end());
  CHECK(orders.size() > 3);

  Rng rng(1);
  CHECK(dns.mx_ordered("none.example", rng).empty());
}

TEST_CASE("is_valid_ipv4 accepts dotted quads only") {
  for (const char* good : {"192.0.2.10", "0.0.0.0", "255.255.255.255", "10.0.0.1", "203.0.113.5"}) {
    CAPTURE(good);
    CHECK(is_valid_ipv4(good));
  }
  for (const char* bad : {"", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.",
                          ".1.2.3", "a.b.c.d", "1.2.3.4 ", " 1.2.3.4", "1234.1.1.1", "1.2.3.-4", "1,2,3,4",
                          "::1", "999.999.999.999"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_ipv4(bad));
  }
}

// ---------------------------------------------------------------------------------------------
// Network

namespace {

// Logs what a connection side hears, with the virtual time.
struct Probe : ConnectionHandler {
  explicit Probe(Simulator& s) : sim(s) {}
  void on_open(ConnId) override { log.push_back("open@" + std::to_string(sim.now())); }
  void on_data(ConnId, std::string_view bytes) override {
    log.push_back("data:" + std::string(bytes) + "@" + std::to_string(sim.now()));
  }
  void on_close(ConnId) override { log.push_back("close@" + std::to_string(sim.now())); }
  void on_fail(ConnId, const std::string& reason) override {
    log.push_back("fail:" + reason + "@" + std::to_string(sim.now()));
  }
  Simulator& sim;
  std::vector<std::string> log;
};

struct ProbeListener : Listener {
  explicit ProbeListener(Simulator& s) : server(s) {}
  ConnectionHandler* accept(ConnId id, HostId client, int port) override {
    accepted.push_back({id, client, port});
    return &server;
  }
  struct Accepted {
    ConnId id;
    HostId client;
    int port;
  };
  Probe server;
  std::vector<Accepted> accepted;
};

struct Lab {
  Simulator sim;
  Trace trace;
  Recorder rec{sim, trace};
  Network net{rec, 5 * kMillisecond};
  HostId a = net.add_host("a.example", "192.0.2.1");
  HostId b = net.add_host("b.example", "192.0.2.2");
  HostId c = net.add_host("c.example", "192.0.2.3");  // no link to anyone: default latency
  ProbeListener listener{sim};
  Probe client{sim};

  Lab() {
    net.add_link(a, b, 20 * kMillisecond);
    net.listen(b, 25, &listener);
    net.listen(c, 25, &listener);
  }
  void run() {
    while (sim.step()) {
    }
  }
  std::vector<const TraceEvent*> events(EventKind kind) const {
    std::vector<const TraceEvent*> out;
    for (const auto& e : trace.events())
      if (e.kind == kind) out.push_back(&e);
    return out;
  }
};

std::string at(const char* what, Duration t) { return std::string(what) + "@" + std::to_string(t); }

}  // namespace

TEST_CASE("Network: hosts are found by name and address and links are symmetric") {
  Lab lab;
  CHECK(lab.net.host_count() == 3);
  CHECK(lab.net.find_by_name("b.example") == lab.b);
  CHECK(lab.net.find_by_address("192.0.2.3") == lab.c);
  CHECK_FALSE(lab.net.find_by_name("z.example").has_value());
  CHECK_FALSE(lab.net.find_by_address("192.0.2.99").has_value());
  CHECK(lab.net.latency(lab.a, lab.b) == 20 * kMillisecond);
  CHECK(lab.net.latency(lab.b, lab.a) == 20 * kMillisecond);
  CHECK(lab.net.latency(lab.a, lab.c) == 5 * kMillisecond);
  CHECK(lab.net.latency(lab.a, lab.a) == 0);
}

TEST_CASE("Network: connecting to a listening port opens the connection after the latency") {
  Lab lab;
  const ConnId id = lab.net.connect(lab.a, lab.b, 25, Protocol::Smtp, &lab.client);
  lab.run();
  const Duration lat = 20 * kMillisecond;
  // The server side opens when the SYN arrives; the client hears back one latency later.
  CHECK(lab.listener.server.log == std::vector<std::string>{at("open", lat)});
  CHECK(lab.client.log == std::vector<std::string>{at("open", 2 * lat)});
  REQUIRE(lab.listener.accepted.size() == 1);
  CHECK(lab.listener.accepted[0].id == id);
  CHECK(lab.listener.accepted[0].client == lab.a);
  CHECK(lab.listener.accepted[0].port == 25);
  const auto opened = lab.events(EventKind::ConnectionOpened);
  REQUIRE(opened.size() == 1);
  CHECK(opened[0]->time == lat);
  CHECK(opened[0]->from == "a.example");
  CHECK(opened[0]->to == "b.example");
  CHECK(opened[0]->port == 25);
  CHECK(opened[0]->connection == id);
  CHECK(lab.net.is_open(id));
  CHECK(lab.net.client_of(id) == lab.a);
  CHECK(lab.net.server_of(id) == lab.b);
}

TEST_CASE("Network: a port nobody listens on refuses the connection") {
  Lab lab;
  const ConnId id = lab.net.connect(lab.a, lab.b, 110, Protocol::Tcp, &lab.client);
  lab.run();
  const Duration lat = 20 * kMillisecond;
  CHECK(lab.client.log == std::vector<std::string>{at("fail:Connection refused", 2 * lat)});
  CHECK(lab.listener.accepted.empty());
  CHECK(lab.events(EventKind::ConnectionOpened).empty());
  const auto refused = lab.events(EventKind::ConnectionRefused);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]->text == "Connection refused");
  CHECK(refused[0]->time == lat);
  CHECK(refused[0]->port == 110);
  CHECK_FALSE(lab.net.is_open(id));
}

TEST_CASE("Network: a host that is down makes the client time out") {
  Lab lab;
  lab.net.set_up(lab.b, false);
  CHECK_FALSE(lab.net.host(lab.b).up);
  lab.net.connect(lab.a, lab.b, 25, Protocol::Smtp, &lab.client);
  lab.run();
  CHECK(lab.client.log == std::vector<std::string>{at("fail:Connection timed out", kConnectTimeout)});
  CHECK(lab.listener.accepted.empty());
  CHECK(lab.events(EventKind::ConnectionOpened).empty());
  const auto refused = lab.events(EventKind::ConnectionRefused);
  REQUIRE(refused.size() == 1);
  CHECK(refused[0]->text == "Connection timed out");
  CHECK(refused[0]->time == kConnectTimeout);
}

TEST_CASE("Network: bytes arrive in order after the link latency in both directions") {
  Lab lab;
  const ConnId id = lab.net.connect(lab.a, lab.b, 25, Protocol::Smtp, &lab.client);
  const Duration lat = 20 * kMillisecond;
  lab.sim.run_until(2 * lat);  // both sides open
  REQUIRE(lab.client.log.size() == 1);
  lab.rec.at(100 * kMillisecond, [&] {
    lab.net.send(id, true, "one\r\n");
    lab.net.send(id, true, "two\r\n");
    lab.net.send(id, true, "");  // nothing to send: no event
    lab.net.send(id, false, "from server\r\n");
  });
  lab.rec.at(101 * kMillisecond, [&] { lab.net.send(id, true, "three\r\n"); });
  lab.run();
  const SimTime t = 100 * kMillisecond + lat;
  CHECK(lab.listener.server.log == std::vector<std::string>{at("open", lat), at("data:one\r\n", t),
                                                            at("data:two\r\n", t), at("data:three\r\n", t + 1000)});
  CHECK(lab.client.log == std::vector<std::string>{at("open", 2 * lat), at("data:from server\r\n", t)});
  const auto lines = lab.events(EventKind::Line);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]->text == "one\r\n");
  CHECK(lines[0]->time == 100 * kMillisecond);
  CHECK(lines[0]->arrive == t);
  CHECK(lines[0]->from_client);
  CHECK(lines[0]->protocol == Protocol::Smtp);
  CHECK(lines[2]->from == "b.example");
  CHECK(lines[2]->to == "a.example");
  CHECK_FALSE(lines[2]->from_client);
}

TEST_CASE("Network: hosts without a link use the default latency") {
  Lab lab;
  const ConnId id = lab.net.connect(lab.a, lab.c, 25, Protocol::Smtp, &lab.client);
  const Duration lat = 5 * kMillisecond;
  lab.sim.run_until(2 * lat);
  CHECK(lab.listener.server.log == std::vector<std::string>{at("open", lat)});
  CHECK(lab.client.log == std::vector<std::string>{at("open", 2 * lat)});
  lab.net.send(id, true, "hi\r\n");
  lab.run();
  CHECK(lab.listener.server.log.back() == at("data:hi\r\n", 3 * lat));
}

TEST_CASE("Network: closing notifies the peer after data in flight and later sends are dropped") {
  Lab lab;
  const ConnId id = lab.net.connect(lab.a, lab.b, 25, Protocol::Smtp, &lab.client);
  const Duration lat = 20 * kMillisecond;
  lab.sim.run_until(2 * lat);
  lab.net.send(id, true, "QUIT\r\n");
  lab.net.close(id, true);
  lab.net.send(id, true, "too late\r\n");  // this side already closed: ignored
  lab.net.close(id, true);                  // closing twice: ignored
  CHECK(lab.net.is_open(id));              // the server has not heard the FIN yet
  lab.run();
  CHECK(lab.listener.server.log ==
        std::vector<std::string>{at("open", lat), at("data:QUIT\r\n", 3 * lat), at("close", 3 * lat)});
  CHECK(lab.client.log == std::vector<std::string>{at("open", 2 * lat)});  // the closer hears nothing
  CHECK_FALSE(lab.net.is_open(id));
  const auto closed = lab.events(EventKind::ConnectionClosed);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0]->from == "a.example");
  CHECK(closed[0]->from_client);
  CHECK(lab.events(EventKind::Line).size() == 1);
  // After the close, the server can no longer send either.
  lab.net.send(id, false, "221 Bye\r\n");
  lab.run();
  CHECK(lab.events(EventKind::Line).size() == 1);
}

TEST_CASE("Network: a server close reaches the client and bytes sent to the closed server are dropped") {
  Lab lab;
  const ConnId id = lab.net.connect(lab.a, lab.b, 25, Protocol::Smtp, &lab.client);
  const Duration lat = 20 * kMillisecond;
  lab.sim.run_until(2 * lat);
  lab.net.send(id, false, "221 Bye\r\n");
  lab.net.close(id, false);
  lab.net.send(id, true, "NOOP\r\n");  // the client has not heard the FIN yet: it may still send
  lab.run();
  CHECK(lab.client.log == std::vector<std::string>{at("open", 2 * lat), at("data:221 Bye\r\n", 3 * lat),
                                                   at("close", 3 * lat)});
  // The server closed before the NOOP arrived: it never sees it.
  CHECK(lab.listener.server.log == std::vector<std::string>{at("open", lat)});
  CHECK_FALSE(lab.net.is_open(id));
}

TEST_CASE("ipv4: addresses and CIDR networks as Postfix mynetworks lists them") {
  CHECK(parse_ipv4("198.51.100.7") == 0xC6336407u);
  CHECK(format_ipv4(0xC6336407u) == "198.51.100.7");
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.4 ", "a.b.c.d", "1.2.3.4/"})
    CHECK_FALSE(parse_ipv4(bad));
  bool host_bits = true;
  auto net = parse_ipv4_net("192.0.2.0/24", &host_bits);
  REQUIRE(net);
  CHECK_FALSE(host_bits);
  CHECK(net->contains(*parse_ipv4("192.0.2.200")));
  CHECK_FALSE(net->contains(*parse_ipv4("192.0.3.1")));
  CHECK(net->str() == "192.0.2.0/24");
  auto one = parse_ipv4_net("198.51.100.7");
  REQUIRE(one);
  CHECK(one->prefix == 32);
  CHECK(one->contains(*parse_ipv4("198.51.100.7")));
  CHECK_FALSE(one->contains(*parse_ipv4("198.51.100.8")));
  auto all = parse_ipv4_net("0.0.0.0/0");
  REQUIRE(all);
  CHECK(all->contains(*parse_ipv4("203.0.113.9")));
  auto sloppy = parse_ipv4_net("192.0.2.1/24", &host_bits);
  REQUIRE(sloppy);
  CHECK(host_bits);
  CHECK(sloppy->str() == "192.0.2.0/24");
  for (const char* bad : {"192.0.2.0/33", "192.0.2.0/-1", "192.0.2.0/024", "192.0.2.0/2a", "192.0.2/24"})
    CHECK_FALSE(parse_ipv4_net(bad));
}
