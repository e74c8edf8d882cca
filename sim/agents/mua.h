// A user's device: composes a message and submits it to its provider's MTA over SMTP.
#pragma once
#include <functional>
#include <string>

#include "core/rng.h"
#include "net/network.h"
#include "scenario/scenario.h"

namespace postlab {

class World;

class Mua {
 public:
  Mua(World& world, HostId host, const HostSpec& spec);
  void send(const SendAction& action);
  const std::string& name() const { return spec_.name; }
  // Called with the message's text once a server has accepted it (an IMAP mail program then saves
  // it in the Sent folder).
  void on_sent(std::function<void(const std::string& data)> sent) { sent_ = std::move(sent); }

 private:
  std::string compose(const MessageSpec& spec);

  World& world_;
  HostId host_;
  HostSpec spec_;
  Rng attachment_rng_;  // made-up attachment bytes and MIME boundaries, per device
  const UserSpec* user_;  // the device's user (nullptr when the lesson names none), looked up once
  std::function<void(const std::string&)> sent_;
};

// A message as a mail program writes it (Message-ID, Date now, MIME body), with made-up attachment
// bytes and boundaries drawn from `content`.
std::string compose_message(World& world, const MessageSpec& spec, Rng& content);

// "Bob Martínez <bob@x>" with the display name RFC 2047-encoded when it is not ASCII.
std::string encode_mailbox(const std::string& mailbox);

}  // namespace postlab
