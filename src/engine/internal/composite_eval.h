// File: composite_eval.h
// After the scan: composite rules evaluated from their patterns' occurrences, and the
// filters of rules with logic (secret span, entropy floor, allow-lists). See
// docs/rules.md ("Composite rules") for the semantics implemented here.
//
// A pattern's occurrences are every start position where it matches, with the end PCRE2
// chooses for a match starting there (for literals: every occurrence, overlapping ones
// included). Scanned parts arrive from the engine during the scan; confirm-only parts
// (RuleStatus::kConfirmOnly) are searched in the bytes the scanner holds, lazily and
// only for rules one of whose anchors matched, and each search is remembered for the rest
// of the scan, so a part costs at most about one pass whatever number of rules use it.
//
// Thread-safety: one per Scanner.
#ifndef TRAWL_SRC_ENGINE_INTERNAL_COMPOSITE_EVAL_H_
#define TRAWL_SRC_ENGINE_INTERNAL_COMPOSITE_EVAL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/database.h"
#include "engine/scanner.h"

namespace trawl::internal {

struct Occurrence {
  uint64_t start = 0;
  uint64_t end = 0;
  bool operator<(const Occurrence& o) const {
    return start != o.start ? start < o.start : end < o.end;
  }
  bool operator==(const Occurrence&) const = default;
};

struct CompositeMatch {
  uint32_t rule = 0;
  uint64_t start = 0;
  uint64_t end = 0;
  std::vector<MatchPart> parts;
};

class CompositeEvaluator {
 public:
  explicit CompositeEvaluator(const Database& db);
  ~CompositeEvaluator();
  CompositeEvaluator(const CompositeEvaluator&) = delete;
  CompositeEvaluator& operator=(const CompositeEvaluator&) = delete;

  // Per scan: forgets the previous scan's occurrences.
  void Begin(const ScanLimits& limits);

  // A scanned part's occurrence (absolute offsets). REQUIRES db.is_part(rule).
  void AddOccurrence(uint32_t rule, uint64_t start, uint64_t end);

  // Evaluates every composite an anchor of which matched, and those without anchors.
  // `held` is the input's bytes [base, base + held.size()) (the whole input for a buffer
  // scan; the last window of a stream), `head` its first bytes (a stream keeps them for
  // uint reads such as a file magic), `total` the input's size.
  void Finish(std::string_view held, uint64_t base, std::string_view head, uint64_t total,
              ScanSummary* summary, std::vector<CompositeMatch>* out);

  enum class Verdict : uint8_t {
    kDrop,   // an entropy floor or allow-list rejects it
    kKeep,
    kDefer,  // it holds only if the component contains a required keyword (the scanner's
             // KeywordTracker decides at the end)
  };
  // The filters of a rule with logic, on one match of it in `window` (absolute offset
  // `window_base`). Sets the reported span: the secret for span-is-secret rules, else the
  // match. Allow-lists that need the component's path are left to the analyzer
  // (PathFilter, engine/rule_filters.h).
  Verdict Accept(uint32_t rule, std::string_view window, uint64_t window_base, uint64_t start,
                 uint64_t end, const int64_t* captures, uint32_t capture_count,
                 uint64_t* span_start, uint64_t* span_end);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The secret of a match: capture group `group` (0: the first group that took part; -1:
// group 1 when it took part), or the whole match. Offsets absolute, like `captures`.
void SecretSpan(int32_t group, uint64_t start, uint64_t end, const int64_t* captures,
                uint32_t capture_count, uint64_t* secret_start, uint64_t* secret_end);

}  // namespace trawl::internal

#endif  // TRAWL_SRC_ENGINE_INTERNAL_COMPOSITE_EVAL_H_
