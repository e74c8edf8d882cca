// Reading mail over POP3 in the world: the server side that a mail server offers on port 110 (as
// Dovecot runs beside Postfix), and the device side that a user's mail program runs when it checks
// for mail. Both drive the sans-IO sessions of proto/pop3; every change they make to a mailbox or to
// a device's own store is a trace event.
#pragma once
#include <map>
#include <set>
#include <string>

#include "core/time.h"
#include "net/network.h"
#include "scenario/scenario.h"

namespace postlab {

class World;
class Mta;

// The server side of one POP3 connection to `mta`.
ConnectionHandler* accept_pop3(World& world, Mta& mta, HostId client);

// A device's mail program, as far as reading mail goes: its account settings and what it remembers
// between visits (the UIDLs it downloaded, and when).
class MailReader {
 public:
  MailReader(World& world, HostId device, const HostSpec& spec);
  // "Get mail": connects, downloads what is new, deletes on the server what the settings say, QUIT.
  void check(const CheckMailAction& action);
  const std::string& device() const { return name_; }

 private:
  class Conn;
  void finished(const std::map<std::string, SimTime>& downloaded);

  World& world_;
  HostId device_;
  std::string name_;
  std::string user_;  // the address the device reads mail for, as the lesson declares it
  RetrievalSpec spec_;
  std::map<std::string, SimTime> known_;  // UIDL -> when it was downloaded (remember: true)
  bool busy_ = false;                     // a visit is under way (a second "Get mail" waits for it)
  std::vector<CheckMailAction> waiting_;
};

}  // namespace postlab
