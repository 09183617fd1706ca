// File: plan.h
// Processing plans: for each component, which analysis chains run, over what input, and
// whether the work fits a Lambda function ("light") or needs Fargate ("heavy"), with
// the cost estimate and the reasons written into the plan so hosts can route and users
// can see why. The JSON form is "trawl.plan/1" (docs/plan.md).
//
// Thread-safety: pure functions over borrowed inputs.
#ifndef TRAWL_SRC_CLASSIFY_PLAN_H_
#define TRAWL_SRC_CLASSIFY_PLAN_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "classify/classify.h"
#include "intake/component.h"

namespace trawl {

inline constexpr std::string_view kPlanSchema = "trawl.plan/1";

enum class Tier { kLight = 0, kHeavy = 1 };
std::string_view TierName(Tier tier);
absl::StatusOr<Tier> ParseTier(std::string_view name);

// Per-byte costs of each kind of work, and the tier thresholds.
//
// CALIBRATION: the time costs are the rates bench/calibrate_costs.sh measures (thread
// CPU time of each plan step, default packs, generated logs, JSON, CSV and binaries;
// docs/plan.md "Cost model" has the run), rounded up. Refresh them with that script when
// an analysis step's speed changes; hosts on other hardware run it there and override
// the fields. The memory factors are estimates, not measurements.
struct CostModel {
  // One pattern chain. All planned chains share one scan; this is that scan's measured
  // rate with the default packs (2.1 ns/B) divided among their three chains.
  double pattern_seconds_per_byte = 0.75e-9;
  // Per-chain overrides (a chain with a heavy regex set costs more).
  std::map<std::string, double> pattern_seconds_per_byte_by_chain;
  double entity_seconds_per_byte = 0.5e-9;  // validators and scoring of the candidates
  // Each includes the decode steps the structure analysis finds (refanged, base64/hex
  // layers; escaped JSON strings; a binary's strings and UTF-16 strings).
  double structure_json_seconds_per_byte = 2.4e-9;
  double structure_csv_seconds_per_byte = 1.6e-9;
  double structure_text_seconds_per_byte = 0.35e-9;
  double structure_binary_seconds_per_byte = 0.25e-9;
  double transcode_seconds_per_byte = 2e-9;
  double fixed_seconds_per_component = 1e-5;

  uint64_t base_memory_bytes = 512ull << 20;  // runtime, compiled database, scratch
  double memory_per_content_byte = 1.0;       // the content itself
  double transcode_memory_per_byte = 1.5;     // UTF-8 copy (+ offset map)
  double json_memory_per_byte = 3.0;          // parsed JSON document (tape + strings)
  double working_memory_per_byte = 0.5;       // other chains' buffers and results

  // A component (or package) is light when both estimates are under these.
  double light_max_seconds = 300.0;              // Lambda's budget, leaving headroom
  uint64_t light_max_memory_bytes = 3ull << 30;  // 3 GiB

  bool operator==(const CostModel&) const = default;
};

struct PlanOptions {
  // Pattern chains defined by the loaded rules (Definition::chains); all of them run
  // on every component that is analysed: text (as UTF-8) and binaries (raw), images too.
  std::vector<std::string> pattern_chains = {"default"};
  bool entities = true;   // validate and score the candidates (validators, context)
  bool structure = true;  // run the structural analysis for the format
  bool decode = true;     // also scan decoded forms (needs structure; see kDecode*)
  CostModel costs;
};

// One unit of work; the analysis stage runs exactly the steps of a plan (docs/plan.md).
//   transcode  name: the encoding ("utf-16le", "utf-16be", "latin-1"); input "raw"
//   patterns   name: a pattern chain; one scan serves every planned chain
//   entities   name: "entities": validators and context scoring of the candidates
//   structure  name: "json", "csv", "text" or "binary": locations of findings
//   decode     name: a decoded form whose matches are reported at the encoded bytes
//              ("json-strings", "utf16-strings", "refanged", "layers")
struct PlanStep {
  std::string stage;
  std::string name;
  std::string input;  // "utf8" (transcoded or native), or "raw" bytes
  double estimated_seconds = 0;

  bool operator==(const PlanStep&) const = default;
};

inline constexpr std::string_view kDecodeJsonStrings = "json-strings";  // escaped JSON strings
inline constexpr std::string_view kDecodeUtf16Strings = "utf16-strings";  // of a binary
inline constexpr std::string_view kDecodeRefanged = "refanged";  // defanged indicators, live
inline constexpr std::string_view kDecodeLayers = "layers";      // base64/hex blobs

struct ProcessingPlan {
  std::string schema = std::string(kPlanSchema);
  std::string component_id;
  std::string path;
  std::string sha256;
  uint64_t size = 0;
  Format format = Format::kEmpty;
  TextEncoding encoding = TextEncoding::kNone;
  std::string media_type;
  std::string language;
  // False when nothing runs: a duplicate, an expanded container, unread content.
  bool analyze = false;
  // Set when intake could read only part of the content: the component's status
  // ("truncated", "limit_exceeded", ...). The analysis covers the bytes it has.
  std::string partial_content;
  std::vector<PlanStep> steps;
  double estimated_seconds = 0;
  uint64_t estimated_memory_bytes = 0;
  Tier tier = Tier::kLight;
  std::vector<std::string> reasons;

  bool operator==(const ProcessingPlan&) const = default;
};

// Classifies `content` (the component's bytes from intake; ignored when the component
// carries none) and plans its analysis.
ProcessingPlan PlanComponent(const Component& component, std::string_view content,
                             const PlanOptions& options);

// The same from a classification already made (e.g. by a host that sampled content).
ProcessingPlan PlanClassified(const Component& component, const Classification& classification,
                              const PlanOptions& options);

// Package-level routing: the sum of the component estimates and the largest memory
// estimate (components run one at a time per worker), with the tier that results.
struct PackageEstimate {
  double estimated_seconds = 0;
  uint64_t estimated_memory_bytes = 0;
  uint64_t components_to_analyze = 0;
  Tier tier = Tier::kLight;
  std::vector<std::string> reasons;
};
PackageEstimate EstimatePackage(const std::vector<ProcessingPlan>& plans, const CostModel& costs);

// Deterministic JSON; indent as in JsonWriter.
std::string PlanToJson(const ProcessingPlan& plan, int indent = 2);
// Rejects other schemas, missing fields and unknown enum names; ignores extra fields.
absl::StatusOr<ProcessingPlan> PlanFromJson(std::string_view json);

}  // namespace trawl

#endif  // TRAWL_SRC_CLASSIFY_PLAN_H_
