// File: compiler.h
// Compiles definitions into a Database: validates every pattern on its own (so one bad
// pattern never hides another), then builds the engine partitions in parallel.
#ifndef TRAWL_SRC_ENGINE_COMPILER_H_
#define TRAWL_SRC_ENGINE_COMPILER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/database.h"
#include "engine/match_alphabet.h"
#include "rules/definition.h"

namespace trawl {

// Which CPU the compiled engine databases may run on.
enum class CompileTarget : uint8_t {
  kHost = 0,      // this machine's best instruction set (fastest; may not load elsewhere)
  kPortable = 1,  // baseline x86-64 / arm64: loads on any CPU the engine supports
  kAvx2 = 2,
  kAvx512 = 3,
};

// Called with (stage, done, total); must be cheap and thread-safe.
using CompileProgress = std::function<void(std::string_view stage, size_t done, size_t total)>;

// How definitions are grouped into engine databases. The planner (src/scan_plan) fills this;
// without a plan the compiler puts literals in one partition and regexes in chunks.
struct PartitionRequest {
  PartitionKind kind = PartitionKind::kRegex;
  std::string name;
  std::vector<uint32_t> rules;
  // kGate only, parallel to `rules`: the rule's atoms. Every match of the rule must
  // contain one of them (ASCII, compared caselessly); the planner proves this. A rule
  // whose atom list is empty is not placed by this request.
  std::vector<std::vector<std::string>> atoms;
  // kGate only, parallel to `rules` (empty: the rule's window): how far before the end of
  // an atom hit a match may start. The planner proves a tighter bound when a bounded
  // prefix of the regex already contains the atoms.
  std::vector<uint32_t> gate_windows;
  // kGate only, parallel to `rules` (empty: none): the bytes that may follow an atom hit
  // that ends a match's prefix Q (plan::GateSpec::follow), position by position. Kept
  // only when the partition uses the gate window asked for here, which must cover Q.
  std::vector<ByteSequence> gate_follow;
};

struct CompileOptions;

// What the planner decides: the partitions, and for composite rules which parts the
// engine does not scan and which patterns trigger each rule's evaluation.
struct PlannedLayout {
  std::vector<PartitionRequest> partitions;
  // Part rules confirmed only where their composite's other patterns matched
  // (RuleStatus::kConfirmOnly). Never an anchor of any composite.
  std::vector<uint32_t> confirm_only;
  // Parallel to the composites: CompositeInfo::anchors (empty vector: keep the
  // compiler's own choice).
  std::vector<std::vector<uint32_t>> anchors;
};

// Decides the partitions once every definition has been validated (so it sees widths
// and statuses). Installed by the planner (src/scan_plan); the engine does not depend on
// it. `definitions` includes the parts of composite rules (see CompositeInfo).
using PartitionPlanner = std::function<PlannedLayout(
    const std::vector<Definition>& definitions, const std::vector<RuleInfo>& infos,
    const std::vector<CompositeInfo>& composites, const CompileOptions& options)>;

struct CompileOptions {
  int threads = 0;                       // 0: one per hardware thread
  uint32_t max_window = 8 * 1024;        // look-back cap for span recovery (docs/matching.md)
  size_t max_regexes_per_partition = 0;  // 0: 4 partitions per thread, at least 500 regexes each
  CompileTarget target = CompileTarget::kHost;
  CompileProgress progress;
  // Optional explicit partitioning (each rule at most once); rules not named are placed
  // by the default policy.
  std::vector<PartitionRequest> partitions;
  // When set, compiled partitions are cached in this directory, keyed by the SHA-256 of
  // everything that determines the engine database (patterns, flags, atoms, engine
  // version, target), so a recompile after a small change rebuilds only the partitions
  // that changed. Unreadable or damaged entries are recompiled, never trusted.
  std::string cache_dir;
  // When set, called after validation; its requests are appended to `partitions`.
  PartitionPlanner planner;
  // Rules that name a token shape (Definition::token) are found by the token pass
  // (src/tokens) and never reach the engine (RuleStatus::kToken). false compiles their
  // regexes instead, like any other rule: the reference the token pass is tested against.
  bool token_pass = true;
  // The database's indicator set (engine/indicator_set.h), built by the caller from the
  // rule set's indicator feeds; null for none.
  std::shared_ptr<const IndicatorSet> indicators;
};

// Never fails because of a bad definition: those are rejected with a reason in
// Database::rule_info(). Fails only on resource exhaustion or an engine fault.
absl::StatusOr<std::shared_ptr<const Database>> CompileDatabase(std::vector<Definition> definitions,
                                                                const CompileOptions& options);

// The engine's width bounds of a regex (exact mode, no prefilter): {min, max}, max =
// kUnboundedWidth when unbounded. Fails when the engine cannot analyse the pattern.
absl::StatusOr<std::pair<uint32_t, uint32_t>> RegexWidths(const Definition& def);

// The bytes a match of regex `def` can start with, as PCRE2 knows them (its first code
// unit or start table); nullopt when PCRE2 does not know them, when they are every byte,
// or when the pattern can match empty text.
std::optional<ByteSet> MatchFirstBytes(const Definition& def);

// True when PCRE2 can never match `regex` on any subject, proved from one shape (an end
// of the subject, \z, followed at the top level by an item that must consume a byte);
// false when not proved. tests/engine/compiler_test.cc checks every claim against PCRE2.
bool RegexCanNeverMatch(std::string_view regex);

// Counts the matches of a definition's PCRE2 global match loop over `sample`, stopping at
// `limit` (and at PCRE2's match limit on any attempt). For the planner's calibration:
// how often a rule fires on typical text. 0 when the pattern does not compile.
uint64_t CountSampleMatches(const Definition& def, std::string_view sample, uint64_t limit);

// The scanned pattern set a composite's condition needs one occurrence of, cheapest by
// `pattern_cost` (negated sequence patterns are never in it): CompositeInfo::anchors.
// Empty when the condition can hold with no occurrence at all.
std::vector<uint32_t> CompositeAnchors(const RuleLogic& logic,
                                       const std::vector<double>& pattern_cost);

// Runs fn(i) for i in [0, count) on up to `threads` threads (0: hardware threads).
void ParallelFor(size_t count, int threads, const std::function<void(size_t)>& fn);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_COMPILER_H_
