// File: options.h
// trawl_options and the one table of its keys: for each TRAWL_OPT_* key its type, its
// bounds and the field it sets. trawl_option_bounds, trawl_options_set_int and
// trawl_options_set_string read this table and nothing else; tests/capi/options_test.cc
// compares it with the header and the Python binding.
#ifndef TRAWL_CAPI_OPTIONS_H_
#define TRAWL_CAPI_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aggregate/option_files.h"
#include "engine/compiler.h"
#include "engine/scanner.h"
#include "entities/phone_numbers.h"
#include "git/git_source.h"
#include "pipeline/package_analysis.h"
#include "report/report.h"
#include "trawl/trawl.h"
#include "util/strings.h"

struct trawl_options {
  trawl::CompileOptions compile;
  trawl::ScanLimits limits;
  trawl::PackageOptions package;  // its analyze.limits come from `limits` at use
  trawl::AggregateFiles files;
  trawl::ReportView view;  // what renderings list
  trawl::GitSource git;  // what the trawl_git_* calls scan; repository is their argument
  std::vector<std::string> excludes;  // trawl_package_analyze_inputs' walk (--exclude)
  bool scan_plan = true;
  trawl_progress_cb progress = nullptr;
  void* progress_user_data = nullptr;
};

namespace trawl::capi {

enum class OptionType { kInt, kString };

struct OptionSpec {
  int32_t key;
  OptionType type;
  int64_t min;
  int64_t max;
  void (*set_int)(trawl_options& options, int64_t value);                // kInt
  void (*set_string)(trawl_options& options, std::string_view value);  // kString; "": default
  // kString, optional: false for a value the option refuses (TRAWL_E_INVALID).
  bool (*accepts)(std::string_view value) = nullptr;
};

template <typename T>
constexpr T As(int64_t value) {
  return static_cast<T>(value);
}

// Integer options. Bounds are inclusive.
#define TRAWL_INT_OPTION(key, min, max, assignment)                                    \
  OptionSpec {                                                                          \
    key, OptionType::kInt, min, max, [](trawl_options& o, int64_t v) { assignment; }, \
        nullptr                                                                         \
  }
// `member` = the value, or its default when the value is "".
#define TRAWL_STRING_OPTION(key, member)                                    \
  OptionSpec {                                                               \
    key, OptionType::kString, 0, 0, nullptr,                                 \
        [](trawl_options& o, std::string_view v) {                           \
          o.member = v.empty() ? trawl_options().member : std::string(v);     \
        }                                                                    \
  }
// The same, for values `accepts` (a function of the core) must take first.
#define TRAWL_CHECKED_STRING_OPTION(key, member, accepts)                   \
  OptionSpec {                                                               \
    key, OptionType::kString, 0, 0, nullptr,                                 \
        [](trawl_options& o, std::string_view v) {                           \
          o.member = v.empty() ? trawl_options().member : std::string(v);     \
        },                                                                   \
        accepts                                                              \
  }

// A date TRAWL_OPT_GIT_SINCE takes, or "" for no bound.
inline bool IsGitSinceOrEmpty(std::string_view since) {
  return since.empty() || ParseGitSince(since).ok();
}

// A region national phone numbers can be read in; "" restores the default.
inline bool IsPhoneRegionOrEmpty(std::string_view region) {
  return region.empty() || IsKnownPhoneRegion(region);
}

inline constexpr OptionSpec kOptions[] = {
    TRAWL_INT_OPTION(TRAWL_OPT_COMPILE_THREADS, 0, 1024, o.compile.threads = As<int>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_WINDOW, 16, 1 << 24, o.compile.max_window = As<uint32_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_COMPILE_TARGET, 0, TRAWL_TARGET_AVX512,
                     o.compile.target = As<CompileTarget>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_REGEXES_PER_PARTITION, 0, 1 << 24,
                     o.compile.max_regexes_per_partition = As<size_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_MATCHES_PER_RULE, 0, INT64_MAX,
                     o.limits.max_matches_per_rule = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_MATCHES, 0, INT64_MAX, o.limits.max_matches = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_BYTES, 0, INT64_MAX, o.limits.max_bytes = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_TIME_BUDGET_MS, 0, INT64_MAX,
                     o.limits.time_budget =
                         v == 0 ? absl::InfiniteDuration() : absl::Milliseconds(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_CHUNK_BYTES, 1, int64_t{1} << 30,
                     o.limits.chunk_bytes = As<size_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_INCLUDE_VALUES, 0, 1, o.package.analyze.include_values = v != 0),
    TRAWL_INT_OPTION(TRAWL_OPT_SCAN_PLAN, 0, 1, o.scan_plan = v != 0),
    TRAWL_STRING_OPTION(TRAWL_OPT_FINGERPRINT_KEY, package.analyze.fingerprint_key),
    TRAWL_STRING_OPTION(TRAWL_OPT_POLICY_FILE, files.policy),
    TRAWL_STRING_OPTION(TRAWL_OPT_SUPPRESSIONS_FILE, files.suppressions),
    TRAWL_STRING_OPTION(TRAWL_OPT_BASELINE_FILE, files.baseline),
    TRAWL_STRING_OPTION(TRAWL_OPT_COMPILE_CACHE_DIR, compile.cache_dir),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_CARVE_DEPTH, 0, UINT32_MAX,
                     o.package.limits.max_carve_depth = As<uint32_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_CARVES_PER_COMPONENT, 0, UINT32_MAX,
                     o.package.limits.max_carves_per_component = As<uint32_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_CARVE_SCAN_BYTES, 0, INT64_MAX,
                     o.package.limits.max_carve_scan_bytes = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_TOTAL_BYTES, 0, INT64_MAX,
                     o.package.limits.max_total_bytes = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_EXPANSION_RATIO, 0, 1 << 30,
                     o.package.limits.max_expansion_ratio = As<double>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_RATIO_GRACE_BYTES, 0, INT64_MAX,
                     o.package.limits.ratio_grace_bytes = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_ENTRIES, 0, INT64_MAX,
                     o.package.limits.max_entries = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_DEPTH, 0, 64, o.package.limits.max_depth = As<uint32_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_PATH_LENGTH, 0, INT64_MAX,
                     o.package.limits.max_path_length = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_COMPONENT_BYTES, 0, INT64_MAX,
                     o.package.limits.max_component_bytes = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_TOKEN_PASS, 0, 1, o.compile.token_pass = v != 0),
    TRAWL_CHECKED_STRING_OPTION(TRAWL_OPT_DEFAULT_REGION, package.analyze.default_region,
                                IsPhoneRegionOrEmpty),
    TRAWL_INT_OPTION(TRAWL_OPT_MAX_INFLIGHT_BYTES, 0, INT64_MAX,
                     o.package.max_inflight_bytes = As<uint64_t>(v)),
    TRAWL_INT_OPTION(TRAWL_OPT_STREAM_THRESHOLD_BYTES, 0, INT64_MAX,
                     o.package.stream_threshold_bytes = As<uint64_t>(v)),
    TRAWL_STRING_OPTION(TRAWL_OPT_PACKAGE_NAME, package.package_name),
    TRAWL_INT_OPTION(TRAWL_OPT_MIN_SEVERITY, 0, 4, o.view.min_severity = As<Severity>(v)),
    OptionSpec{TRAWL_OPT_CATEGORIES, OptionType::kString, 0, 0, nullptr,
               [](trawl_options& o, std::string_view v) {
                 o.view.categories = ParseCategoryList(v);
               }},
    TRAWL_INT_OPTION(TRAWL_OPT_LIST_ALL, 0, 1, o.view.list_all = v != 0),
    TRAWL_STRING_OPTION(TRAWL_OPT_GIT_BRANCH, git.branch),
    OptionSpec{TRAWL_OPT_GIT_SINCE, OptionType::kString, 0, 0, nullptr,
               [](trawl_options& o, std::string_view v) {
                 o.git.since = v.empty() ? absl::InfinitePast() : *ParseGitSince(v);
               },
               IsGitSinceOrEmpty},
    TRAWL_INT_OPTION(TRAWL_OPT_GIT_STAGED, 0, 1, o.git.staged = v != 0),
    OptionSpec{TRAWL_OPT_EXCLUDE, OptionType::kString, 0, 0, nullptr,
               [](trawl_options& o, std::string_view v) {
                 o.excludes.clear();
                 for (std::string_view line : Split(v, '\n', /*skip_empty=*/true)) {
                   o.excludes.emplace_back(line);
                 }
               }},
};

#undef TRAWL_INT_OPTION
#undef TRAWL_STRING_OPTION
#undef TRAWL_CHECKED_STRING_OPTION

// The entry of `key`, or null for a key trawl does not know.
constexpr const OptionSpec* FindOption(int32_t key) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

}  // namespace trawl::capi

#endif  // TRAWL_CAPI_OPTIONS_H_
