// File: common.cc
// Messages, output files, the default database and the shared option groups.
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli.h"

namespace trawl_cli {

Global& GlobalFlags() {
  static Global global;
  return global;
}

namespace {

void Prefixed(const std::string& message, bool error) {
  const bool color = GlobalFlags().color && error;
  std::fprintf(stderr, "%strawl:%s %s\n", color ? "\033[1;31m" : "", color ? "\033[0m" : "",
               message.c_str());
}

}  // namespace

int Error(const std::string& what, trawl_status status, const trawl_error* err) {
  std::string message = what + ": " + trawl_status_str(status);
  if (err != nullptr && err->message[0] != '\0') message += std::string(": ") + err->message;
  Prefixed(message, true);
  return kExitError;
}

int OsError(const std::string& what, std::string_view action, int error) {
  Prefixed(what + ": " + std::string(action) + ": " + std::strerror(error), true);
  return kExitError;
}

int Fail(const std::string& message) {
  Prefixed(message, true);
  return kExitError;
}

void Note(const std::string& message) {
  if (GlobalFlags().verbosity >= 0) Prefixed(message, false);
}

void Verbose(const std::string& message) {
  if (GlobalFlags().verbosity > 0) Prefixed(message, false);
}

bool ShowProgress() { return GlobalFlags().stderr_is_terminal && GlobalFlags().verbosity >= 0; }

int ProgressLine(const char* stage, uint64_t done, uint64_t total, void*) {
  constexpr int kWidth = 30;
  const int filled = total == 0 ? kWidth : static_cast<int>(kWidth * done / total);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  std::fprintf(stderr, "\r%-8s [%s] %llu/%llu", stage, bar, static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total));
  if (done == total) std::fputc('\n', stderr);
  return 0;
}

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  out->clear();
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  const bool ok = std::ferror(f) == 0;
  const int error = errno;
  std::fclose(f);
  errno = error;
  return ok;
}

bool PrepareOutput(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return true;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    Fail(parent.string() + ": cannot create the directory: " + ec.message());
    return false;
  }
  return true;
}

int WriteBufferTo(const trawl_buffer* buffer, const std::string& output) {
  if (output.empty()) {
    std::fwrite(trawl_buffer_data(buffer), 1, trawl_buffer_size(buffer), stdout);
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) return OsError("stdout", "write", errno);
    return kExitClean;
  }
  if (!PrepareOutput(output)) return kExitError;
  std::FILE* f = std::fopen(output.c_str(), "wb");
  if (f == nullptr) return OsError(output, "cannot write", errno);
  std::fwrite(trawl_buffer_data(buffer), 1, trawl_buffer_size(buffer), f);
  const bool failed = std::ferror(f) != 0;
  const int error = errno;
  if (std::fclose(f) != 0 || failed) return OsError(output, "cannot write", failed ? error : errno);
  return kExitClean;
}

namespace {

bool IsFile(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string BinaryDirectory() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = std::filesystem::absolute(GlobalFlags().argv0, ec);
  return exe.parent_path().string();
}

}  // namespace

std::string DefaultDbPath() {
  if (const char* env = std::getenv("TRAWL_DB"); env != nullptr && *env != '\0') return env;
  const std::string bin = BinaryDirectory();
  // Installed: <prefix>/bin/trawl finds <prefix>/share/trawl/default.tdb (relocatable),
  // then the configured install prefix; in the build tree it sits next to the binary.
  for (const std::string& candidate :
       {bin + "/../share/trawl/default.tdb", std::string(TRAWL_CLI_DATADIR) + "/default.tdb",
        bin + "/default.tdb"}) {
    if (IsFile(candidate)) return candidate;
  }
  return "";
}

std::string ResolveDb(const std::string& flag) { return flag.empty() ? DefaultDbPath() : flag; }

Owned<trawl_db> LoadDb(const std::string& path) {
  trawl_db* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status = trawl_db_load_file(&raw, path.c_str(), &err);
  if (status != TRAWL_OK) {
    Error(path, status, &err);
    return nullptr;
  }
  return Owned<trawl_db>(raw);
}

Owned<trawl_db> LoadDbOrDefault(const std::string& flag) {
  const std::string path = ResolveDb(flag);
  if (path.empty()) {
    Fail("no database: pass --db DB, set TRAWL_DB, or install the default (" +
         std::string(TRAWL_CLI_DATADIR) + "/default.tdb)");
    return nullptr;
  }
  Verbose("database " + path);
  return LoadDb(path);
}

Owned<trawl_options> NewOptions() {
  trawl_options* raw = nullptr;
  trawl_options_new(&raw);
  return Owned<trawl_options>(raw);
}

// Bytes a JSON string can hold as themselves: printable ASCII other than '"' and '\\'.
// Non-ASCII bytes are escaped one by one so binary matches stay exact and the line stays
// valid JSON. Per byte: 0 plain, else the letter after the backslash ('u': \u00XX).
namespace {
constexpr std::array<char, 256> kJsonEscape = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = c >= 0x20 && c < 0x7f ? 0 : 'u';
  table['"'] = '"';
  table['\\'] = '\\';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  return table;
}();
}  // namespace

char* WriteJsonString(char* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out++ = '"';
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const char escape = kJsonEscape[c];
    if (escape == 0) {
      *out++ = ch;
    } else if (escape != 'u') {
      out[0] = '\\';
      out[1] = escape;
      out += 2;
    } else {
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      std::memcpy(out, escaped, sizeof escaped);
      out += sizeof escaped;
    }
  }
  *out++ = '"';
  return out;
}

void AppendJsonString(std::string* out, std::string_view s) {
  const size_t at = out->size();
  out->resize(at + JsonStringBound(s.size()));
  out->resize(static_cast<size_t>(WriteJsonString(out->data() + at, s) - out->data()));
}

int32_t SeverityIndex(const std::string& name) {
  const auto& names = SeverityNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int32_t>(i);
  }
  return -1;
}

void ReportSettings::Register(CLI::App* app, bool json_only) {
  auto* format = app->add_option("--format", format_name, "report format")->capture_default_str();
  if (json_only) {
    format->check(CLI::IsMember({"json"}));
  } else {
    format->check(CLI::IsMember({"json", "table", "sarif"}));
  }
  app->add_option("--policy", policy, "scoring policy JSON (trawl.policy/1)");
  app->add_option("--suppressions", suppressions, "allow-list JSON (trawl.suppressions/1)");
  app->add_option("--baseline", baseline, "an earlier report or a trawl.baseline/1 document");
  app->add_option("--fingerprint-key-file", fingerprint_key_file,
                  "file holding the fingerprint key (or TRAWL_FINGERPRINT_KEY)");
  app->add_option("--fingerprint-key", fingerprint_key_argv)->group("");  // refused, see Resolve
  app->add_flag("--values", values_flag, "keep matched values in the report");
  app->add_flag("--no-values", no_values_flag, "keep no matched values (fingerprints only)");
  app->add_option("--default-region", default_region, "phone number region, e.g. DE");
  if (json_only) return;
  app->add_option("--min-severity", min_severity, "list findings of this severity and above")
      ->check(CLI::IsMember(SeverityNames()))
      ->group("View");
  app->add_option("--category", categories,
                  "list findings of these categories (secret, pii, indicator, ...)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->group("View");
  app->add_flag("--all", list_all, "the table lists info-level findings one by one too")
      ->group("View");
}

int32_t ReportSettings::Format() const {
  if (format_name == "table") return TRAWL_REPORT_TABLE;
  if (format_name == "sarif") return TRAWL_REPORT_SARIF;
  return TRAWL_REPORT_JSON;
}

int ReportSettings::Resolve(bool to_file) {
  if (!fingerprint_key_argv.empty()) {
    // argv is readable by every user of the machine (ps, /proc/<pid>/cmdline).
    std::fputs(
        "trawl: --fingerprint-key is not accepted: a key on the command line is visible to "
        "every user; use --fingerprint-key-file FILE or the TRAWL_FINGERPRINT_KEY "
        "environment variable\n",
        stderr);
    return kExitUsage;
  }
  if (values_flag && no_values_flag) {
    std::fputs("trawl: --values and --no-values exclude each other\n", stderr);
    return kExitUsage;
  }
  if (!fingerprint_key_file.empty()) {
    if (!ReadWholeFile(fingerprint_key_file, &fingerprint_key)) {
      return OsError(fingerprint_key_file, "cannot read", errno);
    }
    while (!fingerprint_key.empty() &&
           (fingerprint_key.back() == '\n' || fingerprint_key.back() == '\r' ||
            fingerprint_key.back() == ' ')) {
      fingerprint_key.pop_back();
    }
    if (fingerprint_key.empty() || fingerprint_key.find('\0') != std::string::npos) {
      return Fail(fingerprint_key_file + ": the key file is empty or holds a NUL byte");
    }
  } else if (const char* env = std::getenv("TRAWL_FINGERPRINT_KEY"); env != nullptr) {
    fingerprint_key = env;
  }
  if (!values_flag && !no_values_flag) {
    const bool keep = !(to_file && InCi());
    (keep ? values_flag : no_values_flag) = true;
    if (!keep) {
      Note("CI: the report is written to a file, so it keeps no values (--values keeps them)");
    }
  }
  if (no_values_flag && fingerprint_key.empty()) {
    Note("note: fingerprints use the public default key, so a guessable value (a phone "
         "number, an IP address) can be found from its fingerprint; set "
         "TRAWL_FINGERPRINT_KEY or --fingerprint-key-file");
  }
  return kExitClean;
}

bool ReportSettings::Apply(trawl_options* options) const {
  trawl_options_set_int(options, TRAWL_OPT_INCLUDE_VALUES, no_values_flag ? 0 : 1);
  trawl_options_set_string(options, TRAWL_OPT_POLICY_FILE, policy.c_str());
  trawl_options_set_string(options, TRAWL_OPT_SUPPRESSIONS_FILE, suppressions.c_str());
  trawl_options_set_string(options, TRAWL_OPT_BASELINE_FILE, baseline.c_str());
  trawl_options_set_string(options, TRAWL_OPT_FINGERPRINT_KEY, fingerprint_key.c_str());
  trawl_options_set_int(options, TRAWL_OPT_MIN_SEVERITY, SeverityIndex(min_severity));
  std::string list;
  for (const std::string& c : categories) list += (list.empty() ? "" : ",") + c;
  trawl_options_set_string(options, TRAWL_OPT_CATEGORIES, list.c_str());
  trawl_options_set_int(options, TRAWL_OPT_LIST_ALL, list_all ? 1 : 0);
  if (trawl_options_set_string(options, TRAWL_OPT_DEFAULT_REGION, default_region.c_str()) !=
      TRAWL_OK) {
    std::fprintf(stderr, "trawl: --default-region %s: not a region libphonenumber knows\n",
                 default_region.c_str());
    return false;
  }
  return true;
}

void Budgets::Register(CLI::App* app, bool inflight) {
  struct Flag {
    const char* name;
    int32_t key;
    const char* help;
  };
  static const Flag kFlags[] = {
      {"--max-matches", TRAWL_OPT_MAX_MATCHES, "matches per component scan (0: unlimited)"},
      {"--max-matches-per-rule", TRAWL_OPT_MAX_MATCHES_PER_RULE, "matches per rule (0: unlimited)"},
      {"--max-bytes", TRAWL_OPT_MAX_BYTES, "bytes scanned per component (0: unlimited)"},
      {"--time-budget-ms", TRAWL_OPT_TIME_BUDGET_MS, "time for the whole run (0: unlimited)"},
      {"--max-inflight-bytes", TRAWL_OPT_MAX_INFLIGHT_BYTES, "content held at once"}};
  for (const Flag& flag : kFlags) {
    if (!inflight && flag.key == TRAWL_OPT_MAX_INFLIGHT_BYTES) continue;
    const int32_t key = flag.key;
    app->add_option_function<int64_t>(
           flag.name, [this, key](const int64_t& value) { values.emplace_back(key, value); },
           flag.help)
        ->check(CLI::NonNegativeNumber)
        ->group("Budgets");
  }
  if (!inflight) return;
  // The same bound as --max-inflight-bytes, with a unit: 512M, 1G (K, M, G are 1024-based).
  app->add_option_function<int64_t>(
         "--memory-limit",
         [this](const int64_t& value) {
           values.emplace_back(TRAWL_OPT_MAX_INFLIGHT_BYTES, value);
         },
         "component content held for analysis at once (default 512M; 0: unlimited)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::NonNegativeNumber)
      ->type_name("BYTES")
      ->group("Budgets");
  app->add_option_function<int64_t>(
         "--stream-threshold",
         [this](const int64_t& value) {
           values.emplace_back(TRAWL_OPT_STREAM_THRESHOLD_BYTES, value);
         },
         "components this large are analysed in windows, never held whole (default: derived "
         "from --memory-limit; 64M, 1G)")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::NonNegativeNumber)
      ->type_name("BYTES")
      ->group("Budgets");
}

bool Budgets::Apply(trawl_options* options) const {
  for (const auto& [key, value] : values) {
    if (trawl_options_set_int(options, key, value) != TRAWL_OK) return false;
  }
  return true;
}

bool WritesToFile(const std::string& output) {
  struct stat st {};
  return !output.empty() || (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode));
}

// CI systems set CI (to "true" mostly); "", "0" and "false" mean no.
bool InCi() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr || *ci == '\0') return false;
  const std::string v(ci);
  return v != "0" && v != "false" && v != "FALSE" && v != "False";
}

}  // namespace trawl_cli
