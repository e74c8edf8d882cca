#include "proto/framer.h"

#include <algorithm>

namespace postlab {

void Framer::discard_buffered() {
  buf_.clear();
  pos_ = scanned_ = 0;
  kept_.clear();
  dropped_ = 0;
  last_cr_ = false;
}

std::optional<Framed> Framer::next() {
  // Reclaim what has been read once it is most of the buffer (amortised: no copy per frame).
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  const std::size_t available = buf_.size() - pos_;
  if (octets_left_ > 0) {
    if (available == 0) return std::nullopt;
    const std::size_t take = std::min(octets_left_, available);
    Framed f{Framed::Kind::Octets, std::string_view(buf_).substr(pos_, take), take, false, false};
    pos_ += take;
    scanned_ = 0;
    octets_left_ -= take;
    f.last = octets_left_ == 0;
    return f;
  }
  const std::size_t nl = buf_.find('\n', pos_ + scanned_);
  if (nl == std::string::npos) {
    scanned_ = available;
    if (kept_.size() + dropped_ + available > max_line_) {
      // An over-long line: keep its head, count the rest, and do not let the buffer grow with it.
      const std::size_t room = max_line_ > kept_.size() ? max_line_ - kept_.size() : 0;
      const std::size_t keep = std::min(room, available);
      kept_.append(buf_, pos_, keep);
      dropped_ += available - keep;
      last_cr_ = buf_.back() == '\r';
      pos_ = buf_.size();
      scanned_ = 0;
    }
    return std::nullopt;
  }
  std::string_view tail = std::string_view(buf_).substr(pos_, nl - pos_);
  pos_ = nl + 1;
  scanned_ = 0;
  if (kept_.empty() && dropped_ == 0) {
    if (!tail.empty() && tail.back() == '\r') tail.remove_suffix(1);
    if (tail.size() <= max_line_) return Framed{Framed::Kind::Line, tail, tail.size(), false, false};
    return Framed{Framed::Kind::Line, tail.substr(0, max_line_), tail.size(), true, false};
  }
  // The end of an over-long line: its kept head, and how long it really was. The CR before the LF
  // is no content, wherever it went: in this tail, or among the bytes kept or counted before.
  std::size_t length = kept_.size() + dropped_ + tail.size();
  if (tail.empty() ? last_cr_ : tail.back() == '\r') {
    --length;
    if (!tail.empty()) tail.remove_suffix(1);
    else if (dropped_ == 0) kept_.pop_back();
  }
  const std::size_t room = max_line_ > kept_.size() ? max_line_ - kept_.size() : 0;
  kept_.append(tail.substr(0, std::min(room, tail.size())));
  line_ = std::move(kept_);
  kept_.clear();
  dropped_ = 0;
  last_cr_ = false;
  return Framed{Framed::Kind::Line, line_, length, length > max_line_, false};
}

DataLine unstuff(std::string_view line) {
  if (line == ".") return {true, {}};
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  return {false, line};
}

std::optional<Literal> literal_at_end(std::string_view line, std::size_t max) {
  if (line.size() < 3 || line.back() != '}') return std::nullopt;
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view n = line.substr(open + 1, line.size() - open - 2);
  Literal lit;
  if (!n.empty() && n.back() == '+') {
    lit.non_sync = true;
    n.remove_suffix(1);
  }
  if (n.empty() || n.size() > 19) return std::nullopt;
  std::size_t value = 0;
  for (char c : n) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  lit.size = value;
  return lit;
}

}  // namespace postlab
