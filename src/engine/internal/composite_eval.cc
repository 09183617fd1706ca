// File: composite_eval.cc
#include "engine/internal/composite_eval.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <memory_resource>
#include <unordered_map>
#include <unordered_set>

#include <re2/re2.h>

#include "absl/time/clock.h"
#include "engine/internal/composite_parts.h"
#include "engine/internal/engine_parts.h"
#include "engine/re2_dialect.h"
#include "util/entropy.h"
#include "util/strings.h"

namespace trawl::internal {
namespace {

constexpr uint64_t kNoEnd = std::numeric_limits<uint64_t>::max();
// Occurrence lookups one composite may make before it is given up as too costly (the
// scan is then flagged kTruncConfirmLimit). A sequence over frequent patterns could
// otherwise try every combination of their occurrences.
constexpr uint64_t kStepsPerRule = 200000;
constexpr size_t kJitStackMax = 8 << 20;

bool IsWordByte(unsigned char c) { return std::isalnum(c) != 0; }

// PCRE2 runs where RE2 proposes a start at most this many times without a match before
// it searches on alone (RE2 proposing starts PCRE2 rejects: a dialect difference).
constexpr int kMaxRe2Disagreements = 64;

// A confirm-only part's occurrences found so far. `covered` maps a from-position to the
// end of a range [from, to) all of whose occurrences are in `found`.
struct ConfirmSource {
  std::map<uint64_t, uint64_t> covered;
  std::vector<Occurrence> found;  // sorted by start
};

// Shannon entropy threshold test, as the rule's source format defines it.
bool EntropyPasses(const RuleLogic& logic, std::string_view secret) {
  if (!logic.has_entropy) return true;
  const double entropy = ShannonEntropy(secret);
  return logic.entropy_strict ? entropy > logic.min_entropy : entropy >= logic.min_entropy;
}

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void SecretSpan(int32_t group, uint64_t start, uint64_t end, const int64_t* captures,
                uint32_t capture_count, uint64_t* secret_start, uint64_t* secret_end) {
  *secret_start = start;
  *secret_end = end;
  if (captures == nullptr || capture_count == 0) return;
  auto take = [&](uint32_t g) {  // 1-based group
    if (g == 0 || g > capture_count || captures[2 * (g - 1)] < 0) return false;
    *secret_start = static_cast<uint64_t>(captures[2 * (g - 1)]);
    *secret_end = static_cast<uint64_t>(captures[2 * (g - 1) + 1]);
    return true;
  };
  if (group == -1) {
    take(1);
  } else if (group == 0) {
    for (uint32_t g = 1; g <= capture_count; ++g) {
      if (captures[2 * (g - 1)] >= 0 && captures[2 * (g - 1) + 1] > captures[2 * (g - 1)]) {
        take(g);
        return;
      }
    }
  } else {
    take(static_cast<uint32_t>(group));
  }
}

struct CompositeEvaluator::Impl {
  const Database& db;
  pcre2_match_data* match_data = nullptr;
  uint32_t match_data_pairs = 0;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;

  // Composites (indices into db.composites()) each part rule triggers, and those that
  // are always evaluated (no anchors).
  std::vector<std::vector<uint32_t>> triggers;
  std::vector<uint32_t> always;

  // Per scan.
  ScanLimits limits;
  std::vector<std::vector<Occurrence>> occurrences;  // by rule; scanned parts only
  std::vector<uint32_t> touched;                      // rules with occurrences
  std::vector<uint8_t> triggered;                     // by composite
  std::vector<uint32_t> triggered_list;
  std::unordered_map<uint32_t, ConfirmSource> confirm;
  // How each confirm-only regex part is searched (RegexFind), kept across scans: its RE2
  // program, compiled on first need (`re` null where RE2 has no reading of it), and
  // whether PCRE2 was slower than RE2 on an earlier search.
  struct SearchWay {
    Re2Program re2;
    bool re2_first = false;
  };
  std::unordered_map<uint32_t, SearchWay> search_ways;
  std::string_view held;
  uint64_t base = 0;
  std::string_view head;
  uint64_t total = 0;
  uint64_t steps = 0;
  bool over_budget = false;
  // This evaluation needed bytes the stream let go (a confirm-only search, a line's
  // start): a "none" it saw is not known to be none.
  bool undecided = false;
  ScanSummary* summary = nullptr;

  // This evaluation needed bytes the stream let go; the scan is then incomplete.
  void MarkUndecided() {
    undecided = true;
    if (summary != nullptr) summary->truncation |= kTruncUnplaced;
  }

  explicit Impl(const Database& database) : db(database) {
    triggers.resize(db.rule_count());
    for (uint32_t c = 0; c < db.composites().size(); ++c) {
      const CompositeInfo& composite = db.composites()[c];
      if (db.rule_info()[composite.rule].status != RuleStatus::kComposite) continue;
      if (composite.anchors.empty()) {
        always.push_back(c);
        continue;
      }
      for (uint32_t p : composite.anchors) {
        std::vector<uint32_t>& users = triggers[composite.pattern_rules[p]];
        if (users.empty() || users.back() != c) users.push_back(c);
      }
    }
    occurrences.resize(db.rule_count());
    triggered.assign(db.composites().size(), 0);
    match_context = pcre2_match_context_create(nullptr);
    jit_stack = pcre2_jit_stack_create(32 << 10, kJitStackMax, nullptr);
    if (match_context != nullptr && jit_stack != nullptr) {
      pcre2_jit_stack_assign(match_context, nullptr, jit_stack);
    }
  }

  ~Impl() {
    pcre2_match_data_free(match_data);
    pcre2_match_context_free(match_context);
    pcre2_jit_stack_free(jit_stack);
  }

  bool EnsureMatchData(const pcre2_code* code) {
    uint32_t groups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (match_data != nullptr && groups + 1 <= match_data_pairs) return true;
    pcre2_match_data_free(match_data);
    match_data_pairs = std::max<uint32_t>(groups + 1, 4);
    match_data = pcre2_match_data_create(match_data_pairs, nullptr);
    return match_data != nullptr;
  }

  // PCRE2 search of `code` in `subject` from `from`; the match span, or nullopt (no
  // match, or a limit: then counted and flagged).
  std::optional<std::pair<size_t, size_t>> Pcre2Find(const pcre2_code* code,
                                                     std::string_view subject, size_t from) {
    if (code == nullptr || match_context == nullptr || !EnsureMatchData(code)) return std::nullopt;
    pcre2_set_offset_limit(match_context, PCRE2_UNSET);
    const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                               from, 0, match_data, match_context);
    if (rc == PCRE2_ERROR_NOMATCH) return std::nullopt;
    if (rc < 0) {
      if (summary != nullptr) {
        ++summary->confirm_errors;
        summary->truncation |= kTruncConfirmLimit;
      }
      return std::nullopt;
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
    return std::make_pair(static_cast<size_t>(ovector[0]), static_cast<size_t>(ovector[1]));
  }

  // PCRE2's leftmost match of a confirm-only regex part at or after `from` in the held
  // bytes. PCRE2 alone tries every start up to its match: for most parts a memchr-paced
  // skip to their first byte, but an IDS pcre such as (\w+)...\2 tried at each of millions
  // of starts in a large component cost 0.1-0.2 s per search (issue 18). So PCRE2 searches
  // a slice of starts at a time while it keeps a pace better than RE2's linear one;
  // otherwise RE2's DFA (the exact reading, or a prefilter: re2_dialect.h) names the
  // leftmost start where a match may begin, and PCRE2 runs at that start alone, so the
  // occurrence stays PCRE2's. A part that was slow, or ran out of PCRE2's limit, once
  // starts with RE2 next time. Where PCRE2 gives up at a start an exact RE2 reading
  // matched, RE2's span stands, as in the scanner (docs/matching.md); otherwise PCRE2's
  // limit is counted and flagged.
  static constexpr size_t kPcre2SliceStarts = 256 << 10;
  static constexpr uint64_t kRe2PicosPerByte = 2000;  // RE2's DFA, ~500 MB/s on IDS pcres
  std::optional<std::pair<size_t, size_t>> RegexFind(uint32_t rule, const Definition& def,
                                                      const pcre2_code* code, size_t from) {
    if (code == nullptr || match_context == nullptr || !EnsureMatchData(code)) return std::nullopt;
    auto [it, inserted] = search_ways.try_emplace(rule);
    SearchWay& way = it->second;
    if (inserted) way.re2 = CompileRe2OrPrefilter(def);
    const re2::RE2* re = way.re2.re.get();
    if (re == nullptr) return Pcre2Find(code, held, from);
    const PCRE2_SPTR subject = reinterpret_cast<PCRE2_SPTR>(held.data());
    if (!way.re2_first) {
      const size_t first = from;
      const auto started = std::chrono::steady_clock::now();
      while (true) {
        const size_t last_start = std::min(held.size(), from + kPcre2SliceStarts);
        pcre2_set_offset_limit(match_context, last_start);
        const int rc = pcre2_match(code, subject, held.size(), from, 0, match_data, match_context);
        if (rc >= 0) {
          const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
          return std::make_pair(static_cast<size_t>(ovector[0]), static_cast<size_t>(ovector[1]));
        }
        if (rc != PCRE2_ERROR_NOMATCH) {  // a limit: RE2 decides from here, as in the scanner
          way.re2_first = true;
          break;
        }
        if (last_start == held.size()) return std::nullopt;
        from = last_start + 1;
        const auto spent = std::chrono::steady_clock::now() - started;
        const uint64_t picos = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(spent).count()) * 1000;
        if (picos > kRe2PicosPerByte * (from - first)) {
          way.re2_first = true;
          break;
        }
      }
    }
    const re2::StringPiece text(held.data(), held.size());
    re2::StringPiece found;
    for (int disagreements = 0; disagreements < kMaxRe2Disagreements; ++disagreements) {
      if (from > held.size() ||
          !re->Match(text, from, held.size(), re2::RE2::UNANCHORED, &found, 1)) {
        return std::nullopt;
      }
      const size_t start = static_cast<size_t>(found.data() - held.data());
      pcre2_set_offset_limit(match_context, start);
      const int rc = pcre2_match(code, subject, held.size(), start, 0, match_data, match_context);
      if (rc >= 0) {
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match_data);
        return std::make_pair(static_cast<size_t>(ovector[0]), static_cast<size_t>(ovector[1]));
      }
      if ((rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) && way.re2.exact) {
        if (summary != nullptr) ++summary->spans_by_re2;
        return std::make_pair(start, start + found.size());
      }
      if (rc != PCRE2_ERROR_NOMATCH) break;  // PCRE2 decides from here, and flags its limit
      from = start + 1;
    }
    return Pcre2Find(code, held, from);
  }

  bool FullwordOk(uint64_t start, uint64_t end) const {
    const uint64_t held_end = base + held.size();
    if (start > base && start - 1 < held_end &&
        IsWordByte(static_cast<unsigned char>(held[start - 1 - base]))) {
      return false;
    }
    if (end >= base && end < held_end && IsWordByte(static_cast<unsigned char>(held[end - base]))) {
      return false;
    }
    return true;
  }

  // The first occurrence of a confirm-only part starting at or after `from`, searched in
  // the held bytes. A stream holds only its last window: an occurrence in the bytes it
  // let go cannot be found, so the scan says it is incomplete rather than quietly
  // missing the rule.
  //
  // A window that does not start the input also lacks the bytes before it, which an
  // occurrence at its first bytes may rest on: `^` and `\A` would match there, `\b`, a
  // fullword check or a lookbehind would see no byte before it (a stream reported
  // /^[a-z]{2}/ in the middle of its input this way). So the search starts as many bytes
  // in as the pattern looks back (PCRE2_INFO_MAXLOOKBEHIND, at least one), and an
  // occurrence before that is one more the stream cannot place. `*searched_from` is where
  // the search began: nothing is known about occurrences before it.
  std::optional<Occurrence> SearchConfirm(uint32_t rule, uint64_t from, uint64_t* searched_from) {
    const Definition& def = db.definition(rule);
    const bool fullword = (def.flags & kFlagFullword) != 0;
    const uint64_t held_end = base + held.size();
    const pcre2_code* code = def.kind == PatternKind::kRegex
                                 ? db.parts().confirm[rule].Get(def, /*for_confirmation=*/true)
                                 : nullptr;
    uint64_t decided_from = base;
    if (base > 0) {
      uint32_t look_back = fullword ? 1 : 0;
      if (code != nullptr) {
        uint32_t max_lookbehind = 0;
        pcre2_pattern_info(code, PCRE2_INFO_MAXLOOKBEHIND, &max_lookbehind);
        look_back = std::max<uint32_t>({look_back, max_lookbehind, 1});
      }
      decided_from = base + look_back;
    }
    if (from < decided_from) MarkUndecided();
    *searched_from = std::max(from, decided_from);
    for (uint64_t pos = *searched_from; pos < held_end;) {
      uint64_t start = 0, end = 0;
      if (def.kind == PatternKind::kLiteral) {
        const std::string& needle = def.expression;
        if (needle.empty() || needle.size() > held_end - pos) return std::nullopt;
        const char* hay = held.data() + (pos - base);
        const size_t hay_size = held_end - pos;
        const char* hit = nullptr;
        if (def.flags & kFlagCaseless) {
          const unsigned char first = static_cast<unsigned char>(needle[0]);
          const unsigned char lo = static_cast<unsigned char>(std::tolower(first));
          const unsigned char up = static_cast<unsigned char>(std::toupper(first));
          for (size_t i = 0; i + needle.size() <= hay_size; ++i) {
            const unsigned char c = static_cast<unsigned char>(hay[i]);
            if (c != lo && c != up) continue;
            size_t k = 1;
            while (k < needle.size() &&
                   std::tolower(static_cast<unsigned char>(hay[i + k])) ==
                       std::tolower(static_cast<unsigned char>(needle[k]))) {
              ++k;
            }
            if (k == needle.size()) {
              hit = hay + i;
              break;
            }
          }
        } else {
          hit = static_cast<const char*>(memmem(hay, hay_size, needle.data(), needle.size()));
        }
        if (hit == nullptr) return std::nullopt;
        start = base + static_cast<uint64_t>(hit - held.data());
        end = start + needle.size();
      } else {
        auto found = RegexFind(rule, def, code, pos - base);
        if (!found) return std::nullopt;
        start = base + found->first;
        end = base + found->second;
      }
      if (!fullword || FullwordOk(start, end)) return Occurrence{start, end};
      pos = start + 1;
    }
    return std::nullopt;
  }

  // The first occurrence of part `rule` starting at or after `from`.
  std::optional<Occurrence> First(uint32_t rule, uint64_t from) {
    ++steps;
    if (db.rule_info()[rule].status != RuleStatus::kConfirmOnly) {
      const std::vector<Occurrence>& list = occurrences[rule];
      auto it = std::lower_bound(list.begin(), list.end(), Occurrence{from, 0});
      if (it == list.end()) return std::nullopt;
      return *it;
    }
    ConfirmSource& source = confirm[rule];
    while (true) {
      auto it = source.covered.upper_bound(from);
      if (it != source.covered.begin()) {
        --it;
        if (it->first <= from && from < it->second) {
          auto f = std::lower_bound(source.found.begin(), source.found.end(), Occurrence{from, 0});
          if (f != source.found.end() && f->start < it->second) return *f;
          if (it->second == kNoEnd) return std::nullopt;
          from = it->second;
          continue;
        }
      }
      uint64_t searched_from = from;
      std::optional<Occurrence> next = SearchConfirm(rule, from, &searched_from);
      // Only what was searched is known: a range the stream let go stays unknown, so each
      // later question about it is undecided again.
      source.covered[searched_from] = next ? next->start + 1 : kNoEnd;
      if (next) {
        auto at = std::lower_bound(source.found.begin(), source.found.end(), *next);
        if (at == source.found.end() || !(*at == *next)) source.found.insert(at, *next);
      }
      return next;
    }
  }

  // The first occurrence at or after `from` with start <= max_start and end <= max_end.
  std::optional<Occurrence> FirstWithin(uint32_t rule, uint64_t from, uint64_t max_start,
                                        uint64_t max_end) {
    for (std::optional<Occurrence> o = First(rule, from); o && o->start <= max_start;
         o = First(rule, o->start + 1)) {
      if (steps > kStepsPerRule) {
        over_budget = true;
        return std::nullopt;
      }
      if (o->end <= max_end) return o;
    }
    return std::nullopt;
  }

  // Absolute placement of pattern `p` combined with the scope [lo, hi).
  struct Bounds {
    uint64_t from = 0;
    uint64_t max_start = kNoEnd;
    uint64_t max_end = kNoEnd;
  };
  static Bounds Placement(const RulePattern& pattern, uint64_t lo, uint64_t hi) {
    Bounds b;
    b.from = lo;
    b.max_end = hi;
    const uint64_t offset = pattern.offset != kUnsetPlacement ? static_cast<uint64_t>(pattern.offset) : 0;
    b.from = std::max(b.from, offset);
    if (pattern.depth != kUnsetPlacement) {
      b.max_end = std::min(b.max_end, offset + static_cast<uint64_t>(pattern.depth));
    }
    b.max_start = b.max_end;
    return b;
  }

  // ---- Conditions over a scope ----------------------------------------------------

  class ScopeContext : public ConditionContext {
   public:
    ScopeContext(Impl& impl, const CompositeInfo& composite, const RuleLogic& logic, uint64_t lo,
                 uint64_t hi)
        : impl_(impl), composite_(composite), logic_(logic), lo_(lo), hi_(hi) {}

    std::optional<Occurrence> FirstFrom(uint32_t pattern, uint64_t from) {
      Bounds b = Placement(logic_.patterns[pattern], lo_, hi_);
      return impl_.FirstWithin(composite_.pattern_rules[pattern], std::max(from, b.from),
                               b.max_start, b.max_end);
    }
    bool Any(uint32_t pattern) override { return FirstFrom(pattern, 0).has_value(); }
    uint64_t Count(uint32_t pattern) override {
      uint64_t count = 0;
      for (auto o = FirstFrom(pattern, 0); o; o = FirstFrom(pattern, o->start + 1)) ++count;
      return count;
    }
    bool AnyAt(uint32_t pattern, uint64_t offset) override {
      auto o = FirstFrom(pattern, offset);
      return o && o->start == offset;
    }
    bool AnyIn(uint32_t pattern, uint64_t lo, uint64_t hi) override {
      auto o = FirstFrom(pattern, lo);
      return o && o->start <= hi;
    }
    std::optional<uint64_t> Filesize() override { return impl_.total; }
    std::optional<uint64_t> ReadUint(uint64_t offset, int width, bool big_endian) override {
      const uint64_t held_end = impl_.base + impl_.held.size();
      std::string_view bytes;
      if (offset >= impl_.base && offset <= held_end &&
          static_cast<uint64_t>(width) <= held_end - offset) {
        bytes = impl_.held.substr(offset - impl_.base, width);
      } else if (offset <= impl_.head.size() &&
                 static_cast<uint64_t>(width) <= impl_.head.size() - offset) {
        bytes = impl_.head.substr(offset, width);
      } else {
        return std::nullopt;  // past the end, or in bytes a stream no longer holds
      }
      uint64_t v = 0;
      for (int i = 0; i < width; ++i) {
        const uint64_t byte = static_cast<unsigned char>(bytes[i]);
        v |= big_endian ? byte << (8 * (width - 1 - i)) : byte << (8 * i);
      }
      return v;
    }
    bool Sequence() override { return false; }  // sequences are evaluated by Sequence()

   private:
    Impl& impl_;
    const CompositeInfo& composite_;
    const RuleLogic& logic_;
    uint64_t lo_, hi_;
  };

  // ---- Sequences ------------------------------------------------------------------

  // The memo of failed chain states lives in an arena released per evaluation: a
  // sequence over frequent patterns inserts tens of thousands of states, and a node
  // allocation each (plus rehashing) was a fifth of a native-set scan (issue 18).
  std::pmr::monotonic_buffer_resource chain_arena;

  struct ChainSearch {
    explicit ChainSearch(std::pmr::memory_resource* arena) : failed(arena) {}
    std::vector<uint32_t> patterns;  // in rule order
    std::vector<uint8_t> needs_prev;  // whether step j depends on the previous end
    std::pmr::unordered_set<uint64_t> failed;  // (j, prev) states known to fail
    std::vector<std::pair<uint32_t, Occurrence>> assignment;
  };

  static uint64_t StateKey(size_t j, int64_t prev) {
    return (static_cast<uint64_t>(j) << 48) ^ static_cast<uint64_t>(prev + 2);
  }

  // Whether chain steps j.. can be placed after a previous occurrence ending at `prev`
  // (-1: none yet; the chain's start counts as 0 for relative placement).
  bool ChainFrom(const CompositeInfo& composite, const RuleLogic& logic, ChainSearch& chain,
                 size_t j, int64_t prev) {
    if (j == chain.patterns.size()) return true;
    if (steps > kStepsPerRule) {
      over_budget = true;
      return false;
    }
    const int64_t key_prev = chain.needs_prev[j] ? prev : -2;
    const uint64_t key = StateKey(j, key_prev);
    if (chain.failed.count(key)) return false;
    const uint32_t p = chain.patterns[j];
    const RulePattern& pattern = logic.patterns[p];
    Bounds b = Placement(pattern, 0, kNoEnd);
    if (pattern.HasRelativePlacement()) {
      const int64_t anchor = std::max<int64_t>(prev, 0);
      const int64_t distance = pattern.distance != kUnsetPlacement ? pattern.distance : 0;
      const int64_t lo = std::max<int64_t>(0, anchor + distance);
      b.from = std::max<uint64_t>(b.from, static_cast<uint64_t>(lo));
      if (pattern.within != kUnsetPlacement) {
        const int64_t hi = anchor + distance + pattern.within;
        if (hi < 0) {
          b.max_end = 0;
        } else {
          b.max_end = std::min<uint64_t>(b.max_end, static_cast<uint64_t>(hi));
        }
        b.max_start = b.max_end;
      }
    }
    const uint32_t rule = composite.pattern_rules[p];
    if (pattern.negated) {
      if (FirstWithin(rule, b.from, b.max_start, b.max_end)) {
        chain.failed.insert(key);
        return false;
      }
      if (ChainFrom(composite, logic, chain, j + 1, prev)) return true;
      chain.failed.insert(key);
      return false;
    }
    for (std::optional<Occurrence> o = FirstWithin(rule, b.from, b.max_start, b.max_end); o;
         o = FirstWithin(rule, o->start + 1, b.max_start, b.max_end)) {
      chain.assignment.push_back({p, *o});
      if (ChainFrom(composite, logic, chain, j + 1, static_cast<int64_t>(o->end))) return true;
      chain.assignment.pop_back();
      if (over_budget) return false;
      // Later steps ignore where this one ended: one occurrence decides for all.
      if (j + 1 < chain.patterns.size() && !chain.needs_prev[j + 1]) break;
      if (j + 1 == chain.patterns.size()) break;
    }
    chain.failed.insert(key);
    return false;
  }

  // The sequence semantics (docs/rules.md): each chain's patterns placed in order.
  bool Sequence(const CompositeInfo& composite, const RuleLogic& logic,
                std::vector<std::pair<uint32_t, Occurrence>>* assignment) {
    std::vector<std::string_view> chain_names;
    std::vector<ChainSearch> chains;
    for (uint32_t p = 0; p < logic.patterns.size(); ++p) {
      const std::string& name = logic.patterns[p].chain;
      auto it = std::find(chain_names.begin(), chain_names.end(), name);
      if (it == chain_names.end()) {
        chain_names.push_back(name);
        chains.emplace_back(&chain_arena);
        it = chain_names.end() - 1;
      }
      chains[static_cast<size_t>(it - chain_names.begin())].patterns.push_back(p);
    }
    for (ChainSearch& chain : chains) {
      const size_t n = chain.patterns.size();
      chain.needs_prev.assign(n, 0);
      for (size_t j = n; j-- > 0;) {
        const RulePattern& pattern = logic.patterns[chain.patterns[j]];
        chain.needs_prev[j] = pattern.HasRelativePlacement() ||
                              (pattern.negated && j + 1 < n && chain.needs_prev[j + 1]);
      }
      if (!ChainFrom(composite, logic, chain, 0, -1)) return false;
      assignment->insert(assignment->end(), chain.assignment.begin(), chain.assignment.end());
    }
    return true;
  }

  // ---- Filters --------------------------------------------------------------------

  bool RegexFinds(const pcre2_code* code, std::string_view text) {
    return Pcre2Find(code, text, 0).has_value();
  }

  // The line holding [start, end) inside `window` (absolute `window_base`).
  static std::string_view LineOf(std::string_view window, uint64_t window_base, uint64_t start,
                                 uint64_t end) {
    size_t from = static_cast<size_t>(start - window_base);
    size_t to = static_cast<size_t>(end - window_base);
    while (from > 0 && window[from - 1] != '\n') --from;
    while (to < window.size() && window[to] != '\n') ++to;
    return window.substr(from, to - from);
  }

  // Whether `text` contains one of `lower_keywords`, ASCII case ignored.
  static bool HasKeyword(std::string_view text, const std::vector<std::string>& lower_keywords) {
    for (const std::string& keyword : lower_keywords) {
      if (keyword.empty() || keyword.size() > text.size()) continue;
      for (size_t i = 0; i + keyword.size() <= text.size(); ++i) {
        size_t k = 0;
        while (k < keyword.size() &&
               std::tolower(static_cast<unsigned char>(text[i + k])) ==
                   static_cast<unsigned char>(keyword[k])) {
          ++k;
        }
        if (k == keyword.size()) return true;
      }
    }
    return false;
  }

  Verdict Accept(uint32_t rule, std::string_view window, uint64_t window_base, uint64_t start,
                 uint64_t end, const int64_t* captures, uint32_t capture_count,
                 uint64_t* span_start, uint64_t* span_end) {
    const bool keep = AcceptFilters(rule, window, window_base, start, end, captures, capture_count,
                                    span_start, span_end);
    if (!limits.apply_filters) return Verdict::kKeep;
    if (!keep) return Verdict::kDrop;
    const RuleLogic* logic = db.logic(rule);
    if (logic == nullptr || logic->required_keywords.empty()) return Verdict::kKeep;
    const RuleRuntime* runtime = db.runtime(rule);
    if (runtime == nullptr) return Verdict::kKeep;
    if (start >= window_base && end <= window_base + window.size() &&
        HasKeyword(window.substr(start - window_base, end - start), runtime->lower_keywords)) {
      return Verdict::kKeep;
    }
    return Verdict::kDefer;
  }

  bool AcceptFilters(uint32_t rule, std::string_view window, uint64_t window_base, uint64_t start,
                     uint64_t end, const int64_t* captures, uint32_t capture_count,
                     uint64_t* span_start, uint64_t* span_end) {
    *span_start = start;
    *span_end = end;
    const RuleLogic* logic = db.logic(rule);
    if (logic == nullptr) return true;
    uint64_t secret_start = start, secret_end = end;
    SecretSpan(logic->secret_group, start, end, captures, capture_count, &secret_start,
               &secret_end);
    if (logic->span_is_secret) {
      *span_start = secret_start;
      *span_end = secret_end;
    }
    auto slice = [&](uint64_t a, uint64_t b) {
      if (a < window_base || b > window_base + window.size() || b < a) return std::string_view();
      return window.substr(static_cast<size_t>(a - window_base), static_cast<size_t>(b - a));
    };
    const std::string_view secret = slice(secret_start, secret_end);
    if (!EntropyPasses(*logic, secret)) return false;
    if (logic->allow.empty()) return true;
    const RuleRuntime* runtime = db.runtime(rule);
    if (runtime == nullptr) return true;
    std::string lower_secret;
    for (size_t i = 0; i < logic->allow.size(); ++i) {
      const AllowList& allow = logic->allow[i];
      const bool has_path = !allow.paths.empty() || !allow.path_globs.empty();
      // An AND list that needs the path is decided by the analyzer, which knows it.
      if (allow.require_all && has_path) continue;
      bool regex_hit = false, stop_hit = false;
      if (!allow.regexes.empty()) {
        const std::string_view target =
            allow.target == AllowTarget::kSecret ? secret
            : allow.target == AllowTarget::kMatch
                ? slice(start, end)
                : LineOf(window, window_base, start, end);
        for (const Pcre2CodePtr& code : runtime->allow_regexes[i]) {
          if (RegexFinds(code.get(), target)) {
            regex_hit = true;
            break;
          }
        }
      }
      if (!allow.stopwords.empty()) {
        if (lower_secret.empty()) lower_secret = Lowercase(secret);
        for (const std::string& word : runtime->lower_stopwords[i]) {
          if (lower_secret.find(word) != std::string::npos) {
            stop_hit = true;
            break;
          }
        }
      }
      const bool allowed =
          allow.require_all
              ? (allow.regexes.empty() || regex_hit) && (allow.stopwords.empty() || stop_hit)
              : regex_hit || stop_hit;
      if (allowed) return false;
    }
    return true;
  }

  // ---- Composite evaluation -------------------------------------------------------

  void ListParts(const CompositeInfo& composite, const RuleLogic& logic, uint64_t lo, uint64_t hi,
                 std::vector<MatchPart>* parts) {
    for (uint32_t p = 0; p < logic.patterns.size(); ++p) {
      if (logic.patterns[p].negated) continue;
      const uint32_t rule = composite.pattern_rules[p];
      Bounds b = Placement(logic.patterns[p], lo, hi);
      uint32_t listed = 0;
      if (db.rule_info()[rule].status == RuleStatus::kConfirmOnly) {
        // Only what the evaluation already found: listing must not search on its own.
        auto it = confirm.find(rule);
        if (it == confirm.end()) continue;
        for (const Occurrence& o : it->second.found) {
          if (listed >= kMaxPartsPerPattern) break;
          if (o.start >= b.from && o.start <= b.max_start && o.end <= b.max_end) {
            parts->push_back({p, o.start, o.end});
            ++listed;
          }
        }
        continue;
      }
      const std::vector<Occurrence>& list = occurrences[rule];
      for (auto it = std::lower_bound(list.begin(), list.end(), Occurrence{b.from, 0});
           it != list.end() && it->start <= b.max_start && listed < kMaxPartsPerPattern; ++it) {
        if (it->end > b.max_end) continue;
        parts->push_back({p, it->start, it->end});
        ++listed;
      }
    }
  }

  void Emit(uint32_t rule, uint64_t start, uint64_t end, std::vector<MatchPart> parts,
            std::vector<CompositeMatch>* out) {
    uint64_t span_start = start, span_end = end;
    const uint64_t held_end = base + held.size();
    if (start >= base && end <= held_end) {
      if (!AcceptFilters(rule, held, base, start, end, nullptr, 0, &span_start, &span_end) &&
          limits.apply_filters) {
        return;
      }
    } else if (const RuleLogic* logic = db.logic(rule);
               limits.apply_filters && logic != nullptr &&
               (logic->has_entropy || !logic->allow.empty())) {
      // Its filters read bytes the stream let go: it may be one they drop.
      if (summary != nullptr) summary->truncation |= kTruncUnplaced;
      return;
    }
    std::sort(parts.begin(), parts.end(), [](const MatchPart& a, const MatchPart& b) {
      return a.start != b.start ? a.start < b.start : a.pattern < b.pattern;
    });
    out->push_back({rule, span_start, span_end, std::move(parts)});
  }

  void EvaluateOne(uint32_t c, std::vector<CompositeMatch>* out) {
    const CompositeInfo& composite = db.composites()[c];
    const RuleLogic* logic = db.logic(composite.rule);
    const RuleRuntime* runtime = db.runtime(composite.rule);
    if (logic == nullptr || runtime == nullptr || !logic->composite()) return;
    steps = 0;
    over_budget = false;
    undecided = false;
    const size_t emitted_before = out->size();
    const Condition& condition = runtime->condition;
    if (condition.is_sequence()) {
      std::vector<std::pair<uint32_t, Occurrence>> assignment;
      const bool placed = Sequence(composite, *logic, &assignment);
      chain_arena.release();  // the memo is per evaluation
      if (placed) {
        std::vector<MatchPart> parts;
        uint64_t start = kNoEnd, end = 0;
        for (const auto& [p, o] : assignment) {
          parts.push_back({p, o.start, o.end});
          start = std::min(start, o.start);
          end = std::max(end, o.end);
        }
        if (start == kNoEnd) start = end = 0;
        Emit(composite.rule, start, end, std::move(parts), out);
      }
    } else if (logic->scope.kind == ScopeKind::kComponent) {
      ScopeContext context(*this, composite, *logic, 0, kNoEnd);
      if (EvaluateCondition(condition, context) && !over_budget) {
        std::vector<MatchPart> parts;
        ListParts(composite, *logic, 0, kNoEnd, &parts);
        uint64_t start = kNoEnd, end = 0;
        for (const MatchPart& part : parts) {
          start = std::min(start, part.start);
          end = std::max(end, part.end);
        }
        if (start == kNoEnd) start = end = 0;
        Emit(composite.rule, start, end, std::move(parts), out);
      }
    } else {
      EvaluateScoped(composite, *logic, condition, out);
    }
    if (over_budget && summary != nullptr) {
      ++summary->confirm_errors;
      summary->truncation |= kTruncConfirmLimit;
    }
    // A pattern searched only in part may be there after all: a rule that needs one
    // absent (a negated Suricata content) or few may not hold. Not reported; the scan is
    // already marked unplaced.
    if (undecided && out->size() > emitted_before &&
        (!IsMonotone(condition) ||
         std::any_of(logic->patterns.begin(), logic->patterns.end(),
                     [](const RulePattern& p) { return p.negated; }))) {
      out->resize(emitted_before);
    }
  }

  // The scope window around one occurrence of the report pattern: [lo, hi).
  std::pair<uint64_t, uint64_t> ScopeWindow(const Scope& scope, const Occurrence& anchor) {
    if (scope.kind == ScopeKind::kBytes) {
      return {anchor.start > scope.n ? anchor.start - scope.n : 0,
              anchor.end > kNoEnd - scope.n ? kNoEnd : anchor.end + scope.n};
    }
    const uint32_t extra = scope.kind == ScopeKind::kLines ? scope.n : 0;
    const uint64_t held_end = base + held.size();
    if (anchor.start < base || anchor.end > held_end) {
      // Its line lies in bytes a stream let go: only the occurrence itself is known to be
      // in it. (Before, the line was read from before the held bytes: a wider window, out
      // of bounds.)
      MarkUndecided();
      return {anchor.start, anchor.end};
    }
    uint64_t lo = anchor.start;
    for (uint32_t k = 0; k <= extra; ++k) {
      if (k > 0 && lo > base) --lo;  // step over the newline that ended the previous line
      const void* nl = lo > base ? memrchr(held.data(), '\n', lo - base) : nullptr;
      lo = nl ? base + static_cast<uint64_t>(static_cast<const char*>(nl) - held.data()) + 1 : base;
      if (lo == base) {
        if (base > 0) MarkUndecided();  // the line may begin in bytes a stream let go
        break;
      }
    }
    uint64_t hi = std::min(anchor.end, held_end);
    for (uint32_t k = 0; k <= extra; ++k) {
      if (k > 0 && hi < held_end) ++hi;
      const void* nl = hi < held_end ? memchr(held.data() + (hi - base), '\n', held_end - hi) : nullptr;
      hi = nl ? base + static_cast<uint64_t>(static_cast<const char*>(nl) - held.data()) : held_end;
      if (hi == held_end) break;
    }
    return {lo, std::max(hi, anchor.end)};
  }

  void EvaluateScoped(const CompositeInfo& composite, const RuleLogic& logic,
                      const Condition& condition, std::vector<CompositeMatch>* out) {
    const int report = logic.ReportPattern();
    if (report < 0) return;
    const uint32_t report_rule = composite.pattern_rules[static_cast<size_t>(report)];
    const Bounds placement = Placement(logic.patterns[static_cast<size_t>(report)], 0, kNoEnd);
    uint64_t emitted = 0;
    for (std::optional<Occurrence> anchor =
             FirstWithin(report_rule, placement.from, placement.max_start, placement.max_end);
         anchor; anchor = FirstWithin(report_rule, anchor->start + 1, placement.max_start,
                                      placement.max_end)) {
      const auto [lo, hi] = ScopeWindow(logic.scope, *anchor);
      ScopeContext context(*this, composite, logic, lo, hi);
      if (!EvaluateCondition(condition, context) || over_budget) {
        if (over_budget) return;
        continue;
      }
      std::vector<MatchPart> parts;
      ListParts(composite, logic, lo, hi, &parts);
      Emit(composite.rule, anchor->start, anchor->end, std::move(parts), out);
      if (limits.max_matches_per_rule && ++emitted >= limits.max_matches_per_rule) {
        if (summary != nullptr) {
          summary->truncation |= kTruncRuleMatchCap;
          summary->capped_rules.push_back(composite.rule);
        }
        return;
      }
    }
  }
};

CompositeEvaluator::CompositeEvaluator(const Database& db) : impl_(std::make_unique<Impl>(db)) {}
CompositeEvaluator::~CompositeEvaluator() = default;

void CompositeEvaluator::Begin(const ScanLimits& limits) {
  Impl& s = *impl_;
  s.limits = limits;
  for (uint32_t rule : s.touched) s.occurrences[rule].clear();
  s.touched.clear();
  for (uint32_t c : s.triggered_list) s.triggered[c] = 0;
  s.triggered_list.clear();
  s.confirm.clear();
  s.held = s.head = {};
  s.base = s.total = 0;
  if (s.match_context != nullptr) {
    pcre2_set_match_limit(s.match_context, limits.pcre2_match_limit);
    pcre2_set_depth_limit(s.match_context, limits.pcre2_depth_limit);
  }
}

void CompositeEvaluator::AddOccurrence(uint32_t rule, uint64_t start, uint64_t end) {
  Impl& s = *impl_;
  std::vector<Occurrence>& list = s.occurrences[rule];
  if (list.empty()) s.touched.push_back(rule);
  list.push_back({start, end});
  for (uint32_t c : s.triggers[rule]) {
    if (!s.triggered[c]) {
      s.triggered[c] = 1;
      s.triggered_list.push_back(c);
    }
  }
}

void CompositeEvaluator::Finish(std::string_view held, uint64_t base, std::string_view head,
                                uint64_t total, ScanSummary* summary,
                                std::vector<CompositeMatch>* out) {
  Impl& s = *impl_;
  s.held = held;
  s.base = base;
  s.head = head;
  s.total = total;
  s.summary = summary;
  for (uint32_t rule : s.touched) {
    std::vector<Occurrence>& list = s.occurrences[rule];
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  std::vector<uint32_t> order = s.triggered_list;
  order.insert(order.end(), s.always.begin(), s.always.end());
  std::sort(order.begin(), order.end());
  ScanProfile* profile = s.limits.profile;
  if (profile == nullptr) {
    for (uint32_t c : order) s.EvaluateOne(c, out);
  } else {
    // Charged to the composite rule, so `rules profile` can name the costly ones.
    for (uint32_t c : order) {
      const absl::Time start = absl::Now();
      s.EvaluateOne(c, out);
      const uint64_t ns = static_cast<uint64_t>(absl::ToInt64Nanoseconds(absl::Now() - start));
      ScanProfile::Rule& cost = profile->rules[s.db.composites()[c].rule];
      ++cost.candidates;
      cost.confirm_ns += ns;
      profile->composite_ns += ns;
    }
  }
  s.summary = nullptr;
}

CompositeEvaluator::Verdict CompositeEvaluator::Accept(uint32_t rule, std::string_view window,
                                                      uint64_t window_base, uint64_t start,
                                                      uint64_t end, const int64_t* captures,
                                                      uint32_t capture_count,
                                                      uint64_t* span_start, uint64_t* span_end) {
  return impl_->Accept(rule, window, window_base, start, end, captures, capture_count, span_start,
                       span_end);
}

}  // namespace trawl::internal
