// Comparing what a simulated server sent with a captured Dovecot session (tests/truth/).
#pragma once
#include <algorithm>
#include <regex>
#include <string>
#include <vector>

namespace postlab::testing {

// What two transcripts must agree on: every status line (untagged, continuation, tagged), with what
// differs between two stores and two servers made equal: sizes, dates, Dovecot's timings and its
// longer capability list, and the order in which LIST names folders.
// `loose` also makes equal what two differently filled mailboxes give: UIDVALIDITY numbers and
// ENVELOPEs (the messages of a lesson are written by its mail programs, with their own headers).
inline std::vector<std::string> imap_status_lines(const std::vector<std::string>& lines, bool loose = false) {
  static const std::regex literal("\\{[0-9]+\\}$"), size("RFC822\\.SIZE [0-9]+"), date("INTERNALDATE \"[^\"]*\""),
      timing("\\([0-9. +]+ secs\\)\\.$"), caps("CAPABILITY [^\\]]*"), tagged("^[a-z][0-9]+ (OK|NO|BAD)");
  std::vector<std::string> out;
  for (std::string l : lines) {
    if (l.rfind("* ", 0) != 0 && l.rfind("+ ", 0) != 0 && !std::regex_search(l, tagged)) continue;
    l = std::regex_replace(l, literal, "{N}");
    l = std::regex_replace(l, size, "RFC822.SIZE N");
    l = std::regex_replace(l, date, "INTERNALDATE D");
    l = std::regex_replace(l, timing, "(T).");
    l = std::regex_replace(l, caps, "CAPABILITY ...");
    if (loose) {
      static const std::regex validity("(UIDVALIDITY|COPYUID|APPENDUID) [0-9]+");
      l = std::regex_replace(l, validity, "$1 V");
      if (const std::size_t e = l.find("ENVELOPE ("); e != std::string::npos) {
        int depth = 0;
        std::size_t i = e + 9;
        bool quote = false;
        for (; i < l.size(); ++i) {
          if (l[i] == '"' && l[i - 1] != '\\') quote = !quote;
          if (quote) continue;
          if (l[i] == '(') ++depth;
          if (l[i] == ')' && --depth == 0) break;
        }
        l.replace(e, i + 1 - e, "ENVELOPE E");
      }
    }
    // The captured Dovecot kept maildir's "." as hierarchy delimiter; this one is set up with "/".
    if (l.rfind("* LIST ", 0) == 0)
      if (const std::size_t p = l.find(" \"/\" "); p != std::string::npos) l.replace(p, 5, " \".\" ");
    // Dovecot offers new keywords (\*); this server keeps no keywords, so it does not.
    for (std::size_t p; (p = l.find(" \\*)")) != std::string::npos;) l.erase(p, 3);
    out.push_back(l);
  }
  // LIST answers in the store's order: compare them as sets.
  for (std::size_t i = 0; i < out.size();) {
    std::size_t j = i;
    while (j < out.size() && out[j].rfind("* LIST ", 0) == 0) ++j;
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(i), out.begin() + static_cast<std::ptrdiff_t>(j));
    i = j == i ? i + 1 : j;
  }
  return out;
}

}  // namespace postlab::testing
