// Fuzzes the scanner with random rules over random input under a time bound: one to
// three patterns (regexes or literals, random flags) compile, or are rejected with a
// reason, and scan within the budget. When a scan reports itself complete, its matches
// must be those of PCRE2's own global match loop (the input is shorter than the window
// cap, so the documented difference cannot arise).
#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/compiler.h"
#include "engine/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<trawl::Definition> defs;
  for (int n = in.ConsumeIntegralInRange(1, 3); n > 0; --n) {
    trawl::Definition def;
    def.id = "r" + std::to_string(defs.size());
    def.kind = in.ConsumeBool() ? trawl::PatternKind::kRegex : trawl::PatternKind::kLiteral;
    def.expression = in.ConsumeRandomLengthString(40);
    def.flags = in.ConsumeIntegral<uint8_t>() &
                (trawl::kFlagCaseless | trawl::kFlagDotAll | trawl::kFlagMultiline);
    def.chains = {"default"};
    // Huge counted repeats only make the engine's compiler slow, not the scan wrong.
    if (def.expression.empty() || def.expression.find('{') != std::string::npos) return 0;
    defs.push_back(std::move(def));
  }
  const std::string input = in.ConsumeRemainingBytesAsString().substr(0, 4096);
  trawl::CompileOptions compile;
  compile.threads = 1;
  auto db = trawl::CompileDatabase(defs, compile);
  if (!db.ok()) return 0;
  auto scanner = trawl::Scanner::Create(*db);
  if (!scanner.ok()) std::abort();
  trawl::ScanLimits limits;
  limits.time_budget = absl::Milliseconds(500);
  limits.max_matches_per_rule = 0;
  limits.max_matches = 0;
  std::vector<trawl::ReferenceMatch> got;
  const auto begin = std::chrono::steady_clock::now();
  auto summary = (*scanner)->Scan(input, limits, [&](const trawl::Match& m) {
    if (m.start > m.end || m.end > input.size()) std::abort();
    got.push_back({m.rule, m.start, m.end});
    return true;
  });
  if (!summary.ok()) std::abort();
  // The budget holds: a few confirmations past it at most, never the whole input's.
  if (std::chrono::steady_clock::now() - begin > std::chrono::seconds(5)) std::abort();
  if (summary->truncation != 0) return 0;
  auto want = trawl::ReferenceScan(**db, input);
  if (!want.ok()) return 0;  // PCRE2 itself hit a limit
  std::sort(got.begin(), got.end());
  if (got != *want) {
    for (const trawl::Definition& def : defs) {
      std::fprintf(stderr, "rule %s kind %d flags %u: %s\n", def.id.c_str(),
                   static_cast<int>(def.kind), def.flags, def.expression.c_str());
    }
    for (const auto& [name, list] : {std::pair{"scanner", &got}, std::pair{"reference", &*want}}) {
      for (const trawl::ReferenceMatch& m : *list) {
        std::fprintf(stderr, "%s: rule %u [%llu, %llu)\n", name, m.rule,
                     static_cast<unsigned long long>(m.start), static_cast<unsigned long long>(m.end));
      }
    }
    std::abort();
  }
  return 0;
}
