// A lesson as plain data: what the loader produces and what World::build consumes.
// The file format is documented in docs/scenario-format.md.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "core/time.h"
#include "mail/mime.h"
#include "net/ipv4.h"
#include "proto/smtp/limits.h"

namespace postlab {

inline constexpr int kScenarioFormat = 1;  // the newest format this build reads

enum class HostRole { Client, Mta };

// What an MTA answers a stranger who asks it to relay (Postfix smtpd_relay_restrictions).
enum class RelayRestriction {
  Defer,   // defer_unauth_destination, Postfix's default: "454 4.7.1 <x>: Relay access denied"
  Reject,  // reject_unauth_destination: "554 5.7.1 <x>: Relay access denied"
};

// How an MTA's queue manager retries mail it could not deliver yet, and when it warns and gives up.
// The names are Postfix's (qmgr(8), bounce(5)); the values of each preset are in queue_preset().
struct QueueSchedule {
  std::string preset = "postfix";
  Duration queue_run_delay = 300 * kSecond;        // how often the deferred queue is scanned
  Duration minimal_backoff_time = 300 * kSecond;   // a deferred message waits at least this long
  Duration maximal_backoff_time = 4000 * kSecond;  // and at most this long (the wait doubles up to it)
  Duration delay_warning_time = 0;                 // 0: no "Delayed Mail" warning (Postfix's default)
  Duration maximal_queue_lifetime = 5 * kDay;      // then the sender gets a failure notice
  Duration bounce_queue_lifetime = 5 * kDay;       // the same for a notice that cannot be delivered
};
// "postfix" (postconf -d of Postfix 3.7) or "sendmail" (sendmail.cf's Timeout.queuewarn 4h,
// Timeout.queuereturn 5d, Debian's queue run every 10 minutes that tries every message); nullopt otherwise.
std::optional<QueueSchedule> queue_preset(std::string_view name);

// How an MTA behaves; the defaults are a stock Postfix with a submission port (RFC 6409).
struct MtaPolicy {
  bool esmtp = true;                     // false: an old server that answers EHLO with 502 (RFC 821 only)
  bool helo_required = false;            // smtpd_helo_required
  std::size_t message_size_limit = 0;    // 0: Postfix's 10240000
  bool verify_sender = false;            // reject_sender_login_mismatch: MAIL FROM must be the login
  bool open_relay = false;               // relay for anyone (a misconfiguration spammers look for)
  bool require_auth_on_submission = true;   // port 587 serves logged-in users only
  bool starttls = true;                  // offer STARTTLS on both ports
  bool tls_required_on_submission = false;  // port 587: nothing but EHLO/STARTTLS before TLS
  bool auth_after_tls_only = true;       // smtpd_tls_auth_only: AUTH offered only inside TLS
  RelayRestriction relay_restriction = RelayRestriction::Defer;
  bool smtputf8 = true;                  // smtputf8_enable: announce SMTPUTF8 (RFC 6531)
  bool chunking = true;                  // announce CHUNKING and take BDAT (RFC 3030)
  bool use_bdat = false;                 // this MTA's own client sends BDAT when the next server offers CHUNKING
  std::string relayhost;                 // Postfix relayhost: send all mail for other domains to this MTA host
  // Postfix relay_domains: other domains it accepts mail for from anyone and passes on (a backup MX
  // queues such mail until a better MX of the domain takes it).
  std::vector<std::string> relay_domains;
  QueueSchedule queue;
  // Postfix mynetworks: clients at these addresses may relay through it on port 25 without logging
  // in. Not given: the devices of its own domains' users, wherever they are.
  std::optional<std::vector<Ipv4Net>> mynetworks;
  // Postfix reject_unknown_recipient_domain: look up a relayed recipient's domain during RCPT and
  // refuse it for now (450 4.1.2 ... Domain not found) when it has no MX and no A record.
  bool reject_unknown_recipient_domain = false;
  Duration smtpd_timeout = smtp::kSmtpdTimeout;  // how long its server waits for a client
  smtp::ClientTimeouts client_timeouts;          // how long its client waits for the next server
};

// How a device reads its user's mail (a mail program's account settings).
struct RetrievalSpec {
  bool imap = false;           // IMAP (port 143), else POP3 (port 110)
  std::string server;          // the MTA host it reads from ("" for the MTA of its user's domain)
  int port = 110;              // POP3 (RFC 1939 §3), IMAP 143 (RFC 3501 §2.1)
  bool offline = true;         // IMAP: keep a copy of every message on the device ("offline use")
  bool leave_copy = false;     // "leave a copy of messages on the server": no DELE
  bool remember = true;        // keeps the UIDLs it downloaded, so a copy left on the server is not fetched again
  std::optional<Duration> remove_after;  // with leave_copy: "remove from server after" this long (DELE then)
};

struct HostSpec {
  std::string name;
  HostRole role = HostRole::Client;
  std::string address;
  // client
  std::string user;          // the address this device sends as
  std::string submit_to;     // MTA host name; default: the MTA serving the user's domain
  int submit_port = 0;       // default: 587 when that MTA offers submission, else 25
  std::string auth_mechanism = "PLAIN";  // how the device logs in: "PLAIN" or "LOGIN"
  bool use_bdat = false;     // send with BDAT (RFC 3030) when the server offers CHUNKING
  std::optional<RetrievalSpec> retrieve;  // how it reads mail; none: it only sends
  // mta
  std::vector<std::string> domains;
  std::vector<std::string> services;  // "smtp" (25), "submission" (587), "pop3" (110), "imap" (143)
  std::string software = "Postfix";
  MtaPolicy policy;
};

struct LinkSpec {
  std::string a, b;
  Duration latency = 0;
};

struct DnsSpec {
  std::string name;
  std::string type;  // "A" or "MX"
  int preference = 0;
  std::string value;
};

struct MessageSpec {
  std::string from;  // "Alice <alice@uni.example>"
  bool from_device = false;  // no "from" was given: the sending device's user (each drawn sender's own)
  std::vector<std::string> to, cc, bcc;
  std::vector<std::string> to_one_of;  // each message of a repeated send goes To: one of these (seeded)
  std::string reply_to;        // optional Reply-To header
  std::string sender;          // optional Sender header
  std::string envelope_from;   // MAIL FROM when it differs from From ("" for the header's address)
  bool null_sender = false;    // MAIL FROM:<> (as bounces use)
  std::string subject;
  std::string body;            // text/plain
  std::string html;            // optional text/html alternative
  std::vector<AttachmentSpec> attachments;
  bool quoted_printable = false;  // non-ASCII text as quoted-printable instead of 8bit
};

// A message that is already in a mailbox when the lesson starts (delivered before it began).
struct PresetMessage {
  std::string folder = "INBOX";
  MessageSpec message;
};

struct UserSpec {
  std::string address;
  std::string password;
  std::vector<std::string> folders;  // INBOX always exists
  std::vector<PresetMessage> messages;
};

struct SendAction {
  std::string host;  // the client device that sends (the first of `hosts` when there is a list)
  std::vector<std::string> hosts;  // "from": [...]: each repetition draws its sender from these (seeded)
  MessageSpec message;
  std::string via;            // send through this MTA instead of the device's own server
  int port = 0;               // and/or on this port (25 or 587)
  bool login = true;          // log in (AUTH) when the server offers it
  std::string password;       // overrides the user's password (to show a failed login)
  bool has_password = false;
};

// Something a lesson makes go wrong (or right again) at a moment of its timeline.
enum class FaultKind {
  HostDown, HostUp,      // a host answers nothing (connections to it time out) / is back
  LinkDown, LinkUp,      // bytes between two hosts are lost / pass again
  DnsDown, DnsUp,        // the DNS server answers nothing: lookups fail for now (try again later)
  DropConnection,        // the next connection to `host` is cut when the client sends `command`
  LoseReplyAfterDot,     // the server takes the message, but its reply to the final "." is lost (RFC 1047)
  DiskFull, DiskOk,      // the MTA's disk is full: "452 4.3.1 Insufficient system storage", deliveries wait
};
const char* to_string(FaultKind k);  // "host_down", ... as a lesson writes it

struct FaultAction {
  FaultKind kind = FaultKind::HostDown;
  std::string host;               // the host (for a link: one end; for a dropped connection: the server)
  std::string other;              // a link's other end; for a dropped connection or lost reply: only from this client
  std::string command;            // DropConnection: the verb in capitals ("DATA"), or "." for the end of the text
  std::optional<Duration> lasts;  // "for": it ends by itself after this long
  std::size_t times = 1;          // DropConnection, LoseReplyAfterDot: how many connections it hits
  bool device = false;            // HostDown/HostUp written as "offline"/"online" of a user's device
};

// A reply a server gives instead of carrying a command out, from a moment of the timeline on.
struct ForceReplyAction {
  std::string host;               // the MTA that answers
  std::string command;            // "CONNECT" (the greeting), "EHLO", "MAIL", "RCPT", "DATA", "." (end of text), ...
  std::string reply;              // the whole reply line, "450 4.2.0 <bob@b.example>: ... Greylisted"
  std::size_t times = 1;          // how many times (0: no limit; "always", or for a while with "for")
  std::optional<Duration> lasts;  // "for": only this long
  std::string client;             // only for connections from this host ("" any)
  std::string recipient;          // RCPT: only for this recipient ("" any)
  bool hang_up = false;           // close the connection after the reply (421 always does)
};

// A device checks for new mail, as its mail program does when the user presses "Get mail".
struct CheckMailAction {
  std::string device;
  std::string password;       // overrides the user's password (to show a failed login)
  bool has_password = false;
};

// What a user does in an IMAP mail program (the message is found by its subject, in `folder`).
struct MailAction {
  enum class Kind { Read, Flag, Move, Delete, CreateFolder, RenameFolder, DeleteFolder, Idle };
  Kind kind = Kind::Read;
  std::string device;
  std::string subject;           // Read, Flag, Move, Delete: a part of the message's Subject
  std::string folder = "INBOX";  // where the message is; the folder to create, rename or delete
  std::string to;                // Move: the destination folder; RenameFolder: the new name
  std::string flag = "\\Flagged"; // Flag: which flag
  bool on = true;                // Flag: set or clear; Idle: start or stop
};

struct TimelineItem {
  SimTime at = 0;
  std::size_t count = 1;  // "repeat": {"count": n, "every": d}: the send happens n times, d apart
  Duration every = 0;
  std::optional<SendAction> send;
  std::optional<FaultAction> fault;
  std::optional<ForceReplyAction> force_reply;
  std::optional<CheckMailAction> check_mail;
  std::optional<MailAction> mail;
  LocalText say;
};

// A narration that appears when something happens, rather than at a time.
struct Trigger {
  // Deferred .. Expired: what an MTA's queue does (host = the MTA, empty: any).
  enum class Kind { Stored, Command, Accepted, Downloaded, Expunged, Flagged, Deferred, Bounced, Retried, Warned, Expired };
  Kind kind = Kind::Stored;
  std::string mailbox;  // Stored, Expunged, Flagged: user address (empty: any)
  std::string verb;     // Command: SMTP or POP3 verb sent by a client, e.g. "DATA", "RETR"
  std::string host;     // Command: server host; Accepted and the queue's: the MTA; Downloaded: the device (empty: any)
};

struct NarrationItem {
  std::optional<SimTime> at;
  std::optional<Trigger> when;
  LocalText say;
};

struct Scenario {
  int format = kScenarioFormat;
  std::string file;         // where it was loaded from (for messages)
  LocalText title, summary;
  std::vector<LocalText> goals;
  std::uint64_t seed = 1;
  std::int64_t epoch = 0;   // Unix seconds of virtual time 0
  Duration default_latency = 0;
  Duration dns_latency = 0;
  std::vector<HostSpec> hosts;
  std::vector<LinkSpec> links;
  std::vector<DnsSpec> dns;
  std::vector<UserSpec> users;
  std::vector<TimelineItem> timeline;
  std::vector<NarrationItem> narration;
};

// Where a device sends a message: the MTA (send.via, else the device's submit_to, else the MTA of
// its user's domain) and the port (send.port, else submit_port, else 587 when that MTA offers
// submission (RFC 6409), else 25). server is null when there is none.
struct SubmissionRoute {
  const HostSpec* server = nullptr;
  int port = 25;
};
SubmissionRoute submission_route(const Scenario& s, const HostSpec& device, const SendAction& send);
// The MTA host a device reads its mail from (its "retrieve" server, else the MTA serving its user's
// domain), or null when there is none.
const HostSpec* retrieval_server(const Scenario& s, const HostSpec& device);
// The user with this address, or null. Local parts match without regard to case, as Postfix does for
// local delivery (it folds the address to lower case before the lookup); RFC 5321 §2.4 leaves case in
// the local part to the receiving server.
const UserSpec* find_user(const Scenario& s, std::string_view address);
// The form under which two addresses are the same mailbox: the address with ASCII letters in lower
// case (domains are case-insensitive everywhere, RFC 5321 §2.4). What the sender wrote is kept
// elsewhere; this is only for comparing.
std::string mailbox_key(std::string_view address);

// Defaults a lesson gets when it does not say.
inline constexpr std::int64_t kDefaultEpoch = 1772442000;  // 2026-03-02T09:00:00Z, a Monday morning
inline constexpr Duration kDefaultLatency = 10 * kMillisecond;
inline constexpr Duration kDefaultDnsLatency = 2 * kMillisecond;

}  // namespace postlab
