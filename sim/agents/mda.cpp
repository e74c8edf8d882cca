#include "agents/mda.h"

#include <cstdio>

#include "agents/world.h"

namespace postlab {

MessageSnapshot Mda::filed_copy(const MessageSnapshot& queued, const std::string& rcpt, const std::string& host,
                                const std::string& owner) {
  // Postfix local(8) prepends Delivered-To, X-Original-To, then Return-Path, so Return-Path ends up
  // first, above the message as it was queued (not rewritten). Both addresses keep the case the
  // sender wrote. The stored copy is those lines over the queued copy's header and shared body.
  const std::string added = "Return-Path: <" + queued.envelope_from + ">\r\nX-Original-To: " + rcpt +
                            "\r\nDelivered-To: " + rcpt + "\r\n";
  MessageSnapshot stored = queued;  // keeps how the message arrived (for the envelope/header view)
  stored.envelope_to = {rcpt};
  stored.head_part = std::make_shared<const HeadPart>(HeadPart{added, queued.head_part});
  stored.head_size = added.size() + queued.head_size;
  stored.kind = CopyKind::Stored;
  stored.holder = host;
  stored.mailbox = owner;
  return stored;
}

void Mda::deliver(World& world, const std::string& host, const MessageSnapshot& queued,
                  const std::string& rcpt, const std::string& owner, SimTime accepted) {
  const std::int64_t index = world.rec().trace().add_message(filed_copy(queued, rcpt, host, owner));
  // The next UID of the folder (RFC 3501 §2.3.1.1: UIDs strictly ascend); the MessageStored event
  // below is what files it, in the trace's state.
  const std::string folder = "INBOX";
  const std::uint32_t uid = world.rec().trace().state().uidnext(owner, folder);

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
  const std::string log = queued.queue_id + ": to=<" + rcpt + ">, relay=local, delay=" + delay +
                          ", dsn=2.0.0, status=sent (delivered to mailbox " + folder + ", uid " +
                          std::to_string(uid) + ")";
  e.text = log;
  world.rec().emit(std::move(e));
}

}  // namespace postlab
