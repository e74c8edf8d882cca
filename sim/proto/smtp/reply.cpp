#include "proto/smtp/reply.h"

#include "proto/smtp/limits.h"

namespace postlab::smtp {

std::string Reply::first_line() const {
  return std::to_string(code) + " " + (lines.empty() ? std::string() : lines.front());
}

ReplyReader::Status ReplyReader::feed_line(std::string_view line) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]) || line.size() > kMaxReplyLine)
    return Status::Malformed;
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return Status::Malformed;
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599) return Status::Malformed;
  if (started_ && code != current_.code) return Status::Malformed;  // §4.2.1: same code on every line
  started_ = true;
  current_.code = code;
  current_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  if (current_.lines.size() > kMaxReplyLines) return Status::Malformed;
  return (line.size() > 3 && line[3] == '-') ? Status::NeedMore : Status::Complete;
}

Reply ReplyReader::take() {
  Reply r = std::move(current_);
  current_ = Reply{};
  started_ = false;
  return r;
}

}  // namespace postlab::smtp
