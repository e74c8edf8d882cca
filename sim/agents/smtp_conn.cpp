#include "agents/smtp_conn.h"

namespace postlab {

void apply_output(Network& net, ConnId id, bool from_client, const SessionOutput& out) {
  if (!out.send.empty()) net.send(id, from_client, out.send, out.notes);
  if (out.start_tls) net.start_tls(id);
  if (out.close) net.close(id, from_client);
}

void SmtpClientConn::on_data(ConnId id, std::string_view bytes) {
  SessionOutput out = session_.on_input(bytes);
  // Report as soon as every recipient has its answer, as Postfix logs status=sent before QUIT.
  if (session_.outcomes_final()) finish({});
  apply_output(net_, id, true, out);
  if (session_.done() && net_.is_open(id)) net_.close(id, true);
}

void SmtpClientConn::on_close(ConnId) {
  session_.on_closed();
  finish({});
}

void SmtpClientConn::on_fail(ConnId, const std::string& reason) { finish(reason); }

void SmtpClientConn::finish(const std::string& failure) {
  if (finished_) return;
  finished_ = true;
  done_(session_, failure);
}

}  // namespace postlab
