// xorshift64 for the benchmarks' generated inputs: the same bytes in every run.
#ifndef TRAWL_BENCH_XORSHIFT_H_
#define TRAWL_BENCH_XORSHIFT_H_

#include <cstdint>

struct XorShift {
  uint64_t x;
  uint64_t operator()() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  }
};

#endif  // TRAWL_BENCH_XORSHIFT_H_
