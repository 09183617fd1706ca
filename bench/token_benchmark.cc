// The token pass alone (src/tokens) on one thread: MB/s and bytes per cycle, per kernel,
// against a baseline measured in the same run: a plain memchr-style pass over the same
// bytes (std::count of '\n'), which is what "memory speed" means on this machine.
// Times are the thread's CPU time (this VM is shared and has no cycle counters): bytes
// per cycle = bytes / (CPU seconds * TSC rate, measured around the loop).
//
// Input: TRAWL_BENCH_INPUT (default ../shared/corpus/scan_inputs/bench_mixed_16MiB.bin,
// else 16 MiB generated). Kernels the CPU lacks are skipped.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <memory>
#include <random>
#include <x86intrin.h>

#include "tokens/kernels.h"
#include "tokens/token_pass.h"
#include "util/cpu_time.h"
#include "util/file.h"

namespace trawl::tokens {
namespace {

const std::string& Input() {
  static const std::string input = [] {
    const char* env = std::getenv("TRAWL_BENCH_INPUT");
    const std::string path =
        env ? env : std::string(TRAWL_SHARED_DIR) + "/corpus/scan_inputs/bench_mixed_16MiB.bin";
    auto bytes = ReadFile(path);
    if (bytes.ok()) return *bytes;
    std::mt19937 rng(42);
    std::string out(16 << 20, ' ');
    const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789 _=:.@-\"{}\n";
    for (auto& c : out) c = alphabet[rng() % (sizeof alphabet - 1)];
    return out;
  }();
  return input;
}

// Started before the timed loop; Finish() after it sets the counters.
class CycleMeter {
 public:
  CycleMeter()
      : cpu_(trawl::ThreadCpuSeconds()), tsc_(__rdtsc()), wall_(std::chrono::steady_clock::now()) {}
  void Finish(benchmark::State& state) const {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
    const double tsc_rate = static_cast<double>(__rdtsc() - tsc_) / wall;
    const double bytes = static_cast<double>(state.iterations()) * Input().size();
    state.SetBytesProcessed(static_cast<int64_t>(bytes));
    state.counters["bytes_per_cycle"] = bytes / ((trawl::ThreadCpuSeconds() - cpu_) * tsc_rate);
  }

 private:
  double cpu_;
  uint64_t tsc_;
  std::chrono::steady_clock::time_point wall_;
};

void BM_CountNewlines(benchmark::State& state) {
  const std::string& input = Input();
  const CycleMeter meter;
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::count(input.begin(), input.end(), '\n'));
  }
  meter.Finish(state);
}

void BM_Classify(benchmark::State& state, const Kernel* kernel) {
  if (!kernel->supported()) return state.SkipWithError("kernel not supported here");
  const std::string& input = Input();
  auto masks = std::make_unique<BatchMasks>();
  const auto* bytes = reinterpret_cast<const uint8_t*>(input.data());
  const size_t blocks = input.size() / kBlockBytes;
  const CycleMeter meter;
  for (auto _ : state) {
    for (size_t b = 0; b < blocks; b += kBatchBlocks) {
      kernel->classify(bytes + b * kBlockBytes, std::min(kBatchBlocks, blocks - b), masks.get());
      benchmark::DoNotOptimize(masks.get());
    }
  }
  meter.Finish(state);
}

// Classification and the trigger masks (what the kernels do before any scalar cutter).
void BM_Triggers(benchmark::State& state, const Kernel* kernel) {
  if (!kernel->supported()) return state.SkipWithError("kernel not supported here");
  const std::string& input = Input();
  auto masks = std::make_unique<BatchMasks>();
  auto triggers = std::make_unique<BatchTriggers>();
  const TriggerWants all{~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  const auto* bytes = reinterpret_cast<const uint8_t*>(input.data());
  const size_t blocks = input.size() / kBlockBytes;
  const CycleMeter meter;
  for (auto _ : state) {
    ResetCarry(*masks, *triggers);
    for (size_t b = 0; b < blocks; b += kBatchBlocks) {
      const size_t n = std::min(kBatchBlocks, blocks - b);
      kernel->classify(bytes + b * kBlockBytes, n, masks.get());
      kernel->triggers(*masks, all, n, *triggers);
      benchmark::DoNotOptimize(triggers->busy);
    }
  }
  meter.Finish(state);
}

void BM_TokenPass(benchmark::State& state, const Kernel* kernel, ShapeSet shapes) {
  if (!kernel->supported()) return state.SkipWithError("kernel not supported here");
  const std::string& input = Input();
  TokenPass pass(shapes, *kernel);
  std::vector<Span> spans;
  pass.Find(input, &spans);  // warm the top-level-domain cache
  const CycleMeter meter;
  for (auto _ : state) {
    pass.Find(input, &spans);
    benchmark::DoNotOptimize(spans.data());
  }
  meter.Finish(state);
  state.counters["spans"] = static_cast<double>(spans.size());
}

int Register() {
  benchmark::RegisterBenchmark("BM_CountNewlines", BM_CountNewlines)
      ->Unit(benchmark::kMillisecond);
  for (const Kernel& k : AllKernels()) {
    benchmark::RegisterBenchmark(("BM_Classify/" + std::string(k.name)).c_str(), BM_Classify, &k)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Triggers/" + std::string(k.name)).c_str(), BM_Triggers, &k)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_TokenPass/" + std::string(k.name)).c_str(), BM_TokenPass,
                                 &k, kAllShapes)
        ->Unit(benchmark::kMillisecond);
  }
  // Where the time goes: one shape at a time, with the selected kernel.
  for (size_t s = 0; s < kShapeCount; ++s) {
    const Shape shape = static_cast<Shape>(s);
    benchmark::RegisterBenchmark(("BM_TokenPassShape/" + std::string(ShapeName(shape))).c_str(),
                                 BM_TokenPass, &SelectedKernel(), ShapeBit(shape))
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}
const int kRegistered = Register();

}  // namespace
}  // namespace trawl::tokens

BENCHMARK_MAIN();
