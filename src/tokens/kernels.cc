// File: kernels.cc
// The scalar reference kernel and the run-time choice of kernel.
#include "tokens/kernels.h"

#include <algorithm>
#include <memory>

namespace trawl::tokens {
namespace internal {

void ClassifyScalar(const uint8_t* data, size_t blocks, BatchMasks* out) {
  for (size_t b = 0; b < blocks; ++b) {
    out->SetBlock(b + 1, ClassifyBlockScalar(data + b * kBlockBytes));
  }
}

void TriggersScalar(BatchMasks& masks, const TriggerWants& want, size_t blocks,
                    BatchTriggers& out) {
  ComputeTriggers(masks, want, blocks, out);
}

}  // namespace internal

namespace {

bool Always() { return true; }

constexpr Kernel kKernels[] = {
    {"scalar", internal::ClassifyScalar, internal::TriggersScalar, Always},
    {"avx2", internal::ClassifyAvx2, internal::TriggersAvx2, internal::HasAvx2},
    {"avx512", internal::ClassifyAvx512, internal::TriggersAvx512, internal::HasAvx512},
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

std::vector<BlockMasks> ClassifyBlocks(const Kernel& kernel, const uint8_t* data, size_t blocks) {
  std::vector<BlockMasks> out;
  out.reserve(blocks);
  const auto batch = std::make_unique<BatchMasks>();
  for (size_t b = 0; b < blocks; b += kBatchBlocks) {
    const size_t n = std::min(kBatchBlocks, blocks - b);
    kernel.classify(data + b * kBlockBytes, n, batch.get());
    for (size_t i = 1; i <= n; ++i) out.push_back(batch->Block(i));
  }
  return out;
}

}  // namespace trawl::tokens
