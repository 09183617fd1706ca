// Every kernel this CPU runs gives the scalar reference's masks, byte for byte.
#include "tokens/kernels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
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

// The trigger arithmetic, compiled and vectorized for each kernel's instruction set, gives
// the scalar kernel's triggers, block for block, across batches (the carried entry 0): in
// batches of 64 blocks as the token pass makes them, and in batches of 1 to 9 blocks, so
// that most blocks' triggers depend on bytes carried from the batch before.
TEST(KernelsTest, TriggersAgree) {
  std::mt19937 rng(11);
  // Bytes the triggers look for, so that every family fires.
  const std::string alphabet = "0123456789abcdefABCDEFxyzXYZ.-:@+ _()/";
  std::vector<uint8_t> bytes(64 * 200 + 64);
  for (auto& b : bytes) b = static_cast<uint8_t>(alphabet[rng() % alphabet.size()]);
  const size_t blocks = bytes.size() / kBlockBytes;
  const auto run = [&](const Kernel& kernel, const TriggerWants& wants, bool small_batches) {
    auto masks = std::make_unique<BatchMasks>();
    auto triggers = std::make_unique<BatchTriggers>();
    ResetCarry(*masks, *triggers);
    std::vector<std::vector<uint64_t>> out;  // per block: the families' triggers, busy bit
    for (size_t b = 0, n = 0; b < blocks; b += n) {
      n = std::min(small_batches ? 1 + b % 9 : kBatchBlocks, blocks - b);
      kernel.classify(bytes.data() + b * kBlockBytes, n, masks.get());
      kernel.triggers(*masks, wants, n, *triggers);
      for (size_t i = 1; i <= n; ++i) {
        const BatchTriggers& t = *triggers;
        out.push_back({t.at[i], t.hex[i], t.colon[i], t.dotted[i], t.digit[i], t.iban[i],
                       t.word[i], (t.busy >> (i - 1)) & 1, t.url[i]});
      }
      EXPECT_EQ(triggers->busy >> (n - 1) >> 1, 0u) << "busy bits past the batch";
      // Per family: the blocks whose triggers of that family are not zero.
      const BatchTriggers& t = *triggers;
      const std::pair<uint64_t, const uint64_t*> families[] = {
          {t.at_blocks, t.at},         {t.hex_blocks, t.hex},   {t.colon_blocks, t.colon},
          {t.dotted_blocks, t.dotted}, {t.digit_blocks, t.digit}, {t.iban_blocks, t.iban},
          {t.word_blocks, t.word},     {t.url_blocks, t.url}};
      for (const auto& [blocks_of, family] : families) {
        uint64_t expected = 0;
        for (size_t i = 1; i <= n; ++i) expected |= uint64_t{family[i] != 0} << (i - 1);
        EXPECT_EQ(blocks_of, expected) << kernel.name;
      }
    }
    return out;
  };
  const TriggerWants all{~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  TriggerWants some;
  some.domain = some.digit = ~0ull;
  for (const bool every_family : {true, false}) {
    const TriggerWants& wants = every_family ? all : some;
    const auto want = run(AllKernels()[0], wants, false);
    // How the blocks are cut into batches changes nothing.
    EXPECT_EQ(run(AllKernels()[0], wants, true), want);
    // Every family asked for fires (dotted runs and digits in `some`), the others do not.
    size_t fired[8] = {};
    for (const auto& block : want) {
      for (size_t f = 0; f < 8; ++f) fired[f] += block[f] != 0;
    }
    for (size_t f = 0; f < 8; ++f) {
      const bool asked = every_family || f == 3 || f == 4 || f == 7;
      EXPECT_EQ(fired[f] > 0, asked) << "family " << f;
    }
    for (const Kernel& kernel : AllKernels()) {
      if (!kernel.supported()) continue;
      EXPECT_EQ(run(kernel, wants, false), want) << kernel.name;
      EXPECT_EQ(run(kernel, wants, true), want) << kernel.name << ", small batches";
    }
  }
}

}  // namespace
}  // namespace trawl::tokens
