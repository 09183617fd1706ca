// File: byte_masks.cc
// The scalar reference, the AVX2 and AVX-512BW kernels (each function carries its own
// target attribute, so the file builds with the baseline flags and nothing here runs
// unless CPUID says the instructions are there), and the run-time choice.
//
// Classes by compares: letters as ((b | 0x20) - 'a') < 26 unsigned (the OR folds case;
// bytes >= 0x80 and the punctuation next to the letters land outside the range), digits
// as (b - '0') < 10, the rest by equality.
#include "structure/internal/byte_masks.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "util/cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TRAWL_STRUCTURE_X86 1
#endif

namespace trawl::internal {
namespace {

// The scalar kernel of a one-class mask: the reference the SIMD kernels are tested against.
template <bool (*kInClass)(uint8_t)>
void ClassScalar(const uint8_t* data, size_t blocks, uint64_t* out) {
  for (size_t b = 0; b < blocks; ++b) {
    uint64_t m = 0;
    for (size_t i = 0; i < kMaskBlockBytes; ++i) {
      m |= uint64_t{kInClass(data[b * kMaskBlockBytes + i])} << i;
    }
    out[b] = m;
  }
}

void AlphabetScalar(const uint8_t* data, size_t blocks, uint64_t* out) {
  ClassScalar<IsAlphabetByte>(data, blocks, out);
}

void LineBreaksScalar(const uint8_t* data, size_t blocks, uint64_t* lf, uint64_t* cr) {
  for (size_t b = 0; b < blocks; ++b) {
    uint64_t l = 0, c = 0;
    for (size_t i = 0; i < kMaskBlockBytes; ++i) {
      l |= uint64_t{data[b * kMaskBlockBytes + i] == '\n'} << i;
      c |= uint64_t{data[b * kMaskBlockBytes + i] == '\r'} << i;
    }
    lf[b] = l;
    cr[b] = c;
  }
}

void SignatureLeadsScalar(const uint8_t* data, size_t blocks, uint64_t* out) {
  ClassScalar<IsSignatureLeadByte>(data, blocks, out);
}

void DefangLeadsScalar(const uint8_t* data, size_t blocks, uint64_t* out) {
  ClassScalar<IsDefangLeadByte>(data, blocks, out);
}

void EncodingScalar(const uint8_t* data, size_t blocks, uint64_t* nul, uint64_t* control) {
  for (size_t b = 0; b < blocks; ++b) {
    uint64_t n = 0, c = 0;
    for (size_t i = 0; i < kMaskBlockBytes; ++i) {
      n |= uint64_t{data[b * kMaskBlockBytes + i] == 0} << i;
      c |= uint64_t{IsEncodingControlByte(data[b * kMaskBlockBytes + i])} << i;
    }
    nul[b] = n;
    control[b] = c;
  }
}

bool Always() { return true; }

#if TRAWL_STRUCTURE_X86

// The signature lead bytes (IsSignatureLeadByte), for the compare kernels.
constexpr uint8_t kSignatureLeads[] = {'P', 0x1F, '7', 0xFD, 'B', '%', 0x7F, 'M', 0x89, 0xFF, 'u'};

// Unsigned x < limit: min(x, limit - 1) == x.
__attribute__((target("avx2"))) inline __m256i Below(__m256i x, char limit_minus_one) {
  const __m256i l = _mm256_set1_epi8(limit_minus_one);
  return _mm256_cmpeq_epi8(_mm256_min_epu8(x, l), x);
}

__attribute__((target("avx2"))) inline __m256i Equal(__m256i x, char c) {
  return _mm256_cmpeq_epi8(x, _mm256_set1_epi8(c));
}

__attribute__((target("avx2"))) inline uint64_t Bits(__m256i m) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(m));
}

__attribute__((target("avx2"))) inline uint64_t AlphabetHalf(__m256i v) {
  const __m256i letter =
      Below(_mm256_sub_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a')), 25);
  const __m256i digit = Below(_mm256_sub_epi8(v, _mm256_set1_epi8('0')), 9);
  const __m256i punct = _mm256_or_si256(_mm256_or_si256(Equal(v, '+'), Equal(v, '/')),
                                        _mm256_or_si256(Equal(v, '-'), Equal(v, '_')));
  return Bits(_mm256_or_si256(_mm256_or_si256(letter, digit), punct));
}

__attribute__((target("avx2"))) void AlphabetAvx2(const uint8_t* data, size_t blocks,
                                                  uint64_t* out) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = data + b * kMaskBlockBytes;
    const uint64_t lo = AlphabetHalf(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    const uint64_t hi = AlphabetHalf(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)));
    out[b] = lo | (hi << 32);
  }
}

__attribute__((target("avx2"))) void LineBreaksAvx2(const uint8_t* data, size_t blocks,
                                                    uint64_t* lf, uint64_t* cr) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = data + b * kMaskBlockBytes;
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    lf[b] = Bits(Equal(lo, '\n')) | (Bits(Equal(hi, '\n')) << 32);
    cr[b] = Bits(Equal(lo, '\r')) | (Bits(Equal(hi, '\r')) << 32);
  }
}

__attribute__((target("avx2"))) void SignatureLeadsAvx2(const uint8_t* data, size_t blocks,
                                                        uint64_t* out) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = data + b * kMaskBlockBytes;
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    __m256i mlo = _mm256_setzero_si256(), mhi = _mm256_setzero_si256();
    for (const uint8_t c : kSignatureLeads) {
      mlo = _mm256_or_si256(mlo, Equal(lo, static_cast<char>(c)));
      mhi = _mm256_or_si256(mhi, Equal(hi, static_cast<char>(c)));
    }
    out[b] = Bits(mlo) | (Bits(mhi) << 32);
  }
}

__attribute__((target("avx2"))) void DefangLeadsAvx2(const uint8_t* data, size_t blocks,
                                                     uint64_t* out) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = data + b * kMaskBlockBytes;
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    // 'x' and 'X' differ in the 0x20 bit alone.
    const __m256i k20 = _mm256_set1_epi8(0x20);
    const __m256i mlo = _mm256_or_si256(Equal(lo, '['), Equal(_mm256_or_si256(lo, k20), 'x'));
    const __m256i mhi = _mm256_or_si256(Equal(hi, '['), Equal(_mm256_or_si256(hi, k20), 'x'));
    out[b] = Bits(mlo) | (Bits(mhi) << 32);
  }
}

// The control bytes of IsEncodingControlByte: below 0x20 but the six allowed, or DEL.
constexpr char kAllowedLowBytes[] = {0, '\t', '\n', '\r', '\f', 0x1b};

__attribute__((target("avx2"))) void EncodingAvx2(const uint8_t* data, size_t blocks,
                                                  uint64_t* nul, uint64_t* control) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = data + b * kMaskBlockBytes;
    uint64_t n = 0, c = 0;
    for (int half = 0; half < 2; ++half) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * half));
      __m256i allowed = _mm256_setzero_si256();
      for (const char a : kAllowedLowBytes) allowed = _mm256_or_si256(allowed, Equal(v, a));
      const __m256i low = _mm256_andnot_si256(allowed, Below(v, 0x1f));
      n |= Bits(Equal(v, 0)) << (32 * half);
      c |= Bits(_mm256_or_si256(low, Equal(v, 0x7f))) << (32 * half);
    }
    nul[b] = n;
    control[b] = c;
  }
}

__attribute__((target("avx512f,avx512bw"))) void EncodingAvx512(const uint8_t* data,
                                                                size_t blocks, uint64_t* nul,
                                                                uint64_t* control) {
  const __m512i k20 = _mm512_set1_epi8(0x20), kdel = _mm512_set1_epi8(0x7f);
  for (size_t b = 0; b < blocks; ++b) {
    const __m512i v = _mm512_loadu_si512(data + b * kMaskBlockBytes);
    uint64_t allowed = 0;
    for (const char a : kAllowedLowBytes) allowed |= _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(a));
    nul[b] = _mm512_cmpeq_epi8_mask(v, _mm512_setzero_si512());
    control[b] = (_mm512_cmplt_epu8_mask(v, k20) & ~allowed) | _mm512_cmpeq_epi8_mask(v, kdel);
  }
}

__attribute__((target("avx512f,avx512bw"))) void DefangLeadsAvx512(const uint8_t* data,
                                                                   size_t blocks,
                                                                   uint64_t* out) {
  const __m512i kbracket = _mm512_set1_epi8('['), kx = _mm512_set1_epi8('x');
  const __m512i k20 = _mm512_set1_epi8(0x20);
  for (size_t b = 0; b < blocks; ++b) {
    const __m512i v = _mm512_loadu_si512(data + b * kMaskBlockBytes);
    out[b] = _mm512_cmpeq_epi8_mask(v, kbracket) |
             _mm512_cmpeq_epi8_mask(_mm512_or_si512(v, k20), kx);
  }
}

__attribute__((target("avx512f,avx512bw"))) void SignatureLeadsAvx512(const uint8_t* data,
                                                                      size_t blocks,
                                                                      uint64_t* out) {
  for (size_t b = 0; b < blocks; ++b) {
    const __m512i v = _mm512_loadu_si512(data + b * kMaskBlockBytes);
    uint64_t m = 0;
    for (const uint8_t c : kSignatureLeads) {
      m |= _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(c)));
    }
    out[b] = m;
  }
}

__attribute__((target("avx512f,avx512bw"))) void AlphabetAvx512(const uint8_t* data,
                                                                size_t blocks, uint64_t* out) {
  const __m512i k20 = _mm512_set1_epi8(0x20), ka = _mm512_set1_epi8('a');
  const __m512i k0 = _mm512_set1_epi8('0'), k10 = _mm512_set1_epi8(10);
  const __m512i k26 = _mm512_set1_epi8(26);
  const __m512i kplus = _mm512_set1_epi8('+'), kslash = _mm512_set1_epi8('/');
  const __m512i kdash = _mm512_set1_epi8('-'), kunder = _mm512_set1_epi8('_');
  for (size_t b = 0; b < blocks; ++b) {
    const __m512i v = _mm512_loadu_si512(data + b * kMaskBlockBytes);
    const __m512i la = _mm512_sub_epi8(_mm512_or_si512(v, k20), ka);
    out[b] = _mm512_cmplt_epu8_mask(la, k26) | _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, k0), k10) |
             _mm512_cmpeq_epi8_mask(v, kplus) | _mm512_cmpeq_epi8_mask(v, kslash) |
             _mm512_cmpeq_epi8_mask(v, kdash) | _mm512_cmpeq_epi8_mask(v, kunder);
  }
}

__attribute__((target("avx512f,avx512bw"))) void LineBreaksAvx512(const uint8_t* data,
                                                                  size_t blocks, uint64_t* lf,
                                                                  uint64_t* cr) {
  const __m512i klf = _mm512_set1_epi8('\n'), kcr = _mm512_set1_epi8('\r');
  for (size_t b = 0; b < blocks; ++b) {
    const __m512i v = _mm512_loadu_si512(data + b * kMaskBlockBytes);
    lf[b] = _mm512_cmpeq_epi8_mask(v, klf);
    cr[b] = _mm512_cmpeq_epi8_mask(v, kcr);
  }
}

#else  // not x86-64: the SIMD kernels are never selected

void AlphabetAvx2(const uint8_t* data, size_t blocks, uint64_t* out) {
  AlphabetScalar(data, blocks, out);
}
void LineBreaksAvx2(const uint8_t* data, size_t blocks, uint64_t* lf, uint64_t* cr) {
  LineBreaksScalar(data, blocks, lf, cr);
}
void AlphabetAvx512(const uint8_t* data, size_t blocks, uint64_t* out) {
  AlphabetScalar(data, blocks, out);
}
void LineBreaksAvx512(const uint8_t* data, size_t blocks, uint64_t* lf, uint64_t* cr) {
  LineBreaksScalar(data, blocks, lf, cr);
}
void SignatureLeadsAvx2(const uint8_t* data, size_t blocks, uint64_t* out) {
  SignatureLeadsScalar(data, blocks, out);
}
void SignatureLeadsAvx512(const uint8_t* data, size_t blocks, uint64_t* out) {
  SignatureLeadsScalar(data, blocks, out);
}
void DefangLeadsAvx2(const uint8_t* data, size_t blocks, uint64_t* out) {
  DefangLeadsScalar(data, blocks, out);
}
void DefangLeadsAvx512(const uint8_t* data, size_t blocks, uint64_t* out) {
  DefangLeadsScalar(data, blocks, out);
}
void EncodingAvx2(const uint8_t* data, size_t blocks, uint64_t* nul, uint64_t* control) {
  EncodingScalar(data, blocks, nul, control);
}
void EncodingAvx512(const uint8_t* data, size_t blocks, uint64_t* nul, uint64_t* control) {
  EncodingScalar(data, blocks, nul, control);
}

#endif

constexpr ByteMaskKernel kKernels[] = {
    {"scalar", AlphabetScalar, LineBreaksScalar, Always, SignatureLeadsScalar, DefangLeadsScalar,
     EncodingScalar},
    {"avx2", AlphabetAvx2, LineBreaksAvx2, CpuHasAvx2, SignatureLeadsAvx2, DefangLeadsAvx2,
     EncodingAvx2},
    {"avx512", AlphabetAvx512, LineBreaksAvx512, CpuHasAvx512Bw, SignatureLeadsAvx512,
     DefangLeadsAvx512, EncodingAvx512},
};

}  // namespace

std::span<const ByteMaskKernel> AllByteMaskKernels() { return kKernels; }

const ByteMaskKernel& SelectedByteMaskKernel() {
  static const ByteMaskKernel& chosen = FastestSupported(AllByteMaskKernels());
  return chosen;
}

namespace {

// Runs `classify(bytes, blocks, index)` over blocks [first, first + blocks) of `data`:
// the whole blocks in place, the final partial one from a copy padded with NULs (a NUL
// is in no class).
template <typename Classify>
void ForBlocks(std::string_view data, size_t first, size_t blocks, Classify classify) {
  const size_t whole_total = data.size() / kMaskBlockBytes;
  const size_t whole = first < whole_total ? std::min(blocks, whole_total - first) : 0;
  const auto* base = reinterpret_cast<const uint8_t*>(data.data()) + first * kMaskBlockBytes;
  if (whole > 0) classify(base, whole, size_t{0});
  if (whole < blocks) {
    uint8_t tail[kMaskBlockBytes] = {};
    std::memcpy(tail, base + whole * kMaskBlockBytes, data.size() % kMaskBlockBytes);
    classify(tail, size_t{1}, whole);
  }
}

}  // namespace

void LineBreakMasks(std::string_view data, size_t first, size_t blocks, uint64_t* lf,
                    uint64_t* cr, const ByteMaskKernel& kernel) {
  ForBlocks(data, first, blocks, [&](const uint8_t* bytes, size_t count, size_t index) {
    kernel.line_breaks(bytes, count, lf + index, cr + index);
  });
}

void SignatureLeadMasks(std::string_view data, size_t first, size_t blocks, uint64_t* out,
                        const ByteMaskKernel& kernel) {
  ForBlocks(data, first, blocks, [&](const uint8_t* bytes, size_t count, size_t index) {
    kernel.signature_leads(bytes, count, out + index);
  });
}

void DefangLeadMasks(std::string_view data, size_t first, size_t blocks, uint64_t* out,
                     const ByteMaskKernel& kernel) {
  ForBlocks(data, first, blocks, [&](const uint8_t* bytes, size_t count, size_t index) {
    kernel.defang_leads(bytes, count, out + index);
  });
}

void AlphabetMasks::Fill(size_t block) {
  first_ = block;
  count_ = kBatch;
  std::fill(masks_, masks_ + kBatch, uint64_t{0});
  const size_t total = (data_.size() + kMaskBlockBytes - 1) / kMaskBlockBytes;
  if (block >= total) return;
  ForBlocks(data_, block, std::min(kBatch, total - block),
            [&](const uint8_t* bytes, size_t count, size_t index) {
              kernel_.alphabet(bytes, count, masks_ + index);
            });
}

namespace {

constexpr uint64_t kEvenBits = 0x5555555555555555ull;

[[gnu::always_inline]] inline void AddEncodingCounts(const uint64_t* nul, const uint64_t* control,
                                                     size_t count, ByteCounts* out) {
  for (size_t b = 0; b < count; ++b) {
    out->nul_even += static_cast<size_t>(std::popcount(nul[b] & kEvenBits));
    out->nul_odd += static_cast<size_t>(std::popcount(nul[b] & ~kEvenBits));
    out->control += static_cast<size_t>(std::popcount(control[b]));
  }
}

// In baseline x86-64 code std::popcount is a call into libgcc (0.5 % of a whole
// package's analysis), so the counts take the instruction where the CPU has it.
#if defined(__x86_64__)
[[gnu::target("popcnt")]] void AddEncodingCountsPopcnt(const uint64_t* nul,
                                                       const uint64_t* control, size_t count,
                                                       ByteCounts* out) {
  AddEncodingCounts(nul, control, count, out);
}
const bool kHasPopcnt = CpuHasPopcnt();
#endif

}  // namespace

// One NUL and one control mask per 64-byte block, popcounts by parity: it is a walk of
// every component's sample (issue 22). The final partial block is counted byte by byte, since
// padding would read as NULs.
ByteCounts CountEncodingBytes(std::string_view sample, const ByteMaskKernel& kernel) {
  constexpr size_t kBatch = 64;
  const auto* p = reinterpret_cast<const uint8_t*>(sample.data());
  const size_t blocks = sample.size() / kMaskBlockBytes;
  ByteCounts out;
  uint64_t nul[kBatch], control[kBatch];
  for (size_t first = 0; first < blocks; first += kBatch) {
    const size_t count = std::min(kBatch, blocks - first);
    kernel.encoding(p + first * kMaskBlockBytes, count, nul, control);
#if defined(__x86_64__)
    if (kHasPopcnt) {
      AddEncodingCountsPopcnt(nul, control, count, &out);
      continue;
    }
#endif
    AddEncodingCounts(nul, control, count, &out);
  }
  // A block is 64 bytes, so offsets past the whole blocks keep their parity.
  for (size_t i = blocks * kMaskBlockBytes; i < sample.size(); ++i) {
    if (p[i] == 0) {
      ++(i % 2 == 0 ? out.nul_even : out.nul_odd);
    } else if (IsEncodingControlByte(p[i])) {
      ++out.control;
    }
  }
  return out;
}

}  // namespace trawl::internal
