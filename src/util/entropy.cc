// File: entropy.cc
#include "util/entropy.h"

#include <array>
#include <cmath>
#include <cstdint>

namespace trawl {

double ShannonEntropy(std::string_view data) {
  if (data.empty()) return 0.0;
  std::array<uint64_t, 256> counts{};
  for (unsigned char c : data) ++counts[c];
  const double n = static_cast<double>(data.size());
  double h = 0.0;
  for (uint64_t count : counts) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / n;
    h -= p * std::log2(p);
  }
  return h;
}

}  // namespace trawl
