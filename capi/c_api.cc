// File: c_api.cc
// The C ABI boundary: handles, type translation, one status mapping (ToCStatus) and a
// catch-all around every entry point. No logic lives here: each function checks its
// pointers, converts types and calls one function of the C++ core (mostly
// src/pipeline/stages.h), whose errors already carry their trawl code.
#include <cstring>
#include <new>
#include <string>

#include "analyze/component_result_json.h"
#include "capi/options.h"
#include "engine/artifact.h"
#include "engine/indicator_set.h"
#include "engine/inspect.h"
#include "engine/scanner.h"
#include "intake/manifest_json.h"
#include "pipeline/package_analysis.h"
#include "pipeline/stages.h"
#include "report/report.h"
#include "rules/importers/import.h"
#include "rules/loader.h"
#include "rules/logic_json.h"
#include "trawl/trawl.h"
#define TRAWL_EXPERIMENTAL
#include "trawl/trawl_experimental.h"
#include "util/file.h"
#include "util/status_codes.h"

// The core's error codes are the header's, value for value.
#define TRAWL_SAME_CODE(name, value) \
  static_assert(static_cast<int32_t>(trawl::ErrorCode::name) == (value), #value)
TRAWL_SAME_CODE(kInvalid, TRAWL_E_INVALID);
TRAWL_SAME_CODE(kNoMemory, TRAWL_E_NOMEM);
TRAWL_SAME_CODE(kInternal, TRAWL_E_INTERNAL);
TRAWL_SAME_CODE(kUnsupported, TRAWL_E_UNSUPPORTED);
TRAWL_SAME_CODE(kIo, TRAWL_E_IO);
TRAWL_SAME_CODE(kParse, TRAWL_E_PARSE);
TRAWL_SAME_CODE(kCompile, TRAWL_E_COMPILE);
TRAWL_SAME_CODE(kCorrupt, TRAWL_E_CORRUPT);
TRAWL_SAME_CODE(kVersion, TRAWL_E_VERSION);
TRAWL_SAME_CODE(kPlatform, TRAWL_E_PLATFORM);
TRAWL_SAME_CODE(kBusy, TRAWL_E_BUSY);
TRAWL_SAME_CODE(kMismatch, TRAWL_E_MISMATCH);
TRAWL_SAME_CODE(kLimit, TRAWL_E_LIMIT);
TRAWL_SAME_CODE(kState, TRAWL_E_STATE);
TRAWL_SAME_CODE(kNotFound, TRAWL_E_NOT_FOUND);
#undef TRAWL_SAME_CODE
static_assert(static_cast<int32_t>(trawl::ReportFormat::kJson) == TRAWL_REPORT_JSON);
static_assert(static_cast<int32_t>(trawl::ReportFormat::kTable) == TRAWL_REPORT_TABLE);
static_assert(static_cast<int32_t>(trawl::ReportFormat::kSarif) == TRAWL_REPORT_SARIF);
static_assert(trawl::kTruncStopped == TRAWL_TRUNC_STOPPED);
static_assert(trawl::kTruncWindowedComposites == TRAWL_TRUNC_WINDOWED_COMPOSITES);
static_assert(static_cast<int32_t>(trawl::RuleStatus::kRejected) == TRAWL_RULE_REJECTED);
static_assert(static_cast<int32_t>(trawl::Severity::kCritical) == TRAWL_SEVERITY_CRITICAL);

struct trawl_buffer {
  std::string bytes;
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

// Fills the caller's error struct, as far as its struct_size says it reaches. Copies
// into caller memory only: nothing is allocated on the error path.
trawl_status Fail(trawl_error* err, trawl_status code, std::string_view message,
                  int64_t index = -1, int64_t offset = -1) noexcept {
  if (err == nullptr || err->struct_size < offsetof(trawl_error, message)) return code;
  err->code = code;
  err->index = index;
  err->offset = offset;
  if (err->struct_size >= sizeof(trawl_error)) {
    const size_t n = std::min(message.size(), sizeof err->message - 1);
    std::memcpy(err->message, message.data(), n);
    err->message[n] = '\0';
  }
  return code;
}

// The one mapping from the core's errors to the C API's: the code the error carries (or
// its absl code implies), its message and its place in the input.
trawl_status ToCStatus(const absl::Status& status, trawl_error* err) noexcept {
  if (status.ok()) return TRAWL_OK;
  const trawl::ErrorLocation where = trawl::LocationOf(status);
  return Fail(err, static_cast<trawl_status>(trawl::TrawlCodeOf(status)),
              std::string_view(status.message().data(), status.message().size()), where.index,
              where.offset);
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

// Checks an out-parameter and clears it, as every call that fails leaves *out NULL.
template <typename T>
bool ClearOut(T** out) noexcept {
  if (out == nullptr) return false;
  *out = nullptr;
  return true;
}

template <typename T>
bool StructOk(const T* s) noexcept {
  return s != nullptr && s->struct_size >= sizeof(size_t);
}

// Copies a C struct's known fields, accepting older (shorter) structs.
template <typename T>
void WriteStruct(T* out, const T& value) noexcept {
  const size_t n = std::min(out->struct_size, sizeof(T));
  const size_t size = out->struct_size;
  std::memcpy(static_cast<void*>(out), &value, n);
  out->struct_size = size;
}

std::string_view Bytes(const char* data, size_t len) {
  return std::string_view(data ? data : "", len);
}

// Hands a document to the caller.
trawl_status Deliver(trawl_buffer** out, absl::StatusOr<std::string> bytes, trawl_error* err) {
  if (!bytes.ok()) return ToCStatus(bytes.status(), err);
  *out = new trawl_buffer{*std::move(bytes)};
  return TRAWL_OK;
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
      *why = std::string("unknown feed format '") + o.format + "'";
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

void FillResult(trawl_scan_result* result, const trawl::ScanSummary& summary) {
  if (!StructOk(result)) return;
  trawl_scan_result value = TRAWL_SCAN_RESULT_INIT;
  value.bytes_scanned = summary.bytes_scanned;
  value.matches = summary.matches;
  value.confirm_errors = summary.confirm_errors;
  value.truncation = summary.truncation;
  WriteStruct(result, value);
}

trawl_status ScanStatus(const trawl::ScanSummary& summary, trawl_scan_result* result) {
  FillResult(result, summary);
  return (summary.truncation & trawl::kTruncStopped) ? TRAWL_STOPPED : TRAWL_OK;
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
    match.flags = m.flags;
    match.start = m.start;
    match.end = m.end;
    // NULL for a composite match whose bytes a stream no longer holds.
    match.data = m.text.size() == m.end - m.start ? m.text.data() : nullptr;
    match.capture_count = m.capture_count;
    match.captures = m.captures;
    match.part_count = 0;
    match.parts = nullptr;
    std::vector<trawl_match_part> parts;
    if (m.part_count > 0) {
      parts.reserve(m.part_count);
      for (uint32_t i = 0; i < m.part_count; ++i) {
        parts.push_back({m.parts[i].pattern, 0, m.parts[i].start, m.parts[i].end});
      }
      match.part_count = m.part_count;
      match.parts = parts.data();
    }
    return callback(&match, user_data) == 0;
  }
};

const trawl::ScanLimits& LimitsOf(const trawl_options* options) {
  static const trawl::ScanLimits kDefaults;
  return options ? options->limits : kDefaults;
}

// The package options with the scan limits, threads and progress callback folded in.
trawl::PackageOptions PackageOptionsOf(const trawl_options* options) {
  if (options == nullptr) return {};
  trawl::PackageOptions package = options->package;
  package.analyze.limits = options->limits;
  package.threads = options->compile.threads;
  if (options->progress) {
    const trawl_progress_cb callback = options->progress;
    void* user_data = options->progress_user_data;
    package.progress = [callback, user_data](size_t done, size_t total) {
      callback("analyze", done, total, user_data);
    };
  }
  return package;
}

absl::StatusOr<trawl::AggregateOptions> AggregateOptionsOf(const trawl_options* options) {
  if (options == nullptr) return trawl::AggregateOptions{};
  auto aggregate = trawl::LoadAggregateOptions(options->files);
  // Without values, aggregation also redacts results that were written with them.
  if (aggregate.ok()) aggregate->include_values = options->package.analyze.include_values;
  return aggregate;
}

absl::StatusOr<std::string> Render(const absl::StatusOr<trawl::PackageReport>& report,
                                   int32_t format, const trawl_options* options) {
  if (!report.ok()) return report.status();
  return trawl::RenderReport(*report, format, TRAWL_VERSION_STRING,
                             options ? options->view : trawl::ReportView{});
}

trawl_status DeliverManifest(trawl_buffer** out, absl::StatusOr<trawl::Manifest> manifest,
                             trawl_error* err) {
  if (!manifest.ok()) return ToCStatus(manifest.status(), err);
  *out = new trawl_buffer{trawl::ManifestToJson(*manifest, 2)};
  return TRAWL_OK;
}

// The whole pipeline for one package, rendered; the option files are read first.
// The counts a CI gate decides on (trawl_report_summary).
void WriteSummary(const trawl::PackageReport& report, trawl_report_summary* summary) {
  if (summary == nullptr) return;
  trawl_report_summary s = TRAWL_REPORT_SUMMARY_INIT;
  s.complete = report.complete ? 1 : 0;
  for (size_t i = 0; i < 5; ++i) s.active_by_severity[i] = report.score.active_by_severity[i];
  s.suppressed = report.suppressed.size();
  s.components = report.manifest.components.size();
  WriteStruct(summary, s);
}

trawl_status AnalyzePackage(trawl_buffer** out, const trawl_db* db,
                            const trawl::PackageInput& input, const trawl_options* options,
                            int32_t format, trawl_error* err,
                            trawl_report_summary* summary = nullptr) {
  trawl::PackageOptions package = PackageOptionsOf(options);
  auto aggregate = AggregateOptionsOf(options);
  if (!aggregate.ok()) return ToCStatus(aggregate.status(), err);
  package.aggregate = *std::move(aggregate);
  auto report = trawl::AnalyzePackage(input, db->rep, package);
  if (report.ok()) WriteSummary(*report, summary);
  return Deliver(out, Render(report, format, options), err);
}

// A repository as the trawl_git_* calls scan it.
trawl::PackageInput GitInputOf(const char* repository, const trawl_options* options) {
  trawl::GitSource source = options != nullptr ? options->git : trawl::GitSource{};
  source.repository = repository;
  return trawl::PackageInput::Git(std::move(source));
}

// The manifest a per-component stage works on.
absl::StatusOr<trawl::Manifest> StageManifest(const char* manifest, size_t manifest_len) {
  return trawl::ManifestFromJson(Bytes(manifest, manifest_len));
}

}  // namespace

extern "C" {

uint32_t trawl_version_number(void) noexcept { return TRAWL_VERSION_NUMBER; }
const char* trawl_version_string(void) noexcept { return TRAWL_VERSION_STRING; }

const char* trawl_build_info(void) noexcept {
  try {
    static const std::string info = trawl::BuildInfoJson();
    return info.c_str();
  } catch (...) {
    return "{}";
  }
}

const char* trawl_status_str(trawl_status status) noexcept {
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

const char* trawl_buffer_data(const trawl_buffer* buffer) noexcept {
  return buffer ? buffer->bytes.c_str() : nullptr;
}
size_t trawl_buffer_size(const trawl_buffer* buffer) noexcept {
  return buffer ? buffer->bytes.size() : 0;
}
void trawl_buffer_free(trawl_buffer* buffer) noexcept { delete buffer; }

/* Options */

trawl_status trawl_options_new(trawl_options** out) noexcept {
  if (!ClearOut(out)) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    *out = new trawl_options();
    return TRAWL_OK;
  });
}

void trawl_options_free(trawl_options* options) noexcept { delete options; }

trawl_status trawl_option_bounds(int64_t* min, int64_t* max, int32_t key) noexcept {
  const trawl::capi::OptionSpec* spec = trawl::capi::FindOption(key);
  if (spec == nullptr || spec->type != trawl::capi::OptionType::kInt) return TRAWL_E_UNSUPPORTED;
  if (min) *min = spec->min;
  if (max) *max = spec->max;
  return TRAWL_OK;
}

trawl_status trawl_options_set_int(trawl_options* options, int32_t key, int64_t value) noexcept {
  if (options == nullptr) return TRAWL_E_INVALID;
  const trawl::capi::OptionSpec* spec = trawl::capi::FindOption(key);
  if (spec == nullptr || spec->type != trawl::capi::OptionType::kInt) return TRAWL_E_UNSUPPORTED;
  if (value < spec->min || value > spec->max) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    spec->set_int(*options, value);
    return TRAWL_OK;
  });
}

trawl_status trawl_options_set_string(trawl_options* options, int32_t key,
                                      const char* value) noexcept {
  if (options == nullptr) return TRAWL_E_INVALID;
  const trawl::capi::OptionSpec* spec = trawl::capi::FindOption(key);
  if (spec == nullptr || spec->type != trawl::capi::OptionType::kString) {
    return TRAWL_E_UNSUPPORTED;
  }
  return Guard(nullptr, [&] {
    const std::string_view text = value ? value : "";
    if (spec->accepts != nullptr && !spec->accepts(text)) return TRAWL_E_INVALID;
    spec->set_string(*options, text);
    return TRAWL_OK;
  });
}

trawl_status trawl_options_set_progress(trawl_options* options, trawl_progress_cb callback,
                                        void* user_data) noexcept {
  if (options == nullptr) return TRAWL_E_INVALID;
  options->progress = callback;
  options->progress_user_data = user_data;
  return TRAWL_OK;
}

/* Rules */

trawl_status trawl_rules_new(trawl_rules** out) noexcept {
  if (!ClearOut(out)) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    *out = new trawl_rules();
    return TRAWL_OK;
  });
}

void trawl_rules_free(trawl_rules* rules) noexcept { delete rules; }

trawl_status trawl_rules_add_file(trawl_rules* rules, const char* path, trawl_error* err) noexcept {
  return trawl_rules_add_file_as(rules, path, "auto", err);
}

trawl_status trawl_rules_add_file_as(trawl_rules* rules, const char* path, const char* format,
                                     trawl_error* err) noexcept {
  if (rules == nullptr || path == nullptr || format == nullptr) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  return Guard(err, [&] {
    const std::optional<trawl::RuleFormat> parsed = trawl::ParseRuleFormat(format);
    if (!parsed) {
      return Fail(err, TRAWL_E_UNSUPPORTED,
                  std::string("unknown rule format '") + format + "'; " +
                      trawl::KnownRuleFormats());
    }
    return ToCStatus(trawl::AddRuleFileAs(&rules->set, path, *parsed), err);
  });
}

trawl_status trawl_rules_add_json(trawl_rules* rules, const char* data, size_t len,
                                  const char* name, trawl_error* err) noexcept {
  if (rules == nullptr || (data == nullptr && len > 0)) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  return Guard(err, [&] {
    return ToCStatus(trawl::AddRuleText(&rules->set, Bytes(data, len), name ? name : "<memory>"),
                     err);
  });
}

size_t trawl_rules_account_count(const trawl_rules* rules) noexcept {
  return rules ? rules->set.accounts.size() : 0;
}

trawl_status trawl_rules_account(trawl_import_account* out, const trawl_rules* rules,
                                 size_t i) noexcept {
  if (rules == nullptr || !StructOk(out)) return TRAWL_E_INVALID;
  if (i >= rules->set.accounts.size()) return TRAWL_E_NOT_FOUND;
  const trawl::ImportAccount& account = rules->set.accounts[i];
  trawl_import_account value = TRAWL_IMPORT_ACCOUNT_INIT;
  value.file = account.file.c_str();
  value.format = account.format.c_str();
  value.rules = account.rules;
  value.exact = account.exact;
  value.approximated = account.approximated;
  value.rejected = account.rejected;
  value.note = account.note.c_str();
  WriteStruct(out, value);
  return TRAWL_OK;
}

size_t trawl_rules_note_count(const trawl_rules* rules) noexcept {
  return rules ? rules->set.notes.size() : 0;
}

trawl_status trawl_rules_note(trawl_error* out, const trawl_rules* rules, size_t i) noexcept {
  if (rules == nullptr || !StructOk(out)) return TRAWL_E_INVALID;
  if (i >= rules->set.notes.size()) return TRAWL_E_NOT_FOUND;
  return Guard(nullptr, [&] {
    const trawl::LoadIssue& note = rules->set.notes[i];
    Fail(out, TRAWL_OK, note.ToString(), note.index, note.offset);
    return TRAWL_OK;
  });
}

trawl_status trawl_rules_export_json(trawl_buffer** out, const trawl_rules* rules) noexcept {
  if (!ClearOut(out) || rules == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    return Deliver(out, trawl::DefinitionsToJson(rules->set.definitions), nullptr);
  });
}

size_t trawl_rules_count(const trawl_rules* rules) noexcept {
  return rules ? rules->set.definitions.size() : 0;
}

size_t trawl_rules_issue_count(const trawl_rules* rules) noexcept {
  return rules ? rules->set.issues.size() : 0;
}

trawl_status trawl_rules_issue(trawl_error* out, const trawl_rules* rules, size_t i) noexcept {
  if (rules == nullptr || !StructOk(out)) return TRAWL_E_INVALID;
  if (i >= rules->set.issues.size()) return TRAWL_E_NOT_FOUND;
  return Guard(nullptr, [&] {
    ToCStatus(rules->set.issues[i].ToStatus(), out);
    return TRAWL_OK;
  });
}

trawl_status trawl_rules_add_indicator_feed(trawl_rules* rules, const char* path,
                                            const trawl_feed_options* options,
                                            trawl_error* err) noexcept {
  if (rules == nullptr || path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  return Guard(err, [&] {
    trawl::FeedOptions feed_options;
    std::string why;
    if (!ReadFeedOptions(options, &feed_options, &why)) return Fail(err, TRAWL_E_INVALID, why);
    return ToCStatus(trawl::AddIndicatorFeed(&rules->set, path, feed_options), err);
  });
}

uint64_t trawl_rules_indicator_count(const trawl_rules* rules) noexcept {
  if (rules == nullptr) return 0;
  uint64_t count = 0;
  for (const trawl::FeedLoad& feed : rules->set.indicator_feeds) count += feed.indicators.size();
  return count;
}

/* Database */

trawl_status trawl_db_compile(trawl_db** out, const trawl_rules* rules,
                              const trawl_options* options, trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
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
    auto db = trawl::CompileRules(rules->set, std::move(compile),
                                  options == nullptr || options->scan_plan);
    if (!db.ok()) return ToCStatus(db.status(), err);
    *out = new trawl_db{*std::move(db)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_load(trawl_db** out, const char* data, size_t len,
                           trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (data == nullptr && len > 0) return Fail(err, TRAWL_E_INVALID, "NULL data");
  return Guard(err, [&] {
    auto db = trawl::DeserializeDatabase(Bytes(data, len));
    if (!db.ok()) return ToCStatus(db.status(), err);
    *out = new trawl_db{*std::move(db)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_load_file(trawl_db** out, const char* path, trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
  return Guard(err, [&] {
    // The database keeps the mapping and reads rule metadata from it on first use.
    auto db = trawl::LoadDatabaseFile(path);
    if (!db.ok()) return ToCStatus(db.status(), err);
    *out = new trawl_db{*std::move(db)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_serialize(trawl_buffer** out, const trawl_db* db, trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (db == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL db");
  return Guard(err, [&] { return Deliver(out, trawl::SerializeDatabase(*db->rep), err); });
}

trawl_status trawl_db_save_file(const trawl_db* db, const char* path, trawl_error* err) noexcept {
  if (db == nullptr || path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  return Guard(err, [&] {
    return ToCStatus(trawl::SaveDatabaseFile(*db->rep, path), err);
  });
}

void trawl_db_free(trawl_db* db) noexcept { delete db; }

trawl_status trawl_db_update_indicators(trawl_db** out, trawl_buffer** report, const trawl_db* db,
                                        const char* const* paths, size_t count, int32_t mode,
                                        const trawl_feed_options* options,
                                        trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
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
    std::vector<std::string> files;
    files.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (paths[i] == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
      files.emplace_back(paths[i]);
    }
    std::string accounting;
    auto updated = trawl::UpdateIndicatorFeeds(
        *db->rep, files, feed_options,
        mode == TRAWL_INDICATORS_ADD ? trawl::IndicatorUpdateMode::kAdd
                                     : trawl::IndicatorUpdateMode::kReplace,
        report != nullptr ? &accounting : nullptr);
    if (!updated.ok()) return ToCStatus(updated.status(), err);
    // Both handles or neither: the report is allocated first, then the database.
    std::unique_ptr<trawl_buffer> document;
    if (report != nullptr) document.reset(new trawl_buffer{std::move(accounting)});
    *out = new trawl_db{*std::move(updated)};
    if (report != nullptr) *report = document.release();
    return TRAWL_OK;
  });
}

uint64_t trawl_db_indicator_count(const trawl_db* db) noexcept {
  return db != nullptr && db->rep->indicators() != nullptr ? db->rep->indicators()->indicator_count()
                                                          : 0;
}

size_t trawl_db_rule_count(const trawl_db* db) noexcept { return db ? db->rep->rule_count() : 0; }

const char* trawl_db_rule_pattern_name(const trawl_db* db, size_t rule,
                                       uint32_t pattern) noexcept {
  if (db == nullptr || rule >= db->rep->rule_count()) return nullptr;
  try {
    const trawl::RuleLogic* logic = db->rep->logic(rule);
    if (logic == nullptr || pattern >= logic->patterns.size()) return nullptr;
    return logic->patterns[pattern].name.c_str();
  } catch (...) {  // decoding a record on first use may allocate
    return nullptr;
  }
}

trawl_status trawl_db_rule(trawl_rule_info* out, const trawl_db* db, size_t index) noexcept {
  if (db == nullptr || !StructOk(out)) return TRAWL_E_INVALID;
  if (index >= db->rep->rule_count()) return TRAWL_E_NOT_FOUND;
  // Rule definitions are decoded on first use: this can allocate.
  return Guard(nullptr, [&] {
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
  });
}

trawl_status trawl_db_describe(trawl_buffer** out, const trawl_db* db,
                               int32_t include_rules) noexcept {
  if (!ClearOut(out) || db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    *out = new trawl_buffer{trawl::DescribeDatabaseJson(*db->rep, include_rules != 0)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_check_examples(trawl_buffer** out, uint64_t* failures,
                                     const trawl_db* db) noexcept {
  if (!ClearOut(out) || db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    auto report = trawl::CheckExamples(db->rep);
    if (!report.ok()) return ToCStatus(report.status(), nullptr);
    if (failures) *failures = report->failures;
    *out = new trawl_buffer{std::move(report->json)};
    return TRAWL_OK;
  });
}

trawl_status trawl_db_profile(trawl_buffer** out, const trawl_db* db, const char* data, size_t len,
                              uint32_t top_rules) noexcept {
  if (!ClearOut(out) || db == nullptr || (data == nullptr && len > 0)) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    return Deliver(out, trawl::ProfileScan(db->rep, Bytes(data, len), top_rules), nullptr);
  });
}

constexpr uint32_t kMaxBenchThreads = 1024;

trawl_status trawl_db_bench(trawl_buffer** out, const trawl_db* db, const char* data, size_t len,
                            const trawl_bench_options* options) noexcept {
  if (!ClearOut(out) || db == nullptr || (data == nullptr && len > 0)) return TRAWL_E_INVALID;
  trawl_bench_options given = TRAWL_BENCH_OPTIONS_INIT;
  if (options != nullptr) {
    if (options->struct_size < sizeof(trawl_bench_options)) return TRAWL_E_INVALID;
    given = *options;
  }
  // A negative or NaN compile time; more threads than any machine has (each gets a scratch).
  if (!(given.compile_seconds >= 0) || given.threads > kMaxBenchThreads) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    trawl::BenchSettings settings;
    settings.max_threads = given.threads;
    if (given.repetitions > 0) settings.repetitions = given.repetitions;
    settings.top_rules = given.top_rules;
    return Deliver(out,
                   trawl::BenchmarkScan(db->rep, given.compile_seconds, Bytes(data, len), settings),
                   nullptr);
  });
}

/* Scratch */

trawl_status trawl_scratch_new(trawl_scratch** out, const trawl_db* db) noexcept {
  if (!ClearOut(out) || db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    auto scanner = trawl::Scanner::Create(db->rep);
    if (!scanner.ok()) return ToCStatus(scanner.status(), nullptr);
    *out = new trawl_scratch{db, *std::move(scanner)};
    return TRAWL_OK;
  });
}

trawl_status trawl_scratch_clone(trawl_scratch** out, const trawl_scratch* scratch) noexcept {
  if (!ClearOut(out) || scratch == nullptr) return TRAWL_E_INVALID;
  return trawl_scratch_new(out, scratch->db);
}

void trawl_scratch_free(trawl_scratch* scratch) noexcept { delete scratch; }

/* Scan */

trawl_status trawl_scan(const trawl_db* db, trawl_scratch* scratch, const char* data, size_t len,
                        const trawl_options* options, trawl_match_cb callback, void* user_data,
                        trawl_scan_result* result) noexcept {
  if (db == nullptr || scratch == nullptr || (data == nullptr && len > 0)) return TRAWL_E_INVALID;
  if (scratch->db != db) return TRAWL_E_MISMATCH;
  return Guard(nullptr, [&] {
    auto summary = scratch->rep->Scan(Bytes(data, len), LimitsOf(options),
                                      CallbackSink{callback, user_data});
    if (!summary.ok()) return ToCStatus(summary.status(), nullptr);
    return ScanStatus(*summary, result);
  });
}

trawl_status trawl_stream_new(trawl_stream** out, const trawl_db* db,
                              const trawl_options* options) noexcept {
  if (!ClearOut(out) || db == nullptr) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    auto scanner = trawl::Scanner::Create(db->rep);
    if (!scanner.ok()) return ToCStatus(scanner.status(), nullptr);
    absl::Status begun = (*scanner)->StreamBegin(LimitsOf(options));
    if (!begun.ok()) return ToCStatus(begun, nullptr);
    *out = new trawl_stream{db, *std::move(scanner)};
    return TRAWL_OK;
  });
}

trawl_status trawl_stream_write(trawl_stream* stream, const char* data, size_t len,
                                trawl_match_cb callback, void* user_data) noexcept {
  if (stream == nullptr || (data == nullptr && len > 0)) return TRAWL_E_INVALID;
  if (stream->finished) return TRAWL_E_STATE;
  return Guard(nullptr, [&] {
    absl::Status status =
        stream->rep->StreamWrite(Bytes(data, len), CallbackSink{callback, user_data});
    if (!status.ok()) return ToCStatus(status, nullptr);
    return (stream->rep->stream_truncation() & trawl::kTruncStopped) ? TRAWL_STOPPED : TRAWL_OK;
  });
}

trawl_status trawl_stream_finish(trawl_stream* stream, trawl_match_cb callback, void* user_data,
                                 trawl_scan_result* result) noexcept {
  if (stream == nullptr) return TRAWL_E_INVALID;
  if (stream->finished) return TRAWL_E_STATE;
  return Guard(nullptr, [&] {
    auto summary = stream->rep->StreamEnd(CallbackSink{callback, user_data});
    if (!summary.ok()) return ToCStatus(summary.status(), nullptr);
    stream->finished = true;
    return ScanStatus(*summary, result);
  });
}

void trawl_stream_free(trawl_stream* stream) noexcept { delete stream; }

/* Packages */

trawl_status trawl_package_decompose(trawl_buffer** out, const char* data, size_t len,
                                     const trawl_options* options, trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (data == nullptr && len > 0) return Fail(err, TRAWL_E_INVALID, "NULL data");
  return Guard(err, [&] {
    return DeliverManifest(
        out, trawl::DecomposePackage(trawl::PackageInput::Memory(Bytes(data, len)),
                                     PackageOptionsOf(options)),
        err);
  });
}

trawl_status trawl_package_decompose_file(trawl_buffer** out, const char* path,
                                          const trawl_options* options,
                                          trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
  return Guard(err, [&] {
    return DeliverManifest(
        out, trawl::DecomposePackage(trawl::PackageInput::File(path), PackageOptionsOf(options)),
        err);
  });
}

trawl_status trawl_package_decompose_to_directory(trawl_buffer** out, const char* path,
                                                  const char* directory,
                                                  const trawl_options* options,
                                                  trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (path == nullptr || directory == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  return Guard(err, [&] {
    return DeliverManifest(
        out, trawl::DecomposePackageToDirectory(path, PackageOptionsOf(options), directory),
        err);
  });
}

trawl_status trawl_package_classify(trawl_buffer** out, const trawl_db* db, const char* data,
                                    size_t len, const trawl_options* options,
                                    trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (data == nullptr && len > 0) return Fail(err, TRAWL_E_INVALID, "NULL data");
  return Guard(err, [&] {
    return Deliver(out,
                   trawl::ClassifyPackageJson(trawl::PackageInput::Memory(Bytes(data, len)),
                                              db ? db->rep.get() : nullptr,
                                              PackageOptionsOf(options)),
                   err);
  });
}

trawl_status trawl_package_classify_file(trawl_buffer** out, const trawl_db* db, const char* path,
                                         const trawl_options* options, trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL path");
  return Guard(err, [&] {
    return Deliver(out,
                   trawl::ClassifyPackageJson(trawl::PackageInput::File(path),
                                              db ? db->rep.get() : nullptr,
                                              PackageOptionsOf(options)),
                   err);
  });
}

trawl_status trawl_package_analyze(trawl_buffer** out, const trawl_db* db, const char* data,
                                   size_t len, const trawl_options* options, int32_t format,
                                   trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (db == nullptr || (data == nullptr && len > 0)) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  if (!trawl::IsReportFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    return AnalyzePackage(out, db, trawl::PackageInput::Memory(Bytes(data, len)), options, format,
                          err);
  });
}

trawl_status trawl_package_analyze_file(trawl_buffer** out, const trawl_db* db, const char* path,
                                        const trawl_options* options, int32_t format,
                                        trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (db == nullptr || path == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  if (!trawl::IsReportFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    return AnalyzePackage(out, db, trawl::PackageInput::File(path), options, format, err);
  });
}

/* Git repositories */

trawl_status trawl_git_decompose(trawl_buffer** out, const char* repository,
                                 const trawl_options* options, trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (repository == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL repository");
  return Guard(err, [&] {
    return DeliverManifest(
        out, trawl::DecomposePackage(GitInputOf(repository, options), PackageOptionsOf(options)),
        err);
  });
}

trawl_status trawl_git_decompose_to_directory(trawl_buffer** out, const char* repository,
                                              const char* directory, const trawl_options* options,
                                              trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (repository == nullptr || directory == nullptr) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  return Guard(err, [&] {
    return DeliverManifest(out,
                           trawl::DecomposeInputToDirectory(GitInputOf(repository, options),
                                                            PackageOptionsOf(options), directory),
                           err);
  });
}

trawl_status trawl_git_classify(trawl_buffer** out, const trawl_db* db, const char* repository,
                                const trawl_options* options, trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (repository == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL repository");
  return Guard(err, [&] {
    return Deliver(out,
                   trawl::ClassifyPackageJson(GitInputOf(repository, options),
                                              db ? db->rep.get() : nullptr,
                                              PackageOptionsOf(options)),
                   err);
  });
}

trawl_status trawl_git_analyze(trawl_buffer** out, const trawl_db* db, const char* repository,
                               const trawl_options* options, int32_t format,
                               trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (db == nullptr || repository == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  if (!trawl::IsReportFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    return AnalyzePackage(out, db, GitInputOf(repository, options), options, format, err);
  });
}

trawl_status trawl_git_analyze_summary(trawl_buffer** out, trawl_report_summary* summary,
                                       const trawl_db* db, const char* repository,
                                       const trawl_options* options, int32_t format,
                                       trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (db == nullptr || repository == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL argument");
  if (summary != nullptr && !StructOk(summary)) {
    return Fail(err, TRAWL_E_INVALID, "bad trawl_report_summary struct_size");
  }
  if (!trawl::IsReportFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    return AnalyzePackage(out, db, GitInputOf(repository, options), options, format, err,
                          summary);
  });
}

trawl_status trawl_package_analyze_inputs(trawl_buffer** out, trawl_report_summary* summary,
                                          const trawl_db* db, const trawl_input* const* inputs,
                                          size_t count, uint32_t flags,
                                          const trawl_options* options, int32_t format,
                                          trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (db == nullptr || inputs == nullptr || count == 0) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument or no input");
  }
  if (summary != nullptr && !StructOk(summary)) {
    return Fail(err, TRAWL_E_INVALID, "bad trawl_report_summary struct_size");
  }
  if (!trawl::IsReportFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    std::vector<trawl::SourceInput> sources;
    for (size_t i = 0; i < count; ++i) {
      trawl_input in = TRAWL_INPUT_INIT;
      if (!StructOk(inputs[i])) return Fail(err, TRAWL_E_INVALID, "bad trawl_input struct_size");
      std::memcpy(static_cast<void*>(&in), inputs[i], std::min(inputs[i]->struct_size, sizeof in));
      if (in.path == nullptr && in.data == nullptr && in.len > 0) {
        return Fail(err, TRAWL_E_INVALID, "NULL input data");
      }
      trawl::SourceInput source;
      if (in.path != nullptr) source.path = in.path;
      source.bytes = Bytes(in.data, in.len);
      if (in.name != nullptr) source.name = in.name;
      sources.push_back(std::move(source));
    }
    trawl::PackageOptions package = PackageOptionsOf(options);
    auto aggregate = AggregateOptionsOf(options);
    if (!aggregate.ok()) return ToCStatus(aggregate.status(), err);
    package.aggregate = *std::move(aggregate);
    trawl::SourceWalkOptions walk_options;
    walk_options.respect_gitignore = (flags & TRAWL_INPUTS_NO_IGNORE) == 0;
    if (options != nullptr) walk_options.excludes = options->excludes;
    auto report = trawl::AnalyzeSources(sources, walk_options, db->rep, package);
    if (!report.ok()) return ToCStatus(report.status(), err);
    WriteSummary(*report, summary);
    return Deliver(out, Render(*std::move(report), format, options), err);
  });
}

/* Stage by stage */

trawl_status trawl_manifest_work(trawl_buffer** out, const char* manifest, size_t manifest_len,
                                 trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (manifest == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL manifest");
  return Guard(err, [&] {
    auto parsed = StageManifest(manifest, manifest_len);
    if (!parsed.ok()) return ToCStatus(parsed.status(), err);
    *out = new trawl_buffer{trawl::WorkToJson(*parsed)};
    return TRAWL_OK;
  });
}

trawl_status trawl_component_plan(trawl_buffer** out, const trawl_db* db, const char* manifest,
                                  size_t manifest_len, const char* component_id,
                                  const char* content, size_t content_len,
                                  const trawl_options* options, trawl_error* err) noexcept {
  (void)options;  // reserved: plans take no options yet
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (manifest == nullptr || component_id == nullptr || (content == nullptr && content_len > 0)) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  return Guard(err, [&] {
    auto parsed = StageManifest(manifest, manifest_len);
    if (!parsed.ok()) return ToCStatus(parsed.status(), err);
    auto plan = trawl::PlanManifestComponent(*parsed, component_id, Bytes(content, content_len),
                                             db ? db->rep.get() : nullptr);
    if (!plan.ok()) return ToCStatus(plan.status(), err);
    *out = new trawl_buffer{trawl::PlanToJson(*plan)};
    return TRAWL_OK;
  });
}

trawl_status trawl_component_analyze(trawl_buffer** out, const trawl_db* db,
                                     const char* manifest, size_t manifest_len,
                                     const char* component_id, const char* content,
                                     size_t content_len, const trawl_options* options,
                                     trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (manifest == nullptr || component_id == nullptr || (content == nullptr && content_len > 0)) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  return Guard(err, [&] {
    auto parsed = StageManifest(manifest, manifest_len);
    if (!parsed.ok()) return ToCStatus(parsed.status(), err);
    if (db == nullptr) return Fail(err, TRAWL_E_INVALID, "NULL db");
    auto result = trawl::AnalyzeManifestComponent(*parsed, component_id,
                                                  Bytes(content, content_len), db->rep,
                                                  PackageOptionsOf(options).analyze);
    if (!result.ok()) return ToCStatus(result.status(), err);
    *out = new trawl_buffer{trawl::ComponentResultToJson(*result)};
    return TRAWL_OK;
  });
}

trawl_status trawl_report_aggregate(trawl_buffer** out, const char* manifest,
                                    size_t manifest_len, const char* const* results,
                                    const size_t* result_lens, size_t result_count,
                                    const trawl_options* options, int32_t format,
                                    trawl_error* err) noexcept {
  if (!ClearOut(out)) return Fail(err, TRAWL_E_INVALID, "NULL out");
  if (manifest == nullptr || (result_count > 0 && (results == nullptr || result_lens == nullptr))) {
    return Fail(err, TRAWL_E_INVALID, "NULL argument");
  }
  for (size_t i = 0; i < result_count; ++i) {
    if (results[i] == nullptr && result_lens[i] > 0) {
      return Fail(err, TRAWL_E_INVALID, "NULL result", static_cast<int64_t>(i));
    }
  }
  if (!trawl::IsReportFormat(format)) return Fail(err, TRAWL_E_UNSUPPORTED, "unknown report format");
  return Guard(err, [&] {
    std::vector<std::string_view> documents;
    documents.reserve(result_count);
    for (size_t i = 0; i < result_count; ++i) documents.push_back(Bytes(results[i], result_lens[i]));
    auto aggregate = AggregateOptionsOf(options);
    if (!aggregate.ok()) return ToCStatus(aggregate.status(), err);
    return Deliver(
        out,
        Render(trawl::AggregateDocuments(Bytes(manifest, manifest_len), documents, *aggregate),
               format, options),
        err);
  });
}

trawl_status trawl_policy_default(trawl_buffer** out) noexcept {
  if (!ClearOut(out)) return TRAWL_E_INVALID;
  return Guard(nullptr, [&] {
    *out = new trawl_buffer{trawl::PolicyToJson(trawl::DefaultPolicy())};
    return TRAWL_OK;
  });
}

}  // extern "C"
