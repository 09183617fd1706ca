// File: package_analysis.h
// The whole pipeline in one call: decompose a package (intake/), analyse every
// component on a worker pool (analyze/; the database shared, one analyzer per thread),
// correlate identical findings across components, rank them, and account for every
// component in the report.
//
// Scoring here is a first, fixed policy (severity x confidence x exposure x location);
// the data-driven policy, suppression and the stage-by-stage documents are the next step
// (see docs/report.md).
#ifndef TRAWL_SRC_PIPELINE_PACKAGE_ANALYSIS_H_
#define TRAWL_SRC_PIPELINE_PACKAGE_ANALYSIS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analyze/component_analyzer.h"
#include "intake/component.h"
#include "intake/decompose.h"

namespace trawl {

struct PackageOptions {
  DecomposeLimits limits;
  AnalyzeOptions analyze;
  int threads = 0;         // 0: one per hardware thread
  std::string package_id;  // default: SHA-256 of the package bytes
};

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
};

struct PriorityFactor {
  std::string name;
  double value;
};

// One finding per (rule, value fingerprint), with every place it occurs.
struct AggregatedFinding {
  std::string rule_id;
  std::string category;
  Severity severity = Severity::kMedium;
  std::string fingerprint;
  std::string value;
  std::string entity;
  std::string validator;
  bool validated = false;
  double confidence = 0;
  double priority = 0;
  std::vector<PriorityFactor> factors;  // what the priority is made of, multiplied
  std::vector<std::string> confidence_reasons;
  std::vector<FindingLocation> locations;
};

struct PackageReport {
  Manifest manifest;
  std::vector<ComponentResult> components;
  std::vector<AggregatedFinding> findings;  // highest priority first
  bool complete = true;
  std::vector<std::string> incomplete_reasons;
};

// Decomposition options for a package file: the limits, and the package id (given, or
// the SHA-256 of the file, so the same bytes always give the same component ids).
absl::StatusOr<DecomposeOptions> PackageDecomposeOptions(const std::string& path,
                                                         const PackageOptions& options);

absl::StatusOr<PackageReport> AnalyzePackageFile(const std::string& path,
                                                 std::shared_ptr<const Database> db,
                                                 const PackageOptions& options);

// The classification stage on its own: decomposes the package and plans every component
// (chains, tier, cost estimate; docs/plan.md). `db` may be null: the plans then name the
// default chain only. Returns {"schema":"trawl.plans/1","package":{...},"plans":[...]}.
absl::StatusOr<std::string> ClassifyPackageFileJson(const std::string& path,
                                                    const Database* db,
                                                    const PackageOptions& options);

inline constexpr std::string_view kReportSchema = "trawl.report/1";

// Deterministic JSON: the same package and database give the same bytes.
std::string ReportToJson(const PackageReport& report, int indent = 2);
// A readable table of the findings and the component accounting.
std::string ReportToTable(const PackageReport& report);

}  // namespace trawl

#endif  // TRAWL_SRC_PIPELINE_PACKAGE_ANALYSIS_H_
