#include "agents/smtp_conn.h"

#include "trace/recorder.h"

namespace postlab {

void apply_output(Network& net, ConnId id, bool from_client, const SessionOutput& out) {
  if (!out.send.empty()) net.send(id, from_client, out.send, out.notes);
  if (out.start_tls) net.start_tls(id);
  if (out.close) net.close(id, from_client);
}

void SessionTimer::arm(std::optional<SimTime> deadline, std::function<void()> wake) {
  if (!deadline) return cancel();
  if (pending_ && pending_at_ <= *deadline) return;  // it will fire first and set itself again
  cancel();
  pending_at_ = *deadline;
  pending_ = rec_.at(*deadline, [this, wake = std::move(wake)] {
    pending_.reset();
    wake();
  });
}

void SessionTimer::cancel() {
  if (pending_) rec_.sim().cancel(*pending_);
  pending_.reset();
}

void SmtpClientConn::on_open(ConnId id) {
  session_.start(net_.rec().now());
  arm(id);
}

void SmtpClientConn::arm(ConnId id) {
  timer_.arm(session_.deadline(), [this, id] { on_timeout(id); });
}

void SmtpClientConn::on_timeout(ConnId id) {
  SessionOutput out = session_.on_timeout(net_.rec().now());
  if (session_.outcomes_final()) finish({});
  apply_output(net_, id, true, out);
  if (session_.done() && net_.is_open(id)) net_.close(id, true);
  arm(id);
}

void SmtpClientConn::on_data(ConnId id, std::string_view bytes) {
  SessionOutput out = session_.on_input(net_.rec().now(), bytes);
  // Report as soon as every recipient has its answer, as Postfix logs status=sent before QUIT.
  if (session_.outcomes_final()) finish({});
  apply_output(net_, id, true, out);
  if (session_.done() && net_.is_open(id)) net_.close(id, true);
  arm(id);
}

void SmtpClientConn::on_close(ConnId) {
  session_.on_closed();
  timer_.cancel();
  finish({});
}

void SmtpClientConn::on_fail(ConnId, const std::string& reason) {
  timer_.cancel();
  finish(reason);
}

void SmtpClientConn::finish(const std::string& failure) {
  if (finished_) return;
  finished_ = true;
  done_(session_, failure);
}

}  // namespace postlab
