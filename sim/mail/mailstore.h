// A mail server's message store: users, folders, UIDs (RFC 3501 §2.3.1.1), flags.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
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
  std::string address;  // as the lesson declares it
  std::string password;
  std::map<std::string, Folder> folders;  // ordered: deterministic iteration
};

// Local parts are matched without regard to case, as Postfix's local delivery folds them to lower
// case before it looks a user up (RFC 5321 §2.4 allows it for the server that owns the mailbox).
class Mailstore {
 public:
  static std::string key(std::string_view address);  // the lookup form: all lower case
  void add_user(const std::string& address, std::string password, const std::vector<std::string>& folders,
                std::uint32_t uidvalidity);
  bool has_user(const std::string& address) const { return users_.count(key(address)) != 0; }
  const Mailbox* mailbox(const std::string& address) const;
  // The address of the mailbox as declared ("" when there is none).
  std::string owner(const std::string& address) const;
  // Appends to a folder (created if missing) and returns the new UID. The user must exist.
  std::uint32_t deliver(const std::string& address, const std::string& folder, std::int64_t snapshot,
                        std::size_t size);

 private:
  std::map<std::string, Mailbox> users_;  // by key(): ordered, deterministic iteration
};

}  // namespace postlab
