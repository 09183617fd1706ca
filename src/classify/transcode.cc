// File: transcode.cc
#include "classify/transcode.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "util/utf8.h"

namespace trawl {
namespace {

uint32_t Utf8Width(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

constexpr uint32_t kReplacement = 0xFFFD;

// The end of the run of ASCII bytes starting at `i`, 8 bytes at a time.
size_t AsciiPrefixEnd(std::string_view s, size_t i) {
  while (s.size() - i >= 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ull) break;
    i += 8;
  }
  while (i < s.size() && static_cast<uint8_t>(s[i]) < 0x80) ++i;
  return i;
}

}  // namespace

void Utf8OffsetMap::Append(uint32_t utf8_width, uint32_t source_width, uint64_t count) {
  if (count == 0) return;
  if (!runs_.empty() && runs_.back().utf8_width == utf8_width &&
      runs_.back().source_width == source_width) {
    runs_.back().count += count;
  } else {
    runs_.push_back(Run{utf8_size_, source_size_, utf8_width, source_width, count});
  }
  utf8_size_ += utf8_width * count;
  source_size_ += source_width * count;
}

uint64_t Utf8OffsetMap::ToSource(uint64_t utf8_offset) const {
  if (utf8_offset >= utf8_size_) return source_size_;
  // The last run starting at or before the offset.
  auto it = std::upper_bound(runs_.begin(), runs_.end(), utf8_offset,
                             [](uint64_t off, const Run& run) { return off < run.utf8_start; });
  const Run& run = *(it - 1);
  const uint64_t character = (utf8_offset - run.utf8_start) / run.utf8_width;
  return run.source_start + character * run.source_width;
}

uint64_t Utf8OffsetMap::ToUtf8(uint64_t source_offset) const {
  if (source_offset >= source_size_) return utf8_size_;
  // The last run starting at or before the offset (runs ascend in both offsets).
  auto it = std::upper_bound(runs_.begin(), runs_.end(), source_offset,
                             [](uint64_t off, const Run& run) { return off < run.source_start; });
  if (it == runs_.begin()) return 0;
  const Run& run = *(it - 1);
  const uint64_t character = (source_offset - run.source_start) / run.source_width;
  return run.utf8_start + character * run.utf8_width;
}

absl::StatusOr<TranscodedText> TranscodeToUtf8(std::string_view content, TextEncoding encoding) {
  TranscodedText out;
  const auto byte = [&content](size_t i) { return static_cast<uint8_t>(content[i]); };
  switch (encoding) {
    case TextEncoding::kNone:
      return absl::InvalidArgumentError("binary content has no text encoding to transcode");
    case TextEncoding::kUtf8: {
      size_t start = content.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
      out.utf8.assign(content.substr(start));
      out.map.set_source_start(start);
      // Identity: one run of width 1/1 covers everything, whatever the characters.
      out.map.Append(1, 1, out.utf8.size());
      return out;
    }
    case TextEncoding::kLatin1: {
      // ASCII runs are copied whole (one map run each); a byte >= 0x80 becomes two.
      out.utf8.reserve(content.size() + content.size() / 8);
      size_t i = 0;
      while (i < content.size()) {
        const size_t ascii_end = AsciiPrefixEnd(content, i);
        out.utf8.append(content.substr(i, ascii_end - i));
        out.map.Append(1, 1, ascii_end - i);
        i = ascii_end;
        if (i == content.size()) break;
        const uint32_t cp = byte(i++);
        AppendUtf8(&out.utf8, cp);
        out.map.Append(Utf8Width(cp), 1);
      }
      return out;
    }
    case TextEncoding::kUtf16Le:
    case TextEncoding::kUtf16Be: {
      const bool le = encoding == TextEncoding::kUtf16Le;
      const auto unit = [&](size_t i) -> uint32_t {
        return le ? (byte(i) | (byte(i + 1) << 8)) : ((byte(i) << 8) | byte(i + 1));
      };
      size_t i = 0;
      if (content.size() >= 2 && unit(0) == 0xFEFF) i = 2;
      out.map.set_source_start(i);
      out.utf8.reserve(content.size() / 2 + 16);
      while (i + 1 < content.size()) {
        const uint32_t u = unit(i);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < content.size()) {
          const uint32_t low = unit(i + 2);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            const uint32_t cp = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
            AppendUtf8(&out.utf8, cp);
            out.map.Append(4, 4);
            i += 4;
            continue;
          }
        }
        const uint32_t cp = (u >= 0xD800 && u <= 0xDFFF) ? kReplacement : u;
        AppendUtf8(&out.utf8, cp);
        out.map.Append(Utf8Width(cp), 2);
        i += 2;
      }
      if (i < content.size()) {  // a trailing odd byte
        AppendUtf8(&out.utf8, kReplacement);
        out.map.Append(3, 1);
      }
      return out;
    }
  }
  return absl::InvalidArgumentError("unknown text encoding");
}

}  // namespace trawl
