// Threat indicators at feed scale (bench/RESULTS.md, "Threat indicators").
//
// Two artifacts with the same rules, one with the full default indicator set and one
// without (bench/indicators.sh compiles both; their paths come in TRAWL_BENCH_WITH and
// TRAWL_BENCH_WITHOUT), loaded as trawl_db_load_file does (mapped, read in place):
//   BM_AnalyzeMixed/{with,without}  per-component analysis of bench_mixed_16MiB.bin as one
//                                   component: scan, validation, indicator lookups
//   BM_ScanMixed/{with,without}     the scan alone (token pass + engine)
//   BM_LookupCandidate              every entity candidate of the mixed input that is
//                                   looked up (domains, IPs, URLs, e-mails, hashes), looked
//                                   up again and again: ns per candidate
// One thread. The ratio with/without, from one run, is the figure that counts.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "engine/artifact.h"
#include "engine/indicator_set.h"
#include "engine/scanner.h"
#include "entities/indicator_lookup.h"
#include "util/file.h"

namespace {

// TRAWL_BENCH_INPUT, else the corpus beside the checkout.
std::string InputPath() {
  const char* path = std::getenv("TRAWL_BENCH_INPUT");
  return path ? path : std::string(TRAWL_SHARED_DIR) + "/corpus/scan_inputs/bench_mixed_16MiB.bin";
}

std::shared_ptr<const trawl::Database> Load(const char* env) {
  const char* path = std::getenv(env);
  if (path == nullptr) return nullptr;
  auto db = trawl::LoadDatabaseFile(path);
  return db.ok() ? *db : nullptr;
}

std::shared_ptr<const trawl::Database> Db(bool with) {
  static auto with_db = Load("TRAWL_BENCH_WITH");
  static auto without_db = Load("TRAWL_BENCH_WITHOUT");
  return with ? with_db : without_db;
}

const std::string& Input() {
  static const std::string input = [] {
    auto bytes = trawl::ReadFile(InputPath());
    return bytes.ok() ? *bytes : std::string();
  }();
  return input;
}

trawl::Component MixedComponent() {
  trawl::Component c;
  c.id = "00000000000000000000000000000000";
  c.path = "bench_mixed_16MiB.bin";
  c.name = "bench_mixed_16MiB.bin";
  c.size = Input().size();
  c.has_content = true;
  c.content_complete = true;
  return c;
}

void BM_AnalyzeMixed(benchmark::State& state) {
  auto db = Db(state.range(0) != 0);
  if (!db || Input().empty()) {
    state.SkipWithError("set TRAWL_BENCH_WITH/WITHOUT and provide the corpus");
    return;
  }
  auto analyzer = trawl::ComponentAnalyzer::Create(db);
  // The plan the classify stage makes for this component, with every chain.
  trawl::PlanOptions plan_options;
  plan_options.pattern_chains = db->chains();
  const trawl::ProcessingPlan plan =
      trawl::PlanComponent(MixedComponent(), Input(), plan_options);
  size_t findings = 0, hits = 0;
  for (auto _ : state) {
    auto result = (*analyzer)->Analyze(plan, Input(), {});
    findings = result->findings.size();
    hits = 0;
    for (const auto& f : result->findings) hits += f.indicator.empty() ? 0 : 1;
    benchmark::DoNotOptimize(findings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Input().size()));
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["indicator_hits"] = static_cast<double>(hits);
  state.SetLabel(state.range(0) ? "with indicator set" : "without");
}
BENCHMARK(BM_AnalyzeMixed)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ScanMixed(benchmark::State& state) {
  auto db = Db(state.range(0) != 0);
  if (!db || Input().empty()) {
    state.SkipWithError("set TRAWL_BENCH_WITH/WITHOUT and provide the corpus");
    return;
  }
  auto scanner = trawl::Scanner::Create(db);
  for (auto _ : state) {
    uint64_t matches = 0;
    auto summary = (*scanner)->Scan(Input(), {}, [&](const trawl::Match&) {
      ++matches;
      return true;
    });
    benchmark::DoNotOptimize(matches);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Input().size()));
  state.SetLabel(state.range(0) ? "with indicator set" : "without");
}
BENCHMARK(BM_ScanMixed)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

struct Candidate {
  trawl::CandidateKind kind;
  std::string value;
  std::string after;
};

void BM_LookupCandidate(benchmark::State& state) {
  auto db = Db(true);
  if (!db || db->indicators() == nullptr || Input().empty()) {
    state.SkipWithError("set TRAWL_BENCH_WITH and provide the corpus");
    return;
  }
  // The candidates the analyzer looks up: matches of rules whose entity is looked up.
  std::vector<Candidate> candidates;
  auto scanner = trawl::Scanner::Create(db);
  (void)(*scanner)->Scan(Input(), {}, [&](const trawl::Match& m) {
    auto kind = trawl::CandidateKindOf(db->definition(m.rule).entity);
    if (!kind) return true;
    const uint64_t begin = m.capture_count >= 1 && m.captures[0] >= 0 ? m.captures[0] : m.start;
    const uint64_t end = m.capture_count >= 1 && m.captures[0] >= 0 ? m.captures[1] : m.end;
    candidates.push_back({*kind, Input().substr(begin, end - begin), Input().substr(end, 8)});
    return true;
  });
  std::vector<trawl::IndicatorHitInfo> hits;
  size_t total_hits = 0;
  for (auto _ : state) {
    total_hits = 0;
    for (const Candidate& c : candidates) {
      hits.clear();
      trawl::LookupCandidate(*db->indicators(), c.kind, c.value, c.after, &hits);
      total_hits += hits.size();
    }
    benchmark::DoNotOptimize(total_hits);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * candidates.size()));
  state.counters["candidates"] = static_cast<double>(candidates.size());
  state.counters["hits"] = static_cast<double>(total_hits);
  state.counters["ns_per_candidate"] = benchmark::Counter(
      static_cast<double>(candidates.size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_LookupCandidate)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
