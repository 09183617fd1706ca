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
// It reaches into src/engine/internal on purpose, as bench/scan_benchmark does.
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
#include "engine/internal/engine_parts.h"
#include "util/file.h"

namespace {

struct Hits {
  uint64_t count = 0;
  const std::vector<uint32_t>* partition_rules = nullptr;
  std::vector<bool>* seen = nullptr;  // by rule, when ids are wanted
};

int OnHit(unsigned id, unsigned long long, unsigned long long, unsigned, void* context) {
  auto* hits = static_cast<Hits*>(context);
  ++hits->count;
  if (hits->seen) (*hits->seen)[(*hits->partition_rules)[id]] = true;
  return 0;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// This thread's CPU time: on a shared machine, wall time counts other processes too.
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
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
  auto file = trawl::MappedFile::Open(argv[1]);
  if (!file.ok()) {
    std::fprintf(stderr, "raw_scan: %s\n", std::string(file.status().message()).c_str());
    return 1;
  }
  auto mapping = std::make_shared<const trawl::MappedFile>(*std::move(file));
  auto db = trawl::DeserializeDatabase(mapping->bytes(), mapping);
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
  const auto& databases = (*db)->parts().databases;
  trawl::internal::ScratchPtr scratch = (*db)->parts().NewScratch();
  std::vector<bool> seen((*db)->rule_count(), false);
  // hs_scan takes 32-bit lengths: larger inputs go in 1 GiB pieces (hits across a piece
  // edge are not the point of a throughput figure).
  constexpr size_t kPiece = size_t{1} << 30;
  auto scan_once = [&](bool want_ids) {
    Hits hits;
    if (want_ids) hits.seen = &seen;
    for (size_t p = 0; p < databases.size(); ++p) {
      const trawl::PartitionInfo& part = (*db)->partitions()[p];
      hits.partition_rules = &part.rules;
      hits.seen = want_ids && part.kind != trawl::PartitionKind::kGate ? &seen : nullptr;
      for (size_t at = 0; at < input->size(); at += kPiece) {
        const size_t n = std::min(kPiece, input->size() - at);
        hs_scan(databases[p].get(), input->data() + at, static_cast<unsigned>(n), 0, scratch.get(),
                OnHit, &hits);
      }
    }
    return hits.count;
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
    const double cpu_start = CpuSeconds();
    hits = scan_once(false);
    cpu_seconds.push_back(CpuSeconds() - cpu_start);
    seconds.push_back(Seconds(start));
  }
  const double mb = static_cast<double>(input->size()) / 1e6;
  std::printf("{\"load_ms\":%.3f,\"input_bytes\":%zu,\"engine_hits\":%llu,\"partitions\":%zu,"
              "\"seconds\":[",
              load_ms, input->size(), static_cast<unsigned long long>(hits), databases.size());
  for (size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? "," : "", seconds[i]);
  std::printf("],\"mb_per_s\":%.3f,\"mb_per_cpu_s\":%.3f}\n", mb / Median(seconds),
              mb / Median(cpu_seconds));
  return 0;
}
