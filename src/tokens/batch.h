// File: batch.h
// A batch of blocks as the token pass works on it: the byte-class masks laid out one array
// per class (structure of arrays), and the trigger masks computed from them. With that
// layout the trigger arithmetic is a few loops of shifts and ANDs over arrays, which the
// compiler vectorizes: the scalar and AVX2 kernels (kernels.h) compile ComputeTriggers()
// for their instruction sets; the AVX-512 kernel writes the same arithmetic by hand, eight
// blocks per instruction (kernel_x86.cc says why). The arithmetic is on integers, so every
// kernel gives the same triggers (tests/tokens/kernels_test.cc).
//
// Entry 0 of each carried array holds the block before the batch (the previous batch's
// last one; zeros before the buffer's first block); the batch's blocks are entries
// 1..blocks. Entries past `blocks` hold stale values: the loops run over the whole array
// (a fixed trip count vectorizes without checks) and nothing reads those results.
#ifndef TRAWL_SRC_TOKENS_BATCH_H_
#define TRAWL_SRC_TOKENS_BATCH_H_

#include <cstddef>
#include <cstdint>

#include "tokens/byte_classes.h"

namespace trawl::tokens {

// Blocks classified per kernel call: amortizes the indirect call, stays in L1.
inline constexpr size_t kBatchBlocks = 64;
inline constexpr size_t kBatchEntries = kBatchBlocks + 1;

struct BatchMasks {
  uint64_t digit[kBatchEntries] = {};
  uint64_t hex_alpha[kBatchEntries] = {};
  uint64_t alpha[kBatchEntries] = {};
  uint64_t upper[kBatchEntries] = {};
  uint64_t dot[kBatchEntries] = {};
  uint64_t dash[kBatchEntries] = {};
  uint64_t colon[kBatchEntries] = {};
  uint64_t at[kBatchEntries] = {};
  uint64_t plus[kBatchEntries] = {};
  uint64_t slash[kBatchEntries] = {};

  BlockMasks Block(size_t entry) const {
    return {digit[entry], hex_alpha[entry], alpha[entry], upper[entry], dot[entry],
            dash[entry],  colon[entry],     at[entry],    plus[entry],  slash[entry]};
  }
  void SetBlock(size_t entry, const BlockMasks& m) {
    digit[entry] = m.digit;
    hex_alpha[entry] = m.hex_alpha;
    alpha[entry] = m.alpha;
    upper[entry] = m.upper;
    dot[entry] = m.dot;
    dash[entry] = m.dash;
    colon[entry] = m.colon;
    at[entry] = m.at;
    plus[entry] = m.plus;
    slash[entry] = m.slash;
  }
};

// Which trigger families the caller wants: all ones or zero each.
struct TriggerWants {
  uint64_t email = 0, hex_runs = 0, colon = 0, domain = 0, ipv4 = 0, digit = 0, iban = 0,
           word = 0, url = 0;
};

// The trigger masks of one batch (entries 1..blocks), the intermediate steps carried from
// batch to batch (entry 0), and which blocks have triggers: `busy` (bit i - 1 set when
// block entry i has any trigger) and the same per family (`*_blocks`), so that the cutters
// of a family visit only its blocks.
struct BatchTriggers {
  // Triggers, one array per family (docs/tokens.md).
  uint64_t at[kBatchEntries] = {};
  uint64_t hex[kBatchEntries] = {};
  uint64_t colon[kBatchEntries] = {};
  uint64_t dotted[kBatchEntries] = {};
  uint64_t digit[kBatchEntries] = {};
  uint64_t iban[kBatchEntries] = {};
  uint64_t word[kBatchEntries] = {};
  uint64_t url[kBatchEntries] = {};
  uint64_t busy = 0;
  uint64_t at_blocks = 0, hex_blocks = 0, colon_blocks = 0, dotted_blocks = 0, digit_blocks = 0,
           iban_blocks = 0, word_blocks = 0, url_blocks = 0;
  uint64_t any[kBatchEntries] = {};  // the union of the families' triggers
  // Steps: runs of 1, 2, 4 and 8 of [hex.-] and of [A-Za-z0-9]; "digit.digit" marks and
  // two of them in a row (the road to four IPv4 octets).
  uint64_t hexish[kBatchEntries] = {}, hexish2[kBatchEntries] = {}, hexish4[kBatchEntries] = {},
           hexish8[kBatchEntries] = {};
  uint64_t alnum[kBatchEntries] = {}, alnum2[kBatchEntries] = {}, alnum4[kBatchEntries] = {},
           alnum8[kBatchEntries] = {};
  uint64_t dot_digit[kBatchEntries] = {}, two_octets[kBatchEntries] = {};
};

// Bit i = the class at byte i - k (the previous block's last k bytes enter at the bottom).
// REQUIRES: 1 <= k <= 63.
[[gnu::always_inline]] inline uint64_t PrevK(uint64_t cur, uint64_t prev, unsigned k) {
  return (cur << k) | (prev >> (64 - k));
}
[[gnu::always_inline]] inline uint64_t Prev1(uint64_t cur, uint64_t prev) {
  return PrevK(cur, prev, 1);
}

// Stores the busy bitmaps, without the bits of entries past `blocks` (stale values).
[[gnu::always_inline]] inline void SetBusy(BatchTriggers& t, size_t blocks, uint64_t busy,
                                           uint64_t at, uint64_t hex, uint64_t colon,
                                           uint64_t dotted, uint64_t digit, uint64_t iban,
                                           uint64_t word, uint64_t url) {
  const uint64_t live = blocks >= 64 ? ~uint64_t{0} : (uint64_t{1} << blocks) - 1;
  t.busy = busy & live;
  t.at_blocks = at & live;
  t.hex_blocks = hex & live;
  t.colon_blocks = colon & live;
  t.dotted_blocks = dotted & live;
  t.digit_blocks = digit & live;
  t.iban_blocks = iban & live;
  t.word_blocks = word & live;
  t.url_blocks = url & live;
}

// Starts a buffer: no block before the first.
inline void ResetCarry(BatchMasks& m, BatchTriggers& t) {
  for (uint64_t* a : {m.digit, m.hex_alpha, m.alpha, m.upper, m.dot, m.dash, m.colon, m.at,
                      m.plus, m.slash, t.hexish2, t.hexish4, t.hexish8, t.alnum2,
                      t.alnum4, t.alnum8, t.dot_digit, t.two_octets}) {
    a[0] = 0;
  }
}

// The triggers of entries 1..blocks of `m`, then the carry: entry `blocks` of every carried
// array (masks and steps) moves to entry 0 for the next batch. Kernels call this from a
// function compiled for their instruction set (always_inline: it vectorizes there).
// (__restrict: the masks and the triggers are distinct objects, which lets the loops
// vectorize without run-time overlap checks.)
[[gnu::always_inline]] inline void ComputeTriggers(BatchMasks& __restrict m,
                                                   const TriggerWants& wants, size_t blocks,
                                                   BatchTriggers& __restrict t) {
  constexpr size_t N = kBatchEntries;
  const TriggerWants want = wants;
  for (size_t i = 0; i < N; ++i) {
    t.hexish[i] = m.digit[i] | m.hex_alpha[i] | m.dash[i] | m.dot[i];
    t.alnum[i] = m.digit[i] | m.alpha[i];
  }
  for (size_t i = 1; i < N; ++i) {
    const uint64_t hex = m.digit[i] | m.hex_alpha[i];
    const uint64_t phex = m.digit[i - 1] | m.hex_alpha[i - 1];
    t.at[i] = m.at[i] & want.email;
    // A URL scheme's "://", marked at the second slash (the scheme's letters: the cutter).
    t.url[i] = m.slash[i] & Prev1(m.slash[i], m.slash[i - 1]) &
               PrevK(m.colon[i], m.colon[i - 1], 2) & want.url;
    t.colon[i] = m.colon[i] & Prev1(hex | m.colon[i], phex | m.colon[i - 1]) & want.colon;
    t.digit[i] = m.digit[i] &
                 ((Prev1(m.digit[i], m.digit[i - 1]) & PrevK(m.digit[i], m.digit[i - 1], 2)) |
                  Prev1(m.plus[i], m.plus[i - 1])) &
                 want.digit;
    t.iban[i] = m.digit[i] & Prev1(m.digit[i], m.digit[i - 1]) &
                PrevK(m.upper[i], m.upper[i - 1], 2) & PrevK(m.upper[i], m.upper[i - 1], 3) &
                want.iban;
    t.dot_digit[i] =
        m.digit[i] & Prev1(m.dot[i], m.dot[i - 1]) & PrevK(m.digit[i], m.digit[i - 1], 2);
    // A top-level label: a dot after a letter or digit, then two letters; marked at the
    // second letter.
    t.dotted[i] = m.alpha[i] & Prev1(m.alpha[i], m.alpha[i - 1]) &
                  PrevK(m.dot[i], m.dot[i - 1], 2) & PrevK(t.alnum[i], t.alnum[i - 1], 3) &
                  want.domain;
    t.hexish2[i] = t.hexish[i] & Prev1(t.hexish[i], t.hexish[i - 1]);
    t.alnum2[i] = t.alnum[i] & Prev1(t.alnum[i], t.alnum[i - 1]);
  }
  for (size_t i = 1; i < N; ++i) {
    t.hexish4[i] = t.hexish2[i] & PrevK(t.hexish2[i], t.hexish2[i - 1], 2);
    t.alnum4[i] = t.alnum2[i] & PrevK(t.alnum2[i], t.alnum2[i - 1], 2);
    // Octets are 1-3 digits: consecutive "digit.digit" marks of an address are 2-4 apart.
    const uint64_t d = t.dot_digit[i], pd = t.dot_digit[i - 1];
    t.two_octets[i] = d & (PrevK(d, pd, 2) | PrevK(d, pd, 3) | PrevK(d, pd, 4));
  }
  for (size_t i = 1; i < N; ++i) {
    t.hexish8[i] = t.hexish4[i] & PrevK(t.hexish4[i], t.hexish4[i - 1], 4);
    t.alnum8[i] = t.alnum4[i] & PrevK(t.alnum4[i], t.alnum4[i - 1], 4);
    const uint64_t d = t.two_octets[i], pd = t.two_octets[i - 1];
    // Four octets: the last one's first digit, with two marks before it.
    t.dotted[i] |= t.dot_digit[i] & (PrevK(d, pd, 2) | PrevK(d, pd, 3) | PrevK(d, pd, 4)) &
                   want.ipv4;
  }
  for (size_t i = 1; i < N; ++i) {
    // Runs of 14: 8, then 8 again 6 bytes earlier.
    t.hex[i] = t.hexish8[i] & PrevK(t.hexish8[i], t.hexish8[i - 1], 6) & want.hex_runs;
    t.word[i] = t.alnum8[i] & PrevK(t.alnum8[i], t.alnum8[i - 1], 6) & want.word;
    t.any[i] = t.at[i] | t.hex[i] | t.colon[i] | t.dotted[i] | t.digit[i] | t.iban[i] |
               t.word[i] | t.url[i];
  }
  uint64_t busy = 0, at = 0, hex = 0, colon = 0, dotted = 0, digit = 0, iban = 0, word = 0,
           url = 0;
  for (size_t i = 1; i < N; ++i) {
    busy |= uint64_t{t.any[i] != 0} << (i - 1);
    at |= uint64_t{t.at[i] != 0} << (i - 1);
    hex |= uint64_t{t.hex[i] != 0} << (i - 1);
    colon |= uint64_t{t.colon[i] != 0} << (i - 1);
    dotted |= uint64_t{t.dotted[i] != 0} << (i - 1);
    digit |= uint64_t{t.digit[i] != 0} << (i - 1);
    iban |= uint64_t{t.iban[i] != 0} << (i - 1);
    word |= uint64_t{t.word[i] != 0} << (i - 1);
    url |= uint64_t{t.url[i] != 0} << (i - 1);
  }
  SetBusy(t, blocks, busy, at, hex, colon, dotted, digit, iban, word, url);
  for (uint64_t* a : {m.digit, m.hex_alpha, m.alpha, m.upper, m.dot, m.dash, m.colon, m.at,
                      m.plus, m.slash, t.hexish2, t.hexish4, t.hexish8, t.alnum2,
                      t.alnum4, t.alnum8, t.dot_digit, t.two_octets}) {
    a[0] = a[blocks];
  }
}

}  // namespace trawl::tokens

#endif  // TRAWL_SRC_TOKENS_BATCH_H_
