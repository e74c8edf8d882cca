// A mail server: MTA (accepts on 25/587, queues, relays by MX) with its MDA and mailstore.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mail/dsn.h"
#include "mail/mailstore.h"
#include "net/network.h"
#include "proto/smtp/server.h"
#include "scenario/scenario.h"
#include "trace/trace.h"

namespace postlab {

class World;

// An IMAP session that wants to hear when a user's mailbox changes (another session, a delivery).
class MailboxWatcher {
 public:
  virtual ~MailboxWatcher() = default;
  virtual void mailbox_changed(const std::string& owner) = 0;
};

// Postfix hopcount_limit: a message that already has this many Received: headers is refused
// ("554 5.4.0 Error: too many hops"), which ends a loop between servers.
inline constexpr std::size_t kHopCountLimit = 50;

class Mta : public Listener {
 public:
  Mta(World& world, HostId host, const HostSpec& spec);

  ConnectionHandler* accept(ConnId id, HostId client, int port) override;

  const std::string& hostname() const { return spec_.name; }
  HostId host() const { return host_; }
  bool is_local_domain(std::string_view domain) const;
  // A bare local part ("alice") as the address of this server's own domain ("alice@uni.example").
  std::string qualify(const std::string& user) const { return resolve_local(user); }
  bool offers(int port) const;
  Mailstore& store() { return store_; }
  const Mailstore& store() const { return store_; }
  // RFC 1939 §8: a POP3 session holds a user's maildrop while it is open (key: Mailstore::key).
  bool lock_maildrop(const std::string& key) { return locked_.insert(key).second; }
  void unlock_maildrop(const std::string& key) { locked_.erase(key); }
  // IMAP: the sessions to tell when a mailbox of this server changes, and \Recent's owner per folder
  // (the first UID a session that selects the folder may still call recent).
  void watch(MailboxWatcher* w) { watchers_.push_back(w); }
  void unwatch(MailboxWatcher* w) { std::erase(watchers_, w); }
  std::uint32_t& recent_from(const std::string& owner, const std::string& folder) {
    return recent_from_.try_emplace(owner + '\n' + folder, 1u).first->second;
  }
  World& world() { return world_; }
  const MtaPolicy& policy() const { return spec_.policy; }

  // Decisions for one inbound SMTP connection (see smtp::ServerHooks).
  std::optional<std::string> check_recipient(HostId client, int port, const smtp::Transaction& tx,
                                             const std::string& rcpt) const;
  std::optional<std::string> check_sender(const smtp::Transaction& tx, const std::string& sender) const;
  bool authenticate(const std::string& user, const std::string& password) const;
  std::optional<std::string> etrn(const std::string& domain);
  smtp::AcceptResult accept_message(HostId client, const smtp::Transaction& tx, const std::string& data);

 private:
  // Where one recipient of a queued message stands (Postfix keeps this in the queue file and the
  // defer/bounce logs).
  enum class RcptState : std::uint8_t { Waiting, Active, Deferred, Done, Failed };
  struct Recipient {
    std::string address;
    RcptState state = RcptState::Waiting;
    std::size_t attempts = 0;
    bool notified = false;   // listed in a failure notice already
    std::string status;      // RFC 3463 code of the latest outcome
    std::string reason;      // the latest reason as the log says it
    std::string remote_mta;  // the server that gave it ("" when none answered)
    std::string diagnostic;  // "smtp; <reply>" or "X-Postfix; <reason>"
  };
  struct QueueEntry {
    std::string id;
    std::string from;
    std::int64_t snapshot = -1;
    SimTime accepted = 0;
    std::size_t size = 0;
    bool smtputf8 = false;  // the sender declared SMTPUTF8 (RFC 6531)
    std::vector<Recipient> rcpts;
    std::size_t active = 0;   // recipients the current attempt has not finished yet
    bool warned = false;      // the delay warning went out
    std::uint64_t retry = 0;  // the pending retry timer's number (a newer one, or ETRN, cancels it)
  };
  struct Target {  // one mail exchanger to try
    std::string name;
    int preference = 0;
    std::string address;  // "" when it has no A record
    bool try_again = false;  // its lookup failed for now (the DNS server did not answer)
    bool nxdomain = false;   // the name does not exist at all
  };
  struct Relay {  // one delivery attempt for the recipients of one domain
    std::string queue_id;
    std::string domain;
    std::vector<std::string> rcpts;
    std::vector<Target> targets;  // in the order they are tried
    std::size_t next = 0;
    std::string last_error;
    std::string last_relay = "none";  // the server that gave the last error, "host[address]:25"
    std::string last_dsn;             // its status code (RFC 3463), "" when none is known
    std::string last_remote;          // the server's name when it answered, for Remote-MTA
    std::string last_reply;           // that server's reply, for Diagnostic-Code
    std::size_t dns_hard = 0;         // exchangers whose address lookup failed for good
  };
  // What one attempt found out about one recipient (the default: delivered, nothing to report).
  struct Outcome {
    RcptState state = RcptState::Done;  // Done, Deferred or Failed
    std::string status;
    std::string reason;
    std::string remote_mta;
    std::string reply;  // the server's reply, "" when Postfix itself decided
  };

  std::string new_queue_id();
  std::string received_header(HostId client, const smtp::Transaction& tx, const std::string& queue_id) const;
  smtp::ServerConfig server_config(int port) const;
  bool is_relay_domain(std::string_view domain) const;
  // The queue: take a message in, try its waiting recipients, and decide what comes after an attempt.
  void enqueue(const std::string& queue_id, MessageSnapshot snap, std::vector<std::string> rcpts, bool smtputf8,
               const std::string& client, std::size_t size);
  void attempt(const std::string& queue_id);
  void attempt_done(const std::string& queue_id);
  void retry(const std::string& queue_id, std::uint64_t timer);
  void notify(QueueEntry& entry, NoticeKind kind, const std::vector<const Recipient*>& rcpts);
  void deliver_local(const std::string& queue_id, const std::string& rcpt);
  void relay_domain(Relay relay);
  void resolve_targets(std::shared_ptr<Relay> relay, std::size_t index);
  void drop_self(std::shared_ptr<Relay> relay);
  void try_next_target(std::shared_ptr<Relay> relay);
  void bounce_rcpts(const Relay& relay, const std::string& dsn, const std::string& why);
  // Counts one recipient's outcome (already logged) into the attempt; the last one ends it.
  void finish(const std::string& queue_id, const std::string& rcpt, const Outcome& o);
  void report(EventKind kind, const std::string& queue_id, const std::string& text, const std::string& rcpt = {});
  std::string resolve_local(const std::string& rcpt) const;
  std::string myorigin() const;

  World& world_;
  HostId host_;
  HostSpec spec_;
  Name label_;  // spec_.name as trace events hold it
  Mailstore store_;
  std::set<std::string> locked_;  // maildrops held by a POP3 session
  std::vector<MailboxWatcher*> watchers_;              // in the order they came (never iterated by address)
  std::map<std::string, std::uint32_t> recent_from_;  // "owner\nfolder" -> first UID not yet taken
  std::map<std::string, QueueEntry> queue_;  // by queue id
  std::uint64_t timers_ = 0;                 // numbers retry timers
  class Inbound;
};

}  // namespace postlab
