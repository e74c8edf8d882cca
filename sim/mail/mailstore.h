// A mail server's message store: users, folders, UIDs (RFC 3501 §2.3.1.1), flags.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace postlab {

struct StoredMessage {
  std::uint32_t uid = 0;
  std::int64_t snapshot = -1;  // index into Trace::messages()
  std::size_t size = 0;        // octets as stored
  std::vector<std::string> flags;
};

struct Folder {
  std::uint32_t uidvalidity = 1;
  std::uint32_t uidnext = 1;
  std::vector<StoredMessage> messages;
};

struct Mailbox {
  std::string password;
  std::map<std::string, Folder> folders;  // ordered: deterministic iteration
};

class Mailstore {
 public:
  void add_user(const std::string& address, std::string password, const std::vector<std::string>& folders,
                std::uint32_t uidvalidity);
  bool has_user(const std::string& address) const { return users_.count(address) != 0; }
  const Mailbox* mailbox(const std::string& address) const;
  // Appends to a folder (created if missing) and returns the new UID.
  std::uint32_t deliver(const std::string& address, const std::string& folder, std::int64_t snapshot,
                        std::size_t size);
  const std::map<std::string, Mailbox>& users() const { return users_; }

 private:
  std::map<std::string, Mailbox> users_;
};

}  // namespace postlab
