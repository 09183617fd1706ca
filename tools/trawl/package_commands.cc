// File: package_commands.cc
// Packages: analyze (the whole pipeline), and its stages one by one (decompose, classify,
// work, plan, analyze-component, aggregate), plus the default policy.
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli.h"
#include "git_input.h"

namespace trawl_cli {
namespace {

// One input of `trawl analyze` (a git repository is `--git REPO`, AnalyzeSettings::git).
struct InputSource {
  enum class Kind { kPath, kStdin };
  Kind kind = Kind::kPath;
  std::string path;  // kPath: a file, archive or directory
};

struct AnalyzeSettings {
  std::vector<std::string> inputs;
  std::string db_path, output;
  ReportSettings report;
  Budgets budgets;
  int64_t threads = 0;
  bool no_ignore = false;
  std::vector<std::string> excludes;  // --exclude, repeatable
  std::string fail_on;
  bool fail_on_incomplete = false;
  GitFlags git;  // --git REPO: the repository's history instead of PATHs
};

// "-" is stdin (once); anything else a path.
bool ParseInputs(const std::vector<std::string>& args, std::vector<InputSource>* out) {
  bool stdin_seen = false;
  for (const std::string& arg : args) {
    if (arg == "-") {
      if (stdin_seen) {
        std::fputs("trawl: analyze: '-' (stdin) can be given once\n", stderr);
        return false;
      }
      stdin_seen = true;
      out->push_back({InputSource::Kind::kStdin, ""});
    } else {
      out->push_back({InputSource::Kind::kPath, arg});
    }
  }
  return true;
}

// What the CI contract asks of a finished report: kExitFindings when an active finding is
// at or above --fail-on, or the report is incomplete and --fail-on-incomplete is set.
int GateExit(const AnalyzeSettings& s, const trawl_report_summary& summary) {
  if (!s.fail_on.empty()) {
    uint64_t at_or_above = 0;
    for (int32_t i = SeverityIndex(s.fail_on); i < 5; ++i) at_or_above += summary.active_by_severity[i];
    if (at_or_above > 0) {
      Note(std::to_string(at_or_above) + " active finding(s) at or above " + s.fail_on +
           " (--fail-on " + s.fail_on + ")");
      return kExitFindings;
    }
  }
  if (s.fail_on_incomplete && summary.complete == 0) {
    Note("the report is incomplete (--fail-on-incomplete)");
    return kExitFindings;
  }
  return kExitClean;
}

// Writes the report and decides the exit status from its counts.
int Finish(trawl_buffer* raw_report, const trawl_report_summary& summary,
           const AnalyzeSettings& s) {
  Owned<trawl_buffer> report(raw_report);
  if (const int code = WriteBufferTo(report.get(), s.output); code != kExitClean) return code;
  Verbose(std::to_string(summary.components) + " components; active findings: " +
          std::to_string(summary.active_by_severity[4]) + " critical, " +
          std::to_string(summary.active_by_severity[3]) + " high, " +
          std::to_string(summary.active_by_severity[2]) + " medium, " +
          std::to_string(summary.active_by_severity[1]) + " low, " +
          std::to_string(summary.active_by_severity[0]) + " info; " +
          std::to_string(summary.suppressed) + " suppressed; " +
          (summary.complete ? "complete" : "INCOMPLETE"));
  return GateExit(s, summary);
}

// --exclude PATTERN: a pattern is one line of .gitignore syntax, and not a comment.
bool ValidExcludes(const std::vector<std::string>& excludes) {
  for (const std::string& pattern : excludes) {
    if (pattern.empty() || pattern.find('\n') != std::string::npos || pattern[0] == '#') {
      std::fprintf(stderr, "trawl: analyze: --exclude '%s' is no pattern\n", pattern.c_str());
      return false;
    }
  }
  return true;
}

// The --exclude patterns, one a line, in TRAWL_OPT_EXCLUDE.
bool SetExcludes(const std::vector<std::string>& excludes, trawl_options* options) {
  std::string lines;
  for (const std::string& pattern : excludes) lines += pattern + "\n";
  return excludes.empty() ||
         trawl_options_set_string(options, TRAWL_OPT_EXCLUDE, lines.c_str()) == TRAWL_OK;
}

// Analyses every source (or the --git repository) as one package and writes one report.
int AnalyzeInputs(const std::vector<InputSource>& sources, AnalyzeSettings& s) {
  if (const int code = s.report.Resolve(WritesToFile(s.output)); code != kExitClean) return code;
  Owned<trawl_db> db = LoadDbOrDefault(s.db_path);
  if (!db) return kExitError;
  Owned<trawl_options> options = NewOptions();
  trawl_options_set_int(options.get(), TRAWL_OPT_COMPILE_THREADS, s.threads);
  if (!s.budgets.Apply(options.get())) return Fail("a budget is out of range");
  if (!s.report.Apply(options.get())) return kExitUsage;
  if (ShowProgress()) trawl_options_set_progress(options.get(), ProgressLine, nullptr);
  if (!SetExcludes(s.excludes, options.get())) return Fail("cannot set --exclude");

  trawl_buffer* raw_report = nullptr;
  trawl_report_summary summary = TRAWL_REPORT_SUMMARY_INIT;
  trawl_error err = TRAWL_ERROR_INIT;
  if (!s.git.repository.empty()) {
    const trawl_status status = AnalyzeGitRepository(&raw_report, &summary, db.get(), s.git,
                                                     options.get(), s.report.Format(), &err);
    if (status != TRAWL_OK) return Error(s.git.repository, status, &err);
    return Finish(raw_report, summary, s);
  }
  std::string stdin_bytes;
  std::vector<trawl_input> inputs(sources.size());
  std::vector<const trawl_input*> pointers;
  for (size_t i = 0; i < sources.size(); ++i) {
    trawl_input& in = inputs[i];
    in = TRAWL_INPUT_INIT;
    if (sources[i].kind == InputSource::Kind::kStdin) {
      if (!ReadWholeFile("/dev/stdin", &stdin_bytes)) return OsError("stdin", "cannot read", errno);
      in.data = stdin_bytes.data();
      in.len = stdin_bytes.size();
      in.name = "stdin";
    } else {
      in.path = sources[i].path.c_str();
    }
    pointers.push_back(&in);
  }
  const trawl_status status = trawl_package_analyze_inputs(
      &raw_report, &summary, db.get(), pointers.data(), pointers.size(),
      s.no_ignore ? TRAWL_INPUTS_NO_IGNORE : 0u, options.get(), s.report.Format(), &err);
  const std::string what = sources.size() == 1 && sources[0].kind == InputSource::Kind::kPath
                               ? sources[0].path
                               : "analyze";
  if (status != TRAWL_OK) return Error(what, status, &err);
  return Finish(raw_report, summary, s);
}

// The --git flags of a command whose input is a PACKAGE or --git REPO (one of them).
void RegisterGitInput(CLI::App* command, GitFlags* git, const std::string& help) {
  CLI::Option* repository = command->add_option("--git", git->repository, help)->group("Git");
  command->add_option("--since", git->since,
                      "--git: commits since DATE (YYYY-MM-DD, RFC 3339, epoch seconds)")
      ->needs(repository)->group("Git");
  command->add_option("--branch", git->branch, "--git: one revision's history")
      ->needs(repository)->group("Git");
  command->add_flag("--staged", git->staged,
                    "--git: the blobs staged in the index that HEAD lacks (pre-commit)")
      ->needs(repository)->group("Git");
}

// PACKAGE or --git REPO, exactly one; false (usage printed) otherwise.
bool OneInput(const char* command, const std::string& package, const GitFlags& git) {
  if (package.empty() != git.repository.empty()) return true;
  std::fprintf(stderr, "trawl: %s: give PACKAGE or --git REPO (one of them)\n", command);
  return false;
}

int Decompose(const std::string& package, const std::string& directory, const GitFlags& git) {
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  if (!directory.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) return Fail(directory + ": cannot create the directory: " + ec.message());
  }
  trawl_status status;
  if (!git.repository.empty()) {
    Owned<trawl_options> options = NewOptions();
    status = SetGitOptions(git, options.get(), &err);
    if (status == TRAWL_OK) {
      status = directory.empty()
                   ? trawl_git_decompose(&raw, git.repository.c_str(), options.get(), &err)
                   : trawl_git_decompose_to_directory(&raw, git.repository.c_str(),
                                                      directory.c_str(), options.get(), &err);
    }
  } else {
    status = directory.empty()
                 ? trawl_package_decompose_file(&raw, package.c_str(), nullptr, &err)
                 : trawl_package_decompose_to_directory(&raw, package.c_str(), directory.c_str(),
                                                        nullptr, &err);
  }
  if (status != TRAWL_OK) return Error(git.repository.empty() ? package : git.repository, status, &err);
  Owned<trawl_buffer> manifest(raw);
  return WriteBufferTo(manifest.get(), "");
}

int Classify(const std::string& db_path, const std::string& package, const GitFlags& git) {
  trawl_error err = TRAWL_ERROR_INIT;
  Owned<trawl_db> db;
  if (!db_path.empty()) {
    db = LoadDb(db_path);
    if (!db) return kExitError;
  }
  trawl_buffer* raw = nullptr;
  trawl_status status;
  if (!git.repository.empty()) {
    Owned<trawl_options> options = NewOptions();
    status = SetGitOptions(git, options.get(), &err);
    if (status == TRAWL_OK) {
      status = trawl_git_classify(&raw, db.get(), git.repository.c_str(), options.get(), &err);
    }
  } else {
    status = trawl_package_classify_file(&raw, db.get(), package.c_str(), nullptr, &err);
  }
  if (status != TRAWL_OK) return Error(git.repository.empty() ? package : git.repository, status, &err);
  Owned<trawl_buffer> plans(raw);
  return WriteBufferTo(plans.get(), "");
}

int Work(const std::string& manifest_path) {
  std::string manifest;
  if (!ReadWholeFile(manifest_path, &manifest)) return OsError(manifest_path, "cannot read", errno);
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status = trawl_manifest_work(&raw, manifest.data(), manifest.size(), &err);
  if (status != TRAWL_OK) return Error(manifest_path, status, &err);
  Owned<trawl_buffer> work(raw);
  return WriteBufferTo(work.get(), "");
}

struct ComponentSettings {
  std::string db_path, manifest_path, component, content_path, output;
  ReportSettings report;
};

// trawl plan / trawl analyze-component: one component of a decomposed package.
int ComponentStage(ComponentSettings& s, bool analyze) {
  std::string manifest, content;
  if (!ReadWholeFile(s.manifest_path, &manifest)) {
    return OsError(s.manifest_path, "cannot read", errno);
  }
  if (!ReadWholeFile(s.content_path, &content)) return OsError(s.content_path, "cannot read", errno);
  Owned<trawl_db> db;
  if (!s.db_path.empty()) {
    db = LoadDb(s.db_path);
    if (!db) return kExitError;
  }
  if (analyze) {
    if (const int code = s.report.Resolve(WritesToFile(s.output)); code != kExitClean) return code;
  }
  Owned<trawl_options> options = NewOptions();
  if (!s.report.Apply(options.get())) return kExitUsage;
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      analyze ? trawl_component_analyze(&raw, db.get(), manifest.data(), manifest.size(),
                                        s.component.c_str(), content.data(), content.size(),
                                        options.get(), &err)
              : trawl_component_plan(&raw, db.get(), manifest.data(), manifest.size(),
                                     s.component.c_str(), content.data(), content.size(),
                                     options.get(), &err);
  if (status != TRAWL_OK) return Error(s.component, status, &err);
  Owned<trawl_buffer> document(raw);
  return WriteBufferTo(document.get(), s.output);
}

struct AggregateSettings {
  std::string manifest_path, output;
  std::vector<std::string> result_paths;
  ReportSettings report;
};

int Aggregate(AggregateSettings& s) {
  if (const int code = s.report.Resolve(WritesToFile(s.output)); code != kExitClean) return code;
  std::string manifest;
  if (!ReadWholeFile(s.manifest_path, &manifest)) {
    return OsError(s.manifest_path, "cannot read", errno);
  }
  std::vector<std::string> results(s.result_paths.size());
  std::vector<const char*> data;
  std::vector<size_t> lens;
  for (size_t i = 0; i < s.result_paths.size(); ++i) {
    if (!ReadWholeFile(s.result_paths[i], &results[i])) {
      return OsError(s.result_paths[i], "cannot read", errno);
    }
    data.push_back(results[i].data());
    lens.push_back(results[i].size());
  }
  Owned<trawl_options> options = NewOptions();
  if (!s.report.Apply(options.get())) return kExitUsage;
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      trawl_report_aggregate(&raw, manifest.data(), manifest.size(), data.data(), lens.data(),
                             data.size(), options.get(), s.report.Format(), &err);
  if (status != TRAWL_OK) {
    const bool names_result =
        err.index >= 0 && static_cast<size_t>(err.index) < s.result_paths.size();
    return Error(names_result ? s.result_paths[err.index] : "aggregate", status, &err);
  }
  Owned<trawl_buffer> report(raw);
  return WriteBufferTo(report.get(), s.output);
}

int Policy() {
  trawl_buffer* raw = nullptr;
  const trawl_status status = trawl_policy_default(&raw);
  if (status != TRAWL_OK) return Error("policy", status);
  Owned<trawl_buffer> policy(raw);
  return WriteBufferTo(policy.get(), "");
}

}  // namespace

void RegisterPackageCommands(CLI::App* app, int* exit_code) {
  {
    auto s = std::make_shared<AnalyzeSettings>();
    CLI::App* analyze = app->add_subcommand(
        "analyze",
        "analyse files, archives, directories and stdin (-) as one package: one report");
    analyze->add_option("PATH", s->inputs, "files, archives, directories; - is stdin");
    RegisterGitInput(analyze, &s->git,
                     "a repository: every blob of its history once, each finding with the commit "
                     "that introduced it (docs/git.md)");
    analyze->add_option("--db", s->db_path,
                        "database (default: $TRAWL_DB, then the installed default.tdb)");
    analyze->add_option("-o,--output", s->output, "write the report here (default: stdout)");
    analyze->add_option("--threads", s->threads,
                        "analysis threads, intake's included (1: one thread; 0: every CPU this "
                        "process may use)")
        ->check(CLI::NonNegativeNumber);
    analyze->add_flag("--no-ignore", s->no_ignore,
                      "walk directories without git's ignore rules (.gitignore; .trawlignore "
                      "and --exclude still apply)");
    analyze->add_option("--exclude", s->excludes,
                        "leave out what this .gitignore-syntax pattern matches below each "
                        "directory (repeatable)")
        ->allow_extra_args(false);
    analyze->add_option("--fail-on", s->fail_on,
                        "exit 1 when an active finding at or above this severity exists")
        ->check(CLI::IsMember(SeverityNames()))
        ->group("CI");
    analyze->add_flag("--fail-on-incomplete", s->fail_on_incomplete,
                      "exit 1 when the report is incomplete")
        ->group("CI");
    s->report.Register(analyze);
    s->budgets.Register(analyze, /*inflight=*/true);
    analyze->callback([=] {
      if (s->inputs.empty() == s->git.repository.empty()) {
        std::fputs("trawl: analyze: give PATH... or --git REPO (one of them)\n", stderr);
        *exit_code = kExitUsage;
        return;
      }
      if (!s->excludes.empty() && !s->git.repository.empty()) {
        std::fputs("trawl: analyze: --exclude applies to directories, not to --git\n", stderr);
        *exit_code = kExitUsage;
        return;
      }
      if (!ValidExcludes(s->excludes)) {
        *exit_code = kExitUsage;
        return;
      }
      std::vector<InputSource> sources;
      *exit_code = ParseInputs(s->inputs, &sources) ? AnalyzeInputs(sources, *s) : kExitUsage;
    });
  }
  {
    auto package = std::make_shared<std::string>();
    auto directory = std::make_shared<std::string>();
    auto git = std::make_shared<GitFlags>();
    CLI::App* decompose = app->add_subcommand(
        "decompose", "stage 1: take a package apart; the manifest on stdout");
    decompose->add_option("PACKAGE", *package, "package file");
    RegisterGitInput(decompose, git.get(),
                     "a repository: one component per blob of its history (docs/git.md)");
    decompose->add_option("-o,--output", *directory,
                          "also write each component and manifest.json to this directory");
    decompose->callback([=] {
      *exit_code = OneInput("decompose", *package, *git) ? Decompose(*package, *directory, *git)
                                                          : kExitUsage;
    });
  }
  {
    auto package = std::make_shared<std::string>();
    auto db = std::make_shared<std::string>();
    auto git = std::make_shared<GitFlags>();
    CLI::App* classify = app->add_subcommand(
        "classify", "decompose a package and plan every component (trawl.plans/1)");
    classify->add_option("PACKAGE", *package, "package file");
    RegisterGitInput(classify, git.get(),
                     "a repository: plan every blob of its history (docs/git.md)");
    classify->add_option("--db", *db, "database (plans then name its chains)");
    classify->callback([=] {
      *exit_code =
          OneInput("classify", *package, *git) ? Classify(*db, *package, *git) : kExitUsage;
    });
  }
  {
    auto manifest = std::make_shared<std::string>();
    CLI::App* work =
        app->add_subcommand("work", "the components of a manifest that need analysis");
    work->add_option("MANIFEST", *manifest, "manifest.json")->required();
    work->callback([=] { *exit_code = Work(*manifest); });
  }
  for (const bool analyze : {false, true}) {
    auto s = std::make_shared<ComponentSettings>();
    CLI::App* stage =
        analyze ? app->add_subcommand("analyze-component", "stage 3: analyse one component")
                : app->add_subcommand("plan", "stage 2: plan one component");
    stage->add_option("CONTENT", s->content_path, "the component's bytes")->required();
    stage->add_option("--manifest", s->manifest_path, "manifest.json")->required();
    stage->add_option("--component", s->component, "component id")->required();
    auto* db = stage->add_option("--db", s->db_path, "database");
    if (analyze) {
      db->required();
      stage->add_option("-o,--output", s->output, "write the result here (default: stdout)");
      s->report.Register(stage, /*json_only=*/true);
    }
    stage->callback([=] { *exit_code = ComponentStage(*s, analyze); });
  }
  {
    auto s = std::make_shared<AggregateSettings>();
    CLI::App* aggregate = app->add_subcommand(
        "aggregate", "stage 4: the package report from the manifest and component results");
    aggregate->add_option("RESULT", s->result_paths, "component results");
    aggregate->add_option("--manifest", s->manifest_path, "manifest.json")->required();
    aggregate->add_option("-o,--output", s->output, "write the report here (default: stdout)");
    s->report.Register(aggregate);
    aggregate->callback([=] { *exit_code = Aggregate(*s); });
  }
  CLI::App* policy = app->add_subcommand("policy", "print the default scoring policy");
  policy->callback([=] { *exit_code = Policy(); });
}

}  // namespace trawl_cli
