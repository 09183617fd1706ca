// File: kernels.cc
// The scalar reference kernel and the run-time choice of kernel.
#include "tokens/kernels.h"

namespace trawl::tokens {
namespace internal {

void ClassifyScalar(const uint8_t* data, size_t blocks, BlockMasks* out) {
  for (size_t b = 0; b < blocks; ++b) out[b] = ClassifyBlockScalar(data + b * kBlockBytes);
}

}  // namespace internal

namespace {

bool Always() { return true; }

constexpr Kernel kKernels[] = {
    {"scalar", internal::ClassifyScalar, Always},
    {"avx2", internal::ClassifyAvx2, internal::HasAvx2},
    {"avx512", internal::ClassifyAvx512, internal::HasAvx512},
};

}  // namespace

std::span<const Kernel> AllKernels() { return kKernels; }

const Kernel* FindKernel(std::string_view name) {
  for (const Kernel& k : kKernels) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const Kernel& SelectedKernel() {
  static const Kernel* const chosen = [] {
    const Kernel* best = &kKernels[0];
    for (const Kernel& k : kKernels) {
      if (k.supported()) best = &k;  // listed slowest first
    }
    return best;
  }();
  return *chosen;
}

}  // namespace trawl::tokens
