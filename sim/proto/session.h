// What a sans-IO protocol session returns for each input: bytes to send, whether to close, and notes.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/phrase.h"

namespace postlab {

// A remark for the explanation panel: a translation key ("note.smtp.auth_plain") and its arguments.
using Note = Phrase;

struct SessionOutput {
  std::string send;          // bytes for the peer, CRLF line ends; may hold several replies
  bool close = false;        // close the connection after sending
  bool start_tls = false;    // everything after these bytes is encrypted (RFC 3207 §4)
  std::vector<Note> notes;   // explanations of what these bytes mean

  void reply(std::string_view line) {
    send += line;
    send += "\r\n";
  }
  void note(std::string key, std::vector<std::string> args = {}) { notes.push_back({std::move(key), std::move(args)}); }
  void append(SessionOutput other) {
    send += other.send;
    close = close || other.close;
    start_tls = start_tls || other.start_tls;
    for (auto& n : other.notes) notes.push_back(std::move(n));
  }
};

}  // namespace postlab
