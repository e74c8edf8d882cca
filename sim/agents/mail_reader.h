// A device's mail program, as far as reading mail goes: its account settings (POP3 or IMAP) and what
// it remembers and keeps between visits. POP3: the UIDLs it downloaded and when (the POP3 side is in
// pop3_service.cpp). IMAP: the messages it knows in each folder and the ones it keeps a copy of, a
// connection at a time for what the user does, and one more kept in IDLE for push (mail_reader.cpp).
// Every copy it makes or drops is a trace event.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/time.h"
#include "net/network.h"
#include "scenario/scenario.h"

namespace postlab {

class World;
namespace imap {
struct Op;
}

class MailReader {
 public:
  MailReader(World& world, HostId device, const HostSpec& spec);
  ~MailReader();
  // "Get mail": POP3 downloads what is new (and deletes what the settings say); IMAP syncs every folder.
  void check(const CheckMailAction& action);
  // What the user does in an IMAP mail program: read, flag, move, delete, folders, push on or off.
  void act(const MailAction& action);
  // IMAP: a message the device sent is saved in the user's Sent folder (APPEND), when there is one.
  void save_sent(const std::string& data);
  const std::string& device() const { return name_; }

 private:
  class Conn;      // one POP3 visit
  class ImapConn;  // one IMAP connection
  void check_pop3(const CheckMailAction& action);
  void finished(const std::map<std::string, SimTime>& downloaded);
  void run_imap(std::vector<imap::Op> ops, const std::string& password);
  void imap_finished(ImapConn* conn);
  const HostSpec* server() const;
  std::string password() const;
  // A message the device now has a copy of (POP3 RETR, IMAP BODY[]): the copy and its `downloaded`
  // event. Returns the copy's index in Trace::messages().
  std::int64_t downloaded(Protocol protocol, const std::string& folder, std::uint32_t uid, const std::string& uidl,
                          const std::string& text, const std::string& server, ConnId connection);
  // IMAP: what the device keeps, as trace events.
  void keep(const std::string& folder, std::uint32_t uid, const std::string& text, const std::string& server);
  void drop(const std::string& folder, std::uint32_t uid, const std::string& why);

  World& world_;
  HostId device_;
  std::string name_;
  std::string user_;  // the address the device reads mail for, as the lesson declares it
  RetrievalSpec spec_;
  // POP3
  std::map<std::string, SimTime> known_;  // UIDL -> when it was downloaded (remember: true)
  bool busy_ = false;                     // a visit is under way (a second "Get mail" waits for it)
  std::vector<CheckMailAction> waiting_;
  // IMAP
  struct Cached {
    std::int64_t copy = -1;  // the device's own copy (index into Trace::messages()), -1: only known
  };
  std::map<std::string, std::map<std::uint32_t, Cached>> cache_;  // folder -> UID -> what it has
  ImapConn* working_ = nullptr;  // the connection doing what the user asked
  ImapConn* idling_ = nullptr;   // the connection kept in IDLE
  std::deque<std::pair<std::vector<imap::Op>, std::string>> imap_waiting_;  // asked while working
};

}  // namespace postlab
