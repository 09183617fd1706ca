// trawl: the command line front end. It uses only the public C API (include/trawl/trawl.h,
// trawl_experimental.h), like any other consumer, so everything it does is reachable from
// C, Python or any FFI. Arguments are parsed by CLI11; `trawl COMMAND --help` lists each
// command's options, docs/cli.md the whole interface and the exit-status contract.
//
// Files: rule_commands.cc (rules, compile, indicators, db), scan_command.cc (scan),
// package_commands.cc (analyze and the stages), common.cc (what they share).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli.h"

int main(int argc, char** argv) {
  using namespace trawl_cli;
  Global& global = GlobalFlags();
  global.argv0 = argc > 0 ? argv[0] : "trawl";
  global.stderr_is_terminal = isatty(STDERR_FILENO) != 0;

  CLI::App app{"trawl: find secrets, personal data and threat indicators in data packages",
               "trawl"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags work after the command too
  app.footer(
      "Exit status: 0 clean, 1 findings at or above --fail-on (or a failed check), 2 usage, "
      "3 error.\nThe database defaults to $TRAWL_DB, then the installed share/trawl/default.tdb. "
      "See docs/cli.md.");
  app.set_version_flag("--version", std::string("trawl ") + trawl_version_string());
  bool quiet = false, verbose = false, no_color = false;
  app.add_flag("-q,--quiet", quiet, "print only errors on stderr");
  app.add_flag("-v,--verbose", verbose, "say more on stderr (database used, report summary)");
  app.add_flag("--no-color", no_color, "no colour on stderr (also NO_COLOR)");

  int exit_code = kExitClean;
  RegisterRuleCommands(&app, &exit_code);
  RegisterScanCommand(&app, &exit_code);
  RegisterPackageCommands(&app, &exit_code);
  app.add_subcommand("build-info", "engine, SIMD kernels and self-test as JSON")->callback([] {
    std::printf("%s\n", trawl_build_info());
  });
  app.add_subcommand("version", "print the version")->callback([] {
    std::printf("trawl %s\n", trawl_version_string());
  });
  // Global flags must be settled before a subcommand's callback runs.
  app.parse_complete_callback([&] {
    global.verbosity = quiet ? -1 : verbose ? 1 : 0;
    const char* no_color_env = std::getenv("NO_COLOR");
    global.color = global.stderr_is_terminal && !no_color &&
                   (no_color_env == nullptr || *no_color_env == '\0');
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // help on stdout, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "trawl: %s\nusage: trawl COMMAND [OPTIONS]; trawl COMMAND --help for a "
                 "command's options\n", e.what());
    return kExitUsage;
  }
  return exit_code;
}
