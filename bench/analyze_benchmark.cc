// Per-component analysis throughput on a large JSON component (issue 6: the JSON offset
// locator is built only for components that have candidates).
//
// The component is a generated ~16 MiB configuration-like JSON document (nested objects,
// number arrays, escaped strings) analysed with trawl's own secrets pack:
//   BM_AnalyzeJsonNoFindings   nothing in it matches a rule (most components)
//   BM_AnalyzeJsonOneFinding   the same document with one GitHub token planted mid-way
//   BM_ScanJsonOnly            the pattern scan alone over the same bytes (the baseline
//                              measured in the same run: analysis can not beat it)
// Issue 22 adds two text components, each with its scan-only baseline:
//   BM_AnalyzeLog / BM_ScanLogOnly       a generated ~16 MiB application log
//   BM_AnalyzeMixed / BM_ScanMixedOnly   bench_mixed_16MiB.bin (source text with planted
//                                        positives) as one component
//   BM_NdjsonVsScan                      a generated ~16 MiB NDJSON export, one record in
//                                        200 carrying a GitHub token (the locating walk
//                                        visits only records that hold a candidate)
//   BM_JsonLogExportVsScan               a generated ~16 MiB JSON export of log events
//                                        whose messages are strings with escapes
// and the parts of the JSON document's structure step (BM_JsonDomParse,
// BM_JsonParseAndEscapedStrings, BM_JsonWalk, BM_JsonLogExportParseAndEscapedStrings;
// see their comment).
// The issue-22 target is a ratio, and two benchmarks' times come from separate stretches
// of a noisy machine; BM_JsonNoFindingsVsScan, BM_LogVsScan and BM_MixedVsScan measure it
// in one loop: each iteration runs the analysis and the scan of the same bytes (in
// alternating order) and the counter scan_over_analysis is the median of the iterations'
// scan CPU / analysis CPU (1.0: analysis costs what its scan does).
// The database is compiled and the analyzer created outside the timed loop.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "json/json.h"
#include "structure/json_structure.h"
#include "util/cpu_time.h"
#include "util/file.h"
#include "engine/compiler.h"
#include "engine/scanner.h"
#include "rules/loader.h"
#include "xorshift.h"

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
  XorShift next{0x9E3779B97F4A7C15ull};
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

// Deterministic ~16 MiB JSON export of log events (one array): each message carries
// escaped line breaks, tabs, quotes and Windows paths in ~200 bytes of text, so most of
// the document's bytes are in strings with escapes. Nothing secret-shaped.
std::string LogExportDocument() {
  std::string out;
  out.reserve(17u << 20);
  XorShift next{0x6A09E667F3BCC908ull};
  static constexpr const char* kWords[] = {"request", "upstream", "timeout", "session",
                                           "worker", "retry", "cache", "connection"};
  out.append("[");
  for (int i = 0; out.size() < (16u << 20); ++i) {
    if (i > 0) out.append(",\n");
    out.append("{\"ts\":" + std::to_string(1764000000 + i) + ",\"level\":\"info\",\"message\":\"");
    for (int w = 0; w < 24; ++w) {
      out.append(kWords[next() % 8]);
      out.append(w == 8 ? "\\n\\t\\\"quoted\\\" " : w == 16 ? " C:\\\\srv\\\\app " : " ");
    }
    out.append("\",\"host\":\"h" + std::to_string(next() % 50) + "\"}");
  }
  out.append("]");
  return out;
}

const std::string& LogExport() {
  static const std::string text = LogExportDocument();
  return text;
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

// Deterministic ~16 MiB application log: timestamps, levels, key=value pairs, request
// ids (hex), durations; nothing secret-shaped.
std::string LogText() {
  std::string out;
  out.reserve(17u << 20);
  XorShift next{0x2545F4914F6CDD1Dull};
  static constexpr const char* kLevels[] = {"INFO", "DEBUG", "WARN", "ERROR"};
  static constexpr const char* kEvents[] = {"request served", "cache miss", "retrying upstream",
                                            "connection reset by peer", "job finished"};
  for (int i = 0; out.size() < (16u << 20); ++i) {
    char stamp[40];
    std::snprintf(stamp, sizeof stamp, "2026-11-%02d %02d:%02d:%02d.%03d ",
                  static_cast<int>(1 + i / 2000000 % 28), static_cast<int>(i / 36000 % 24),
                  static_cast<int>(i / 600 % 60), static_cast<int>(i / 10 % 60),
                  static_cast<int>(i % 1000));
    out.append(stamp);
    out.append(kLevels[next() % 4]);
    out.append(" [worker-" + std::to_string(next() % 8) + "] ");
    out.append(kEvents[next() % 5]);
    char rest[96];
    std::snprintf(rest, sizeof rest, " request_id=%016llx path=/api/v2/items/%llu status=%d ms=%llu\n",
                  static_cast<unsigned long long>(next()),
                  static_cast<unsigned long long>(next() % 100000),
                  static_cast<int>(200 + next() % 4 * 100),
                  static_cast<unsigned long long>(next() % 5000));
    out.append(rest);
  }
  return out;
}

// Deterministic ~16 MiB NDJSON export of audit events; one record in 200 holds a GitHub
// classic token, the rest nothing secret-shaped.
std::string NdjsonText() {
  std::string out;
  out.reserve(17u << 20);
  XorShift next{0x8CB92BA72F3D8DD7ull};
  static constexpr const char* kActions[] = {"login", "logout", "read", "update", "delete"};
  for (int i = 0; out.size() < (16u << 20); ++i) {
    out.append("{\"seq\":" + std::to_string(i) + ",\"user\":\"user" +
               std::to_string(next() % 5000) + "\",\"action\":\"" + kActions[next() % 5] +
               "\",\"latency_ms\":" + std::to_string(next() % 900) +
               ",\"tags\":[\"prod\",\"eu\"],\"meta\":{\"agent\":\"cli/2.1\",\"ok\":true}");
    if (i % 200 == 199) {
      out.append(",\"env\":{\"GITHUB_TOKEN\":\"ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn\"}");
    }
    out.append("}\n");
  }
  return out;
}

const std::string& MixedText() {
  static const std::string text = [] {
    // TRAWL_SHARED_DIR in the environment overrides the configured corpus location (a
    // worktree's ../shared may not exist).
    const char* shared = std::getenv("TRAWL_SHARED_DIR");
    auto bytes = trawl::ReadFile(std::string(shared ? shared : TRAWL_SHARED_DIR) +
                                 "/corpus/scan_inputs/bench_mixed_16MiB.bin");
    return bytes.ok() ? *bytes : std::string();
  }();
  return text;
}

trawl::Component TextComponent(std::string_view name, size_t size) {
  trawl::Component c = JsonComponent(size);
  c.path = "pkg!/" + std::string(name);
  c.name = std::string(name);
  return c;
}

// Plans and analyses `text` per iteration; with `want_format`, the result must have that
// format and `want_findings` findings.
void AnalyzeBytes(benchmark::State& state, const std::string& text,
                  const trawl::Component& component, std::string_view want_format = {},
                  size_t want_findings = 0) {
  const std::shared_ptr<const trawl::Database> db = SecretsDb();
  if (!db) return state.SkipWithError("cannot compile rules/secrets.json");
  if (text.empty()) return state.SkipWithError("no input");
  auto analyzer = trawl::ComponentAnalyzer::Create(db);
  if (!analyzer.ok()) return state.SkipWithError("cannot create the analyzer");
  const trawl::AnalyzeOptions options;
  trawl::PlanOptions plan_options;
  plan_options.pattern_chains = db->chains();
  size_t findings = 0;
  std::string format;
  for (auto _ : state) {
    // Planning classifies the bytes, as the analysis did itself before it ran plans;
    // PlanAndAnalyze is what the pipeline runs per component.
    auto result = (*analyzer)->PlanAndAnalyze(component, text, plan_options, options);
    if (!result.ok()) return state.SkipWithError("analysis failed");
    findings = result->findings.size();
    format = result->format;
    benchmark::DoNotOptimize(findings);
  }
  if (!want_format.empty() && (format != want_format || findings != want_findings)) {
    state.SkipWithError("unexpected format or finding count");
  }
  state.SetLabel(format);
  state.counters["findings"] = static_cast<double>(findings);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}

void ScanOnly(benchmark::State& state, const std::string& text) {
  const std::shared_ptr<const trawl::Database> db = SecretsDb();
  if (!db) return state.SkipWithError("cannot compile rules/secrets.json");
  if (text.empty()) return state.SkipWithError("no input");
  auto scanner = trawl::Scanner::Create(db);
  if (!scanner.ok()) return state.SkipWithError("cannot create the scanner");
  for (auto _ : state) {
    uint64_t matches = 0;
    auto summary = (*scanner)->Scan(text, trawl::ScanLimits{}, [&](const trawl::Match&) {
      ++matches;
      return true;
    });
    if (!summary.ok()) return state.SkipWithError("scan failed");
    benchmark::DoNotOptimize(matches);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}

const std::string& Log() {
  static const std::string text = LogText();
  return text;
}

void BM_AnalyzeLog(benchmark::State& state) {
  AnalyzeBytes(state, Log(), TextComponent("app.log", Log().size()));
}
BENCHMARK(BM_AnalyzeLog)->Unit(benchmark::kMillisecond);
void BM_ScanLogOnly(benchmark::State& state) { ScanOnly(state, Log()); }
BENCHMARK(BM_ScanLogOnly)->Unit(benchmark::kMillisecond);
void BM_AnalyzeMixed(benchmark::State& state) {
  AnalyzeBytes(state, MixedText(), TextComponent("mixed.bin", MixedText().size()));
}
BENCHMARK(BM_AnalyzeMixed)->Unit(benchmark::kMillisecond);
void BM_ScanMixedOnly(benchmark::State& state) { ScanOnly(state, MixedText()); }
BENCHMARK(BM_ScanMixedOnly)->Unit(benchmark::kMillisecond);

const std::string& Json(bool plant) {
  static const std::string plain = Document(false), planted = Document(true);
  return plant ? planted : plain;
}

void BM_AnalyzeJsonNoFindings(benchmark::State& state) {
  AnalyzeBytes(state, Json(false), JsonComponent(Json(false).size()), "json", 0);
}
BENCHMARK(BM_AnalyzeJsonNoFindings)->Unit(benchmark::kMillisecond);

void BM_AnalyzeJsonOneFinding(benchmark::State& state) {
  AnalyzeBytes(state, Json(true), JsonComponent(Json(true).size()), "json", 1);
}
BENCHMARK(BM_AnalyzeJsonOneFinding)->Unit(benchmark::kMillisecond);

void BM_ScanJsonOnly(benchmark::State& state) { ScanOnly(state, Json(false)); }
BENCHMARK(BM_ScanJsonOnly)->Unit(benchmark::kMillisecond);

// Parts of the JSON analysis, for the breakdown in bench/RESULTS.md: a DOM parse with a
// reused parser (what validates the document), the JSON structure step as the analysis
// runs it without candidates (that parse, then the escaped strings from its index), and
// the On Demand structure walk it replaced (no statistics, no locator).
void BM_JsonDomParse(benchmark::State& state) {
  trawl::json::Parser parser;
  for (auto _ : state) {
    trawl::json::Value root;
    if (parser.Parse(Json(false), &root) != trawl::json::Error::kOk) {
      return state.SkipWithError("not JSON");
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(Json(false).size()));
}
BENCHMARK(BM_JsonDomParse)->Unit(benchmark::kMillisecond);

void JsonStructure(benchmark::State& state, const std::string& document, bool counts) {
  trawl::JsonOptions options;
  options.build_locator = false;
  options.statistics = false;
  options.counts = counts;  // with counts, every document is walked
  trawl::JsonAnalyzer analyzer(options);
  uint64_t escaped = 0;
  for (auto _ : state) {
    trawl::JsonReport report = analyzer.Analyze(document);
    if (!report.valid) return state.SkipWithError("not JSON");
    escaped = report.counts.escaped_strings;
    benchmark::DoNotOptimize(report.decoded_strings.count);
    analyzer.Recycle(std::move(report.decoded_strings));  // as the component analysis does
  }
  state.counters["escaped_strings"] = static_cast<double>(escaped);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(document.size()));
}
void BM_JsonParseAndEscapedStrings(benchmark::State& state) {
  JsonStructure(state, Json(false), false);
}
BENCHMARK(BM_JsonParseAndEscapedStrings)->Unit(benchmark::kMillisecond);
void BM_JsonWalk(benchmark::State& state) { JsonStructure(state, Json(false), true); }
BENCHMARK(BM_JsonWalk)->Unit(benchmark::kMillisecond);
void BM_JsonLogExportParseAndEscapedStrings(benchmark::State& state) {
  JsonStructure(state, LogExport(), false);
}
BENCHMARK(BM_JsonLogExportParseAndEscapedStrings)->Unit(benchmark::kMillisecond);

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// The analysis of `text` (as AnalyzeBytes) and the scan alone (as ScanOnly), both in each
// iteration, scan first in even iterations: the ratio of the two CPU times per iteration.
void AnalysisVsScan(benchmark::State& state, const std::string& text,
                    const trawl::Component& component) {
  const std::shared_ptr<const trawl::Database> db = SecretsDb();
  if (!db) return state.SkipWithError("cannot compile rules/secrets.json");
  if (text.empty()) return state.SkipWithError("no input");
  auto analyzer = trawl::ComponentAnalyzer::Create(db);
  auto scanner = trawl::Scanner::Create(db);
  if (!analyzer.ok() || !scanner.ok()) return state.SkipWithError("cannot create the analyzer");
  const trawl::AnalyzeOptions options;
  trawl::PlanOptions plan_options;
  plan_options.pattern_chains = db->chains();
  std::vector<double> analysis_cpu, scan_cpu, ratios;
  bool failed = false;
  size_t findings = 0;
  std::string format;
  auto analyse = [&] {
    const double start = trawl::ThreadCpuSeconds();
    auto result = (*analyzer)->PlanAndAnalyze(component, text, plan_options, options);
    analysis_cpu.push_back(trawl::ThreadCpuSeconds() - start);
    failed = failed || !result.ok();
    if (result.ok()) {
      findings = result->findings.size();
      format = result->format;
    }
  };
  auto scan = [&] {
    const double start = trawl::ThreadCpuSeconds();
    uint64_t matches = 0;
    auto summary = (*scanner)->Scan(text, trawl::ScanLimits{}, [&](const trawl::Match&) {
      ++matches;
      return true;
    });
    failed = failed || !summary.ok();
    benchmark::DoNotOptimize(matches);
    scan_cpu.push_back(trawl::ThreadCpuSeconds() - start);
  };
  for (auto _ : state) {
    if (ratios.size() % 2 == 0) {
      scan();
      analyse();
    } else {
      analyse();
      scan();
    }
    if (failed) return state.SkipWithError("analysis or scan failed");
    ratios.push_back(scan_cpu.back() / analysis_cpu.back());
  }
  state.SetLabel(format);
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["scan_over_analysis"] = Median(ratios);
  state.counters["analysis_ms"] = Median(analysis_cpu) * 1e3;
  state.counters["scan_ms"] = Median(scan_cpu) * 1e3;
}

void BM_JsonNoFindingsVsScan(benchmark::State& state) {
  AnalysisVsScan(state, Json(false), JsonComponent(Json(false).size()));
}
BENCHMARK(BM_JsonNoFindingsVsScan)->Unit(benchmark::kMillisecond);
void BM_JsonLogExportVsScan(benchmark::State& state) {
  AnalysisVsScan(state, LogExport(), JsonComponent(LogExport().size()));
}
BENCHMARK(BM_JsonLogExportVsScan)->Unit(benchmark::kMillisecond);
void BM_LogVsScan(benchmark::State& state) {
  AnalysisVsScan(state, Log(), TextComponent("app.log", Log().size()));
}
BENCHMARK(BM_LogVsScan)->Unit(benchmark::kMillisecond);
void BM_MixedVsScan(benchmark::State& state) {
  AnalysisVsScan(state, MixedText(), TextComponent("mixed.bin", MixedText().size()));
}
BENCHMARK(BM_MixedVsScan)->Unit(benchmark::kMillisecond);
void BM_NdjsonVsScan(benchmark::State& state) {
  static const std::string text = NdjsonText();
  AnalysisVsScan(state, text, TextComponent("events.ndjson", text.size()));
}
BENCHMARK(BM_NdjsonVsScan)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
