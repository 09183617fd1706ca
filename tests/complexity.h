// File: complexity.h
// Complexity regression tests: they assert how work grows with the input, never how long
// it takes. The same work runs on an input of size n and of size 2n, alternately and
// several times, and the minimum of each is kept (the run the shared machine disturbed
// least); linear work gives a ratio near 2, quadratic near 4. The work is measured in
// CPU time of the calling thread, so other processes on the machine (ctest -j, other
// builds) do not count; the measured work must run on that thread.
#ifndef TRAWL_TESTS_COMPLEXITY_H_
#define TRAWL_TESTS_COMPLEXITY_H_

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>

#include "util/cpu_time.h"

namespace trawl::testing {

// Sanitizers slow code unevenly and add shadow memory, so growth measured under them
// says little: those tests skip themselves there (the release run measures).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif
#define TRAWL_SKIP_MEASUREMENT_WHEN_SANITIZED()                                     \
  if (::trawl::testing::kSanitized) {                                              \
    GTEST_SKIP() << "measures time or memory growth; sanitizers distort both";     \
  }

// The bound the complexity tests assert on work(2n) / work(n).
inline constexpr double kMaxDoublingRatio = 2.5;

// min work(run(2n)) / min work(run(n)) over `repeats` alternating runs. `run` gets the
// size and does all the work to be measured (build its input outside when it is costly).
inline double DoublingRatio(size_t n, const std::function<void(size_t)>& run, int repeats = 7) {
  double best_n = std::numeric_limits<double>::infinity();
  double best_2n = best_n;
  auto measure = [&](size_t size) {
    malloc_trim(0);  // each run starts from a similar heap, whatever the last one freed
    const double begin = ThreadCpuSeconds();
    run(size);
    return ThreadCpuSeconds() - begin;
  };
  for (int i = 0; i < repeats; ++i) {
    best_n = std::min(best_n, measure(n));
    best_2n = std::min(best_2n, measure(2 * n));
  }
  return best_2n / best_n;
}

// Peak resident memory growth of the process while `work` runs, in bytes. ctest runs
// each test in its own process, so the high-water mark is this test's (run by hand in
// one process, an earlier test's higher peak can only hide growth, never invent it).
inline uint64_t PeakResidentGrowth(const std::function<void()>& work) {
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  work();
  getrusage(RUSAGE_SELF, &after);
  return static_cast<uint64_t>(after.ru_maxrss - before.ru_maxrss) * 1024;
}

}  // namespace trawl::testing

#endif  // TRAWL_TESTS_COMPLEXITY_H_
