// File: aggregate.h
// The last stage: from a package's manifest and its component results (in any order,
// with duplicates, some possibly missing) to one ranked, explained, complete report.
//  - Correlation: one finding per (rule, value fingerprint) with all its locations;
//    findings of one component lying close together are linked as related.
//  - Scoring: confidence from analysis, priority from the policy (policy.h), each factor
//    listed; the package score is kept apart from the findings' scores.
//  - Suppression: allow-lists, baselines and the policy's confidence floor move findings
//    to the suppressed list, with the reason; nothing is dropped.
//  - Completeness: every manifest component is analysed, skipped (with the reason) or
//    missing; a missing result makes the report incomplete.
// Deterministic: the same inputs in any order, duplicated or not, give the same report.
#ifndef TRAWL_SRC_AGGREGATE_AGGREGATE_H_
#define TRAWL_SRC_AGGREGATE_AGGREGATE_H_

#include <map>
#include <string>
#include <vector>

#include "aggregate/policy.h"
#include "aggregate/suppression.h"
#include "analyze/component_analyzer.h"
#include "intake/component.h"

namespace trawl {

struct FindingLocation {
  std::string component_id;
  std::string path;
  uint64_t start = 0;
  uint64_t end = 0;
  int64_t line = -1;
  int64_t column = -1;
  std::string json_pointer;
  int64_t csv_row = -1;
  std::string csv_column;
  std::string decoded_from;  // "", "json-string", "base64", ... (see Finding)
  std::string suppressed;    // why an allow-list path rule accepts this location, or ""
};

struct PriorityFactor {
  std::string name;
  double value;  // a multiplier: the priority is the product of all factors
};

struct RelatedFinding {
  std::string rule_id;
  std::string fingerprint;
  std::string why;
};

// One finding per (rule, value fingerprint), with every place it occurs.
struct AggregatedFinding {
  std::string rule_id;
  std::string category;
  Severity severity = Severity::kMedium;
  std::string fingerprint;
  std::string value;
  std::string normalized;  // the validator's normal form (E.164 for phones), when kept
  std::string entity;
  std::string validator;
  bool validated = false;
  FindingIndicator indicator;  // set for threat-indicator hits (its value "" when redacted)
  double confidence = 0;  // the highest over its locations
  double priority = 0;
  std::vector<PriorityFactor> factors;
  std::vector<std::string> confidence_reasons;
  std::vector<FindingLocation> locations;
  std::vector<RelatedFinding> related;
  // Set for suppressed findings: "allow-list", "inline" (a trawl:ignore or gitleaks:allow
  // comment on every location's line), "baseline" or "policy", and why.
  std::string suppressed_by;
  std::string suppression_reason;
};

struct PackageScore {
  double score = 0;  // highest active priority + others_share * the other active priorities
  double highest_priority = 0;
  std::array<uint64_t, 5> active_by_severity{};
};

struct PackageReport {
  Manifest manifest;
  std::string database;  // definitions digest shared by the results ("" if none analysed)
  // One per manifest component, in manifest order: "analysed", "skipped" or "missing".
  // Their findings keep rule, category, severity, span and confidence; the location
  // strings (component id, path, JSON pointer, CSV column, decoded_from) moved into the
  // aggregated findings' locations.
  std::vector<ComponentResult> components;
  std::vector<AggregatedFinding> findings;    // active, highest priority first
  std::vector<AggregatedFinding> suppressed;  // same order, with the reason
  PackageScore score;
  bool complete = true;
  std::vector<std::string> incomplete_reasons;
  std::vector<std::string> notes;  // ignored inputs (foreign package, unknown component)
  // By rule id: what the rules' files say of the findings' rules, gathered from the
  // component results (the first in manifest order for an id). SARIF describes its rules
  // with it; the JSON report does not carry it.
  std::map<std::string, RuleDescription> rules;
};

struct AggregateOptions {
  ScoringPolicy policy = DefaultPolicy();
  Suppressions suppressions;
  // false: the report carries no values and no reason quoting them, even when the results
  // do (a redacted report made from results kept with values). Suppression by
  // value_pattern still sees the values first.
  bool include_values = true;
};

// `results` may arrive in any order and hold duplicates (an at-least-once queue): for one
// component, an analysed result beats a skipped one, an untruncated one a truncated one,
// and among equals the smallest serialized form wins, so the choice is deterministic.
PackageReport Aggregate(Manifest manifest, std::vector<ComponentResult> results,
                        const AggregateOptions& options);

}  // namespace trawl

#endif  // TRAWL_SRC_AGGREGATE_AGGREGATE_H_
