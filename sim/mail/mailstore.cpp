#include "mail/mailstore.h"

namespace postlab {

void Mailstore::add_user(const std::string& address, std::string password, const std::vector<std::string>& folders,
                         std::uint32_t uidvalidity) {
  Mailbox& box = users_[address];
  box.password = std::move(password);
  box.folders["INBOX"].uidvalidity = uidvalidity;
  for (const auto& f : folders) box.folders[f].uidvalidity = uidvalidity;
}

const Mailbox* Mailstore::mailbox(const std::string& address) const {
  auto it = users_.find(address);
  return it == users_.end() ? nullptr : &it->second;
}

std::uint32_t Mailstore::deliver(const std::string& address, const std::string& folder, std::int64_t snapshot,
                                 std::size_t size) {
  Folder& f = users_[address].folders[folder];
  const std::uint32_t uid = f.uidnext++;  // UIDs strictly ascend within a folder (RFC 3501 §2.3.1.1)
  f.messages.push_back(StoredMessage{uid, snapshot, size, {}});
  return uid;
}

}  // namespace postlab
