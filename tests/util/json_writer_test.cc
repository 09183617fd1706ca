#include "util/json_writer.h"

#include <gtest/gtest.h>

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
