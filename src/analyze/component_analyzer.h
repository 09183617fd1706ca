// File: component_analyzer.h
// Per-component analysis: classify the bytes, scan them once with the compiled database,
// validate and score each candidate (entities/), and place every finding in the
// component's structure (line and column, JSON pointer, CSV row and column).
//
// Thread-safety: a ComponentAnalyzer holds a Scanner and parser state; use one per
// thread. The Database it shares is immutable.
#ifndef TRAWL_SRC_ANALYZE_COMPONENT_ANALYZER_H_
#define TRAWL_SRC_ANALYZE_COMPONENT_ANALYZER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/scanner.h"
#include "intake/component.h"

namespace trawl {

struct Finding {
  std::string rule_id;
  std::string category;
  Severity severity = Severity::kMedium;
  std::string component_id;
  std::string path;      // the component's path chain
  uint64_t start = 0;    // byte offsets in the component's content
  uint64_t end = 0;
  // Where the match was found when not in the raw bytes: "json-string" (the decoded
  // form of an escaped JSON string), "base64", "hex", ... (a decoded layer). The span
  // above is then the encoded bytes it came from.
  std::string decoded_from;
  std::string value;     // capture group 1 when the rule has one, else the whole match
  std::string entity;    // entity type, "" when none
  std::string validator;
  bool validated = false;
  double confidence = 0.5;
  double entropy = -1.0;
  std::vector<std::string> reasons;  // what moved the confidence, one line each
  std::string fingerprint;           // keyed HMAC-SHA-256 of (rule, value): never the value
  // Location, each present when the component's structure knows it.
  int64_t line = -1;    // 1-based
  int64_t column = -1;  // 1-based byte column
  std::string json_pointer;
  int64_t csv_row = -1;  // 0-based data row
  std::string csv_column;
};

struct ComponentResult {
  std::string package_id;
  std::string component_id;
  std::string path;
  std::string status;  // "analysed" or "skipped"
  std::string reason;  // why skipped, or notes ("truncated: ...")
  std::string format;
  std::string encoding;
  uint64_t bytes_scanned = 0;
  uint32_t truncation = 0;        // TruncationReason bits of the scan
  uint64_t dropped_candidates = 0;  // candidates a validator or the confidence floor rejected
  // SHA-256 of the definitions that produced the findings: results of one package made
  // with different rule sets do not mix silently.
  std::string database;
  std::vector<Finding> findings;
};

// Why a component gets no analysis of its own (a container whose entries are components,
// a directory or link, an entry that was not read, a duplicate of an earlier component),
// or nullopt when it needs a component result for its package to be complete.
std::optional<std::string> SkipReason(const Component& component);

// The result that accounts for a component SkipReason() excludes.
ComponentResult SkippedResult(const Component& component, std::string_view package_id,
                              std::string reason);

struct AnalyzeOptions {
  // limits.time_budget covers one component: all of its buffers (raw bytes, decoded
  // strings, encoded layers) share one deadline, as they share limits.deadline.
  ScanLimits limits;
  // Key for finding fingerprints. Fingerprints let aggregation match a secret across
  // components without storing it; rotate the key to unlink old reports.
  std::string fingerprint_key = "trawl-default-fingerprint-key";
  bool include_values = true;  // false: reports carry fingerprints only, never values
  std::string package_id;      // copied into each result, so aggregation can check it
};

class ComponentAnalyzer {
 public:
  static absl::StatusOr<std::unique_ptr<ComponentAnalyzer>> Create(
      std::shared_ptr<const Database> db);
  ~ComponentAnalyzer();

  // Analyses one component's content. Components without content (containers,
  // duplicates, encrypted or skipped entries) give a "skipped" result with the reason.
  absl::StatusOr<ComponentResult> Analyze(const Component& component, std::string_view content,
                                          const AnalyzeOptions& options);

 private:
  struct Impl;
  explicit ComponentAnalyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_ANALYZE_COMPONENT_ANALYZER_H_
