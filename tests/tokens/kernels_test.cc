// Every kernel this CPU runs gives the scalar reference's masks, byte for byte.
#include "tokens/kernels.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace trawl::tokens {
namespace {

TEST(KernelsTest, ScalarIsFirstAndAlwaysSupported) {
  ASSERT_FALSE(AllKernels().empty());
  EXPECT_EQ(AllKernels()[0].name, "scalar");
  EXPECT_TRUE(AllKernels()[0].supported());
  EXPECT_TRUE(SelectedKernel().supported());
  EXPECT_EQ(FindKernel("avx512"), &AllKernels()[2]);
  EXPECT_EQ(FindKernel("neon"), nullptr);
}

TEST(KernelsTest, EveryByteValueIsClassifiedAsTheScalarTableSays) {
  // Four blocks holding all 256 byte values, in order and reversed.
  std::vector<uint8_t> bytes(512);
  for (size_t i = 0; i < 256; ++i) {
    bytes[i] = static_cast<uint8_t>(i);
    bytes[511 - i] = static_cast<uint8_t>(i);
  }
  std::vector<BlockMasks> want(8), got(8);
  internal::ClassifyScalar(bytes.data(), 8, want.data());
  // Spot-check the reference itself.
  EXPECT_EQ(want[0].digit, uint64_t{0x3FF} << '0');
  EXPECT_EQ(want[0].dot, uint64_t{1} << '.');
  EXPECT_EQ(want[1].at, uint64_t{1});  // '@' is byte 64
  for (const Kernel& kernel : AllKernels()) {
    if (!kernel.supported()) continue;
    kernel.classify(bytes.data(), 8, got.data());
    for (size_t b = 0; b < 8; ++b) EXPECT_EQ(got[b], want[b]) << kernel.name << " block " << b;
  }
}

TEST(KernelsTest, RandomBlocksAgree) {
  std::mt19937 rng(7);
  std::vector<uint8_t> bytes(64 * 1024);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  const size_t blocks = bytes.size() / kBlockBytes;
  std::vector<BlockMasks> want(blocks), got(blocks);
  internal::ClassifyScalar(bytes.data(), blocks, want.data());
  for (const Kernel& kernel : AllKernels()) {
    if (!kernel.supported()) continue;
    kernel.classify(bytes.data(), blocks, got.data());
    EXPECT_EQ(got, want) << kernel.name;
  }
}

}  // namespace
}  // namespace trawl::tokens
