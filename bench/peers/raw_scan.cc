// The raw engine as a peer (bench/peers/run.sh): the engine databases of a trawl artifact
// scanned with hs_scan and a callback that only counts, the most any caller of the engine
// could get from the same database. No spans, no overlap reduction, no budgets.
//
//   raw_scan ARTIFACT INPUT            one scan: a whole process, like the other peers;
//                                      prints the engine hits on stderr
//   raw_scan ARTIFACT INPUT --reps N   N scans in this process after a warm-up; prints
//                                      JSON: load ms, each scan's seconds, median MB/s
//   raw_scan ARTIFACT INPUT --ids      one scan; prints the id of every rule the engine
//                                      reported, once (rules of exact partitions only: a
//                                      gate partition reports atoms, not matches)
//
// The scan is engine/inspect.h's RawEngineScanner, which `trawl rules profile` and
// trawl_inproc also run in process beside trawl's own scan.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "engine/artifact.h"
#include "engine/inspect.h"
#include "util/cpu_time.h"
#include "util/file.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: raw_scan ARTIFACT INPUT [--reps N | --ids]\n");
    return 2;
  }
  int reps = 0;
  bool ids = false;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--ids") == 0) {
      ids = true;
    } else {
      std::fprintf(stderr, "raw_scan: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  const auto load_start = std::chrono::steady_clock::now();
  auto db = trawl::LoadDatabaseFile(argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "raw_scan: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  const double load_ms = Seconds(load_start) * 1e3;
  auto input = trawl::ReadFile(argv[2]);
  if (!input.ok()) {
    std::fprintf(stderr, "raw_scan: %s\n", std::string(input.status().message()).c_str());
    return 1;
  }
  auto raw = trawl::RawEngineScanner::Create(*db);
  if (!raw.ok()) {
    std::fprintf(stderr, "raw_scan: %s\n", std::string(raw.status().message()).c_str());
    return 1;
  }
  std::vector<bool> seen;
  auto scan_once = [&](bool want_ids) -> uint64_t {
    absl::StatusOr<uint64_t> hits = (*raw)->Scan(*input, want_ids ? &seen : nullptr);
    if (hits.ok()) return *hits;
    std::fprintf(stderr, "raw_scan: %s\n", std::string(hits.status().message()).c_str());
    std::exit(1);
  };
  if (reps <= 0) {
    const uint64_t hits = scan_once(ids);
    if (ids) {
      for (size_t rule = 0; rule < seen.size(); ++rule) {
        if (seen[rule]) std::printf("%s\n", (*db)->definition(rule).id.c_str());
      }
    }
    std::fprintf(stderr, "raw_scan: %zu bytes, %llu engine hits\n", input->size(),
                 static_cast<unsigned long long>(hits));
    return 0;
  }
  scan_once(false);  // warm-up: page faults, caches
  std::vector<double> seconds, cpu_seconds;
  uint64_t hits = 0;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = trawl::ThreadCpuSeconds();
    hits = scan_once(false);
    cpu_seconds.push_back(trawl::ThreadCpuSeconds() - cpu_start);
    seconds.push_back(Seconds(start));
  }
  const double mb = static_cast<double>(input->size()) / 1e6;
  std::printf("{\"load_ms\":%.3f,\"input_bytes\":%zu,\"engine_hits\":%llu,\"partitions\":%zu,"
              "\"seconds\":[",
              load_ms, input->size(), static_cast<unsigned long long>(hits),
              (*db)->partitions().size());
  for (size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? "," : "", seconds[i]);
  std::printf("],\"mb_per_s\":%.3f,\"mb_per_cpu_s\":%.3f}\n", mb / Median(seconds),
              mb / Median(cpu_seconds));
  return 0;
}
