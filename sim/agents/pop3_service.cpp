#include "agents/pop3_service.h"

#include "agents/mail_reader.h"

#include <cstdio>
#include <memory>
#include <vector>

#include "agents/mta.h"
#include "agents/smtp_conn.h"
#include "agents/world.h"
#include "mail/mailstore.h"
#include "proto/pop3/client.h"
#include "proto/pop3/server.h"

namespace postlab {
namespace {

constexpr const char* kInbox = "INBOX";  // POP3 sees the INBOX only (RFC 1939's maildrop)

// Dovecot's default pop3_uidl_format, %08Xu%08Xv: the UID and the folder's UIDVALIDITY in hex.
std::string uidl_of(std::uint32_t uid, std::uint32_t uidvalidity) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%08x%08x", uid, uidvalidity);
  return buf;
}

// The UID a UIDL of that format names (0 when it is not one).
std::uint32_t uid_in(const std::string& uidl) {
  if (uidl.size() != 16) return 0;
  std::uint32_t uid = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const char c = uidl[i];
    const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return 0;
    uid = uid * 16 + static_cast<std::uint32_t>(v);
  }
  return uid;
}

class Pop3Inbound : public ConnectionHandler, public pop3::ServerHooks {
 public:
  Pop3Inbound(World& world, Mta& mta, HostId client)
      : world_(world), mta_(mta), client_(client), session_(config(mta), *this), side_(world.net(), session_) {}
  // Dovecot beside this Postfix offers TLS (STLS) when the MTA does (its certificate is the same).
  static pop3::ServerConfig config(const Mta& mta) {
    pop3::ServerConfig c;
    c.tls_available = mta.policy().starttls;
    return c;
  }
  void on_open(ConnId id) override { side_.open(id); }
  void on_data(ConnId, std::string_view bytes) override { side_.input(bytes); }
  void on_close(ConnId) override { side_.closed(); }  // RFC 1939 §6: no UPDATE state, nothing is deleted

  // Users log in with their address, or with the bare local part as on a server with system users.
  bool authenticate(const std::string& user, const std::string& password) override {
    return mta_.authenticate(mta_.qualify(user), password);
  }
  std::optional<std::string> open(const std::string& user, std::vector<pop3::Listed>& messages) override {
    const std::string address = mta_.qualify(user);
    const std::string key = Mailstore::key(address);
    // RFC 1939 §8: one session at a time holds the maildrop. Dovecot's answer to a second one:
    if (!mta_.lock_maildrop(key)) return std::string("-ERR [IN-USE] Mailbox is locked by another POP3 session.");
    lock_ = key;
    owner_ = mta_.store().owner(address);
    const Trace& trace = world_.rec().trace();
    const MailboxState* box = trace.state().mailbox(owner_);
    if (!box) return std::nullopt;
    auto f = box->folders.find(kInbox);
    if (f == box->folders.end()) return std::nullopt;
    const std::size_t n = trace.size();
    for (const StoredItem& item : f->second.items) {
      if (item.died != kNever) continue;
      const MessageSnapshot& m = trace.messages()[static_cast<std::size_t>(item.message)];
      uids_.push_back(item.uid);
      texts_.push_back(item.message);
      messages.push_back(pop3::Listed{m.size(), uidl_of(item.uid, f->second.uidvalidity), (item.flags_at(n) & kFlagSeen) != 0});
    }
    return std::nullopt;
  }
  std::string text(std::size_t index) override {
    return world_.rec().trace().messages()[static_cast<std::size_t>(texts_[index])].data();
  }
  void update(const std::vector<std::size_t>& deleted, const std::vector<std::size_t>& seen) override {
    // Dovecot's client_update_mails(): the messages marked deleted are expunged, then what RETR sent
    // gets \Seen.
    const Trace& trace = world_.rec().trace();
    const MailboxState* box = trace.state().mailbox(owner_);
    if (!box) return;
    auto f = box->folders.find(kInbox);
    if (f == box->folders.end()) return;
    for (std::size_t i : deleted) event(EventKind::MessageExpunged, uids_[i], "DELE + QUIT");
    for (std::size_t i : seen) {
      const StoredItem* item = f->second.item(uids_[i]);
      if (!item || item->died != kNever) continue;
      const std::uint8_t flags = item->flags_at(trace.size());
      if (!(flags & kFlagSeen)) event(EventKind::FlagsChanged, uids_[i], format_flags(flags | kFlagSeen));
    }
  }
  void release() override {
    if (!lock_.empty()) mta_.unlock_maildrop(lock_);
    lock_.clear();
  }

 private:
  void event(EventKind kind, std::uint32_t uid, const std::string& text) {
    TraceEvent e;
    e.kind = kind;
    e.protocol = Protocol::Pop3;
    e.from = mta_.hostname();
    e.to = world_.net().host(client_).name;
    e.connection = side_.id();
    e.mailbox = owner_;
    e.folder = kInbox;
    e.uid = uid;
    e.text = text;
    world_.rec().emit(std::move(e));
  }

  World& world_;
  Mta& mta_;
  HostId client_;
  pop3::ServerSession session_;
  ServerSide<pop3::ServerSession> side_;
  std::string lock_;   // the maildrop this session holds ("" none)
  std::string owner_;  // its mailbox as the lesson declares it
  std::vector<std::uint32_t> uids_;   // by POP3 message number - 1
  std::vector<std::int64_t> texts_;   // the stored copies, same order
};

}  // namespace

ConnectionHandler* accept_pop3(World& world, Mta& mta, HostId client) {
  return world.make_handler<Pop3Inbound>(world, mta, client);
}

// One visit of the mail program to its server.
class MailReader::Conn : public ConnectionHandler {
 public:
  Conn(MailReader& reader, pop3::ClientJob job, std::string server)
      : reader_(reader), session_(std::move(job)), server_(std::move(server)),
        side_(reader.world_.net(), session_, [this] { finished(); }) {}

  void on_open(ConnId id) override { side_.open(id); }
  void on_data(ConnId, std::string_view bytes) override {
    SessionOutput out = session_.on_input(reader_.world_.now(), bytes);
    keep_downloads();
    side_.apply(out);
  }
  void on_close(ConnId) override { side_.closed(); }
  void on_fail(ConnId, const std::string&) override { side_.finish(); }

 private:
  // Each message RETR brought is now on the device: a copy of its own, written in the trace.
  void keep_downloads() {
    for (; kept_ < session_.downloaded().size(); ++kept_) {
      const pop3::Downloaded& d = session_.downloaded()[kept_];
      reader_.downloaded(Protocol::Pop3, kInbox, uid_in(d.uidl), d.uidl, d.text, server_, side_.id());
      got_[d.uidl] = reader_.world_.now();
    }
  }
  void finished() {
    if (session_.committed())
      for (const std::string& u : expiring_) reader_.known_.erase(u);
    reader_.finished(got_);
  }

 public:
  std::set<std::string> expiring_;

 private:
  MailReader& reader_;
  pop3::ClientSession session_;
  std::string server_;
  ClientSide<pop3::ClientSession> side_;
  std::size_t kept_ = 0;
  std::map<std::string, SimTime> got_;
};

void MailReader::check_pop3(const CheckMailAction& action) {
  if (busy_) {  // the mail program is still on its last visit: this one follows it
    waiting_.push_back(action);
    return;
  }
  const HostSpec* server = this->server();
  if (!server) return;  // the loader makes sure there is one
  pop3::ClientJob job;
  job.user = user_;
  job.password = action.has_password ? action.password : password();
  job.leave_copy = spec_.leave_copy;
  job.starttls = true;  // mail programs secure the connection when the server offers it
  std::set<std::string> expiring;
  for (const auto& [uidl, when] : known_) {
    job.known.insert(uidl);
    // "Remove from server after N days": the copy left there goes once it is that old.
    if (spec_.remove_after && world_.now() - when >= *spec_.remove_after) expiring.insert(uidl);
  }
  job.expire = expiring;
  busy_ = true;
  Conn* conn = world_.make_handler<Conn>(*this, std::move(job), server->name);
  conn->expiring_ = std::move(expiring);
  world_.net().connect(device_, *world_.net().find_by_name(server->name), spec_.port, Protocol::Pop3, conn);
}

void MailReader::finished(const std::map<std::string, SimTime>& downloaded) {
  if (spec_.remember)
    for (const auto& [uidl, when] : downloaded) known_.emplace(uidl, when);
  busy_ = false;
  if (waiting_.empty()) return;
  const CheckMailAction next = waiting_.front();
  waiting_.erase(waiting_.begin());
  world_.rec().after(0, [this, next] { check(next); });
}

}  // namespace postlab
