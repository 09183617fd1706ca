// File: kernels.h
// Kernels of the token pass: each classifies 64-byte blocks into byte-class bitmasks
// (batch.h, one array per class) and computes the trigger masks from them, both with its
// instruction set. The scalar kernel is the reference; the AVX2 and AVX-512 kernels give
// identical masks and triggers. SelectedKernel() is chosen once per process from CPUID
// (the best the CPU and OS support), never by #ifdef in callers (docs/tokens.md, STYLE.md
// section 12).
//
// Thread-safety: kernels are stateless functions; SelectedKernel() is thread-safe.
#ifndef TRAWL_SRC_TOKENS_KERNELS_H_
#define TRAWL_SRC_TOKENS_KERNELS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tokens/batch.h"
#include "tokens/byte_classes.h"

namespace trawl::tokens {

// Classifies `blocks` blocks into entries 1..blocks of `out`.
// REQUIRES: 1 <= blocks <= kBatchBlocks; `data` holds blocks * 64 readable bytes.
using ClassifyFn = void (*)(const uint8_t* data, size_t blocks, BatchMasks* out);
// ComputeTriggers() (batch.h) for the kernel's instruction set (compiled, or by hand).
using TriggersFn = void (*)(BatchMasks& masks, const TriggerWants& want, size_t blocks,
                            BatchTriggers& out);

struct Kernel {
  std::string_view name;  // "scalar", "avx2", "avx512"
  ClassifyFn classify;
  TriggersFn triggers;
  bool (*supported)();    // this CPU and OS can run it
};

// Every kernel built into this binary, scalar first (supported or not on this CPU).
std::span<const Kernel> AllKernels();
// nullptr for an unknown name.
const Kernel* FindKernel(std::string_view name);
// The fastest kernel this machine supports, chosen on first call.
const Kernel& SelectedKernel();

// The masks of `blocks` whole blocks at `data`, one entry per block, with `kernel` (for
// tests and benchmarks: the token pass classifies in batches).
std::vector<BlockMasks> ClassifyBlocks(const Kernel& kernel, const uint8_t* data, size_t blocks);

namespace internal {
void ClassifyScalar(const uint8_t* data, size_t blocks, BatchMasks* out);
void ClassifyAvx2(const uint8_t* data, size_t blocks, BatchMasks* out);
void ClassifyAvx512(const uint8_t* data, size_t blocks, BatchMasks* out);
void TriggersScalar(BatchMasks& masks, const TriggerWants& want, size_t blocks,
                    BatchTriggers& out);
void TriggersAvx2(BatchMasks& masks, const TriggerWants& want, size_t blocks,
                  BatchTriggers& out);
void TriggersAvx512(BatchMasks& masks, const TriggerWants& want, size_t blocks,
                    BatchTriggers& out);
bool HasAvx2();
bool HasAvx512();
}  // namespace internal

}  // namespace trawl::tokens

#endif  // TRAWL_SRC_TOKENS_KERNELS_H_
