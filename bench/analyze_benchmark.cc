// Per-component analysis throughput on a large JSON component (issue 6: the JSON offset
// locator is built only for components that have candidates).
//
// The component is a generated ~16 MiB configuration-like JSON document (nested objects,
// number arrays, escaped strings) analysed with trawl's own secrets pack:
//   BM_AnalyzeJsonNoFindings   nothing in it matches a rule (most components)
//   BM_AnalyzeJsonOneFinding   the same document with one GitHub token planted mid-way
//   BM_ScanJsonOnly            the pattern scan alone over the same bytes (the baseline
//                              measured in the same run: analysis can not beat it)
// The database is compiled and the analyzer created outside the timed loop.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include "analyze/component_analyzer.h"
#include "engine/compiler.h"
#include "engine/scanner.h"
#include "rules/loader.h"

namespace {

const std::string kSource = TRAWL_SOURCE_DIR;

std::shared_ptr<const trawl::Database> SecretsDb() {
  static std::shared_ptr<const trawl::Database> db = [] {
    auto rules = trawl::LoadRuleFile(kSource + "/rules/secrets.json");
    if (!rules.ok()) return std::shared_ptr<const trawl::Database>();
    auto compiled = trawl::CompileDatabase(rules->definitions, {});
    return compiled.ok() ? *compiled : std::shared_ptr<const trawl::Database>();
  }();
  return db;
}

// Deterministic ~16 MiB document without anything secret-shaped; with `plant`, one
// GitHub classic token is placed in a record near the middle.
std::string Document(bool plant) {
  std::string out;
  out.reserve(17u << 20);
  out.append("{\"version\":3,\"services\":[");
  uint64_t x = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  bool planted = false;
  for (int i = 0; out.size() < (16u << 20); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"name\":\"svc-" + std::to_string(i) +
               "\",\"replicas\":" + std::to_string(next() % 16));
    out.append(",\"env\":{\"DB_HOST\":\"db" + std::to_string(next() % 100) +
               ".internal\",\"MODE\":\"r\\u0065ad-only\",\"PATH\":\"\\/srv\\/app\"}");
    out.append(",\"ports\":[" + std::to_string(next() % 65536) + "," +
               std::to_string(next() % 65536) + "]");
    out.append(",\"weights\":[0.25,1.5e3,-7.125],\"enabled\":true,\"owner\":null");
    out.append(",\"labels\":{\"team\":\"core\",\"tier\":\"" + std::to_string(next() % 3) + "\"}");
    if (plant && !planted && out.size() > (8u << 20)) {
      out.append(",\"ci\":{\"GITHUB_TOKEN\":\"ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn\"}");
      planted = true;
    }
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

trawl::Component JsonComponent(size_t size) {
  trawl::Component c;
  c.id = "0123456789abcdef0123456789abcdef";
  c.path = "pkg!/config.json";
  c.name = "config.json";
  c.size = size;
  c.has_content = true;
  c.content_complete = true;
  return c;
}

void Analyze(benchmark::State& state, bool plant) {
  const std::shared_ptr<const trawl::Database> db = SecretsDb();
  if (!db) return state.SkipWithError("cannot compile rules/secrets.json");
  const std::string doc = Document(plant);
  const trawl::Component component = JsonComponent(doc.size());
  auto analyzer = trawl::ComponentAnalyzer::Create(db);
  if (!analyzer.ok()) return state.SkipWithError("cannot create the analyzer");
  const trawl::AnalyzeOptions options;
  trawl::PlanOptions plan_options;
  plan_options.pattern_chains = db->chains();
  size_t findings = 0;
  for (auto _ : state) {
    // Planning classifies the bytes, as the analysis did itself before it ran plans.
    auto result =
        (*analyzer)->Analyze(trawl::PlanComponent(component, doc, plan_options), doc, options);
    if (!result.ok() || result->format != "json") return state.SkipWithError("analysis failed");
    findings = result->findings.size();
    benchmark::DoNotOptimize(findings);
  }
  if (findings != (plant ? 1u : 0u)) state.SkipWithError("unexpected finding count");
  state.counters["findings"] = static_cast<double>(findings);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(doc.size()));
}

void BM_AnalyzeJsonNoFindings(benchmark::State& state) { Analyze(state, false); }
BENCHMARK(BM_AnalyzeJsonNoFindings)->Unit(benchmark::kMillisecond);

void BM_AnalyzeJsonOneFinding(benchmark::State& state) { Analyze(state, true); }
BENCHMARK(BM_AnalyzeJsonOneFinding)->Unit(benchmark::kMillisecond);

void BM_ScanJsonOnly(benchmark::State& state) {
  const std::shared_ptr<const trawl::Database> db = SecretsDb();
  if (!db) return state.SkipWithError("cannot compile rules/secrets.json");
  const std::string doc = Document(false);
  auto scanner = trawl::Scanner::Create(db);
  if (!scanner.ok()) return state.SkipWithError("cannot create the scanner");
  for (auto _ : state) {
    uint64_t matches = 0;
    auto summary = (*scanner)->Scan(doc, trawl::ScanLimits{}, [&](const trawl::Match&) {
      ++matches;
      return true;
    });
    if (!summary.ok()) return state.SkipWithError("scan failed");
    benchmark::DoNotOptimize(matches);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_ScanJsonOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
