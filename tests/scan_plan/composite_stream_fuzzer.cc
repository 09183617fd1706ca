// Fuzzes streams against whole buffers on composite rules: random rules (random_rules.h:
// conditions with negation, counts and offsets, scopes, sequences, confirm-only and
// engine-rejected patterns) over an input larger than the window a stream keeps, written
// in random pieces. A stream lets bytes go and may then know less, which it must say;
// it must never know more. So every rule (and scoped report) the stream reports, the
// whole scan reports, and a stream that says it is complete reports the same ones.
// CompositePlanTest.StreamReportsNothingTheWholeScanDoesNot is the fixed-seed form.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/scanner.h"
#include "plan_test_util.h"
#include "random_rules.h"
#include "scan_plan/planner.h"

namespace {

// The key a match is compared by: the rule, and for a scoped rule its report's span.
std::string Key(const trawl::Database& db, const trawl::Match& m) {
  const trawl::Definition& def = db.definition(m.rule);
  if (def.logic->scope.kind == trawl::ScopeKind::kComponent) return def.id;
  return def.id + "@" + std::to_string(m.start) + "-" + std::to_string(m.end);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::mt19937 rng(in.ConsumeIntegral<uint32_t>());
  size_t left_out = 0;
  const std::vector<trawl::Definition> defs = trawl::plan::TriggeredRules(
      trawl::plan::RandomRules(rng, in.ConsumeIntegralInRange(1, 8)), &left_out);
  if (defs.empty()) return 0;
  trawl::CompileOptions compile;
  compile.threads = 1;
  auto db = trawl::plan::CompilePlanned(defs, compile, trawl::plan::NoTrial());
  if (!db.ok()) return 0;
  // Larger than the smallest window a stream keeps (64 KiB and the overlap), with the
  // fuzzer's own bytes planted at its chosen places.
  std::string input =
      trawl::plan::RandomInput(rng, in.ConsumeIntegralInRange<size_t>(70000, 160000));
  while (in.remaining_bytes() > 8) {
    const size_t at = in.ConsumeIntegralInRange<size_t>(0, input.size() - 1);
    const std::string piece = in.ConsumeRandomLengthString(64);
    input.replace(at, std::min(piece.size(), input.size() - at), piece);
  }
  auto scanner = trawl::Scanner::Create(*db);
  if (!scanner.ok()) std::abort();
  trawl::ScanLimits limits;
  limits.chunk_bytes = 64 << 10;
  std::set<std::string> whole, streamed;
  auto summary = (*scanner)->Scan(input, limits, [&](const trawl::Match& m) {
    whole.insert(Key(**db, m));
    return true;
  });
  if (!summary.ok()) std::abort();
  if (summary->truncation != 0) return 0;  // a costly rule given up: no reference
  auto sink = [&](const trawl::Match& m) {
    streamed.insert(Key(**db, m));
    return true;
  };
  if (!(*scanner)->StreamBegin(limits).ok()) std::abort();
  for (size_t at = 0; at < input.size();) {
    const size_t n = std::min<size_t>(input.size() - at, 1 + rng() % 40000);
    if (!(*scanner)->StreamWrite(std::string_view(input).substr(at, n), sink).ok()) std::abort();
    at += n;
  }
  auto end = (*scanner)->StreamEnd(sink);
  if (!end.ok()) std::abort();
  for (const std::string& key : streamed) {
    if (!whole.contains(key)) {
      std::fprintf(stderr, "%s: reported by the stream only\n", key.c_str());
      std::abort();
    }
  }
  if (end->truncation == 0 && streamed != whole) {
    std::fprintf(stderr, "the stream says it is complete but reports %zu of %zu\n",
                 streamed.size(), whole.size());
    std::abort();
  }
  return 0;
}
