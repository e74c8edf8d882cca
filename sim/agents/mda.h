// The delivery agent: puts a queued message into a local user's INBOX (Postfix local(8), Dovecot LDA).
#pragma once
#include <string>

#include "core/time.h"
#include "trace/trace.h"

namespace postlab {

class World;

struct Mda {
  // Adds Return-Path and Delivered-To on top (RFC 5321 §4.4: the final delivery records the envelope
  // sender), stores the message and writes a MessageStored event. `owner` is the mailbox's address
  // as the lesson declares it (rcpt may differ in case).
  static void deliver(World& world, const std::string& host, const MessageSnapshot& queued,
                      const std::string& rcpt, const std::string& owner, SimTime accepted);
  // The copy filed in owner's mailbox at host: the delivery's header lines over the given copy.
  static MessageSnapshot filed_copy(const MessageSnapshot& queued, const std::string& rcpt, const std::string& host,
                                    const std::string& owner);
};

}  // namespace postlab
