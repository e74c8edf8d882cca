// The UI's translation table (assets/i18n/<lang>.json): nested keys, read as "section.name".
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/text.h"

namespace postlab {

struct Phrase;

class Translations {
 public:
  // Reads <dir>/en.json or <dir>/es.json. On failure returns nullopt and sets *error.
  static std::optional<Translations> load(const std::string& dir, Lang lang, std::string* error);
  // The text for a key; the key itself when missing (visible, so a missing string gets noticed).
  const std::string& get(const std::string& key) const;
  const char* c(const std::string& key) const { return get(key).c_str(); }
  std::string phrase(const Phrase& p) const;
  bool has(const std::string& key) const { return table_.count(key) != 0; }
  const std::map<std::string, std::string>& table() const { return table_; }
  Lang lang() const { return lang_; }

 private:
  std::map<std::string, std::string> table_;
  mutable std::map<std::string, std::string> missing_;
  Lang lang_ = Lang::En;
};

// Where assets/ lives: $POSTLAB_ASSETS, else next to the executable (../share/postlab), else the
// source tree this build came from.
std::string find_assets_dir(const char* argv0);

// The virtual clock in words for long times: "04:15:00" within the first day, then "day 2, 04:15:00"
// (days since the lesson began), as a queue's timers read.
std::string format_day_clock(std::int64_t t, const Translations& tr, bool millis = false);
// A wait as a person reads it: "9m58s" under an hour, "3h49m" under a day, "4d23h" beyond.
std::string format_wait(std::int64_t d);
std::string_view lang_code(Lang lang);
std::optional<Lang> parse_lang(std::string_view code);

}  // namespace postlab
