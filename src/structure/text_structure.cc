// File: text_structure.cc
#include "structure/text_structure.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "structure/internal/byte_masks.h"
#include "structure/internal/utf8.h"
#include "util/json_writer.h"

namespace trawl {

const char* TextBomName(TextBom bom) {
  switch (bom) {
    case TextBom::kNone: return "none";
    case TextBom::kUtf8: return "utf-8";
    case TextBom::kUtf16Le: return "utf-16le";
    case TextBom::kUtf16Be: return "utf-16be";
    case TextBom::kUtf32Le: return "utf-32le";
    case TextBom::kUtf32Be: return "utf-32be";
  }
  return "none";
}

TextBom DetectBom(std::string_view d, size_t* length) {
  auto starts = [&](std::string_view magic) { return d.substr(0, magic.size()) == magic; };
  using namespace std::string_view_literals;
  TextBom bom = TextBom::kNone;
  size_t len = 0;
  if (starts("\x00\x00\xFE\xFF"sv)) {
    bom = TextBom::kUtf32Be, len = 4;
  } else if (starts("\xFF\xFE\x00\x00"sv)) {
    bom = TextBom::kUtf32Le, len = 4;
  } else if (starts("\xEF\xBB\xBF"sv)) {
    bom = TextBom::kUtf8, len = 3;
  } else if (starts("\xFF\xFE"sv)) {
    bom = TextBom::kUtf16Le, len = 2;
  } else if (starts("\xFE\xFF"sv)) {
    bom = TextBom::kUtf16Be, len = 2;
  }
  if (length) *length = len;
  return bom;
}

namespace {

// Word-at-a-time byte tests (exact: each says whether some byte of the word qualifies).
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

inline uint64_t Word(std::string_view text, size_t i) {
  uint64_t word;
  std::memcpy(&word, text.data() + i, 8);
  return word;
}
inline bool HasZeroByte(uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; }
inline bool HasLineBreak(uint64_t w) {
  return HasZeroByte(w ^ (kOnes * '\n')) || HasZeroByte(w ^ (kOnes * '\r'));
}
// Every byte in 0x20..0x7E: no high bit, none below 0x20, no DEL.
inline bool IsPrintableAscii(uint64_t w) {
  const bool below_space = ((w - kOnes * 0x20) & ~w & kHighs) != 0;
  return (w & kHighs) == 0 && !below_space && !HasZeroByte(w ^ (kOnes * 0x7F));
}

// A control byte the text statistics count: not NUL (counted apart), not whitespace.
inline bool IsCountedControl(unsigned char c) {
  return (c != 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ||
         c == 0x7F;
}

// Line lengths and their nearest-rank percentiles: a histogram of the short lengths
// (nearly all lines) and the long ones kept for nth_element, so a file of millions of
// lines needs neither a vector of every length nor a selection over it.
class LineLengths {
 public:
  void Add(uint64_t length) {
    ++count_;
    sum_ += length;
    min_ = std::min(min_, length);
    max_ = std::max(max_, length);
    if (length < kShort) {
      if (short_.empty()) short_.assign(kShort, 0);
      ++short_[length];
    } else {
      long_.push_back(length);
    }
  }
  uint64_t count() const { return count_; }
  uint64_t sum() const { return sum_; }
  uint64_t min() const { return min_; }
  uint64_t max() const { return max_; }

  // The k-th smallest length with k = ceil(p * count) (clamped to 1..count).
  uint64_t Percentile(double p) {
    uint64_t k = static_cast<uint64_t>(p * static_cast<double>(count_) + 0.999999);
    k = std::clamp<uint64_t>(k, 1, count_) - 1;
    const uint64_t short_count = count_ - long_.size();
    if (k < short_count) {
      for (uint64_t length = 0;; ++length) {
        if (k < short_[length]) return length;
        k -= short_[length];
      }
    }
    k -= short_count;
    std::nth_element(long_.begin(), long_.begin() + static_cast<ptrdiff_t>(k), long_.end());
    return long_[k];
  }

 private:
  static constexpr uint64_t kShort = 4096;
  uint64_t count_ = 0, sum_ = 0, min_ = ~uint64_t{0}, max_ = 0;
  std::vector<uint64_t> short_;  // short_[length]: lines of that length
  std::vector<uint64_t> long_;   // lengths >= kShort
};

// Steps over one code point at `i` (an invalid byte counts as one).
inline uint64_t NextCodePoint(std::string_view text, uint64_t i) {
  if (static_cast<unsigned char>(text[i]) < 0x80) return i + 1;
  const size_t n = internal::Utf8SequenceLength(text, i);
  return i + (n ? n : 1);
}

// Moves *i over whole code points until it reaches `limit` (a sequence may end past it)
// and returns how many it passed; invalid bytes count as one. ASCII words are eight code
// points each: a minified JSON document is one line of megabytes, and a candidate in it is
// up to a checkpoint stride from its checkpoint.
uint64_t AdvanceCodePoints(std::string_view text, uint64_t* i, uint64_t limit) {
  uint64_t chars = 0;
  while (*i < limit) {
    while (limit - *i >= 8 && (Word(text, *i) & kHighs) == 0) {
      *i += 8;
      chars += 8;
    }
    if (*i >= limit) break;
    *i = NextCodePoint(text, *i);
    ++chars;
  }
  return chars;
}

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  if (text.empty()) return;
  starts_.push_back(0);
  // Line breaks from the byte masks of 64-byte blocks, a batch at a time: a memchr per
  // line break (two: LF, then CR up to it) cost more than the rest of the index on text
  // with short lines.
  constexpr size_t kBatch = 64;
  uint64_t lf[kBatch], cr[kBatch];
  const size_t n = text.size();
  const size_t total = (n + internal::kMaskBlockBytes - 1) / internal::kMaskBlockBytes;
  uint64_t line_begin = 0;
  for (size_t first = 0; first < total; first += kBatch) {
    const size_t blocks = std::min(kBatch, total - first);
    internal::LineBreakMasks(text, first, blocks, lf, cr);
    for (size_t b = 0; b < blocks; ++b) {
      for (uint64_t breaks = lf[b] | cr[b]; breaks != 0; breaks &= breaks - 1) {
        const uint64_t at = (first + b) * internal::kMaskBlockBytes +
                            static_cast<uint64_t>(__builtin_ctzll(breaks));
        if (at < line_begin) continue;  // the LF of a CRLF
        if (at - line_begin > kCheckpointStride) AddCheckpoints(line_begin, at);
        uint64_t next = at + 1;
        if (text[at] == '\r' && next < n && text[next] == '\n') ++next;
        if (next < n) starts_.push_back(next);
        line_begin = next;
      }
    }
  }
  if (n - line_begin > kCheckpointStride) AddCheckpoints(line_begin, n);
}

void LineIndex::AddCheckpoints(uint64_t line_begin, uint64_t line_end) {
  uint64_t chars = 0;
  uint64_t next_checkpoint = line_begin + kCheckpointStride;
  for (uint64_t i = line_begin; i < line_end;) {
    if (i >= next_checkpoint) {
      checkpoints_.push_back({i, chars});
      next_checkpoint = i + kCheckpointStride;
    }
    chars += AdvanceCodePoints(text_, &i, std::min(line_end, next_checkpoint));
  }
}

LineIndex::Location LineIndex::Locate(uint64_t offset) const {
  Location loc;
  if (starts_.empty()) {
    loc.line = 1;
    loc.column = loc.column_chars = 1;
    return loc;
  }
  offset = std::min<uint64_t>(offset, text_.size());
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  const size_t index = static_cast<size_t>(it - starts_.begin()) - 1;
  const uint64_t line_start = starts_[index];
  loc.line = index + 1;
  loc.column = offset - line_start + 1;
  // Start from the last checkpoint of this line at or before `offset`, if any.
  uint64_t from = line_start;
  uint64_t chars = 0;
  auto checkpoint = std::upper_bound(
      checkpoints_.begin(), checkpoints_.end(), offset,
      [](uint64_t value, const Checkpoint& c) { return value < c.offset; });
  if (checkpoint != checkpoints_.begin() && std::prev(checkpoint)->offset > line_start) {
    from = std::prev(checkpoint)->offset;
    chars = std::prev(checkpoint)->chars;
  }
  chars += AdvanceCodePoints(text_, &from, offset);
  loc.column_chars = chars + 1;
  return loc;
}

TextReport AnalyzeText(std::string_view text) {
  TextReport r;
  r.size = text.size();
  size_t bom_length = 0;
  r.bom = DetectBom(text, &bom_length);

  // Line endings and lengths in one pass.
  LineLengths lengths;
  uint64_t line_begin = 0;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    // Words without CR or LF are skipped whole.
    while (n - i >= 8 && !HasLineBreak(Word(text, i))) i += 8;
    if (i >= n) break;
    const char c = text[i];
    if (c != '\n' && c != '\r') continue;
    lengths.Add(i - line_begin);
    if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
      ++r.crlf;
      ++i;
    } else if (c == '\r') {
      ++r.cr;
    } else {
      ++r.lf;
    }
    line_begin = i + 1;
  }
  if (line_begin < n) lengths.Add(n - line_begin);
  r.lines = lengths.count();
  r.mixed_line_endings = (r.lf > 0) + (r.crlf > 0) + (r.cr > 0) > 1;
  if (lengths.count() > 0) {
    r.line_length.min = lengths.min();
    r.line_length.max = lengths.max();
    r.line_length.mean = static_cast<double>(lengths.sum()) / static_cast<double>(lengths.count());
    r.line_length.p50 = lengths.Percentile(0.50);
    r.line_length.p99 = lengths.Percentile(0.99);
  }

  // Encoding.
  r.ascii = true;
  r.valid_utf8 = true;
  for (size_t i = 0; i < n;) {
    // ASCII words are done whole: printable ones have nothing to count.
    while (n - i >= 8) {
      const uint64_t word = Word(text, i);
      if (word & kHighs) break;
      if (!IsPrintableAscii(word)) {
        for (size_t k = i; k < i + 8; ++k) {
          const unsigned char b = static_cast<unsigned char>(text[k]);
          r.nul_bytes += b == 0;
          r.control_bytes += IsCountedControl(b);
        }
      }
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      r.nul_bytes += c == 0;
      r.control_bytes += IsCountedControl(c);
      ++i;
      continue;
    }
    r.ascii = false;
    const size_t len = internal::Utf8SequenceLength(text, i);
    if (len == 0) {
      if (r.valid_utf8) r.first_invalid_utf8 = i;
      r.valid_utf8 = false;
      ++r.invalid_utf8_sequences;
      ++i;
      // Skip the continuation bytes of the broken sequence: one error per sequence.
      while (i < n && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    } else {
      i += len;
    }
  }
  switch (r.bom) {
    case TextBom::kUtf16Le: r.encoding = "utf-16le"; break;
    case TextBom::kUtf16Be: r.encoding = "utf-16be"; break;
    case TextBom::kUtf32Le: r.encoding = "utf-32le"; break;
    case TextBom::kUtf32Be: r.encoding = "utf-32be"; break;
    default: {
      // BOM-less UTF-16: many NULs, nearly all on one parity.
      uint64_t even = 0, odd = 0;
      for (size_t i = 0; i < std::min<size_t>(n, 4096); ++i) {
        if (text[i] == 0) ++((i & 1) ? odd : even);
      }
      const uint64_t sample = std::min<size_t>(n, 4096);
      if (sample >= 8 && odd * 4 >= sample && even * 20 <= odd) {
        r.encoding = "utf-16le";
      } else if (sample >= 8 && even * 4 >= sample && odd * 20 <= even) {
        r.encoding = "utf-16be";
      } else if (r.ascii) {
        r.encoding = "ascii";
      } else if (r.valid_utf8) {
        r.encoding = "utf-8";
      } else {
        r.encoding = "binary-or-legacy";
      }
    }
  }
  return r;
}

void TextReport::WriteJson(JsonWriter& w) const {
  w.BeginObject();
  w.Field("size", size).Field("lines", lines);
  w.Key("line_length").BeginObject();
  w.Field("min", line_length.min).Field("max", line_length.max).Field("mean", line_length.mean);
  w.Field("p50", line_length.p50).Field("p99", line_length.p99);
  w.EndObject();
  w.Key("line_endings").BeginObject();
  w.Field("lf", lf).Field("crlf", crlf).Field("cr", cr).Field("mixed", mixed_line_endings);
  w.EndObject();
  w.Field("bom", TextBomName(bom)).Field("encoding", encoding).Field("ascii", ascii);
  w.Field("valid_utf8", valid_utf8).Field("invalid_utf8_sequences", invalid_utf8_sequences);
  if (!valid_utf8) w.Field("first_invalid_utf8", first_invalid_utf8);
  w.Field("nul_bytes", nul_bytes).Field("control_bytes", control_bytes);
  w.EndObject();
}

DerivedBuffer DecodeUtf16(std::string_view data, bool little_endian) {
  DerivedBuffer out;
  out.encoding = little_endian ? DerivedEncoding::kUtf16Le : DerivedEncoding::kUtf16Be;
  size_t bom = 0;
  const TextBom b = DetectBom(data, &bom);
  if (b != (little_endian ? TextBom::kUtf16Le : TextBom::kUtf16Be)) bom = 0;
  out.source_span = {0, data.size()};
  out.component_span = out.source_span;
  out.data.reserve(data.size() / 2);
  auto unit = [&](size_t i) -> uint32_t {
    const uint32_t a = static_cast<uint8_t>(data[i]), c = static_cast<uint8_t>(data[i + 1]);
    return little_endian ? (a | (c << 8)) : ((a << 8) | c);
  };
  uint64_t printable = 0;
  size_t i = bom;
  size_t ascii_begin = i;  // pending run of ASCII code units, mapped 1:2 in one piece
  auto flush = [&](size_t upto) {
    if (upto > ascii_begin) out.map.AppendLinear(ascii_begin, (upto - ascii_begin) / 2, upto - ascii_begin);
  };
  while (i + 1 < data.size()) {
    uint32_t cp = unit(i);
    if (cp < 0x80) {
      out.data.push_back(static_cast<char>(cp));
      if (cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r') ++printable;
      i += 2;
      continue;
    }
    flush(i);
    size_t len = 2;
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < data.size()) {
      const uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        len = 4;
      } else {
        cp = 0xFFFD;
      }
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    const size_t before = out.data.size();
    internal::AppendUtf8(&out.data, cp);
    out.map.AppendAtomic(i, out.data.size() - before, len);
    printable += out.data.size() - before;
    i += len;
    ascii_begin = i;
  }
  flush(i);
  out.printable_ratio = out.data.empty() ? 0.0 : static_cast<double>(printable) / static_cast<double>(out.data.size());
  return out;
}

}  // namespace trawl
