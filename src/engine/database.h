// File: database.h
// A compiled pattern database: the definitions, what became of each one, and the engine
// databases (partitions) that scan for them. Immutable once built; share it freely
// across threads (std::shared_ptr<const Database>). Per-thread state lives in Scanner.
#ifndef TRAWL_SRC_ENGINE_DATABASE_H_
#define TRAWL_SRC_ENGINE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/match_alphabet.h"
#include "rules/definition.h"
#include "util/digest.h"

namespace trawl {

class IndicatorSet;  // engine/indicator_set.h

namespace internal {
struct EngineParts;  // engine handles; defined in engine/internal/engine_parts.h
class RuleTable;     // definitions decoded on first use; engine/internal/rule_table.h
class LogicTable;    // rule logic decoded on first use; engine/internal/composite_parts.h
struct RuleRuntime;  // a rule's logic prepared for scanning; engine/internal/composite_parts.h
class LazyRuntime;
class KeywordIndex;  // rules' required keywords; engine/internal/keyword_index.h
}

// What became of one definition at compile time. Values are stored in artifacts.
enum class RuleStatus : uint8_t {
  kCompiled = 0,     // the engine matches it exactly (spans recovered by PCRE2 for regexes)
  kPrefiltered = 1,  // the engine matches a superset; PCRE2 confirms every candidate
  kRejected = 2,     // not scanned; `reason` says why
  kToken = 3,        // found by the token pass (src/tokens), not by the engine
  // A composite rule: evaluated from its patterns' occurrences after the scan
  // (docs/rules.md, "Composite rules"); it has no engine pattern of its own.
  kComposite = 4,
  // A composite rule's pattern that is not scanned: PCRE2 (or a literal search) looks for
  // it only where its rule's scanned patterns matched, or, for a pattern the engine
  // cannot take, wherever its rule is evaluated.
  kConfirmOnly = 5,
};

std::string_view RuleStatusName(RuleStatus status);
// True for the statuses whose rule the engine scans for (it is in a partition).
inline bool EngineScans(RuleStatus status) {
  // kComposite and kConfirmOnly rules are not in any partition.
  return status == RuleStatus::kCompiled || status == RuleStatus::kPrefiltered;
}

inline constexpr uint32_t kUnboundedWidth = UINT32_MAX;

// A composite rule's compiled form. Its patterns are rules of their own ("parts", appended
// after the definitions the caller gave, ids "<rule>$<pattern>"), shared between
// composites that use the same pattern, so each is scanned once.
struct CompositeInfo {
  uint32_t rule = 0;                    // the composite rule's index
  std::vector<uint32_t> pattern_rules;  // per pattern: the part rule that finds it
  // Patterns of which one must occur for the condition to hold (planner's choice, all
  // scanned): the rule is evaluated only when one of them matched. Empty: always.
  std::vector<uint32_t> anchors;
  bool operator==(const CompositeInfo&) const = default;
};

struct RuleInfo {
  RuleStatus status = RuleStatus::kRejected;
  std::string reason;
  uint32_t min_width = 0;
  uint32_t max_width = kUnboundedWidth;  // kUnboundedWidth when the pattern has no bound
  int32_t partition = -1;                // index into the database's partitions, -1 if none
  // The definition's pattern flags (kFlag*), so a scanner can be set up without decoding
  // every definition of a loaded database. Filled by the Database, not stored separately.
  uint32_t flags = 0;
};

// kLiteral and kRegex partitions scan the whole input for their rules. A kGate partition
// holds the literal atoms of gated regexes: an atom hit only says where the rule may
// match, and PCRE2 then searches a window around it (docs/matching.md, "Literal gating").
enum class PartitionKind : uint8_t { kLiteral = 0, kRegex = 1, kGate = 2 };

std::string_view PartitionKindName(PartitionKind kind);

struct PartitionInfo {
  PartitionKind kind = PartitionKind::kRegex;
  std::string name;
  // Engine pattern id -> rule index. In a gate partition a rule appears once per atom.
  std::vector<uint32_t> rules;
  size_t bytes = 0;             // size of the compiled engine database
  // Gate partitions: the atom of each engine pattern id (lowercase; matched caselessly).
  std::vector<std::string> atoms;
  // Gate partitions, parallel to `atoms`: a match containing the atom starts at most this
  // many bytes before the atom's end.
  std::vector<uint32_t> gate_windows;
  // Gate partitions, parallel to `atoms`: an index into `follow_sets`, or kNoFollow. An
  // atom hit whose next bytes are outside its sequence (position by position) is dropped
  // before confirmation (docs/matching.md, "Literal gating"). Empty before format 9.
  static constexpr uint32_t kNoFollow = UINT32_MAX;
  std::vector<uint32_t> gate_follow;
  std::vector<ByteSequence> follow_sets;  // one per gated rule that has one
  bool from_cache = false;      // compile time only: restored from the compile cache
};

class Database {
 public:
  Database(std::vector<Definition> definitions, std::vector<RuleInfo> rule_info,
           std::vector<PartitionInfo> partitions, std::unique_ptr<internal::EngineParts> parts,
           uint32_t max_window, const Sha256Digest* known_digest = nullptr,
           std::vector<CompositeInfo> composites = {});
  // A loaded database: definitions come from `table` as they are first asked for, and
  // `chains` lists every chain they name (sorted, distinct).
  Database(std::unique_ptr<internal::RuleTable> table, std::vector<std::string> chains,
           std::vector<RuleInfo> rule_info, std::vector<PartitionInfo> partitions,
           std::unique_ptr<internal::EngineParts> parts, uint32_t max_window,
           const Sha256Digest& digest, std::vector<CompositeInfo> composites = {},
           std::unique_ptr<internal::LogicTable> logic = nullptr);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Rule `rule`'s definition (rule < rule_count()). Thread-safe; the reference stays valid
  // for the database's lifetime.
  const Definition& definition(size_t rule) const;
  const std::vector<RuleInfo>& rule_info() const { return rule_info_; }
  const std::vector<PartitionInfo>& partitions() const { return partitions_; }
  size_t rule_count() const { return rule_info_.size(); }
  // Every analysis chain some rule belongs to, sorted and distinct.
  const std::vector<std::string>& chains() const { return chains_; }

  // Look-back cap for span recovery: a match longer than this is reported with the
  // leftmost start inside the window (docs/matching.md).
  uint32_t max_window() const { return max_window_; }
  // Bytes of context a scanner keeps between chunks: the widest rule window, capped.
  uint32_t overlap() const { return overlap_; }
  // SHA-256 over the canonical form of the definitions (computed at compile time, and
  // carried by the artifact so loading need not recompute it).
  const Sha256Digest& definitions_digest() const { return digest_; }

  // Rule `rule`'s logic (composite patterns, filters), or null for a plain rule. For a
  // loaded database it is decoded on first use (null if its record is damaged, which the
  // checksum makes a forgery, not an accident). Thread-safe.
  const RuleLogic* logic(size_t rule) const;
  const std::vector<CompositeInfo>& composites() const { return composites_; }
  // The index into composites() of composite rule `rule`, or -1.
  int32_t composite_index(size_t rule) const {
    return rule < composite_of_.size() ? composite_of_[rule] : -1;
  }
  // Whether `rule` is a part (a pattern of some composite rule): its matches are
  // occurrences for conditions, never reported on their own.
  bool is_part(size_t rule) const { return rule < is_part_.size() && is_part_[rule]; }
  // Composites (indices into composites()) that use part `rule`.
  const std::vector<uint32_t>& part_users(size_t rule) const;
  // Whether `rule` has logic (filters or a composite), without decoding it.
  bool has_logic(size_t rule) const;
  // The rule's logic prepared for scanning (engine internal), or null when it has none
  // or it does not prepare. Thread-safe.
  const internal::RuleRuntime* runtime(size_t rule) const;

  // The rules' required keywords as one engine database, built on first use (decoding
  // every rule's logic); null when no rule has keywords. Thread-safe.
  absl::StatusOr<const internal::KeywordIndex*> keyword_index() const;

  size_t CountWithStatus(RuleStatus status) const;
  size_t engine_bytes() const;

  const internal::EngineParts& parts() const { return *parts_; }

  // The threat-indicator set (engine/indicator_set.h); null when the database has none.
  const IndicatorSet* indicators() const { return indicators_.get(); }
  const std::shared_ptr<const IndicatorSet>& shared_indicators() const { return indicators_; }
  // REQUIRES: called before the database is shared (compile and load do it).
  void set_indicators(std::shared_ptr<const IndicatorSet> indicators) {
    indicators_ = std::move(indicators);
  }

 private:
  void FinishConstruction();

  std::vector<Definition> definitions_;  // compiled databases
  std::unique_ptr<internal::RuleTable> rule_table_;  // loaded databases
  std::vector<std::string> chains_;
  std::vector<RuleInfo> rule_info_;
  std::vector<PartitionInfo> partitions_;
  std::unique_ptr<internal::EngineParts> parts_;
  uint32_t max_window_;
  uint32_t overlap_ = 0;
  Sha256Digest digest_{};
  std::vector<CompositeInfo> composites_;
  std::unique_ptr<internal::LogicTable> logic_table_;  // loaded databases
  std::vector<int32_t> composite_of_;
  std::vector<uint8_t> is_part_;
  std::vector<std::vector<uint32_t>> part_users_;
  std::vector<uint32_t> logic_rules_;  // sorted: the rules that have logic
  std::unique_ptr<internal::LazyRuntime[]> runtimes_;  // parallel to logic_rules_
  std::shared_ptr<const IndicatorSet> indicators_;
  mutable std::once_flag keyword_once_;
  mutable absl::StatusOr<std::unique_ptr<const internal::KeywordIndex>> keyword_index_;
};

// The canonical digest of a definition list (order-sensitive).
Sha256Digest DigestDefinitions(const std::vector<Definition>& definitions);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_DATABASE_H_
