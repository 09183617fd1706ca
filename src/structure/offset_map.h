// File: offset_map.h
// Maps offsets in a derived buffer (decoded JSON strings, decoded base64/hex, UTF-16
// transcoded to UTF-8) back to byte offsets in the buffer it was derived from, so a
// finding made in the derived text is reported at the encoded span users can open.
//
// A map is a sorted list of pieces. A piece pairs `derived_length` derived bytes with
// `source_length` source bytes. Linear pieces map proportionally (1:1 copies, 1:2
// UTF-16 code units, 3:4 base64 groups); atomic pieces (one escape such as `\u0041`)
// map any offset inside them to the whole encoded escape.
//
// Thread-compatible: const methods may be called concurrently.
#ifndef TRAWL_SRC_STRUCTURE_OFFSET_MAP_H_
#define TRAWL_SRC_STRUCTURE_OFFSET_MAP_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace trawl {

// A half-open byte range [begin, end).
struct ByteSpan {
  uint64_t begin = 0;
  uint64_t end = 0;
  friend bool operator==(const ByteSpan& a, const ByteSpan& b) {
    return a.begin == b.begin && a.end == b.end;
  }
};

class OffsetMap {
 public:
  // 24 bytes: maps of large documents hold millions of pieces.
  struct Piece {
    uint64_t derived_begin;
    uint64_t source_begin;
    uint32_t derived_length;
    uint32_t source_length_and_flag;  // high bit: atomic
    uint64_t source_length() const { return source_length_and_flag & 0x7FFFFFFFu; }
    bool atomic() const { return (source_length_and_flag & 0x80000000u) != 0; }
  };

  // Appends a piece that starts at the current derived end. Adjacent 1:1 pieces whose
  // source ranges touch are merged, so copying long literal runs stays one piece.
  // Inline: decoding a large document appends millions of short pieces.
  void AppendLinear(uint64_t source_begin, uint64_t derived_length, uint64_t source_length) {
    if (derived_length > kChunk || source_length > kMaxPieceLength) {
      AppendLongLinear(source_begin, derived_length, source_length);
      return;
    }
    if (derived_length == 0) return;
    if (!pieces_.empty()) {
      Piece& last = pieces_.back();
      const uint64_t last_source = last.source_length();
      if (!last.atomic() && last.derived_length == last_source && derived_length == source_length &&
          last.derived_begin + last.derived_length == derived_end_ &&
          last.source_begin + last_source == source_begin && last_source + source_length <= kChunk) {
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
  // Atomic pieces are single escapes or characters: a few bytes.
  void AppendAtomic(uint64_t source_begin, uint64_t derived_length, uint64_t source_length) {
    pieces_.push_back({derived_end_, source_begin,
                       static_cast<uint32_t>(std::min<uint64_t>(derived_length, kMaxPieceLength)),
                       static_cast<uint32_t>(std::min<uint64_t>(source_length, kMaxPieceLength)) |
                           0x80000000u});
    derived_end_ += derived_length;
  }
  // Skips derived bytes that have no source (separators between strings).
  void AppendGap(uint64_t derived_length) { derived_end_ += derived_length; }

  // Maps derived [begin, end) to the smallest source span that covers it. Offsets in a
  // gap snap to the nearest piece. An empty map returns {0, 0}.
  ByteSpan MapRange(uint64_t derived_begin, uint64_t derived_end) const;
  uint64_t MapOffset(uint64_t derived_offset) const { return MapRange(derived_offset, derived_offset + 1).begin; }

  uint64_t derived_size() const { return derived_end_; }
  void Reserve(size_t pieces) { pieces_.reserve(pieces); }
  // Empties the map and keeps its memory, for the next document.
  void Clear() {
    pieces_.clear();
    derived_end_ = 0;
  }
  size_t capacity_bytes() const { return pieces_.capacity() * sizeof(Piece); }
  // Drops the pieces after the first `pieces` and sets the derived end, undoing appends
  // made since pieces().size() and derived_size() were `pieces` and `derived_end` (when
  // none of them extended an earlier piece).
  void Truncate(size_t pieces, uint64_t derived_end) {
    pieces_.resize(std::min(pieces, pieces_.size()));
    derived_end_ = derived_end;
  }
  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  // Piece lengths are 31 bits. Long runs are cut into chunks of 3 * 2^28 derived bytes,
  // which keeps the 1:1, 1:2 and 3:4 ratios exact at chunk boundaries.
  static constexpr uint64_t kChunk = uint64_t{3} << 28;
  static constexpr uint64_t kMaxPieceLength = 0x7FFFFFFFu;
  void AppendLongLinear(uint64_t source_begin, uint64_t derived_length, uint64_t source_length);

  // Index of the piece containing `offset`, or the last piece before it.
  size_t Find(uint64_t offset) const;
  uint64_t MapBegin(uint64_t offset) const;
  uint64_t MapEnd(uint64_t offset) const;

  std::vector<Piece> pieces_;
  uint64_t derived_end_ = 0;
};

// How a derived buffer was produced.
enum class DerivedEncoding {
  kJsonString, kBase64, kBase64Url, kHex, kUtf16Le, kUtf16Be, kStrings, kRefanged
};
const char* DerivedEncodingName(DerivedEncoding encoding);

// A decoded layer of a component. `source_span` is in the coordinates of the parent
// (the component itself when parent < 0, else the derived buffer at index `parent`).
struct DerivedBuffer {
  DerivedEncoding encoding = DerivedEncoding::kBase64;
  ByteSpan source_span;
  ByteSpan component_span;  // source_span mapped to component coordinates
  int32_t parent = -1;
  uint32_t depth = 1;
  std::string data;
  OffsetMap map;  // data offsets -> parent coordinates
  // Share of printable ASCII/UTF-8 text bytes in `data`, 0..1.
  double printable_ratio = 0;
};

// Maps [begin, end) in buffers[index] all the way back to component coordinates by
// composing parent maps. REQUIRES: index < buffers.size(), parents precede children.
ByteSpan MapToComponent(const std::vector<DerivedBuffer>& buffers, size_t index, uint64_t begin,
                        uint64_t end);

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_OFFSET_MAP_H_
