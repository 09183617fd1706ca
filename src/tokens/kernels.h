// File: kernels.h
// Classification kernels of the token pass: 64-byte blocks in, one BlockMasks per block
// out. The scalar kernel is the reference; the AVX2 and AVX-512 kernels give identical
// masks. SelectedKernel() is chosen once per process from CPUID (the best the CPU and OS
// support), never by #ifdef in callers (docs/tokens.md, STYLE.md section 12).
//
// Thread-safety: kernels are stateless functions; SelectedKernel() is thread-safe.
#ifndef TRAWL_SRC_TOKENS_KERNELS_H_
#define TRAWL_SRC_TOKENS_KERNELS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "tokens/byte_classes.h"

namespace trawl::tokens {

// REQUIRES: `data` holds blocks * 64 readable bytes; `out` holds `blocks` entries.
using ClassifyFn = void (*)(const uint8_t* data, size_t blocks, BlockMasks* out);

struct Kernel {
  std::string_view name;  // "scalar", "avx2", "avx512"
  ClassifyFn classify;
  bool (*supported)();    // this CPU and OS can run it
};

// Every kernel built into this binary, scalar first (supported or not on this CPU).
std::span<const Kernel> AllKernels();
// nullptr for an unknown name.
const Kernel* FindKernel(std::string_view name);
// The fastest kernel this machine supports, chosen on first call.
const Kernel& SelectedKernel();

namespace internal {
void ClassifyScalar(const uint8_t* data, size_t blocks, BlockMasks* out);
void ClassifyAvx2(const uint8_t* data, size_t blocks, BlockMasks* out);
void ClassifyAvx512(const uint8_t* data, size_t blocks, BlockMasks* out);
bool HasAvx2();
bool HasAvx512();
}  // namespace internal

}  // namespace trawl::tokens

#endif  // TRAWL_SRC_TOKENS_KERNELS_H_
