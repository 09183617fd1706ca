// The structure stage's byte-mask kernels (issue 22): every kernel this CPU runs gives the
// scalar reference's masks, on every byte value at every position of a block, and the
// batch helpers classify a final partial block as if padded with bytes in no class.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "structure/internal/byte_masks.h"

namespace trawl::internal {
namespace {

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  // Half the bytes from the interesting ones, half anything.
  static const std::string kInteresting = "Aa Zz09+/-_=\n\r\t@`[{\x80\xff./:";
  for (char& c : out) {
    c = rng() % 2 ? kInteresting[rng() % kInteresting.size()] : static_cast<char>(rng());
  }
  return out;
}

TEST(ByteMasksTest, EveryKernelGivesTheScalarMasks) {
  const ByteMaskKernel& scalar = AllByteMaskKernels()[0];
  ASSERT_EQ(scalar.name, "scalar");
  // Every byte value at every position of a block.
  std::string all(256 * kMaskBlockBytes, '\0');
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<char>((i / kMaskBlockBytes + i) % 256);
  const std::string random = RandomBytes(1 << 16, 7);
  size_t ran = 0;
  for (const ByteMaskKernel& kernel : AllByteMaskKernels()) {
    if (!kernel.supported()) continue;
    ++ran;
    for (const std::string* input : std::vector<const std::string*>{&all, &random}) {
      const size_t blocks = input->size() / kMaskBlockBytes;
      const auto* bytes = reinterpret_cast<const uint8_t*>(input->data());
      std::vector<uint64_t> want(blocks), got(blocks), want_cr(blocks), got_cr(blocks);
      scalar.alphabet(bytes, blocks, want.data());
      kernel.alphabet(bytes, blocks, got.data());
      EXPECT_EQ(want, got) << kernel.name;
      scalar.line_breaks(bytes, blocks, want.data(), want_cr.data());
      kernel.line_breaks(bytes, blocks, got.data(), got_cr.data());
      EXPECT_EQ(want, got) << kernel.name;
      EXPECT_EQ(want_cr, got_cr) << kernel.name;
      scalar.signature_leads(bytes, blocks, want.data());
      kernel.signature_leads(bytes, blocks, got.data());
      EXPECT_EQ(want, got) << kernel.name;
      scalar.defang_leads(bytes, blocks, want.data());
      kernel.defang_leads(bytes, blocks, got.data());
      EXPECT_EQ(want, got) << kernel.name;
      scalar.encoding(bytes, blocks, want.data(), want_cr.data());
      kernel.encoding(bytes, blocks, got.data(), got_cr.data());
      EXPECT_EQ(want, got) << kernel.name;
      EXPECT_EQ(want_cr, got_cr) << kernel.name;
    }
  }
  EXPECT_GE(ran, 1u);
  // The reference is the definition.
  for (int c = 0; c < 256; ++c) {
    uint8_t block[kMaskBlockBytes] = {};
    block[5] = static_cast<uint8_t>(c);
    uint64_t mask = 0, lf = 0, cr = 0;
    scalar.alphabet(block, 1, &mask);
    scalar.line_breaks(block, 1, &lf, &cr);
    const bool alphabet = std::isalnum(c) || c == '+' || c == '/' || c == '-' || c == '_';
    EXPECT_EQ(mask, alphabet ? uint64_t{1} << 5 : 0) << c;
    EXPECT_EQ(lf, c == '\n' ? uint64_t{1} << 5 : 0) << c;
    EXPECT_EQ(cr, c == '\r' ? uint64_t{1} << 5 : 0) << c;
    uint64_t lead = 0;
    scalar.signature_leads(block, 1, &lead);
    const bool leads = std::string_view("PB%Mu7\x1F\xFD\x7F\x89\xFF").find(static_cast<char>(c)) !=
                       std::string_view::npos;
    EXPECT_EQ(lead, leads ? uint64_t{1} << 5 : 0) << c;
    uint64_t defang = 0;
    scalar.defang_leads(block, 1, &defang);
    EXPECT_EQ(defang, c == '[' || c == 'x' || c == 'X' ? uint64_t{1} << 5 : 0) << c;
    uint64_t nul = 0, control = 0;
    scalar.encoding(block, 1, &nul, &control);
    EXPECT_EQ(nul, c == 0 ? ~uint64_t{0} : ~(uint64_t{1} << 5)) << c;
    const bool is_control = (c < 0x20 && c != 0 && std::string_view("\t\n\r\f\x1b").find(static_cast<char>(c)) ==
                                                       std::string_view::npos) ||
                            c == 0x7f;
    EXPECT_EQ(control, is_control ? uint64_t{1} << 5 : 0) << c;
  }
}

TEST(ByteMasksTest, BatchesCoverEveryByteOnceAndNothingPastTheEnd) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{4095},
                      size_t{4096}, size_t{4097}, size_t{64 * 64 * 3 + 17}}) {
    const std::string data = RandomBytes(size, static_cast<uint32_t>(size));
    AlphabetMasks masks(data);
    const size_t blocks = (size + kMaskBlockBytes - 1) / kMaskBlockBytes;
    std::vector<uint64_t> lf(blocks + 1), cr(blocks + 1);
    if (blocks > 0) LineBreakMasks(data, 0, blocks, lf.data(), cr.data());
    // Backwards and forwards: a batch is refilled wherever it is asked for.
    for (size_t pass = 0; pass < 2; ++pass) {
      for (size_t k = 0; k <= blocks + 1; ++k) {
        const size_t b = pass == 0 ? k : blocks + 1 - k;
        uint64_t want = 0, want_lf = 0, want_cr = 0;
        for (size_t i = 0; i < kMaskBlockBytes && b * kMaskBlockBytes + i < size; ++i) {
          const uint8_t c = static_cast<uint8_t>(data[b * kMaskBlockBytes + i]);
          want |= uint64_t{IsAlphabetByte(c)} << i;
          want_lf |= uint64_t{c == '\n'} << i;
          want_cr |= uint64_t{c == '\r'} << i;
        }
        EXPECT_EQ(masks.Mask(b), want) << size << " block " << b;
        if (b < blocks) {
          EXPECT_EQ(lf[b], want_lf) << size << " block " << b;
          EXPECT_EQ(cr[b], want_cr) << size << " block " << b;
        }
      }
    }
  }
}

}  // namespace
}  // namespace trawl::internal
