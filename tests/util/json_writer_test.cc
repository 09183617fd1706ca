#include "util/json_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace trawl {
namespace {

TEST(JsonWriterTest, WritesNestedCompactDocument) {
  JsonWriter w;
  w.BeginObject().Field("a", int64_t{1}).Key("b").BeginArray().String("x").Bool(true).Null();
  w.EndArray().Field("c", 0.25).EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x",true,null],"c":0.25})");
}

TEST(JsonWriterTest, EscapesControlAndQuoteCharacters) {
  std::string out;
  AppendJsonString(&out, std::string("a\"b\\c\n\x01", 7));
  EXPECT_EQ(out, R"("a\"b\\c\n\u0001")");
}

TEST(JsonWriterTest, ReplacesInvalidUtf8AndKeepsValidUtf8) {
  std::string out;
  AppendJsonString(&out, "caf\xC3\xA9 \xFF");
  EXPECT_EQ(out, "\"caf\xC3\xA9 \xEF\xBF\xBD\"");
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

// AppendJsonString byte at a time, as it was before plain runs were found eight bytes at
// a time: the definition the fast form must keep.
std::string ReferenceJsonString(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // The lead byte says how long the sequence is; it is kept only if it is valid.
      size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
      if (i + len > text.size() || !IsValidUtf8(text.substr(i, len))) len = 0;
      out += len == 0 ? std::string("\xEF\xBF\xBD") : std::string(text.substr(i, len));
      if (len > 0) i += len - 1;
      continue;
    }
    const char* named[] = {"\\\"", "\\\\", "\\n", "\\r", "\\t", "\\b", "\\f"};
    const std::string_view specials = "\"\\\n\r\t\b\f";
    if (const size_t k = specials.find(static_cast<char>(c)); k != std::string_view::npos) {
      out += named[k];
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

TEST(JsonWriterTest, EveryByteAtEveryOffsetEscapesAsByteAtATime) {
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text[at] = static_cast<char>(byte);
      std::string out;
      AppendJsonString(&out, text);
      ASSERT_EQ(out, ReferenceJsonString(text)) << byte << " at " << at;
    }
  }
  // Random strings: mostly plain, with quotes, controls, DEL, UTF-8 (valid and cut) mixed in.
  std::mt19937 rng(22);
  const std::vector<std::string> pieces = {"abc", "\"", "\\", "\n", std::string(1, '\0'),
                                           "\x7F", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                           "\xC3", "\xFF", "0123456789", " "};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t parts = rng() % 12;
    for (size_t k = 0; k < parts; ++k) text += pieces[rng() % pieces.size()];
    std::string out;
    AppendJsonString(&out, text);
    ASSERT_EQ(out, ReferenceJsonString(text)) << round;
  }
}

TEST(JsonWriterTest, PrettyPrintsWithIndent) {
  JsonWriter w(2);
  w.BeginObject().Field("k", "v").Key("e").BeginArray().EndArray().EndObject();
  EXPECT_EQ(w.str(), "{\n  \"k\": \"v\",\n  \"e\": []\n}");
}

TEST(JsonWriterTest, DoublesAreFixedAndTrimmed) {
  JsonWriter w;
  w.BeginArray().Double(1.0).Double(0.1234567).Double(-0.0).EndArray();
  EXPECT_EQ(w.str(), "[1,0.123457,0]");
}

}  // namespace
}  // namespace trawl
