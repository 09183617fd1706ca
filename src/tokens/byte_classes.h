// File: byte_classes.h
// The byte classes the token pass works with, as one bitmask per class per 64-byte block
// (bit i = byte i of the block). A kernel (kernels.h) turns blocks of bytes into these
// masks; everything above the kernels sees masks and spans only.
//
// The scalar table here is the reference: every kernel must give exactly the masks that
// ClassifyBlockScalar() gives (tests/tokens/kernels_test.cc, tokens_fuzzer.cc).
#ifndef TRAWL_SRC_TOKENS_BYTE_CLASSES_H_
#define TRAWL_SRC_TOKENS_BYTE_CLASSES_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace trawl::tokens {

inline constexpr size_t kBlockBytes = 64;

// One mask per class the triggers use. Derived classes (hex = digit | hex_alpha, alnum =
// digit | alpha, ...) are formed from these by the callers.
struct BlockMasks {
  uint64_t digit = 0;        // 0-9
  uint64_t hex_alpha = 0;    // A-F a-f
  uint64_t alpha = 0;        // A-Z a-z
  uint64_t upper = 0;        // A-Z
  uint64_t dot = 0;          // .
  uint64_t dash = 0;         // -
  uint64_t colon = 0;        // :
  uint64_t at = 0;           // @
  uint64_t plus = 0;         // +
  uint64_t slash = 0;        // /
  bool operator==(const BlockMasks&) const = default;
};

// Per-byte class bits of the scalar reference: one bit per BlockMasks member, in order,
// then the classes only the span cutters look at (byte by byte, never as masks).
enum ByteClass : uint16_t {
  kClassDigit = 1u << 0,
  kClassHexAlpha = 1u << 1,
  kClassAlpha = 1u << 2,
  kClassUpper = 1u << 3,
  kClassDot = 1u << 4,
  kClassDash = 1u << 5,
  kClassColon = 1u << 6,
  kClassAt = 1u << 7,
  kClassPlus = 1u << 8,
  kClassSlash = 1u << 9,
  kMaskedClasses = (1u << 10) - 1,  // the bits above
  kClassUnderscore = 1u << 10,
};

constexpr std::array<uint16_t, 256> MakeClassTable() {
  std::array<uint16_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] |= kClassDigit;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kClassAlpha | kClassUpper;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kClassAlpha;
  for (int c = 'A'; c <= 'F'; ++c) t[c] |= kClassHexAlpha;
  for (int c = 'a'; c <= 'f'; ++c) t[c] |= kClassHexAlpha;
  t['.'] |= kClassDot;
  t['-'] |= kClassDash;
  t[':'] |= kClassColon;
  t['@'] |= kClassAt;
  t['_'] |= kClassUnderscore;
  t['+'] |= kClassPlus;
  t['/'] |= kClassSlash;
  return t;
}

inline constexpr std::array<uint16_t, 256> kClassTable = MakeClassTable();

inline uint16_t ClassOf(char c) { return kClassTable[static_cast<unsigned char>(c)]; }
inline bool IsDigit(char c) { return ClassOf(c) & kClassDigit; }
inline bool IsAlpha(char c) { return ClassOf(c) & kClassAlpha; }
inline bool IsUpper(char c) { return ClassOf(c) & kClassUpper; }
inline bool IsAlnum(char c) { return ClassOf(c) & (kClassDigit | kClassAlpha); }
inline bool IsHex(char c) { return ClassOf(c) & (kClassDigit | kClassHexAlpha); }
// A regex word character (\w in the ASCII sense): what `\b` looks at.
inline bool IsWord(char c) { return ClassOf(c) & (kClassDigit | kClassAlpha | kClassUnderscore); }

// The reference classification of one 64-byte block.
inline BlockMasks ClassifyBlockScalar(const uint8_t* block) {
  BlockMasks m;
  uint64_t* const fields[] = {&m.digit, &m.hex_alpha, &m.alpha, &m.upper, &m.dot,
                              &m.dash,  &m.colon,     &m.at,    &m.plus,  &m.slash};
  for (size_t i = 0; i < kBlockBytes; ++i) {
    uint32_t bits = kClassTable[block[i]] & kMaskedClasses;
    while (bits != 0) {
      const int k = __builtin_ctz(bits);
      *fields[k] |= uint64_t{1} << i;
      bits &= bits - 1;
    }
  }
  return m;
}

}  // namespace trawl::tokens

#endif  // TRAWL_SRC_TOKENS_BYTE_CLASSES_H_
