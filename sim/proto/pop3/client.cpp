#include "proto/pop3/client.h"

#include <algorithm>

namespace postlab::pop3 {

ClientSession::ClientSession(ClientJob job) : job_(std::move(job)) {}

void ClientSession::start(SimTime now) { now_ = waiting_since_ = std::max(now_, now); }

std::optional<SimTime> ClientSession::deadline() const {
  if (state_ == ClientState::Done) return std::nullopt;
  return waiting_since_ + job_.timeout;
}

SessionOutput ClientSession::on_timeout(SimTime now) {
  now_ = std::max(now_, now);
  SessionOutput out;
  const auto due = deadline();
  if (!due || now_ < *due) return out;
  fail("no answer from the server in " + format_duration(job_.timeout), out);
  return out;
}

SessionOutput ClientSession::on_closed() {
  SessionOutput out;
  if (state_ != ClientState::Done && failure_.empty())
    failure_ = "the server closed the connection";  // without QUIT's +OK nothing was deleted
  state_ = ClientState::Done;
  return out;
}

SessionOutput ClientSession::on_input(SimTime now, std::string_view bytes) {
  now_ = std::max(now_, now);
  SessionOutput out;
  framer_.feed(bytes);
  while (state_ != ClientState::Done) {
    const auto f = framer_.next();
    if (!f) break;
    on_line(f->data, out);
  }
  if (!out.send.empty()) waiting_since_ = now_;
  return out;
}

void ClientSession::send(const std::string& command, ClientState next, SessionOutput& out) {
  out.reply(command);
  state_ = next;
}

void ClientSession::fail(const std::string& why, SessionOutput& out) {
  failure_ = why;
  state_ = ClientState::Done;
  out.close = true;
}

void ClientSession::next_message(SessionOutput& out) {
  for (; next_ < listing_.size(); ++next_) {
    const std::string& uidl = listing_[next_].second;
    const std::string number = std::to_string(listing_[next_].first);
    if (!job_.known.count(uidl)) return send("RETR " + number, ClientState::Retr, out);
    // Downloaded on an earlier visit and kept on the server long enough: the copy there goes now.
    if (job_.expire.count(uidl)) return send("DELE " + number, ClientState::Dele, out);
  }
  send("QUIT", ClientState::Quit, out);
}

void ClientSession::on_line(std::string_view line, SessionOutput& out) {
  if (multiline_) {
    // RFC 1939 §3: the lone dot ends it; a line the server began with an extra dot loses it.
    const DataLine d = unstuff(line);
    if (!d.end) {
      if (state_ == ClientState::Retr) {
        body_ += d.text;
        body_ += "\r\n";
      } else if (state_ == ClientState::Capa) {
        offers_stls_ = offers_stls_ || d.text == "STLS";
      } else if (state_ == ClientState::Uidl) {
        const auto sp = d.text.find(' ');
        std::size_t n = 0;
        for (char c : d.text.substr(0, sp)) n = n * 10 + static_cast<std::size_t>(c - '0');
        if (sp != std::string_view::npos) listing_.emplace_back(n, std::string(d.text.substr(sp + 1)));
      }
      return;
    }
    multiline_ = false;
    if (state_ == ClientState::Uidl) return next_message(out);
    if (state_ == ClientState::Capa) {
      if (offers_stls_ && !after_tls_) return send("STLS", ClientState::Stls, out);
      return send("USER " + job_.user, ClientState::User, out);  // no TLS to be had: on in the clear
    }
    // A whole message: keep it, then delete it on the server unless a copy stays there.
    downloaded_.push_back({listing_[next_].second, std::move(body_)});
    body_.clear();
    if (!job_.leave_copy) return send("DELE " + std::to_string(listing_[next_].first), ClientState::Dele, out);
    ++next_;
    return next_message(out);
  }
  const bool ok = line.rfind("+OK", 0) == 0;
  if (!ok && line.rfind("-ERR", 0) != 0) return fail("not a POP3 reply: " + std::string(line), out);
  if (!ok) {
    // Any refusal ends the visit politely; what was downloaded is kept, nothing is deleted.
    failure_ = std::string(line);
    if (state_ == ClientState::Quit || state_ == ClientState::Greeting) {
      state_ = ClientState::Done;
      out.close = true;
      return;
    }
    send("QUIT", ClientState::Quit, out);
    listing_.clear();
    return;
  }
  switch (state_) {
    case ClientState::Greeting:
      // A mail program set to use STARTTLS asks what the server offers (RFC 2449 CAPA), then STLS.
      if (job_.starttls) return send("CAPA", ClientState::Capa, out);
      return send("USER " + job_.user, ClientState::User, out);
    case ClientState::Capa: multiline_ = true; return;
    case ClientState::Stls:
      // RFC 2595 §4: what the server offered before TLS no longer counts; ask again.
      after_tls_ = true;
      offers_stls_ = false;
      return send("CAPA", ClientState::Capa, out);
    case ClientState::User: return send("PASS " + job_.password, ClientState::Pass, out);
    case ClientState::Pass: return send("UIDL", ClientState::Uidl, out);
    case ClientState::Uidl:
    case ClientState::Retr: multiline_ = true; return;
    case ClientState::Dele:
      ++deleted_;
      ++next_;
      return next_message(out);
    case ClientState::Quit:
      committed_ = failure_.empty() || deleted_ > 0;
      state_ = ClientState::Done;
      out.close = true;
      return;
    case ClientState::Done: return;
  }
}

}  // namespace postlab::pop3
