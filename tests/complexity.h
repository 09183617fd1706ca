// File: complexity.h
// Complexity regression tests: they assert how work grows with the input, never how long
// it takes. The same work runs on an input of size n and of size 2n, alternately and
// several times, and the minimum time of each is kept (the minimum is the run the noisy,
// shared machine disturbed least); linear work gives a ratio near 2, quadratic near 4.
#ifndef TRAWL_TESTS_COMPLEXITY_H_
#define TRAWL_TESTS_COMPLEXITY_H_

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <limits>

namespace trawl::testing {

// The bound the complexity tests assert on time(2n) / time(n).
inline constexpr double kMaxDoublingRatio = 2.5;

// min time(run(2n)) / min time(run(n)) over `repeats` alternating runs. `run` gets the
// size and does all the work to be measured (build its input outside when it is costly).
inline double DoublingRatio(size_t n, const std::function<void(size_t)>& run, int repeats = 7) {
  double best_n = std::numeric_limits<double>::infinity();
  double best_2n = best_n;
  auto time = [&](size_t size) {
    malloc_trim(0);  // each run starts from a similar heap, whatever the last one freed
    const auto begin = std::chrono::steady_clock::now();
    run(size);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  };
  for (int i = 0; i < repeats; ++i) {
    best_n = std::min(best_n, time(n));
    best_2n = std::min(best_2n, time(2 * n));
  }
  return best_2n / best_n;
}

}  // namespace trawl::testing

#endif  // TRAWL_TESTS_COMPLEXITY_H_
