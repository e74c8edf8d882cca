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

void Mailstore::add_user(const std::string& address, std::string password) {
  users_[key(address)] = Mailbox{address, std::move(password)};
}

const Mailbox* Mailstore::mailbox(const std::string& address) const {
  auto it = users_.find(key(address));
  return it == users_.end() ? nullptr : &it->second;
}

}  // namespace postlab
