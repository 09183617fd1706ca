// File: inspect.h
// Looking at a compiled database: a JSON description (for `trawl db info`) and the
// examples check (for `trawl rules check`), which runs every rule's examples and
// negative examples through the real scan path, not a separate regex library.
#ifndef TRAWL_SRC_ENGINE_INSPECT_H_
#define TRAWL_SRC_ENGINE_INSPECT_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// The raw engine on the same database: every engine database of `db` scanned with
// hs_scan and a callback that only counts (and, with `seen`, marks by rule what exact
// partitions report; a gate partition reports atoms, not matches). The most any caller
// of the engine could get from this database: no spans, no overlap reduction, no
// budgets; the baseline trawl's own scan is measured against. One per thread.
class RawEngineScanner {
 public:
  static absl::StatusOr<std::unique_ptr<RawEngineScanner>> Create(
      std::shared_ptr<const Database> db);
  ~RawEngineScanner();
  RawEngineScanner(const RawEngineScanner&) = delete;
  RawEngineScanner& operator=(const RawEngineScanner&) = delete;

  // The engine's hit count over `input` (scanned in 1 GiB pieces: hs_scan takes 32-bit
  // lengths; hits across a piece edge are not the point of a throughput figure), or the
  // engine's error: a baseline that stopped part-way is no baseline.
  absl::StatusOr<uint64_t> Scan(std::string_view input, std::vector<bool>* seen = nullptr);

 private:
  struct Impl;
  explicit RawEngineScanner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What a rule set costs on a caller's input (`trawl rules profile`, bench/peers/trawl_inproc):
// artifact size, load time (best and median of `repetitions` loads from memory, zero-copy
// as from a mapped file), scan throughput with 1 thread and with max_threads threads (each
// thread scans the whole input with its own scanner on the shared database, as a server
// scans independent inputs: splitting one input would add chunk overlaps and a join; no
// match caps; median of `repetitions` rounds after a warm-up, wall and per-thread CPU
// time), and the profile of one scan (ProfileScanJson: engine time per partition,
// costliest rules). With 1 thread, each round also runs a RawEngineScanner on the same loaded
// database in this process (before or after trawl's scan, alternately): the 1-thread
// entry's vs_raw_engine is the median of the rounds' trawl/raw CPU-rate ratios, a
// baseline that shares the process, the database's memory and the machine's state of the
// moment (separate processes differ by +-15% on this VM). JSON, schema trawl.bench/1;
// `compile_seconds` is reported as given.
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
