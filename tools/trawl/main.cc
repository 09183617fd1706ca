// trawl: the command line front end. It uses only the public C API (include/trawl/trawl.h),
// like any other consumer, so everything it does is reachable from C, Python or any FFI.
//
//   trawl rules check [--strict] [--format F] RULES...
//   trawl rules import [--format F] [-o OUT] RULES...
//   trawl rules profile --input FILE [--top N] [--no-plan] [--regex-recognizers]
//                       [--cache DIR] RULES...
//   trawl compile RULES... -o DB [--target host|portable|avx2|avx512] [--threads N]
//                          [--report FILE] [--cache DIR] [--no-plan] [--regex-recognizers]
//                          [--format F]
//   trawl scan --db DB [--max-matches N] [--max-matches-per-rule N] [--max-bytes N]
//                      [--time-budget-ms N] [INPUT... | -]
//   trawl db info DB [--rules]
//   trawl decompose [-o DIR] PACKAGE
//   trawl classify [--db DB] PACKAGE
//   trawl analyze --db DB [REPORT OPTIONS] [--threads N] [BUDGETS] [-o OUT] PACKAGE
//   trawl work MANIFEST
//   trawl plan [--db DB] --manifest MANIFEST --component ID CONTENT
//   trawl analyze-component --db DB --manifest MANIFEST --component ID [-o OUT] CONTENT
//   trawl aggregate --manifest MANIFEST [REPORT OPTIONS] RESULT...
//   trawl policy
//   trawl build-info
// REPORT OPTIONS: --format json|table|sarif, --policy FILE, --suppressions FILE,
//   --baseline FILE, --fingerprint-key-file FILE, --no-values | --values,
//   --default-region CC
// The fingerprint key comes from --fingerprint-key-file or TRAWL_FINGERPRINT_KEY, never
// argv. With CI set, a report written to a file keeps no values unless --values.
// BUDGETS: --max-matches N, --max-matches-per-rule N, --max-bytes N (per component scan),
//   --time-budget-ms N (the whole package for analyze, one component for
//   analyze-component), --max-inflight-bytes N (analyze: content held at once)
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "git_input.h"
#include "trawl/trawl.h"
// rules check, rules profile and db info are tooling calls.
#define TRAWL_EXPERIMENTAL
#include "trawl/trawl_experimental.h"

namespace {

struct Free {
  void operator()(trawl_rules* p) const { trawl_rules_free(p); }
  void operator()(trawl_db* p) const { trawl_db_free(p); }
  void operator()(trawl_options* p) const { trawl_options_free(p); }
  void operator()(trawl_buffer* p) const { trawl_buffer_free(p); }
  void operator()(trawl_stream* p) const { trawl_stream_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

const bool kStderrIsTerminal = isatty(STDERR_FILENO) != 0;

int Usage() {
  std::fputs(
      "usage:\n"
      "  trawl rules check [--strict] [--format F] RULES...\n"
      "  trawl rules import [--format F] [-o OUT] RULES...\n"
      "  trawl rules profile --input FILE [--top N] [--no-plan] [--regex-recognizers]\n"
      "                [--cache DIR] RULES...\n"
      "  trawl compile RULES... -o DB [--target host|portable|avx2|avx512] [--threads N]\n"
      "                [--report FILE] [--cache DIR] [--no-plan] [--regex-recognizers]\n"
      "                [--format F]\n"
      "                [--indicators FEED]...\n"
      "  trawl indicators add|replace FEED... --db DB -o NEWDB [--feed NAME]\n"
      "                [--format auto|trawl-tsv|text|csv|stix|misp] [--family F]\n"
      "                [--category C] [--severity S] [--confidence X] [--csv-column C]\n"
      "                [--report FILE]\n"
      "  trawl scan --db DB [--max-matches N] [--max-matches-per-rule N] [--max-bytes N]\n"
      "             [--time-budget-ms N] [INPUT... | -]\n"
      "  trawl db info DB [--rules]\n"
      "  trawl decompose [-o DIR] PACKAGE\n"
      "  trawl classify [--db DB] PACKAGE\n"
      "  trawl analyze --db DB [REPORT OPTIONS] [--threads N] [BUDGETS] [-o OUT] PACKAGE\n",
      stderr);
  std::fputs(trawl_cli::kGitUsage, stderr);
  std::fputs(
      "  trawl work MANIFEST\n"
      "  trawl plan [--db DB] --manifest MANIFEST --component ID CONTENT\n"
      "  trawl analyze-component --db DB --manifest MANIFEST --component ID [-o OUT] CONTENT\n"
      "  trawl aggregate --manifest MANIFEST [REPORT OPTIONS] RESULT...\n"
      "  trawl policy\n"
      "  trawl build-info\n"
      "REPORT OPTIONS: --format json|table|sarif, --policy FILE, --suppressions FILE,\n"
      "  --baseline FILE, --fingerprint-key-file FILE, --no-values | --values,\n"
      "  --default-region CC\n"
      "  (key also from TRAWL_FINGERPRINT_KEY; with CI set, a report written to a file\n"
      "  keeps no values unless --values)\n"
      "BUDGETS: --max-matches N, --max-matches-per-rule N, --max-bytes N (per component\n"
      "  scan), --time-budget-ms N (the whole package for analyze, one component for\n"
      "  analyze-component), --max-inflight-bytes N (analyze: content held at once)\n"
      "RULES are trawl JSON or NDJSON, corpus TSV, gitleaks TOML, Nosey Parker or Kingfisher\n"
      "  YAML, YARA or Suricata/Snort files (optionally .gz), the format detected from the\n"
      "  content; --format auto|json|tsv|gitleaks|noseyparker|kingfisher|yara|suricata\n"
      "  forces one. See docs/rules.md. Indicator packs (trawl indicator TSV, .xz)\n"
      "  load too; FEED formats: docs/indicators.md.\n",
      stderr);
  return 2;
}

int Error(const char* what, trawl_status status, const trawl_error* err = nullptr) {
  std::fprintf(stderr, "trawl: %s: %s", what, trawl_status_str(status));
  if (err && err->message[0]) std::fprintf(stderr, ": %s", err->message);
  std::fputc('\n', stderr);
  return 1;
}

// Bytes a JSON string can hold as themselves: printable ASCII other than '"' and '\\'.
// Non-ASCII bytes are escaped one by one so binary matches stay exact and the line stays
// valid JSON; text_hex-style decoding is a plain \u00XX read.
constexpr bool PlainJsonByte(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Runs of plain bytes go in one append: matched text is mostly plain.
    size_t run = i;
    while (run < s.size() && PlainJsonByte(static_cast<unsigned char>(s[run]))) ++run;
    out->append(s.data() + i, run - i);
    if (run == s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[run]);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(escaped, sizeof escaped);
      }
    }
    i = run + 1;
  }
  out->push_back('"');
}

// A progress bar on stderr (only when it is a terminal). Called from worker threads.
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  *out = bytes.str();
  return !in.bad();
}

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

// Loads every rule file in `format` ("auto": detected); prints every issue and, for
// imported files, the accounting line (with `print_notes`, each approximation too). A
// file with some bad definitions still adds its good ones (the issues are printed and
// counted), but a file that cannot be read or parsed as a whole, or that yields no
// definition (or indicator) at all (empty, or every one bad), is fatal: a database that compiled
// "successfully" without them would pass every later check forever. An imported file
// whose accounting says it holds no rule (a Nosey Parker ruleset) is not.
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
      std::fprintf(stderr, "trawl: note: %s\n", note.message);
    }
    bool holds_no_rule = false;
    if (trawl_rules_account_count(rules.get()) > accounts_before) {
      trawl_import_account account = TRAWL_IMPORT_ACCOUNT_INIT;
      trawl_rules_account(&account, rules.get(), accounts_before);
      PrintAccount(account);
      holds_no_rule = account.rules == 0;
    }
    // TRAWL_E_PARSE with no issue recorded: the file as a whole did not parse.
    if ((status != TRAWL_OK && status != TRAWL_E_PARSE) ||
        (status == TRAWL_E_PARSE && new_issues == 0)) {
      Error(file.c_str(), status, &err);
      return false;
    }
    if (trawl_rules_count(rules.get()) == definitions_before &&
        trawl_rules_indicator_count(rules.get()) == indicators_before && !holds_no_rule) {
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
  for (const std::string& file : files) {
    if (!add(file, false)) return nullptr;
  }
  for (const std::string& feed : feeds) {
    if (!add(feed, true)) return nullptr;
  }
  *issue_count = trawl_rules_issue_count(rules.get());
  if (fatal) return nullptr;
  return rules;
}

struct CompileSettings {
  std::vector<std::string> files;
  std::string format = "auto";
  std::vector<std::string> feeds;  // --indicators FEED
  int64_t target = TRAWL_TARGET_HOST;
  int64_t threads = 0;
  std::string cache_dir;
  bool plan = true;
  bool token_pass = true;
};

// The compile flags shared by `compile` and `rules profile`; false if `args[*i]` is not one.
bool ParseCompileFlag(const std::vector<std::string>& args, size_t* i, CompileSettings* settings) {
  const bool has_value = *i + 1 < args.size();
  if (args[*i] == "--cache" && has_value) {
    settings->cache_dir = args[++*i];
    return true;
  }
  if (args[*i] == "--no-plan") {
    settings->plan = false;
    return true;
  }
  if (args[*i] == "--regex-recognizers") {
    settings->token_pass = false;
    return true;
  }
  if (args[*i] == "--format" && has_value) {
    settings->format = args[++*i];
    return true;
  }
  return false;
}

Owned<trawl_db> Compile(const CompileSettings& settings, size_t* issue_count, double* seconds) {
  Owned<trawl_rules> rules =
      LoadRules(settings.files, settings.format, issue_count, /*print_notes=*/false, settings.feeds);
  if (!rules) return nullptr;
  trawl_options* raw_options = nullptr;
  trawl_options_new(&raw_options);
  Owned<trawl_options> options(raw_options);
  trawl_options_set_int(options.get(), TRAWL_OPT_COMPILE_TARGET, settings.target);
  trawl_options_set_int(options.get(), TRAWL_OPT_COMPILE_THREADS, settings.threads);
  trawl_options_set_int(options.get(), TRAWL_OPT_SCAN_PLAN, settings.plan ? 1 : 0);
  trawl_options_set_int(options.get(), TRAWL_OPT_TOKEN_PASS, settings.token_pass ? 1 : 0);
  trawl_options_set_string(options.get(), TRAWL_OPT_COMPILE_CACHE_DIR, settings.cache_dir.c_str());
  if (kStderrIsTerminal) trawl_options_set_progress(options.get(), ProgressLine, nullptr);
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

bool ParseInt(const char* text, int64_t* out) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value < 0) return false;
  *out = value;
  return true;
}

int WriteBuffer(const trawl_buffer* buffer) {
  std::fwrite(trawl_buffer_data(buffer), 1, trawl_buffer_size(buffer), stdout);
  return std::ferror(stdout) ? 1 : 0;
}

// To `output`, or stdout when it is "".
int WriteBufferTo(const trawl_buffer* buffer, const std::string& output) {
  if (output.empty()) return WriteBuffer(buffer);
  std::ofstream out(output, std::ios::binary);
  out.write(trawl_buffer_data(buffer), static_cast<std::streamsize>(trawl_buffer_size(buffer)));
  return out.good() ? 0 : Error(output.c_str(), TRAWL_E_IO);
}

int CmdRulesCheck(std::vector<std::string> args) {
  bool strict = false;
  CompileSettings settings;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--strict") {
      strict = true;
    } else if (ParseCompileFlag(args, &i, &settings)) {
      continue;
    } else if (!args[i].empty() && args[i][0] == '-') {
      return Usage();
    } else {
      settings.files.push_back(args[i]);
    }
  }
  if (settings.files.empty()) return Usage();
  size_t issues = 0;
  double seconds = 0;
  Owned<trawl_db> db = Compile(settings, &issues, &seconds);
  if (!db) return 1;
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
  return ok ? 0 : 1;
}

// Imports rule files of any format and writes them as one trawl JSON file; the
// accounting of each file goes to stderr, with a note per approximated rule.
int CmdRulesImport(std::vector<std::string> args) {
  std::string format = "auto", output;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--format" && has_value) {
      format = args[++i];
    } else if (args[i] == "-o" && has_value) {
      output = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      return Usage();
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) return Usage();
  size_t issues = 0;
  Owned<trawl_rules> rules = LoadRules(files, format, &issues, /*print_notes=*/true);
  if (!rules) return 1;
  trawl_buffer* raw = nullptr;
  const trawl_status status = trawl_rules_export_json(&raw, rules.get());
  if (status != TRAWL_OK) return Error("export", status);
  Owned<trawl_buffer> json(raw);
  std::fprintf(stderr, "trawl: %zu rules imported, %zu rejected or with problems\n",
               trawl_rules_count(rules.get()), issues);
  return WriteBufferTo(json.get(), output);
}

int CmdRulesProfile(std::vector<std::string> args) {
  CompileSettings settings;
  std::string input_path;
  int64_t top = 20;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--input" && has_value) {
      input_path = args[++i];
    } else if (args[i] == "--top" && has_value) {
      if (!ParseInt(args[++i].c_str(), &top)) return Usage();
    } else if (ParseCompileFlag(args, &i, &settings)) {
      continue;
    } else if (!args[i].empty() && args[i][0] == '-') {
      return Usage();
    } else {
      settings.files.push_back(args[i]);
    }
  }
  if (input_path.empty() || settings.files.empty()) return Usage();
  size_t issues = 0;
  double seconds = 0;
  Owned<trawl_db> db = Compile(settings, &issues, &seconds);
  if (!db) return 1;
  std::FILE* f = std::fopen(input_path.c_str(), "rb");
  if (f == nullptr) return Error(input_path.c_str(), TRAWL_E_IO);
  std::string input;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) input.append(buf, n);
  std::fclose(f);
  trawl_buffer* raw = nullptr;
  const trawl_status status =
      trawl_db_profile(&raw, db.get(), input.data(), input.size(), static_cast<uint32_t>(top));
  if (status != TRAWL_OK) return Error("profile", status);
  Owned<trawl_buffer> report(raw);
  std::fprintf(stderr, "trawl: compiled %zu definitions in %.2f s\n", trawl_db_rule_count(db.get()),
               seconds);
  return WriteBuffer(report.get());
}

int CmdCompile(std::vector<std::string> args) {
  CompileSettings settings;
  std::string output, report_path;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "-o" && has_value) {
      output = args[++i];
    } else if (a == "--report" && has_value) {
      report_path = args[++i];
    } else if (a == "--indicators" && has_value) {
      settings.feeds.push_back(args[++i]);
    } else if (a == "--threads" && has_value) {
      if (!ParseInt(args[++i].c_str(), &settings.threads)) return Usage();
    } else if (a == "--target" && has_value) {
      const std::string t = args[++i];
      if (t == "host") settings.target = TRAWL_TARGET_HOST;
      else if (t == "portable") settings.target = TRAWL_TARGET_PORTABLE;
      else if (t == "avx2") settings.target = TRAWL_TARGET_AVX2;
      else if (t == "avx512") settings.target = TRAWL_TARGET_AVX512;
      else return Usage();
    } else if (ParseCompileFlag(args, &i, &settings)) {
      continue;
    } else if (!a.empty() && a[0] == '-') {
      return Usage();
    } else {
      settings.files.push_back(a);
    }
  }
  if (output.empty() || settings.files.empty()) return Usage();
  size_t issues = 0;
  double seconds = 0;
  Owned<trawl_db> db = Compile(settings, &issues, &seconds);
  if (!db) return 1;
  const Counts counts = CountRules(db.get(), false);
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_status status = trawl_db_save_file(db.get(), output.c_str(), &err);
  if (status != TRAWL_OK) return Error("save", status, &err);
  if (!report_path.empty()) {
    trawl_buffer* raw = nullptr;
    trawl_db_describe(&raw, db.get(), 1);
    Owned<trawl_buffer> report(raw);
    std::FILE* f = std::fopen(report_path.c_str(), "wb");
    if (f == nullptr) return Error(report_path.c_str(), TRAWL_E_IO);
    std::fwrite(trawl_buffer_data(report.get()), 1, trawl_buffer_size(report.get()), f);
    std::fclose(f);
  }
  std::fprintf(stderr,
               "trawl: compiled %zu definitions in %.2f s: %llu compiled, %llu prefiltered, "
               "%llu rejected, %llu token pass; %llu threat indicators (%zu load issues) -> %s\n",
               trawl_db_rule_count(db.get()), seconds,
               static_cast<unsigned long long>(counts.compiled),
               static_cast<unsigned long long>(counts.prefiltered),
               static_cast<unsigned long long>(counts.rejected),
               static_cast<unsigned long long>(counts.token),
               static_cast<unsigned long long>(trawl_db_indicator_count(db.get())), issues,
               output.c_str());
  return issues == 0 ? 0 : 1;
}

// Writes one JSON line per match. Everything that does not change from match to match is
// formatted once: the input's name per input, a rule's id, category and severity the first
// time the rule matches (a scan can report millions of matches of a few thousand rules).
// Lines collect in one buffer that goes to stdout in large writes.
class ScanOutput {
 public:
  explicit ScanOutput(const trawl_db* db) : db_(db), rule_fields_(trawl_db_rule_count(db)) {}
  ~ScanOutput() { Flush(); }

  void BeginInput(const std::string& name) {
    input_field_.assign("{\"input\":");
    AppendJsonString(&input_field_, name);
  }

  static int Print(const trawl_match* m, void* user_data) {
    static_cast<ScanOutput*>(user_data)->Append(*m);
    return 0;
  }

  bool Flush() {
    if (!out_.empty()) std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
    return std::ferror(stdout) == 0;
  }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;

  void AppendNumber(uint64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, static_cast<size_t>(end - digits));
  }

  const std::string& RuleFields(uint32_t rule) {
    std::string& fields = rule_fields_[rule];
    if (fields.empty()) {
      static const char* const kSeverity[] = {"info", "low", "medium", "high", "critical"};
      trawl_rule_info info = TRAWL_RULE_INFO_INIT;
      trawl_db_rule(&info, db_, rule);
      fields.assign(",\"rule\":");
      AppendJsonString(&fields, info.id);
      fields.append(",\"category\":");
      AppendJsonString(&fields, info.category);
      fields.append(",\"severity\":\"").append(kSeverity[info.severity]).append("\"");
    }
    return fields;
  }

  void Append(const trawl_match& m) {
    out_.append(input_field_);
    out_.append(RuleFields(m.rule_index));
    out_.append(",\"start\":");
    AppendNumber(m.start);
    out_.append(",\"end\":");
    AppendNumber(m.end);
    out_.append(",\"text\":");
    if (m.data == nullptr) {
      out_.append("null");  // a composite match spanning bytes the stream no longer holds
    } else {
      AppendJsonString(&out_, std::string_view(m.data, m.end - m.start));
    }
    out_.append(",\"captures\":[");
    for (uint32_t g = 0; g < m.capture_count; ++g) {
      if (g) out_.push_back(',');
      const int64_t s = m.captures[2 * g], e = m.captures[2 * g + 1];
      if (s < 0 || m.data == nullptr) {
        out_.append("null");
        continue;
      }
      out_.append("{\"start\":");
      AppendNumber(static_cast<uint64_t>(s));
      out_.append(",\"end\":");
      AppendNumber(static_cast<uint64_t>(e));
      out_.append(",\"text\":");
      AppendJsonString(&out_, std::string_view(m.data + (s - static_cast<int64_t>(m.start)),
                                               static_cast<size_t>(e - s)));
      out_.push_back('}');
    }
    out_.append("]}\n");
    if (out_.size() >= kFlushBytes) Flush();
  }

  const trawl_db* db_;
  std::vector<std::string> rule_fields_;  // by rule index; "" until the rule first matches
  std::string input_field_;
  std::string out_;
};

int CmdScan(std::vector<std::string> args) {
  std::string db_path;
  std::vector<std::string> inputs;
  trawl_options* raw_options = nullptr;
  trawl_options_new(&raw_options);
  Owned<trawl_options> options(raw_options);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    int64_t value = 0;
    int32_t key = 0;
    if (a == "--db" && has_value) {
      db_path = args[++i];
      continue;
    }
    if (a == "--max-matches") key = TRAWL_OPT_MAX_MATCHES;
    else if (a == "--max-matches-per-rule") key = TRAWL_OPT_MAX_MATCHES_PER_RULE;
    else if (a == "--max-bytes") key = TRAWL_OPT_MAX_BYTES;
    else if (a == "--time-budget-ms") key = TRAWL_OPT_TIME_BUDGET_MS;
    if (key != 0) {
      if (!has_value || !ParseInt(args[++i].c_str(), &value) ||
          trawl_options_set_int(options.get(), key, value) != TRAWL_OK) {
        return Usage();
      }
      continue;
    }
    if (a.size() > 1 && a[0] == '-') return Usage();
    inputs.push_back(a);
  }
  if (db_path.empty()) return Usage();
  if (inputs.empty()) inputs.push_back("-");
  trawl_db* raw_db = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_status status = trawl_db_load_file(&raw_db, db_path.c_str(), &err);
  if (status != TRAWL_OK) return Error(db_path.c_str(), status, &err);
  Owned<trawl_db> db(raw_db);
  int exit_code = 0;
  std::vector<char> chunk(8 << 20);
  ScanOutput output(db.get());
  for (const std::string& input : inputs) {
    std::FILE* f = input == "-" ? stdin : std::fopen(input.c_str(), "rb");
    if (f == nullptr) {
      std::fprintf(stderr, "trawl: %s: cannot open\n", input.c_str());
      exit_code = 1;
      continue;
    }
    trawl_stream* raw_stream = nullptr;
    status = trawl_stream_new(&raw_stream, db.get(), options.get());
    if (status != TRAWL_OK) return Error("stream", status);
    Owned<trawl_stream> stream(raw_stream);
    output.BeginInput(input);
    uint64_t read_total = 0;
    size_t n;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0) {
      read_total += n;
      status = trawl_stream_write(stream.get(), chunk.data(), n, ScanOutput::Print, &output);
      if (status != TRAWL_OK) break;
      if (kStderrIsTerminal) {
        std::fprintf(stderr, "\rscan %s: %llu MiB", input.c_str(),
                     static_cast<unsigned long long>(read_total >> 20));
      }
    }
    const bool read_error = std::ferror(f) != 0;
    if (f != stdin) std::fclose(f);
    if (kStderrIsTerminal) std::fputc('\n', stderr);
    trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
    if (status == TRAWL_OK) {
      status = trawl_stream_finish(stream.get(), ScanOutput::Print, &output, &result);
    }
    if (!output.Flush()) {
      Error("stdout", TRAWL_E_IO);
      return 1;
    }
    if (status != TRAWL_OK && status != TRAWL_STOPPED) {
      Error(input.c_str(), status);
      exit_code = 1;
      continue;
    }
    if (read_error) {
      std::fprintf(stderr, "trawl: %s: read error after %llu bytes\n", input.c_str(),
                   static_cast<unsigned long long>(read_total));
      exit_code = 1;
    }
    std::fprintf(stderr, "trawl: %s: %llu bytes, %llu matches%s%s\n", input.c_str(),
                 static_cast<unsigned long long>(result.bytes_scanned),
                 static_cast<unsigned long long>(result.matches),
                 result.truncation ? ", TRUNCATED: " : "",
                 result.truncation ? (result.truncation & TRAWL_TRUNC_TIME_BUDGET   ? "time budget"
                                      : result.truncation & TRAWL_TRUNC_BYTE_BUDGET ? "byte budget"
                                      : result.truncation & TRAWL_TRUNC_MATCH_CAP   ? "match cap"
                                      : result.truncation & TRAWL_TRUNC_RULE_MATCH_CAP
                                          ? "per-rule match cap"
                                          : "confirmation limit")
                                   : "");
  }
  return exit_code;
}

int CmdDbInfo(std::vector<std::string> args) {
  bool rules = false;
  std::string path;
  for (const auto& a : args) {
    if (a == "--rules") {
      rules = true;
    } else {
      path = a;
    }
  }
  if (path.empty()) return Usage();
  const auto begin = std::chrono::steady_clock::now();
  trawl_db* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status = trawl_db_load_file(&raw, path.c_str(), &err);
  if (status != TRAWL_OK) return Error(path.c_str(), status, &err);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  Owned<trawl_db> db(raw);
  trawl_buffer* raw_info = nullptr;
  trawl_db_describe(&raw_info, db.get(), rules ? 1 : 0);
  Owned<trawl_buffer> info(raw_info);
  std::printf("%s\n", trawl_buffer_data(info.get()));
  std::fprintf(stderr, "trawl: loaded %s in %.1f ms\n", path.c_str(), ms);
  return 0;
}


int CmdDecompose(std::vector<std::string> args) {
  std::string directory, package;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      directory = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      return Usage();
    } else {
      package = args[i];
    }
  }
  if (package.empty()) return Usage();
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      directory.empty()
          ? trawl_package_decompose_file(&raw, package.c_str(), nullptr, &err)
          : trawl_package_decompose_to_directory(&raw, package.c_str(), directory.c_str(), nullptr,
                                                 &err);
  if (status != TRAWL_OK) return Error(package.c_str(), status, &err);
  Owned<trawl_buffer> manifest(raw);
  return WriteBuffer(manifest.get());
}

int CmdClassify(std::vector<std::string> args) {
  std::string db_path, package;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--db" && i + 1 < args.size()) {
      db_path = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      return Usage();
    } else {
      package = args[i];
    }
  }
  if (package.empty()) return Usage();
  trawl_error err = TRAWL_ERROR_INIT;
  Owned<trawl_db> db;
  if (!db_path.empty()) {
    trawl_db* raw_db = nullptr;
    const trawl_status status = trawl_db_load_file(&raw_db, db_path.c_str(), &err);
    if (status != TRAWL_OK) return Error(db_path.c_str(), status, &err);
    db.reset(raw_db);
  }
  trawl_buffer* raw = nullptr;
  const trawl_status status =
      trawl_package_classify_file(&raw, db.get(), package.c_str(), nullptr, &err);
  if (status != TRAWL_OK) return Error(package.c_str(), status, &err);
  Owned<trawl_buffer> plans(raw);
  return WriteBuffer(plans.get());
}

// True when the report goes to a file: `-o FILE`, or stdout redirected to a regular file.
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

// Options shared by the commands that write a report.
struct ReportSettings {
  int32_t format = TRAWL_REPORT_JSON;
  std::string policy, suppressions, baseline, fingerprint_key_file, default_region;
  std::optional<bool> values;  // unset: the default of the context (Resolve)
  std::string fingerprint_key;

  // Consumes args[*i] (and its value) when it is a report option; false otherwise.
  bool Parse(const std::vector<std::string>& args, size_t* i, bool* bad) {
    const std::string& a = args[*i];
    const bool has_value = *i + 1 < args.size();
    if (a == "--no-values" || a == "--values") {
      values = a == "--values";
      return true;
    }
    if (a == "--fingerprint-key") {
      // argv is readable by every user of the machine (ps, /proc/<pid>/cmdline).
      std::fputs(
          "trawl: --fingerprint-key is not accepted: a key on the command line is visible to "
          "every user; use --fingerprint-key-file FILE or the TRAWL_FINGERPRINT_KEY "
          "environment variable\n",
          stderr);
      *bad = true;
      return true;
    }
    if (!has_value) return false;
    if (a == "--format") {
      const std::string& f = args[++*i];
      if (f == "json") format = TRAWL_REPORT_JSON;
      else if (f == "table") format = TRAWL_REPORT_TABLE;
      else if (f == "sarif") format = TRAWL_REPORT_SARIF;
      else *bad = true;
    } else if (a == "--policy") {
      policy = args[++*i];
    } else if (a == "--suppressions") {
      suppressions = args[++*i];
    } else if (a == "--baseline") {
      baseline = args[++*i];
    } else if (a == "--fingerprint-key-file") {
      fingerprint_key_file = args[++*i];
    } else if (a == "--default-region") {
      default_region = args[++*i];
    } else {
      return false;
    }
    return true;
  }

  // Reads the key (--fingerprint-key-file, else TRAWL_FINGERPRINT_KEY) and settles
  // whether values are kept: in CI, a report written to a file keeps none unless
  // --values says so (CI artifacts and caches are widely readable). Prints what it
  // decided when it matters; false when the key file cannot be read.
  bool Resolve(bool to_file) {
    if (!fingerprint_key_file.empty()) {
      if (!ReadWholeFile(fingerprint_key_file, &fingerprint_key)) {
        Error(fingerprint_key_file.c_str(), TRAWL_E_IO);
        return false;
      }
      while (!fingerprint_key.empty() &&
             (fingerprint_key.back() == '\n' || fingerprint_key.back() == '\r' ||
              fingerprint_key.back() == ' ')) {
        fingerprint_key.pop_back();
      }
      if (fingerprint_key.empty() || fingerprint_key.find('\0') != std::string::npos) {
        std::fprintf(stderr, "trawl: %s: the key file is empty or holds a NUL byte\n",
                     fingerprint_key_file.c_str());
        return false;
      }
    } else if (const char* env = std::getenv("TRAWL_FINGERPRINT_KEY"); env != nullptr) {
      fingerprint_key = env;
    }
    if (!values.has_value()) {
      values = !(to_file && InCi());
      if (!*values) {
        std::fputs("trawl: CI: the report is written to a file, so it keeps no values "
                   "(--values keeps them)\n",
                   stderr);
      }
    }
    if (!*values && fingerprint_key.empty()) {
      std::fputs("trawl: note: fingerprints use the public default key, so a guessable value "
                 "(a phone number, an IP address) can be found from its fingerprint; set "
                 "TRAWL_FINGERPRINT_KEY or --fingerprint-key-file\n",
                 stderr);
    }
    return true;
  }

  // False (after saying why) when an option's value is not accepted.
  bool Apply(trawl_options* options) const {
    trawl_options_set_int(options, TRAWL_OPT_INCLUDE_VALUES, values.value_or(true) ? 1 : 0);
    trawl_options_set_string(options, TRAWL_OPT_POLICY_FILE, policy.c_str());
    trawl_options_set_string(options, TRAWL_OPT_SUPPRESSIONS_FILE, suppressions.c_str());
    trawl_options_set_string(options, TRAWL_OPT_BASELINE_FILE, baseline.c_str());
    trawl_options_set_string(options, TRAWL_OPT_FINGERPRINT_KEY, fingerprint_key.c_str());
    if (trawl_options_set_string(options, TRAWL_OPT_DEFAULT_REGION, default_region.c_str()) !=
        TRAWL_OK) {
      std::fprintf(stderr, "trawl: --default-region %s: not a region libphonenumber knows\n",
                   default_region.c_str());
      return false;
    }
    return true;
  }
};

Owned<trawl_options> NewOptions() {
  trawl_options* raw = nullptr;
  trawl_options_new(&raw);
  return Owned<trawl_options>(raw);
}

Owned<trawl_db> LoadDb(const std::string& path) {
  trawl_db* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status = trawl_db_load_file(&raw, path.c_str(), &err);
  if (status != TRAWL_OK) {
    Error(path.c_str(), status, &err);
    return nullptr;
  }
  return Owned<trawl_db>(raw);
}

int CmdAnalyze(std::vector<std::string> args) {
  std::string db_path, package, output;
  ReportSettings report_settings;
  trawl_cli::GitFlags git;
  int64_t threads = 0;
  // Budgets (0: unlimited): matches and bytes per component scan, time for the whole
  // package, content held in memory at once. A budget that stops work makes the report
  // incomplete and says why.
  std::vector<std::pair<int32_t, int64_t>> budgets;
  const std::pair<const char*, int32_t> budget_flags[] = {
      {"--max-matches", TRAWL_OPT_MAX_MATCHES},
      {"--max-matches-per-rule", TRAWL_OPT_MAX_MATCHES_PER_RULE},
      {"--max-bytes", TRAWL_OPT_MAX_BYTES},
      {"--time-budget-ms", TRAWL_OPT_TIME_BUDGET_MS},
      {"--max-inflight-bytes", TRAWL_OPT_MAX_INFLIGHT_BYTES}};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    bool bad = false;
    bool is_budget = false;
    for (const auto& [flag, key] : budget_flags) {
      if (a == flag && i + 1 < args.size()) {
        int64_t value = 0;
        if (!ParseInt(args[++i].c_str(), &value)) return Usage();
        budgets.emplace_back(key, value);
        is_budget = true;
      }
    }
    if (is_budget) continue;
    if (report_settings.Parse(args, &i, &bad) || trawl_cli::ParseGitFlag(args, &i, &git, &bad)) {
      if (bad) return Usage();
    } else if (a == "--db" && i + 1 < args.size()) {
      db_path = args[++i];
    } else if (a == "-o" && i + 1 < args.size()) {
      output = args[++i];
    } else if (a == "--threads" && i + 1 < args.size()) {
      if (!ParseInt(args[++i].c_str(), &threads)) return Usage();
    } else if (!a.empty() && a[0] == '-') {
      return Usage();
    } else {
      package = a;
    }
  }
  if (db_path.empty() || package.empty() == git.repository.empty()) return Usage();
  if (!report_settings.Resolve(WritesToFile(output))) return 1;
  Owned<trawl_db> db = LoadDb(db_path);
  if (!db) return 1;
  Owned<trawl_options> options = NewOptions();
  trawl_options_set_int(options.get(), TRAWL_OPT_COMPILE_THREADS, threads);
  for (const auto& [key, value] : budgets) {
    if (trawl_options_set_int(options.get(), key, value) != TRAWL_OK) return Usage();
  }
  if (!report_settings.Apply(options.get())) return 2;
  if (kStderrIsTerminal) trawl_options_set_progress(options.get(), ProgressLine, nullptr);
  trawl_buffer* raw_report = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      git.repository.empty()
          ? trawl_package_analyze_file(&raw_report, db.get(), package.c_str(), options.get(),
                                       report_settings.format, &err)
          : trawl_cli::AnalyzeGitRepository(&raw_report, db.get(), git, options.get(),
                                            report_settings.format, &err);
  if (status != TRAWL_OK) {
    return Error(git.repository.empty() ? package.c_str() : git.repository.c_str(), status, &err);
  }
  Owned<trawl_buffer> report(raw_report);
  return WriteBufferTo(report.get(), output);
}

int CmdWork(std::vector<std::string> args) {
  if (args.size() != 1) return Usage();
  std::string manifest;
  if (!ReadWholeFile(args[0], &manifest)) return Error(args[0].c_str(), TRAWL_E_IO);
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status = trawl_manifest_work(&raw, manifest.data(), manifest.size(), &err);
  if (status != TRAWL_OK) return Error(args[0].c_str(), status, &err);
  Owned<trawl_buffer> work(raw);
  return WriteBuffer(work.get());
}

// trawl plan / trawl analyze-component: one component of a decomposed package.
int CmdComponentStage(std::vector<std::string> args, bool analyze) {
  std::string db_path, manifest_path, component, content_path, output;
  ReportSettings settings;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    bool bad = false;
    if (analyze && settings.Parse(args, &i, &bad)) {
      if (bad || settings.format != TRAWL_REPORT_JSON) return Usage();
    } else if (a == "--db" && has_value) {
      db_path = args[++i];
    } else if (a == "--manifest" && has_value) {
      manifest_path = args[++i];
    } else if (a == "--component" && has_value) {
      component = args[++i];
    } else if (a == "-o" && has_value) {
      output = args[++i];
    } else if (!a.empty() && a[0] == '-') {
      return Usage();
    } else {
      content_path = a;
    }
  }
  if (manifest_path.empty() || component.empty() || content_path.empty()) return Usage();
  if (analyze && db_path.empty()) return Usage();
  std::string manifest, content;
  if (!ReadWholeFile(manifest_path, &manifest)) return Error(manifest_path.c_str(), TRAWL_E_IO);
  if (!ReadWholeFile(content_path, &content)) return Error(content_path.c_str(), TRAWL_E_IO);
  Owned<trawl_db> db;
  if (!db_path.empty()) {
    db = LoadDb(db_path);
    if (!db) return 1;
  }
  if (analyze && !settings.Resolve(WritesToFile(output))) return 1;
  Owned<trawl_options> options = NewOptions();
  if (!settings.Apply(options.get())) return 2;
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      analyze ? trawl_component_analyze(&raw, db.get(), manifest.data(), manifest.size(),
                                        component.c_str(), content.data(), content.size(),
                                        options.get(), &err)
              : trawl_component_plan(&raw, db.get(), manifest.data(), manifest.size(),
                                     component.c_str(), content.data(), content.size(),
                                     options.get(), &err);
  if (status != TRAWL_OK) return Error(component.c_str(), status, &err);
  Owned<trawl_buffer> document(raw);
  return WriteBufferTo(document.get(), output);
}

int CmdAggregate(std::vector<std::string> args) {
  std::string manifest_path;
  ReportSettings settings;
  std::vector<std::string> result_paths;
  for (size_t i = 0; i < args.size(); ++i) {
    bool bad = false;
    if (settings.Parse(args, &i, &bad)) {
      if (bad) return Usage();
    } else if (args[i] == "--manifest" && i + 1 < args.size()) {
      manifest_path = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      return Usage();
    } else {
      result_paths.push_back(args[i]);
    }
  }
  if (manifest_path.empty()) return Usage();
  if (!settings.Resolve(WritesToFile(""))) return 1;
  std::string manifest;
  if (!ReadWholeFile(manifest_path, &manifest)) return Error(manifest_path.c_str(), TRAWL_E_IO);
  std::vector<std::string> results(result_paths.size());
  std::vector<const char*> data;
  std::vector<size_t> lens;
  for (size_t i = 0; i < result_paths.size(); ++i) {
    if (!ReadWholeFile(result_paths[i], &results[i])) {
      return Error(result_paths[i].c_str(), TRAWL_E_IO);
    }
    data.push_back(results[i].data());
    lens.push_back(results[i].size());
  }
  Owned<trawl_options> options = NewOptions();
  if (!settings.Apply(options.get())) return 2;
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      trawl_report_aggregate(&raw, manifest.data(), manifest.size(), data.data(), lens.data(),
                             data.size(), options.get(), settings.format, &err);
  if (status != TRAWL_OK) {
    const bool names_result = err.index >= 0 && static_cast<size_t>(err.index) < result_paths.size();
    return Error(names_result ? result_paths[err.index].c_str() : "aggregate", status, &err);
  }
  Owned<trawl_buffer> report(raw);
  return WriteBuffer(report.get());
}

// trawl indicators add|replace FEED... --db DB -o NEWDB: a new artifact with the same
// rules and an updated indicator set; every feed entry accounted for on stderr.
int CmdIndicators(std::vector<std::string> args) {
  if (args.empty()) return Usage();
  const std::string mode = args[0];
  if (mode != "add" && mode != "replace") return Usage();
  std::string db_path, output, report_path;
  std::string feed, format, family, category, csv_column;
  int32_t severity = -1;
  double confidence = -1;
  std::vector<std::string> feeds;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--db" && has_value) db_path = args[++i];
    else if (a == "-o" && has_value) output = args[++i];
    else if (a == "--report" && has_value) report_path = args[++i];
    else if (a == "--feed" && has_value) feed = args[++i];
    else if (a == "--format" && has_value) format = args[++i];
    else if (a == "--family" && has_value) family = args[++i];
    else if (a == "--category" && has_value) category = args[++i];
    else if (a == "--csv-column" && has_value) csv_column = args[++i];
    else if (a == "--severity" && has_value) {
      static constexpr const char* kNames[] = {"info", "low", "medium", "high", "critical"};
      const std::string name = args[++i];
      for (int32_t s = 0; s < 5; ++s) {
        if (name == kNames[s]) severity = s;
      }
      if (severity < 0) return Usage();
    } else if (a == "--confidence" && has_value) {
      char* end = nullptr;
      confidence = std::strtod(args[++i].c_str(), &end);
      if (end == args[i].c_str() || *end != '\0' || confidence < 0 || confidence > 1) return Usage();
    } else if (!a.empty() && a[0] == '-') {
      return Usage();
    } else {
      feeds.push_back(a);
    }
  }
  if (db_path.empty() || output.empty() || feeds.empty()) return Usage();
  trawl_db* raw_db = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_status status = trawl_db_load_file(&raw_db, db_path.c_str(), &err);
  if (status != TRAWL_OK) return Error(db_path.c_str(), status, &err);
  Owned<trawl_db> db(raw_db);
  trawl_feed_options options = TRAWL_FEED_OPTIONS_INIT;
  options.feed = feed.empty() ? nullptr : feed.c_str();
  options.format = format.empty() ? nullptr : format.c_str();
  options.family = family.empty() ? nullptr : family.c_str();
  options.category = category.empty() ? nullptr : category.c_str();
  options.csv_column = csv_column.empty() ? nullptr : csv_column.c_str();
  options.severity = severity;
  options.confidence = confidence;
  std::vector<const char*> paths;
  for (const std::string& f : feeds) paths.push_back(f.c_str());
  const auto begin = std::chrono::steady_clock::now();
  trawl_db* raw_new = nullptr;
  trawl_buffer* raw_report = nullptr;
  status = trawl_db_update_indicators(&raw_new, &raw_report, db.get(), paths.data(), paths.size(),
                                      mode == "add" ? TRAWL_INDICATORS_ADD : TRAWL_INDICATORS_REPLACE,
                                      &options, &err);
  if (status != TRAWL_OK) return Error("indicators", status, &err);
  Owned<trawl_db> updated(raw_new);
  Owned<trawl_buffer> report(raw_report);
  status = trawl_db_save_file(updated.get(), output.c_str(), &err);
  if (status != TRAWL_OK) return Error("save", status, &err);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  // What became of every entry: JSON on stdout (or --report FILE), a summary on stderr.
  if (WriteBufferTo(report.get(), report_path) != 0) return 1;
  std::fprintf(stderr, "trawl: %s %zu feed(s) in %.2f s: %llu threat indicators -> %s\n",
               mode == "add" ? "added" : "replaced", feeds.size(), seconds,
               static_cast<unsigned long long>(trawl_db_indicator_count(updated.get())),
               output.c_str());
  return 0;
}

int CmdPolicy() {
  trawl_buffer* raw = nullptr;
  const trawl_status status = trawl_policy_default(&raw);
  if (status != TRAWL_OK) return Error("policy", status);
  Owned<trawl_buffer> policy(raw);
  return WriteBuffer(policy.get());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage();
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "rules" && !args.empty() && args[0] == "check") {
    return CmdRulesCheck({args.begin() + 1, args.end()});
  }
  if (command == "rules" && !args.empty() && args[0] == "import") {
    return CmdRulesImport({args.begin() + 1, args.end()});
  }
  if (command == "rules" && !args.empty() && args[0] == "profile") {
    return CmdRulesProfile({args.begin() + 1, args.end()});
  }
  if (command == "compile") return CmdCompile(args);
  if (command == "indicators") return CmdIndicators(args);
  if (command == "scan") return CmdScan(args);
  if (command == "db" && !args.empty() && args[0] == "info") {
    return CmdDbInfo({args.begin() + 1, args.end()});
  }
  if (command == "decompose") return CmdDecompose(args);
  if (command == "analyze") return CmdAnalyze(args);
  if (command == "classify") return CmdClassify(args);
  if (command == "work") return CmdWork(args);
  if (command == "plan") return CmdComponentStage(args, false);
  if (command == "analyze-component") return CmdComponentStage(args, true);
  if (command == "aggregate") return CmdAggregate(args);
  if (command == "policy" && args.empty()) return CmdPolicy();
  if (command == "build-info") {
    std::printf("%s\n", trawl_build_info());
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::printf("trawl %s\n", trawl_version_string());
    return 0;
  }
  return Usage();
}
