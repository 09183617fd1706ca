// File: planner.h
// The scan planner: turns a definition set into partitions that scan fast and find
// exactly what one merged database would (docs/planner.md).
//
// Every definition gets a cost class from static analysis of its pattern:
//   literal        pure literal of a useful length: one literal database (FDR/Teddy).
//   short-literal  1-2 byte literals (or 3 caseless): they hit nearly everywhere, so they
//                  get a database of their own and cannot slow the literal one.
//   gated          a regex with required literal atoms (RE2 prefilter, plan/atoms.h):
//                  not in any full-scan database; its atoms go into the gate database
//                  and PCRE2 confirms it only around an atom hit.
//   regex          a regex with no usable atom: full-scan regex partitions, assigned by
//                  a hash of the rule id so that one changed definition changes one
//                  partition (and the compile cache rebuilds only that one).
//   hot-regex,     a regex with no atom that fires often on a generated calibration
//   warm-regex     sample of typical text (or is only 1-3 bytes wide): isolated in
//                  partitions of its own so its millions of engine events cannot slow
//                  the others, and so a scan with per-rule match caps can stop those
//                  partitions once all their rules are capped.
// Rejected definitions stay rejected (the engine compiler decides that).
#ifndef TRAWL_SRC_SCAN_PLAN_PLANNER_H_
#define TRAWL_SRC_SCAN_PLAN_PLANNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/compiler.h"
#include "engine/database.h"

namespace trawl::plan {

enum class CostClass : uint8_t {
  kLiteral,
  kShortLiteral,
  kGated,
  kRegex,
  kHotRegex,   // fires at least once per 64 bytes of typical text: under match caps these
               // partitions stop early, so they are kept apart from merely warm rules
  kWarmRegex,  // fires at least once per hot_bytes_per_match bytes, or is 1-3 bytes wide
  kRejected,
};

std::string_view CostClassName(CostClass cost_class);

struct PlanOptions {
  bool gate = true;           // false: no literal gating (the ungated baseline)
  size_t min_atom_len = 3;    // shorter atoms hit too often to gate on
  // Regexes whose start window (a bounded prefix's width, else the max width capped by
  // max_window) exceeds this are not gated: each atom hit would cost PCRE2 a search over
  // that many start positions. Measured on rules/secrets.json over bench_mixed_16MiB.bin:
  // rules gated on a keyword with an 8 KiB window (ethereum-private-key, 490 hits) cost
  // ~85 us a hit, more than the whole full-scan partition; the cap keeps them there.
  uint32_t max_gate_window = 256;
  size_t regexes_per_partition = 1000;  // target size of a full-scan regex partition
  // Literal partition size when the plan also has full-scan regexes (see PlanPartitions).
  size_t literals_per_partition = size_t{64} << 10;
  // Calibration: each regex without atoms is run (PCRE2) over a built-in 64 KiB sample of
  // typical text (code, JSON, logs, prose, hex, base64, URLs); one that matches at least
  // once per `hot_bytes_per_match` bytes is hot. The sample is generated, not read, so
  // plans are reproducible and independent of the data being benchmarked.
  bool calibrate = true;
  size_t hot_bytes_per_match = 1024;
  // Small sets: when at most this many rules need a regex pass (gated or full scan), the
  // plan and one merged pass are both compiled and timed on the calibration sample, and
  // the faster kept. Gating pays only when the full-scan pass it spares is expensive; for
  // a few hundred secret rules one merged pass is faster than a gate pass plus a regex
  // pass. Timed, so close calls may go either way between compiles; matches are the same
  // either way. 0: never.
  size_t max_trial_rules = 1000;
};

// The calibration sample (deterministic).
const std::string& CalibrationSample();

struct RuleCost {
  uint64_t sample_matches = 0;  // matches on the calibration sample (regexes without atoms)
  CostClass cost_class = CostClass::kRegex;
  std::vector<std::string> atoms;  // kGated: the atoms
  uint32_t gate_window = 0;        // kGated: start-range bound (0: the rule's window)
  ByteSequence follow;             // kGated: GateSpec::follow, when the window covers its Q
  std::string why;                 // human-readable reason for the class
};

// Classifies one definition given its compile-time facts.
RuleCost ClassifyRule(const Definition& def, const RuleInfo& info, uint32_t max_window,
                      const PlanOptions& options);

// The layout of a validated definition set: partition requests, and for composite rules
// the parts to confirm only and the anchors that trigger each rule (docs/planner.md,
// "Composite rules"). Runs the analysis in parallel.
PlannedLayout PlanPartitions(const std::vector<Definition>& definitions,
                             const std::vector<RuleInfo>& infos,
                             const std::vector<CompositeInfo>& composites,
                             const CompileOptions& compile, const PlanOptions& options,
                             std::vector<RuleCost>* costs = nullptr);

// How much scanning a pattern of this class costs, relative to the others: the planner
// scans a composite rule's cheapest anchors and confirms its expensive patterns.
double ScanCost(const RuleCost& cost, const Definition& def);
// Whether a pattern of this class is worth confirming instead of scanning when a
// composite rule's other patterns decide where it can matter.
bool ConfirmRatherThanScan(CostClass cost_class);

// Compile options with the planner installed.
CompileOptions WithPlanner(CompileOptions compile, PlanOptions options = {});

// CompileDatabase with the planner.
absl::StatusOr<std::shared_ptr<const Database>> CompilePlanned(std::vector<Definition> definitions,
                                                               const CompileOptions& compile,
                                                               const PlanOptions& options = {});

// One line on why a compiled rule costs what it does (for `trawl rules profile`).
std::string ExplainRule(const Database& db, uint32_t rule);

}  // namespace trawl::plan

#endif  // TRAWL_SRC_SCAN_PLAN_PLANNER_H_
