// What a sans-IO protocol session returns for each input: bytes to send, whether to close, and notes.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace postlab {

struct SessionOutput {
  std::string send;                 // bytes for the peer, CRLF line ends; may hold several replies
  bool close = false;               // close the connection after sending
  std::vector<std::string> notes;   // plain-words remarks for the explanation panel

  void reply(std::string_view line) {
    send += line;
    send += "\r\n";
  }
  void append(SessionOutput other) {
    send += other.send;
    close = close || other.close;
    for (auto& n : other.notes) notes.push_back(std::move(n));
  }
};

}  // namespace postlab
