// The end of a package's analysis, which runs on one thread after the last component:
// Aggregate over the manifest and the component results, then the JSON report. The
// package is shaped like bench/make_package.py's planted 256 MiB one: 2,249 components,
// half of them with ~35 findings (39,375 locations) of 450 distinct (rule, value) pairs.
// Baseline in the same run: simdjson's DOM parse of the rendered report (the same bytes
// read instead of written).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "aggregate/aggregate.h"
#include "report/report.h"
#include "simdjson.h"

namespace trawl {
namespace {

constexpr int kComponents = 2249;
constexpr int kFindingsPerComponent = 35;
constexpr int kValues = 450;

struct Package {
  Manifest manifest;
  std::vector<ComponentResult> results;
};

std::string Hex(std::mt19937_64& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out.push_back(kHex[rng() % 16]);
  return out;
}

Package MakePackage() {
  std::mt19937_64 rng(22);
  const char* kRules[] = {"github-pat-classic", "aws-access-key-id", "entity-email",
                          "entity-credit-card", "generic-secret-assignment", "entity-ipv4"};
  const char* kKinds[] = {"log", "json", "csv", "bin"};
  struct Value {
    std::string rule, fingerprint, value;
  };
  std::vector<Value> values;
  for (int i = 0; i < kValues; ++i) {
    values.push_back({kRules[i % 6], Hex(rng, 32), "value-" + Hex(rng, 24)});
  }
  Package p;
  p.manifest.package_id = Hex(rng, 64);
  p.manifest.package_name = "package.tar.gz";
  Component root;
  root.id = Hex(rng, 32);
  root.path = "package.tar.gz";
  root.kind = ComponentKind::kContainer;
  root.content_complete = true;
  for (int c = 0; c < kComponents; ++c) {
    Component comp;
    comp.id = Hex(rng, 32);
    comp.parent_id = root.id;
    comp.index = static_cast<uint64_t>(c);
    char name[32];
    std::snprintf(name, sizeof name, "f%06d.%s", c, kKinds[c % 4]);
    comp.name = name;
    comp.path = root.path + "!/" + name;
    comp.size = 120000;
    comp.sha256 = Hex(rng, 64);
    comp.has_content = true;
    comp.content_complete = true;
    comp.media_type = "text/plain";
    p.manifest.components.push_back(comp);
    ComponentResult r;
    r.package_id = p.manifest.package_id;
    r.component_id = comp.id;
    r.path = comp.path;
    r.status = "analysed";
    r.format = kKinds[c % 4];
    r.encoding = "utf-8";
    r.bytes_scanned = comp.size;
    r.database = std::string(64, 'd');
    const bool json = c % 4 == 1;
    if (c % 4 < 2) {
      for (int f = 0; f < kFindingsPerComponent; ++f) {
        const Value& v = values[rng() % values.size()];
        Finding finding;
        finding.rule_id = v.rule;
        finding.category = v.rule[0] == 'e' ? "pii" : "secret";
        finding.severity = Severity::kHigh;
        finding.component_id = comp.id;
        finding.path = comp.path;
        finding.start = static_cast<uint64_t>(f) * 3000 + rng() % 1000;
        finding.end = finding.start + 40;
        finding.value = v.value;
        finding.fingerprint = v.fingerprint;
        finding.confidence = 0.9;
        finding.reasons = {"+0.15 keyword 'key' near the match"};
        finding.line = f * 40 + 1;
        finding.column = 17;
        if (json) finding.json_pointer = "/" + std::to_string(f) + "/credentials/api_key";
        r.findings.push_back(std::move(finding));
      }
    }
    p.results.push_back(std::move(r));
  }
  p.manifest.components.push_back(root);
  return p;
}

const Package& SharedPackage() {
  static const Package* package = new Package(MakePackage());
  return *package;
}

void BM_Aggregate(benchmark::State& state) {
  const Package& p = SharedPackage();
  for (auto _ : state) {
    state.PauseTiming();
    Manifest manifest = p.manifest;
    std::vector<ComponentResult> results = p.results;
    state.ResumeTiming();
    PackageReport report = Aggregate(std::move(manifest), std::move(results), {});
    benchmark::DoNotOptimize(report.findings.data());
    state.PauseTiming();
    { PackageReport dropped = std::move(report); }
    state.ResumeTiming();
  }
  state.counters["locations"] = kComponents / 2 * kFindingsPerComponent;
}
BENCHMARK(BM_Aggregate)->Unit(benchmark::kMillisecond);

const std::string& RenderedReport() {
  static const std::string* json = [] {
    const Package& p = SharedPackage();
    return new std::string(ReportToJson(Aggregate(p.manifest, p.results, {})));
  }();
  return *json;
}

void BM_ReportToJson(benchmark::State& state) {
  const Package& p = SharedPackage();
  const PackageReport report = Aggregate(p.manifest, p.results, {});
  for (auto _ : state) {
    std::string json = ReportToJson(report);
    benchmark::DoNotOptimize(json.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(RenderedReport().size()));
}
BENCHMARK(BM_ReportToJson)->Unit(benchmark::kMillisecond);

// Baseline: the rendered report parsed by simdjson's DOM parser.
void BM_ParseReportBaseline(benchmark::State& state) {
  const simdjson::padded_string json(RenderedReport());
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
      state.SkipWithError("the report does not parse");
      return;
    }
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(json.size()));
}
BENCHMARK(BM_ParseReportBaseline)->Unit(benchmark::kMillisecond);

// Freeing a report of this size (the CLI and the C API free it after rendering).
void BM_FreeReport(benchmark::State& state) {
  const Package& p = SharedPackage();
  const PackageReport report = Aggregate(p.manifest, p.results, {});
  for (auto _ : state) {
    state.PauseTiming();
    PackageReport copy = report;
    state.ResumeTiming();
    { PackageReport dropped = std::move(copy); }
  }
}
BENCHMARK(BM_FreeReport)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace trawl

BENCHMARK_MAIN();
