// File: rule_commands.cc
// Rule sets and databases: rules check|import|profile, compile, indicators add|replace,
// db info.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "cli.h"

namespace trawl_cli {
namespace {

// "trawl: FILE: FORMAT: N rules: A imported exactly, B imported with approximations, C
// rejected (note)"
void PrintAccount(const trawl_import_account& account) {
  std::fprintf(stderr,
               "trawl: %s: %s: %llu rules: %llu imported exactly, %llu imported with "
               "approximations, %llu rejected%s%s%s\n",
               account.file, account.format, static_cast<unsigned long long>(account.rules),
               static_cast<unsigned long long>(account.exact),
               static_cast<unsigned long long>(account.approximated),
               static_cast<unsigned long long>(account.rejected), account.note[0] ? " (" : "",
               account.note, account.note[0] ? ")" : "");
}

// The rule files a RULES argument names: a file as given; a directory's files by their
// extension, in name order at any depth (symbolic links not followed), the others skipped
// and counted in a note, since rule folders carry licenses and readmes. Null (with the
// error printed) when a directory cannot be read or holds no rule file.
std::optional<std::vector<std::string>> RuleFilesOf(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  static constexpr std::string_view kRuleExtensions[] = {
      ".json", ".tsv", ".toml", ".yml", ".yaml", ".yar", ".yara", ".rules"};
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(arg, ec))) {
      files.push_back(arg);  // a file, or an error its loading reports
      continue;
    }
    std::vector<std::string> found;
    size_t skipped = 0;
    std::string skipped_example;
    for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const std::string extension = it->path().extension().string();
      if (std::find(std::begin(kRuleExtensions), std::end(kRuleExtensions), extension) !=
          std::end(kRuleExtensions)) {
        found.push_back(it->path().string());
      } else if (skipped++ == 0) {
        skipped_example = it->path().string();
      }
    }
    if (ec) {
      Fail(arg + ": cannot read the directory: " + ec.message());
      return std::nullopt;
    }
    if (found.empty()) {
      Fail(arg + ": no rule file in the directory (.json .tsv .toml .yml .yaml .yar .yara "
                 ".rules)");
      return std::nullopt;
    }
    if (skipped > 0) {
      Note(arg + ": " + std::to_string(found.size()) + " rule files; skipped " +
           std::to_string(skipped) + " without a rule file extension (such as " +
           skipped_example + ")");
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

// Loads every rule file in `format` ("auto": detected); prints every issue and, for
// imported files, the accounting line (with `print_notes`, each approximation too). A
// file with some bad definitions still adds its good ones (the issues are printed and
// counted), but a file that cannot be read or parsed as a whole, or that yields no
// definition (or indicator) at all (empty, or every one bad), is fatal: a database that
// compiled "successfully" without them would pass every later check forever. An imported
// file whose accounting says it holds no rule (a Nosey Parker ruleset) is not.
// Indicator feeds (`feeds`) load the same way into the rule set's indicators.
Owned<trawl_rules> LoadRules(const std::vector<std::string>& files, const std::string& format,
                             size_t* issue_count, bool print_notes = false,
                             const std::vector<std::string>& feeds = {}) {
  trawl_rules* raw = nullptr;
  if (trawl_rules_new(&raw) != TRAWL_OK) return nullptr;
  Owned<trawl_rules> rules(raw);
  bool fatal = false;
  // Adds one file; false when it cannot be read or parsed at all.
  const auto add = [&](const std::string& file, bool feed) {
    const size_t issues_before = trawl_rules_issue_count(rules.get());
    const size_t definitions_before = trawl_rules_count(rules.get());
    const uint64_t indicators_before = trawl_rules_indicator_count(rules.get());
    trawl_error err = TRAWL_ERROR_INIT;
    const size_t accounts_before = trawl_rules_account_count(rules.get());
    const size_t notes_before = trawl_rules_note_count(rules.get());
    const trawl_status status =
        feed ? trawl_rules_add_indicator_feed(rules.get(), file.c_str(), nullptr, &err)
             : trawl_rules_add_file_as(rules.get(), file.c_str(), format.c_str(), &err);
    const size_t new_issues = trawl_rules_issue_count(rules.get()) - issues_before;
    for (size_t i = issues_before; i < issues_before + new_issues; ++i) {
      trawl_error issue = TRAWL_ERROR_INIT;
      trawl_rules_issue(&issue, rules.get(), i);
      std::fprintf(stderr, "trawl: %s\n", issue.message);
    }
    for (size_t i = notes_before; print_notes && i < trawl_rules_note_count(rules.get()); ++i) {
      trawl_error note = TRAWL_ERROR_INIT;
      trawl_rules_note(&note, rules.get(), i);
      Note(std::string("note: ") + note.message);
    }
    // A native rule file (YARA, Suricata, gitleaks, ...) accounts for each of its rules,
    // with the reason for each rejection: one whose every rule is rejected (all need the
    // "pe" module, say) is recorded, not fatal, so a folder of them still imports.
    const bool accounted = trawl_rules_account_count(rules.get()) > accounts_before;
    if (accounted) {
      trawl_import_account account = TRAWL_IMPORT_ACCOUNT_INIT;
      trawl_rules_account(&account, rules.get(), accounts_before);
      PrintAccount(account);
    }
    // TRAWL_E_PARSE with no issue recorded: the file as a whole did not parse.
    if ((status != TRAWL_OK && status != TRAWL_E_PARSE) ||
        (status == TRAWL_E_PARSE && new_issues == 0)) {
      Error(file, status, &err);
      return false;
    }
    if (trawl_rules_count(rules.get()) == definitions_before &&
        trawl_rules_indicator_count(rules.get()) == indicators_before && !accounted) {
      if (new_issues > 0) {
        std::fprintf(stderr, "trawl: %s: no %s could be loaded (%zu problem(s) above)\n",
                     file.c_str(), feed ? "indicator" : "definition", new_issues);
      } else {
        std::fprintf(stderr, "trawl: %s: the file holds no %s\n", file.c_str(),
                     feed ? "indicators" : "definitions");
      }
      fatal = true;
    }
    return true;
  };
  const std::optional<std::vector<std::string>> rule_files = RuleFilesOf(files);
  if (!rule_files) return nullptr;
  for (const std::string& file : *rule_files) {
    if (!add(file, false)) return nullptr;
  }
  for (const std::string& feed : feeds) {
    if (!add(feed, true)) return nullptr;
  }
  *issue_count = trawl_rules_issue_count(rules.get());
  // Files that are each accounted for (every rule rejected, with the reason) may still
  // add up to nothing: an empty database is no answer to "compile these rules".
  if (!fatal && trawl_rules_count(rules.get()) == 0 && trawl_rules_indicator_count(rules.get()) == 0) {
    std::fprintf(stderr, "trawl: no definition could be loaded from the rule files (%zu problem(s) "
                         "above)\n", *issue_count);
    fatal = true;
  }
  if (fatal) return nullptr;
  return rules;
}

struct CompileSettings {
  std::vector<std::string> files;
  std::string format = "auto";
  std::vector<std::string> feeds;  // --indicators FEED
  std::string target_name = "host";
  int64_t threads = 0;
  std::string cache_dir;
  bool no_plan = false;
  bool regex_recognizers = false;

  // The flags shared by compile, rules check and rules profile.
  void Register(CLI::App* app) {
    app->add_option("RULES", files, "rule files (any supported format) or folders of them")->required();
    // The library names the formats it reads when the name is unknown.
    app->add_option("--format", format,
                    "auto|json|tsv|gitleaks|noseyparker|kingfisher|yara|suricata")
        ->capture_default_str();
    app->add_option("--cache", cache_dir, "compile cache directory");
    app->add_flag("--no-plan", no_plan, "compile without the scan planner");
    app->add_flag("--regex-recognizers", regex_recognizers,
                  "entity recognizers as regexes instead of the token pass");
  }

  int64_t Target() const {
    if (target_name == "portable") return TRAWL_TARGET_PORTABLE;
    if (target_name == "avx2") return TRAWL_TARGET_AVX2;
    if (target_name == "avx512") return TRAWL_TARGET_AVX512;
    return TRAWL_TARGET_HOST;
  }
};

Owned<trawl_db> Compile(const CompileSettings& settings, size_t* issue_count, double* seconds) {
  Owned<trawl_rules> rules =
      LoadRules(settings.files, settings.format, issue_count, /*print_notes=*/false, settings.feeds);
  if (!rules) return nullptr;
  Owned<trawl_options> options = NewOptions();
  trawl_options_set_int(options.get(), TRAWL_OPT_COMPILE_TARGET, settings.Target());
  trawl_options_set_int(options.get(), TRAWL_OPT_COMPILE_THREADS, settings.threads);
  trawl_options_set_int(options.get(), TRAWL_OPT_SCAN_PLAN, settings.no_plan ? 0 : 1);
  trawl_options_set_int(options.get(), TRAWL_OPT_TOKEN_PASS, settings.regex_recognizers ? 0 : 1);
  trawl_options_set_string(options.get(), TRAWL_OPT_COMPILE_CACHE_DIR, settings.cache_dir.c_str());
  if (ShowProgress()) trawl_options_set_progress(options.get(), ProgressLine, nullptr);
  const auto begin = std::chrono::steady_clock::now();
  trawl_db* db = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status = trawl_db_compile(&db, rules.get(), options.get(), &err);
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (status != TRAWL_OK) {
    Error("compile", status, &err);
    return nullptr;
  }
  return Owned<trawl_db>(db);
}

struct Counts {
  uint64_t compiled = 0, prefiltered = 0, rejected = 0, token = 0;
};

Counts CountRules(const trawl_db* db, bool print_rejected) {
  Counts counts;
  for (size_t i = 0; i < trawl_db_rule_count(db); ++i) {
    trawl_rule_info info = TRAWL_RULE_INFO_INIT;
    trawl_db_rule(&info, db, i);
    if (info.status == TRAWL_RULE_COMPILED) counts.compiled++;
    if (info.status == TRAWL_RULE_PREFILTERED) counts.prefiltered++;
    if (info.status == TRAWL_RULE_TOKEN) counts.token++;
    if (info.status == TRAWL_RULE_REJECTED) {
      counts.rejected++;
      if (print_rejected) std::fprintf(stderr, "trawl: rejected %s: %s\n", info.id, info.status_reason);
    }
  }
  return counts;
}

int RulesCheck(const CompileSettings& settings, bool strict) {
  size_t issues = 0;
  double seconds = 0;
  Owned<trawl_db> db = Compile(settings, &issues, &seconds);
  if (!db) return kExitError;
  const Counts counts = CountRules(db.get(), true);
  trawl_buffer* raw_report = nullptr;
  uint64_t failures = 0;
  const trawl_status status = trawl_db_check_examples(&raw_report, &failures, db.get());
  if (status != TRAWL_OK) return Error("examples", status);
  Owned<trawl_buffer> report(raw_report);
  std::printf("%s\n", trawl_buffer_data(report.get()));
  std::fprintf(stderr,
               "trawl: %zu definitions: %llu compiled, %llu prefiltered, %llu rejected, "
               "%llu token pass; %zu load issues; %llu example failures\n",
               trawl_db_rule_count(db.get()), static_cast<unsigned long long>(counts.compiled),
               static_cast<unsigned long long>(counts.prefiltered),
               static_cast<unsigned long long>(counts.rejected),
               static_cast<unsigned long long>(counts.token), issues,
               static_cast<unsigned long long>(failures));
  const bool ok = issues == 0 && failures == 0 && (!strict || counts.rejected == 0);
  return ok ? kExitClean : kExitFindings;
}

// Imports rule files of any format and writes them as one trawl JSON file; the
// accounting of each file goes to stderr, with a note per approximated rule.
int RulesImport(const CompileSettings& settings, const std::string& output) {
  size_t issues = 0;
  Owned<trawl_rules> rules = LoadRules(settings.files, settings.format, &issues, true);
  if (!rules) return kExitError;
  trawl_buffer* raw = nullptr;
  const trawl_status status = trawl_rules_export_json(&raw, rules.get());
  if (status != TRAWL_OK) return Error("export", status);
  Owned<trawl_buffer> json(raw);
  Note(std::to_string(trawl_rules_count(rules.get())) + " rules imported, " +
       std::to_string(issues) + " rejected or with problems");
  return WriteBufferTo(json.get(), output);
}

struct ProfileSettings {
  std::string input;
  int64_t top = 20;
  int64_t threads = 0;  // 0: the hardware threads
  int64_t repeat = 5;
};

// The profile of one scan of INPUT plus the figures of a benchmark (trawl_db_bench):
// compile time, artifact size, load time, MB/s with 1 and N threads.
int RulesProfile(const CompileSettings& settings, const ProfileSettings& profile) {
  size_t issues = 0;
  double seconds = 0;
  Owned<trawl_db> db = Compile(settings, &issues, &seconds);
  if (!db) return kExitError;
  std::string input;
  if (!ReadWholeFile(profile.input, &input)) return OsError(profile.input, "cannot read", errno);
  trawl_bench_options options = TRAWL_BENCH_OPTIONS_INIT;
  options.threads = static_cast<uint32_t>(profile.threads);
  options.repetitions = static_cast<uint32_t>(profile.repeat);
  options.top_rules = static_cast<uint32_t>(profile.top);
  options.compile_seconds = seconds;
  trawl_buffer* raw = nullptr;
  const trawl_status status = trawl_db_bench(&raw, db.get(), input.data(), input.size(), &options);
  if (status != TRAWL_OK) return Error("profile", status);
  Owned<trawl_buffer> report(raw);
  char line[128];
  std::snprintf(line, sizeof line, "compiled %zu definitions in %.2f s",
                trawl_db_rule_count(db.get()), seconds);
  Note(line);
  return WriteBufferTo(report.get(), "");
}

int CompileCommand(const CompileSettings& settings, const std::string& output,
                   const std::string& report_path) {
  size_t issues = 0;
  double seconds = 0;
  if (!PrepareOutput(output)) return kExitError;
  Owned<trawl_db> db = Compile(settings, &issues, &seconds);
  if (!db) return kExitError;
  const Counts counts = CountRules(db.get(), false);
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_status status = trawl_db_save_file(db.get(), output.c_str(), &err);
  if (status != TRAWL_OK) return Error("save", status, &err);
  if (!report_path.empty()) {
    trawl_buffer* raw = nullptr;
    trawl_db_describe(&raw, db.get(), 1);
    Owned<trawl_buffer> report(raw);
    if (const int code = WriteBufferTo(report.get(), report_path); code != kExitClean) return code;
  }
  if (GlobalFlags().verbosity >= 0) {
    std::fprintf(stderr,
                 "trawl: compiled %zu definitions in %.2f s: %llu compiled, %llu prefiltered, "
                 "%llu rejected, %llu token pass; %llu threat indicators (%zu load issues) -> "
                 "%s\n",
                 trawl_db_rule_count(db.get()), seconds,
                 static_cast<unsigned long long>(counts.compiled),
                 static_cast<unsigned long long>(counts.prefiltered),
                 static_cast<unsigned long long>(counts.rejected),
                 static_cast<unsigned long long>(counts.token),
                 static_cast<unsigned long long>(trawl_db_indicator_count(db.get())), issues,
                 output.c_str());
  }
  return issues == 0 ? kExitClean : kExitFindings;
}

struct IndicatorSettings {
  std::string mode, db_path, output, report_path;
  std::string feed, format, family, category, severity, csv_column;
  double confidence = -1;
  std::vector<std::string> feeds;
};

// A new artifact with the same rules and an updated indicator set; every feed entry
// accounted for on stdout (or --report FILE) and summed up on stderr.
int Indicators(const IndicatorSettings& s) {
  Owned<trawl_db> db = LoadDbOrDefault(s.db_path);
  if (!db) return kExitError;
  if (!PrepareOutput(s.output)) return kExitError;
  trawl_feed_options options = TRAWL_FEED_OPTIONS_INIT;
  options.feed = s.feed.empty() ? nullptr : s.feed.c_str();
  options.format = s.format.empty() ? nullptr : s.format.c_str();
  options.family = s.family.empty() ? nullptr : s.family.c_str();
  options.category = s.category.empty() ? nullptr : s.category.c_str();
  options.csv_column = s.csv_column.empty() ? nullptr : s.csv_column.c_str();
  options.severity = s.severity.empty() ? -1 : SeverityIndex(s.severity);
  options.confidence = s.confidence;
  std::vector<const char*> paths;
  for (const std::string& f : s.feeds) paths.push_back(f.c_str());
  const auto begin = std::chrono::steady_clock::now();
  trawl_db* raw_new = nullptr;
  trawl_buffer* raw_report = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_status status = trawl_db_update_indicators(
      &raw_new, &raw_report, db.get(), paths.data(), paths.size(),
      s.mode == "add" ? TRAWL_INDICATORS_ADD : TRAWL_INDICATORS_REPLACE, &options, &err);
  if (status != TRAWL_OK) return Error("indicators", status, &err);
  Owned<trawl_db> updated(raw_new);
  Owned<trawl_buffer> report(raw_report);
  status = trawl_db_save_file(updated.get(), s.output.c_str(), &err);
  if (status != TRAWL_OK) return Error("save", status, &err);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (const int code = WriteBufferTo(report.get(), s.report_path); code != kExitClean) return code;
  if (GlobalFlags().verbosity >= 0) {
    std::fprintf(stderr, "trawl: %s %zu feed(s) in %.2f s: %llu threat indicators -> %s\n",
                 s.mode == "add" ? "added" : "replaced", s.feeds.size(), seconds,
                 static_cast<unsigned long long>(trawl_db_indicator_count(updated.get())),
                 s.output.c_str());
  }
  return kExitClean;
}

int DbInfo(const std::string& flag, bool rules) {
  const std::string path = ResolveDb(flag);
  if (path.empty()) return Fail("no database: pass DB, set TRAWL_DB, or install the default");
  const auto begin = std::chrono::steady_clock::now();
  Owned<trawl_db> db = LoadDb(path);
  if (!db) return kExitError;
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  trawl_buffer* raw_info = nullptr;
  trawl_db_describe(&raw_info, db.get(), rules ? 1 : 0);
  Owned<trawl_buffer> info(raw_info);
  std::printf("%s\n", trawl_buffer_data(info.get()));
  char line[64];
  std::snprintf(line, sizeof line, " in %.1f ms", ms);
  Note("loaded " + path + line);
  return kExitClean;
}

}  // namespace

void RegisterRuleCommands(CLI::App* app, int* exit_code) {
  CLI::App* rules = app->add_subcommand("rules", "check, import and profile rule files");
  rules->require_subcommand(1);

  {
    auto settings = std::make_shared<CompileSettings>();
    auto strict = std::make_shared<bool>(false);
    CLI::App* check = rules->add_subcommand(
        "check", "compile rule files and run every rule's examples; exit 1 on any problem");
    settings->Register(check);
    check->add_flag("--strict", *strict, "a rule the engine rejects is a failure too");
    check->callback([=] { *exit_code = RulesCheck(*settings, *strict); });
  }
  {
    auto settings = std::make_shared<CompileSettings>();
    auto output = std::make_shared<std::string>();
    CLI::App* import = rules->add_subcommand(
        "import", "convert rule files of other tools to one trawl JSON file");
    settings->Register(import);
    import->add_option("-o,--output", *output, "output file (default: stdout)");
    import->callback([=] { *exit_code = RulesImport(*settings, *output); });
  }
  {
    auto settings = std::make_shared<CompileSettings>();
    auto options = std::make_shared<ProfileSettings>();
    CLI::App* profile = rules->add_subcommand(
        "profile",
        "what RULES cost on INPUT: compile and load time, artifact size, MB/s with 1 and N "
        "threads, and where one scan spends its time, per partition and per rule");
    settings->Register(profile);
    profile->add_option("--input", options->input, "the input to scan")->required();
    profile->add_option("--top", options->top, "rules to list")->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    profile->add_option("--threads", options->threads,
                        "threads of the multi-threaded measurement (0: hardware threads)")
        ->check(CLI::Range(0, 1024))
        ->capture_default_str();
    profile->add_option("--repeat", options->repeat, "timed loads and scans per figure (median)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    profile->callback([=] { *exit_code = RulesProfile(*settings, *options); });
  }
  {
    auto settings = std::make_shared<CompileSettings>();
    auto output = std::make_shared<std::string>();
    auto report = std::make_shared<std::string>();
    CLI::App* compile = app->add_subcommand("compile", "compile rule files into a database");
    settings->Register(compile);
    compile->add_option("-o,--output", *output, "the database file to write")->required();
    compile->add_option("--target", settings->target_name, "instruction set")
        ->check(CLI::IsMember({"host", "portable", "avx2", "avx512"}))
        ->capture_default_str();
    compile->add_option("--threads", settings->threads, "compile threads (0: every CPU this process may use)")
        ->check(CLI::NonNegativeNumber);
    compile->add_option("--report", *report, "write the database description (JSON) here");
    compile->add_option("--indicators", settings->feeds, "indicator feeds to add")
        ->allow_extra_args(false);
    compile->callback([=] { *exit_code = CompileCommand(*settings, *output, *report); });
  }
  {
    auto s = std::make_shared<IndicatorSettings>();
    CLI::App* indicators = app->add_subcommand(
        "indicators", "a new database with threat indicator feeds added or replaced");
    indicators->add_option("MODE", s->mode, "add | replace")
        ->required()
        ->check(CLI::IsMember({"add", "replace"}));
    indicators->add_option("FEED", s->feeds, "feed files (docs/indicators.md)")->required();
    indicators->add_option("--db", s->db_path, "the database to update (default: the default)");
    indicators->add_option("-o,--output", s->output, "the database file to write")->required();
    indicators->add_option("--report", s->report_path, "write the feed accounting here");
    indicators->add_option("--feed", s->feed, "feed name");
    indicators->add_option("--format", s->format, "auto|trawl-tsv|text|csv|stix|misp");
    indicators->add_option("--family", s->family, "malware family of the entries");
    indicators->add_option("--category", s->category, "category of the entries");
    indicators->add_option("--severity", s->severity, "severity of the entries")
        ->check(CLI::IsMember(SeverityNames()));
    indicators->add_option("--confidence", s->confidence, "confidence of the entries")
        ->check(CLI::Range(0.0, 1.0));
    indicators->add_option("--csv-column", s->csv_column, "CSV column holding the values");
    indicators->callback([=] { *exit_code = Indicators(*s); });
  }
  {
    CLI::App* db = app->add_subcommand("db", "inspect a compiled database");
    db->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    auto rules_flag = std::make_shared<bool>(false);
    CLI::App* info = db->add_subcommand(
        "info", "describe a database (default: the one analyze uses without --db)");
    info->add_option("DB", *path, "database file");
    info->add_flag("--rules", *rules_flag, "list every rule with its status");
    info->callback([=] { *exit_code = DbInfo(*path, *rules_flag); });
  }
}

}  // namespace trawl_cli
