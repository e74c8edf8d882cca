#include "export/i18n.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "trace/transcript.h"

#ifndef POSTLAB_SOURCE_ASSETS
#define POSTLAB_SOURCE_ASSETS "assets"
#endif

namespace postlab {
namespace {

void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [key, value] : j.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object())
      flatten(value, name, out);
    else if (value.is_string())
      out[name] = value.get<std::string>();
  }
}

}  // namespace

std::string_view lang_code(Lang lang) { return lang == Lang::Es ? "es" : "en"; }

std::optional<Lang> parse_lang(std::string_view code) {
  if (code == "en") return Lang::En;
  if (code == "es") return Lang::Es;
  return std::nullopt;
}

std::optional<Translations> Translations::load(const std::string& dir, Lang lang, std::string* error) {
  const std::string path = dir + "/i18n/" + std::string(lang_code(lang)) + ".json";
  std::ifstream in(path);
  if (!in) {
    if (error) *error = "cannot open " + path;
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (error) *error = path + " is not a JSON object";
    return std::nullopt;
  }
  Translations t;
  t.lang_ = lang;
  flatten(j, "", t.table_);
  return t;
}

const std::string& Translations::get(const std::string& key) const {
  auto it = table_.find(key);
  if (it != table_.end()) return it->second;
  return missing_.emplace(key, key).first->second;
}

std::string Translations::phrase(const Phrase& p) const { return fill(get(p.key), p.args); }

std::string find_assets_dir(const char* argv0) {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("POSTLAB_ASSETS"); env && *env) return env;
  std::error_code ec;
  if (argv0) {
    const fs::path exe = fs::weakly_canonical(fs::path(argv0), ec);
    const fs::path installed = exe.parent_path().parent_path() / "share" / "postlab";
    if (!ec && fs::exists(installed / "i18n" / "en.json", ec)) return installed.string();
  }
  return POSTLAB_SOURCE_ASSETS;
}

std::string format_day_clock(std::int64_t t, const Translations& tr, bool millis) {
  if (t < 0) t = 0;
  const SimTime day = t / kDay;
  const SimTime rest = t - day * kDay;
  char hms[24];
  std::snprintf(hms, sizeof hms, "%02d:%02d:%02d", static_cast<int>(rest / kHour), static_cast<int>(rest % kHour / kMinute),
                static_cast<int>(rest % kMinute / kSecond));
  if (millis)
    std::snprintf(hms + 8, sizeof hms - 8, ".%03d", static_cast<int>(rest % kSecond / kMillisecond));
  if (day == 0) return hms;
  return fill(tr.get("time.day_clock"), {std::to_string(day), hms});
}

std::string format_wait(std::int64_t d) {
  if (d < 0) d = 0;
  if (d < kHour) return format_duration(d / kSecond * kSecond);
  if (d < kDay) return format_duration(d / kMinute * kMinute);
  return format_duration(d / kHour * kHour);
}

}  // namespace postlab
