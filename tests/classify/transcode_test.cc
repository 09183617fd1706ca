// File: transcode_test.cc
#include "classify/transcode.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "util/utf8.h"

namespace trawl {
namespace {

// Encodes code points as UTF-16 and records where each one starts in the output.
std::string EncodeUtf16(const std::vector<uint32_t>& cps, bool le, bool bom,
                        std::vector<uint64_t>* starts) {
  std::string out;
  auto unit = [&](uint32_t u) {
    const char hi = static_cast<char>(u >> 8), lo = static_cast<char>(u & 0xFF);
    out.push_back(le ? lo : hi);
    out.push_back(le ? hi : lo);
  };
  if (bom) unit(0xFEFF);
  for (uint32_t cp : cps) {
    starts->push_back(out.size());
    if (cp >= 0x10000) {
      unit(0xD800 + ((cp - 0x10000) >> 10));
      unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return out;
}

TEST(ClassifyTranscodeTest, Utf16MapsEveryCharacterBack) {
  // "héllo 😀 x€" : ASCII, 2-byte, 4-byte and 3-byte UTF-8 characters.
  const std::vector<uint32_t> cps = {'h', 0xE9, 'l', 'l', 'o', ' ', 0x1F600, ' ', 'x', 0x20AC};
  const std::string expected = "h\xC3\xA9llo \xF0\x9F\x98\x80 x\xE2\x82\xAC";
  for (bool le : {true, false}) {
    for (bool bom : {true, false}) {
      std::vector<uint64_t> starts;
      const std::string source = EncodeUtf16(cps, le, bom, &starts);
      absl::StatusOr<TranscodedText> t =
          TranscodeToUtf8(source, le ? TextEncoding::kUtf16Le : TextEncoding::kUtf16Be);
      ASSERT_TRUE(t.ok());
      EXPECT_EQ(t->utf8, expected);
      // Walk the UTF-8 text character by character; every byte of a character maps to
      // the start of that character in the source.
      size_t ch = 0;
      for (size_t i = 0; i < t->utf8.size(); ++ch) {
        const auto lead = static_cast<uint8_t>(t->utf8[i]);
        const size_t width = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        for (size_t k = 0; k < width; ++k) EXPECT_EQ(t->map.ToSource(i + k), starts[ch]) << i;
        // And back: every source byte of the character maps to its first UTF-8 byte.
        const uint64_t source_end = ch + 1 < starts.size() ? starts[ch + 1] : source.size();
        for (uint64_t b = starts[ch]; b < source_end; ++b) EXPECT_EQ(t->map.ToUtf8(b), i) << b;
        i += width;
      }
      EXPECT_EQ(ch, cps.size());
      EXPECT_EQ(t->map.ToSource(t->utf8.size()), source.size());
      EXPECT_EQ(t->map.ToUtf8(source.size()), t->utf8.size());
      if (bom) {
        EXPECT_EQ(t->map.ToUtf8(1), 0u);  // inside the BOM
      }
    }
  }
}

TEST(ClassifyTranscodeTest, FindingOffsetsMapBackToTheOriginalBytes) {
  const std::string text = "user=alice password=hunter2\n";
  std::string utf16 = "\xFF\xFE";
  for (char c : text) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  absl::StatusOr<TranscodedText> t = TranscodeToUtf8(utf16, TextEncoding::kUtf16Le);
  ASSERT_TRUE(t.ok());
  const size_t at = t->utf8.find("hunter2");
  ASSERT_NE(at, std::string::npos);
  const uint64_t begin = t->map.ToSource(at), end = t->map.ToSource(at + 7);
  EXPECT_EQ(begin, 2 + 2 * at);
  EXPECT_EQ(end - begin, 14u);
  EXPECT_EQ(t->map.runs().size(), 1u) << "ASCII in UTF-16 is one run";
}

TEST(ClassifyTranscodeTest, BrokenUtf16BecomesReplacementCharacters) {
  // A lone high surrogate, then 'A', then an odd trailing byte.
  const std::string source(
      "\x00\xD8"
      "A\x00"
      "B",
      5);
  absl::StatusOr<TranscodedText> t = TranscodeToUtf8(source, TextEncoding::kUtf16Le);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->utf8,
            "\xEF\xBF\xBD"
            "A"
            "\xEF\xBF\xBD");
  EXPECT_EQ(t->map.ToSource(3), 2u);
  EXPECT_EQ(t->map.ToSource(4), 4u);
  EXPECT_EQ(t->map.ToSource(7), 5u);
}

TEST(ClassifyTranscodeTest, Latin1AndUtf8) {
  absl::StatusOr<TranscodedText> latin = TranscodeToUtf8("caf\xe9 ok", TextEncoding::kLatin1);
  ASSERT_TRUE(latin.ok());
  EXPECT_EQ(latin->utf8, "caf\xC3\xA9 ok");
  EXPECT_EQ(latin->map.ToSource(latin->utf8.find("ok")), 5u);
  EXPECT_EQ(latin->map.ToSource(4), 3u);  // second byte of é

  absl::StatusOr<TranscodedText> utf8 = TranscodeToUtf8("\xEF\xBB\xBFkey=v", TextEncoding::kUtf8);
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(utf8->utf8, "key=v");
  EXPECT_EQ(utf8->map.ToSource(4), 7u);
  EXPECT_EQ(utf8->map.runs().size(), 1u);

  EXPECT_FALSE(TranscodeToUtf8("x", TextEncoding::kNone).ok());
  absl::StatusOr<TranscodedText> empty = TranscodeToUtf8("", TextEncoding::kUtf16Le);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->map.ToSource(0), 0u);
}

}  // namespace
}  // namespace trawl

namespace trawl {
namespace {

// Latin-1 copies ASCII runs whole (issue 22): the text and every offset's mapping equal
// a byte-by-byte transcoding, for high bytes at every position of an 8-byte word.
TEST(TranscodeFastPathTest, Latin1EqualsByteByByte) {
  std::string input;
  for (int i = 0; i < 4000; ++i) {
    input.append(static_cast<size_t>(i % 11), 'a');
    input.push_back(static_cast<char>(0x80 + i % 128));
  }
  auto t = TranscodeToUtf8(input, TextEncoding::kLatin1);
  ASSERT_TRUE(t.ok());
  std::string want;
  std::vector<uint64_t> source_of;  // for every UTF-8 byte, the source offset of its char
  for (size_t i = 0; i < input.size(); ++i) {
    const size_t before = want.size();
    AppendUtf8(&want, static_cast<uint8_t>(input[i]));
    source_of.insert(source_of.end(), want.size() - before, i);
  }
  EXPECT_EQ(t->utf8, want);
  for (size_t k = 0; k < want.size(); ++k) {
    // A character's first byte maps to its source byte.
    if ((static_cast<uint8_t>(want[k]) & 0xC0) != 0x80) {
      ASSERT_EQ(t->map.ToSource(k), source_of[k]) << k;
    }
  }
  EXPECT_EQ(t->map.ToSource(want.size()), input.size());
}

}  // namespace
}  // namespace trawl
