// File: rule_logic.h
// What a rule says beyond one pattern (docs/rules.md, "Composite rules"): several patterns
// and a condition over them, a scope, ordering constraints (Suricata distance/within),
// which span the finding reports, and filters applied after a match (a secret group, an
// entropy floor, allow-lists, paths). Plain data; conditions are parsed by
// rules/condition.h and evaluated by the engine after the scan.
#ifndef TRAWL_SRC_RULES_RULE_LOGIC_H_
#define TRAWL_SRC_RULES_RULE_LOGIC_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace trawl {

enum class PatternKind : uint8_t;

// "Not set" for the placement fields below.
inline constexpr int64_t kUnsetPlacement = std::numeric_limits<int64_t>::min();

// One pattern of a composite rule.
struct RulePattern {
  std::string name;  // unique in the rule; the condition names it as $name
  PatternKind kind{};
  std::string expression;  // regex text, or literal bytes (escapes decoded)
  uint32_t flags = 0;      // PatternFlag bits
  // Placement. Absolute (any condition): an occurrence starts at or after `offset` and
  // ends at or before offset + depth (depth alone: at or before depth).
  int64_t offset = kUnsetPlacement;
  int64_t depth = kUnsetPlacement;
  // Relative, "sequence" rules only: to the previous non-negated pattern of the same
  // chain. The occurrence starts at or after prev_end + distance and, with `within`, ends
  // at or before prev_end + distance + within (distance counts as 0 when unset).
  int64_t distance = kUnsetPlacement;
  int64_t within = kUnsetPlacement;
  // Sequence rules: a regex searched from the previous pattern's end (Suricata pcre /R).
  bool relative = false;
  // Sequence rules: the pattern must have no occurrence where its placement allows one.
  bool negated = false;
  // A hint for the planner: scan this pattern and confirm the others around it
  // (Suricata fast_pattern).
  bool fast = false;
  // Sequence rules: patterns with the same chain are ordered among themselves (a Suricata
  // buffer such as "http_uri"); every chain is searched over the whole component.
  std::string chain;

  bool HasRelativePlacement() const {
    return relative || distance != kUnsetPlacement || within != kUnsetPlacement;
  }
  bool operator==(const RulePattern&) const = default;
};

// Where a composite rule's patterns must lie together.
enum class ScopeKind : uint8_t {
  kComponent = 0,  // anywhere in the scanned component
  kBytes = 1,      // within `n` bytes of the report pattern's occurrence
  kLine = 2,       // on the report pattern's line
  kLines = 3,      // within `n` lines of the report pattern's line
};
struct Scope {
  ScopeKind kind = ScopeKind::kComponent;
  uint32_t n = 0;
  bool operator==(const Scope&) const = default;
};

// What an allow-list regex is matched against (gitleaks regexTarget).
enum class AllowTarget : uint8_t { kSecret = 0, kMatch = 1, kLine = 2 };

// A match is dropped when an allow-list applies to it: any one of its criteria (or all of
// them, with `require_all`) holds.
struct AllowList {
  std::string description;
  std::vector<std::string> regexes;  // PCRE2, matched anywhere in the target
  AllowTarget target = AllowTarget::kSecret;
  std::vector<std::string> stopwords;  // substrings of the secret, ASCII case ignored
  std::vector<std::string> paths;      // regexes over the component's path
  std::vector<std::string> path_globs;  // globs over the component's path ('*', '?', '**')
  bool require_all = false;
  bool operator==(const AllowList&) const = default;
};

inline constexpr std::string_view kSequenceCondition = "sequence";

struct RuleLogic {
  // Empty: the rule is its own single pattern (Definition::expression) and the fields
  // below only filter its matches.
  std::vector<RulePattern> patterns;
  // The condition language of rules/condition.h ("all of them", "$key and $id",
  // "2 of ($a*)", "sequence", ...). "" means "all of them".
  std::string condition;
  Scope scope;
  // Scoped rules: the pattern whose occurrence anchors the scope and is the finding's
  // span. "" = the first non-negated pattern.
  std::string report;
  // The secret: capture group `secret_group` (0: the first group that took part, or the
  // whole match when none did; -1: not set, trawl's default of group 1).
  int32_t secret_group = -1;
  // The finding's span is the secret, not the whole match (gitleaks).
  bool span_is_secret = false;
  // Entropy floor over the secret: Shannon entropy (bits per byte) must be >= min_entropy,
  // or > it with entropy_strict. Not set when has_entropy is false.
  bool has_entropy = false;
  double min_entropy = 0;
  bool entropy_strict = false;
  std::vector<AllowList> allow;
  // The rule applies only to components whose path matches one of these regexes.
  std::vector<std::string> paths;
  // The rule applies only to components that contain one of these (ASCII case ignored):
  // gitleaks' keywords. A match containing one needs no further look.
  std::vector<std::string> required_keywords;

  bool composite() const { return !patterns.empty(); }
  // Index of the report pattern (composites), or -1 when there is none.
  int ReportPattern() const;
  bool operator==(const RuleLogic&) const = default;
};

// Checks a rule's logic on its own (names, placement, condition, regexes of allow-lists
// and paths compile with PCRE2 syntax is left to the engine). Returns every problem.
std::vector<std::string> CheckRuleLogic(const RuleLogic& logic);

// A compact binary form, for database artifacts and digests.
std::string EncodeRuleLogic(const RuleLogic& logic);
absl::StatusOr<RuleLogic> DecodeRuleLogic(std::string_view bytes);

// ASCII-case-insensitive glob: '*' any run without '/', '**' any run, '?' one byte.
bool GlobMatches(std::string_view glob, std::string_view path);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_RULE_LOGIC_H_
