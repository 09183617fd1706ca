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
  const std::vector<BlockMasks> want = ClassifyBlocks(AllKernels()[0], bytes.data(), 8);
  ASSERT_EQ(want.size(), 8u);
  // Spot-check the reference itself.
  EXPECT_EQ(want[0].digit, uint64_t{0x3FF} << '0');
  EXPECT_EQ(want[0].dot, uint64_t{1} << '.');
  EXPECT_EQ(want[1].at, uint64_t{1});  // '@' is byte 64
  for (const Kernel& kernel : AllKernels()) {
    if (!kernel.supported()) continue;
    const std::vector<BlockMasks> got = ClassifyBlocks(kernel, bytes.data(), 8);
    for (size_t b = 0; b < 8; ++b) {
      EXPECT_EQ(got[b], want[b]) << kernel.name << " block " << b;
      EXPECT_EQ(want[b], ClassifyBlockScalar(bytes.data() + b * kBlockBytes)) << "block " << b;
    }
  }
}

TEST(KernelsTest, RandomBlocksAgree) {
  std::mt19937 rng(7);
  std::vector<uint8_t> bytes(64 * 1024);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  const size_t blocks = bytes.size() / kBlockBytes;
  const std::vector<BlockMasks> want = ClassifyBlocks(AllKernels()[0], bytes.data(), blocks);
  ASSERT_EQ(want.size(), blocks);  // several batches
  for (const Kernel& kernel : AllKernels()) {
    if (!kernel.supported()) continue;
    EXPECT_EQ(ClassifyBlocks(kernel, bytes.data(), blocks), want) << kernel.name;
  }
}

}  // namespace
}  // namespace trawl::tokens
