#include "agents/guest.h"

#include "agents/world.h"

namespace postlab {

GuestClient::GuestClient(World& world, HostId from, HostId server, int port, Heard heard)
    : world_(world), heard_(std::move(heard)) {
  const Protocol protocol = port == 110 ? Protocol::Pop3 : port == 143 ? Protocol::Imap : Protocol::Smtp;
  id_ = world_.net().connect(from, server, port, protocol, this);
}

GuestClient::~GuestClient() {
  // The network must not call a handler that is gone: close our side if the world is still going.
  if (id_ >= 0 && world_.net().is_open(id_)) world_.net().close(id_, true);
}

bool GuestClient::settle() { return world_.run_until_quiet(kGuestQuietSpell); }

bool GuestClient::type(std::string_view line) {
  std::string bytes(line);
  bytes += "\r\n";
  world_.net().send(id_, true, std::move(bytes));
  return settle();
}

bool GuestClient::hang_up() {
  if (world_.net().is_open(id_)) world_.net().close(id_, true);
  return world_.run();
}

}  // namespace postlab
