// The IMAP side of a mail server in the world (Dovecot's imap beside Postfix): each connection on
// port 143 gets a proto/imap ServerSession whose store is the trace's state, and every change it
// makes (flags, copies, moves, expunges, folders, subscriptions) is a trace event.
#pragma once
#include "net/network.h"

namespace postlab {

class World;
class Mta;

ConnectionHandler* accept_imap(World& world, Mta& mta, HostId client);

}  // namespace postlab
