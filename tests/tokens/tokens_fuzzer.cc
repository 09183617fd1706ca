// Random bytes through the token pass with every kernel this CPU runs: the spans must be
// identical to the scalar kernel's with byte-by-byte run walks (the reference; the other
// passes find run ends in the class masks), and each must lie inside the input and be no
// longer than kMaxSpanBytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "tokens/token_pass.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trawl::tokens;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static TokenPass* scalar = new TokenPass(kAllShapes, *FindKernel("scalar"), RunWalks::kBytes);
  std::vector<Span> want;
  scalar->Find(input, &want);
  for (const Span& s : want) {
    if (s.begin >= s.end || s.end > size || s.end - s.begin > kMaxSpanBytes) std::abort();
  }
  for (const Kernel& kernel : AllKernels()) {
    if (!kernel.supported()) continue;
    TokenPass pass(kAllShapes, kernel, RunWalks::kMasks);
    std::vector<Span> got;
    pass.Find(input, &got);
    if (got != want) std::abort();
  }
  return 0;
}
