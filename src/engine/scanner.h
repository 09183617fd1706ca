// File: scanner.h
// Scans bytes against a Database and reports matches with exact spans and captures.
//
// Matching semantics (docs/matching.md): for each rule, the matches are those of a PCRE2
// global match loop over the input (leftmost match, then continue after its end), i.e.
// the leftmost, non-overlapping matches a user expects. The engine finds where matches
// end; PCRE2, anchored at that end inside a bounded look-back window, recovers the span.
//
// Thread-safety: a Scanner is NOT thread-safe; make one per thread. Concurrent use is
// detected on a best-effort basis and fails with ErrorCode::kBusy. The Database it scans
// is shared and immutable.
#ifndef TRAWL_SRC_ENGINE_SCANNER_H_
#define TRAWL_SRC_ENGINE_SCANNER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/database.h"

namespace trawl {

// One occurrence of a composite rule's pattern that belongs to its match.
struct MatchPart {
  uint32_t pattern = 0;  // index into the rule's RuleLogic::patterns
  uint64_t start = 0;
  uint64_t end = 0;
};

// Values are part of the C ABI (TRAWL_MATCH_*).
enum MatchFlag : uint32_t {
  // PCRE2 hit its match or depth limit recovering the span; RE2 (linear time) found it.
  kMatchSpanByRe2 = 1u << 0,
};

struct Match {
  uint32_t rule = 0;    // index into the database's rules (Database::definition)
  // Absolute byte offsets in the scanned input, [start, end): the span the rule reports
  // (the whole match; the secret for rules with span "secret"; for a composite rule, its
  // report pattern's occurrence, or the occurrences that made it hold).
  uint64_t start = 0;
  uint64_t end = 0;
  // The matched bytes; valid only during the sink call. Empty for a composite match in a
  // stream whose span lies before the bytes the stream still holds.
  std::string_view text;
  // Capture groups 1..n as absolute [start, end) pairs; -1 for a group that did not take
  // part. Valid only during the sink call.
  const int64_t* captures = nullptr;
  uint32_t capture_count = 0;
  uint32_t flags = 0;  // MatchFlag bits
  // Composite rules: the occurrences of its patterns that belong to the match (at most
  // kMaxPartsPerPattern per pattern). Valid only during the sink call.
  const MatchPart* parts = nullptr;
  uint32_t part_count = 0;
};

inline constexpr uint32_t kMaxPartsPerPattern = 64;

// Returns false to stop the scan.
using MatchSink = absl::FunctionRef<bool(const Match&)>;

// Where a scan's time goes, for `trawl rules profile` and the planner. Collected only
// when ScanLimits::profile points at one (timing every confirmation costs a little).
struct ScanProfile {
  struct Rule {
    uint64_t candidates = 0;  // engine hits that needed a decision
    uint64_t confirmed = 0;
    // Time in PCRE2 span recovery; for a composite rule, the evaluation of its condition
    // after the scan (the searches of its confirm-only parts included).
    uint64_t confirm_ns = 0;
    uint64_t matches = 0;     // matches reported (engine events for literals)
    uint64_t unplaced = 0;    // engine ends PCRE2 could not place (kTruncUnplaced)
  };
  std::vector<Rule> rules;              // by rule index
  std::vector<uint64_t> partition_ns;   // engine time per partition (callbacks included)
  uint64_t composite_ns = 0;            // composite evaluation after the scan
};

struct ScanLimits {
  uint64_t max_matches_per_rule = 10000;  // 0: unlimited
  uint64_t max_matches = 1000000;         // 0: unlimited
  uint64_t max_bytes = 0;                 // 0: unlimited
  // The scan stops (kTruncTimeBudget) at the earlier of start + time_budget and
  // `deadline`; the deadline lets several scans share one budget (the buffers of one
  // component, the components of one package). Checked between chunks, and inside a
  // chunk every few engine hits and PCRE2 confirmations, so no rule outlasts it by more
  // than a few confirmations.
  absl::Duration time_budget = absl::InfiniteDuration();
  absl::Time deadline = absl::InfiniteFuture();
  // Bytes handed to the engine per call.
  size_t chunk_bytes = 8 << 20;
  // PCRE2 limits for span recovery, so no input makes it backtrack without bound.
  uint32_t pcre2_match_limit = 1000000;
  uint32_t pcre2_depth_limit = 10000;
  // When set, the scan adds its costs here (sized by the scanner on first use).
  ScanProfile* profile = nullptr;
  // false: matches a rule's filters would drop (entropy floor, allow-lists, required
  // keywords) are reported anyway. The examples check uses it: an example shows what a
  // pattern matches, as the rule formats that carry examples check them.
  bool apply_filters = true;
  // true: matches of rules with required keywords are reported whatever this scan's input
  // holds, and the caller decides them over more bytes than the scan sees (the windows
  // of a streamed component: analyze/streamed_analysis.h, with a KeywordTracker).
  bool keywords_checked_by_caller = false;
};

// Why a scan's results are incomplete. Values are part of the C ABI (TRAWL_TRUNC_*).
enum TruncationReason : uint32_t {
  kTruncRuleMatchCap = 1u << 0,  // some rule hit max_matches_per_rule; others continued
  kTruncMatchCap = 1u << 1,      // max_matches reached; the scan stopped
  kTruncByteBudget = 1u << 2,    // max_bytes reached; the rest was not scanned
  kTruncTimeBudget = 1u << 3,    // time_budget spent; the rest was not scanned
  // PCRE2 hit its match or depth limit on some candidate. The rule's candidates in the
  // rest of that run of its match alphabet are skipped, and after
  // kMaxConfirmErrorsPerRule such candidates the rule is given up for the rest of the scan.
  kTruncConfirmLimit = 1u << 4,
  kTruncStopped = 1u << 5,       // the sink asked to stop
  // The engine reported a match that PCRE2 could not place: its start lies before the
  // context a stream keeps, or the engine and PCRE2 disagree on the pattern. Also: a
  // composite rule needed bytes a stream let go (a confirm-only pattern's search, a line's
  // start, a filter's bytes).
  kTruncUnplaced = 1u << 6,
  // A component analysed in windows (larger than the streaming threshold) had its
  // composite rules evaluated within each window and its context: a rule whose patterns
  // lie further apart was not looked for across windows.
  kTruncWindowedComposites = 1u << 7,
};

std::string TruncationReasonsText(uint32_t reasons);

// Candidates of one rule on which PCRE2 may hit its limits in one scan before the rule is
// given up for the rest of it: each costs up to pcre2_match_limit steps, so a rule that
// backtracks catastrophically on the input must not be retried at every engine hit.
inline constexpr uint32_t kMaxConfirmErrorsPerRule = 16;

struct ScanSummary {
  uint64_t bytes_scanned = 0;
  uint64_t matches = 0;
  uint64_t candidates = 0;       // engine hits considered (after overlap suppression)
  uint64_t confirm_failures = 0;  // candidates PCRE2 did not confirm (prefilter misses)
  uint64_t confirm_errors = 0;    // candidates PCRE2 could not decide (limits)
  uint64_t spans_by_re2 = 0;      // PCRE2 gave up, RE2 recovered the span (kMatchSpanByRe2)
  // Matches dropped at the end because the input held none of their rule's required
  // keywords (looked for in every byte, a stream's too: engine/keyword_tracker.h).
  uint64_t keyword_drops = 0;
  std::vector<uint32_t> given_up_rules;  // rules past kMaxConfirmErrorsPerRule
  uint32_t truncation = 0;        // TruncationReason bits; 0 when complete
  std::vector<uint32_t> capped_rules;  // rules that hit max_matches_per_rule
};

class Scanner {
 public:
  static absl::StatusOr<std::unique_ptr<Scanner>> Create(std::shared_ptr<const Database> db);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  const std::shared_ptr<const Database>& database() const { return db_; }

  // Scans one buffer of any size (inputs over 4 GiB are chunked internally).
  absl::StatusOr<ScanSummary> Scan(std::string_view data, const ScanLimits& limits,
                                   MatchSink sink);

  // Streaming: memory stays bounded by chunk_bytes plus the database's overlap, and
  // matches that cross Write() boundaries are found. Matches are delivered per chunk.
  absl::Status StreamBegin(const ScanLimits& limits);
  absl::Status StreamWrite(std::string_view data, MatchSink sink);
  absl::StatusOr<ScanSummary> StreamEnd(MatchSink sink);
  bool stream_open() const { return stream_open_; }
  // TruncationReason bits of the open stream so far (e.g. kTruncStopped after a sink
  // asked to stop inside StreamWrite).
  uint32_t stream_truncation() const;

 private:
  struct Impl;
  Scanner(std::shared_ptr<const Database> db, std::unique_ptr<Impl> impl);

  std::shared_ptr<const Database> db_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> busy_{false};
  bool stream_open_ = false;
};

// The reference: every rule run with PCRE2 alone as a global match loop over the input.
// Slow (one pass per rule); for tests and for proving the engine's results.
struct ReferenceMatch {
  uint32_t rule;
  uint64_t start;
  uint64_t end;
  bool operator==(const ReferenceMatch&) const = default;
  auto operator<=>(const ReferenceMatch&) const = default;
};
absl::StatusOr<std::vector<ReferenceMatch>> ReferenceScan(const Database& db,
                                                          std::string_view data,
                                                          uint64_t max_matches_per_rule = 0);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_SCANNER_H_
