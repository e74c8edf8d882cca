// The append-only record of everything a user can see. Views are folds over a prefix of it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/chunked.h"
#include "core/name.h"
#include "core/phrase.h"
#include "core/time.h"
#include "trace/state.h"
#include "trace/text_ref.h"

namespace postlab {

enum class EventKind : std::uint8_t {
  Narration,          // text: English, text_alt: Spanish
  ConnectionOpened,   // from = client host, to = server host, port
  ConnectionRefused,  // text = reason
  ConnectionClosed,   // from = the side that closed
  Line,               // text = bytes on the wire (CRLF kept), from -> to, arrive = arrival time
  DnsQuery,           // text = "MX correo.example"
  DnsAnswer,          // text = answer lines, or "NXDOMAIN"/"NODATA"
  MessageComposed,    // a client wrote a message; message = snapshot
  MessageAccepted,    // an MTA took responsibility; text = queue id; message = snapshot as queued
  MessageStored,      // MDA put it into mailbox/folder; uid; text_alt = its flags ("" for none)
  DeliveryDeferred,   // text = reason (temporary)
  DeliveryFailed,     // text = reason (permanent)
  Relayed,            // an MTA handed the message to the next MTA; text = Postfix-style log line
  QueueRemoved,       // every recipient is done; the MTA forgets the message
  Submitted,          // the client's submission finished; text = summary
  // Set-up (time 0) and later changes to what a mail server stores:
  MailboxCreated,     // from = the MTA that holds it ("" when none), mailbox = address as declared
  FolderCreated,      // mailbox, folder; uid = the folder's UIDVALIDITY
  MessagePreset,      // a message already in mailbox/folder when the lesson starts; uid, message, text_alt = flags
  // What a lesson makes go wrong, and what that does:
  Fault,              // a fault or forced reply starts or ends; text = its type ("host_down", "force_reply", ...),
                      // from = the host, to = the other host or ""; notes[0] = the sentence a student reads
  Lost,               // bytes of a line that never arrive (connection, from -> to); text = why:
                      // "host_down", "link_down" or "dropped"; time = when they would have arrived
  // What reading mail changes (POP3 and IMAP sessions, a device's own store):
  MessageExpunged,    // from = the server host; mailbox, folder, uid: the message is gone from the server;
                      // text = the command that removed it ("QUIT" after DELE, "EXPUNGE", ...)
  FlagsChanged,       // from = the server host; mailbox, folder, uid; text = the flags now ("\Seen \Flagged")
  Downloaded,         // from = the device, to = the server; mailbox, folder, uid: what it copied; text = its
                      // POP3 UIDL; message = the device's local copy
  LocalRemoved,       // from = the device; message = the local copy it no longer has; text = why
  DeviceAdded,        // set-up: from = a device that reads mail, mailbox = whose mail it reads
  FolderDeleted,      // from = the server; mailbox, folder: gone with every message in it
  FolderRenamed,      // from = the server; mailbox, folder = the old name, text = the new name
  Subscribed,         // from = the server; mailbox, folder; text = "on" or "off" (IMAP SUBSCRIBE)
  // An MTA's queue over time (the queued copy is `message`; Relayed, DeliveryDeferred and
  // DeliveryFailed name the recipient in `mailbox`):
  QueueActive,        // a waiting message is tried again; text = qmgr's "(queue active)" log line
  RetryScheduled,     // the attempt left recipients waiting; arrive = when the next attempt is due
  DelayNotified,      // the sender was sent a delay warning; text = bounce's log line naming the notice
  FailureNotified,    // the sender was sent a failure notice (a bounce); text as for DelayNotified
  QueueExpired,       // the message reached maximal_queue_lifetime; text = qmgr's "status=expired" line
};

const char* to_string(EventKind kind);

enum class Protocol : std::uint8_t { None, Tcp, Smtp, Dns, Mda, Pop3, Imap };
const char* to_string(Protocol p);

struct TraceEvent {
  std::uint64_t seq = 0;
  SimTime time = 0;
  SimTime arrive = 0;      // Line: when the bytes reach the other side
  EventKind kind = EventKind::Narration;
  Protocol protocol = Protocol::None;
  bool from_client = true;  // Line: true when the connection's client sent it
  bool encrypted = false;   // Line: sent inside TLS (an eavesdropper sees only its length)
  std::uint32_t uid = 0;    // MessageStored, MessageExpunged, FlagsChanged, Downloaded; FolderCreated: UIDVALIDITY
  int port = 0;
  Name from;                // host that acts (sender of a line, client of a connection)
  Name to;                  // host on the other end
  std::int64_t connection = -1;
  std::int64_t cause = -1;  // seq of the event that led to this one
  std::int64_t message = -1;  // index into Trace::messages()
  Name mailbox;             // MessageStored, MailboxCreated, FolderCreated: user address
  Name folder;              // MessageStored, FolderCreated: folder name
  TraceText text;           // copied into the trace's TextStore when appended
  Name text_alt;            // Narration: Spanish text
  std::vector<Phrase> notes;  // Line: what the bytes mean (decoded AUTH, why a reply came, ...)
};

// Whose copy a snapshot is: a device's draft, an MTA's queued copy, or the copy filed in a mailbox.
enum class CopyKind : std::uint8_t { Draft, Queued, Stored, Local };

// Header lines one hop added above the header section it received (which `below` holds, shared with
// the copy it came from): a relayed copy holds its own Received: line, not the whole header again.
struct HeadPart {
  std::string lines;
  std::shared_ptr<const HeadPart> below;
};

// A message as it was at one moment (headers change at every hop, so each hop keeps its own copy).
struct MessageSnapshot {
  std::string queue_id;               // empty for a client's draft
  Name envelope_from;
  std::vector<std::string> envelope_to;
  // The RFC 5322 text (CRLF line ends) is this copy's header section (with the empty line that ends
  // it) and a body that every copy with the same body bytes shares. The trace stores the header
  // section as the lines this hop added on top of the previous copy's (HeadPart).
  std::shared_ptr<const HeadPart> head_part;
  std::size_t head_size = 0;
  std::shared_ptr<const std::string> body;
  void set_data(std::string_view data);
  std::string head() const;  // the whole header section
  std::string data() const;
  std::size_t size() const { return head_size + (body ? body->size() : 0); }
  // How the accepting server got it (empty for a client's draft): who connected, what it said in
  // HELO/EHLO, whom it logged in as, and whether the session was encrypted.
  // These repeat from copy to copy, so each is a Name (held once for the program).
  Name client_host;
  Name client_address;
  Name helo;
  Name auth_user;
  bool tls = false;
  // Who holds this copy: the device (draft), the MTA (queued), the MTA whose mailbox has it (stored), or
  // the device that downloaded it (local).
  CopyKind kind = CopyKind::Draft;
  Name holder;
  Name mailbox;                      // Stored, Local: the user whose mailbox it is (was) in
  // What the lesson says about the connecting host (for the spoof verdict): the user whose device it
  // is, and the mail domains it serves when it is an MTA.
  Name client_user;
  std::vector<std::string> client_domains;
  // Queued: when the holding MTA will warn the sender and give up (its schedule at arrival); -1: never.
  SimTime warn_at = -1;
  SimTime expire_at = -1;
};

class Trace {
 public:
  // Assigns seq, folds the event into state(); returns the seq.
  std::uint64_t append(TraceEvent event);
  // Keeps one copy of each distinct body: a snapshot whose body bytes are already held shares them.
  std::int64_t add_message(MessageSnapshot message);

  const Chunked<TraceEvent>& events() const { return events_; }
  const Chunked<MessageSnapshot>& messages() const { return messages_; }
  std::size_t size() const { return events_.size(); }
  // What the events so far have made of mailboxes, queues and connections (see state.h).
  const StateIndex& state() const { return state_; }
  std::size_t bodies() const { return body_count_; }
  // Approximate memory the trace holds (events, their texts and the message copies), for the budget.
  std::size_t bytes() const { return bytes_; }

  // Stable 64-bit FNV-1a hash of every event and message: equal traces, equal fingerprints.
  std::uint64_t fingerprint() const;

 private:
  Chunked<TraceEvent> events_;
  TextStore texts_;
  Chunked<MessageSnapshot> messages_;
  StateIndex state_;
  struct HeldBody {
    std::shared_ptr<const std::string> bytes;
    std::vector<std::int64_t> recent;  // the latest copies with this body: where a new head may build on
  };
  std::map<std::uint64_t, std::vector<HeldBody>> bodies_;  // by hash of the bytes
  std::size_t body_count_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace postlab
