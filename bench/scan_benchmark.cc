// Scan throughput of trawl against the raw engine on the same compiled database and input.
//
// BM_RawEngine: hs_scan over every partition with a callback that only counts: the most
// any caller of the engine could get. (For a planned database the gate partition's atoms
// are scanned but gated regexes are not confirmed: use bench/plan_scale for the baseline
// of raw Hyperscan on the merged database.) BM_TrawlScan: trawl's Scanner (spans recovered with
// PCRE2, overlap reduction, budgets). BM_TrawlCApi: the same through the C ABI.
// The ratio trawl/raw is the figure that matters; absolute MB/s vary with the machine.
//
// Rule sets: TRAWL_BENCH_SETS (comma list of files, default: the project's own rules plus
// the public secret/IOC subsets when ../shared is present; "a+b" compiles files together;
// a suffix "@ungated", "@notrial" or "@regex" picks another layout, see LoadSet).
// Input: TRAWL_BENCH_INPUT
// (default ../shared/corpus/scan_inputs/bench_mixed_16MiB.bin, else 16 MiB generated).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

#include "engine/artifact.h"
#include "engine/compiler.h"
#include "engine/internal/engine_parts.h"
#include "engine/scanner.h"
#include "scan_plan/planner.h"
#include "rules/loader.h"
#include "trawl/trawl.h"
#include "util/file.h"
#include "util/strings.h"

namespace trawl {
namespace {

std::string GeneratedInput() {
  std::mt19937 rng(42);
  std::string out(16 << 20, ' ');
  const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 _=:\"{}\n";
  for (auto& c : out) c = alphabet[rng() % (sizeof alphabet - 1)];
  return out;
}

const std::string& Input() {
  static const std::string input = [] {
    const char* env = std::getenv("TRAWL_BENCH_INPUT");
    const std::string path =
        env ? env : std::string(TRAWL_SHARED_DIR) + "/corpus/scan_inputs/bench_mixed_16MiB.bin";
    auto bytes = ReadFile(path);
    return bytes.ok() ? *bytes : GeneratedInput();
  }();
  return input;
}

struct Loaded {
  std::shared_ptr<const Database> db;
  trawl_db* c_db = nullptr;
};

const Loaded& LoadSet(const std::string& path) {
  static std::map<std::string, Loaded> cache;
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  Loaded loaded;
  // "a.json+b.json" compiles the files together (e.g. patterns alone vs with entities).
  // A suffix picks the layout: "@ungated" (one literal partition plus regex chunks),
  // "@notrial" (the plan without its small-set layout trial), "@regex" (the default plan
  // with token-shape rules compiled from their regexes, the token pass off); else the
  // default plan.
  std::string_view files = path;
  std::string_view layout;
  for (std::string_view known : {"@ungated", "@notrial", "@regex"}) {
    if (files.size() > known.size() && files.substr(files.size() - known.size()) == known) {
      layout = known.substr(1);
      files.remove_suffix(known.size());
    }
  }
  absl::StatusOr<RuleSet> rules = RuleSet{};
  for (auto piece : Split(files, '+', true)) {
    auto part = LoadRuleFile(std::string(piece));
    if (!part.ok()) {
      rules = part.status();
      break;
    }
    rules->Merge(*std::move(part));
  }
  if (rules.ok()) {
    // The planner is on, as in the C API and CLI; TRAWL_BENCH_PLAN=0 measures the old
    // layout for every set.
    const char* plan_env = std::getenv("TRAWL_BENCH_PLAN");
    const bool planned =
        layout != "ungated" && (plan_env == nullptr || std::string_view(plan_env) != "0");
    plan::PlanOptions options;
    if (layout == "notrial") options.max_trial_rules = 0;
    CompileOptions compile;
    compile.token_pass = layout != "regex";
    auto db = planned ? plan::CompilePlanned(rules->definitions, compile, options)
                      : CompileDatabase(rules->definitions, compile);
    if (db.ok()) {
      loaded.db = *db;
      auto bytes = SerializeDatabase(**db);
      trawl_db_load(&loaded.c_db, bytes->data(), bytes->size(), nullptr);
    }
  }
  return cache[path] = loaded;
}

void BM_RawEngine(benchmark::State& state, const std::string& path) {
  const Loaded& set = LoadSet(path);
  if (!set.db) return state.SkipWithError("rule set did not load");
  const auto& dbs = set.db->parts().databases;
  hs_scratch_t* scratch = nullptr;
  for (const auto& db : dbs) hs_alloc_scratch(db.get(), &scratch);
  const std::string& input = Input();
  uint64_t hits = 0;
  for (auto _ : state) {
    for (const auto& db : dbs) {
      hs_scan(db.get(), input.data(), static_cast<unsigned>(input.size()), 0, scratch,
              [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
                ++*static_cast<uint64_t*>(ctx);
                return 0;
              },
              &hits);
    }
  }
  hs_free_scratch(scratch);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["engine_hits"] = static_cast<double>(hits) / state.iterations();
}

void BM_TrawlScan(benchmark::State& state, const std::string& path) {
  const Loaded& set = LoadSet(path);
  if (!set.db) return state.SkipWithError("rule set did not load");
  auto scanner = Scanner::Create(set.db);
  const std::string& input = Input();
  ScanLimits limits;
  limits.max_matches = 0;
  limits.max_matches_per_rule = 0;
  uint64_t matches = 0;
  for (auto _ : state) {
    auto summary = (*scanner)->Scan(input, limits, [&](const Match&) {
      ++matches;
      return true;
    });
    benchmark::DoNotOptimize(summary);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["matches"] = static_cast<double>(matches) / state.iterations();
}

void BM_TrawlCApi(benchmark::State& state, const std::string& path) {
  const Loaded& set = LoadSet(path);
  if (!set.c_db) return state.SkipWithError("rule set did not load");
  trawl_scratch* scratch = nullptr;
  trawl_scratch_new(&scratch, set.c_db);
  trawl_options* options = nullptr;
  trawl_options_new(&options);
  trawl_options_set_int(options, TRAWL_OPT_MAX_MATCHES, 0);
  trawl_options_set_int(options, TRAWL_OPT_MAX_MATCHES_PER_RULE, 0);
  const std::string& input = Input();
  uint64_t matches = 0;
  for (auto _ : state) {
    trawl_scan(set.c_db, scratch, input.data(), input.size(), options,
               [](const trawl_match*, void* ctx) {
                 ++*static_cast<uint64_t*>(ctx);
                 return 0;
               },
               &matches, nullptr);
  }
  trawl_options_free(options);
  trawl_scratch_free(scratch);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}

void BM_LoadArtifact(benchmark::State& state, const std::string& path) {
  const Loaded& set = LoadSet(path);
  if (!set.db) return state.SkipWithError("rule set did not load");
  const std::string file = "/tmp/trawl_bench_" + std::to_string(std::hash<std::string>{}(path));
  auto bytes = SerializeDatabase(*set.db);
  (void)WriteFileAtomically(file, *bytes);
  for (auto _ : state) {
    trawl_db* db = nullptr;
    trawl_db_load_file(&db, file.c_str(), nullptr);
    trawl_db_free(db);
  }
  state.counters["artifact_MB"] = static_cast<double>(bytes->size()) / 1e6;
  std::filesystem::remove(file);
}

std::vector<std::string> Sets() {
  if (const char* env = std::getenv("TRAWL_BENCH_SETS")) {
    std::vector<std::string> sets;
    for (auto piece : Split(env, ',', true)) sets.emplace_back(piece);
    return sets;
  }
  std::vector<std::string> sets;
  const std::string shared = std::string(TRAWL_SHARED_DIR) + "/corpus/";
  for (const char* name : {"sub_noseyparker.tsv", "set_iocs.tsv", "sub_gitleaks.tsv"}) {
    if (std::filesystem::exists(shared + name)) sets.push_back(shared + name);
  }
  const std::string own = std::string(TRAWL_SOURCE_DIR) + "/rules/secrets.json";
  if (std::filesystem::exists(own)) sets.push_back(own);
  return sets;
}

int Register() {
  for (const std::string& path : Sets()) {
    std::string name;
    for (auto piece : Split(path, '+', true)) {
      name += (name.empty() ? "" : "+") + std::filesystem::path(std::string(piece)).filename().string();
    }  // a layout suffix stays on the last file's name
    benchmark::RegisterBenchmark(("BM_RawEngine/" + name).c_str(), BM_RawEngine, path)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("BM_TrawlScan/" + name).c_str(), BM_TrawlScan, path)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("BM_TrawlCApi/" + name).c_str(), BM_TrawlCApi, path)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("BM_LoadArtifact/" + name).c_str(), BM_LoadArtifact, path)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  return 0;
}
const int kRegistered = Register();

}  // namespace
}  // namespace trawl

BENCHMARK_MAIN();
