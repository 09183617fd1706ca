// File: offset_map.cc
#include "structure/offset_map.h"

#include <algorithm>

namespace trawl {

void OffsetMap::AppendLongLinear(uint64_t source_begin, uint64_t derived_length,
                                 uint64_t source_length) {
  while (derived_length > kChunk && source_length > 0) {
    const uint64_t s = source_length * kChunk / derived_length;
    AppendLinear(source_begin, kChunk, s);
    source_begin += s;
    derived_length -= kChunk;
    source_length -= s;
  }
  // Derived bytes without source (none today) are cut into chunks too.
  for (; derived_length > kChunk; derived_length -= kChunk) AppendLinear(source_begin, kChunk, 0);
  // Only absurd ratios leave more source than a piece can say.
  AppendLinear(source_begin, derived_length, std::min(source_length, kMaxPieceLength));
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
