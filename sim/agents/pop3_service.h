// Reading mail over POP3 in the world: the server side that a mail server offers on port 110 (as
// Dovecot runs beside Postfix). The device side is MailReader (agents/mail_reader.h). Both drive the
// sans-IO sessions of proto/pop3; every change they make to a mailbox is a trace event.
#pragma once
#include "net/network.h"

namespace postlab {

class World;
class Mta;

// The server side of one POP3 connection to `mta`.
ConnectionHandler* accept_pop3(World& world, Mta& mta, HostId client);

}  // namespace postlab
