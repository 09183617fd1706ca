// File: suppression.h
// Allow-lists and baselines (docs/scoring.md). A suppressed finding stays in the report,
// in its own list and with the reason, so that nothing disappears without a trace.
//
// Thread-safe after construction: matching is const.
#ifndef TRAWL_SRC_AGGREGATE_SUPPRESSION_H_
#define TRAWL_SRC_AGGREGATE_SUPPRESSION_H_

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace trawl {

inline constexpr std::string_view kSuppressionsSchema = "trawl.suppressions/1";
inline constexpr std::string_view kBaselineSchema = "trawl.baseline/1";

// One allow-list entry. Every field given must match; at least one must be given.
struct SuppressionRule {
  std::string fingerprint;    // exact finding fingerprint
  std::string rule;           // rule id glob (fnmatch: * ? [...])
  std::string path;           // location path glob; * also crosses '/' and '!/'
  std::string value_pattern;  // RE2, searched in the value (only when values are kept)
  std::string reason;         // required: why this is accepted
  std::shared_ptr<const re2::RE2> value_regex;
};

struct Suppressions {
  std::vector<SuppressionRule> rules;
  // Accepted findings as (rule id, fingerprint), from a baseline file or an older report.
  std::set<std::pair<std::string, std::string>> baseline;
  std::string baseline_name;  // shown in the reason
};

// {"schema":"trawl.suppressions/1","suppressions":[{"rule":"…","reason":"…"},…]}
absl::StatusOr<std::vector<SuppressionRule>> SuppressionRulesFromJson(std::string_view json);

// A "trawl.baseline/1" document ({"findings":[{"rule":…,"fingerprint":…}]}) or a
// "trawl.report/1" report, whose findings (active and suppressed) become the baseline.
absl::StatusOr<std::set<std::pair<std::string, std::string>>> BaselineFromJson(
    std::string_view json);

// What an allow-list rule checks against.
struct SuppressionSubject {
  std::string_view rule_id;
  std::string_view fingerprint;
  std::string_view value;
  std::string_view path;  // one location's path
};

// Does `rule` match the subject, ignoring the path (path == "" checks no path)?
bool MatchesIgnoringPath(const SuppressionRule& rule, const SuppressionSubject& subject);
bool PathGlobMatches(std::string_view glob, std::string_view path);

}  // namespace trawl

#endif  // TRAWL_SRC_AGGREGATE_SUPPRESSION_H_
