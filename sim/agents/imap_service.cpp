#include "agents/imap_service.h"

#include <algorithm>

#include "agents/mta.h"
#include "agents/smtp_conn.h"
#include "agents/world.h"
#include "proto/imap/server.h"

namespace postlab {
namespace {

class ImapInbound : public ConnectionHandler, public imap::ServerHooks, public MailboxWatcher {
 public:
  ImapInbound(World& world, Mta& mta, HostId client)
      : world_(world), mta_(mta), client_(client), session_(config(mta), *this), side_(world.net(), session_) {
    mta_.watch(this);
  }
  ~ImapInbound() override { mta_.unwatch(this); }

  // Dovecot beside this Postfix offers STARTTLS when the MTA does (its certificate is the same).
  static imap::ServerConfig config(const Mta& mta) {
    imap::ServerConfig c;
    c.tls_available = mta.policy().starttls;
    return c;
  }

  void on_open(ConnId id) override { side_.open(id); }
  void on_data(ConnId, std::string_view bytes) override { side_.input(bytes); }
  void on_close(ConnId) override {
    side_.closed();
    mta_.unwatch(this);
  }
  void mailbox_changed(const std::string& owner) override {
    if (owner != owner_ || !world_.net().is_open(side_.id())) return;
    side_.apply(session_.on_mailbox_changed(world_.now()));
  }

  // Users log in with their address, or the bare local part (system users).
  bool authenticate(const std::string& user, const std::string& password) override {
    const std::string address = mta_.qualify(user);
    if (!mta_.authenticate(address, password)) return false;
    owner_ = mta_.store().owner(address);
    return true;
  }
  std::vector<imap::FolderInfo> folders() override {
    std::vector<imap::FolderInfo> out;
    const MailboxState* box = mailbox();
    if (!box) return out;
    const std::size_t n = trace().size();
    for (const auto& [name, f] : box->folders) {
      if (f.died != kNever) continue;
      imap::FolderInfo info{name, box->subscribed(name, n)};
      if (name == "INBOX") out.insert(out.begin(), info);
      else out.push_back(info);
    }
    return out;
  }
  std::optional<imap::FolderStatus> folder(const std::string& name) override {
    const FolderState* f = live(name);
    if (!f) return std::nullopt;
    imap::FolderStatus st{f->uidvalidity, f->uidnext, {}};
    const std::size_t n = trace().size();
    for (const StoredItem& item : f->items) {
      if (item.died != kNever) continue;
      const MessageSnapshot& m = trace().messages()[static_cast<std::size_t>(item.message)];
      st.messages.push_back({item.uid, item.flags_at(n), m.size(), world_.epoch() + item.arrived / kSecond});
    }
    return st;
  }
  std::string text(const std::string& name, std::uint32_t uid) override {
    const StoredItem* item = find(name, uid);
    return item ? trace().messages()[static_cast<std::size_t>(item->message)].data() : std::string();
  }
  std::string create(const std::string& name) override {
    if (name.empty() || live(name)) return "Mailbox already exists";
    // A new folder's UIDVALIDITY: one more than any the user's folders had (Dovecot counts up too).
    std::uint32_t validity = 1;
    if (const MailboxState* box = mailbox()) {
      for (const auto& [n, f] : box->folders) validity = std::max(validity, f.uidvalidity + 1);
      for (const auto& node : box->retired) validity = std::max(validity, node.mapped().uidvalidity + 1);
    }
    event(EventKind::FolderCreated, name, validity, {});
    return {};
  }
  std::string remove(const std::string& name) override {
    if (name == "INBOX") return "INBOX can't be deleted.";
    if (!live(name)) return "Mailbox doesn't exist: " + name;
    for (const auto& f : folders())
      if (f.name.rfind(name + imap::kDelimiter, 0) == 0) return "Mailbox has children, delete them first";
    event(EventKind::FolderDeleted, name, 0, {});
    return {};
  }
  std::string rename(const std::string& from, const std::string& to) override {
    if (from == "INBOX") return "Renaming INBOX isn't supported.";
    if (!live(from)) return "Mailbox doesn't exist: " + from;
    if (to.empty() || live(to)) return "Mailbox already exists";
    // The children move with it ("Work/2026" becomes "Archive/2026").
    std::vector<std::string> names{from};
    for (const auto& f : folders())
      if (f.name.rfind(from + imap::kDelimiter, 0) == 0) names.push_back(f.name);
    for (const std::string& n : names) event(EventKind::FolderRenamed, n, 0, to + n.substr(from.size()));
    return {};
  }
  void subscribe(const std::string& name, bool on) override { event(EventKind::Subscribed, name, 0, on ? "on" : "off"); }
  void set_flags(const std::string& name, std::uint32_t uid, std::uint8_t flags) override {
    event(EventKind::FlagsChanged, name, uid, format_flags(flags));
  }
  std::uint32_t copy(const std::string& from, std::uint32_t uid, const std::string& to, bool move) override {
    const StoredItem* item = find(from, uid);
    if (!item) return 0;
    const std::uint8_t flags = item->flags_at(trace().size());
    MessageSnapshot m = trace().messages()[static_cast<std::size_t>(item->message)];  // shares head and body
    const std::uint32_t new_uid = file(std::move(m), to, flags, (move ? "MOVE from " : "COPY from ") + from);
    if (move) event(EventKind::MessageExpunged, from, uid, "MOVE to " + to);
    return new_uid;
  }
  void expunge(const std::string& name, std::uint32_t uid) override { event(EventKind::MessageExpunged, name, uid, "EXPUNGE"); }
  std::uint32_t append(const std::string& name, const std::string& text, std::uint8_t flags) override {
    MessageSnapshot m;
    m.set_data(text);
    m.kind = CopyKind::Stored;
    m.holder = mta_.hostname();
    m.mailbox = owner_;
    return file(std::move(m), name, flags, "APPEND");
  }
  std::uint32_t recent_from(const std::string& name, bool take) override {
    std::uint32_t& from = mta_.recent_from(owner_, name);
    const std::uint32_t was = from;
    if (take)
      if (const FolderState* f = live(name)) from = std::max(from, f->uidnext);
    return was;
  }

 private:
  const Trace& trace() { return world_.rec().trace(); }
  const MailboxState* mailbox() { return trace().state().mailbox(owner_); }
  const FolderState* live(const std::string& name) {
    const MailboxState* box = mailbox();
    if (!box) return nullptr;
    auto it = box->folders.find(name);
    return it == box->folders.end() || it->second.died != kNever ? nullptr : &it->second;
  }
  const StoredItem* find(const std::string& name, std::uint32_t uid) {
    const FolderState* f = live(name);
    const StoredItem* item = f ? f->item(uid) : nullptr;
    return item && item->died == kNever ? item : nullptr;
  }
  std::uint32_t file(MessageSnapshot m, const std::string& folder, std::uint8_t flags, const std::string& why) {
    const std::uint32_t uid = trace().state().uidnext(owner_, folder);
    const std::int64_t index = world_.rec().trace().add_message(std::move(m));
    TraceEvent e = base(EventKind::MessageStored, folder, uid);
    e.message = index;
    e.text = why;
    e.text_alt = format_flags(flags);
    world_.rec().emit(std::move(e));
    return uid;
  }
  TraceEvent base(EventKind kind, const std::string& folder, std::uint32_t uid) {
    TraceEvent e;
    e.kind = kind;
    e.protocol = Protocol::Imap;
    e.from = mta_.hostname();
    e.to = world_.net().host(client_).name;
    e.connection = side_.id();
    e.mailbox = owner_;
    e.folder = folder;
    e.uid = uid;
    return e;
  }
  void event(EventKind kind, const std::string& folder, std::uint32_t uid, const std::string& text) {
    TraceEvent e = base(kind, folder, uid);
    e.text = text;
    world_.rec().emit(std::move(e));
  }

  World& world_;
  Mta& mta_;
  HostId client_;
  imap::ServerSession session_;
  ServerSide<imap::ServerSession> side_;
  std::string owner_;  // the logged-in user's mailbox as the lesson declares it
};

}  // namespace

ConnectionHandler* accept_imap(World& world, Mta& mta, HostId client) {
  return world.make_handler<ImapInbound>(world, mta, client);
}

}  // namespace postlab
