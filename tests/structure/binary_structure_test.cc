#include "structure/binary_structure.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace trawl {
namespace {

// Deterministic noise (xorshift), so entropy and offsets are stable.
std::string Noise(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

std::string Utf16Le(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

std::string Utf16Be(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back('\0');
    out.push_back(c);
  }
  return out;
}

TEST(BinaryStructureTest, EmbeddedZipAndPeAreFoundAtTheirOffsets) {
  std::string blob(8192, '\0');                   // two low-entropy blocks
  blob += Noise(8192, 42);                        // two high-entropy blocks
  const size_t zip_at = blob.size();
  blob += std::string("PK\x03\x04\x14\x00\x00\x00\x08\x00", 10) + "secret.txt";
  blob += std::string(100, 'A');
  const size_t pe_at = blob.size();
  std::string pe(0x100, '\0');
  pe[0] = 'M';
  pe[1] = 'Z';
  pe[0x3C] = static_cast<char>(0x80);
  pe.replace(0x80, 4, std::string("PE\0\0", 4));
  blob += pe;
  blob += std::string("MZ not a pe header at all", 25) + std::string(80, ' ');
  blob += std::string("\x1F\x8B\x08\x00", 4);
  const BinaryReport r = AnalyzeBinary(blob);
  ASSERT_EQ(r.signatures.size(), 3u);
  EXPECT_EQ(r.signatures[0].offset, zip_at);
  EXPECT_EQ(r.signatures[0].type, FileSignature::kZip);
  EXPECT_EQ(r.signatures[1].offset, pe_at);
  EXPECT_EQ(r.signatures[1].type, FileSignature::kPe);
  EXPECT_EQ(r.signatures[2].type, FileSignature::kGzip);
  EXPECT_EQ(r.signatures[2].offset, blob.size() - 4);
  // Entropy profile: zeros, then noise.
  ASSERT_GE(r.block_entropy.size(), 4u);
  EXPECT_LT(r.block_entropy[0], 0.01f);
  EXPECT_GT(r.block_entropy[2], 7.9f);
  ASSERT_EQ(r.high_entropy_regions.size(), 1u);
  EXPECT_EQ(r.high_entropy_regions[0].span, (ByteSpan{8192, 16384}));
  EXPECT_GT(r.high_entropy_regions[0].mean_entropy, 7.9);
}

TEST(BinaryStructureTest, ExtractsAsciiAndUtf16LeStringsWithOffsets) {
  std::string blob = Noise(301, 7);
  // Make sure no noise byte next to our strings extends them.
  blob[300] = '\x01';
  const size_t ascii_at = blob.size();
  blob += "AKIAIOSFODNN7EXAMPLE";
  blob += std::string("\x00\x01\x02", 3);
  const size_t utf16_at = blob.size();
  blob += Utf16Le("password=hunter2");
  blob += std::string("\x01\xFF", 2);
  const size_t odd_at = blob.size() + 1;
  blob += std::string("\x01", 1) + Utf16Le("C:\\Users\\admin") + std::string("\x02\x03", 2);
  bool truncated = true;
  BinaryOptions options;
  options.min_string_length = 8;
  const auto strings = ExtractStrings(blob, options, &truncated);
  EXPECT_FALSE(truncated);
  const ExtractedString* ascii = nullptr;
  const ExtractedString* wide = nullptr;
  const ExtractedString* odd = nullptr;
  for (const auto& s : strings) {
    if (s.text == "AKIAIOSFODNN7EXAMPLE") ascii = &s;
    if (s.text == "password=hunter2") wide = &s;
    if (s.text == "C:\\Users\\admin") odd = &s;
  }
  ASSERT_NE(ascii, nullptr);
  EXPECT_EQ(ascii->offset, ascii_at);
  EXPECT_FALSE(ascii->utf16);
  ASSERT_NE(wide, nullptr);
  EXPECT_EQ(wide->offset, utf16_at);
  EXPECT_EQ(wide->byte_length, 32u);
  EXPECT_TRUE(wide->utf16);
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(odd->offset, odd_at);
  // One buffer for the scanners, mapped back: "hunter2" sits 9 characters in.
  const DerivedBuffer buffer = StringsAsBuffer(strings);
  const size_t at = buffer.data.find("hunter2");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(buffer.map.MapRange(at, at + 7), (ByteSpan{utf16_at + 18, utf16_at + 32}));
}

TEST(BinaryStructureTest, ExtractsUtf16BeStringsOnceWithOffsets) {
  std::string blob = Noise(300, 9);
  blob[299] = '\x01';
  // NUL padding before and a NUL terminator after, as a compiler lays out wide strings:
  // the bytes "00 p 00 p .. 00" read as LE one byte later too; alignment decides.
  blob += std::string("\x00\x00", 2);
  const size_t be_at = blob.size();  // even
  ASSERT_EQ(be_at % 2, 0u);
  blob += Utf16Be("password=hunter2");
  blob += std::string("\x00\x00\x01", 3);
  // The same layout for an LE string (also even) must stay LE.
  blob += std::string("\x02\x00\x00", 3);
  const size_t le_at = blob.size();
  ASSERT_EQ(le_at % 2, 0u);
  blob += Utf16Le("ghp_tokentokentoken");
  blob += std::string("\x00\x00\x03", 3);
  // A BE string at an odd offset, between non-NUL bytes: no ambiguity.
  blob += std::string("\x04\x05", 2);
  const size_t odd_at = blob.size();
  ASSERT_EQ(odd_at % 2, 1u);
  blob += Utf16Be("C:\\Users\\admin");
  blob += std::string("\x06\x07", 2);
  bool truncated = true;
  BinaryOptions options;
  options.min_string_length = 8;
  const auto strings = ExtractStrings(blob, options, &truncated);
  EXPECT_FALSE(truncated);
  std::vector<const ExtractedString*> wide;
  for (const auto& s : strings) {
    if (s.utf16) wide.push_back(&s);
  }
  ASSERT_EQ(wide.size(), 3u);
  EXPECT_EQ(wide[0]->text, "password=hunter2");
  EXPECT_EQ(wide[0]->offset, be_at);
  EXPECT_EQ(wide[0]->byte_length, 32u);
  EXPECT_TRUE(wide[0]->big_endian);
  EXPECT_EQ(wide[1]->text, "ghp_tokentokentoken");
  EXPECT_EQ(wide[1]->offset, le_at);
  EXPECT_FALSE(wide[1]->big_endian);
  EXPECT_EQ(wide[2]->text, "C:\\Users\\admin");
  EXPECT_EQ(wide[2]->offset, odd_at);
  EXPECT_TRUE(wide[2]->big_endian);
  // Mapped back through the scanners' buffer: "hunter2" is the last 7 characters.
  const DerivedBuffer buffer = StringsAsBuffer(strings);
  const size_t at = buffer.data.find("hunter2");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(buffer.map.MapRange(at, at + 7), (ByteSpan{be_at + 18, be_at + 32}));
  // Off, only ASCII runs are reported.
  options.utf16 = false;
  for (const auto& s : ExtractStrings(blob, options, &truncated)) EXPECT_FALSE(s.utf16);
}

// A ustar header with a valid checksum, as tar writes it.
std::string TarHeader(std::string_view name, size_t size) {
  std::string h(512, '\0');
  h.replace(0, name.size(), name);
  h.replace(100, 7, "0000644");
  char octal[13];
  std::snprintf(octal, sizeof(octal), "%011zo", size);
  h.replace(124, 11, octal);
  h[156] = '0';
  h.replace(257, 6, std::string("ustar\0", 6));
  h.replace(263, 2, "00");
  h.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(octal, sizeof(octal), "%06o", sum);
  h.replace(148, 7, std::string(octal, 6) + std::string(1, '\0'));
  return h;
}

TEST(BinaryStructureTest, EmbeddedTarIsFoundAtItsHeaderByChecksum) {
  std::string blob = Noise(1001, 5);
  const size_t tar_at = blob.size();
  blob += TarHeader("etc/shadow", 5) + "root:" + std::string(507, '\0');
  // "ustar" in text, and a header whose checksum is wrong: not tar.
  blob += std::string(300, 'x') + "the ustar format" + std::string(300, 'y');
  std::string bad = TarHeader("bad", 1);
  bad[0] = 'c';
  blob += bad;
  bool truncated = true;
  const auto sigs = FindSignatures(blob, 100, &truncated);
  EXPECT_FALSE(truncated);
  std::vector<EmbeddedSignature> tars;
  for (const auto& s : sigs) {
    if (s.type == FileSignature::kTar) tars.push_back(s);
  }
  ASSERT_EQ(tars.size(), 1u);
  EXPECT_EQ(tars[0].offset, tar_at);
  EXPECT_STREQ(FileSignatureName(tars[0].type), "tar");
  for (size_t i = 1; i < sigs.size(); ++i) EXPECT_LE(sigs[i - 1].offset, sigs[i].offset);
}

TEST(BinaryStructureTest, EntropyValues) {
  EXPECT_DOUBLE_EQ(ShannonEntropy(""), 0.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abab"), 1.0);
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_DOUBLE_EQ(ShannonEntropy(all), 8.0);
}

TEST(BinaryStructureTest, LimitsTruncate) {
  std::string blob;
  for (int i = 0; i < 100; ++i) blob += "PK\x03\x04 stringy ";
  bool truncated = false;
  EXPECT_EQ(FindSignatures(blob, 10, &truncated).size(), 10u);
  EXPECT_TRUE(truncated);
  BinaryOptions options;
  options.max_strings = 1;
  options.min_string_length = 4;
  EXPECT_EQ(ExtractStrings("abcd\x01" "efgh\x01", options, &truncated).size(), 1u);
  EXPECT_TRUE(truncated);
}

}  // namespace
}  // namespace trawl
