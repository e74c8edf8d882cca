// `postlab-cli console`: the student is the SMTP client of a server inside the lesson's world.
#pragma once
#include <iosfwd>
#include <string>

namespace postlab {

struct Scenario;
class Translations;

struct ConsoleOptions {
  std::string host;        // the MTA to talk to
  int port = 25;
  std::string as;          // a client host of the lesson to act as; empty: a stranger "console"
  bool transcript = false; // echo C:/S: lines instead of the server's raw bytes only
};

// Reads client lines from `in` (LF or CRLF), writes what the server sends to `out` exactly as on the
// wire, and a summary of what the world did with it to `err`. Returns a process exit status.
int run_console(const Scenario& scenario, const ConsoleOptions& options, const Translations& tr, std::istream& in,
                std::ostream& out, std::ostream& err);

}  // namespace postlab
