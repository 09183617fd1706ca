// File: cpu_features.h
// What this CPU (and the OS's saved vector state) can run, for the SIMD kernels chosen
// once at run time (STYLE.md section 12), and the choice itself: the last supported
// kernel of a list ordered slowest first.
//
// Thread-safety: stateless; safe from any thread.
#ifndef TRAWL_SRC_UTIL_CPU_FEATURES_H_
#define TRAWL_SRC_UTIL_CPU_FEATURES_H_

#include <span>

namespace trawl {

inline bool CpuHasAvx2() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

// POPCNT: std::popcount in baseline x86-64 code is a libgcc call, not the instruction.
inline bool CpuHasPopcnt() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
}

// AVX-512 F and BW (byte-granular compares into mask registers).
inline bool CpuHasAvx512Bw() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
#else
  return false;
#endif
}

// The fastest kernel of `kernels` (ordered slowest first; the first is the portable one,
// always supported) whose `supported()` says this machine runs it.
template <typename Kernel>
const Kernel& FastestSupported(std::span<const Kernel> kernels) {
  const Kernel* best = &kernels[0];
  for (const Kernel& k : kernels) {
    if (k.supported()) best = &k;
  }
  return *best;
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_CPU_FEATURES_H_
