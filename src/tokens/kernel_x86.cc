// File: kernel_x86.cc
// AVX2 and AVX-512BW kernels: classification by compares, and the trigger arithmetic of
// batch.h, compiled (and vectorized) for AVX2 and written with intrinsics for AVX-512.
// Each function carries its own target attribute, so this file builds with the project's
// baseline flags and nothing here runs unless CPUID says the instructions (and the OS
// state for them) are there.
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

namespace {

// ComputeTriggers() (batch.h) by hand, eight blocks per vector: the same arithmetic, but
// the entries before a vector's (PrevK's `prev`) come from the previous vector in a
// register (valignq) instead of an unaligned load of what the loop before has just stored.
// Those loads straddle two recent stores, which the store buffer cannot forward, and the
// compiled loops waited on them more than they computed.

// Entries i - 1 for the entries i of `cur`: the last entry of `last`, then cur's first seven.
__attribute__((target("avx512f"))) inline __m512i Before(__m512i cur, __m512i last) {
  // (The zero-masked forms: GCC 12's unmasked ones warn of an uninitialized operand of
  // their own, GCC bug 105593; with every lane selected they are the same instruction.)
  return _mm512_maskz_alignr_epi64(0xFF, cur, last, 7);
}

// PrevK (batch.h) per entry: bit i = bit i - k, the entry before's top k bits at the bottom.
template <unsigned K>
__attribute__((target("avx512f"))) inline __m512i ShiftIn(__m512i cur, __m512i before) {
  return _mm512_or_si512(_mm512_maskz_slli_epi64(0xFF, cur, K),
                         _mm512_maskz_srli_epi64(0xFF, before, 64 - K));
}

// A class, its vector of eight entries and that of the eight before (register carried).
// Made with `cur` holding entry 0 in its last lane: the first Next() moves it to `last`.
struct Carried {
  __m512i cur, last;
  __attribute__((target("avx512f"))) __m512i Prev() const { return Before(cur, last); }
  __attribute__((target("avx512f"))) void Next(__m512i value) {
    last = cur;
    cur = value;
  }
};

__attribute__((target("avx512f"))) inline __m512i Load(const uint64_t* a, size_t i) {
  return _mm512_loadu_si512(a + i);
}
__attribute__((target("avx512f"))) inline void Store(uint64_t* a, size_t i, __m512i v) {
  _mm512_storeu_si512(a + i, v);
}
__attribute__((target("avx512f"))) inline __m512i Entry0(uint64_t v) {
  return _mm512_set1_epi64(static_cast<long long>(v));
}

// Bits 8j..8j+7: which of the eight entries have a trigger.
__attribute__((target("avx512f"))) inline uint64_t BlocksOf(__m512i triggers, size_t j) {
  return uint64_t{_mm512_test_epi64_mask(triggers, triggers)} << (8 * j);
}

}  // namespace

__attribute__((target("avx512f,avx512bw"))) void TriggersAvx512(BatchMasks& __restrict m,
                                                                 const TriggerWants& want,
                                                                 size_t blocks,
                                                                 BatchTriggers& __restrict t) {
  // The entry before the batch (entry 0) as the last vector's last lane.
  const uint64_t hexish0 = m.digit[0] | m.hex_alpha[0] | m.dash[0] | m.dot[0];
  const uint64_t alnum0 = m.digit[0] | m.alpha[0];
  Carried digit{Entry0(m.digit[0]), {}}, upper{Entry0(m.upper[0]), {}},
      dot{Entry0(m.dot[0]), {}}, colon{Entry0(m.colon[0]), {}}, plus{Entry0(m.plus[0]), {}},
      slash{Entry0(m.slash[0]), {}}, alpha{Entry0(m.alpha[0]), {}},
      hex_colon{Entry0(m.digit[0] | m.hex_alpha[0] | m.colon[0]), {}},
      hexish{Entry0(hexish0), {}}, alnum{Entry0(alnum0), {}},
      hexish2{Entry0(t.hexish2[0]), {}}, hexish4{Entry0(t.hexish4[0]), {}},
      hexish8{Entry0(t.hexish8[0]), {}}, alnum2{Entry0(t.alnum2[0]), {}},
      alnum4{Entry0(t.alnum4[0]), {}}, alnum8{Entry0(t.alnum8[0]), {}},
      dot_digit{Entry0(t.dot_digit[0]), {}}, two_octets{Entry0(t.two_octets[0]), {}};
  const __m512i want_email = Entry0(want.email), want_url = Entry0(want.url),
                want_colon = Entry0(want.colon), want_digit = Entry0(want.digit),
                want_iban = Entry0(want.iban), want_domain = Entry0(want.domain),
                want_ipv4 = Entry0(want.ipv4), want_hex = Entry0(want.hex_runs),
                want_word = Entry0(want.word);
  uint64_t busy = 0, at_blocks = 0, hex_blocks = 0, colon_blocks = 0, dotted_blocks = 0,
           digit_blocks = 0, iban_blocks = 0, word_blocks = 0, url_blocks = 0;
  for (size_t j = 0; j < kBatchBlocks / 8; ++j) {
    const size_t i = 1 + 8 * j;
    const __m512i hex_alpha = Load(m.hex_alpha, i), dash = Load(m.dash, i), at = Load(m.at, i);
    digit.Next(Load(m.digit, i));
    upper.Next(Load(m.upper, i));
    dot.Next(Load(m.dot, i));
    colon.Next(Load(m.colon, i));
    plus.Next(Load(m.plus, i));
    slash.Next(Load(m.slash, i));
    alpha.Next(Load(m.alpha, i));
    const __m512i hex = _mm512_or_si512(digit.cur, hex_alpha);
    hex_colon.Next(_mm512_or_si512(hex, colon.cur));
    hexish.Next(_mm512_or_si512(hex, _mm512_or_si512(dash, dot.cur)));
    alnum.Next(_mm512_or_si512(digit.cur, alpha.cur));
    const __m512i pdigit = digit.Prev(), pupper = upper.Prev(), pdot = dot.Prev();

    const __m512i t_at = _mm512_and_si512(at, want_email);
    const __m512i t_url = _mm512_and_si512(
        _mm512_and_si512(slash.cur, ShiftIn<1>(slash.cur, slash.Prev())),
        _mm512_and_si512(ShiftIn<2>(colon.cur, colon.Prev()), want_url));
    const __m512i t_colon = _mm512_and_si512(
        _mm512_and_si512(colon.cur, ShiftIn<1>(hex_colon.cur, hex_colon.Prev())), want_colon);
    const __m512i digit_1 = ShiftIn<1>(digit.cur, pdigit);
    const __m512i digit_2 = ShiftIn<2>(digit.cur, pdigit);
    const __m512i t_digit = _mm512_and_si512(
        _mm512_and_si512(digit.cur, _mm512_or_si512(_mm512_and_si512(digit_1, digit_2),
                                                    ShiftIn<1>(plus.cur, plus.Prev()))),
        want_digit);
    const __m512i t_iban = _mm512_and_si512(
        _mm512_and_si512(_mm512_and_si512(digit.cur, digit_1),
                         _mm512_and_si512(ShiftIn<2>(upper.cur, pupper),
                                          ShiftIn<3>(upper.cur, pupper))),
        want_iban);
    dot_digit.Next(
        _mm512_and_si512(_mm512_and_si512(digit.cur, ShiftIn<1>(dot.cur, pdot)), digit_2));
    __m512i t_dotted = _mm512_and_si512(
        _mm512_and_si512(_mm512_and_si512(alpha.cur, ShiftIn<1>(alpha.cur, alpha.Prev())),
                         _mm512_and_si512(ShiftIn<2>(dot.cur, pdot),
                                          ShiftIn<3>(alnum.cur, alnum.Prev()))),
        want_domain);
    hexish2.Next(_mm512_and_si512(hexish.cur, ShiftIn<1>(hexish.cur, hexish.Prev())));
    alnum2.Next(_mm512_and_si512(alnum.cur, ShiftIn<1>(alnum.cur, alnum.Prev())));
    hexish4.Next(_mm512_and_si512(hexish2.cur, ShiftIn<2>(hexish2.cur, hexish2.Prev())));
    alnum4.Next(_mm512_and_si512(alnum2.cur, ShiftIn<2>(alnum2.cur, alnum2.Prev())));
    const __m512i pdd = dot_digit.Prev();
    two_octets.Next(_mm512_and_si512(
        dot_digit.cur,
        _mm512_or_si512(_mm512_or_si512(ShiftIn<2>(dot_digit.cur, pdd),
                                        ShiftIn<3>(dot_digit.cur, pdd)),
                        ShiftIn<4>(dot_digit.cur, pdd))));
    hexish8.Next(_mm512_and_si512(hexish4.cur, ShiftIn<4>(hexish4.cur, hexish4.Prev())));
    alnum8.Next(_mm512_and_si512(alnum4.cur, ShiftIn<4>(alnum4.cur, alnum4.Prev())));
    const __m512i pto = two_octets.Prev();
    t_dotted = _mm512_or_si512(
        t_dotted,
        _mm512_and_si512(
            _mm512_and_si512(dot_digit.cur, want_ipv4),
            _mm512_or_si512(_mm512_or_si512(ShiftIn<2>(two_octets.cur, pto),
                                            ShiftIn<3>(two_octets.cur, pto)),
                            ShiftIn<4>(two_octets.cur, pto))));
    const __m512i t_hex = _mm512_and_si512(
        _mm512_and_si512(hexish8.cur, ShiftIn<6>(hexish8.cur, hexish8.Prev())), want_hex);
    const __m512i t_word = _mm512_and_si512(
        _mm512_and_si512(alnum8.cur, ShiftIn<6>(alnum8.cur, alnum8.Prev())), want_word);
    const __m512i any = _mm512_or_si512(
        _mm512_or_si512(_mm512_or_si512(t_at, t_hex), _mm512_or_si512(t_colon, t_dotted)),
        _mm512_or_si512(_mm512_or_si512(t_digit, t_iban), _mm512_or_si512(t_word, t_url)));
    Store(t.at, i, t_at);
    Store(t.hex, i, t_hex);
    Store(t.colon, i, t_colon);
    Store(t.dotted, i, t_dotted);
    Store(t.digit, i, t_digit);
    Store(t.iban, i, t_iban);
    Store(t.word, i, t_word);
    Store(t.url, i, t_url);
    Store(t.any, i, any);
    // The carried steps, for entry `blocks` to become the next batch's entry 0.
    Store(t.hexish2, i, hexish2.cur);
    Store(t.hexish4, i, hexish4.cur);
    Store(t.hexish8, i, hexish8.cur);
    Store(t.alnum2, i, alnum2.cur);
    Store(t.alnum4, i, alnum4.cur);
    Store(t.alnum8, i, alnum8.cur);
    Store(t.dot_digit, i, dot_digit.cur);
    Store(t.two_octets, i, two_octets.cur);
    busy |= BlocksOf(any, j);
    at_blocks |= BlocksOf(t_at, j);
    hex_blocks |= BlocksOf(t_hex, j);
    colon_blocks |= BlocksOf(t_colon, j);
    dotted_blocks |= BlocksOf(t_dotted, j);
    digit_blocks |= BlocksOf(t_digit, j);
    iban_blocks |= BlocksOf(t_iban, j);
    word_blocks |= BlocksOf(t_word, j);
    url_blocks |= BlocksOf(t_url, j);
  }
  SetBusy(t, blocks, busy, at_blocks, hex_blocks, colon_blocks, dotted_blocks, digit_blocks,
          iban_blocks, word_blocks, url_blocks);
  for (uint64_t* a : {m.digit, m.hex_alpha, m.alpha, m.upper, m.dot, m.dash, m.colon, m.at,
                      m.plus, m.slash, t.hexish2, t.hexish4, t.hexish8, t.alnum2, t.alnum4,
                      t.alnum8, t.dot_digit, t.two_octets}) {
    a[0] = a[blocks];
  }
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
