// File: kernel_x86.cc
// AVX2 and AVX-512BW kernels: classification by compares, and the trigger arithmetic of
// batch.h compiled (and vectorized) for each instruction set. Each function carries its
// own target attribute, so this file builds with the project's baseline flags and nothing
// here runs unless CPUID says the instructions (and the OS state for them) are there.
//
// Classes by compares: digits as (b - '0') < 10 unsigned; letters as ((b | 0x20) - 'a') <
// 26 (the OR folds case; bytes >= 0x80 and the punctuation next to the letters land
// outside the range); hex letters as the same difference < 6; the rest by equality.
#include "tokens/kernels.h"

#include "util/cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TRAWL_TOKENS_X86 1
#endif

namespace trawl::tokens::internal {

#if TRAWL_TOKENS_X86

bool HasAvx2() { return CpuHasAvx2(); }

bool HasAvx512() { return CpuHasAvx512Bw(); }

namespace {

__attribute__((target("avx2"))) inline uint32_t Below(__m256i x, __m256i limit_minus_one) {
  // Unsigned x < limit: min(x, limit - 1) == x.
  return static_cast<uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(x, limit_minus_one), x)));
}

__attribute__((target("avx2"))) inline uint32_t Equal(__m256i x, __m256i c) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, c)));
}

struct Half {
  uint32_t digit, hex_alpha, alpha, upper, dot, dash, colon, at, plus, slash;
};

__attribute__((target("avx2"))) inline Half ClassifyHalf(__m256i v) {
  const __m256i la = _mm256_sub_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)),
                                     _mm256_set1_epi8('a'));
  Half h;
  h.digit = Below(_mm256_sub_epi8(v, _mm256_set1_epi8('0')), _mm256_set1_epi8(9));
  h.alpha = Below(la, _mm256_set1_epi8(25));
  h.hex_alpha = Below(la, _mm256_set1_epi8(5));
  h.upper = Below(_mm256_sub_epi8(v, _mm256_set1_epi8('A')), _mm256_set1_epi8(25));
  h.dot = Equal(v, _mm256_set1_epi8('.'));
  h.dash = Equal(v, _mm256_set1_epi8('-'));
  h.colon = Equal(v, _mm256_set1_epi8(':'));
  h.at = Equal(v, _mm256_set1_epi8('@'));
  h.plus = Equal(v, _mm256_set1_epi8('+'));
  h.slash = Equal(v, _mm256_set1_epi8('/'));
  return h;
}

inline uint64_t Join(uint32_t lo, uint32_t hi) { return uint64_t{lo} | (uint64_t{hi} << 32); }

}  // namespace

__attribute__((target("avx2"))) void ClassifyAvx2(const uint8_t* data, size_t blocks,
                                                  BatchMasks* out) {
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t* p = data + b * kBlockBytes;
    const Half lo = ClassifyHalf(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    const Half hi = ClassifyHalf(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)));
    const size_t e = b + 1;
    out->digit[e] = Join(lo.digit, hi.digit);
    out->hex_alpha[e] = Join(lo.hex_alpha, hi.hex_alpha);
    out->alpha[e] = Join(lo.alpha, hi.alpha);
    out->upper[e] = Join(lo.upper, hi.upper);
    out->dot[e] = Join(lo.dot, hi.dot);
    out->dash[e] = Join(lo.dash, hi.dash);
    out->colon[e] = Join(lo.colon, hi.colon);
    out->at[e] = Join(lo.at, hi.at);
    out->plus[e] = Join(lo.plus, hi.plus);
    out->slash[e] = Join(lo.slash, hi.slash);
  }
}

__attribute__((target("avx2"))) void TriggersAvx2(BatchMasks& masks, const TriggerWants& want,
                                                  size_t blocks, BatchTriggers& out) {
  ComputeTriggers(masks, want, blocks, out);
}

__attribute__((target("avx512f,avx512bw"))) void ClassifyAvx512(const uint8_t* data,
                                                                 size_t blocks,
                                                                 BatchMasks* out) {
  const __m512i k20 = _mm512_set1_epi8(0x20);
  const __m512i ka = _mm512_set1_epi8('a');
  const __m512i kA = _mm512_set1_epi8('A');
  const __m512i k0 = _mm512_set1_epi8('0');
  const __m512i k10 = _mm512_set1_epi8(10);
  const __m512i k26 = _mm512_set1_epi8(26);
  const __m512i k6 = _mm512_set1_epi8(6);
  for (size_t b = 0; b < blocks; ++b) {
    const __m512i v = _mm512_loadu_si512(data + b * kBlockBytes);
    const __m512i la = _mm512_sub_epi8(_mm512_or_si512(v, k20), ka);
    const size_t e = b + 1;
    out->digit[e] = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, k0), k10);
    out->alpha[e] = _mm512_cmplt_epu8_mask(la, k26);
    out->hex_alpha[e] = _mm512_cmplt_epu8_mask(la, k6);
    out->upper[e] = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, kA), k26);
    out->dot[e] = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('.'));
    out->dash[e] = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('-'));
    out->colon[e] = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(':'));
    out->at[e] = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('@'));
    out->plus[e] = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('+'));
    out->slash[e] = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('/'));
  }
}

__attribute__((target("avx512f,avx512bw"))) void TriggersAvx512(BatchMasks& masks,
                                                                 const TriggerWants& want,
                                                                 size_t blocks,
                                                                 BatchTriggers& out) {
  ComputeTriggers(masks, want, blocks, out);
}

#else  // not x86-64: the SIMD kernels are never selected

bool HasAvx2() { return false; }
bool HasAvx512() { return false; }
void ClassifyAvx2(const uint8_t* data, size_t blocks, BatchMasks* out) {
  ClassifyScalar(data, blocks, out);
}
void ClassifyAvx512(const uint8_t* data, size_t blocks, BatchMasks* out) {
  ClassifyScalar(data, blocks, out);
}
void TriggersAvx2(BatchMasks& masks, const TriggerWants& want, size_t blocks,
                  BatchTriggers& out) {
  TriggersScalar(masks, want, blocks, out);
}
void TriggersAvx512(BatchMasks& masks, const TriggerWants& want, size_t blocks,
                    BatchTriggers& out) {
  TriggersScalar(masks, want, blocks, out);
}

#endif

}  // namespace trawl::tokens::internal
