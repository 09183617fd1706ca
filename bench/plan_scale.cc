// Scale measurements for the scan planner (bench/RESULTS.md, "Scan planner"): for each
// rule set, compile it ungated (one literal partition + regex chunks) and planned
// (cost classes + literal gating), then measure in the same run:
//   compile (cold, 2 threads by default), recompile after one definition changes (with
//   the compile cache), artifact size, load time (median of 5) and resident memory of
//   the loaded database, and scan throughput over the input:
//     raw      hs_scan over the ungated database's partitions, callback only counts
//              (the engine baseline: what any caller of one merged database gets);
//     trawl    trawl's Scanner, exact spans, unlimited matches and default caps.
// Output: one markdown table row per set on stdout, details on stderr.
//
// usage: plan_scale [--threads N] [--skip-ungated-scan] [--input FILE] SET...
#include <hs/hs.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "engine/artifact.h"
#include "engine/compiler.h"
#include "engine/internal/engine_parts.h"
#include "engine/scanner.h"
#include "scan_plan/planner.h"
#include "rules/loader.h"
#include "util/file.h"

namespace trawl {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

size_t RssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// Seconds per scan of `input` with hs_scan over every partition, best of `reps`.
double RawSeconds(const Database& db, const std::string& input, int reps, uint64_t* hits) {
  hs_scratch_t* scratch = nullptr;
  for (const auto& part : db.parts().databases) hs_alloc_scratch(part.get(), &scratch);
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    uint64_t count = 0;
    const auto t = Clock::now();
    for (const auto& part : db.parts().databases) {
      hs_scan(part.get(), input.data(), static_cast<unsigned>(input.size()), 0, scratch,
              [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
                ++*static_cast<uint64_t*>(ctx);
                return 0;
              },
              &count);
    }
    best = std::min(best, Since(t));
    *hits = count;
  }
  hs_free_scratch(scratch);
  return best;
}

double TrawlSeconds(const std::shared_ptr<const Database>& db, const std::string& input, bool capped,
                    int reps, uint64_t* matches, uint32_t* truncation) {
  auto scanner = Scanner::Create(db);
  ScanLimits limits;  // capped: the default per-rule cap (10,000), no global cap
  limits.max_matches = 0;
  if (!capped) limits.max_matches_per_rule = 0;
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    uint64_t count = 0;
    const auto t = Clock::now();
    auto summary = (*scanner)->Scan(input, limits, [&](const Match&) {
      ++count;
      return true;
    });
    best = std::min(best, Since(t));
    *matches = count;
    *truncation = summary.ok() ? summary->truncation : 0xffffffff;
  }
  return best;
}

double Mbps(size_t bytes, double seconds) { return static_cast<double>(bytes) / 1e6 / seconds; }

// Prints every rule whose matches differ between two databases of the same definitions.
void Diff(const std::shared_ptr<const Database>& a, const std::shared_ptr<const Database>& b,
          const std::string& input) {
  auto spans = [&](const std::shared_ptr<const Database>& db, const std::vector<uint8_t>* only) {
    std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> out;
    std::vector<uint64_t> counts(db->rule_count());
    auto scanner = Scanner::Create(db);
    ScanLimits limits;
    limits.max_matches = 0;
    limits.max_matches_per_rule = 0;
    (void)(*scanner)->Scan(input, limits, [&](const Match& m) {
      ++counts[m.rule];
      if (only && (*only)[m.rule]) out.emplace_back(m.rule, m.start, m.end);
      return true;
    });
    std::sort(out.begin(), out.end());
    return std::make_pair(counts, out);
  };
  auto [ca, unused_a] = spans(a, nullptr);
  auto [cb, unused_b] = spans(b, nullptr);
  std::vector<uint8_t> differ(ca.size(), 0);
  for (size_t i = 0; i < ca.size(); ++i) {
    if (ca[i] != cb[i]) {
      differ[i] = 1;
      std::fprintf(stderr, "rule %s: %llu vs %llu matches\n", a->definition(i).id.c_str(),
                   static_cast<unsigned long long>(ca[i]), static_cast<unsigned long long>(cb[i]));
    }
  }
  auto sa = spans(a, &differ).second;
  auto sb = spans(b, &differ).second;
  std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> only_a, only_b;
  std::set_difference(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(only_a));
  std::set_difference(sb.begin(), sb.end(), sa.begin(), sa.end(), std::back_inserter(only_b));
  for (auto [rule, start, end] : only_a) {
    std::fprintf(stderr, "  only first: %s [%llu,%llu)\n", a->definition(rule).id.c_str(),
                 static_cast<unsigned long long>(start), static_cast<unsigned long long>(end));
  }
  for (auto [rule, start, end] : only_b) {
    std::fprintf(stderr, "  only second: %s [%llu,%llu)\n", a->definition(rule).id.c_str(),
                 static_cast<unsigned long long>(start), static_cast<unsigned long long>(end));
  }
}

int Main(int argc, char** argv) {
  int threads = 2;
  bool ungated_scan = true;
  bool diff = false;
  bool planned_only = false;  // scans of the planned database only (no ungated compile)
  std::string input_path = std::string(TRAWL_SHARED_DIR) + "/corpus/scan_inputs/bench_mixed_16MiB.bin";
  std::vector<std::string> sets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a == "--planned-only") {
      planned_only = true;
    } else if (a == "--diff") {
      diff = true;
    } else if (a == "--skip-ungated-scan") {
      ungated_scan = false;
    } else if (a == "--input" && i + 1 < argc) {
      input_path = argv[++i];
    } else {
      sets.push_back(a);
    }
  }
  auto input = ReadFile(input_path);
  if (!input.ok()) {
    std::fprintf(stderr, "%s\n", std::string(input.status().message()).c_str());
    return 1;
  }
  std::printf(
      "| set | rules | compile ungated | compile planned | recompile: 1 regex / 1 literal changed | artifact MB | "
      "load ms | RSS MB | raw engine (ungated db) | trawl ungated | trawl planned | planned / raw | "
      "planned capped | matches |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string& set : sets) {
    auto rules = LoadRuleFile(set);
    if (!rules.ok()) {
      std::fprintf(stderr, "%s: %s\n", set.c_str(), std::string(rules.status().message()).c_str());
      continue;
    }
    const auto& defs = rules->definitions;
    CompileOptions compile;
    compile.threads = threads;
    auto t = Clock::now();
    if (planned_only) {
      auto planned = plan::CompilePlanned(defs, compile);
      if (!planned.ok()) continue;
      const double seconds = Since(t);
      uint64_t matches = 0, capped_matches = 0;
      uint32_t trunc = 0, capped_trunc = 0;
      const double ours = TrawlSeconds(*planned, *input, false, 3, &matches, &trunc);
      const double capped = TrawlSeconds(*planned, *input, true, 3, &capped_matches, &capped_trunc);
      std::printf("| %s | %zu | planned compile %.1f s | unlimited %.2f MB/s (%llu matches) | "
                  "10k/rule %.2f MB/s (%llu matches) | capped / unlimited **%.2f** |\n",
                  std::filesystem::path(set).filename().c_str(), defs.size(), seconds,
                  Mbps(input->size(), ours), static_cast<unsigned long long>(matches),
                  Mbps(input->size(), capped), static_cast<unsigned long long>(capped_matches),
                  ours / capped);
      std::fflush(stdout);
      continue;
    }
    auto ungated = CompileDatabase(defs, compile);
    const double compile_ungated = Since(t);
    const std::string cache = "/tmp/trawl_plan_scale_cache";
    std::filesystem::remove_all(cache);
    CompileOptions cached = compile;
    cached.cache_dir = cache;
    t = Clock::now();
    auto planned = plan::CompilePlanned(defs, cached);
    const double compile_planned = Since(t);
    if (!ungated.ok() || !planned.ok()) {
      std::fprintf(stderr, "%s: compile failed\n", set.c_str());
      continue;
    }
    if (diff) {
      Diff(*ungated, *planned, *input);
      continue;
    }
    // One definition changes: first a regex (its full-scan or gate partition rebuilds),
    // then also a literal (the literal partition rebuilds). Each with the cache of the
    // compile before it.
    std::vector<Definition> changed = defs;
    auto change = [&](PatternKind kind) -> double {
      for (size_t k = changed.size() / 2; k < changed.size(); ++k) {
        if (changed[k].kind != kind) continue;
        changed[k].expression += kind == PatternKind::kLiteral ? "x" : "(?:x)?";
        const auto start = Clock::now();
        auto db = plan::CompilePlanned(changed, cached);
        return db.ok() ? Since(start) : -1;
      }
      return 0;  // no such definition in the set
    };
    const double recompile_regex = change(PatternKind::kRegex);
    const double recompile = change(PatternKind::kLiteral);
    const bool recompiled = recompile >= 0 && recompile_regex >= 0;
    std::filesystem::remove_all(cache);
    // Artifact, load, memory.
    auto bytes = SerializeDatabase(**planned);
    double load_best = 1e30;
    size_t rss = 0;
    for (int r = 0; r < 5; ++r) {
      const size_t before = RssKiB();
      t = Clock::now();
      auto loaded = DeserializeDatabase(*bytes);
      load_best = std::min(load_best, Since(t));
      auto scanner = Scanner::Create(*loaded);
      rss = std::max(rss, RssKiB() - before);
    }
    // Scans.
    const int reps = 3;
    uint64_t raw_hits = 0, planned_matches = 0, capped_matches = 0, ungated_matches = 0;
    uint32_t trunc = 0, capped_trunc = 0, ungated_trunc = 0;
    const double raw = RawSeconds(**ungated, *input, reps, &raw_hits);
    const double ours = TrawlSeconds(*planned, *input, false, reps, &planned_matches, &trunc);
    const double ours_capped =
        TrawlSeconds(*planned, *input, true, reps, &capped_matches, &capped_trunc);
    double theirs = 0;
    if (ungated_scan) {
      theirs = TrawlSeconds(*ungated, *input, false, 1, &ungated_matches, &ungated_trunc);
    }
    uint64_t planned_raw_hits = 0;
    const double planned_raw = RawSeconds(**planned, *input, reps, &planned_raw_hits);
    std::fprintf(stderr,
                 "%s: partitions ungated %zu planned %zu; raw hits %llu; planned engine-only "
                 "(gate atoms, no confirmation) %.1f MB/s; matches planned %llu ungated %llu "
                 "capped %llu (truncation %u, unlimited %u); recompile %s\n",
                 set.c_str(), (*ungated)->partitions().size(), (*planned)->partitions().size(),
                 static_cast<unsigned long long>(raw_hits), Mbps(input->size(), planned_raw),
                 static_cast<unsigned long long>(planned_matches),
                 static_cast<unsigned long long>(ungated_matches),
                 static_cast<unsigned long long>(capped_matches), capped_trunc, trunc,
                 recompiled ? "ok" : "failed");
    std::fprintf(stderr, "%s: recompile after one regex changes %.2f s, one literal %.2f s\n",
                 set.c_str(), recompile_regex, recompile);
    std::printf(
        "| %s | %zu | %.1f s | %.1f s | %.2f s / %.2f s | %.1f | %.0f | %.0f | %.1f MB/s | %s | %.1f MB/s | "
        "**%.2f** | %.1f MB/s | %llu |\n",
        std::filesystem::path(set).filename().c_str(), defs.size(), compile_ungated, compile_planned,
        recompile_regex, recompile, static_cast<double>(bytes->size()) / 1e6, load_best * 1e3,
        static_cast<double>(rss) / 1024.0, Mbps(input->size(), raw),
        ungated_scan ? (std::to_string(Mbps(input->size(), theirs)).substr(0, 6) + " MB/s").c_str()
                     : "n/m",
        Mbps(input->size(), ours), raw / ours, Mbps(input->size(), ours_capped),
        static_cast<unsigned long long>(planned_matches));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace trawl

int main(int argc, char** argv) { return trawl::Main(argc, argv); }
