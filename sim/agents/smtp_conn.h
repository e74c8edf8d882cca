// Glue between the network and the sans-IO SMTP sessions: one object per connection side.
#pragma once
#include <functional>
#include <string>

#include "net/network.h"
#include "proto/smtp/client.h"

namespace postlab {

// Applies a session's output to the wire.
void apply_output(Network& net, ConnId id, bool from_client, const SessionOutput& out);

class SmtpClientConn : public ConnectionHandler {
 public:
  using Done = std::function<void(const smtp::ClientSession&, const std::string& failure)>;
  SmtpClientConn(Network& net, smtp::ClientJob job, Done done)
      : net_(net), session_(std::move(job)), done_(std::move(done)) {}
  void on_data(ConnId id, std::string_view bytes) override;
  void on_close(ConnId id) override;
  void on_fail(ConnId id, const std::string& reason) override;

 private:
  void finish(const std::string& failure);
  Network& net_;
  smtp::ClientSession session_;
  Done done_;
  bool finished_ = false;
};

}  // namespace postlab
