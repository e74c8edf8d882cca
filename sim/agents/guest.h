// A person at a keyboard, talking to a server of the lesson line by line: `postlab-cli console`
// today, the window's console later. It joins the world as it is, sends each typed line at the
// virtual time reached so far, and runs the world only until what the line set off has happened.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "net/network.h"

namespace postlab {

class World;

// After a typed line the world runs while each next thing comes within this much virtual time of
// the last: replies and DNS answers arrive, a server's 5-minute timeout or a retry does not.
inline constexpr Duration kGuestQuietSpell = 1 * kSecond;

class GuestClient : public ConnectionHandler {
 public:
  using Heard = std::function<void(std::string_view bytes)>;
  // Connects host `from` to `server`:`port`; `heard` gets the server's bytes as they arrive.
  GuestClient(World& world, HostId from, HostId server, int port, Heard heard);
  ~GuestClient() override;
  GuestClient(const GuestClient&) = delete;
  GuestClient& operator=(const GuestClient&) = delete;

  // Lets the world run until it is quiet (the connection opens, the greeting arrives). False when a
  // run limit stopped the world.
  bool settle();
  // Sends one line (CRLF is added) now, and settles.
  bool type(std::string_view line);
  // Closes the connection if it is still open and lets the world run to its end (what the server
  // does with an accepted message happens then).
  bool hang_up();

  bool open() const { return open_ && !closed_; }
  bool closed() const { return closed_; }
  const std::string& failed() const { return failed_; }  // "Connection refused", ... ("" when none)
  ConnId connection() const { return id_; }

  void on_open(ConnId) override { open_ = true; }
  void on_data(ConnId, std::string_view bytes) override { heard_(bytes); }
  void on_close(ConnId) override { closed_ = true; }
  void on_fail(ConnId, const std::string& reason) override {
    failed_ = reason;
    closed_ = true;
  }

 private:
  World& world_;
  Heard heard_;
  ConnId id_ = -1;
  bool open_ = false, closed_ = false;
  std::string failed_;
};

}  // namespace postlab
