#include "proto/imap/client.h"

#include <algorithm>

#include "core/ascii.h"
#include "proto/imap/syntax.h"

namespace postlab::imap {
namespace {

// RFC 2177 §3: a client re-issues IDLE at least every 29 minutes, before the server's 30-minute
// autologout would end the session.
constexpr Duration kIdleRenew = 29 * kMinute;

std::optional<std::uint32_t> number_after(std::string_view text, std::string_view key) {
  const std::size_t at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::uint64_t n = 0;
  std::size_t i = at + key.size(), digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 10; ++i, ++digits) n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
  if (digits == 0 || n > 0xFFFFFFFEull) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

// The last word of a LIST response: the folder name, an atom or a quoted string.
std::string listed_name(std::string_view line) {
  if (!line.empty() && line.back() == '"') {
    const std::size_t open = line.rfind('"', line.size() - 2);
    std::string out;
    for (std::size_t i = open + 1; i + 1 < line.size(); ++i) {
      if (line[i] == '\\' && i + 2 < line.size()) ++i;
      out += line[i];
    }
    return out;
  }
  return std::string(line.substr(line.rfind(' ') + 1));
}

}  // namespace

ClientSession::ClientSession(ClientJob job, ClientHooks& hooks) : job_(std::move(job)), hooks_(hooks), queue_(job_.ops) {}

void ClientSession::start(SimTime now) { now_ = waiting_since_ = std::max(now_, now); }

std::optional<SimTime> ClientSession::deadline() const {
  if (state_ == ClientState::Done) return std::nullopt;
  if (state_ == ClientState::Idling && !done_sent_) return idle_since_ + kIdleRenew;
  return waiting_since_ + job_.timeout;
}

SessionOutput ClientSession::on_timeout(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  const auto due = deadline();
  if (!due || now_ < *due) return out;
  if (state_ == ClientState::Idling && !done_sent_) {
    // Time to renew IDLE: DONE, and IDLE again on the same folder.
    idle_news_ = false;
    done_sent_ = true;
    out.reply("DONE");
    waiting_since_ = now_;
    return out;
  }
  fail("no answer from the server in " + format_duration(job_.timeout), out);
  return out;
}

SessionOutput ClientSession::stop_idle(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  stopping_ = true;
  queue_.clear();
  if (state_ == ClientState::Idling && !done_sent_) {
    done_sent_ = true;
    out.reply("DONE");
    waiting_since_ = now_;
  }
  return out;
}

SessionOutput ClientSession::on_closed() {
  SessionOutput out;
  if (state_ != ClientState::Done && failure_.empty() && !logging_out_) failure_ = "the server closed the connection";
  state_ = ClientState::Done;
  return out;
}

void ClientSession::fail(const std::string& why, SessionOutput& out) {
  failure_ = why;
  state_ = ClientState::Done;
  out.close = true;
}

void ClientSession::send(const std::string& command, SessionOutput& out) {
  pending_tag_ = "a" + std::to_string(++tag_);
  out.reply(pending_tag_ + " " + command);
  waiting_since_ = now_;
}

std::string ClientSession::uid_list(const std::vector<std::uint32_t>& uids) const {
  std::string out;
  for (std::uint32_t u : uids) out += (out.empty() ? "" : ",") + std::to_string(u);
  return out;
}

SessionOutput ClientSession::on_input(SimTime now, std::string_view bytes) {
  now_ = std::max(now_, now);
  SessionOutput out;
  framer_.feed(bytes);
  while (state_ != ClientState::Done) {
    const auto f = framer_.next();
    if (!f) break;
    if (f->kind == Framed::Kind::Octets) {
      literal_.append(f->data);
      continue;
    }
    on_line(f->data, out);
  }
  return out;
}

void ClientSession::on_line(std::string_view line, SessionOutput& out) {
  // A response that carries a literal goes on after its octets (RFC 3501 §4.3).
  if (const auto lit = literal_at_end(line, 64u * 1024 * 1024)) {
    response_.append(line);
    literal_.clear();
    framer_.expect_octets(lit->size);
    return;
  }
  if (!response_.empty()) {
    const std::string whole = response_ + std::string(line);
    response_.clear();
    return untagged(whole, out);
  }
  if (line.rfind("* ", 0) == 0) {
    literal_.clear();
    return untagged(line, out);
  }
  if (line.rfind("+", 0) == 0) return;  // "+ idling" (IDLE is on), or a continuation not asked for
  // A tagged answer.
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos || line.substr(0, sp) != pending_tag_) return;
  const std::string_view rest = line.substr(sp + 1);
  const bool ok = rest.rfind("OK", 0) == 0;
  pending_tag_.clear();
  if (logging_out_) {
    state_ = ClientState::Done;
    out.close = true;
    return;
  }
  if (in_tls_start_) {
    in_tls_start_ = false;
    if (ok) return send("LOGIN " + quoted(job_.user) + " " + quoted(job_.password), out);  // inside TLS now
  }
  if (!logged_in_) {
    if (!ok) {
      failure_ = std::string(line);
      logging_out_ = true;
      send("LOGOUT", out);
      return;
    }
    logged_in_ = true;
    state_ = ClientState::Working;
    return next(out);
  }
  if (state_ == ClientState::Idling) {
    // IDLE is over: sync what changed and idle again, unless the user stops it.
    state_ = ClientState::Working;
    const Op op = *cur_;
    cur_.reset();
    if (!stopping_) {
      Op sync{Op::Kind::Sync, op.folder, {}};
      if (idle_news_) queue_.insert(queue_.begin(), {sync, op});
      else queue_.insert(queue_.begin(), op);
    }
    idle_news_ = false;
    return next(out);
  }
  if (!ok) {
    failure_ = std::string(line);
    // A refused SELECT leaves no folder selected (RFC 3501 §6.3.1); the operation stops here.
    if (cur_ && phase_ == 1 && (cur_->kind == Op::Kind::Sync || cur_->kind == Op::Kind::Find || cur_->kind == Op::Kind::Idle))
      selected_.clear();
    if (cur_ && cur_->kind == Op::Kind::Find) found_.clear();  // nothing found: what follows acts on nothing
    if (cur_) finished(false);
  }
  next(out);
}

void ClientSession::untagged(std::string_view line, SessionOutput& out) {
  const std::string_view body = line.substr(2);
  if (state_ == ClientState::Greeting) {
    if (body.rfind("OK", 0) != 0) return fail("the server refused the connection: " + std::string(line), out);
    state_ = ClientState::Working;
    if (job_.starttls && body.find(" STARTTLS") != std::string_view::npos) {
      in_tls_start_ = true;
      send("STARTTLS", out);
      return;
    }
    send("LOGIN " + quoted(job_.user) + " " + quoted(job_.password), out);
    return;
  }
  if (state_ == ClientState::Idling) {
    // News while idling: leave IDLE to sync (RFC 2177 §3: DONE, then the command that is needed).
    if ((body.find(" EXISTS") != std::string_view::npos || body.find(" EXPUNGE") != std::string_view::npos ||
         body.find(" FETCH ") != std::string_view::npos) && !done_sent_) {
      idle_news_ = true;
      done_sent_ = true;
      out.reply("DONE");
      waiting_since_ = now_;
    }
    return;
  }
  if (body.rfind("LIST ", 0) == 0) {
    folders_.push_back(listed_name(line));
    return;
  }
  if (body.rfind("SEARCH", 0) == 0) {
    found_.clear();
    std::size_t pos = 6;
    while (pos < body.size()) {
      const std::size_t end = std::min(body.find(' ', pos + 1), body.size());
      if (const auto n = number_after(body.substr(pos, end - pos), " ")) found_.push_back(*n);
      pos = end;
    }
    return;
  }
  if (body.find(" FETCH (") == std::string_view::npos || !cur_) return;
  const auto uid = number_after(body, "UID ");
  if (!uid) return;
  if (cur_->kind == Op::Kind::Sync && phase_ == 2) {
    listed_.push_back(*uid);
    return;
  }
  if (body.find("BODY[]") != std::string_view::npos) {
    hooks_.body(cur_->folder, *uid, literal_);
    literal_.clear();
  } else if (body.find("ENVELOPE") != std::string_view::npos) {
    hooks_.headers(cur_->folder, *uid);
  }
}

void ClientSession::finished(bool ok) {
  const Op op = *cur_;
  cur_.reset();
  const bool acts_on_found = op.kind == Op::Kind::Read || op.kind == Op::Kind::Flag || op.kind == Op::Kind::Move ||
                             op.kind == Op::Kind::Delete;
  if (acts_on_found && found_.empty()) return hooks_.done(op, false, std::nullopt);  // nothing was found
  hooks_.done(op, ok, acts_on_found ? std::optional<std::uint32_t>(found_.front()) : std::nullopt);
}

void ClientSession::next(SessionOutput& out) {
  for (;;) {
    if (!cur_) {
      if (queue_.empty()) {
        logging_out_ = true;
        send("LOGOUT", out);
        return;
      }
      cur_ = queue_.front();
      queue_.erase(queue_.begin());
      phase_ = 0;
    }
    if (step(out)) return;
    finished(true);
  }
}

bool ClientSession::step(SessionOutput& out) {
  Op& op = *cur_;
  auto select = [&] {
    if (selected_ == op.folder) return false;
    selected_ = op.folder;
    send("SELECT " + astring(op.folder), out);
    return true;
  };
  const std::string uid = found_.empty() ? std::string() : std::to_string(found_.front());
  switch (op.kind) {
    case Op::Kind::SyncAll: {
      if (phase_ == 0) {
        phase_ = 1;
        folders_.clear();
        send("LIST \"\" \"*\"", out);
        return true;
      }
      hooks_.folders(folders_);
      std::vector<Op> syncs;
      for (const std::string& f : folders_) syncs.push_back(Op{Op::Kind::Sync, f, {}});
      queue_.insert(queue_.begin(), syncs.begin(), syncs.end());
      return false;
    }
    case Op::Kind::Sync:
      if (phase_ == 0) {
        phase_ = 1;
        if (select()) return true;
      }
      if (phase_ == 1) {
        phase_ = 2;
        listed_.clear();
        send("UID FETCH 1:* (FLAGS)", out);
        return true;
      }
      if (phase_ == 2) {
        phase_ = 3;
        const std::set<std::uint32_t> known = hooks_.known(op.folder);
        const std::set<std::uint32_t> now(listed_.begin(), listed_.end());
        for (std::uint32_t k : known)
          if (!now.count(k)) hooks_.gone(op.folder, k);
        std::vector<std::uint32_t> fresh;
        for (std::uint32_t u : listed_)
          if (!known.count(u)) fresh.push_back(u);
        if (fresh.empty()) return false;
        // Kept offline: the whole message without marking it read (PEEK); else what a list shows.
        send("UID FETCH " + uid_list(fresh) + (hooks_.offline_copies() ? " BODY.PEEK[]" : " (FLAGS ENVELOPE)"), out);
        return true;
      }
      return false;
    case Op::Kind::Find:
      if (phase_ == 0) {
        phase_ = 1;
        if (select()) return true;
      }
      if (phase_ == 1) {
        phase_ = 2;
        found_.clear();
        {
          // Text that cannot be a quoted string goes as a literal; with LITERAL+ (the server offers it)
          // the client need not wait for "+ OK". Non-ASCII text names its charset (RFC 3501 §6.4.4).
          bool ascii = true;
          for (char ch : op.arg) ascii = ascii && static_cast<unsigned char>(ch) < 0x80;
          const std::string q = quoted(op.arg);
          const std::string text = q.front() == '{' ? "{" + std::to_string(op.arg.size()) + "+}\r\n" + op.arg : q;
          send(std::string("UID SEARCH ") + (ascii ? "" : "CHARSET UTF-8 ") + "SUBJECT " + text, out);
        }
        return true;
      }
      return false;
    case Op::Kind::Read:
    case Op::Kind::Flag:
    case Op::Kind::Move:
    case Op::Kind::Delete:
      if (found_.empty()) return false;  // the message was not found: nothing to act on
      if (phase_ == 0) {
        phase_ = 1;
        if (op.kind == Op::Kind::Read)
          send(hooks_.has_body(op.folder, found_.front()) ? "UID STORE " + uid + " +FLAGS (\\Seen)" : "UID FETCH " + uid + " BODY[]", out);
        else if (op.kind == Op::Kind::Flag)
          send("UID STORE " + uid + " " + op.arg, out);
        else if (op.kind == Op::Kind::Move)
          send("UID MOVE " + uid + " " + astring(op.arg), out);
        else
          send("UID STORE " + uid + " +FLAGS (\\Deleted)", out);
        return true;
      }
      if (phase_ == 1 && op.kind == Op::Kind::Delete) {
        phase_ = 2;
        send("UID EXPUNGE " + uid, out);
        return true;
      }
      return false;
    case Op::Kind::Create:
    case Op::Kind::Rename:
    case Op::Kind::Remove:
      if (phase_ > 0) return false;
      phase_ = 1;
      if (op.kind != Op::Kind::Create && selected_ == op.folder) selected_.clear();
      if (op.kind == Op::Kind::Create) send("CREATE " + astring(op.arg), out);
      else if (op.kind == Op::Kind::Rename) send("RENAME " + astring(op.folder) + " " + astring(op.arg), out);
      else send("DELETE " + astring(op.folder), out);
      return true;
    case Op::Kind::Append:
      if (phase_ > 0) return false;
      phase_ = 1;
      // LITERAL+ (the server announces it): the message follows without waiting for "+ OK".
      send("APPEND " + astring(op.folder) + " (\\Seen) {" + std::to_string(op.arg.size()) + "+}\r\n" + op.arg, out);
      return true;
    case Op::Kind::Idle:
      if (phase_ == 0) {
        phase_ = 1;
        if (select()) return true;
      }
      if (phase_ == 1) {
        if (stopping_) return false;
        phase_ = 2;
        state_ = ClientState::Idling;
        done_sent_ = false;
        idle_news_ = false;
        idle_since_ = now_;
        send("IDLE", out);
        return true;
      }
      return false;
  }
  return false;
}

}  // namespace postlab::imap
