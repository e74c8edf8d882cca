#include "agents/mail_reader.h"

#include <algorithm>

#include "agents/smtp_conn.h"
#include "agents/world.h"
#include "proto/imap/client.h"
#include "proto/imap/syntax.h"

namespace postlab {

// One IMAP connection of the device: runs a list of operations, or stays in IDLE for push.
class MailReader::ImapConn : public ConnectionHandler, public imap::ClientHooks {
 public:
  ImapConn(MailReader& reader, imap::ClientJob job, std::string server)
      : reader_(reader), session_(std::move(job), *this), server_(std::move(server)),
        side_(reader.world_.net(), session_, [this] { reader_.imap_finished(this); }) {}

  void on_open(ConnId id) override { side_.open(id); }
  void on_data(ConnId, std::string_view bytes) override { side_.apply(session_.on_input(reader_.world_.now(), bytes)); }
  void on_close(ConnId) override { side_.closed(); }
  void on_fail(ConnId, const std::string&) override { side_.finish(); }
  // Push off: DONE, LOGOUT.
  void stop() {
    if (!side_.finished() && side_.id() >= 0) side_.apply(session_.stop_idle(reader_.world_.now()));
  }

  std::set<std::uint32_t> known(const std::string& folder) override {
    std::set<std::uint32_t> out;
    for (const auto& [uid, c] : reader_.cache_[folder]) out.insert(uid);
    return out;
  }
  bool offline_copies() const override { return reader_.spec_.offline; }
  void headers(const std::string& folder, std::uint32_t uid) override { reader_.cache_[folder].try_emplace(uid); }
  void body(const std::string& folder, std::uint32_t uid, const std::string& text) override {
    reader_.keep(folder, uid, text, server_);
  }
  void gone(const std::string& folder, std::uint32_t uid) override { reader_.drop(folder, uid, "gone"); }
  bool has_body(const std::string& folder, std::uint32_t uid) override {
    auto f = reader_.cache_.find(folder);
    if (f == reader_.cache_.end()) return false;
    auto c = f->second.find(uid);
    return c != f->second.end() && c->second.copy >= 0;
  }
  void done(const imap::Op& op, bool ok, std::optional<std::uint32_t> uid) override {
    using K = imap::Op::Kind;
    if (!ok) return;
    // What the device does with its own copies after the server did what it asked.
    if ((op.kind == K::Move || op.kind == K::Delete) && uid) reader_.drop(op.folder, *uid, op.kind == K::Move ? "moved" : "deleted");
    if (op.kind == K::Remove) {
      std::vector<std::uint32_t> uids;
      for (const auto& [u, c] : reader_.cache_[op.folder]) uids.push_back(u);
      for (std::uint32_t u : uids) reader_.drop(op.folder, u, "folder_deleted");
      reader_.cache_.erase(op.folder);
    }
    if (op.kind == K::Rename) {
      // The folder and its children keep their messages under the new name.
      std::vector<std::string> moved;
      for (const auto& [name, c] : reader_.cache_)
        if (name == op.folder || name.rfind(op.folder + imap::kDelimiter, 0) == 0) moved.push_back(name);
      for (const std::string& name : moved) {
        auto node = reader_.cache_.extract(name);
        node.key() = op.arg + name.substr(op.folder.size());
        reader_.cache_.insert(std::move(node));
      }
    }
  }

 private:
  MailReader& reader_;
  imap::ClientSession session_;
  std::string server_;
  ClientSide<imap::ClientSession> side_;
};

MailReader::MailReader(World& world, HostId device, const HostSpec& spec)
    : world_(world), device_(device), name_(spec.name), spec_(spec.retrieve.value_or(RetrievalSpec{})) {
  if (const UserSpec* u = find_user(world.scenario(), spec.user)) user_ = u->address;
  else user_ = spec.user;
}

MailReader::~MailReader() = default;

const HostSpec* MailReader::server() const {
  for (const auto& h : world_.scenario().hosts)
    if (h.name == name_) return retrieval_server(world_.scenario(), h);
  return nullptr;
}

std::string MailReader::password() const {
  const UserSpec* u = find_user(world_.scenario(), user_);
  return u ? u->password : std::string();
}

void MailReader::check(const CheckMailAction& action) {
  if (!spec_.imap) return check_pop3(action);
  run_imap({imap::Op{imap::Op::Kind::SyncAll, {}, {}}}, action.has_password ? action.password : password());
}

void MailReader::act(const MailAction& a) {
  using K = MailAction::Kind;
  using Op = imap::Op;
  if (a.kind == K::Idle) {
    if (!a.on) {
      if (idling_) idling_->stop();
      return;
    }
    if (idling_) return;  // push is on already
    const HostSpec* server = this->server();
    if (!server) return;
    imap::ClientJob job{user_, password(), {Op{Op::Kind::Sync, "INBOX", {}}, Op{Op::Kind::Idle, "INBOX", {}}}};
    job.starttls = true;
    idling_ = world_.make_handler<ImapConn>(*this, std::move(job), server->name);
    world_.net().connect(device_, *world_.net().find_by_name(server->name), spec_.port, Protocol::Imap, idling_);
    return;
  }
  std::vector<Op> ops;
  auto find = [&] { ops.push_back(Op{Op::Kind::Find, a.folder, a.subject}); };
  switch (a.kind) {
    case K::Read: find(); ops.push_back(Op{Op::Kind::Read, a.folder, {}}); break;
    case K::Flag: find(); ops.push_back(Op{Op::Kind::Flag, a.folder, std::string(a.on ? "+" : "-") + "FLAGS (" + a.flag + ")"}); break;
    case K::Move: find(); ops.push_back(Op{Op::Kind::Move, a.folder, a.to}); break;
    case K::Delete: find(); ops.push_back(Op{Op::Kind::Delete, a.folder, {}}); break;
    case K::CreateFolder: ops.push_back(Op{Op::Kind::Create, {}, a.folder}); break;
    case K::RenameFolder: ops.push_back(Op{Op::Kind::Rename, a.folder, a.to}); break;
    case K::DeleteFolder: ops.push_back(Op{Op::Kind::Remove, a.folder, {}}); break;
    case K::Idle: break;
  }
  run_imap(std::move(ops), password());
}

void MailReader::save_sent(const std::string& data) {
  if (!spec_.imap) return;
  const MailboxState* box = world_.rec().trace().state().mailbox(user_);
  if (!box) return;
  auto sent = box->folders.find("Sent");
  if (sent == box->folders.end() || sent->second.died != kNever) return;  // no Sent folder: nothing is saved
  run_imap({imap::Op{imap::Op::Kind::Append, "Sent", data}}, password());
}

void MailReader::run_imap(std::vector<imap::Op> ops, const std::string& password) {
  if (working_) {  // one thing at a time on the working connection; the next waits its turn
    imap_waiting_.emplace_back(std::move(ops), password);
    return;
  }
  const HostSpec* server = this->server();
  if (!server) return;
  imap::ClientJob job{user_, password, std::move(ops)};
  job.starttls = true;  // mail programs secure the connection when the server offers it
  working_ = world_.make_handler<ImapConn>(*this, std::move(job), server->name);
  world_.net().connect(device_, *world_.net().find_by_name(server->name), spec_.port, Protocol::Imap, working_);
}

void MailReader::imap_finished(ImapConn* conn) {
  if (conn == idling_) idling_ = nullptr;
  if (conn != working_) return;
  working_ = nullptr;
  if (imap_waiting_.empty()) return;
  auto next = std::move(imap_waiting_.front());
  imap_waiting_.pop_front();
  world_.rec().after(0, [this, next = std::move(next)]() mutable { run_imap(std::move(next.first), next.second); });
}

std::int64_t MailReader::downloaded(Protocol protocol, const std::string& folder, std::uint32_t uid,
                                    const std::string& uidl, const std::string& text, const std::string& server,
                                    ConnId connection) {
  MessageSnapshot local;
  local.set_data(text);
  local.kind = CopyKind::Local;
  local.holder = name_;
  local.mailbox = user_;
  const std::int64_t copy = world_.rec().trace().add_message(std::move(local));
  TraceEvent e;
  e.kind = EventKind::Downloaded;
  e.protocol = protocol;
  e.from = name_;
  e.to = server;
  e.connection = connection;
  e.mailbox = user_;
  e.folder = folder;
  e.uid = uid;
  e.text = uidl;
  e.message = copy;
  world_.rec().emit(std::move(e));
  return copy;
}

void MailReader::keep(const std::string& folder, std::uint32_t uid, const std::string& text, const std::string& server) {
  Cached& c = cache_[folder][uid];
  if (c.copy >= 0) return;  // it has it already
  c.copy = downloaded(Protocol::Imap, folder, uid, {}, text, server, -1);
}

void MailReader::drop(const std::string& folder, std::uint32_t uid, const std::string& why) {
  auto f = cache_.find(folder);
  if (f == cache_.end()) return;
  auto c = f->second.find(uid);
  if (c == f->second.end()) return;
  const std::int64_t copy = c->second.copy;
  f->second.erase(c);
  if (copy < 0) return;  // it only knew of it
  TraceEvent e;
  e.kind = EventKind::LocalRemoved;
  e.protocol = Protocol::Imap;
  e.from = name_;
  e.mailbox = user_;
  e.folder = folder;
  e.uid = uid;
  e.message = copy;
  e.text = why;  // "gone" (another device removed it), "moved", "deleted", "folder_deleted"
  world_.rec().emit(std::move(e));
}

}  // namespace postlab
