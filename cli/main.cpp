// postlab-cli: run, check and export PostLab lessons without a window.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "agents/world.h"
#include "export/i18n.h"
#include "export/json_export.h"
#include "report.h"
#include "scenario/load.h"
#include "trace/transcript.h"

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
  run->footer("Example:\n  postlab-cli run scenarios/01-smtp-basic.json\n  postlab-cli run --format json scenarios/01-smtp-basic.json > trace.json");

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check lesson files and print one line per problem.");
  validate->add_option("files", validate_files, "Lesson files (JSON)")->required();
  validate->footer("Each problem is printed as FILE:LINE:COLUMN: JSON.PATH: what is wrong.\n"
                   "Exit status: 0 all valid, 2 some lesson is invalid, 1 a file could not be read.");

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

  LoadResult r = load_scenario_file(run_file);
  if (!print_errors(r)) return r.errors.size() == 1 && r.errors.front().path == "(file)" ? kExitFailure : kExitInvalid;
  World world(*r.scenario);
  const bool finished = world.run();
  if (format == "json")
    std::cout << trace_to_json(*r.scenario, world.trace(), *tr);
  else
    std::cout << steps_to_text(*r.scenario, world.trace(), *tr);
  if (!finished) {
    std::cerr << fill(tr->get("cli.stopped"), {std::to_string(world.trace().size())}) << "\n";
    return kExitFailure;
  }
  return kExitOk;
}
