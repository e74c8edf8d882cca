#include "mail/mailstore.h"

namespace postlab {

std::string Mailstore::key(std::string_view address) {
  std::string k(address);
  for (char& c : k)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return k;
}

std::string Mailstore::owner(const std::string& address) const {
  const Mailbox* box = mailbox(address);
  return box ? box->address : std::string();
}

void Mailstore::add_user(const std::string& address, std::string password, const std::vector<std::string>& folders,
                         std::uint32_t uidvalidity) {
  Mailbox& box = users_[key(address)];
  box.address = address;
  box.password = std::move(password);
  box.folders["INBOX"].uidvalidity = uidvalidity;
  for (const auto& f : folders) box.folders[f].uidvalidity = uidvalidity;
}

const Mailbox* Mailstore::mailbox(const std::string& address) const {
  auto it = users_.find(key(address));
  return it == users_.end() ? nullptr : &it->second;
}

std::uint32_t Mailstore::deliver(const std::string& address, const std::string& folder, std::int64_t snapshot,
                                 std::size_t size) {
  Folder& f = users_[key(address)].folders[folder];
  const std::uint32_t uid = f.uidnext++;  // UIDs strictly ascend within a folder (RFC 3501 §2.3.1.1)
  f.messages.push_back(StoredMessage{uid, snapshot, size, {}});
  return uid;
}

}  // namespace postlab
