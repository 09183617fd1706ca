// For the scan fuzzers: one scan of `input` under a time budget, checked against PCRE2's
// reference loop; on a difference, the rules and both match lists, then abort.
#ifndef TRAWL_TESTS_ENGINE_SCAN_AGAINST_REFERENCE_H_
#define TRAWL_TESTS_ENGINE_SCAN_AGAINST_REFERENCE_H_

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/scanner.h"
#include "rules/definition.h"

namespace trawl::testing_util {

[[noreturn]] inline void AbortOnMismatch(const std::vector<Definition>& defs,
                                         const std::vector<ReferenceMatch>& got,
                                         const std::vector<ReferenceMatch>& want) {
  for (const Definition& def : defs) {
    std::fprintf(stderr, "rule %s kind %d flags %u: %s\n", def.id.c_str(),
                 static_cast<int>(def.kind), def.flags, def.expression.c_str());
  }
  for (const auto& [name, list] : {std::pair{"scanner", &got}, std::pair{"reference", &want}}) {
    for (const ReferenceMatch& m : *list) {
      std::fprintf(stderr, "%s: rule %u [%llu, %llu)\n", name, m.rule,
                   static_cast<unsigned long long>(m.start), static_cast<unsigned long long>(m.end));
    }
  }
  std::abort();
}

// Scans `input` with `db` (the rules `defs`) and aborts when the scan fails, a match lies
// outside the input, the 500 ms budget is overrun by seconds, or a complete scan's
// matches are not the reference's.
inline void ScanAgainstReference(const std::shared_ptr<const Database>& db,
                                 const std::vector<Definition>& defs, std::string_view input) {
  auto scanner = Scanner::Create(db);
  if (!scanner.ok()) std::abort();
  ScanLimits limits;
  limits.time_budget = absl::Milliseconds(500);
  limits.max_matches_per_rule = 0;
  limits.max_matches = 0;
  std::vector<ReferenceMatch> got;
  const auto begin = std::chrono::steady_clock::now();
  auto summary = (*scanner)->Scan(input, limits, [&](const Match& m) {
    if (m.start > m.end || m.end > input.size()) std::abort();
    got.push_back({m.rule, m.start, m.end});
    return true;
  });
  if (!summary.ok()) std::abort();
  // The budget holds: a few confirmations past it at most, never the whole input's.
  if (std::chrono::steady_clock::now() - begin > std::chrono::seconds(5)) std::abort();
  if (summary->truncation != 0) return;
  auto want = ReferenceScan(*db, input);
  if (!want.ok()) return;  // PCRE2 itself hit a limit
  std::sort(got.begin(), got.end());
  if (got != *want) AbortOnMismatch(defs, got, *want);
}

}  // namespace trawl::testing_util

#endif  // TRAWL_TESTS_ENGINE_SCAN_AGAINST_REFERENCE_H_
