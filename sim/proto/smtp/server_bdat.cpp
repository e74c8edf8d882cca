// CHUNKING and BDAT (RFC 3030) for the SMTP server session. Replies and the order of the checks are
// Postfix 3.7's (smtpd.c bdat_cmd(), skip_bdat()), checked against a real server.
#include <algorithm>
#include <cctype>
#include <cstdint>

#include "mail/message.h"
#include "proto/smtp/server.h"

namespace postlab::smtp {

void ServerSession::cmd_bdat(std::string_view args, SessionOutput& out) {
  // RFC 3030 §2; replies as Postfix's smtpd.c bdat_cmd() and skip_bdat(). A reply with code 521
  // ends the session, as Postfix hangs up after any 421 or 521.
  auto hang_up = [&](const char* reply) {
    out.reply(reply);
    out.close = true;
    state_ = ServerState::Closed;
  };
  if (!config_.chunking) return hang_up("521 5.5.1 Error: command not implemented");
  std::vector<std::string_view> words;
  for (std::size_t pos = 0; pos < args.size();) {
    const auto sp = std::min(args.find(' ', pos), args.size());
    if (sp > pos) words.push_back(args.substr(pos, sp - pos));
    pos = sp + 1;
  }
  // Any number of digits, as long as the value fits Postfix's signed 64-bit size (off_t).
  std::uint64_t count = 0;
  bool digits = !words.empty() && words.size() <= 2 && !words[0].empty();
  for (char ch : digits ? words[0] : std::string_view()) {
    const auto d = static_cast<unsigned>(ch - '0');
    if (d > 9 || count > (kBdatMaxCount - d) / 10) {
      digits = false;
      break;
    }
    count = count * 10 + d;
  }
  if (!digits || (words.size() == 2 && !iequals(words[1], "LAST"))) {
    // The chunk's size is unknown, so its bytes cannot be skipped.
    out.note("note.smtp.bdat_syntax");
    return hang_up("521 5.5.4 Syntax: BDAT count [LAST]");
  }
  const auto n = static_cast<std::size_t>(count);
  bdat_last_ = words.size() == 2;
  bdat_remaining_ = n;
  framer_.expect_octets(n);
  bdat_chunk_ = n;
  bdat_skip_ = false;
  bdat_reply_.clear();
  // A refused chunk is still read to its end and then refused, so both sides stay in step. After a
  // refused chunk that is not the LAST, Postfix discards every chunk up to the LAST one or RSET.
  if (n == 0 && !bdat_last_) bdat_reply_ = "551 5.7.1 Null BDAT request";  // checked first, as in Postfix
  else if (bdat_error_) bdat_reply_ = "551 5.0.0 Discarded " + std::to_string(n) + " bytes after earlier error";
  else if (!tx_.has_sender) bdat_reply_ = "503 5.5.1 Error: need RCPT command";
  else if (tx_.rcpts.empty()) bdat_reply_ = "554 5.5.1 Error: no valid recipients";
  else if (bdat_size_ + bdat_line_ + n > config_.message_size_limit)
    bdat_reply_ = "552 5.3.4 Chunk exceeds message size limit";
  if (!bdat_reply_.empty()) {
    bdat_skip_ = true;
  } else {
    bdat_used_ = true;
    state_ = ServerState::Bdat;
  }
  if (n == 0) bdat_chunk_done(out);
}

void ServerSession::bdat_count(std::string_view bytes) {
  // Postfix counts the message as it writes it: each line's length plus CR LF (a bare LF line too);
  // a line not yet ended counts its bytes so far. Counted as the bytes come, once each.
  for (char ch : bytes) {
    if (ch == '\n') {
      bdat_size_ += bdat_line_ - (bdat_prev_cr_ ? 1 : 0) + 2;
      bdat_line_ = 0;
    } else {
      ++bdat_line_;
    }
    bdat_prev_cr_ = ch == '\r';
  }
}

void ServerSession::bdat_chunk_done(SessionOutput& out) {
  if (bdat_skip_) {
    bdat_skip_ = false;
    error(bdat_reply_, out);
    if (bdat_last_) reset_transaction();
    else bdat_error_ = true;
    return;
  }
  if (data_too_big_) {
    out.reply("552 5.3.4 Error: message file too big");
    ++errors_;
    reset_transaction();
    bdat_error_ = !bdat_last_;  // Postfix resets the transaction, then discards chunks up to LAST
    return;
  }
  if (!bdat_last_) {
    out.reply("250 2.0.0 Ok: " + std::to_string(bdat_chunk_) + " bytes");
    return;
  }
  if (forced(".", {}, out)) {  // a lesson's reply to the end of the message: nothing is queued
    if (state_ != ServerState::Closed) state_ = ServerState::Ready;
    reset_transaction();
    return;
  }
  std::size_t size = bdat_size_ + bdat_line_;
  if (!data_.empty() && data_.back() != '\n') {
    size += 2;         // an unterminated last line counts its CR LF
    data_ += "\r\n";  // and is stored with it
  }
  AcceptResult r = hooks_.accept_message(tx_, data_);
  if (r.ok) {
    out.reply("250 2.0.0 Ok: " + std::to_string(size) + " bytes queued as " + r.queue_id);
    errors_ = 0;
  } else {
    error(r.reply, out);
  }
  state_ = ServerState::Ready;
  reset_transaction();
}

}  // namespace postlab::smtp
