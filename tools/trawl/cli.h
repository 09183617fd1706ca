// File: cli.h
// What the subcommands of the trawl CLI share: exit codes, the global flags, messages,
// output files, the default database, and the option groups several commands take.
// The CLI uses only the public headers (trawl.h, trawl_experimental.h): everything it does
// is reachable through the C API.
#ifndef TRAWL_TOOLS_TRAWL_CLI_H_
#define TRAWL_TOOLS_TRAWL_CLI_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "trawl/trawl.h"
#ifndef TRAWL_EXPERIMENTAL
#define TRAWL_EXPERIMENTAL
#endif
#include "trawl/trawl_experimental.h"

namespace trawl_cli {

// The exit-status contract (docs/cli.md): scripts and CI jobs depend on these values.
inline constexpr int kExitClean = 0;     // done; no finding at or above --fail-on
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on, an incomplete
                                         // report with --fail-on-incomplete, or a check
                                         // (rules check, compile) that found problems
inline constexpr int kExitUsage = 2;     // the command line is wrong
inline constexpr int kExitError = 3;     // an input, file or library call failed

// The global flags, set before any subcommand runs.
struct Global {
  int verbosity = 0;  // -1 --quiet, 0, 1 --verbose
  bool color = false; // stderr is a terminal, no --no-color, no NO_COLOR
  bool stderr_is_terminal = false;
  std::string argv0;  // to find the database next to the binary
};
Global& GlobalFlags();

struct Free {
  void operator()(trawl_rules* p) const { trawl_rules_free(p); }
  void operator()(trawl_db* p) const { trawl_db_free(p); }
  void operator()(trawl_options* p) const { trawl_options_free(p); }
  void operator()(trawl_buffer* p) const { trawl_buffer_free(p); }
  void operator()(trawl_stream* p) const { trawl_stream_free(p); }
  void operator()(trawl_scratch* p) const { trawl_scratch_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

// "trawl: WHAT: STATUS: detail" on stderr; returns kExitError.
int Error(const std::string& what, trawl_status status, const trawl_error* err = nullptr);
// "trawl: WHAT: ACTION: <OS error text>" for errno `error`; returns kExitError.
int OsError(const std::string& what, std::string_view action, int error);
// "trawl: MESSAGE" on stderr: Fail always (returns kExitError), Note unless --quiet,
// Verbose only with --verbose.
int Fail(const std::string& message);
void Note(const std::string& message);
void Verbose(const std::string& message);

// A progress bar on stderr (only when it is a terminal and not --quiet).
int ProgressLine(const char* stage, uint64_t done, uint64_t total, void*);
bool ShowProgress();

// Reads a whole file; false with errno set when it cannot.
bool ReadWholeFile(const std::string& path, std::string* out);
// Creates the directories a file `path` is to be written in; false after saying why.
bool PrepareOutput(const std::string& path);
// Writes to `output` (directories created), or stdout when it is "".
int WriteBufferTo(const trawl_buffer* buffer, const std::string& output);

// The database: --db, else $TRAWL_DB, else the installed default
// (<prefix>/share/trawl/default.tdb), else default.tdb next to the binary (the build
// tree). "" when none is found.
std::string DefaultDbPath();
std::string ResolveDb(const std::string& flag);
Owned<trawl_db> LoadDb(const std::string& path);
// ResolveDb then LoadDb; says what is missing when there is no database at all.
Owned<trawl_db> LoadDbOrDefault(const std::string& flag);

Owned<trawl_options> NewOptions();

// JSON string escaping for the scan's match lines: the quoted, escaped `s` at `out`;
// returns the end. REQUIRES: JsonStringBound(s.size()) bytes of room at `out`.
char* WriteJsonString(char* out, std::string_view s);
constexpr size_t JsonStringBound(size_t bytes) { return 2 + 6 * bytes; }  // all \u00XX
void AppendJsonString(std::string* out, std::string_view s);

// Severities by name, as in reports: info, low, medium, high, critical.
inline const std::vector<std::string>& SeverityNames() {
  static const std::vector<std::string> kNames = {"info", "low", "medium", "high", "critical"};
  return kNames;
}
int32_t SeverityIndex(const std::string& name);  // -1 when unknown

// Options shared by the commands that write a report (analyze, analyze-component,
// aggregate).
struct ReportSettings {
  std::string format_name = "json";
  std::string policy, suppressions, baseline, fingerprint_key_file, default_region;
  std::string fingerprint_key_argv;  // refused: argv is readable by every local user
  bool values_flag = false, no_values_flag = false;
  std::string fingerprint_key;
  // What the report lists (not for component results).
  std::string min_severity = "info";
  std::vector<std::string> categories;
  bool list_all = false;

  void Register(CLI::App* app, bool json_only = false);
  int32_t Format() const;
  // Settles the key and whether values are kept (in CI, a report written to a file
  // keeps none unless --values). Returns kExitClean or the exit code to stop with.
  int Resolve(bool to_file);
  // False (after saying why) when a value is not accepted.
  bool Apply(trawl_options* options) const;
};

// Budgets (0: unlimited): --max-matches, --max-matches-per-rule, --max-bytes,
// --time-budget-ms and (analyze) --memory-limit / --max-inflight-bytes.
struct Budgets {
  std::vector<std::pair<int32_t, int64_t>> values;
  void Register(CLI::App* app, bool inflight);
  bool Apply(trawl_options* options) const;
};

// True when the report goes to a file: `-o FILE`, or stdout redirected to a regular file.
bool WritesToFile(const std::string& output);
bool InCi();

// Each family registers its subcommands; a subcommand's callback stores its exit code.
void RegisterRuleCommands(CLI::App* app, int* exit_code);
void RegisterScanCommand(CLI::App* app, int* exit_code);
void RegisterPackageCommands(CLI::App* app, int* exit_code);

}  // namespace trawl_cli

#endif  // TRAWL_TOOLS_TRAWL_CLI_H_
