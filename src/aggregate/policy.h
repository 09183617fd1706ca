// File: policy.h
// The scoring policy: data, not code (docs/scoring.md). A finding's priority is the
// product of the factors the policy names (severity, confidence, entity type, category,
// exposure, location), and the report lists each factor so that a ranking can be
// explained. The default policy is what `trawl policy` prints; a JSON file with any
// subset of its fields overrides them.
//
// Thread-safe: plain data.
#ifndef TRAWL_SRC_AGGREGATE_POLICY_H_
#define TRAWL_SRC_AGGREGATE_POLICY_H_

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace trawl {

inline constexpr std::string_view kPolicySchema = "trawl.policy/1";

// Paths that contain any of `path_contains` (case-insensitive) get `weight`. Rules are
// tried in order and the first that matches wins; a finding with several locations takes
// the highest weight among them (it is as urgent as its most exposed copy).
struct LocationRule {
  std::string name;
  std::vector<std::string> path_contains;
  double weight = 1.0;
};

struct ScoringPolicy {
  // By severity: info, low, medium, high, critical.
  std::array<double, 5> severity_weights = {1, 2, 4, 7, 10};
  // Exposure factor: 1 + exposure_per_doubling * log2(number of locations).
  double exposure_per_doubling = 0.1;
  std::vector<LocationRule> locations;
  double default_location_weight = 1.0;
  // Multipliers by entity type and by category; absent means 1 (and no factor listed).
  std::map<std::string, double> entity_weights;
  std::map<std::string, double> category_weights;
  // Multipliers for threat-indicator hits by how they matched (entities/indicator_lookup.h):
  // a value a feed lists outranks a generic entity of the same severity; a match through a
  // part (a parent domain, an IP seen without its port) counts less. Absent kinds: 1.
  std::map<std::string, double> indicator_match_weights = {
      {"exact", 1.5},        {"file-hash", 1.5},       {"url-host", 1.5},
      {"host-of-url", 1.25}, {"email-domain", 1.25},   {"ip-without-port", 1.0},
      {"parent-domain", 1.0}, {"url-path", 1.0}};
  // Findings below this confidence are reported as suppressed by the policy, never dropped.
  double min_confidence = 0.0;
  // Two findings of these categories in one component whose spans lie within this many
  // bytes are linked as related (an access key id next to its secret).
  uint64_t related_within_bytes = 512;
  std::vector<std::string> related_categories = {"secret"};
  // The package score: the highest finding priority plus this share of the others'.
  double package_score_others_share = 0.1;
};

ScoringPolicy DefaultPolicy();

// Starts from DefaultPolicy() and overrides the fields present. Rejects unknown fields
// (a typo must not silently leave a default in place), other schemas and bad values.
absl::StatusOr<ScoringPolicy> PolicyFromJson(std::string_view json);

// The complete policy; PolicyFromJson(PolicyToJson(p)) == p.
std::string PolicyToJson(const ScoringPolicy& policy, int indent = 2);

}  // namespace trawl

#endif  // TRAWL_SRC_AGGREGATE_POLICY_H_
