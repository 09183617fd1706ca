// File: inspect.h
// Looking at a compiled database: a JSON description (for `trawl db info`) and the
// examples check (for `trawl rules check`), which runs every rule's examples and
// negative examples through the real scan path, not a separate regex library.
#ifndef TRAWL_SRC_ENGINE_INSPECT_H_
#define TRAWL_SRC_ENGINE_INSPECT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/database.h"

namespace trawl {

// Compact JSON: engine, header facts, counts by status, partitions and, when
// include_rules, every rule with its status and reason.
std::string DescribeDatabaseJson(const Database& db, bool include_rules);

struct ExamplesReport {
  uint64_t rules_checked = 0;
  uint64_t examples = 0;
  uint64_t failures = 0;
  std::string json;  // {"rules_checked":…, "examples":…, "failures":[…]}
};

absl::StatusOr<ExamplesReport> CheckExamples(const std::shared_ptr<const Database>& db);

// Scans `input` once with profiling on and reports where the time went: engine time per
// partition, and the rules whose span recovery (PCRE2) costs the most, with their
// candidate and confirmation counts. JSON, `top` rules at most.
// `explain`, when set, gives the planner's reason for a rule's cost (src/scan_plan).
using RuleExplainer = std::function<std::string(const Database& db, uint32_t rule)>;
absl::StatusOr<std::string> ProfileScanJson(const std::shared_ptr<const Database>& db,
                                            std::string_view input, size_t top,
                                            const RuleExplainer& explain = nullptr);

// What a rule set costs on a caller's input (`trawl rules profile`, bench/peers/trawl_inproc):
// artifact size, load time (best and median of `repetitions` loads from memory, zero-copy
// as from a mapped file), scan throughput with 1 thread and with max_threads threads (each
// thread scans the whole input with its own scanner on the shared database, as a server
// scans independent inputs: splitting one input would add chunk overlaps and a join; no
// match caps; median of `repetitions` rounds after a warm-up, wall and per-thread CPU
// time), and the profile of one scan (ProfileScanJson: engine time per partition,
// costliest rules). JSON, schema trawl.bench/1; `compile_seconds` is reported as given.
struct BenchSettings {
  uint32_t max_threads = 0;  // 0: the machine's cores
  uint32_t repetitions = 5;
  uint32_t top_rules = 10;
};
absl::StatusOr<std::string> BenchmarkJson(const std::shared_ptr<const Database>& db,
                                          double compile_seconds, std::string_view input,
                                          const BenchSettings& settings,
                                          const RuleExplainer& explain = nullptr);

// The build facts of trawl_build_info(): engine, CPU features, PCRE2, known-answer test.
std::string BuildInfoJson();

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_INSPECT_H_
