// trawl's own scanner in process, the counterpart of raw_scan --reps (bench/peers/run.sh):
// loads a compiled artifact and prints engine/inspect.h BenchmarkJson for INPUT: artifact
// size, load time, MB/s with 1 and THREADS threads (medians after a warm-up), the scan profile.
//
//   trawl_inproc ARTIFACT INPUT [--threads N] [--reps N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "engine/artifact.h"
#include "engine/inspect.h"
#include "scan_plan/planner.h"
#include "util/file.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "trawl_inproc: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: trawl_inproc ARTIFACT INPUT [--threads N] [--reps N]\n");
    return 2;
  }
  trawl::BenchSettings settings;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      settings.max_threads = static_cast<uint32_t>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      settings.repetitions = static_cast<uint32_t>(std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "trawl_inproc: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  auto db = trawl::LoadDatabaseFile(argv[1]);
  if (!db.ok()) return Fail(db.status());
  auto input = trawl::ReadFile(argv[2]);
  if (!input.ok()) return Fail(input.status());
  // Compile time is measured by run.sh as a whole `trawl compile` process.
  auto json = trawl::BenchmarkJson(*db, /*compile_seconds=*/0, *input, settings,
                                   trawl::plan::ExplainRule);
  if (!json.ok()) return Fail(json.status());
  std::printf("%s\n", json->c_str());
  return 0;
}
