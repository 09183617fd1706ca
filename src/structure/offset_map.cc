// File: offset_map.cc
#include "structure/offset_map.h"

#include <algorithm>

namespace trawl {

void OffsetMap::AppendLinear(uint64_t source_begin, uint64_t derived_length, uint64_t source_length) {
  // Piece lengths are 31 bits. Long runs are cut into chunks of 3 * 2^28 derived bytes,
  // which keeps the 1:1, 1:2 and 3:4 ratios exact at chunk boundaries.
  constexpr uint64_t kChunk = uint64_t{3} << 28;
  while (derived_length > kChunk && source_length > 0) {
    const uint64_t s = source_length * kChunk / derived_length;
    AppendLinear(source_begin, kChunk, s);
    source_begin += s;
    derived_length -= kChunk;
    source_length -= s;
  }
  if (derived_length == 0) return;
  if (source_length > 0x7FFFFFFFu) source_length = 0x7FFFFFFFu;  // only for absurd ratios
  if (!pieces_.empty()) {
    Piece& last = pieces_.back();
    const uint64_t last_source = last.source_length();
    if (!last.atomic() && last.derived_length == last_source && derived_length == source_length &&
        last.derived_begin + last.derived_length == derived_end_ && last.source_begin + last_source == source_begin &&
        last_source + source_length <= kChunk) {
      last.derived_length += static_cast<uint32_t>(derived_length);
      last.source_length_and_flag += static_cast<uint32_t>(source_length);
      derived_end_ += derived_length;
      return;
    }
  }
  pieces_.push_back({derived_end_, source_begin, static_cast<uint32_t>(derived_length),
                     static_cast<uint32_t>(source_length)});
  derived_end_ += derived_length;
}

void OffsetMap::AppendAtomic(uint64_t source_begin, uint64_t derived_length, uint64_t source_length) {
  // Atomic pieces are single escapes or characters: a few bytes.
  pieces_.push_back({derived_end_, source_begin, static_cast<uint32_t>(std::min<uint64_t>(derived_length, 0x7FFFFFFFu)),
                     static_cast<uint32_t>(std::min<uint64_t>(source_length, 0x7FFFFFFFu)) | 0x80000000u});
  derived_end_ += derived_length;
}

size_t OffsetMap::Find(uint64_t offset) const {
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), offset,
                             [](uint64_t o, const Piece& p) { return o < p.derived_begin; });
  if (it == pieces_.begin()) return 0;
  return static_cast<size_t>(it - pieces_.begin()) - 1;
}

uint64_t OffsetMap::MapBegin(uint64_t offset) const {
  const Piece& p = pieces_[Find(offset)];
  if (offset < p.derived_begin) return p.source_begin;
  const uint64_t rel = offset - p.derived_begin;
  if (rel >= p.derived_length) return p.source_begin + p.source_length();  // in a gap after p
  if (p.atomic()) return p.source_begin;
  return p.source_begin + rel * p.source_length() / p.derived_length;
}

uint64_t OffsetMap::MapEnd(uint64_t offset) const {
  // `offset` is exclusive: map the last included byte and take its end.
  if (offset == 0) return pieces_.empty() ? 0 : pieces_.front().source_begin;
  const uint64_t last = offset - 1;
  const Piece& p = pieces_[Find(last)];
  if (last < p.derived_begin) return p.source_begin;
  const uint64_t rel = last - p.derived_begin;
  if (rel >= p.derived_length || p.atomic()) return p.source_begin + p.source_length();
  // Ceiling of the proportional end of byte `rel`.
  const uint64_t num = (rel + 1) * p.source_length();
  return p.source_begin + (num + p.derived_length - 1) / p.derived_length;
}

ByteSpan OffsetMap::MapRange(uint64_t derived_begin, uint64_t derived_end) const {
  if (pieces_.empty()) return {0, 0};
  if (derived_end < derived_begin) derived_end = derived_begin;
  ByteSpan span{MapBegin(derived_begin), MapEnd(std::max(derived_end, derived_begin + 1))};
  if (span.end < span.begin) span.end = span.begin;
  return span;
}

const char* DerivedEncodingName(DerivedEncoding encoding) {
  switch (encoding) {
    case DerivedEncoding::kJsonString: return "json_string";
    case DerivedEncoding::kBase64: return "base64";
    case DerivedEncoding::kBase64Url: return "base64url";
    case DerivedEncoding::kHex: return "hex";
    case DerivedEncoding::kUtf16Le: return "utf16le";
    case DerivedEncoding::kUtf16Be: return "utf16be";
    case DerivedEncoding::kStrings: return "strings";
    case DerivedEncoding::kRefanged: return "refanged";
  }
  return "unknown";
}

ByteSpan MapToComponent(const std::vector<DerivedBuffer>& buffers, size_t index, uint64_t begin,
                        uint64_t end) {
  ByteSpan span{begin, end};
  for (int64_t i = static_cast<int64_t>(index); i >= 0;) {
    const DerivedBuffer& b = buffers[static_cast<size_t>(i)];
    span = b.map.MapRange(span.begin, span.end);
    i = b.parent;
  }
  return span;
}

}  // namespace trawl
