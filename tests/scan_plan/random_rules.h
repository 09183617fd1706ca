// Random composite rules and inputs, for tests that compare ways of evaluating them
// (planned and unplanned, whole and streamed scans, whole and windowed analysis).
#ifndef TRAWL_TESTS_SCAN_PLAN_RANDOM_RULES_H_
#define TRAWL_TESTS_SCAN_PLAN_RANDOM_RULES_H_

#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/compiler.h"
#include "rules/definition.h"
#include "rules/rule_logic.h"

namespace trawl::plan {

// Random composite rules over a small alphabet, so patterns occur often and overlap.
inline std::vector<Definition> RandomRules(std::mt19937& rng, int count) {
  static const char* const kLiterals[] = {"ab", "abc", "cab", "bca", "aab", "x1", "xyz", "zzz",
                                          "c\nb", "bb"};
  // The last has an end anchor the engine does not take inside an alternation: PCRE2
  // searches it wherever its rule is evaluated.
  static const char* const kRegexes[] = {"[0-9]+x", "a[bc]+", "b.c", "(ab|a)c", "z+y", "[xyz]{2}1",
                                         "c\\zz|b[ac]b"};
  static const char* const kConditions[] = {
      "all of them", "any of them", "2 of them", "none of them", "$p0 and not $p1",
      "#p0 > 1",     "$p1 in (0..40)", "($p0 or $p1) and $p2", "$p2 at 0 or #p1 >= 2",
      "not ($p0 and $p2) and $p1"};
  std::vector<Definition> defs;
  for (int r = 0; r < count; ++r) {
    auto logic = std::make_shared<RuleLogic>();
    const bool sequence = rng() % 3 == 0;
    const int n = 3;
    for (int p = 0; p < n; ++p) {
      RulePattern pattern;
      pattern.name = "p" + std::to_string(p);
      if (rng() % 3 == 0) {
        pattern.kind = PatternKind::kRegex;
        pattern.expression = kRegexes[rng() % std::size(kRegexes)];
      } else {
        pattern.kind = PatternKind::kLiteral;
        pattern.expression = kLiterals[rng() % std::size(kLiterals)];
      }
      if (sequence) {
        if (p > 0 && rng() % 2) pattern.distance = static_cast<int64_t>(rng() % 6) - 2;
        if (p > 0 && rng() % 2) pattern.within = 1 + static_cast<int64_t>(rng() % 30);
        if (p > 0 && rng() % 5 == 0) pattern.negated = true;
        if (rng() % 6 == 0) pattern.offset = static_cast<int64_t>(rng() % 20);
        if (rng() % 6 == 0) pattern.depth = 10 + static_cast<int64_t>(rng() % 60);
        if (rng() % 4 == 0) pattern.chain = "other";
      }
      logic->patterns.push_back(std::move(pattern));
    }
    if (sequence) {
      logic->condition = "sequence";
    } else {
      logic->condition = kConditions[rng() % std::size(kConditions)];
      const int scope = static_cast<int>(rng() % 4);
      if (scope == 1) logic->scope = {ScopeKind::kBytes, 5 + static_cast<uint32_t>(rng() % 20)};
      if (scope == 2) logic->scope = {ScopeKind::kLine, 0};
      if (scope == 3) logic->scope = {ScopeKind::kLines, 1};
      // A scoped rule's report pattern must be able to occur for it to report anything.
      if (logic->scope.kind != ScopeKind::kComponent) logic->report = "p" + std::to_string(rng() % n);
    }
    // Some apply only to inputs holding a keyword: one frequent, some rare in RandomInput.
    static const char* const kKeywords[] = {"abc", "zz0y1", "C.X", "10zyx"};
    if (rng() % 5 == 0) logic->required_keywords = {kKeywords[rng() % std::size(kKeywords)]};
    Definition def;
    def.id = "r" + std::to_string(r);
    def.logic = std::move(logic);
    def.chains = {"default"};
    defs.push_back(std::move(def));
  }
  return defs;
}

inline std::string RandomInput(std::mt19937& rng, size_t size) {
  static const char kAlphabet[] = "abcxyz01.\n bcab";
  std::string out;
  for (size_t i = 0; i < size; ++i) out.push_back(kAlphabet[rng() % (sizeof kAlphabet - 1)]);
  return out;
}

// `defs` without the rules that only an engine-rejected pattern could satisfy: those are
// rejected (they would be searched everywhere); the others keep that pattern as a
// searched one. Adds the number left out to `*left_out`.
inline std::vector<Definition> TriggeredRules(std::vector<Definition> defs, size_t* left_out) {
  auto probe = CompileDatabase(defs, CompileOptions{});
  if (!probe.ok()) return {};  // the caller's rules are all left out: its test says so
  std::vector<Definition> kept;
  for (uint32_t rule = 0; rule < defs.size(); ++rule) {
    const RuleInfo& info = (*probe)->rule_info()[rule];
    if (info.status == RuleStatus::kRejected &&
        (info.reason.find("Embedded end anchors") != std::string::npos ||
         info.reason.find("no other pattern of the rule") != std::string::npos)) {
      ++*left_out;
      continue;
    }
    kept.push_back(std::move(defs[rule]));
  }
  return kept;
}

}  // namespace trawl::plan

#endif  // TRAWL_TESTS_SCAN_PLAN_RANDOM_RULES_H_
