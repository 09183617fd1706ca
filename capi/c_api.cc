// File: c_api.cc
// The C ABI boundary: handles, status mapping and a catch-all around every entry point.
// No logic lives here; each function translates types and calls the C++ core.
#include <cstring>
#include <new>
#include <string>

#include "engine/artifact.h"
#include "engine/compiler.h"
#include "engine/indicator_set.h"
#include "engine/indicator_update.h"
#include "engine/inspect.h"
#include "engine/scanner.h"
#include "entities/phone_numbers.h"
#include "entities/rule_checks.h"
#include "analyze/component_result_json.h"
#include "intake/decompose.h"
#include "intake/manifest_json.h"
#include "pipeline/package_analysis.h"
#include "report/report.h"
#include "scan_plan/planner.h"
#include "rules/loader.h"
#include "trawl/trawl.h"
#include "util/file.h"
#include "util/status_codes.h"
#include "util/strings.h"

struct trawl_buffer {
  std::string bytes;
};

struct trawl_options {
  trawl::CompileOptions compile;
  trawl::ScanLimits limits;
  trawl::DecomposeLimits limits_package;
  trawl_progress_cb progress = nullptr;
  void* progress_user_data = nullptr;
  bool include_values = true;
  std::string fingerprint_key;
  std::string policy_file;
  std::string suppressions_file;
  std::string baseline_file;
  std::string default_region;
  bool scan_plan = true;
};

struct trawl_rules {
  trawl::RuleSet set;
};

struct trawl_db {
  std::shared_ptr<const trawl::Database> rep;
};

struct trawl_scratch {
  const trawl_db* db;
  std::unique_ptr<trawl::Scanner> rep;
};

struct trawl_stream {
  const trawl_db* db;
  std::unique_ptr<trawl::Scanner> rep;
  bool finished = false;
};

namespace {

void FillError(trawl_error* err, trawl_status code, std::string_view message, int64_t index = -1,
               int64_t offset = -1) {
  if (err == nullptr || err->struct_size < offsetof(trawl_error, message)) return;
  err->code = code;
  err->index = index;
  err->offset = offset;
  if (err->struct_size >= sizeof(trawl_error)) {
    const size_t n = std::min(message.size(), sizeof err->message - 1);
    std::memcpy(err->message, message.data(), n);
    err->message[n] = '\0';
  }
}

trawl_status Fail(trawl_error* err, trawl_status code, std::string_view message) {
  FillError(err, code, message);
  return code;
}

trawl_status CodeFor(const absl::Status& status) {
  if (status.ok()) return TRAWL_OK;
  if (auto code = trawl::CodeOf(status)) return *code;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: return TRAWL_E_INVALID;
    case absl::StatusCode::kResourceExhausted: return TRAWL_E_NOMEM;
    case absl::StatusCode::kFailedPrecondition: return TRAWL_E_STATE;
    case absl::StatusCode::kDataLoss: return TRAWL_E_CORRUPT;
    case absl::StatusCode::kNotFound: return TRAWL_E_NOT_FOUND;
    case absl::StatusCode::kPermissionDenied: return TRAWL_E_IO;
    case absl::StatusCode::kUnimplemented: return TRAWL_E_UNSUPPORTED;
    default: return TRAWL_E_INTERNAL;
  }
}

trawl_status FromStatus(const absl::Status& status, trawl_error* err) {
  const trawl_status code = CodeFor(status);
  if (code != TRAWL_OK) FillError(err, code, std::string(status.message()));
  return code;
}

// Runs `body`, turning any exception into a status: none may cross the C boundary.
template <typename Body>
trawl_status Guard(trawl_error* err, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(err, TRAWL_E_NOMEM, "out of memory");
  } catch (...) {
    return Fail(err, TRAWL_E_INTERNAL, "unexpected internal exception");
  }
}

template <typename T>
bool StructOk(const T* s) {
  return s != nullptr && s->struct_size >= sizeof(size_t);
}

// Copies a C struct's known fields, accepting older (shorter) structs.
template <typename T>
void WriteStruct(T* out, const T& value) {
  const size_t n = std::min(out->struct_size, sizeof(T));
  const size_t size = out->struct_size;
  std::memcpy(static_cast<void*>(out), &value, n);
  out->struct_size = size;
}

trawl_status AddRuleSet(trawl_rules* rules, absl::StatusOr<trawl::RuleSet> loaded,
                        trawl_error* err) {
  if (!loaded.ok()) return FromStatus(loaded.status(), err);
  trawl::CheckEntityFieldsOf(&*loaded);
  const size_t issues_before = rules->set.issues.size();
  rules->set.Merge(*std::move(loaded));
  if (rules->set.issues.size() == issues_before) return TRAWL_OK;
  const trawl::LoadIssue& first = rules->set.issues[issues_before];
  FillError(err, TRAWL_E_PARSE, first.ToString(), first.index, first.offset);
  return TRAWL_E_PARSE;
}

// trawl_feed_options -> FeedOptions; false (with *why) for a bad value.
bool ReadFeedOptions(const trawl_feed_options* in, trawl::FeedOptions* out, std::string* why) {
  if (in == nullptr) return true;
  if (!StructOk(in)) {
    *why = "bad trawl_feed_options struct_size";
    return false;
  }
  trawl_feed_options o = TRAWL_FEED_OPTIONS_INIT;
  std::memcpy(static_cast<void*>(&o), in, std::min(in->struct_size, sizeof o));
  if (o.feed) out->feed = o.feed;
  if (o.format) {
    auto format = trawl::FeedFormatFromName(o.format);
    if (!format) {
      *why = trawl::StrCat("unknown feed format '", o.format, "'");
      return false;
    }
    out->format = *format;
  }
  if (o.family) out->family = o.family;
  if (o.category) out->category = o.category;
  if (o.severity >= 0) {
    if (o.severity > TRAWL_SEVERITY_CRITICAL) {
      *why = "severity outside TRAWL_SEVERITY_INFO..TRAWL_SEVERITY_CRITICAL";
      return false;
    }
    out->severity = static_cast<trawl::Severity>(o.severity);
  }
  if (o.confidence >= 0) {
    if (o.confidence > 1) {
      *why = "confidence above 1";
      return false;
    }
    out->confidence = o.confidence;
  }
  if (o.csv_column) out->csv_column = o.csv_column;
  return true;
}

trawl_status FeedReadStatus(const absl::Status& status, trawl_error* err) {
  const auto code = status.code();
  if (code == absl::StatusCode::kNotFound || code == absl::StatusCode::kDataLoss ||
      code == absl::StatusCode::kPermissionDenied) {
    return Fail(err, TRAWL_E_IO, std::string(status.message()));
  }
  if (code == absl::StatusCode::kInvalidArgument) {
    return Fail(err, TRAWL_E_PARSE, std::string(status.message()));
  }
  return FromStatus(status, err);
}

void FillResult(trawl_scan_result* result, const trawl::ScanSummary& summary) {
  if (!StructOk(result)) return;
  trawl_scan_result value = TRAWL_SCAN_RESULT_INIT;
  value.bytes_scanned = summary.bytes_scanned;
  value.matches = summary.matches;
  value.confirm_errors = summary.confirm_errors;
  value.truncation = summary.truncation;
  WriteStruct(result, value);
}

// Adapts a C callback to the core's sink.
struct CallbackSink {
  trawl_match_cb callback;
  void* user_data;
  bool operator()(const trawl::Match& m) const {
    if (callback == nullptr) return true;
    trawl_match match;
    match.struct_size = sizeof match;
    match.rule_index = m.rule;
    match.flags = 0;
    match.start = m.start;
    match.end = m.end;
    match.data = m.text.data();
    match.capture_count = m.capture_count;
    match.captures = m.captures;
    return callback(&match, user_data) == 0;
  }
};

const trawl::ScanLimits& LimitsOf(const trawl_options* options) {
  static const trawl::ScanLimits kDefaults;
  return options ? options->limits : kDefaults;
}

// Decomposes `path`; with a directory, also writes every unique content there.
trawl_status Decompose(trawl_buffer** out, const char* path, const char* directory,
                       const trawl_options* options, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
  return Guard(err, [&] {
    trawl::PackageOptions package;
    if (options) package.limits = options->limits_package;
    auto decompose = trawl::PackageDecomposeOptions(path, package);
    if (!decompose.ok()) return Fail(err, TRAWL_E_IO, std::string(decompose.status().message()));
    auto manifest =
        directory != nullptr
            ? trawl::DecomposeFileToDirectory(path, *decompose, directory)
            : trawl::DecomposeFile(path, *decompose, [](const trawl::Component&, std::string_view) {
                return absl::OkStatus();
              });
    if (!manifest.ok()) return Fail(err, TRAWL_E_IO, std::string(manifest.status().message()));
    *out = new trawl_buffer{trawl::ManifestToJson(*manifest, 2)};
    return TRAWL_OK;
  });
}

trawl::AnalyzeOptions AnalyzeOptionsOf(const trawl_options* options) {
  trawl::AnalyzeOptions analyze;
  if (options) {
    analyze.limits = options->limits;
    analyze.include_values = options->include_values;
    if (!options->fingerprint_key.empty()) analyze.fingerprint_key = options->fingerprint_key;
    analyze.default_region = options->default_region;
  }
  return analyze;
}

// Reads the policy, allow-list and baseline files the options name.
trawl_status AggregateOptionsOf(const trawl_options* options, trawl::AggregateOptions* out,
                                trawl_error* err) {
  if (options == nullptr) return TRAWL_OK;
  out->include_values = options->include_values;
  const auto read = [&](const std::string& path, std::string_view what,
                        std::string* text) -> trawl_status {
    auto bytes = trawl::ReadFile(path);
    if (!bytes.ok()) {
      return Fail(err, TRAWL_E_IO, trawl::StrCat(what, " ", path, ": ", bytes.status().message()));
    }
    *text = *std::move(bytes);
    return TRAWL_OK;
  };
  const auto parse_error = [&](std::string_view what, const std::string& path,
                               const absl::Status& status) {
    return Fail(err, TRAWL_E_PARSE, trawl::StrCat(what, " ", path, ": ", status.message()));
  };
  std::string text;
  if (!options->policy_file.empty()) {
    if (trawl_status s = read(options->policy_file, "policy", &text)) return s;
    auto policy = trawl::PolicyFromJson(text);
    if (!policy.ok()) return parse_error("policy", options->policy_file, policy.status());
    out->policy = *std::move(policy);
  }
  if (!options->suppressions_file.empty()) {
    if (trawl_status s = read(options->suppressions_file, "suppressions", &text)) return s;
    auto rules = trawl::SuppressionRulesFromJson(text);
    if (!rules.ok()) return parse_error("suppressions", options->suppressions_file, rules.status());
    out->suppressions.rules = *std::move(rules);
  }
  if (!options->baseline_file.empty()) {
    if (trawl_status s = read(options->baseline_file, "baseline", &text)) return s;
    auto baseline = trawl::BaselineFromJson(text);
    if (!baseline.ok()) return parse_error("baseline", options->baseline_file, baseline.status());
    out->suppressions.baseline = *std::move(baseline);
    const size_t slash = options->baseline_file.find_last_of('/');
    out->suppressions.baseline_name =
        slash == std::string::npos ? options->baseline_file : options->baseline_file.substr(slash + 1);
  }
  return TRAWL_OK;
}

absl::StatusOr<std::string> RenderReport(const trawl::PackageReport& report, int32_t format) {
  switch (format) {
    case TRAWL_REPORT_JSON: return trawl::ReportToJson(report);
    case TRAWL_REPORT_TABLE: return trawl::ReportToTable(report);
    case TRAWL_REPORT_SARIF: return trawl::ReportToSarif(report, TRAWL_VERSION_STRING);
    default: return absl::UnimplementedError("unknown report format");
  }
}

bool KnownFormat(int32_t format) {
  return format == TRAWL_REPORT_JSON || format == TRAWL_REPORT_TABLE ||
         format == TRAWL_REPORT_SARIF;
}

// Shared by the per-component stages: argument checks and the parsed manifest.
trawl_status ComponentStageArgs(trawl_buffer** out, const char* manifest, size_t manifest_len,
                                const char* component_id, const char* content,
                                size_t content_len, trawl::Manifest* parsed, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (manifest == nullptr || component_id == nullptr || (content == nullptr && content_len > 0)) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  auto m = trawl::ManifestFromJson(std::string_view(manifest, manifest_len));
  if (!m.ok()) return Fail(err, TRAWL_E_PARSE, std::string(m.status().message()));
  *parsed = *std::move(m);
  return TRAWL_OK;
}

trawl_status StageFailure(const absl::Status& status, trawl_error* err) {
  trawl_status code = CodeFor(status);
  if (status.code() == absl::StatusCode::kInvalidArgument && !trawl::CodeOf(status)) {
    code = TRAWL_E_INVALID;
  }
  return Fail(err, code, std::string(status.message()));
}

}  // namespace

extern "C" {

uint32_t trawl_version_number(void) { return TRAWL_VERSION_NUMBER; }
const char* trawl_version_string(void) { return TRAWL_VERSION_STRING; }

const char* trawl_build_info(void) {
  try {
    static const std::string info = trawl::BuildInfoJson();
    return info.c_str();
  } catch (...) {
    return "{}";
  }
}

const char* trawl_status_str(trawl_status status) {
  switch (status) {
    case TRAWL_OK: return "TRAWL_OK";
    case TRAWL_STOPPED: return "TRAWL_STOPPED";
    case TRAWL_E_INVALID: return "TRAWL_E_INVALID";
    case TRAWL_E_NOMEM: return "TRAWL_E_NOMEM";
    case TRAWL_E_INTERNAL: return "TRAWL_E_INTERNAL";
    case TRAWL_E_UNSUPPORTED: return "TRAWL_E_UNSUPPORTED";
    case TRAWL_E_IO: return "TRAWL_E_IO";
    case TRAWL_E_PARSE: return "TRAWL_E_PARSE";
    case TRAWL_E_COMPILE: return "TRAWL_E_COMPILE";
    case TRAWL_E_CORRUPT: return "TRAWL_E_CORRUPT";
    case TRAWL_E_VERSION: return "TRAWL_E_VERSION";
    case TRAWL_E_PLATFORM: return "TRAWL_E_PLATFORM";
    case TRAWL_E_BUSY: return "TRAWL_E_BUSY";
    case TRAWL_E_MISMATCH: return "TRAWL_E_MISMATCH";
    case TRAWL_E_LIMIT: return "TRAWL_E_LIMIT";
    case TRAWL_E_STATE: return "TRAWL_E_STATE";
    case TRAWL_E_NOT_FOUND: return "TRAWL_E_NOT_FOUND";
    default: return "TRAWL_E_UNKNOWN";
  }
}

/* Buffers */

const char* trawl_buffer_data(const trawl_buffer* buffer) {
  return buffer ? buffer->bytes.c_str() : nullptr;
}
size_t trawl_buffer_size(const trawl_buffer* buffer) { return buffer ? buffer->bytes.size() : 0; }
void trawl_buffer_free(trawl_buffer* buffer) { delete buffer; }

/* Options */

trawl_status trawl_options_new(trawl_options** out) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  return Guard(nullptr, [&] {
    *out = new trawl_options();
    return TRAWL_OK;
  });
}

void trawl_options_free(trawl_options* options) { delete options; }

trawl_status trawl_option_bounds(int32_t key, int64_t* min, int64_t* max) {
  int64_t lo = 0, hi = 0;
  switch (key) {
    case TRAWL_OPT_COMPILE_THREADS: hi = 1024; break;
    case TRAWL_OPT_MAX_WINDOW: lo = 16; hi = 1 << 24; break;
    case TRAWL_OPT_COMPILE_TARGET: hi = TRAWL_TARGET_AVX512; break;
    case TRAWL_OPT_REGEXES_PER_PARTITION: hi = 1 << 24; break;
    case TRAWL_OPT_MAX_MATCHES_PER_RULE:
    case TRAWL_OPT_MAX_MATCHES:
    case TRAWL_OPT_MAX_BYTES:
    case TRAWL_OPT_TIME_BUDGET_MS: hi = INT64_MAX; break;
    case TRAWL_OPT_CHUNK_BYTES: lo = 1; hi = int64_t{1} << 30; break;
    case TRAWL_OPT_INCLUDE_VALUES: hi = 1; break;
    case TRAWL_OPT_SCAN_PLAN: hi = 1; break;
    case TRAWL_OPT_TOKEN_PASS: hi = 1; break;
    case TRAWL_OPT_MAX_CARVE_DEPTH:
    case TRAWL_OPT_MAX_CARVES_PER_COMPONENT: hi = UINT32_MAX; break;
    case TRAWL_OPT_MAX_CARVE_SCAN_BYTES:
    case TRAWL_OPT_MAX_TOTAL_BYTES:
    case TRAWL_OPT_RATIO_GRACE_BYTES:
    case TRAWL_OPT_MAX_ENTRIES:
    case TRAWL_OPT_MAX_PATH_LENGTH:
    case TRAWL_OPT_MAX_COMPONENT_BYTES: hi = INT64_MAX; break;
    case TRAWL_OPT_MAX_EXPANSION_RATIO: hi = 1 << 30; break;
    case TRAWL_OPT_MAX_DEPTH: hi = 64; break;
    default: return TRAWL_E_UNSUPPORTED;
  }
  if (min) *min = lo;
  if (max) *max = hi;
  return TRAWL_OK;
}

trawl_status trawl_options_set_int(trawl_options* options, int32_t key, int64_t value) {
  if (options == nullptr) return TRAWL_E_INVALID;
  int64_t lo, hi;
  if (trawl_option_bounds(key, &lo, &hi) != TRAWL_OK) return TRAWL_E_UNSUPPORTED;
  if (value < lo || value > hi) return TRAWL_E_INVALID;
  switch (key) {
    case TRAWL_OPT_COMPILE_THREADS: options->compile.threads = static_cast<int>(value); break;
    case TRAWL_OPT_MAX_WINDOW: options->compile.max_window = static_cast<uint32_t>(value); break;
    case TRAWL_OPT_COMPILE_TARGET:
      options->compile.target = static_cast<trawl::CompileTarget>(value);
      break;
    case TRAWL_OPT_REGEXES_PER_PARTITION:
      options->compile.max_regexes_per_partition = static_cast<size_t>(value);
      break;
    case TRAWL_OPT_MAX_MATCHES_PER_RULE:
      options->limits.max_matches_per_rule = static_cast<uint64_t>(value);
      break;
    case TRAWL_OPT_MAX_MATCHES: options->limits.max_matches = static_cast<uint64_t>(value); break;
    case TRAWL_OPT_MAX_BYTES: options->limits.max_bytes = static_cast<uint64_t>(value); break;
    case TRAWL_OPT_TIME_BUDGET_MS:
      options->limits.time_budget =
          value == 0 ? absl::InfiniteDuration() : absl::Milliseconds(value);
      break;
    case TRAWL_OPT_CHUNK_BYTES: options->limits.chunk_bytes = static_cast<size_t>(value); break;
    case TRAWL_OPT_INCLUDE_VALUES: options->include_values = value != 0; break;
    case TRAWL_OPT_SCAN_PLAN: options->scan_plan = value != 0; break;
    case TRAWL_OPT_TOKEN_PASS: options->compile.token_pass = value != 0; break;
    case TRAWL_OPT_MAX_CARVE_DEPTH:
      options->limits_package.max_carve_depth = static_cast<uint32_t>(value);
      break;
    case TRAWL_OPT_MAX_CARVES_PER_COMPONENT:
      options->limits_package.max_carves_per_component = static_cast<uint32_t>(value);
      break;
    case TRAWL_OPT_MAX_CARVE_SCAN_BYTES:
      options->limits_package.max_carve_scan_bytes = static_cast<uint64_t>(value);
      break;
    case TRAWL_OPT_MAX_TOTAL_BYTES:
      options->limits_package.max_total_bytes = static_cast<uint64_t>(value);
      break;
    case TRAWL_OPT_MAX_EXPANSION_RATIO:
      options->limits_package.max_expansion_ratio = static_cast<double>(value);
      break;
    case TRAWL_OPT_RATIO_GRACE_BYTES:
      options->limits_package.ratio_grace_bytes = static_cast<uint64_t>(value);
      break;
    case TRAWL_OPT_MAX_ENTRIES:
      options->limits_package.max_entries = static_cast<uint64_t>(value);
      break;
    case TRAWL_OPT_MAX_DEPTH:
      options->limits_package.max_depth = static_cast<uint32_t>(value);
      break;
    case TRAWL_OPT_MAX_PATH_LENGTH:
      options->limits_package.max_path_length = static_cast<uint64_t>(value);
      break;
    case TRAWL_OPT_MAX_COMPONENT_BYTES:
      options->limits_package.max_component_bytes = static_cast<uint64_t>(value);
      break;
  }
  return TRAWL_OK;
}

trawl_status trawl_options_set_string(trawl_options* options, int32_t key, const char* value) {
  if (options == nullptr) return TRAWL_E_INVALID;
  std::string* field = nullptr;
  switch (key) {
    case TRAWL_OPT_FINGERPRINT_KEY: field = &options->fingerprint_key; break;
    case TRAWL_OPT_POLICY_FILE: field = &options->policy_file; break;
    case TRAWL_OPT_SUPPRESSIONS_FILE: field = &options->suppressions_file; break;
    case TRAWL_OPT_BASELINE_FILE: field = &options->baseline_file; break;
    case TRAWL_OPT_COMPILE_CACHE_DIR: field = &options->compile.cache_dir; break;
    case TRAWL_OPT_DEFAULT_REGION: field = &options->default_region; break;
    default: return TRAWL_E_UNSUPPORTED;
  }
  return Guard(nullptr, [&] {
    if (key == TRAWL_OPT_DEFAULT_REGION && value != nullptr && *value != '\0' &&
        !trawl::IsKnownPhoneRegion(value)) {
      return TRAWL_E_INVALID;
    }
    *field = value ? value : "";
    return TRAWL_OK;
  });
}

trawl_status trawl_options_set_progress(trawl_options* options, trawl_progress_cb callback,
                                        void* user_data) {
  if (options == nullptr) return TRAWL_E_INVALID;
  options->progress = callback;
  options->progress_user_data = user_data;
  return TRAWL_OK;
}

/* Rules */

trawl_status trawl_rules_new(trawl_rules** out) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  return Guard(nullptr, [&] {
    *out = new trawl_rules();
    return TRAWL_OK;
  });
}

void trawl_rules_free(trawl_rules* rules) { delete rules; }

trawl_status trawl_rules_add_file(trawl_rules* rules, const char* path, trawl_error* err) {
  if (rules == nullptr || path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  return Guard(err, [&] {
    auto loaded = trawl::LoadRuleFile(path);
    if (!loaded.ok() && (loaded.status().code() == absl::StatusCode::kNotFound ||
                         loaded.status().code() == absl::StatusCode::kDataLoss)) {
      return Fail(err, TRAWL_E_IO, std::string(loaded.status().message()));
    }
    if (!loaded.ok()) return Fail(err, TRAWL_E_PARSE, std::string(loaded.status().message()));
    return AddRuleSet(rules, std::move(loaded), err);
  });
}

trawl_status trawl_rules_add_json(trawl_rules* rules, const char* data, size_t len,
                                  const char* name, trawl_error* err) {
  if (rules == nullptr || (data == nullptr && len > 0)) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  return Guard(err, [&] {
    auto loaded = trawl::ParseDefinitions(std::string_view(data ? data : "", len),
                                          name ? name : "<memory>");
    if (!loaded.ok()) return Fail(err, TRAWL_E_PARSE, std::string(loaded.status().message()));
    return AddRuleSet(rules, std::move(loaded), err);
  });
}

size_t trawl_rules_count(const trawl_rules* rules) {
  return rules ? rules->set.definitions.size() : 0;
}

size_t trawl_rules_issue_count(const trawl_rules* rules) {
  return rules ? rules->set.issues.size() : 0;
}

trawl_status trawl_rules_issue(const trawl_rules* rules, size_t i, trawl_error* out) {
  if (rules == nullptr || !StructOk(out)) return TRAWL_E_INVALID;
  if (i >= rules->set.issues.size()) return TRAWL_E_NOT_FOUND;
  return Guard(nullptr, [&] {
    const trawl::LoadIssue& issue = rules->set.issues[i];
    FillError(out, TRAWL_E_PARSE, issue.ToString(), issue.index, issue.offset);
    return TRAWL_OK;
  });
}

trawl_status trawl_rules_add_indicator_feed(trawl_rules* rules, const char* path,
                                            const trawl_feed_options* options,
                                            trawl_error* err) {
  if (rules == nullptr || path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  return Guard(err, [&] {
    trawl::FeedOptions feed_options;
    std::string why;
    if (!ReadFeedOptions(options, &feed_options, &why)) return Fail(err, TRAWL_E_INVALID, why);
    auto feed = trawl::LoadFeedFile(path, feed_options);
    if (!feed.ok()) return FeedReadStatus(feed.status(), err);
    return AddRuleSet(rules, trawl::RuleSetFromFeed(*std::move(feed)), err);
  });
}

/* Database */

trawl_status trawl_db_compile(trawl_db** out, const trawl_rules* rules,
                              const trawl_options* options, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (rules == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL rules");
  return Guard(err, [&] {
    trawl::CompileOptions compile = options ? options->compile : trawl::CompileOptions{};
    if (options && options->progress) {
      const trawl_progress_cb callback = options->progress;
      void* user_data = options->progress_user_data;
      compile.progress = [callback, user_data](std::string_view stage, size_t done, size_t total) {
        const std::string name(stage);
        callback(name.c_str(), done, total, user_data);
      };
    }
    if (options == nullptr || options->scan_plan) compile = trawl::plan::WithPlanner(compile);
    if (!rules->set.indicator_feeds.empty()) {
      auto indicators = trawl::IndicatorSet::Build(rules->set.indicator_feeds);
      if (!indicators.ok()) return FromStatus(indicators.status(), err);
      compile.indicators = *std::move(indicators);
    }
    auto db = trawl::CompileDatabase(rules->set.definitions, compile);
    if (!db.ok()) {
      return db.status().code() == absl::StatusCode::kResourceExhausted
                 ? FromStatus(db.status(), err)
                 : Fail(err, TRAWL_E_COMPILE, std::string(db.status().message()));
    }
    *out = new trawl_db{*std::move(db)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_load(trawl_db** out, const char* data, size_t len, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (data == nullptr && len > 0) return Fail(err, TRAWL_E_INVALID, "NULL data");
  return Guard(err, [&] {
    auto db = trawl::DeserializeDatabase(std::string_view(data ? data : "", len));
    if (!db.ok()) return FromStatus(db.status(), err);
    *out = new trawl_db{*std::move(db)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_load_file(trawl_db** out, const char* path, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
  return Guard(err, [&] {
    auto file = trawl::MappedFile::Open(path);
    if (!file.ok()) return Fail(err, TRAWL_E_IO, std::string(file.status().message()));
    // The database keeps the mapping and reads rule metadata from it on first use.
    auto mapping = std::make_shared<const trawl::MappedFile>(*std::move(file));
    auto db = trawl::DeserializeDatabase(mapping->bytes(), mapping);
    if (!db.ok()) return FromStatus(db.status(), err);
    *out = new trawl_db{*std::move(db)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_serialize(trawl_buffer** out, const trawl_db* db, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (db == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL db");
  return Guard(err, [&] {
    auto bytes = trawl::SerializeDatabase(*db->rep);
    if (!bytes.ok()) return FromStatus(bytes.status(), err);
    *out = new trawl_buffer{*std::move(bytes)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_save_file(const trawl_db* db, const char* path, trawl_error* err) {
  if (db == nullptr || path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  return Guard(err, [&] {
    auto bytes = trawl::SerializeDatabase(*db->rep);
    if (!bytes.ok()) return FromStatus(bytes.status(), err);
    absl::Status written = trawl::WriteFileAtomically(path, *bytes);
    if (!written.ok()) return Fail(err, TRAWL_E_IO, std::string(written.message()));
    return TRAWL_OK;
  });
}

void trawl_db_free(trawl_db* db) { delete db; }

trawl_status trawl_db_update_indicators(trawl_db** out, trawl_buffer** report, const trawl_db* db,
                                        const char* const* paths, size_t count, int32_t mode,
                                        const trawl_feed_options* options, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (report != nullptr) *report = nullptr;
  if (db == nullptr || (paths == nullptr && count > 0)) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  if (mode != TRAWL_INDICATORS_ADD && mode != TRAWL_INDICATORS_REPLACE) {
    return Fail(err, TRAWL_E_INVALID, "mode is neither TRAWL_INDICATORS_ADD nor _REPLACE");
  }
  return Guard(err, [&] {
    trawl::FeedOptions feed_options;
    std::string why;
    if (!ReadFeedOptions(options, &feed_options, &why)) return Fail(err, TRAWL_E_INVALID, why);
    std::vector<trawl::FeedLoad> feeds;
    for (size_t i = 0; i < count; ++i) {
      if (paths[i] == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
      auto feed = trawl::LoadFeedFile(paths[i], feed_options);
      if (!feed.ok()) return FeedReadStatus(feed.status(), err);
      feeds.push_back(*std::move(feed));
    }
    auto updated = trawl::UpdateIndicators(*db->rep, &feeds,
                                           mode == TRAWL_INDICATORS_ADD
                                               ? trawl::IndicatorUpdateMode::kAdd
                                               : trawl::IndicatorUpdateMode::kReplace);
    if (!updated.ok()) return FromStatus(updated.status(), err);
    if (report != nullptr) {
      *report = new trawl_buffer{trawl::FeedReportToJson(feeds, (*updated)->indicators())};
    }
    *out = new trawl_db{*std::move(updated)};
    return TRAWL_OK;
  });
}

uint64_t trawl_db_indicator_count(const trawl_db* db) {
  return db != nullptr && db->rep->indicators() != nullptr ? db->rep->indicators()->indicator_count()
                                                          : 0;
}

size_t trawl_db_rule_count(const trawl_db* db) { return db ? db->rep->rule_count() : 0; }

trawl_status trawl_db_rule(const trawl_db* db, size_t index, trawl_rule_info* out) {
  if (db == nullptr || !StructOk(out)) return TRAWL_E_INVALID;
  if (index >= db->rep->rule_count()) return TRAWL_E_NOT_FOUND;
  const trawl::Definition& def = db->rep->definition(index);
  const trawl::RuleInfo& info = db->rep->rule_info()[index];
  trawl_rule_info value = TRAWL_RULE_INFO_INIT;
  value.id = def.id.c_str();
  value.category = def.category.c_str();
  value.description = def.description.c_str();
  value.entity = def.entity.c_str();
  value.validator = def.validator.c_str();
  value.status_reason = info.reason.c_str();
  value.severity = static_cast<int32_t>(def.severity);
  value.status = static_cast<int32_t>(info.status);
  value.confidence = def.confidence;
  value.is_literal = def.kind == trawl::PatternKind::kLiteral;
  WriteStruct(out, value);
  return TRAWL_OK;
}

trawl_status trawl_db_describe(trawl_buffer** out, const trawl_db* db, int32_t include_rules) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  if (db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    *out = new trawl_buffer{trawl::DescribeDatabaseJson(*db->rep, include_rules != 0)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_check_examples(trawl_buffer** out, const trawl_db* db, uint64_t* failures) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  if (db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    auto report = trawl::CheckExamples(db->rep);
    if (!report.ok()) return CodeFor(report.status());
    if (failures) *failures = report->failures;
    *out = new trawl_buffer{std::move(report->json)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_profile(trawl_buffer** out, const trawl_db* db, const char* data,
                              size_t len, uint32_t top_rules) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  if (db == nullptr || (data == nullptr && len > 0)) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    auto json = trawl::ProfileScanJson(db->rep, std::string_view(data ? data : "", len), top_rules,
                                       trawl::plan::ExplainRule);
    if (!json.ok()) return CodeFor(json.status());
    *out = new trawl_buffer{*std::move(json)};
    return TRAWL_OK;
  });
}

/* Scratch */

trawl_status trawl_scratch_new(trawl_scratch** out, const trawl_db* db) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  if (db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    auto scanner = trawl::Scanner::Create(db->rep);
    if (!scanner.ok()) return CodeFor(scanner.status());
    *out = new trawl_scratch{db, *std::move(scanner)};
    return TRAWL_OK;
  });
}

trawl_status trawl_scratch_clone(trawl_scratch** out, const trawl_scratch* scratch) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  if (scratch == nullptr) return TRAWL_E_INVALID;
  return trawl_scratch_new(out, scratch->db);
}

void trawl_scratch_free(trawl_scratch* scratch) { delete scratch; }

/* Scan */

trawl_status trawl_scan(const trawl_db* db, trawl_scratch* scratch, const char* data, size_t len,
                        const trawl_options* options, trawl_match_cb callback, void* user_data,
                        trawl_scan_result* result) {
  if (db == nullptr || scratch == nullptr || (data == nullptr && len > 0)) return TRAWL_E_INVALID;
  if (scratch->db != db) return TRAWL_E_MISMATCH;
  return Guard(nullptr, [&] {
    auto summary = scratch->rep->Scan(std::string_view(data ? data : "", len), LimitsOf(options),
                                      CallbackSink{callback, user_data});
    if (!summary.ok()) return CodeFor(summary.status());
    FillResult(result, *summary);
    return (summary->truncation & trawl::kTruncStopped) ? TRAWL_STOPPED : TRAWL_OK;
  });
}

trawl_status trawl_stream_new(trawl_stream** out, const trawl_db* db,
                              const trawl_options* options) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  if (db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    auto scanner = trawl::Scanner::Create(db->rep);
    if (!scanner.ok()) return CodeFor(scanner.status());
    absl::Status begun = (*scanner)->StreamBegin(LimitsOf(options));
    if (!begun.ok()) return CodeFor(begun);
    *out = new trawl_stream{db, *std::move(scanner)};
    return TRAWL_OK;
  });
}

trawl_status trawl_stream_write(trawl_stream* stream, const char* data, size_t len,
                                trawl_match_cb callback, void* user_data) {
  if (stream == nullptr || (data == nullptr && len > 0)) return TRAWL_E_INVALID;
  if (stream->finished) return TRAWL_E_STATE;
  return Guard(nullptr, [&] {
    absl::Status status = stream->rep->StreamWrite(std::string_view(data ? data : "", len),
                                                   CallbackSink{callback, user_data});
    if (!status.ok()) return CodeFor(status);
    return (stream->rep->stream_truncation() & trawl::kTruncStopped) ? TRAWL_STOPPED : TRAWL_OK;
  });
}

trawl_status trawl_stream_finish(trawl_stream* stream, trawl_match_cb callback, void* user_data,
                                 trawl_scan_result* result) {
  if (stream == nullptr) return TRAWL_E_INVALID;
  if (stream->finished) return TRAWL_E_STATE;
  return Guard(nullptr, [&] {
    auto summary = stream->rep->StreamEnd(CallbackSink{callback, user_data});
    if (!summary.ok()) return CodeFor(summary.status());
    stream->finished = true;
    FillResult(result, *summary);
    return (summary->truncation & trawl::kTruncStopped) ? TRAWL_STOPPED : TRAWL_OK;
  });
}

void trawl_stream_free(trawl_stream* stream) { delete stream; }

/* Packages */

trawl_status trawl_decompose_file(trawl_buffer** out, const char* path,
                                  const trawl_options* options, trawl_error* err) {
  return Decompose(out, path, nullptr, options, err);
}

trawl_status trawl_decompose_to_directory(trawl_buffer** out, const char* path,
                                          const char* directory, const trawl_options* options,
                                          trawl_error* err) {
  if (directory == nullptr) {
    if (out != nullptr) *out = nullptr;
    return Fail(err, TRAWL_E_INVALID, "NULL directory");
  }
  return Decompose(out, path, directory, options, err);
}

trawl_status trawl_classify_file(trawl_buffer** out, const trawl_db* db, const char* path,
                                 const trawl_options* options, trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
  return Guard(err, [&] {
    trawl::PackageOptions package;
    if (options) package.limits = options->limits_package;
    auto plans = trawl::ClassifyPackageFileJson(path, db ? db->rep.get() : nullptr, package);
    if (!plans.ok()) return Fail(err, TRAWL_E_IO, std::string(plans.status().message()));
    *out = new trawl_buffer{*std::move(plans)};
    return TRAWL_OK;
  });
}

trawl_status trawl_analyze_package_file(trawl_buffer** out, const trawl_db* db, const char* path,
                                        const trawl_options* options, int32_t format,
                                        trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (db == nullptr || path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  if (!KnownFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    trawl::PackageOptions package;
    if (trawl_status s = AggregateOptionsOf(options, &package.aggregate, err)) return s;
    package.analyze = AnalyzeOptionsOf(options);
    if (options) {
      package.limits = options->limits_package;
      package.threads = options->compile.threads;
      if (options->progress) {
        const trawl_progress_cb callback = options->progress;
        void* user_data = options->progress_user_data;
        package.progress = [callback, user_data](size_t done, size_t total) {
          callback("analyze", done, total, user_data);
        };
      }
    }
    auto report = trawl::AnalyzePackageFile(path, db->rep, package);
    if (!report.ok()) {
      const trawl_status code = report.status().code() == absl::StatusCode::kNotFound
                                    ? TRAWL_E_IO
                                    : CodeFor(report.status());
      return Fail(err, code, std::string(report.status().message()));
    }
    auto rendered = RenderReport(*report, format);
    if (!rendered.ok()) return FromStatus(rendered.status(), err);
    *out = new trawl_buffer{*std::move(rendered)};
    return TRAWL_OK;
  });
}

/* Stage by stage */

trawl_status trawl_manifest_work(trawl_buffer** out, const char* manifest, size_t manifest_len,
                                 trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (manifest == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL manifest");
  return Guard(err, [&] {
    auto m = trawl::ManifestFromJson(std::string_view(manifest, manifest_len));
    if (!m.ok()) return Fail(err, TRAWL_E_PARSE, std::string(m.status().message()));
    *out = new trawl_buffer{trawl::WorkToJson(*m)};
    return TRAWL_OK;
  });
}

trawl_status trawl_plan_component(trawl_buffer** out, const trawl_db* db, const char* manifest,
                                  size_t manifest_len, const char* component_id,
                                  const char* content, size_t content_len,
                                  const trawl_options* options, trawl_error* err) {
  (void)options;  // reserved: plans take no options yet
  return Guard(err, [&] {
    trawl::Manifest parsed;
    if (trawl_status s = ComponentStageArgs(out, manifest, manifest_len, component_id, content,
                                            content_len, &parsed, err)) {
      return s;
    }
    auto plan = trawl::PlanManifestComponent(parsed, component_id,
                                             std::string_view(content ? content : "", content_len),
                                             db ? db->rep.get() : nullptr);
    if (!plan.ok()) return StageFailure(plan.status(), err);
    *out = new trawl_buffer{trawl::PlanToJson(*plan)};
    return TRAWL_OK;
  });
}

trawl_status trawl_analyze_component(trawl_buffer** out, const trawl_db* db, const char* manifest,
                                     size_t manifest_len, const char* component_id,
                                     const char* content, size_t content_len,
                                     const trawl_options* options, trawl_error* err) {
  return Guard(err, [&] {
    trawl::Manifest parsed;
    if (trawl_status s = ComponentStageArgs(out, manifest, manifest_len, component_id, content,
                                            content_len, &parsed, err)) {
      return s;
    }
    if (db == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL db");
    auto result = trawl::AnalyzeManifestComponent(
        parsed, component_id, std::string_view(content ? content : "", content_len), db->rep,
        AnalyzeOptionsOf(options));
    if (!result.ok()) return StageFailure(result.status(), err);
    *out = new trawl_buffer{trawl::ComponentResultToJson(*result)};
    return TRAWL_OK;
  });
}

trawl_status trawl_aggregate(trawl_buffer** out, const char* manifest, size_t manifest_len,
                             const char* const* results, const size_t* result_lens,
                             size_t result_count, const trawl_options* options, int32_t format,
                             trawl_error* err) {
  if (out == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL out");
  *out = nullptr;
  if (manifest == nullptr || (result_count > 0 && (results == nullptr || result_lens == nullptr))) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  if (!KnownFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    auto m = trawl::ManifestFromJson(std::string_view(manifest, manifest_len));
    if (!m.ok()) return Fail(err, TRAWL_E_PARSE, trawl::StrCat("manifest: ", m.status().message()));
    std::vector<trawl::ComponentResult> parsed;
    parsed.reserve(result_count);
    for (size_t i = 0; i < result_count; ++i) {
      if (results[i] == nullptr && result_lens[i] > 0) {
        FillError(err, TRAWL_E_INVALID, "NULL result", static_cast<int64_t>(i));
        return TRAWL_E_INVALID;
      }
      auto r = trawl::ComponentResultFromJson(
          std::string_view(results[i] ? results[i] : "", result_lens[i]));
      if (!r.ok()) {
        FillError(err, TRAWL_E_PARSE, trawl::StrCat("result ", i, ": ", r.status().message()),
                  static_cast<int64_t>(i));
        return TRAWL_E_PARSE;
      }
      parsed.push_back(*std::move(r));
    }
    trawl::AggregateOptions aggregate;
    if (trawl_status s = AggregateOptionsOf(options, &aggregate, err)) return s;
    const trawl::PackageReport report =
        trawl::Aggregate(*std::move(m), std::move(parsed), aggregate);
    auto rendered = RenderReport(report, format);
    if (!rendered.ok()) return FromStatus(rendered.status(), err);
    *out = new trawl_buffer{*std::move(rendered)};
    return TRAWL_OK;
  });
}

trawl_status trawl_default_policy(trawl_buffer** out) {
  if (out == nullptr) return TRAWL_E_INVALID;
  *out = nullptr;
  return Guard(nullptr, [&] {
    *out = new trawl_buffer{trawl::PolicyToJson(trawl::DefaultPolicy())};
    return TRAWL_OK;
  });
}

}  // extern "C"
