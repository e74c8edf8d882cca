// Lesson text in English and Spanish. A missing language falls back to the other one.
#pragma once
#include <string>

namespace postlab {

enum class Lang { En, Es };

struct LocalText {
  std::string en;
  std::string es;
  bool empty() const { return en.empty() && es.empty(); }
  const std::string& get(Lang lang) const {
    const std::string& wanted = lang == Lang::Es ? es : en;
    return wanted.empty() ? (lang == Lang::Es ? en : es) : wanted;
  }
};

}  // namespace postlab
