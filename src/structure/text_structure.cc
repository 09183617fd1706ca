// File: text_structure.cc
#include "structure/text_structure.h"

#include <algorithm>
#include <cstring>
#include <iterator>

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

// Steps over one code point at `i` (an invalid byte counts as one).
inline uint64_t NextCodePoint(std::string_view text, uint64_t i) {
  if (static_cast<unsigned char>(text[i]) < 0x80) return i + 1;
  const size_t n = internal::Utf8SequenceLength(text, i);
  return i + (n ? n : 1);
}

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  if (text.empty()) return;
  starts_.push_back(0);
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    // Jump to the next CR or LF.
    const char* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* cr = static_cast<const char*>(std::memchr(p, '\r', static_cast<size_t>((lf ? lf : end) - p)));
    const char* hit = cr ? cr : lf;
    const uint64_t line_begin = static_cast<uint64_t>(p - text.data());
    const uint64_t line_end = static_cast<uint64_t>((hit ? hit : end) - text.data());
    if (line_end - line_begin > kCheckpointStride) AddCheckpoints(line_begin, line_end);
    if (!hit) break;
    const char* next = hit + 1;
    if (*hit == '\r' && next < end && *next == '\n') ++next;
    if (next < end) starts_.push_back(static_cast<uint64_t>(next - text.data()));
    p = next;
  }
}

void LineIndex::AddCheckpoints(uint64_t line_begin, uint64_t line_end) {
  uint64_t chars = 0;
  uint64_t next_checkpoint = line_begin + kCheckpointStride;
  for (uint64_t i = line_begin; i < line_end;) {
    if (i >= next_checkpoint) {
      checkpoints_.push_back({i, chars});
      next_checkpoint = i + kCheckpointStride;
    }
    i = NextCodePoint(text_, i);
    ++chars;
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
  for (uint64_t i = from; i < offset; i = NextCodePoint(text_, i)) ++chars;
  loc.column_chars = chars + 1;
  return loc;
}

TextReport AnalyzeText(std::string_view text) {
  TextReport r;
  r.size = text.size();
  size_t bom_length = 0;
  r.bom = DetectBom(text, &bom_length);

  // Line endings and lengths in one pass.
  std::vector<uint64_t> lengths;
  uint64_t line_begin = 0;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c != '\n' && c != '\r') continue;
    lengths.push_back(i - line_begin);
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
  if (line_begin < n) lengths.push_back(n - line_begin);
  r.lines = lengths.size();
  r.mixed_line_endings = (r.lf > 0) + (r.crlf > 0) + (r.cr > 0) > 1;
  if (!lengths.empty()) {
    uint64_t sum = 0;
    r.line_length.min = r.line_length.max = lengths[0];
    for (uint64_t len : lengths) {
      sum += len;
      r.line_length.min = std::min(r.line_length.min, len);
      r.line_length.max = std::max(r.line_length.max, len);
    }
    r.line_length.mean = static_cast<double>(sum) / static_cast<double>(lengths.size());
    // Nearest-rank percentiles.
    auto rank = [&](double p) {
      size_t k = static_cast<size_t>(p * static_cast<double>(lengths.size()) + 0.999999);
      k = std::clamp<size_t>(k, 1, lengths.size()) - 1;
      std::nth_element(lengths.begin(), lengths.begin() + static_cast<ptrdiff_t>(k), lengths.end());
      return lengths[k];
    };
    r.line_length.p50 = rank(0.50);
    r.line_length.p99 = rank(0.99);
  }

  // Encoding.
  r.ascii = true;
  r.valid_utf8 = true;
  for (size_t i = 0; i < n;) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == 0) {
        ++r.nul_bytes;
      } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') || c == 0x7F) {
        ++r.control_bytes;
      }
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
