// OffsetMap on its own: runs longer than a piece can say are cut into chunks that keep
// the decoders' ratios exact (1:1 copies, 1:2 code units, 3:4 base64 groups), adjacent
// copies merge, escapes map whole, and Truncate/Clear undo appends (the NDJSON path's
// rollback, the recycled buffers of JsonAnalyzer::Recycle).
#include "structure/offset_map.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace trawl {
namespace {

constexpr uint64_t kChunk = uint64_t{3} << 28;  // offset_map.h's piece limit

TEST(OffsetMapTest, LongCopiesMapByteForByteAcrossChunks) {
  OffsetMap map;
  const uint64_t length = 2'000'000'000;
  map.AppendLinear(100, length, length);
  EXPECT_EQ(map.derived_size(), length);
  EXPECT_EQ(map.pieces().size(), 3u);  // cut at kChunk and 2 * kChunk
  for (const uint64_t d : {uint64_t{0}, kChunk - 1, kChunk, 2 * kChunk - 1, 2 * kChunk,
                           length - 1}) {
    EXPECT_EQ(map.MapRange(d, d + 1), (ByteSpan{100 + d, 101 + d})) << d;
  }
  EXPECT_EQ(map.MapRange(kChunk - 2, kChunk + 2), (ByteSpan{100 + kChunk - 2, 100 + kChunk + 2}));
}

TEST(OffsetMapTest, LongBase64AndUtf16RunsKeepTheirRatioAtChunkEdges) {
  OffsetMap base64;  // 3 decoded bytes per 4 encoded
  const uint64_t groups = 700'000'000;
  base64.AppendLinear(0, 3 * groups, 4 * groups);
  EXPECT_EQ(base64.derived_size(), 3 * groups);
  for (const uint64_t g : {uint64_t{0}, kChunk / 3 - 1, kChunk / 3, 2 * kChunk / 3, groups - 1}) {
    EXPECT_EQ(base64.MapRange(3 * g, 3 * g + 3), (ByteSpan{4 * g, 4 * g + 4})) << g;
  }
  OffsetMap utf16;  // 1 transcoded byte per 2 code-unit bytes (ASCII)
  const uint64_t chars = 1'000'000'000;
  utf16.AppendLinear(10, chars, 2 * chars);
  for (const uint64_t c : {uint64_t{0}, kChunk - 1, kChunk, chars - 1}) {
    EXPECT_EQ(utf16.MapRange(c, c + 1), (ByteSpan{10 + 2 * c, 12 + 2 * c})) << c;
  }
}

TEST(OffsetMapTest, DerivedBytesWithoutSourceEndAndMapToTheirStart) {
  OffsetMap map;
  map.AppendLinear(7, 2 * kChunk + 5, 0);
  EXPECT_EQ(map.derived_size(), 2 * kChunk + 5);
  EXPECT_EQ(map.MapRange(kChunk + 3, kChunk + 4), (ByteSpan{7, 7}));
}

TEST(OffsetMapTest, CopiesMergeAndEscapesMapWhole) {
  OffsetMap map;
  map.AppendLinear(0, 10, 10);
  map.AppendLinear(10, 5, 5);  // touches the first: one piece
  EXPECT_EQ(map.pieces().size(), 1u);
  map.AppendAtomic(15, 1, 6);  // "\u0041" decoded to "A"
  map.AppendLinear(21, 4, 4);  // not merged into the escape
  EXPECT_EQ(map.pieces().size(), 3u);
  EXPECT_EQ(map.derived_size(), 20u);
  EXPECT_EQ(map.MapRange(15, 16), (ByteSpan{15, 21}));
  EXPECT_EQ(map.MapRange(14, 17), (ByteSpan{14, 22}));
  EXPECT_EQ(map.MapRange(19, 20), (ByteSpan{24, 25}));
}

TEST(OffsetMapTest, TruncateUndoesAppendsAndClearKeepsTheMemory) {
  OffsetMap map;
  map.AppendLinear(0, 10, 10);
  const size_t pieces = map.pieces().size();
  const uint64_t derived = map.derived_size();
  map.AppendGap(1);  // the separator before the next decoded string
  map.AppendAtomic(40, 1, 2);
  map.AppendLinear(42, 8, 8);
  map.Truncate(pieces, derived);
  EXPECT_EQ(map.pieces().size(), pieces);
  EXPECT_EQ(map.derived_size(), derived);
  map.AppendGap(1);
  map.AppendLinear(60, 3, 3);  // appends as if the undone ones never were
  EXPECT_EQ(map.MapRange(11, 12), (ByteSpan{60, 61}));
  EXPECT_EQ(map.MapRange(9, 10), (ByteSpan{9, 10}));

  const size_t capacity = map.capacity_bytes();
  map.Clear();
  EXPECT_TRUE(map.pieces().empty());
  EXPECT_EQ(map.derived_size(), 0u);
  EXPECT_EQ(map.capacity_bytes(), capacity);
  map.AppendLinear(5, 2, 2);
  EXPECT_EQ(map.MapRange(0, 2), (ByteSpan{5, 7}));
}

}  // namespace
}  // namespace trawl
