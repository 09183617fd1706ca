// File: token_pass.cc
// Triggers from byte-class masks, then scalar span cutting at each trigger. Each family
// of shapes has its own trigger and cursor: a trigger inside a run already cut is skipped,
// so every byte is looked at a bounded number of times whatever the input.
#include "tokens/token_pass.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "tokens/public_suffix.h"

namespace trawl::tokens {
namespace {

constexpr std::string_view kShapeNames[kShapeCount] = {
    "email", "domain", "ipv4",   "ipv6",  "hex",    "uuid",  "mac",
    "card",  "phone",  "us_ssn", "iban",  "base58", "bech32", "url"};

// Longest runs the span cutters follow, so a pathological input stays linear.
constexpr size_t kMaxDomainBytes = 253;
constexpr size_t kMaxEmailDomainBytes = 255;
constexpr size_t kMaxLocalBytes = 64;
constexpr size_t kMaxIpv6Bytes = 64;
constexpr size_t kMaxHexBytes = 130;  // "0x" + SHA-512
constexpr size_t kMaxPhoneBytes = 23;  // as the E.164 recognizer: '+', 1-9, 20, a digit
constexpr size_t kMaxNationalPhoneBytes = 24;
constexpr size_t kMaxDigitGroups = 16;
constexpr size_t kMaxSchemeBytes = 32;  // longer than any registered URI scheme
constexpr size_t kBatchPrefetchBlocks = kBatchBlocks;

inline bool IsLocalChar(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
constexpr std::array<bool, 256> kHostChars = [] {
  std::array<bool, 256> t{};
  for (size_t c = 0; c < 256; ++c) t[c] = (kClassTable[c] & (kClassDigit | kClassAlpha)) != 0;
  t['.'] = t['-'] = true;
  return t;
}();
inline bool IsHostChar(char c) { return kHostChars[static_cast<unsigned char>(c)]; }
inline bool IsIpv6RunChar(char c) { return IsAlnum(c) || c == ':' || c == '.'; }
inline bool IsDigitSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}
inline bool IsIbanChar(char c) { return IsUpper(c) || IsDigit(c); }
inline bool IsBase58(char c) {
  return IsAlnum(c) && c != '0' && c != 'O' && c != 'I' && c != 'l';
}
inline bool IsBech32Data(char c) {
  // qpzry9x8gf2tvdw0s3jn54khce6mua7l, either case (the case check is separate).
  const char l = static_cast<char>(c | 0x20);
  if (IsDigit(c)) return c != '1';
  return IsAlpha(c) && l != 'b' && l != 'i' && l != 'o';
}

bool LuhnDigits(const char* digits, size_t count) {
  int sum = 0;
  bool twice = false;
  for (size_t i = count; i-- > 0;) {
    int v = digits[i] - '0';
    if (twice) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

struct Group {
  size_t begin, end;
};

}  // namespace

std::string_view ShapeName(Shape shape) { return kShapeNames[static_cast<size_t>(shape)]; }

std::optional<Shape> ShapeFromName(std::string_view name) {
  for (size_t i = 0; i < kShapeCount; ++i) {
    if (kShapeNames[i] == name) return static_cast<Shape>(i);
  }
  return std::nullopt;
}

// Top-level labels already asked of the Public Suffix List: open addressing in arrays of
// fixed size, emptied when half full. A scan meets few distinct top-level labels, but
// identifiers in code are endless, so memory stays bounded and a lookup allocates nothing.
class TldCache {
 public:
  TldCache() : short_(kShortSlots), long_(kLongSlots) {}

  // REQUIRES: `letters` holds `len` letters; `readable` bytes from `letters` may be read.
  bool IsTld(const char* letters, size_t len, size_t readable) {
    if (len > kMaxLongLabel) return Ask(letters, len);
    if (len > kMaxShortLabel) return IsLongTld(letters, len);
    uint64_t key;
    if (len <= kMaxByteKeyLabel && readable >= 8) {
      // Most labels asked about are short: their lowercase bytes, read at once, are the
      // key (with the length and a flag that keeps these keys apart from the others),
      // without a loop whose end the branch predictor misses once a label.
      uint64_t bytes;
      std::memcpy(&bytes, letters, 8);
      bytes = (bytes | 0x2020202020202020ull) & ((uint64_t{1} << (8 * len)) - 1);
      key = bytes | (uint64_t{len} << 56) | kByteKey;
    } else {
      // 5 bits a letter and the length on top: distinct labels get distinct nonzero keys.
      key = len;
      for (size_t i = 0; i < len; ++i) {
        key = (key << 5) | static_cast<uint64_t>((letters[i] | 0x20) - 'a' + 1);
      }
    }
    ShortSlot* slot = Probe(short_, &short_used_, key * 0x9E3779B97F4A7C15ull,
                            [key](const ShortSlot& s) { return (s.bits & ~kIsTld) == key; });
    if (slot->bits == 0) slot->bits = key | (Ask(letters, len) ? kIsTld : 0);
    return (slot->bits & kIsTld) != 0;
  }

 private:
  // 11 x 5 bits and the length fit in 59 bits: the answer goes in the top bit, so a slot
  // is 8 bytes and the table 32 KiB, which the engine's pass over a round does not push
  // as far out of the cache as the 128 KiB of key-and-flag slots did.
  static constexpr size_t kMaxShortLabel = 11;
  static constexpr size_t kMaxLongLabel = 62;
  // Powers of two. Measured on bench_mixed_16MiB.bin: ~1,700 distinct short labels.
  static constexpr size_t kShortSlots = 4096;
  static constexpr size_t kLongSlots = 1024;
  static constexpr uint64_t kIsTld = uint64_t{1} << 63;
  // Labels of up to 7 letters keyed by their bytes (56 bits, the length above them); the
  // 5-bit keys never reach this bit.
  static constexpr size_t kMaxByteKeyLabel = 7;
  static constexpr uint64_t kByteKey = uint64_t{1} << 62;

  struct ShortSlot {
    uint64_t bits = 0;  // the key, and kIsTld when listed; 0: empty (a key is never 0)
  };
  struct LongSlot {
    uint8_t len = 0;  // 0: empty
    bool is_tld = false;
    char text[kMaxLongLabel];
  };

  // The slot that holds what `matches` accepts, or the empty slot where it goes.
  template <typename Slot, typename Matches>
  static Slot* Probe(std::vector<Slot>& slots, size_t* used, uint64_t hash, Matches matches) {
    const size_t mask = slots.size() - 1;
    if (*used >= slots.size() / 2) {  // half full at most, so probes stay short
      std::fill(slots.begin(), slots.end(), Slot{});
      *used = 0;
    }
    for (size_t i = (hash >> 32) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots[i];
      if (IsEmpty(slot)) {
        ++*used;
        return &slot;
      }
      if (matches(slot)) return &slot;
    }
  }
  static bool IsEmpty(const ShortSlot& slot) { return slot.bits == 0; }
  static bool IsEmpty(const LongSlot& slot) { return slot.len == 0; }

  bool IsLongTld(const char* letters, size_t len) {
    const std::string_view label(letters, len);
    const uint64_t hash = std::hash<std::string_view>{}(label) * 0x9E3779B97F4A7C15ull;
    LongSlot* slot = Probe(long_, &long_used_, hash, [label](const LongSlot& s) {
      return std::string_view(s.text, s.len) == label;
    });
    if (slot->len == 0) {
      slot->len = static_cast<uint8_t>(len);
      std::memcpy(slot->text, letters, len);
      slot->is_tld = Ask(letters, len);
    }
    return slot->is_tld;
  }

  static bool Ask(const char* letters, size_t len) {
    std::string lower(letters, len);
    for (char& c : lower) c = static_cast<char>(c | 0x20);
    return IsListedSuffix(lower);
  }

  std::vector<ShortSlot> short_;
  std::vector<LongSlot> long_;
  size_t short_used_ = 0;
  size_t long_used_ = 0;
};

struct TokenPass::Scratch {
  BatchMasks masks;
  BatchTriggers triggers;
  std::vector<Group> labels;
  std::vector<Group> segments;
  std::vector<Group> groups;
  std::string digits;
  TldCache tlds;
};

namespace {

// One call's state: the buffer, the output, and a cursor per trigger family.
class Finder {
 public:
  Finder(std::string_view data, ShapeSet shapes, RunWalks walks, std::vector<Span>* out,
         std::vector<Group>* labels, std::vector<Group>* segments, std::vector<Group>* groups,
         std::string* digits, TldCache* tlds)
      : d_(data.data()),
        n_(data.size()),
        shapes_(shapes),
        mask_walks_(walks == RunWalks::kMasks),
        out_(out),
        labels_(*labels),
        segments_(*segments),
        groups_(*groups),
        digits_(*digits),
        tlds_(*tlds) {}

  // The kernel gives the trigger masks of a batch of blocks (batch.h); the cutters run at
  // each trigger of the blocks that have one, block after block.
  void Batch(uint64_t base, size_t blocks, const BatchMasks& masks, const BatchTriggers& t) {
    batch_base_ = base;
    batch_blocks_ = blocks;
    masks_ = &masks;
    // Family by family, each over the blocks that have its triggers: a family's cutter and
    // cursor see its triggers in the same order as block by block, and the spans are sorted
    // at the end, so only the branches change (each loop's follow one family alone).
    Family(t.at_blocks, t.at, email_cursor_, [&](size_t at) { Email(at); });
    Family(t.hex_blocks, t.hex, hex_cursor_, [&](size_t pos) { HexRun(pos); });
    Family(t.colon_blocks, t.colon, colon_cursor_, [&](size_t pos) { ColonRun(pos); });
    Family(t.dotted_blocks, t.dotted, dotted_cursor_, [&](size_t pos) { DottedRun(pos); });
    if (Want(Shape::kMac)) {
      Family(t.hex_blocks, t.hex, cisco_cursor_, [&](size_t pos) { CiscoRun(pos); });
    }
    Family(t.digit_blocks, t.digit, digit_cursor_, [&](size_t pos) { DigitRun(pos); });
    Family(t.iban_blocks, t.iban, iban_cursor_, [&](size_t pos) { Iban(pos); });
    Family(t.word_blocks, t.word, word_cursor_, [&](size_t pos) { WordRun(pos); });
    Family(t.url_blocks, t.url, url_cursor_, [&](size_t pos) { UrlScheme(pos); });
  }

  // The families `shapes` needs, as the kernel's trigger computation takes them.
  static TriggerWants WantsOf(ShapeSet shapes) {
    const auto any = [shapes](std::initializer_list<Shape> of) {
      for (Shape s : of) {
        if ((shapes & ShapeBit(s)) != 0) return ~uint64_t{0};
      }
      return uint64_t{0};
    };
    TriggerWants w;
    w.email = any({Shape::kEmail});
    w.hex_runs = any({Shape::kHex, Shape::kUuid, Shape::kMac});
    w.colon = any({Shape::kIpv6, Shape::kMac});
    w.domain = any({Shape::kDomain});
    w.ipv4 = any({Shape::kIpv4});
    w.digit = any({Shape::kCard, Shape::kPhone, Shape::kUsSsn});
    w.iban = any({Shape::kIban});
    w.word = any({Shape::kBase58, Shape::kBech32});
    w.url = any({Shape::kUrl});
    return w;
  }

 private:
  bool Want(Shape s) const { return (shapes_ & ShapeBit(s)) != 0; }
  char At(size_t i) const { return i < n_ ? d_[i] : '\0'; }
  char Before(size_t i) const { return i > 0 ? d_[i - 1] : '\0'; }
  void Emit(size_t begin, size_t end, Shape shape) { out_->push_back({begin, end, shape}); }

  // ------------------------------------------------------------------ run walks
  // A cutter's run (of host bytes, hex digits, ...) holds its trigger and ends where a byte
  // outside its class is. The batch's class masks (entries 1..batch_blocks_, the blocks
  // from batch_base_) give those ends by bit scans instead of a byte loop with a branch
  // per byte; past the batch's blocks the walk goes on byte by byte, and with
  // RunWalks::kBytes it goes byte by byte throughout (the reference the tests compare).
  // `masks(entry)` is the class's mask of a block entry, `in_class` the same class per byte.
  // RunBegin(t): the first of the class bytes just before `t` (`t` when there are none);
  // RunEnd(t): the first byte from `t` on outside the class.
  // REQUIRES: `t` is in the batch's blocks.
  template <typename Masks, typename InClass>
  size_t RunBegin(size_t t, Masks masks, InClass in_class) const {
    size_t s = t;
    if (mask_walks_) {
      size_t entry = (t - batch_base_) / kBlockBytes + 1;
      const unsigned bit = static_cast<unsigned>((t - batch_base_) % kBlockBytes);
      uint64_t outside = ~masks(entry) & ((uint64_t{1} << bit) - 1);
      for (;;) {
        if (outside != 0) {
          return batch_base_ + (entry - 1) * kBlockBytes + 64 - __builtin_clzll(outside);
        }
        if (--entry == 0) break;
        outside = ~masks(entry);
      }
      s = batch_base_;
    }
    while (s > 0 && in_class(d_[s - 1])) --s;
    return s;
  }
  template <typename Masks, typename InClass>
  size_t RunEnd(size_t t, Masks masks, InClass in_class) const {
    size_t e = t;
    if (mask_walks_) {
      size_t entry = (t - batch_base_) / kBlockBytes + 1;
      const unsigned bit = static_cast<unsigned>((t - batch_base_) % kBlockBytes);
      // The tail block is padded with NUL, in no class: a run ends at n_ at the latest.
      uint64_t outside = ~masks(entry) & (~uint64_t{0} << bit);
      for (;;) {
        if (outside != 0) {
          return batch_base_ + (entry - 1) * kBlockBytes + __builtin_ctzll(outside);
        }
        if (++entry > batch_blocks_) break;
        outside = ~masks(entry);
      }
      e = batch_base_ + batch_blocks_ * kBlockBytes;
    }
    while (e < n_ && in_class(d_[e])) ++e;
    return e;
  }
  // The end of the run of letters from `pos` (`pos` itself when it is no letter).
  size_t AlphaRunEnd(size_t pos) const {
    if (pos < batch_base_ || pos >= batch_base_ + batch_blocks_ * kBlockBytes) {
      while (pos < n_ && IsAlpha(d_[pos])) ++pos;
      return pos;
    }
    return RunEnd(pos, [this](size_t e) { return masks_->alpha[e]; }, IsAlpha);
  }
  // The digit run around `pos` (whose bytes before, resp. from, `pos` are digits), by
  // the masks when `pos` is in the batch.
  size_t DigitRunBegin(size_t pos) const {
    if (pos < batch_base_ || pos >= batch_base_ + batch_blocks_ * kBlockBytes) {
      while (pos > 0 && IsDigit(d_[pos - 1])) --pos;
      return pos;
    }
    return RunBegin(pos, [this](size_t e) { return masks_->digit[e]; }, IsDigit);
  }
  size_t DigitRunEnd(size_t pos) const {
    if (pos < batch_base_ || pos >= batch_base_ + batch_blocks_ * kBlockBytes) {
      while (pos < n_ && IsDigit(d_[pos])) ++pos;
      return pos;
    }
    return RunEnd(pos, [this](size_t e) { return masks_->digit[e]; }, IsDigit);
  }
  bool InBatch(size_t s, size_t e) const {
    return mask_walks_ && s >= batch_base_ && e <= batch_base_ + batch_blocks_ * kBlockBytes;
  }
  uint64_t HostMask(size_t e) const {
    const BatchMasks& m = *masks_;
    return m.digit[e] | m.alpha[e] | m.dot[e] | m.dash[e];
  }

  // Each() over the blocks of the batch set in `blocks`, whose triggers are `triggers[i]`.
  template <typename Fn>
  void Family(uint64_t blocks, const uint64_t* triggers, const uint64_t& cursor, Fn&& fn) {
    for (; blocks != 0; blocks &= blocks - 1) {
      const size_t i = static_cast<size_t>(__builtin_ctzll(blocks)) + 1;
      Each(triggers[i], batch_base_ + (i - 1) * kBlockBytes, cursor, fn);
    }
  }

  // Calls fn(position) for each set bit at or after `cursor`; fn moves the cursor past
  // the run it cut, so later triggers inside that run cost one compare.
  template <typename Fn>
  static void Each(uint64_t mask, uint64_t base, const uint64_t& cursor, Fn&& fn) {
    while (mask != 0) {
      if (cursor > base) {
        if (cursor >= base + 64) return;
        mask &= ~uint64_t{0} << (cursor - base);
        if (mask == 0) return;
      }
      const size_t pos = base + static_cast<size_t>(__builtin_ctzll(mask));
      mask &= mask - 1;
      fn(pos);
    }
  }

  // ------------------------------------------------------------------ e-mail
  // The local part is the run of [A-Za-z0-9._%+-] before the '@' (at most 64 bytes),
  // from its first word character; the domain is 1-8 labels and a top-level label of 2+
  // letters followed by a non-word byte, the longest such (the e-mail recognizer's shape).
  [[gnu::noinline]] void Email(size_t at) {
    email_cursor_ = at + 1;
    size_t s = at;
    while (s > 0 && at - s < kMaxLocalBytes && IsLocalChar(d_[s - 1])) --s;
    if (s > 0 && IsLocalChar(d_[s - 1])) return;  // a local part over 64 bytes
    while (s < at && !IsWord(d_[s])) ++s;
    if (s == at) return;
    size_t q = at + 1, best = 0;
    int labels = 0;
    while (q < n_ && q - at <= kMaxEmailDomainBytes && IsAlnum(d_[q])) {
      size_t r = q;
      while (r < n_ && IsAlpha(d_[r])) ++r;
      if (labels >= 1 && r - q >= 2 && !IsWord(At(r))) best = r;
      size_t e = q;
      while (e < n_ && (IsAlnum(d_[e]) || d_[e] == '-')) ++e;
      if (d_[e - 1] == '-' || At(e) != '.') break;
      if (++labels > 8) break;
      q = e + 1;
    }
    if (best != 0 && best - at <= kMaxEmailDomainBytes) Emit(s, best, Shape::kEmail);
  }

  // ------------------------------------------------------------------ hex runs
  // A run of [0-9A-Fa-f-]: hex segments of 16+ digits between word boundaries (digests,
  // and "0x" + digits), 8-4-4-4-12 windows (UUID), six 2-digit groups (MAC, dash form).
  [[gnu::noinline]] void HexRun(size_t t) {
    if (d_[t] == '.') return;  // the trigger's run is of [hex.] here, not [hex-]
    const auto hex_dash = [this](size_t e) {
      return masks_->digit[e] | masks_->hex_alpha[e] | masks_->dash[e];
    };
    const auto is_hex_dash = [](char c) { return IsHex(c) || c == '-'; };
    const size_t s = RunBegin(t, hex_dash, is_hex_dash);
    const size_t e = RunEnd(t, hex_dash, is_hex_dash);
    hex_cursor_ = e;
    if (Want(Shape::kHex)) {
      for (size_t a = s; a < e;) {
        size_t b = a;
        while (b < e && d_[b] != '-') ++b;
        const bool start_ok = a > s || !IsWord(Before(s));
        const bool end_ok = b < e || !IsWord(At(e));
        if (b - a >= 16 && b - a + 2 <= kMaxHexBytes && end_ok) {
          if (start_ok) Emit(a, b, Shape::kHex);
          // "0x" + digits: the digits alone are not between word boundaries.
          if (a == s && a >= 2 && d_[a - 1] == 'x' && d_[a - 2] == '0' && !IsWord(Before(a - 2))) {
            Emit(a - 2, b, Shape::kHex);
          }
        }
        a = b + 1;
      }
    }
    static constexpr uint8_t kUuid[] = {8, 4, 4, 4, 12};
    static constexpr uint8_t kMac6[] = {2, 2, 2, 2, 2, 2};
    if (Want(Shape::kUuid)) GroupWindows(s, e, '-', kUuid, Shape::kUuid);
    if (Want(Shape::kMac)) GroupWindows(s, e, '-', kMac6, Shape::kMac);
  }

  // Splits the run [s, e) of hex digits and `sep` into segments and emits each leftmost
  // window of consecutive segments with exactly the lengths `lens`, non-overlapping, whose
  // outer ends are word boundaries (inner ends are the separator, never a word byte).
  template <size_t K>
  void GroupWindows(size_t s, size_t e, char sep, const uint8_t (&lens)[K], Shape shape) {
    segments_.clear();
    for (size_t a = s; a <= e;) {
      size_t b = a;
      while (b < e && d_[b] != sep) ++b;
      segments_.push_back({a, b});
      if (b >= e) break;
      a = b + 1;
    }
    for (size_t g = 0; g + K <= segments_.size();) {
      bool ok = g > 0 || !IsWord(Before(s));
      for (size_t k = 0; ok && k < K; ++k) {
        const Group& seg = segments_[g + k];
        ok = seg.end - seg.begin == lens[k];
        for (size_t i = seg.begin; ok && i < seg.end; ++i) ok = IsHex(d_[i]);
      }
      ok = ok && (g + K < segments_.size() || !IsWord(At(e)));
      if (ok) {
        Emit(segments_[g].begin, segments_[g + K - 1].end, shape);
        g += K;
      } else {
        ++g;
      }
    }
  }

  // Runs of [hex sep] inside [s, e), each given to GroupWindows.
  template <size_t K>
  void GroupWindowsIn(size_t s, size_t e, char sep, const uint8_t (&lens)[K], Shape shape) {
    for (size_t i = s; i < e;) {
      if (!IsHex(d_[i]) && d_[i] != sep) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < e && (IsHex(d_[j]) || d_[j] == sep)) ++j;
      GroupWindows(i, j, sep, lens, shape);
      i = j;
    }
  }

  // ------------------------------------------------------------------ colons
  // A run of [A-Za-z0-9:.]: the whole run is an IPv6 candidate when it is only hex
  // digits, colons and dots, with one "::" or else six colons or more (the IPv6
  // recognizer's boundaries; times and MACs have fewer); [hex:] windows of six 2-digit
  // groups are MAC candidates.
  [[gnu::noinline]] void ColonRun(size_t t) {
    const auto ipv6_run = [this](size_t e) {
      return masks_->digit[e] | masks_->alpha[e] | masks_->colon[e] | masks_->dot[e];
    };
    const size_t s = RunBegin(t, ipv6_run, IsIpv6RunChar);
    const size_t e = RunEnd(t, ipv6_run, IsIpv6RunChar);
    colon_cursor_ = e;
    if (Want(Shape::kIpv6) && e - s <= kMaxIpv6Bytes) {
      int colons = 0, double_colons = 0;
      bool ok = true;
      for (size_t i = s; ok && i < e; ++i) {
        colons += d_[i] == ':';
        double_colons += d_[i] == ':' && At(i + 1) == ':';
        ok = IsHex(d_[i]) || d_[i] == ':' || d_[i] == '.';
      }
      size_t end = e;
      if (end > s && d_[end - 1] == '.') --end;  // a sentence's full stop
      if (ok && (double_colons == 1 || (double_colons == 0 && colons >= 6))) {
        Emit(s, end, Shape::kIpv6);
      }
    }
    static constexpr uint8_t kMac6[] = {2, 2, 2, 2, 2, 2};
    // Six groups of two and five colons are 17 bytes: shorter runs ("std::", "12:30")
    // hold none, and most colon runs are that short.
    if (Want(Shape::kMac) && e - s >= 17) GroupWindowsIn(s, e, ':', kMac6, Shape::kMac);
  }

  // ------------------------------------------------------------------ dotted runs
  // A run of [A-Za-z0-9.-] holding a top-level label or four octets: domain names, IPv4.
  [[gnu::noinline]] void DottedRun(size_t t) {
    // What the run gives depends on the run alone, not on which of its bytes triggered.
    const auto host = [this](size_t entry) { return HostMask(entry); };
    const size_t s = RunBegin(t, host, IsHostChar);
    const size_t e = RunEnd(t, host, IsHostChar);
    // The labels: the run cut at its dots.
    size_t count = 0, a = s;
    const auto label_to = [&](size_t end) {
      if (count == labels_.size()) labels_.resize(2 * count + 8);
      labels_[count++] = {a, end};
      a = end + 1;
    };
    if (InBatch(s, e)) {
      for (size_t block = (s - batch_base_) / kBlockBytes; block * kBlockBytes < e - batch_base_;
           ++block) {
        const uint64_t block_base = batch_base_ + block * kBlockBytes;
        uint64_t dots = masks_->dot[block + 1];
        if (s > block_base) dots &= ~uint64_t{0} << (s - block_base);
        if (e < block_base + kBlockBytes) dots &= (uint64_t{1} << (e - block_base)) - 1;
        for (; dots != 0; dots &= dots - 1) label_to(block_base + __builtin_ctzll(dots));
      }
    } else {
      for (size_t i = s; i < e; ++i) {
        if (d_[i] == '.') label_to(i);
      }
    }
    label_to(e);
    dotted_cursor_ = e;
    label_count_ = count;
    if (Want(Shape::kDomain)) Domains(s);
    if (Want(Shape::kIpv4)) Ipv4s(s);
  }

  // A run of [0-9A-Fa-f.]: three 4-digit groups joined by dots (MAC, Cisco form).
  [[gnu::noinline]] void CiscoRun(size_t t) {
    if (d_[t] == '-') return;  // the trigger's run is of [hex-] here, not [hex.]
    const auto hex_dot = [this](size_t e) {
      return masks_->digit[e] | masks_->hex_alpha[e] | masks_->dot[e];
    };
    const auto is_hex_dot = [](char c) { return IsHex(c) || c == '.'; };
    const size_t s = RunBegin(t, hex_dot, is_hex_dot);
    const size_t e = RunEnd(t, hex_dot, is_hex_dot);
    cisco_cursor_ = e;
    static constexpr uint8_t kCisco[] = {4, 4, 4};
    GroupWindows(s, e, '.', kCisco, Shape::kMac);
  }

  bool FullLabel(const Group& l) const {
    return l.end > l.begin && IsAlnum(d_[l.begin]) && IsAlnum(d_[l.end - 1]);
  }

  // Where a name may start inside label `l`: at a word boundary, so after any leading
  // '-' (or, for a run glued to a word byte, only after a '-' inside the label).
  size_t StartIn(const Group& l, bool glued) const {
    size_t i = l.begin;
    if (glued) {
      while (i < l.end && d_[i] != '-') ++i;
    }
    while (i < l.end && d_[i] == '-') ++i;
    return i < l.end ? i : std::string_view::npos;
  }

  // Domain names: from the leftmost label start at a word boundary, up to six labels and
  // then a top-level label (its leading letters, 2 or more, followed by a non-word byte)
  // that the Public Suffix List lists; the longest such. Then on after the name.
  [[gnu::noinline]] void Domains(size_t run_begin) {
    const bool glued_run = IsWord(Before(run_begin));
    size_t resume = 0;  // a name ended inside label i ("a.com-b"): the rest starts here
    for (size_t i = 0; i + 1 < label_count_;) {
      Group label = labels_[i];
      label.begin = std::max(label.begin, resume);
      const size_t start = StartIn(label, i == 0 && glued_run && label.begin == run_begin);
      if (start == std::string_view::npos || d_[label.end - 1] == '-') {
        ++i;
        continue;
      }
      size_t best = 0, best_label = 0;
      for (size_t j = i + 1; j < label_count_ && j <= i + 6; ++j) {
        const Group& l = labels_[j];
        // (The label's letters end before its end: a dot or a byte outside the run.)
        const size_t r = AlphaRunEnd(l.begin);
        if (r - l.begin >= 2 && !IsWord(At(r)) && r - start <= kMaxDomainBytes &&
            tlds_.IsTld(d_ + l.begin, r - l.begin, n_ - l.begin)) {
          best = r;
          best_label = j;
        }
        if (!FullLabel(l) || j + 1 == label_count_) break;
      }
      if (best == 0) {
        ++i;
        continue;
      }
      Emit(start, best, Shape::kDomain);
      i = best < labels_[best_label].end ? best_label : best_label + 1;
      resume = best;
    }
  }

  bool Octet(size_t b, size_t e) const {
    if (e <= b || e - b > 3) return false;
    int v = 0;
    for (size_t i = b; i < e; ++i) {
      if (!IsDigit(d_[i])) return false;
      v = v * 10 + (d_[i] - '0');
    }
    return v <= 255 && (e - b == 1 || d_[b] != '0');
  }

  // IPv4: four octets (no leading zeros, <= 255) joined by dots, the first at a word
  // boundary, the last followed by a non-word byte; leftmost, then on after it.
  [[gnu::noinline]] void Ipv4s(size_t run_begin) {
    const bool glued_run = IsWord(Before(run_begin));
    size_t resume = 0;  // an address ended inside label i ("1.2.3.4-5"): the rest starts here
    for (size_t i = 0; i + 3 < label_count_;) {
      Group first = labels_[i];
      first.begin = std::max(first.begin, resume);
      size_t fb = first.begin;
      for (size_t k = first.begin; k < first.end; ++k) {
        if (d_[k] == '-') fb = k + 1;
      }
      const bool boundary = fb > first.begin || i > 0 || first.begin > run_begin || !glued_run;
      const Group& last = labels_[i + 3];
      size_t r = last.begin;
      while (r < last.end && IsDigit(d_[r])) ++r;
      const bool ok = boundary && Octet(fb, first.end) &&
                      Octet(labels_[i + 1].begin, labels_[i + 1].end) &&
                      Octet(labels_[i + 2].begin, labels_[i + 2].end) && Octet(last.begin, r) &&
                      !IsWord(At(r));
      if (!ok) {
        ++i;
        continue;
      }
      Emit(fb, r, Shape::kIpv4);
      i += r < last.end ? 3 : 4;
      resume = r;
    }
  }

  // ------------------------------------------------------------------ digit groups
  // A sequence of digit groups joined by 1-3 separator bytes ( -.()/), optionally after
  // '(' or '+': card numbers, US SSNs and phone numbers are cut from it.
  [[gnu::noinline]] void DigitRun(size_t t) {
    const size_t floor = digit_cursor_;
    size_t g = std::max(floor, DigitRunBegin(t));
    for (;;) {
      size_t j = g, k = 0;
      while (j > floor && k < 3 && IsDigitSeparator(d_[j - 1])) {
        --j;
        ++k;
      }
      if (k == 0 || j <= floor || !IsDigit(d_[j - 1]) || t - j > 64) break;
      g = std::max(floor, DigitRunBegin(j - 1));
    }
    groups_.clear();
    size_t pos = g, digits = 0;
    for (;;) {
      const size_t b = pos;
      pos = DigitRunEnd(pos);
      digits += pos - b;
      groups_.push_back({b, pos});  // at most kMaxDigitGroups: reserved in the scratch
      size_t j = pos, k = 0;
      while (j < n_ && k < 3 && IsDigitSeparator(d_[j])) {
        ++j;
        ++k;
      }
      if (k == 0 || !IsDigit(At(j)) || groups_.size() >= kMaxDigitGroups) break;
      pos = j;
    }
    digit_cursor_ = groups_.back().end;
    // Every shape here has 7 digits or more (phone numbers; SSNs 9, cards 12), cut from
    // the run's groups: a run with fewer digits than a shape has none of it (timestamps).
    if (digits < 7) return;
    if (digits >= 12 && Want(Shape::kCard)) Cards();
    if (digits >= 9 && Want(Shape::kUsSsn)) Ssns();
    if (Want(Shape::kPhone)) Phone();
  }

  // Card numbers: from a group start at a word boundary, groups joined by one ' ' or '-'
  // at digit offsets {4, 8, 12, 16} or {4, 10} (Amex), 12-19 digits, ending at a group
  // end before a non-word byte; the longest that passes Luhn, then on after it.
  [[gnu::noinline]] void Cards() {
    for (size_t gi = 0; gi < groups_.size();) {
      const size_t start = groups_[gi].begin;
      if (gi == 0 && IsWord(Before(start))) {
        ++gi;
        continue;
      }
      digits_.clear();
      bool grid4 = true, grid_amex = true;
      size_t best_end = 0, best_group = 0;
      for (size_t gj = gi; gj < groups_.size(); ++gj) {
        if (gj > gi) {
          const size_t gap = groups_[gj].begin - groups_[gj - 1].end;
          const char sep = d_[groups_[gj - 1].end];
          if (gap != 1 || (sep != ' ' && sep != '-')) break;
          const size_t offset = digits_.size();
          grid4 = grid4 && offset % 4 == 0 && offset <= 16;
          grid_amex = grid_amex && (offset == 4 || offset == 10);
          if (!grid4 && !grid_amex) break;
        }
        digits_.append(d_ + groups_[gj].begin, groups_[gj].end - groups_[gj].begin);
        if (digits_.size() > 19) break;
        if (digits_.size() >= 12 && !IsWord(At(groups_[gj].end)) &&
            LuhnDigits(digits_.data(), digits_.size())) {
          best_end = groups_[gj].end;
          best_group = gj;
        }
      }
      if (best_end == 0) {
        ++gi;
        continue;
      }
      Emit(start, best_end, Shape::kCard);
      gi = best_group + 1;
    }
  }

  // US SSNs: three consecutive groups of 3, 2 and 4 digits joined by the same single
  // separator ('-', ' ' or '.'), between word boundaries.
  [[gnu::noinline]] void Ssns() {
    for (size_t gi = 0; gi + 3 <= groups_.size();) {
      const Group& a = groups_[gi];
      const Group& b = groups_[gi + 1];
      const Group& c = groups_[gi + 2];
      const char sep = d_[a.end];
      const bool ok = a.end - a.begin == 3 && b.end - b.begin == 2 && c.end - c.begin == 4 &&
                      b.begin == a.end + 1 && c.begin == b.end + 1 && d_[b.end] == sep &&
                      (sep == '-' || sep == ' ' || sep == '.') &&
                      (gi > 0 || !IsWord(Before(a.begin))) && !IsWord(At(c.end));
      if (ok) {
        Emit(a.begin, c.end, Shape::kUsSsn);
        gi += 3;
      } else {
        ++gi;
      }
    }
  }

  // Phone numbers: which cut of a digit sequence is the number only the numbering plan
  // can say ("2024-01-15 415-555-2671", "(415) 555-2671-1234"), so every cut is a
  // candidate: from each group start (with its '(' or '+' lead, not glued to a letter or
  // digit) to each later group end before a non-word byte, with 7-15 digits; '+' forms
  // within 23 bytes (the E.164 recognizer's reach), national ones within 24 bytes and of
  // two groups or more (or after a '('). National cuts that start with a date, are a
  // dotted run of four groups or more (an IPv4 address, a version) or start inside the
  // reach of a '+' number ("20 7946 0958" of "+44 20 7946 0958") are not phone numbers
  // however a numbering plan reads them. libphonenumber then decides (entities/), and
  // overlapping cuts of one rule become one finding (analyze/finding_merge.h).
  [[gnu::noinline]] void Phone() {
    size_t plus_reach = 0;  // end of the bytes a '+' cut may cover
    for (size_t gs = 0; gs < groups_.size(); ++gs) {
      size_t lead = groups_[gs].begin;
      if (Before(lead) == '(') --lead;
      const bool plus = Before(lead) == '+';
      if (plus) --lead;
      if (IsAlnum(Before(lead)) || (plus && Before(lead) == '+')) continue;
      if (plus) plus_reach = lead + kMaxPhoneBytes;
      if (!plus && (DateAt(gs) || groups_[gs].end <= plus_reach)) continue;
      const size_t cap = plus ? kMaxPhoneBytes : kMaxNationalPhoneBytes;
      size_t digits = 0;
      bool dotted = true;  // every separator so far is a single '.'
      for (size_t ge = gs; ge < groups_.size(); ++ge) {
        digits += groups_[ge].end - groups_[ge].begin;
        if (ge > gs) {
          dotted = dotted && groups_[ge].begin == groups_[ge - 1].end + 1 &&
                   d_[groups_[ge - 1].end] == '.';
        }
        if (groups_[ge].end - lead > cap || digits > 15) break;
        const bool grouped = plus || ge > gs || d_[lead] == '(';
        // A dotted national cut must be a whole dotted run of at most three groups.
        const bool dotted_run =
            !plus && dotted && ge > gs &&
            (ge >= gs + 3 || (Before(groups_[gs].begin) == '.' && IsDigit(Before(lead - 1))) ||
             (At(groups_[ge].end) == '.' && IsDigit(At(groups_[ge].end + 1))));
        if (digits >= 7 && grouped && !dotted_run && !IsWord(At(groups_[ge].end))) {
          Emit(lead, groups_[ge].end, Shape::kPhone);
        }
      }
    }
  }

  // Groups g..g+2 are a date: 4-2-2 or 2-2-4 digits joined by one '-', '/' or '.'.
  bool DateAt(size_t g) const {
    if (g + 3 > groups_.size()) return false;
    size_t len[3];
    for (size_t k = 0; k < 3; ++k) len[k] = groups_[g + k].end - groups_[g + k].begin;
    const bool shape = (len[0] == 4 && len[1] == 2 && len[2] == 2) ||
                       (len[0] == 2 && len[1] == 2 && len[2] == 4);
    const char sep = d_[groups_[g].end];
    return shape && (sep == '-' || sep == '/' || sep == '.') &&
           groups_[g + 1].begin == groups_[g].end + 1 && d_[groups_[g + 1].end] == sep &&
           groups_[g + 2].begin == groups_[g + 1].end + 1;
  }

  // ------------------------------------------------------------------ IBAN
  // Two capitals and two digits at a word boundary, then 2-7 groups of four [A-Z0-9]
  // (each after an optional space), then an optional group of 1-4, then a word boundary;
  // greedy with backtracking, as the IBAN recognizer's regex.
  [[gnu::noinline]] void Iban(size_t t) {
    const size_t s = t - 3;
    if (s < iban_cursor_ || IsWord(Before(s))) return;
    size_t ends[8];
    size_t count = 0;
    ends[0] = t + 1;
    while (count < 7) {
      size_t q = ends[count];
      if (At(q) == ' ') ++q;
      bool four = q + 4 <= n_;
      for (size_t i = q; four && i < q + 4; ++i) four = IsIbanChar(d_[i]);
      if (!four) break;
      ends[++count] = q + 4;
    }
    for (size_t groups = count; groups >= 2; --groups) {
      const size_t p = ends[groups];
      for (int space = At(p) == ' ' ? 1 : 0; space >= 0; --space) {
        const size_t q = p + static_cast<size_t>(space);
        size_t avail = 0;
        while (avail < 4 && IsIbanChar(At(q + avail))) ++avail;
        for (size_t tail = avail; tail >= 1; --tail) {
          if (!IsWord(At(q + tail))) return EmitIban(s, q + tail);
        }
      }
      if (!IsWord(At(p))) return EmitIban(s, p);
    }
  }
  void EmitIban(size_t s, size_t e) {
    Emit(s, e, Shape::kIban);
    iban_cursor_ = e;
  }

  // ------------------------------------------------------------------ long words
  // A word of 14+ letters and digits between word boundaries: bech32 when single-case
  // with a '1' whose data part (6+) is in the bech32 alphabet; base58 when 25-111 long in
  // the base58 alphabet.
  [[gnu::noinline]] void WordRun(size_t t) {
    const auto alnum = [this](size_t e) { return masks_->digit[e] | masks_->alpha[e]; };
    const size_t s = RunBegin(t, alnum, IsAlnum);
    const size_t e = RunEnd(t, alnum, IsAlnum);
    word_cursor_ = e;
    if (IsWord(Before(s)) || IsWord(At(e))) return;
    const size_t len = e - s;
    if (Want(Shape::kBech32) && len <= 90) {
      size_t sep = e;
      while (sep > s && d_[sep - 1] != '1') --sep;
      // Most long words have no '1' with six bytes after it: the case is read only then.
      bool ok = sep > s + 1 && e - sep >= 6;
      if (ok) {
        bool lower = false, upper = false;
        for (size_t i = s; i < e; ++i) {
          lower = lower || (IsAlpha(d_[i]) && !IsUpper(d_[i]));
          upper = upper || IsUpper(d_[i]);
        }
        ok = !(lower && upper);
      }
      for (size_t i = sep; ok && i < e; ++i) ok = IsBech32Data(d_[i]);
      if (ok) Emit(s, e, Shape::kBech32);
    }
    if (Want(Shape::kBase58) && len >= 25 && len <= 111) {
      bool ok = true;
      for (size_t i = s; ok && i < e; ++i) ok = IsBase58(d_[i]);
      if (ok) Emit(s, e, Shape::kBase58);
    }
  }

  // ------------------------------------------------------------------ URL schemes
  // "://" (`t` is its second slash) after a word: the word is where a URL regex of the
  // form \b(scheme|...)://... may start. A scheme is letters, so a word holding a digit
  // or '_' next to the colon still gives its start, and the regex says no.
  [[gnu::noinline]] void UrlScheme(size_t t) {
    url_cursor_ = t + 1;
    const size_t colon = t - 2;
    size_t s = colon;
    while (s > 0 && colon - s < kMaxSchemeBytes && IsWord(d_[s - 1])) --s;
    if (s == colon || (s > 0 && IsWord(d_[s - 1]))) return;  // no word, or one too long
    Emit(s, t + 1, Shape::kUrl);
  }

  const char* d_;
  size_t n_;
  ShapeSet shapes_;
  bool mask_walks_;
  // The batch in hand: its class masks and where its first block starts.
  const BatchMasks* masks_ = nullptr;
  uint64_t batch_base_ = 0;
  size_t batch_blocks_ = 0;
  std::vector<Span>* out_;
  std::vector<Group>& labels_;
  std::vector<Group>& segments_;
  std::vector<Group>& groups_;
  std::string& digits_;
  TldCache& tlds_;
  size_t label_count_ = 0;  // labels_[0, label_count_) are the current dotted run's
  uint64_t email_cursor_ = 0, hex_cursor_ = 0, colon_cursor_ = 0, dotted_cursor_ = 0,
           cisco_cursor_ = 0, digit_cursor_ = 0, iban_cursor_ = 0, word_cursor_ = 0,
           url_cursor_ = 0;
};

// Asks for the lines of the batch after this one while the cutters work on this one.
void PrefetchBatch(const uint8_t* bytes, size_t first_block, size_t blocks) {
  const size_t last = std::min(first_block + kBatchPrefetchBlocks, blocks);
  for (size_t b = first_block; b < last; ++b) __builtin_prefetch(bytes + b * kBlockBytes);
}

}  // namespace

TokenPass::TokenPass(ShapeSet shapes, const Kernel& kernel, RunWalks walks)
    : shapes_(shapes & kAllShapes),
      kernel_(kernel),
      walks_(walks),
      scratch_(std::make_unique<Scratch>()) {}

TokenPass::~TokenPass() = default;

void TokenPass::Find(std::string_view data, std::vector<Span>* out) {
  out->clear();
  if (shapes_ == 0 || data.empty()) return;
  Scratch& s = *scratch_;
  Finder finder(data, shapes_, walks_, out, &s.labels, &s.segments, &s.groups, &s.digits,
                &s.tlds);
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const size_t full = data.size() / kBlockBytes;
  const TriggerWants wants = Finder::WantsOf(shapes_);
  // The cutters go family by family, so a batch's spans come in a few sorted sequences:
  // sorted batch by batch (a few spans each), the whole is nearly always sorted already.
  const auto in_order = [](const Span& a, const Span& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end < b.end;
    return a.shape < b.shape;
  };
  const auto sort_from = [&](size_t first) {
    std::sort(out->begin() + static_cast<ptrdiff_t>(first), out->end(), in_order);
  };
  ResetCarry(s.masks, s.triggers);
  for (size_t b = 0; b < full;) {
    const size_t batch = std::min(kBatchBlocks, full - b);
    kernel_.classify(bytes + b * kBlockBytes, batch, &s.masks);
    kernel_.triggers(s.masks, wants, batch, s.triggers);
    PrefetchBatch(bytes, b + batch, full);
    const size_t first = out->size();
    finder.Batch(b * kBlockBytes, batch, s.masks, s.triggers);
    sort_from(first);
    b += batch;
  }
  if (const size_t rest = data.size() % kBlockBytes; rest != 0) {
    // The tail block, padded with NUL (no class, not a word byte).
    alignas(64) uint8_t tail[kBlockBytes] = {};
    std::memcpy(tail, bytes + full * kBlockBytes, rest);
    kernel_.classify(tail, 1, &s.masks);
    kernel_.triggers(s.masks, wants, 1, s.triggers);
    const size_t first = out->size();
    finder.Batch(full * kBlockBytes, 1, s.masks, s.triggers);
    sort_from(first);
  }
  // A run cut in one batch may start before spans of the batch before.
  if (!std::is_sorted(out->begin(), out->end(), in_order)) sort_from(0);
}

}  // namespace trawl::tokens
