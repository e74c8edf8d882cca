#include "agents/mda.h"

#include <cstdio>

#include "agents/world.h"
#include "mail/mailstore.h"
#include "mail/message.h"

namespace postlab {

void Mda::deliver(World& world, const std::string& host, Mailstore& store, const MessageSnapshot& queued,
                  const std::string& rcpt, const std::string& owner, SimTime accepted) {
  Message message = Message::parse(queued.data);
  // Postfix local(8) prepends Delivered-To, X-Original-To, then Return-Path, so Return-Path ends up
  // first. Both addresses keep the case the sender wrote.
  message.prepend("Delivered-To", rcpt);
  message.prepend("X-Original-To", rcpt);
  message.prepend("Return-Path", "<" + queued.envelope_from + ">");
  const std::string data = message.serialize();
  MessageSnapshot stored = queued;  // keeps how the message arrived (for the envelope/header view)
  stored.envelope_to = {rcpt};
  stored.data = data;
  stored.kind = CopyKind::Stored;
  stored.holder = host;
  stored.mailbox = owner;
  const std::int64_t index = world.rec().trace().add_message(std::move(stored));
  const std::string folder = "INBOX";
  const std::uint32_t uid = store.deliver(rcpt, folder, index, data.size());

  const std::string delay = format_log_delay(world.rec().now() - accepted);
  TraceEvent e;
  e.kind = EventKind::MessageStored;
  e.protocol = Protocol::Mda;
  e.from = host;
  e.to = host;
  e.message = index;
  e.mailbox = owner;
  e.folder = folder;
  e.uid = uid;
  e.text = queued.queue_id + ": to=<" + rcpt + ">, relay=local, delay=" + delay +
           ", dsn=2.0.0, status=sent (delivered to mailbox " + folder + ", uid " + std::to_string(uid) + ")";
  world.rec().emit(std::move(e));
}

}  // namespace postlab
