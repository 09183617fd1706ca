#include "structure/text_structure.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "complexity.h"
#include "structure/line_index_reference.h"

namespace trawl {
namespace {

TEST(TextStructureTest, MixedLineEndingsAndLengths) {
  const std::string text = "a\r\nbb\nccc\rdddd";
  const TextReport r = AnalyzeText(text);
  EXPECT_EQ(r.lines, 4u);
  EXPECT_EQ(r.lf, 1u);
  EXPECT_EQ(r.crlf, 1u);
  EXPECT_EQ(r.cr, 1u);
  EXPECT_TRUE(r.mixed_line_endings);
  EXPECT_EQ(r.line_length.min, 1u);
  EXPECT_EQ(r.line_length.max, 4u);
  EXPECT_DOUBLE_EQ(r.line_length.mean, 2.5);
  EXPECT_EQ(r.line_length.p50, 2u);
  EXPECT_EQ(r.line_length.p99, 4u);
  EXPECT_EQ(r.encoding, "ascii");
  const LineIndex index(text);
  EXPECT_EQ(index.line_count(), 4u);
  EXPECT_EQ(index.Locate(text.find("ccc")).line, 3u);
  EXPECT_EQ(index.Locate(text.find("ccc") + 2).column, 3u);
  EXPECT_EQ(index.Locate(text.find("dddd")).line, 4u);
  EXPECT_EQ(index.Locate(1).line, 1u);  // the '\r' of CRLF is on line 1
  EXPECT_EQ(index.Locate(1).column, 2u);
}

TEST(TextStructureTest, LogLineLocation) {
  std::string log;
  for (int i = 1; i <= 300; ++i) log += "2024-05-01T00:00:00Z INFO request " + std::to_string(i) + " ok\n";
  const size_t at = log.size();
  log += "2024-05-01T00:00:01Z WARN auth token=ghp_0123456789abcdef\n";
  const TextReport r = AnalyzeText(log);
  EXPECT_EQ(r.lines, 301u);
  EXPECT_FALSE(r.mixed_line_endings);
  const LineIndex index(log);
  const auto loc = index.Locate(log.find("ghp_"));
  EXPECT_EQ(loc.line, 301u);
  EXPECT_EQ(loc.column, log.find("ghp_") - at + 1);
  EXPECT_EQ(index.LineStart(301), at);
}

TEST(TextStructureTest, Utf8ColumnsBomAndInvalidBytes) {
  const std::string text = "\xEF\xBB\xBFna\xC3\xAFve key=1\nbad \xFF\xFE byte \xC3\n";
  const TextReport r = AnalyzeText(text);
  EXPECT_EQ(r.bom, TextBom::kUtf8);
  EXPECT_FALSE(r.valid_utf8);
  EXPECT_EQ(r.invalid_utf8_sequences, 3u);
  EXPECT_EQ(r.first_invalid_utf8, text.find('\xFF'));
  EXPECT_EQ(r.encoding, "binary-or-legacy");
  const LineIndex index(text);
  const auto loc = index.Locate(text.find("key"));
  EXPECT_EQ(loc.line, 1u);
  EXPECT_EQ(loc.column, 11u);       // BOM (3) + "na" + 2-byte i + "ve " = 10 bytes before
  EXPECT_EQ(loc.column_chars, 8u);  // BOM, n, a, i, v, e, space
}

// Long lines of mixed ASCII, multi-byte and invalid UTF-8 (checkpoints fall inside and
// around sequences), short lines and every line ending: every offset locates as the
// walk from the line start does.
TEST(TextStructureTest, LongLineLocationMatchesTheWalkFromTheLineStart) {
  std::mt19937 random(7);
  // Runs of ASCII longer than a word too (Locate counts them eight bytes at a time).
  const std::vector<std::string> pieces = {"a", "key=", "\xC3\xA9", "\xE2\x82\xAC",
                                           "\xF0\x9F\x94\x91", "\xFF", "\xC3",
                                           "\"id\": 12345, \"name\": \"x\"", "\n",
                                           "\r\n", "\r", " "};
  std::string text;
  for (int line = 0; line < 6; ++line) {
    const size_t length = line % 2 ? 10 : 3000 + line;  // several checkpoint strides
    for (const size_t begin = text.size(); text.size() - begin < length;) {
      text += pieces[random() % 8];  // no line ending inside a line
    }
    text += pieces[8 + line % 3];
  }
  const LineIndex index(text);
  for (uint64_t offset = 0; offset <= text.size() + 1; ++offset) {
    const LineIndex::Location got = index.Locate(offset);
    const LineIndex::Location want = testing::ReferenceLocate(text, offset);
    ASSERT_EQ(got.line, want.line) << offset;
    ASSERT_EQ(got.column, want.column) << offset;
    ASSERT_EQ(got.column_chars, want.column_chars) << offset;
  }
}

// Defect: locating candidates on one long line walked from the line's start for each
// (48 MB of base64 on one line: ~19 s). Indexing and locating a candidate every 1 KiB
// must grow linearly with the line. (Sizes below the shared cache: the ratio measures
// the algorithm, not a cache boundary.)
TEST(LineIndexComplexityTest, LocatingOnOneLongLineIsLinear) {
  TRAWL_SKIP_MEASUREMENT_WHEN_SANITIZED();
  std::string line;
  for (size_t i = 0; i < (2u << 20); ++i) line.push_back("AbCd0123+/xyZ"[i % 13]);
  uint64_t sink = 0;
  const double ratio = testing::DoublingRatio(1u << 20, [&](size_t n) {
    const std::string_view text(line.data(), n);
    const LineIndex index(text);
    for (uint64_t offset = 0; offset < n; offset += 1024) sink += index.Locate(offset).column_chars;
  });
  EXPECT_LE(ratio, testing::kMaxDoublingRatio) << sink;
}

TEST(TextStructureTest, Utf16LeLogDecodesWithOffsetsBack) {
  const std::string utf8 = "boot ok\nERROR token=abc123\n";
  std::string utf16 = "\xFF\xFE";
  for (char c : utf8) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  utf16 += std::string("\x3D\xD8\x00\xDE", 4);  // U+1F600 as a surrogate pair
  const TextReport r = AnalyzeText(utf16);
  EXPECT_EQ(r.bom, TextBom::kUtf16Le);
  EXPECT_EQ(r.encoding, "utf-16le");
  const DerivedBuffer d = DecodeUtf16(utf16, /*little_endian=*/true);
  EXPECT_EQ(d.data, utf8 + "\xF0\x9F\x98\x80");
  const size_t token = d.data.find("token=abc123");
  const ByteSpan span = d.map.MapRange(token, token + 12);
  EXPECT_EQ(span.begin, 2 + 2 * token);
  EXPECT_EQ(span.end, 2 + 2 * (token + 12));
  const ByteSpan emoji = d.map.MapRange(utf8.size(), utf8.size() + 4);
  EXPECT_EQ(emoji, (ByteSpan{2 + 2 * utf8.size(), 2 + 2 * utf8.size() + 4}));
  const TextReport decoded = AnalyzeText(d.data);
  EXPECT_EQ(decoded.lines, 3u);
}

TEST(TextStructureTest, EmptyInput) {
  const TextReport r = AnalyzeText("");
  EXPECT_EQ(r.lines, 0u);
  EXPECT_TRUE(r.valid_utf8);
  const LineIndex index("");
  EXPECT_EQ(index.Locate(5).line, 1u);
}

}  // namespace
}  // namespace trawl
