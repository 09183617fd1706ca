// File: finding_groups.h
// Grouped low-priority entities (docs/report.md, "Groups"): fifty e-mail addresses in one
// CSV column are one report entry, "50 email values in data/users.csv, column email", so
// they do not push real secrets down the table. Only findings that are neither secrets
// nor of high or critical severity are grouped; every finding and location stays in the
// JSON report and SARIF, which list the groups beside the findings.
#ifndef TRAWL_SRC_REPORT_FINDING_GROUPS_H_
#define TRAWL_SRC_REPORT_FINDING_GROUPS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "aggregate/aggregate.h"

namespace trawl {

// Fewer findings than this in one place stay separate entries.
inline constexpr size_t kMinGroupSize = 3;

struct FindingGroup {
  std::string entity;
  std::string rule_id;  // "" when the members come from more than one rule
  std::string path;     // the component path of the members' first locations
  std::string field;    // "column <name>", "key <pointer with * for indices>", or ""
  Severity severity = Severity::kInfo;  // the highest of the members
  double priority = 0;                  // the highest of the members
  std::vector<size_t> members;          // indices into PackageReport::findings, in order
  // "50 email values in data/users.csv, column email"
  std::string Title() const;
};

// True for a finding that may be grouped: an entity, not a secret, severity below high.
bool Groupable(const AggregatedFinding& finding);

// Groups of kMinGroupSize or more groupable active findings that share an entity type, a
// component and a field (CSV column, JSON key with array indices as *, or none), ordered
// by their first member. Deterministic: a function of the findings' order and contents.
std::vector<FindingGroup> GroupLowPriorityFindings(const PackageReport& report);

}  // namespace trawl

#endif  // TRAWL_SRC_REPORT_FINDING_GROUPS_H_
