// postlab-cli: run, check and export PostLab lessons without a window.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "agents/world.h"
#include "export/i18n.h"
#include "export/json_export.h"
#include "export/run_limit.h"
#include "console.h"
#include "message_report.h"
#include "queue_report.h"
#include "report.h"
#include "scenario/load.h"
#include "trace/player.h"
#include "trace/transcript.h"
#include "trace/view.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;

bool print_errors(const postlab::LoadResult& r) {
  for (const auto& e : r.errors) std::cerr << e.str() << "\n";
  return r.ok();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace postlab;
  CLI::App app{"PostLab command line: run a lesson's simulation and print what happens, or check lesson files.\n"
               "Exit status: 0 success, 1 failure (such as a file that cannot be read), 2 invalid lesson."};
  app.require_subcommand(1);
  app.fallthrough();  // "run FILE --lang es" works as well as "--lang es run FILE"
  std::string lang_code = "en";
  app.add_option("--lang", lang_code, "Language of the text around protocol lines: en or es")
      ->check(CLI::IsMember({"en", "es"}));

  std::string run_file, format = "text";
  auto* run = app.add_subcommand("run", "Simulate a lesson and print every step (time, from → to, protocol, line).");
  run->add_option("file", run_file, "Lesson file (JSON)")->required();
  run->add_option("--format", format, "text (for people) or json (for programs)")->check(CLI::IsMember({"text", "json"}));
  bool full = false;
  run->add_flag("--full", full, "Text: print every line of long steps (a big attachment) instead of their first and last lines");
  run->footer("Example:\n  postlab-cli run scenarios/01-smtp-basic.json\n  postlab-cli run --format json scenarios/01-smtp-basic.json > trace.json");

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check lesson files and print one line per problem.");
  validate->add_option("files", validate_files, "Lesson files (JSON)")->required();
  validate->footer("Each problem is printed as FILE:LINE:COLUMN: JSON.PATH: what is wrong.\n"
                   "Exit status: 0 all valid, 2 some lesson is invalid, 1 a file could not be read.");

  std::string show_file, show_id;
  long long show_step = -1;
  auto* show = app.add_subcommand("show-message",
                                  "Show one message as a server holds it: envelope, what the server knew, whether the "
                                  "sender looks forged, headers (decoded) and MIME parts with their sizes.");
  show->add_option("file", show_file, "Lesson file (JSON)")->required();
  show->add_option("--step", show_step, "Look at the world as it is after this step (default: the end)")
      ->check(CLI::NonNegativeNumber);
  show->add_option("--id", show_id,
                   "Message number (as in 'run --format json') or queue ID such as 36330D3E050; "
                   "default: the message the latest step was about");
  show->footer("Example:\n  postlab-cli show-message scenarios/03-spoofed-from.json --step 40\n"
               "  postlab-cli show-message scenarios/04-attachment.json --id 3");

  std::string mailbox_file;
  long long mailbox_step = -1;
  auto* mailbox = app.add_subcommand("mailbox",
                                     "Show what each user's mailbox holds on the server (folders, UIDs, flags) and what "
                                     "each device keeps of its own, at one step.");
  mailbox->add_option("file", mailbox_file, "Lesson file (JSON)")->required();
  mailbox->add_option("--step", mailbox_step, "Look at the world as it is after this step (default: the end)")
      ->check(CLI::NonNegativeNumber);
  mailbox->footer("Example:\n  postlab-cli mailbox scenarios/11-pop3-download-and-delete.json --step 30");

  std::string queue_file;
  long long queue_step = -1;
  std::string queue_at;
  bool queue_attempts = false;
  auto* queue = app.add_subcommand("queue",
                                   "Show each mail server's queue at one step, like Postfix's mailq, with the time left "
                                   "to the next attempt, the delay warning and the give-up time.");
  queue->add_option("file", queue_file, "Lesson file (JSON)")->required();
  queue->add_option("--step", queue_step, "Look at the queues after this step (default: the end)")
      ->check(CLI::NonNegativeNumber);
  queue->add_option("--at", queue_at, "Or at this virtual time, e.g. 4h or 2d4h15m (the last step by then)");
  queue->add_flag("--attempts", queue_attempts, "Also list the virtual time of every delivery attempt");
  bool queue_qshape = false;
  queue->add_flag("--qshape", queue_qshape, "Instead, count the waiting recipients by domain and age in minutes, like Postfix's qshape");
  queue->footer("Example:\n  postlab-cli queue scenarios/21-delay-warning-and-failure.json --at 4h30m --attempts");

  std::string console_file;
  ConsoleOptions console_options;
  auto* console = app.add_subcommand(
      "console", "Be the SMTP, POP3 or IMAP client yourself: talk to a server inside the lesson's world, line by line.");
  console->add_option("file", console_file, "Lesson file (JSON)")->required();
  console->add_option("--host", console_options.host, "The mail server to talk to")->required();
  console->add_option("--port", console_options.port, "25 (SMTP), 587 (submission), 110 (POP3) or 143 (IMAP)")
      ->check(CLI::IsMember({25, 587, 110, 143}));
  console->add_option("--as", console_options.as, "Act as this client host of the lesson (default: a stranger)");
  console->add_flag("--transcript", console_options.transcript, "Print C: and S: lines instead of the raw replies");
  console->footer(
      "Reads your lines from standard input (typed, or piped from a file; LF or CRLF) and prints the server's\n"
      "replies exactly as they go on the wire. The lesson runs first; what you send then carries on in its\n"
      "world (an accepted message is relayed and delivered), and a summary is printed at the end.\n\n"
      "Example:\n"
      "  postlab-cli console scenarios/01-smtp-basic.json --host mx.correo.example --port 25\n"
      "  EHLO visitor.example\n"
      "  MAIL FROM:<visitor@visitor.example>\n"
      "  RCPT TO:<bob@correo.example>\n"
      "  DATA\n"
      "  Subject: Hello\n"
      "\n"
      "  Hello Bob!\n"
      "  .\n"
      "  QUIT\n\n"
      "POP3 (port 110) on a lesson's server that offers \"pop3\":\n"
      "  postlab-cli console scenarios/11-pop3-download-and-delete.json --host mx.correo.example --port 110\n"
      "  USER bob@correo.example\n"
      "  PASS bob123\n"
      "  LIST\n"
      "  QUIT");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitFailure;
  }

  std::string error;
  const Lang lang = *parse_lang(lang_code);
  auto tr = Translations::load(find_assets_dir(argv[0]), lang, &error);
  if (!tr) {
    std::cerr << "postlab-cli: " << error << " (set POSTLAB_ASSETS to the assets folder)\n";
    return kExitFailure;
  }

  if (*validate) {
    int status = kExitOk;
    for (const auto& f : validate_files) {
      LoadResult r = load_scenario_file(f);
      if (r.ok()) {
        const Scenario& s = *r.scenario;
        std::cout << fill(tr->get("cli.valid"), {f, std::to_string(s.hosts.size()), std::to_string(s.users.size()),
                                                 std::to_string(s.timeline.size())})
                  << "\n";
        continue;
      }
      print_errors(r);
      const bool unreadable = r.errors.size() == 1 && r.errors.front().path == "(file)";
      status = std::max(status, unreadable ? kExitFailure : kExitInvalid);
    }
    return status;
  }

  if (*console) {
    LoadResult r = load_scenario_file(console_file);
    if (!print_errors(r)) return r.errors.size() == 1 && r.errors.front().path == "(file)" ? kExitFailure : kExitInvalid;
    return run_console(*r.scenario, console_options, *tr, std::cin, std::cout, std::cerr);
  }

  if (*mailbox) {
    LoadResult r = load_scenario_file(mailbox_file);
    if (!print_errors(r)) return r.errors.size() == 1 && r.errors.front().path == "(file)" ? kExitFailure : kExitInvalid;
    World world(*r.scenario);
    const bool finished = world.run();
    Player player(world.trace());
    const std::size_t step =
        mailbox_step < 0 ? player.steps() : std::min<std::size_t>(static_cast<std::size_t>(mailbox_step), player.steps());
    player.seek(step);
    write_mailboxes(std::cout, world.trace(), player.view(), step, player.steps(), *tr);
    if (!finished) std::cerr << run_limit_message(world.trace(), *world.limit_hit(), *tr) << "\n";
    return finished ? kExitOk : kExitFailure;
  }

  if (*queue) {
    LoadResult r = load_scenario_file(queue_file);
    if (!print_errors(r)) return r.errors.size() == 1 && r.errors.front().path == "(file)" ? kExitFailure : kExitInvalid;
    std::optional<Duration> at;
    if (!queue_at.empty() && !(at = parse_duration(queue_at))) {
      std::cerr << "postlab-cli: " << fill(tr->get("cli.bad_time"), {queue_at}) << "\n";
      return kExitFailure;
    }
    World world(*r.scenario);
    const bool finished = world.run();
    Player player(world.trace());
    std::size_t step = queue_step < 0 ? player.steps() : std::min<std::size_t>(static_cast<std::size_t>(queue_step), player.steps());
    if (at) step = player.step_at_time(*at);
    player.seek(step);
    if (queue_qshape) {
      std::cout << fill(tr->get("queue.title"), {std::to_string(step), std::to_string(player.steps()),
                                                 format_day_clock(player.view().now(), *tr)})
                << "\n";
      write_qshape(std::cout, *r.scenario, player.view(), *tr);
    } else {
      write_queues(std::cout, *r.scenario, world.trace(), player.view(), step, player.steps(), *tr, queue_attempts);
    }
    if (!finished) std::cerr << run_limit_message(world.trace(), *world.limit_hit(), *tr) << "\n";
    return finished ? kExitOk : kExitFailure;
  }

  if (*show) {
    LoadResult r = load_scenario_file(show_file);
    if (!print_errors(r)) return r.errors.size() == 1 && r.errors.front().path == "(file)" ? kExitFailure : kExitInvalid;
    World world(*r.scenario);
    world.run();
    Player player(world.trace());
    const std::size_t step = show_step < 0 ? player.steps() : std::min<std::size_t>(static_cast<std::size_t>(show_step), player.steps());
    player.seek(step);
    // The first event that mentions each message: a message exists from that event on.
    const auto& events = world.trace().events();
    std::vector<std::size_t> born(world.trace().messages().size(), events.size());
    for (std::size_t i = events.size(); i-- > 0;)
      if (events[i].message >= 0) born[static_cast<std::size_t>(events[i].message)] = i;
    std::int64_t id = -1;
    if (show_id.empty()) {
      id = player.view().message();
      if (id < 0) {
        std::cerr << fill(tr->get("message.none"), {std::to_string(step)}) << "\n";
        return kExitFailure;
      }
    } else if (show_id.find_first_not_of("0123456789") == std::string::npos && show_id.size() < 10) {
      id = std::stoll(show_id);
      if (id >= static_cast<std::int64_t>(born.size())) id = -1;
    } else {
      for (std::size_t i = 0; i < born.size(); ++i)
        if (world.trace().messages()[i].queue_id == show_id && born[i] < player.applied()) id = static_cast<std::int64_t>(i);
      if (id < 0)
        for (std::size_t i = 0; i < born.size(); ++i)
          if (world.trace().messages()[i].queue_id == show_id) id = static_cast<std::int64_t>(i);
    }
    if (id < 0) {
      std::cerr << fill(tr->get("message.unknown"), {show_id}) << "\n";
      return kExitFailure;
    }
    const std::size_t b = born[static_cast<std::size_t>(id)];
    if (b >= player.applied()) {
      std::cerr << fill(tr->get("message.not_yet"), {std::to_string(id), std::to_string(step),
                                                      std::to_string(player.step_of_event(b))}) << "\n";
      return kExitFailure;
    }
    const TraceEvent& e = events[b];
    const MessageSnapshot& m = world.trace().messages()[static_cast<std::size_t>(id)];
    std::string where = e.kind == EventKind::MessageStored || e.kind == EventKind::MessagePreset
                            ? fill(tr->get("message.stored"), {e.mailbox, e.folder, std::to_string(e.uid)})
                        : m.queue_id.empty() ? tr->get("message.draft")
                                             : fill(tr->get("message.accepted"), {e.from});
    std::cout << fill(tr->get("message.title"), {std::to_string(id), std::to_string(step)});
    if (!m.queue_id.empty()) std::cout << " · " << fill(tr->get("message.queue_id"), {m.queue_id});
    std::cout << " · " << where << "\n\n" << message_to_text(world.trace(), id, *tr);
    return kExitOk;
  }

  LoadResult r = load_scenario_file(run_file);
  if (!print_errors(r)) return r.errors.size() == 1 && r.errors.front().path == "(file)" ? kExitFailure : kExitInvalid;
  World world(*r.scenario);
  const bool finished = world.run();
  if (format == "json")
    write_trace_json(std::cout, *r.scenario, world.trace(), *tr);
  else
    write_steps_text(std::cout, *r.scenario, world.trace(), *tr, full ? static_cast<std::size_t>(-1) : kStepLinesShown);
  if (!finished) {
    // One message: which limit, its value, and what was happening when the run stopped.
    std::cerr << run_limit_message(world.trace(), *world.limit_hit(), *tr) << "\n";
    return kExitFailure;
  }
  return kExitOk;
}
