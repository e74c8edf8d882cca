// A mail server's accounts: the users whose mail it stores, and their passwords.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

// A user the server knows: what it needs to look them up and check their password. What the
// mailbox holds (folders, messages, UIDs) is state, folded from the trace (trace/state.h).
struct Mailbox {
  std::string address;  // as the lesson declares it
  std::string password;
};

// Local parts are matched without regard to case, as Postfix's local delivery folds them to lower
// case before it looks a user up (RFC 5321 §2.4 allows it for the server that owns the mailbox).
class Mailstore {
 public:
  static std::string key(std::string_view address);  // the lookup form: all lower case
  void add_user(const std::string& address, std::string password);
  bool has_user(const std::string& address) const { return users_.count(key(address)) != 0; }
  const Mailbox* mailbox(const std::string& address) const;
  // The address of the mailbox as declared ("" when there is none).
  std::string owner(const std::string& address) const;

 private:
  std::map<std::string, Mailbox> users_;  // by key(): ordered, deterministic iteration
};

}  // namespace postlab
