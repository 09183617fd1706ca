// File: cpu_time.h
// The calling thread's CPU time, for measurements on a shared machine, where wall time
// counts other processes too (bench/, `trawl rules profile`, the complexity tests).
#ifndef TRAWL_SRC_UTIL_CPU_TIME_H_
#define TRAWL_SRC_UTIL_CPU_TIME_H_

#include <ctime>

namespace trawl {

inline double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_CPU_TIME_H_
