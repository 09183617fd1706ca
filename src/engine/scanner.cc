// File: scanner.cc
// Chunked scanning with exact span recovery. See docs/matching.md for the argument that
// the results equal a PCRE2 global match loop for every rule whose matches fit the window.
#include "engine/scanner.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstring>
#include <unordered_map>

#include "engine/internal/composite_eval.h"
#include "engine/internal/engine_parts.h"
#include "engine/keyword_tracker.h"
#include "engine/re2_dialect.h"
#include "util/status_macros.h"
#include "tokens/token_pass.h"
#include "tokens/token_rules.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Extra context kept on both sides of the overlap, so lookbehind, lookahead, \b and $
// near a chunk edge see the same bytes as they would in one buffer.
constexpr uint64_t kContextMargin = 256;
constexpr size_t kMaxChunk = size_t{1} << 30;  // the engine takes 32-bit lengths
constexpr size_t kMinChunk = 64 << 10;
// PCRE2's JIT stack; the default 32 KiB is too small for some public secret rules.
constexpr size_t kJitStackMax = 8 << 20;

// What every engine hit of a rule reads, 16 bytes per rule: a literal set's hits fall on
// tens of thousands of rules in no order, so each hit is a cache miss here, and the state
// a hit needs is kept in one line rather than in several per-rule arrays (the lookups
// of this state were most of trawl's per-hit time on the peer suite's literal set).
struct RuleState {
  uint64_t cursor = 0;  // absolute offset where the next match of this rule may start
  uint32_t generation = 0;
  // Kept across scans (StateOf resets only the fields above and `capped`): the rule's
  // literal length once LiteralLength has read it, and its Scanner::Impl::kRule* bits.
  uint16_t literal_length = 0;
  uint8_t bits = 0;
  bool capped = false;  // match cap reached, or given up after confirmation errors
};
static_assert(sizeof(RuleState) == 16);

// The per-rule counts only caps and confirmation errors read.
struct RuleCounts {
  uint64_t count = 0;
  uint32_t confirm_errors = 0;
};

// The deadline is read from the clock once this much work has been done since the last
// reading: an engine hit costs 1, a PCRE2 confirmation kConfirmCost (each is bounded by
// PCRE2's match limit, so a budget is overrun by at most a few confirmations).
constexpr int32_t kClockInterval = 1024;
constexpr int32_t kConfirmCost = 64;

// 32 bytes, no padding: a literal set leaves ~100k of these per round for Round's sort.
struct PendingMatch {
  PendingMatch(uint32_t rule, uint64_t start, uint64_t end, uint32_t capture_begin,
               uint32_t capture_count, uint32_t flags)
      : start(start),
        end(end),
        rule(rule),
        capture_begin(capture_begin),
        capture_count(capture_count),
        flags(flags) {}
  uint64_t start;
  uint64_t end;
  uint32_t rule;
  uint32_t capture_begin;
  uint32_t capture_count;
  uint32_t flags;  // MatchFlag bits
};

// Sorts [first, last) by `less` in about linear time when few elements are out of place, as
// in one partition's matches: the engine reports them in end order, and only a match that
// ends later but starts earlier (a longer literal around a shorter one) has to move.
// std::sort does not exploit that (its introsort cost ~3 % of a literal set's scan, ~125k
// matches per round), so this is an insertion sort; once its moves exceed 8 per element
// the range is not nearly sorted and std::sort takes it over: O(n log n) at worst.
template <typename T, typename Less>
void SortNearlySorted(T* first, T* last, Less less) {
  const size_t n = static_cast<size_t>(last - first);
  if (n < 2) return;  // (an empty range may be two null pointers: no first + 1)
  size_t moves_left = 8 * n;
  for (T* i = first + 1; i < last; ++i) {
    if (!less(*i, i[-1])) continue;
    T value = std::move(*i);
    T* j = i;
    do {
      *j = std::move(j[-1]);
      --j;
    } while (j > first && less(value, j[-1]));
    *j = std::move(value);
    const size_t moved = static_cast<size_t>(i - j);
    if (moved >= moves_left) {
      std::sort(first, last, less);
      return;
    }
    moves_left -= moved;
  }
}

// An atom hit of a gated rule: some match may contain the atom ending at `end`.
struct GateHit {
  uint32_t rule;
  uint32_t window;  // a match containing the atom starts at or after end - window
  uint64_t end;
};

}  // namespace

std::string TruncationReasonsText(uint32_t reasons) {
  std::vector<std::string_view> names;
  if (reasons & kTruncRuleMatchCap) names.push_back("rule_match_cap");
  if (reasons & kTruncMatchCap) names.push_back("match_cap");
  if (reasons & kTruncByteBudget) names.push_back("byte_budget");
  if (reasons & kTruncTimeBudget) names.push_back("time_budget");
  if (reasons & kTruncConfirmLimit) names.push_back("confirm_limit");
  if (reasons & kTruncStopped) names.push_back("stopped");
  if (reasons & kTruncUnplaced) names.push_back("unplaced_match");
  if (reasons & kTruncWindowedComposites) names.push_back("windowed_composites");
  return StrJoin(names, ",");
}

struct Scanner::Impl {
  const Database* db = nullptr;
  internal::ScratchPtr scratch;
  pcre2_match_data* match_data = nullptr;
  uint32_t match_data_pairs = 0;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;

  std::vector<RuleState> rules;
  std::vector<RuleCounts> counts;  // reset with the rule's RuleState
  uint32_t generation = 0;
  ScanLimits limits;
  ScanSummary summary;
  absl::Time deadline;
  int32_t until_clock = kClockInterval;  // work left before the clock is read again
  bool stopped = false;
  bool out_of_time = false;  // stopped by the deadline, possibly inside a round
  uint64_t accepted = 0;  // hits ending at or before this absolute offset are done
  uint64_t keep = 0;      // bytes of context carried between chunks
  size_t chunk = 0;

  std::vector<PendingMatch> pending;
  std::vector<size_t> pending_parts;  // Round's offsets of each partition's matches
  std::vector<int64_t> captures;
  // RE2 programs recovering spans PCRE2 gave up on and deciding gated candidates,
  // compiled on first need; `re` null when the rule's pattern is outside RE2's syntax.
  std::unordered_map<uint32_t, Re2Program> re2_fallback;
  std::vector<re2::StringPiece> re2_groups;
  std::vector<PCRE2_SIZE> re2_ovector;
  // What deciding an unbounded gated rule's candidates has cost each way (GatedMatch).
  enum DecisionWay : uint8_t { kRe2Anchored, kRe2NoneAfter, kPcre2Full, kDecisionWays };
  struct DecisionCost {
    uint64_t ns[kDecisionWays] = {};
    uint32_t count[kDecisionWays] = {};
    // In round `round`, no RE2 match starts at or after none_from (Re2NoneAfterThenPcre2).
    uint64_t round = UINT64_MAX, none_from = UINT64_MAX;
  };
  std::unordered_map<uint32_t, DecisionCost> decision_costs;
  std::vector<GateHit> gate_hits;
  // GroupGateHits' scratch: hits per rule (indexed by rule, zero between rounds), the
  // rules that had hits, and the grouped copy.
  std::vector<uint32_t> gate_counts;
  std::vector<uint32_t> gate_rules;
  std::vector<GateHit> gate_grouped;
  // ConfirmGatedRule's range start per hit of the rule being confirmed.
  std::vector<uint64_t> gate_starts;
  // LastByteFrom's knowledge of one byte value in the round numbered `round`: the byte's
  // last offset in the window (`last`), or, while that is unknown, that the byte does
  // not occur in [unseen_from, end of window).
  struct ByteTail {
    uint64_t round = 0;
    uint64_t unseen_from = 0;
    uint64_t last = UINT64_MAX;
  };
  std::array<ByteTail, 256> byte_tails{};
  uint64_t round_serial = 0;  // numbers the rounds (the windows) of this scanner
  struct TailHit {
    unsigned id;
    uint64_t end;
  };
  std::vector<TailHit> tail_hits;
  static constexpr size_t kHitBatch = 32;
  std::array<TailHit, kHitBatch> hit_batch;  // EngineCallback's hits not yet handled
  size_t hit_batch_size = 0;
  uint64_t tail_from = UINT64_MAX;  // hits ending here or later wait for ProcessTailHits
  std::vector<int8_t> fixed_span;  // per rule: -1 not yet known, 0 no, 1 yes
  // RuleState::literal_length before LiteralLength has read it, and for literals too long
  // for it (read from the definition each time).
  static constexpr uint16_t kLengthUnknown = UINT16_MAX, kLengthTooLong = UINT16_MAX - 1;
  // Distinct rules per partition, and how many of them are not capped in this scan: a
  // partition whose rules are all capped stops scanning (the planner isolates rules that
  // fire everywhere, so with match caps their partitions end early).
  std::vector<uint32_t> partition_rules;
  std::vector<uint32_t> partition_live;
  size_t partition_index = 0;

  // Composite rules and rules with filters (rules/rule_logic.h): per rule, which of the
  // kRule* bits apply (RuleState::bits); the evaluator exists only when some rule has logic.
  static constexpr uint8_t kRulePart = 1, kRuleFilters = 2, kRuleFullword = 4;
  std::unique_ptr<internal::CompositeEvaluator> composites;
  std::vector<internal::CompositeMatch> composite_matches;

  // Rules the token pass finds (RuleStatus::kToken), and the pass; null when none.
  std::unique_ptr<tokens::TokenRules> token_rules;
  std::unique_ptr<tokens::TokenPass> token_pass;
  std::vector<tokens::Span> token_spans;
  // Rules of anchored shapes (tokens::ShapeAnchorsRegex) whose next match ends past this
  // round: the next round takes it and the rule's later matches.
  std::vector<uint32_t> deferred_anchor_rules;

  // Required keywords over the whole input (engine/keyword_tracker.h), made on the first
  // scan that needs them. A stream feeds every round, since a keyword may lie in bytes it
  // lets go; a buffer scan feeds its buffer once, and only when a match waits on one.
  std::unique_ptr<KeywordTracker> keywords;
  bool keywords_made = false;
  bool streaming = false;

  // Null when no rule has required keywords; an error only for want of memory.
  absl::StatusOr<KeywordTracker*> Keywords() {
    if (!keywords_made) {
      auto made = KeywordTracker::Create(*db);
      if (!made.ok()) return made.status();
      keywords = *std::move(made);
      keywords_made = true;
    }
    return keywords.get();
  }

  static bool HasRequiredKeywords(const RuleLogic* logic) {
    return logic != nullptr && !logic->required_keywords.empty();
  }

  // Streaming state. `stream_head` keeps a stream's first bytes for composite
  // conditions that read them (uint16(0) == 0x5a4d) after the window has moved on.
  static constexpr size_t kStreamHead = 4096;
  std::string stream_head;
  std::string buffer;
  uint64_t buffer_base = 0;
  uint64_t bytes_in = 0;

  // Per-round context for the engine callback.
  const PartitionInfo* partition = nullptr;
  std::string_view window;
  uint64_t window_base = 0;
  uint64_t accept_hi = 0;
  absl::Status round_error;

  ~Impl() {
    pcre2_match_data_free(match_data);
    pcre2_match_context_free(match_context);
    pcre2_jit_stack_free(jit_stack);
  }

  void Begin(const ScanLimits& new_limits) {
    limits = new_limits;
    summary = ScanSummary{};
    stopped = false;
    accepted = 0;
    keep = db->overlap() + 2 * kContextMargin;
    chunk = std::clamp<size_t>(limits.chunk_bytes, std::max<size_t>(kMinChunk, 4 * keep),
                               kMaxChunk);
    deadline = limits.time_budget == absl::InfiniteDuration()
                   ? limits.deadline
                   : std::min(limits.deadline, absl::Now() + limits.time_budget);
    until_clock = kClockInterval;
    out_of_time = false;
    if (++generation == 0) {  // wrapped: old stamps could collide
      for (auto& r : rules) r.generation = 0;
      generation = 1;
    }
    partition_live = partition_rules;
    if (limits.profile) {
      limits.profile->rules.resize(db->rule_count());
      limits.profile->partition_ns.resize(db->partitions().size());
    }
    pcre2_set_match_limit(match_context, limits.pcre2_match_limit);
    pcre2_set_depth_limit(match_context, limits.pcre2_depth_limit);
    if (composites) composites->Begin(limits);
    if (keywords) keywords->Reset();
  }

  RuleState& StateOf(uint32_t rule) {
    RuleState& state = rules[rule];
    if (state.generation != generation) {
      state.cursor = 0;
      state.generation = generation;
      state.capped = false;
      counts[rule] = RuleCounts{};
    }
    return state;
  }

  // Counts `cost` units of work; true when the deadline has passed (the scan then stops
  // and says so). `now` forces a clock reading.
  bool OutOfTime(int32_t cost, bool now = false) {
    if (deadline == absl::InfiniteFuture()) return false;
    until_clock -= cost;
    if (until_clock > 0 && !now) return false;
    until_clock = kClockInterval;
    if (absl::Now() <= deadline) return false;
    summary.truncation |= kTruncTimeBudget;
    stopped = true;
    out_of_time = true;
    return true;
  }

  // Stops considering `rule` for the rest of the scan, as a match cap does.
  void Retire(uint32_t rule, RuleState& state) {
    state.capped = true;
    const int32_t p = db->rule_info()[rule].partition;
    if (p >= 0 && partition_live[static_cast<size_t>(p)] > 0) --partition_live[static_cast<size_t>(p)];
  }

  // PCRE2 hit a limit confirming `rule` at a candidate whose undecided starts end at
  // `undecided_end`: recorded, never silent. The rule's cursor moves past them (and past
  // the rest of the alphabet run they lie in: every match lies inside one run, and the
  // next candidates of the run would fail the same way), and a rule that keeps failing is
  // given up. Returns false when the scan must stop (the deadline passed).
  bool ConfirmFailed(uint32_t rule, RuleState& state, uint64_t undecided_end) {
    ++summary.confirm_errors;
    summary.truncation |= kTruncConfirmLimit;
    state.cursor = std::max(state.cursor, AlphabetRunEnd(rule, undecided_end) + 1);
    if (++counts[rule].confirm_errors >= kMaxConfirmErrorsPerRule && !state.capped) {
      Retire(rule, state);
      summary.given_up_rules.push_back(rule);
    }
    return !OutOfTime(0, /*now=*/true);
  }

  // Returns false when the scan must stop (match cap).
  // Appends groups 1..groups of a PCRE2 match as absolute offsets (-1 for unset groups);
  // returns where they start in `captures`.
  uint32_t AppendCaptures(const PCRE2_SIZE* ovector, uint32_t groups, uint64_t base) {
    const uint32_t begin = static_cast<uint32_t>(captures.size());
    for (uint32_t g = 1; g <= groups; ++g) {
      const bool unset = ovector[2 * g] == PCRE2_UNSET;
      captures.push_back(unset ? -1 : static_cast<int64_t>(base + ovector[2 * g]));
      captures.push_back(unset ? -1 : static_cast<int64_t>(base + ovector[2 * g + 1]));
    }
    return begin;
  }

  bool Record(uint32_t rule, RuleState& state, uint64_t start, uint64_t end, uint32_t capture_begin,
              uint32_t capture_count, uint32_t flags = 0) {
    if (const uint8_t bits = state.bits; bits != 0) {
      if ((bits & kRuleFullword) && !Fullword(start, end)) return true;
      if (bits & kRulePart) {
        composites->AddOccurrence(rule, start, end);
        return CountTowardCap(rule, state);
      }
      if (bits & kRuleFilters) {
        uint64_t span_start = start, span_end = end;
        const auto verdict = composites->Accept(
            rule, window, window_base, start, end,
            capture_count ? captures.data() + capture_begin : nullptr, capture_count, &span_start,
            &span_end);
        if (verdict == internal::CompositeEvaluator::Verdict::kDrop) return true;
        if (verdict == internal::CompositeEvaluator::Verdict::kDefer &&
            !limits.keywords_checked_by_caller) {
          Defer(rule, span_start, span_end, capture_begin, capture_count, flags);
          return CountTowardCap(rule, state);
        }
        start = span_start;
        end = span_end;
      }
    }
    pending.push_back({rule, start, end, capture_begin, capture_count, flags});
    ++summary.matches;
    if (limits.profile) limits.profile->rules[rule].matches++;
    if (!CountTowardCap(rule, state)) return false;
    if (limits.max_matches && summary.matches >= limits.max_matches) {
      summary.truncation |= kTruncMatchCap;
      stopped = true;
      return false;
    }
    return true;
  }

  // Per-rule cap bookkeeping of one match (or part occurrence). Always true: a capped
  // rule stops itself, not the scan.
  bool CountTowardCap(uint32_t rule, RuleState& state) {
    if (limits.max_matches_per_rule && ++counts[rule].count >= limits.max_matches_per_rule) {
      Retire(rule, state);
      summary.truncation |= kTruncRuleMatchCap;
      summary.capped_rules.push_back(rule);
    }
    return true;
  }

  // A match that holds only if the component has one of its rule's required keywords
  // somewhere: kept with its bytes until the scan's end answers that.
  struct DeferredMatch {
    uint32_t rule;
    uint64_t start, end;
    std::string text;
    std::vector<int64_t> captures;
    uint32_t flags;
  };
  std::vector<DeferredMatch> deferred;

  void Defer(uint32_t rule, uint64_t start, uint64_t end, uint32_t capture_begin,
             uint32_t capture_count, uint32_t flags) {
    DeferredMatch d{rule, start, end, {}, {}, flags};
    if (start >= window_base && end <= window_base + window.size()) {
      d.text = std::string(window.substr(start - window_base, end - start));
    }
    d.captures.assign(captures.begin() + capture_begin,
                      captures.begin() + capture_begin + 2 * capture_count);
    deferred.push_back(std::move(d));
  }

  // RE2's reading of `rule`, which matches wherever PCRE2's does (re2_dialect.h): null
  // when there is none. Its "no match" is PCRE2's. A match it finds is PCRE2's only for
  // an exact reading; `exact_only` returns null for the others, whose matches PCRE2 must
  // confirm.
  const re2::RE2* Re2For(uint32_t rule, bool exact_only = false) {
    auto [it, inserted] = re2_fallback.try_emplace(rule);
    if (inserted) it->second = CompileRe2(db->definition(rule));
    if (exact_only && !it->second.exact) return nullptr;
    return it->second.re.get();
  }

  // The leftmost match of `rule` starting at or after `search_from` and no later than
  // `end` (the engine's match end, as PCRE2's offset limit), found by RE2.
  bool RecoverWithRe2(const re2::RE2& re, uint32_t rule, RuleState& state, uint64_t search_from,
                      uint64_t end) {
    const int groups = re.NumberOfCapturingGroups();
    re2_groups.assign(static_cast<size_t>(groups) + 1, re2::StringPiece());
    const re2::StringPiece text(window.data(), window.size());
    if (!re.Match(text, search_from - window_base, window.size(), re2::RE2::UNANCHORED,
                  re2_groups.data(), groups + 1) ||
        re2_groups[0].data() - window.data() > static_cast<ptrdiff_t>(end - window_base)) {
      // PCRE2 could not decide and RE2 finds nothing: the dialects disagree. Say so.
      return ConfirmFailed(rule, state, end);
    }
    re2_ovector.assign(2 * (static_cast<size_t>(groups) + 1), PCRE2_UNSET);
    for (int g = 0; g <= groups; ++g) {
      if (re2_groups[g].data() == nullptr) continue;
      re2_ovector[2 * g] = static_cast<PCRE2_SIZE>(re2_groups[g].data() - window.data());
      re2_ovector[2 * g + 1] = re2_ovector[2 * g] + re2_groups[g].size();
    }
    ++summary.spans_by_re2;
    const uint64_t start = window_base + re2_ovector[0];
    const uint64_t stop = window_base + re2_ovector[1];
    const uint32_t capture_begin =
        AppendCaptures(re2_ovector.data(), static_cast<uint32_t>(groups), window_base);
    state.cursor = stop > start ? stop : start + 1;
    return Record(rule, state, start, stop, capture_begin, static_cast<uint32_t>(groups),
                  kMatchSpanByRe2);
  }

  // YARA's fullword: no letter or digit touches the match on either side.
  bool Fullword(uint64_t start, uint64_t end) const {
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    if (start > window_base && word(window[start - 1 - window_base])) return false;
    if (end < window_base + window.size() && word(window[end - window_base])) return false;
    return true;
  }

  // A part's occurrences are every start with a match (docs/rules.md): after a hit,
  // search on from the next start, not from the match's end.
  bool IsPart(uint32_t rule) const { return (rules[rule].bits & kRulePart) != 0; }

  bool EnsureMatchData(const pcre2_code* code) {
    uint32_t groups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups + 1 <= match_data_pairs) return true;
    pcre2_match_data_free(match_data);
    match_data_pairs = groups + 1;
    match_data = pcre2_match_data_create(match_data_pairs, nullptr);
    return match_data != nullptr;
  }

  // One engine hit: the rule has a match ending at absolute offset `end`.
  bool OnHit(unsigned id, uint64_t end) {
    if (OutOfTime(1)) return false;
    if (partition->kind == PartitionKind::kGate) return OnGateHit(id, end);
    // The engine reports end-of-data matches (`$`, `\Z`, `\z`) in its own order among
    // those ending at or just before the end ((?s).$ over "ab\n": 3, then 2; found by
    // tests/engine/scanner_fuzzer.cc). The global match loop needs end order, so hits
    // ending at the data's end or one byte before it wait, and are sorted.
    if (end >= tail_from) {
      tail_hits.push_back({id, end});
      return true;
    }
    return ProcessHit(id, end);
  }

  // The length of `rule`'s literal, 0 for a regex. Read from the definition at the rule's
  // first hit and kept in its RuleState: a literal set fires hundreds of thousands of
  // times per 16 MiB, and reaching each hit's Definition (a heap object per rule, tens of
  // thousands of them) was a cache miss per hit.
  uint64_t LiteralLength(uint32_t rule, RuleState& state) {
    uint16_t& known = state.literal_length;
    if (known == kLengthUnknown || known == kLengthTooLong) {
      const Definition& def = db->definition(rule);
      const uint64_t length = def.kind == PatternKind::kLiteral ? def.expression.size() : 0;
      known = length < kLengthTooLong ? static_cast<uint16_t>(length) : kLengthTooLong;
      return length;
    }
    return known;
  }

  // The hits OnHit held back, in end order (arrival order among equal ends).
  bool ProcessTailHits() {
    std::stable_sort(tail_hits.begin(), tail_hits.end(),
                     [](const TailHit& a, const TailHit& b) { return a.end < b.end; });
    bool go_on = true;
    for (size_t i = 0; i < tail_hits.size() && go_on && !stopped; ++i) {
      go_on = ProcessHit(tail_hits[i].id, tail_hits[i].end);
    }
    tail_hits.clear();
    return go_on;
  }

  bool ProcessHit(unsigned id, uint64_t end) {
    if (end <= accepted || end > accept_hi) return true;  // another round's hit
    const uint32_t rule = partition->rules[id];
    RuleState& state = StateOf(rule);
    if (state.capped) return partition_live[partition_index] > 0;  // 0: stop this partition
    if (end <= state.cursor) return true;  // overlaps a reported match
    ++summary.candidates;
    if (const uint64_t length = LiteralLength(rule, state); length != 0) {
      const uint64_t start = end - length;
      if (start < state.cursor) return true;
      state.cursor = IsPart(rule) ? start + 1 : end;
      return Record(rule, state, start, end, 0, 0);
    }
    const Definition& def = db->definition(rule);
    const RuleInfo& info = db->rule_info()[rule];
    const pcre2_code* code = db->parts().confirm[rule].Get(def, /*for_confirmation=*/true);
    if (code == nullptr || !EnsureMatchData(code)) {
      round_error = absl::InternalError(StrCat("cannot prepare rule ", def.id));
      return false;
    }
    if (FixedSpan(rule, info, code)) {
      // Every match is exactly min_width long, so the engine's end gives the span, and
      // the leftmost unreported match is the first end whose start is past the cursor.
      const uint64_t start = end - info.min_width;
      if (start < state.cursor) return true;
      state.cursor = IsPart(rule) ? start + 1 : end;
      if (limits.profile) limits.profile->rules[rule].candidates++;
      return Record(rule, state, start, end, 0, 0);
    }
    if (IsPart(rule)) return OnPartHit(rule, state, info, code, end);
    // Every match not yet reported that ends at or after `end` starts within the rule's
    // width of it; PCRE2 finds the leftmost one starting no later than `end`.
    const uint64_t width = std::min<uint64_t>(info.max_width, db->max_window());
    // It also lies inside the run of alphabet bytes ending at `end`, usually far shorter.
    const uint64_t search_from = AlphabetRunStart(
        rule, end, std::max({state.cursor, end > width ? end - width : 0, window_base}));
    if (OutOfTime(kConfirmCost)) return false;
    pcre2_set_offset_limit(match_context, end - window_base);
    const auto confirm_start = limits.profile ? absl::Now() : absl::InfinitePast();
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(window.data()), window.size(),
                         search_from - window_base, 0, match_data, match_context);
    // The engine guarantees a match ends here (unless the rule is a prefilter). Finding
    // none in the window means it started earlier: the match is longer than the cap.
    // Search back to the cursor; the cursor then moves past `end`, so these searches
    // cover each byte at most once per rule and stay linear.
    const uint64_t wide_from = std::max(state.cursor, window_base);
    if (rc == PCRE2_ERROR_NOMATCH && info.status == RuleStatus::kCompiled &&
        wide_from < search_from) {
      rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(window.data()), window.size(),
                       wide_from - window_base, 0, match_data, match_context);
    }
    if (limits.profile) {
      ScanProfile::Rule& cost = limits.profile->rules[rule];
      cost.candidates++;
      cost.confirmed += rc > 0;
      cost.confirm_ns += absl::ToInt64Nanoseconds(absl::Now() - confirm_start);
    }
    if (rc == PCRE2_ERROR_NOMATCH) {
      ++summary.confirm_failures;
      // An exact rule the engine matched but PCRE2 cannot place: either its start lies
      // before the bytes a stream keeps, or the two dialects disagree. Say so. Not when
      // the engine's match may start before the cursor: it overlaps a reported match
      // (`\r?\n\r?\n` over "\n\n\n" ends at 2 and at 3), which the loop skips by design.
      const bool overlaps_reported = state.cursor > 0 && end - std::min(end, width) < state.cursor;
      if (info.status == RuleStatus::kCompiled && !overlaps_reported) {
        summary.truncation |= kTruncUnplaced;
        if (limits.profile) limits.profile->rules[rule].unplaced++;
      }
      state.cursor = std::max(state.cursor, end + 1);
      return true;
    }
    if (rc < 0) {
      // PCRE2 hit its backtracking limit: RE2 finds the same leftmost-first match in
      // linear time when the pattern is within its syntax.
      if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
        if (const re2::RE2* re = Re2For(rule, /*exact_only=*/true)) {
          return RecoverWithRe2(*re, rule, state, search_from, end);
        }
      }
      return ConfirmFailed(rule, state, end);
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
    const uint64_t start = window_base + ovector[0];
    const uint64_t stop = window_base + ovector[1];
    const uint32_t groups = static_cast<uint32_t>(rc) - 1;
    const uint32_t capture_begin = AppendCaptures(ovector, groups, window_base);
    state.cursor = stop > start ? stop : start + 1;
    return Record(rule, state, start, stop, capture_begin, groups);
  }

  // A regex part's engine hit at `end`: every start at or before `end` that has a match
  // (and was not found before) is an occurrence. Starts before the search floor have
  // their matches ending before `end`, found at earlier hits (docs/matching.md's
  // argument, with the cursor moved to the next start instead of the match's end).
  bool OnPartHit(uint32_t rule, RuleState& state, const RuleInfo& info, const pcre2_code* code,
                 uint64_t end) {
    const uint64_t width = std::min<uint64_t>(info.max_width, db->max_window());
    uint64_t from = AlphabetRunStart(
        rule, end, std::max({state.cursor, end > width ? end - width : 0, window_base}));
    pcre2_set_offset_limit(match_context, end - window_base);
    while (from <= end && !state.capped && !stopped) {
      const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(window.data()), window.size(),
                                 from - window_base, 0, match_data, match_context);
      if (rc == PCRE2_ERROR_NOMATCH) break;
      uint64_t start = 0, stop = 0;
      if (rc >= 0) {
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
        start = window_base + ovector[0];
        stop = window_base + ovector[1];
      } else if (!PartSpanByRe2(rc, rule, from, end, &start, &stop)) {
        ++summary.confirm_errors;
        summary.truncation |= kTruncConfirmLimit;
        break;
      }
      if (stop > accept_hi) return true;  // a later round finds it again
      state.cursor = start + 1;
      if (!Record(rule, state, start, stop, 0, 0)) return false;
      from = start + 1;
    }
    state.cursor = std::max(state.cursor, end + 1);
    return true;
  }

  // A part's next occurrence starting in [from, end] when PCRE2 gave up there (`rc`, its
  // limit), found by an exact RE2 reading as RecoverWithRe2 finds a rule's span. False
  // when there is no such reading or it finds no start in range: the caller flags it.
  bool PartSpanByRe2(int rc, uint32_t rule, uint64_t from, uint64_t end, uint64_t* start,
                     uint64_t* stop) {
    if (rc != PCRE2_ERROR_MATCHLIMIT && rc != PCRE2_ERROR_DEPTHLIMIT) return false;
    const re2::RE2* re = Re2For(rule, /*exact_only=*/true);
    if (re == nullptr) return false;
    const re2::StringPiece text(window.data(), window.size());
    re2::StringPiece found;
    if (!re->Match(text, from - window_base, window.size(), re2::RE2::UNANCHORED, &found, 1) ||
        window_base + static_cast<uint64_t>(found.data() - window.data()) > end) {
      return false;
    }
    *start = window_base + static_cast<uint64_t>(found.data() - window.data());
    *stop = *start + found.size();
    ++summary.spans_by_re2;
    return true;
  }

  // True for an exact (non-prefilter) regex whose matches all have one width and that
  // has no capture groups: its span needs no PCRE2 (rules that fire everywhere, such as
  // a lone character class, are mostly of this shape). Decided once per rule.
  bool FixedSpan(uint32_t rule, const RuleInfo& info, const pcre2_code* code) {
    int8_t& known = fixed_span[rule];
    if (known < 0) {
      uint32_t groups = 0;
      pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
      known = info.status == RuleStatus::kCompiled && info.min_width == info.max_width &&
              info.min_width > 0 && groups == 0;
    }
    return known > 0;
  }

  // The first offset in [floor, end] from which bytes up to `end` are all in the rule's
  // match alphabet: no match containing the byte before `end` starts earlier. `floor`
  // when the rule has no alphabet. Call after the rule's confirm regex is prepared.
  uint64_t AlphabetRunStart(uint32_t rule, uint64_t end, uint64_t floor) const {
    const ByteSet* alphabet = db->parts().confirm[rule].alphabet();
    if (alphabet == nullptr || end <= floor) return floor;
    uint64_t pos = end;
    while (pos > floor &&
           (*alphabet)[static_cast<unsigned char>(window[pos - 1 - window_base])]) {
      --pos;
    }
    return pos;
  }

  // The last offset in [from, end of window) up to which bytes after `from` are all in
  // the rule's match alphabet (`from` itself when the rule has none): no match that
  // starts at or before it and contains a byte after `from` ends past it.
  uint64_t AlphabetRunEnd(uint32_t rule, uint64_t from) const {
    const ByteSet* alphabet = db->parts().confirm[rule].alphabet();
    const uint64_t window_end = window_base + window.size();
    if (alphabet == nullptr) return from;
    uint64_t pos = from;
    while (pos < window_end && (*alphabet)[static_cast<unsigned char>(window[pos - window_base])]) {
      ++pos;
    }
    return pos;
  }

  // Window half-width of a gated rule: its matches are at most this long.
  uint64_t GateWidth(uint32_t rule) const {
    return std::min<uint64_t>(db->rule_info()[rule].max_width, db->max_window());
  }

  // Collects an atom hit; the rule is confirmed after the engine pass (ConfirmGated).
  // A match ending in this round's accepted range (accepted, accept_hi] contains an atom
  // ending in (accepted - W, accept_hi], so other hits cannot matter here.
  bool OnGateHit(unsigned id, uint64_t end) {
    if (end > accept_hi) return true;
    const uint32_t rule = partition->rules[id];
    if (end + GateWidth(rule) <= accepted) return true;
    RuleState& state = StateOf(rule);
    if (state.capped) return partition_live[partition_index] > 0;
    // A match containing this atom starts before `end`; the loop is already past it.
    if (end <= state.cursor) return true;
    gate_hits.push_back({rule, partition->gate_windows[id], end});
    return true;
  }

  // Runs the PCRE2 global match loop of every gated rule that had atom hits, restricted
  // to start positions in the merged ranges [hit - W, hit]. Every match of the rule
  // contains an atom and is at most W long, so it starts in the range of an atom it
  // contains; nothing starts between ranges (docs/matching.md, "Literal gating").
  bool ConfirmGated() {
    if (gate_hits.empty()) return true;
    GroupGateHits();
    const uint64_t lo_clip = window_base;
    const uint64_t hi_clip = window_base + window.size();
    bool ok = true;
    for (size_t i = 0; i < gate_hits.size() && ok && !stopped && !OutOfTime(1);) {
      const uint32_t rule = gate_hits[i].rule;
      size_t j = i;
      while (j < gate_hits.size() && gate_hits[j].rule == rule) ++j;
      auto by_end = [](const GateHit& a, const GateHit& b) { return a.end < b.end; };
      const auto group_begin = gate_hits.begin() + static_cast<long>(i);
      const auto group_end = gate_hits.begin() + static_cast<long>(j);
      // Hits of one partition arrive in end order, so this rarely sorts anything.
      if (!std::is_sorted(group_begin, group_end, by_end)) std::sort(group_begin, group_end, by_end);
      ok = ConfirmGatedRule(rule, i, j, lo_clip, hi_clip);
      i = j;
    }
    gate_hits.clear();
    return ok;
  }

  // Orders gate_hits by rule, keeping arrival order within a rule (a stable sort by rule,
  // which the confirmations' order depends on once a match cap or the deadline stops the
  // scan). A counting sort: tens of thousands of atom hits fall on a few hundred rules,
  // and a comparison sort of them cost a tenth of trawl's own time on a regex set.
  void GroupGateHits() {
    if (gate_counts.size() < db->rule_count()) gate_counts.resize(db->rule_count(), 0);
    gate_rules.clear();
    for (const GateHit& hit : gate_hits) {
      if (gate_counts[hit.rule]++ == 0) gate_rules.push_back(hit.rule);
    }
    if (gate_rules.size() == 1) {
      gate_counts[gate_rules[0]] = 0;
      return;
    }
    std::sort(gate_rules.begin(), gate_rules.end());
    uint32_t offset = 0;
    for (uint32_t rule : gate_rules) {  // counts become each rule's first slot
      const uint32_t count = gate_counts[rule];
      gate_counts[rule] = offset;
      offset += count;
    }
    gate_grouped.resize(gate_hits.size());
    for (const GateHit& hit : gate_hits) gate_grouped[gate_counts[hit.rule]++] = hit;
    gate_hits.swap(gate_grouped);
    for (uint32_t rule : gate_rules) gate_counts[rule] = 0;
  }

  bool ConfirmGatedRule(uint32_t rule, size_t first, size_t last, uint64_t lo_clip,
                        uint64_t hi_clip) {
    RuleState& state = StateOf(rule);
    const Definition& def = db->definition(rule);
    const pcre2_code* code = db->parts().confirm[rule].Get(def, /*for_confirmation=*/true);
    if (code == nullptr || !EnsureMatchData(code)) {
      round_error = absl::InternalError(StrCat("cannot prepare rule ", def.id));
      return false;
    }
    const uint64_t width = GateWidth(rule);
    // Matches ending at or before `accepted` were settled by earlier rounds, so a match
    // still to be found starts at or after accepted - W (inside the kept context).
    const uint64_t floor = std::max(lo_clip, accepted > width ? accepted - width : 0);
    ScanProfile::Rule* cost = limits.profile ? &limits.profile->rules[rule] : nullptr;
    // The match also lies in the run of alphabet bytes holding the atom; bounding by
    // that run keeps range starts in end order (the run start never decreases).
    GateRangeStarts(rule, first, last, lo_clip);
    const internal::LazyRegex::RequiredBytes& required = db->parts().confirm[rule].required();
    const ByteSet* first_bytes = db->parts().confirm[rule].first_bytes();
    for (size_t k = first; k < last && !state.capped && !stopped;) {
      // A match containing an atom that ends at h starts in [h - w, h] (w <= W: the
      // planner's bound for this atom). Merge those start ranges into [a, b]; PCRE2 only
      // tries starts in it (PCRE2_USE_OFFSET_LIMIT) but sees the whole chunk, so the
      // match may run past b and look around freely. Hits are in end order and a rule's
      // atoms share one w, so range starts are ordered too.
      const uint64_t a = gate_starts[k - first];
      uint64_t b = std::min(hi_clip, gate_hits[k].end);
      for (++k; k < last && gate_starts[k - first] <= b; ++k) {
        b = std::min(hi_clip, gate_hits[k].end);
      }
      uint64_t pos = std::max({a, floor, state.cursor});
      // No match starts after the last of the rule's required bytes (LazyRegex::required):
      // a range past it is decided without PCRE2, which would otherwise run, and backtrack,
      // over the rest of the window (its own check of that byte stops 500 KB ahead).
      if (pos <= b && required.count != 0) {
        const uint64_t latest = LatestRequiredByte(required, pos);
        if (latest < b) b = latest;
        if (latest == kNoByte) {
          ++summary.candidates;
          ++summary.confirm_failures;
          if (cost) cost->candidates++;
          continue;
        }
      }
      // A match starts with one of the rule's first bytes (LazyRegex::first_bytes), so a
      // range holding none has no match: most atom hits of a rule like \x81.http (gated on
      // "http") are decided so, without a PCRE2 call.
      if (pos <= b && first_bytes != nullptr && !HasByteOf(*first_bytes, pos, b)) {
        ++summary.candidates;
        ++summary.confirm_failures;
        if (cost) cost->candidates++;
        continue;
      }
      while (pos <= b && !state.capped && !stopped && !OutOfTime(kConfirmCost)) {
        const auto confirm_start = cost ? absl::Now() : absl::InfinitePast();
        const int rc = GatedMatch(rule, code, pos, b);
        ++summary.candidates;
        if (cost) {
          cost->candidates++;
          cost->confirmed += rc > 0;
          cost->confirm_ns += absl::ToInt64Nanoseconds(absl::Now() - confirm_start);
        }
        if (rc == PCRE2_ERROR_NOMATCH) {
          ++summary.confirm_failures;
          break;
        }
        if (rc < 0) {
          if (!ConfirmFailed(rule, state, b)) return true;
          break;
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
        const uint64_t start = window_base + ovector[0];
        const uint64_t stop = window_base + ovector[1];
        // The global loop's next match ends after this round: a later round finds it.
        if (stop > accept_hi) return true;
        const uint32_t groups = static_cast<uint32_t>(rc) - 1;
        const uint32_t capture_begin = AppendCaptures(ovector, groups, window_base);
        state.cursor = stop > start && !IsPart(rule) ? stop : start + 1;
        pos = state.cursor;
        if (!Record(rule, state, start, stop, capture_begin, groups)) return true;
      }
    }
    return true;
  }

  // PCRE2's leftmost match of gated `rule` starting in [pos, b], as pcre2_match returns
  // it. PCRE2 first runs with a small match limit (counted per start position). A start
  // that needs more is usually an unbounded run ([^\r]* on a line without one) that
  // PCRE2 follows to its end and then backtracks over, byte by byte, at several ns per
  // byte. Then RE2, anchored at each start of the range in turn (its DFA stops where no
  // match can go on: one forward pass, ~3x faster on such a run), names the leftmost start
  // with a match, and PCRE2 runs at that start alone with the full limit, so the span and
  // captures stay PCRE2's. Only the decision "no start in the range matches" is RE2's;
  // the planner gates only patterns that read the same in both dialects
  // (docs/matching.md), so it is PCRE2's decision too. Without an RE2 program, on a range
  // too long to try start by start, or when the two disagree, PCRE2 decides with the full
  // limit as before.
  static constexpr uint32_t kQuickMatchLimit = 1 << 14;
  static constexpr uint64_t kMaxRe2Starts = 1024;
  int GatedMatch(uint32_t rule, const pcre2_code* code, uint64_t pos, uint64_t b) {
    const uint32_t full_limit = limits.pcre2_match_limit;
    const auto run = [&](uint64_t from, uint64_t last_start, uint32_t match_limit) {
      pcre2_set_offset_limit(match_context, last_start - window_base);
      pcre2_set_match_limit(match_context, match_limit);
      return pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(window.data()), window.size(),
                         from - window_base, 0, match_data, match_context);
    };
    if (full_limit <= kQuickMatchLimit) return run(pos, b, full_limit);
    const bool unbounded = db->rule_info()[rule].max_width > db->max_window();
    if (unbounded && b - pos < kMaxRe2Starts && Re2For(rule) != nullptr) {
      return UnboundedGatedMatch(rule, pos, b, run);
    }
    int rc = run(pos, b, kQuickMatchLimit);
    if (rc == PCRE2_ERROR_MATCHLIMIT && b - pos < kMaxRe2Starts) rc = Re2ThenPcre2(rule, pos, b, run);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == kUndecided) rc = run(pos, b, full_limit);
    pcre2_set_match_limit(match_context, full_limit);
    return rc;
  }

  // A rule without a bound on its width decides its candidates one of three ways, the
  // same matches each way: RE2 anchored at each start (a run such as [^\r]* is where PCRE2
  // spends its quick limit at every start, and RE2's DFA stops at the next CR); one
  // unanchored RE2 search per window whose "no match from here on" serves every later
  // candidate (RE2's anchored DFA never stops on a dotall .+ without a match: it reads to
  // the end of the buffer at every start, ~3.6 ms per candidate of an IDS pcre over
  // 16 MiB); or PCRE2 with its full limit (which often decides those in tens of
  // microseconds). A rule keeps the first way while it is cheap; otherwise each way is
  // tried once, then the cheapest so far is taken, another tried every 16th candidate
  // while the best is not cheap either. Where PCRE2 runs out of its limit, RE2 decides as
  // in the first way, so no way reports what another would not.
  template <typename Run>
  int UnboundedGatedMatch(uint32_t rule, uint64_t pos, uint64_t b, const Run& run) {
    const uint32_t full_limit = limits.pcre2_match_limit;
    DecisionCost& cost = decision_costs[rule];
    constexpr uint64_t kCheapDecisionNs = 100'000;
    const auto cheap = [&](int way) {
      return cost.ns[way] <= kCheapDecisionNs * cost.count[way];
    };
    DecisionWay way = kRe2Anchored;
    if (cost.round == round_serial && pos >= cost.none_from) {
      way = kRe2NoneAfter;  // decided by the remembered search: costs nothing
    } else if (cost.count[kRe2Anchored] > 0 && !cheap(kRe2Anchored)) {
      int best = -1;
      for (int w = 0; w < kDecisionWays; ++w) {
        if (cost.count[w] == 0) {
          best = w;  // not tried yet
          break;
        }
        if (best < 0 || cost.ns[w] * cost.count[best] < cost.ns[best] * cost.count[w]) best = w;
      }
      uint32_t decisions = 0;
      for (int w = 0; w < kDecisionWays; ++w) decisions += cost.count[w];
      if (cost.count[best] > 0 && decisions % 16 == 0 && !cheap(best)) {
        best = static_cast<int>((best + 1 + decisions / 16 % 2) % kDecisionWays);  // explore
      }
      way = static_cast<DecisionWay>(best);
    }
    const auto started = std::chrono::steady_clock::now();
    int rc;
    if (way == kPcre2Full) {
      rc = run(pos, b, full_limit);
      if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
        const int decided = Re2ThenPcre2(rule, pos, b, run);
        if (decided != kUndecided) rc = decided;
      }
    } else {
      rc = way == kRe2NoneAfter ? Re2NoneAfterThenPcre2(rule, cost, pos, b, run)
                                : Re2ThenPcre2(rule, pos, b, run);
      if (rc == kUndecided) rc = run(pos, b, full_limit);
    }
    cost.ns[way] += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now() - started)
                                              .count());
    ++cost.count[way];
    pcre2_set_match_limit(match_context, full_limit);
    return rc;
  }

  // RE2, anchored at each start of [pos, b] in turn, names the leftmost start with a match
  // and PCRE2 runs at that start alone with the full limit, returning what PCRE2 returns
  // (a limit there included: PCRE2 over the range would stop at the same start, as no
  // earlier start has an RE2 match, and RE2 matches wherever PCRE2 does). NOMATCH when no
  // start matches; kUndecided without an RE2 program or when PCRE2 finds no match where
  // RE2 did (a wider RE2 reading, re2_dialect.h): PCRE2 must decide the range.
  static constexpr int kUndecided = -1000;  // below every PCRE2 error code
  template <typename Run>
  int Re2ThenPcre2(uint32_t rule, uint64_t pos, uint64_t b, const Run& run) {
    const re2::RE2* re = Re2For(rule);
    if (re == nullptr) return kUndecided;
    const re2::StringPiece text(window.data(), window.size());
    uint64_t start = pos;
    while (start <= b && !re->Match(text, start - window_base, window.size(),
                                    re2::RE2::ANCHOR_START, nullptr, 0)) {
      ++start;
    }
    if (start > b) return PCRE2_ERROR_NOMATCH;
    const int rc = run(start, start, limits.pcre2_match_limit);
    return rc == PCRE2_ERROR_NOMATCH ? kUndecided : rc;
  }

  // Re2ThenPcre2 for a rule whose anchored RE2 runs are long: an RE2 start without a match
  // on a dotall .+ reads to the end of the window, at every candidate. One unanchored
  // search, stopping at the earliest match end, first asks whether any match starts at or
  // after `pos`; its "none" is remembered for the round, so the candidates after it cost
  // nothing. When a match does follow, anchored runs stop at it.
  template <typename Run>
  int Re2NoneAfterThenPcre2(uint32_t rule, DecisionCost& memo, uint64_t pos, uint64_t b,
                            const Run& run) {
    const re2::RE2* re = Re2For(rule);
    if (re == nullptr) return kUndecided;
    if (memo.round == round_serial && pos >= memo.none_from) return PCRE2_ERROR_NOMATCH;
    const re2::StringPiece text(window.data(), window.size());
    if (!re->Match(text, pos - window_base, window.size(), re2::RE2::UNANCHORED, nullptr, 0)) {
      if (memo.round != round_serial || pos < memo.none_from) memo.none_from = pos;
      memo.round = round_serial;
      return PCRE2_ERROR_NOMATCH;
    }
    return Re2ThenPcre2(rule, pos, b, run);
  }

  // Whether a byte at an offset in [from, last] (clipped to the window) is in `set`.
  bool HasByteOf(const ByteSet& set, uint64_t from, uint64_t last) const {
    const uint64_t stop = std::min<uint64_t>(last + 1, window_base + window.size());
    for (uint64_t pos = from; pos < stop; ++pos) {
      if (set[static_cast<unsigned char>(window[pos - window_base])]) return true;
    }
    return false;
  }

  // The last offset in [from, end of window) holding one of `required`'s bytes, kNoByte
  // when there is none. What a round has learnt of a byte is kept (byte_tails), so each
  // byte of the window is read at most once per byte value and round, whatever the
  // number of rules and candidates asking.
  static constexpr uint64_t kNoByte = UINT64_MAX;
  uint64_t LatestRequiredByte(const internal::LazyRegex::RequiredBytes& required, uint64_t from) {
    uint64_t latest = kNoByte;
    for (uint8_t i = 0; i < required.count; ++i) {
      const uint64_t at = LastByteFrom(required.bytes[i], from);
      if (at != kNoByte && (latest == kNoByte || at > latest)) latest = at;
    }
    return latest;
  }

  uint64_t LastByteFrom(uint8_t c, uint64_t from) {
    ByteTail& tail = byte_tails[c];
    if (tail.round != round_serial) tail = {round_serial, window_base + window.size(), kNoByte};
    if (tail.last != kNoByte) return tail.last >= from ? tail.last : kNoByte;
    if (from >= tail.unseen_from) return kNoByte;
    const size_t offset = from - window_base;
    const void* hit = memrchr(window.data() + offset, c, tail.unseen_from - from);
    if (hit == nullptr) {
      tail.unseen_from = from;
      return kNoByte;
    }
    tail.last = window_base + static_cast<uint64_t>(static_cast<const char*>(hit) - window.data());
    return tail.last;
  }

  // gate_starts[k - first]: the first start of a match holding the atom of hit k of
  // `rule` (hits [first, last) in end order): AlphabetRunStart from the hit's end, floored
  // at end - w and the window. Computed together because neighbouring hits share their
  // alphabet run: read from one hit's end back to the previous hit's end, the run goes on
  // as that hit's did, so each byte is read once per rule instead of once per hit (the
  // backward reads were most of trawl's own time on a regex set whose atoms are common).
  static constexpr size_t kGatePrefetch = 16;
  void GateRangeStarts(uint32_t rule, size_t first, size_t last, uint64_t lo_clip) {
    gate_starts.resize(last - first);
    uint64_t prev_end = 0, prev_floor = 0, prev_start = 0;
    for (size_t k = first; k < last; ++k) {
      // The engine read these bytes a whole chunk ago: without a prefetch a few hits
      // ahead, each hit's first byte read is a cache miss.
      if (k + kGatePrefetch < last) {
        __builtin_prefetch(window.data() + (gate_hits[k + kGatePrefetch].end - 1 - window_base));
      }
      const GateHit& hit = gate_hits[k];
      const uint64_t by_window = hit.end > hit.window ? hit.end - hit.window : 0;
      const uint64_t floor = std::max(by_window, lo_clip);
      uint64_t start;
      if (k > first && floor < prev_end && prev_floor <= floor) {
        // With s = the previous start: AlphabetRunStart(end, floor) = max(floor, run start)
        // and s = max(prev_floor, run start of prev_end). Past prev_end the run either
        // stops (read here) or is the previous hit's, and prev_floor <= floor makes
        // max(floor, s) exact in the second case.
        const uint64_t pos = AlphabetRunStart(rule, hit.end, prev_end);
        start = pos > prev_end ? pos : std::max(floor, prev_start);
      } else {
        start = AlphabetRunStart(rule, hit.end, floor);
      }
      gate_starts[k - first] = start;
      prev_end = hit.end;
      prev_floor = floor;
      prev_start = start;
    }
  }

  // The token pass over this round's bytes: its spans are the token rules' matches,
  // accepted in the same (accepted, accept_hi] range as engine hits. No span is longer
  // than the context kept between rounds, so none is seen cut by a window edge here.
  void TokenRound(std::string_view data, uint64_t base) {
    token_pass->Find(data, &token_spans);
    deferred_anchor_rules.clear();
    for (const tokens::Span& span : token_spans) {
      const uint64_t start = base + span.begin;
      const uint64_t end = base + span.end;
      if (tokens::ShapeAnchorsRegex(span.shape)) {
        if (!AnchoredTokenMatches(span.shape, start)) return;
        continue;
      }
      if (end <= accepted || end > accept_hi) continue;
      const std::string_view text = data.substr(span.begin, span.end - span.begin);
      for (uint32_t index : token_rules->RulesFor(span.shape)) {
        const tokens::TokenRules::Rule& rule = token_rules->rules()[index];
        RuleState& state = StateOf(rule.rule);
        if (state.capped) continue;
        // Spans of one rule do not overlap, except a shape's alternatives for one value.
        if (start < state.cursor && !tokens::ShapeYieldsAlternatives(span.shape)) continue;
        if (!tokens::SpecAccepts(rule.spec, span.shape, text)) continue;
        ++summary.candidates;
        if (limits.profile) {
          limits.profile->rules[rule.rule].candidates++;
          limits.profile->rules[rule.rule].confirmed++;
        }
        state.cursor = std::max(state.cursor, end);
        if (!Record(rule.rule, state, start, end, 0, 0)) return;
      }
    }
  }

  // A span of a shape that only says where a match may start (a URL's scheme): each of
  // the shape's rules runs its regex anchored at `start`. Candidates come in start order
  // and include every start the regex can have (a word before "://", and the regex starts
  // with \b: engine/compiler.cc checks), so this is the regex's own leftmost,
  // non-overlapping loop, without an engine pattern that reports every byte of every URL
  // as a match end. A match belongs to the round whose accepted range holds its end: the
  // round's bytes reach `keep` past that range, so the regex saw the whole match.
  // False when the scan must stop.
  bool AnchoredTokenMatches(tokens::Shape shape, uint64_t start) {
    for (uint32_t index : token_rules->RulesFor(shape)) {
      const uint32_t rule = token_rules->rules()[index].rule;
      RuleState& state = StateOf(rule);
      if (state.capped || start < state.cursor ||
          std::find(deferred_anchor_rules.begin(), deferred_anchor_rules.end(), rule) !=
              deferred_anchor_rules.end()) {
        continue;
      }
      const pcre2_code* code =
          db->parts().confirm[rule].Get(db->definition(rule), /*for_confirmation=*/true);
      if (code == nullptr || !EnsureMatchData(code)) {
        round_error = absl::InternalError(StrCat("cannot prepare rule ", db->definition(rule).id));
        stopped = true;
        return false;
      }
      if (OutOfTime(kConfirmCost)) return false;
      const auto confirm_start = limits.profile ? absl::Now() : absl::InfinitePast();
      // Anchored by the offset limit (no later start), not PCRE2_ANCHORED: the JIT code
      // does not take that option at match time, and the interpreter it falls back to cost
      // more than the engine pattern this replaces.
      pcre2_set_offset_limit(match_context, start - window_base);
      const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(window.data()), window.size(),
                                 start - window_base, 0, match_data, match_context);
      ++summary.candidates;
      if (limits.profile) {
        ScanProfile::Rule& cost = limits.profile->rules[rule];
        cost.candidates++;
        cost.confirmed += rc > 0;
        cost.confirm_ns += absl::ToInt64Nanoseconds(absl::Now() - confirm_start);
      }
      if (rc == PCRE2_ERROR_NOMATCH) continue;
      if (rc < 0) {
        if (!ConfirmFailed(rule, state, start)) return false;
        continue;
      }
      const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
      const uint64_t stop = window_base + ovector[1];
      if (stop <= accepted) continue;  // the round before took it
      if (stop > accept_hi) {
        // The next round takes it, and every later match of the rule (one starting
        // inside this one may end first, yet is not a match of the leftmost loop).
        deferred_anchor_rules.push_back(rule);
        continue;
      }
      const uint32_t groups = static_cast<uint32_t>(rc) - 1;
      const uint32_t capture_begin = AppendCaptures(ovector, groups, window_base);
      state.cursor = stop > start ? stop : start + 1;
      if (!Record(rule, state, start, stop, capture_begin, groups)) return false;
    }
    return true;
  }

  // The engine's hits are collected kHitBatch at a time and then handled in arrival
  // order, as one by one: a hit's rule and RuleState are cache misses on a large set
  // (tens of thousands of rules hit in no order), and prefetching a batch's lets those
  // misses overlap instead of stalling one hit after another. A hit that stops the scan
  // drops the rest of its batch, as the engine would not have reported them.
  static int EngineCallback(unsigned id, unsigned long long /*from*/, unsigned long long to,
                            unsigned /*flags*/, void* context) {
    auto* self = static_cast<Impl*>(context);
    self->hit_batch[self->hit_batch_size++] = {id, self->window_base + to};
    if (self->hit_batch_size < kHitBatch) return 0;
    return self->FlushHits() ? 0 : 1;
  }

  // Handles the collected hits; false when the scan (or this partition's) must stop.
  bool FlushHits() {
    size_t n = std::exchange(hit_batch_size, 0);
    if (!partition->gate_follow.empty()) n = DropUnfollowedHits(n);
    const uint32_t* ids = partition->rules.data();
    for (size_t k = 0; k < n; ++k) __builtin_prefetch(ids + hit_batch[k].id);
    for (size_t k = 0; k < n; ++k) __builtin_prefetch(&rules[ids[hit_batch[k].id]]);
    for (size_t k = 0; k < n; ++k) {
      if (!OnHit(hit_batch[k].id, hit_batch[k].end)) return false;
    }
    return true;
  }

  // Every match of a gated rule with a follow sequence has an atom hit that ends its gate
  // prefix and is followed by bytes of the sequence (docs/matching.md, "Literal gating",
  // step 5): the batch's other hits of such rules are dropped here, before their rule
  // state is touched. Bytes past the end of the data are unknown and pass. Returns the
  // number of hits kept at the front of the batch.
  size_t DropUnfollowedHits(size_t n) {
    const uint64_t window_end = window_base + window.size();
    size_t kept = 0;
    for (size_t k = 0; k < n; ++k) {
      const TailHit hit = hit_batch[k];
      const uint32_t follow = partition->gate_follow[hit.id];
      if (follow != PartitionInfo::kNoFollow) {
        const ByteSequence& sequence = partition->follow_sets[follow];
        const size_t known = std::min<uint64_t>(sequence.size(), window_end - hit.end);
        const char* next = window.data() + (hit.end - window_base);
        size_t matched = 0;
        while (matched < known && sequence[matched][static_cast<unsigned char>(next[matched])]) {
          ++matched;
        }
        if (matched < known) continue;
      }
      hit_batch[kept++] = hit;
    }
    return kept;
  }

  // After the last round: composite rules evaluated over the bytes held (`held`, at
  // absolute `base`, of an input of `total` bytes) and their matches delivered.
  absl::Status FinishComposites(std::string_view held, uint64_t base, std::string_view head,
                                uint64_t total, MatchSink sink) {
    if (!composites || stopped) {
      deferred.clear();
      return absl::OkStatus();
    }

    composite_matches.clear();
    composites->Finish(held, base, head, total, &summary, &composite_matches);
    // Matches that hold only where the input has one of their rule's required keywords.
    const bool decide_keywords = limits.apply_filters && !limits.keywords_checked_by_caller;
    KeywordTracker* tracker = nullptr;
    if (!deferred.empty() ||
        (decide_keywords &&
         std::any_of(composite_matches.begin(), composite_matches.end(),
                     [&](const internal::CompositeMatch& m) {
                       return HasRequiredKeywords(db->logic(m.rule));
                     }))) {
      TRAWL_ASSIGN_OR_RETURN(tracker, Keywords());
      // A buffer's only feed; a stream fed every round already.
      if (tracker) TRAWL_RETURN_IF_ERROR(tracker->Feed(held, base));
    }
    const auto has_keyword = [&](uint32_t rule) {
      if (tracker != nullptr && tracker->KeywordSeen(rule)) return true;
      ++summary.keyword_drops;
      return false;
    };
    for (const DeferredMatch& d : deferred) {
      if (stopped) continue;
      if (!has_keyword(d.rule)) continue;
      Match match;
      match.rule = d.rule;
      match.start = d.start;
      match.end = d.end;
      match.text = d.text;
      match.capture_count = static_cast<uint32_t>(d.captures.size() / 2);
      match.captures = d.captures.empty() ? nullptr : d.captures.data();
      match.flags = d.flags;
      if (!Deliver(match, sink)) break;
    }
    deferred.clear();
    for (const internal::CompositeMatch& m : composite_matches) {
      if (stopped) break;
      if (decide_keywords && HasRequiredKeywords(db->logic(m.rule)) && !has_keyword(m.rule)) {
        continue;
      }
      Match match;
      match.rule = m.rule;
      match.start = m.start;
      match.end = m.end;
      if (m.start >= base && m.end <= base + held.size()) {
        match.text = held.substr(m.start - base, m.end - m.start);
      }
      match.parts = m.parts.empty() ? nullptr : m.parts.data();
      match.part_count = static_cast<uint32_t>(m.parts.size());
      if (!Deliver(match, sink)) break;
    }
    composite_matches.clear();
    return absl::OkStatus();
  }

  // Hands one after-the-scan match to the sink; false when the scan must stop.
  bool Deliver(const Match& match, MatchSink sink) {
    ++summary.matches;
    if (limits.profile) limits.profile->rules[match.rule].matches++;
    if (!sink(match)) {
      summary.truncation |= kTruncStopped;
      stopped = true;
      return false;
    }
    if (limits.max_matches && summary.matches >= limits.max_matches) {
      summary.truncation |= kTruncMatchCap;
      stopped = true;
      return false;
    }
    return true;
  }

  // Scans `data` (absolute offset `base`); accepts hits up to its end when `final`, else
  // up to `keep` bytes before its end. Delivers the round's matches in (start, end, rule)
  // order.
  absl::Status Round(std::string_view data, uint64_t base, bool final, MatchSink sink) {
    window = data;
    window_base = base;
    ++round_serial;
    accept_hi = final ? base + data.size() : base + data.size() - keep;
    // Only the final round sees the end of the data; earlier rounds ignore hits there.
    tail_from = final ? base + data.size() - std::min<uint64_t>(data.size(), 1) : UINT64_MAX;
    if (streaming && keywords) TRAWL_RETURN_IF_ERROR(keywords->Feed(data, base));
    if (accept_hi <= accepted && !final) return absl::OkStatus();
    const auto& databases = db->parts().databases;
    // Where each partition's matches begin in `pending` (each part is in end order).
    pending_parts.assign(1, 0);
    for (size_t p = 0; p < databases.size() && !stopped; ++p) {
      if (partition_live[p] == 0) continue;  // every rule in it is capped
      partition = &db->partitions()[p];
      partition_index = p;
      const auto engine_start = limits.profile ? absl::Now() : absl::InfinitePast();
      hs_error_t rc = hs_scan(databases[p].get(), data.data(), static_cast<unsigned>(data.size()),
                              0, scratch.get(), &Impl::EngineCallback, this);
      if (rc == HS_SUCCESS && hit_batch_size > 0 && !FlushHits()) rc = HS_SCAN_TERMINATED;
      hit_batch_size = 0;  // a scan the engine ended early leaves hits that do not count
      if (!tail_hits.empty() && !ProcessTailHits() && rc == HS_SUCCESS) rc = HS_SCAN_TERMINATED;
      pending_parts.push_back(pending.size());
      if (limits.profile) {
        limits.profile->partition_ns[p] +=
            absl::ToInt64Nanoseconds(absl::Now() - engine_start);
      }
      if (!round_error.ok()) return std::exchange(round_error, absl::OkStatus());
      if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
        // HS_UNKNOWN_ERROR (-13) is the engine's own fault, e.g. in an artifact compiled
        // before literals went through the regex API (engine/compiler.cc): recompiling helps.
        return absl::InternalError(StrCat("engine scan failed with code ", rc,
                                          rc == HS_UNKNOWN_ERROR
                                              ? " (the engine's internal error; recompile the "
                                                "database with this trawl)"
                                              : ""));
      }
    }
    if (!stopped && !ConfirmGated()) {
      return std::exchange(round_error, absl::OkStatus());
    }
    gate_hits.clear();
    const size_t engine_matches = pending.size();
    if (!stopped && !out_of_time && token_pass) TokenRound(data, base);
    if (!round_error.ok()) return std::exchange(round_error, absl::OkStatus());
    // A round the deadline cut short was not searched through: only earlier rounds count
    // as scanned. (The matches it found are real and are delivered.)
    if (!out_of_time) accepted = std::max(accepted, accept_hi);
    const auto in_order = [](const PendingMatch& a, const PendingMatch& b) {
      if (a.start != b.start) return a.start < b.start;
      if (a.end != b.end) return a.end < b.end;
      return a.rule < b.rule;
    };
    // Each partition's matches come in end order, so nearly in start order: each is
    // sorted on its own, cheaply, and merged into those before it. The gated rules'
    // confirmed matches (after the partitions, up to engine_matches) come rule by rule:
    // one more part.
    pending_parts.push_back(engine_matches);
    for (size_t k = 1; k < pending_parts.size(); ++k) {
      SortNearlySorted(pending.data() + pending_parts[k - 1], pending.data() + pending_parts[k],
                       in_order);
      if (pending_parts[k - 1] > pending_parts[0]) {
        std::inplace_merge(pending.begin() + static_cast<ptrdiff_t>(pending_parts[0]),
                           pending.begin() + static_cast<ptrdiff_t>(pending_parts[k - 1]),
                           pending.begin() + static_cast<ptrdiff_t>(pending_parts[k]), in_order);
      }
    }
    // The token round's matches (most of a PII scan's) come in span order, nearly always
    // sorted already, and are merged last.
    const auto token_begin = pending.begin() + static_cast<ptrdiff_t>(engine_matches);
    if (!std::is_sorted(token_begin, pending.end(), in_order)) {
      std::sort(token_begin, pending.end(), in_order);
    }
    std::inplace_merge(pending.begin(), token_begin, pending.end(), in_order);
    for (const PendingMatch& m : pending) {
      Match match;
      match.rule = m.rule;
      match.start = m.start;
      match.end = m.end;
      match.text = data.substr(m.start - base, m.end - m.start);
      match.capture_count = m.capture_count;
      match.captures = m.capture_count ? captures.data() + m.capture_begin : nullptr;
      match.flags = m.flags;
      if (!sink(match)) {
        summary.truncation |= kTruncStopped;
        stopped = true;
        break;
      }
    }
    pending.clear();
    captures.clear();
    if (!final && !stopped && absl::Now() > deadline) {
      summary.truncation |= kTruncTimeBudget;
      stopped = true;
    }
    return absl::OkStatus();
  }
};

Scanner::Scanner(std::shared_ptr<const Database> db, std::unique_ptr<Impl> impl)
    : db_(std::move(db)), impl_(std::move(impl)) {}

Scanner::~Scanner() = default;

absl::StatusOr<std::unique_ptr<Scanner>> Scanner::Create(std::shared_ptr<const Database> db) {
  if (!db) return absl::InvalidArgumentError("no database");
  auto impl = std::make_unique<Impl>();
  impl->db = db.get();
  impl->scratch = db->parts().NewScratch();
  if (impl->scratch == nullptr && !db->parts().databases.empty()) {
    return absl::ResourceExhaustedError("engine: cannot allocate scratch");
  }
  impl->match_context = pcre2_match_context_create(nullptr);
  impl->jit_stack = pcre2_jit_stack_create(32 << 10, kJitStackMax, nullptr);
  if (impl->match_context == nullptr || impl->jit_stack == nullptr) {
    return absl::ResourceExhaustedError("PCRE2: cannot allocate match context");
  }
  pcre2_jit_stack_assign(impl->match_context, nullptr, impl->jit_stack);
  impl->rules.resize(db->rule_count());
  impl->fixed_span.assign(db->rule_count(), -1);
  impl->counts.resize(db->rule_count());
  bool any_logic = !db->composites().empty();
  for (uint32_t rule = 0; rule < db->rule_count(); ++rule) {
    uint8_t bits = 0;
    if (db->is_part(rule)) bits |= Impl::kRulePart;
    if (db->has_logic(rule)) bits |= Impl::kRuleFilters;
    // RuleInfo's copy of the flags: definition() would decode every rule of a loaded
    // database here, where a scan reports on a few of them.
    const RuleInfo& info = db->rule_info()[rule];
    if (EngineScans(info.status) && (info.flags & kFlagFullword)) {
      bits |= Impl::kRuleFullword;
    }
    impl->rules[rule].bits = bits;
    impl->rules[rule].literal_length = Impl::kLengthUnknown;
    any_logic = any_logic || bits != 0;
  }
  if (any_logic) impl->composites = std::make_unique<internal::CompositeEvaluator>(*db);
  std::vector<tokens::TokenRules::Rule> token_rules;
  for (uint32_t rule = 0; rule < db->rule_count(); ++rule) {
    if (db->rule_info()[rule].status == RuleStatus::kToken) {
      token_rules.push_back({rule, db->definition(rule).token});
    }
  }
  if (!token_rules.empty()) {
    impl->token_rules = std::make_unique<tokens::TokenRules>(std::move(token_rules));
    impl->token_pass = std::make_unique<tokens::TokenPass>(impl->token_rules->shapes());
  }
  for (const PartitionInfo& part : db->partitions()) {
    std::vector<uint32_t> rules = part.rules;
    std::sort(rules.begin(), rules.end());
    impl->partition_rules.push_back(
        static_cast<uint32_t>(std::unique(rules.begin(), rules.end()) - rules.begin()));
  }
  return std::unique_ptr<Scanner>(new Scanner(std::move(db), std::move(impl)));
}

namespace {
// Marks a scanner busy for the duration of a call; detects concurrent use.
class BusyGuard {
 public:
  explicit BusyGuard(std::atomic<bool>& busy) : busy_(busy), acquired_(!busy.exchange(true)) {}
  ~BusyGuard() {
    if (acquired_) busy_.store(false);
  }
  bool acquired() const { return acquired_; }

 private:
  std::atomic<bool>& busy_;
  bool acquired_;
};

absl::Status BusyError() {
  return WithCode(absl::FailedPreconditionError("scanner is in use by another call"),
                  ErrorCode::kBusy);
}
}  // namespace

absl::StatusOr<ScanSummary> Scanner::Scan(std::string_view data, const ScanLimits& limits,
                                          MatchSink sink) {
  BusyGuard guard(busy_);
  if (!guard.acquired()) return BusyError();
  if (stream_open_) {
    return absl::FailedPreconditionError("a stream is open on this scanner; end it first");
  }
  Impl& s = *impl_;
  s.streaming = false;
  s.Begin(limits);
  uint64_t n = data.size();
  if (limits.max_bytes && n > limits.max_bytes) {
    n = limits.max_bytes;
    s.summary.truncation |= kTruncByteBudget;
  }
  uint64_t base = 0;
  while (true) {
    const uint64_t top = std::min<uint64_t>(n, base + s.chunk);
    const bool final = top == n;
    absl::Status status = s.Round(data.substr(base, top - base), base, final, sink);
    if (!status.ok()) return status;
    if (final || s.stopped) break;
    base = s.accepted - s.keep;
  }
  s.summary.bytes_scanned = s.stopped ? s.accepted : n;
  if (absl::Status status = s.FinishComposites(data.substr(0, n), 0, {}, n, sink);
      !status.ok()) {
    return status;
  }
  return s.summary;
}

uint32_t Scanner::stream_truncation() const { return impl_->summary.truncation; }

absl::Status Scanner::StreamBegin(const ScanLimits& limits) {
  BusyGuard guard(busy_);
  if (!guard.acquired()) return BusyError();
  if (stream_open_) return absl::FailedPreconditionError("a stream is already open");
  impl_->streaming = true;
  // A stream must look for keywords from its first byte: made before Begin resets it.
  if (impl_->composites) {
    if (absl::Status made = impl_->Keywords().status(); !made.ok()) return made;
  }
  impl_->Begin(limits);
  impl_->buffer.clear();
  impl_->buffer_base = 0;
  impl_->bytes_in = 0;
  impl_->stream_head.clear();
  stream_open_ = true;
  return absl::OkStatus();
}

absl::Status Scanner::StreamWrite(std::string_view data, MatchSink sink) {
  BusyGuard guard(busy_);
  if (!guard.acquired()) return BusyError();
  if (!stream_open_) return absl::FailedPreconditionError("no stream is open");
  Impl& s = *impl_;
  if (s.limits.max_bytes) {
    const uint64_t room = s.limits.max_bytes > s.bytes_in ? s.limits.max_bytes - s.bytes_in : 0;
    if (data.size() > room) {
      data = data.substr(0, room);
      s.summary.truncation |= kTruncByteBudget;
    }
  }
  if (s.composites && s.stream_head.size() < Impl::kStreamHead) {
    s.stream_head.append(data.substr(0, Impl::kStreamHead - s.stream_head.size()));
  }
  s.bytes_in += data.size();
  // The rounds are the same windows [buffer_base, buffer_base + chunk) whatever the
  // writes' sizes; only where their bytes come from differs. A window that lies wholly in
  // `data` is scanned there, without the copy into `buffer` (a caller handing over a
  // whole mapped file copies only its last window); a window that starts in `buffer` is
  // completed by a copy. Invariant: data[0] is at offset buffer_base + buffer.size().
  while (!data.empty() && !s.stopped) {
    if (s.buffer.empty() && data.size() >= s.chunk) {
      absl::Status status =
          s.Round(data.substr(0, s.chunk), s.buffer_base, /*final=*/false, sink);
      if (!status.ok()) return status;
      if (s.stopped) break;
      const uint64_t new_base = s.accepted - s.keep;
      data.remove_prefix(new_base - s.buffer_base);
      s.buffer_base = new_base;
      continue;
    }
    const uint64_t data_base = s.buffer_base + s.buffer.size();
    const size_t take = std::min(data.size(), s.chunk - s.buffer.size());
    // Past 1 MiB the window is taken whole at once: growing it by doubling copied and
    // first-touched 15 MiB on the way to an 8 MiB window.
    if (s.buffer.size() + take > s.buffer.capacity() && s.buffer.size() + take > (1u << 20)) {
      s.buffer.reserve(s.chunk);
    }
    s.buffer.append(data.data(), take);
    if (s.buffer.size() < s.chunk) break;  // take was all of data
    absl::Status status = s.Round(s.buffer, s.buffer_base, /*final=*/false, sink);
    if (!status.ok()) return status;
    if (s.stopped) break;
    const uint64_t new_base = s.accepted - s.keep;
    if (new_base >= data_base) {
      // The context to carry is all in `data`: continue from there, copying nothing.
      data.remove_prefix(new_base - data_base);
      s.buffer.clear();
    } else {
      data.remove_prefix(take);
      s.buffer.erase(0, new_base - s.buffer_base);
    }
    s.buffer_base = new_base;
  }
  return absl::OkStatus();
}

absl::StatusOr<ScanSummary> Scanner::StreamEnd(MatchSink sink) {
  BusyGuard guard(busy_);
  if (!guard.acquired()) return BusyError();
  if (!stream_open_) return absl::FailedPreconditionError("no stream is open");
  stream_open_ = false;
  Impl& s = *impl_;
  if (!s.stopped) {
    absl::Status status = s.Round(s.buffer, s.buffer_base, /*final=*/true, sink);
    if (!status.ok()) return status;
  }
  s.summary.bytes_scanned = s.stopped ? s.accepted : s.buffer_base + s.buffer.size();
  if (absl::Status status =
          s.FinishComposites(s.buffer, s.buffer_base, s.stream_head, s.bytes_in, sink);
      !status.ok()) {
    return status;
  }
  s.stream_head.clear();
  s.buffer.clear();
  s.buffer.shrink_to_fit();
  return s.summary;
}

absl::StatusOr<std::vector<ReferenceMatch>> ReferenceScan(const Database& db,
                                                          std::string_view data,
                                                          uint64_t max_matches_per_rule) {
  std::vector<ReferenceMatch> out;
  pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
  pcre2_match_context* mc = pcre2_match_context_create(nullptr);
  pcre2_jit_stack* jit_stack = pcre2_jit_stack_create(32 << 10, kJitStackMax, nullptr);
  if (jit_stack != nullptr) pcre2_jit_stack_assign(mc, nullptr, jit_stack);
  if (md == nullptr || mc == nullptr || jit_stack == nullptr) {
    pcre2_jit_stack_free(jit_stack);
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    return absl::ResourceExhaustedError("PCRE2: out of memory");
  }
  absl::Status status;
  for (uint32_t rule = 0; rule < db.rule_count() && status.ok(); ++rule) {
    // Token-pass rules are not the engine's: tests/tokens compares them with their regexes.
    if (!EngineScans(db.rule_info()[rule].status)) continue;
    // Parts are occurrences for composite rules, never matches of their own.
    if (db.is_part(rule)) continue;
    const pcre2_code* code = db.parts().reference[rule].Get(db.definition(rule), false);
    if (code == nullptr) {
      status = absl::InternalError(StrCat("reference: rule ", rule, " does not compile"));
      break;
    }
    uint64_t count = 0;
    for (PCRE2_SIZE pos = 0; pos <= data.size();) {
      const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(data.data()), data.size(), pos,
                                 0, md, mc);
      if (rc == PCRE2_ERROR_NOMATCH) break;
      if (rc < 0) {
        status = absl::ResourceExhaustedError(
            StrCat("reference: PCRE2 error ", rc, " on rule ", db.definition(rule).id));
        break;
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      out.push_back({rule, ov[0], ov[1]});
      pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
      if (max_matches_per_rule && ++count >= max_matches_per_rule) break;
    }
  }
  pcre2_match_data_free(md);
  pcre2_match_context_free(mc);
  pcre2_jit_stack_free(jit_stack);
  if (!status.ok()) return status;
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace trawl
