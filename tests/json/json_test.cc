// The JSON adapter: DOM reads, field errors that name the field, error names, positions
// and the streaming view's offsets.
#include "json/json.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "json/ondemand.h"
#include "util/utf8.h"

namespace trawl::json {
namespace {

TEST(JsonParserTest, ReadsEveryType) {
  Parser parser;
  Value root;
  ASSERT_EQ(parser.Parse(R"({"s":"a\u00e9","u":18446744073709551615,"i":-3,"d":1.5,
                             "b":true,"n":null,"a":[1,2],"o":{}})",
                         &root),
            Error::kOk);
  Object obj;
  ASSERT_EQ(root.Get(&obj), Error::kOk);
  EXPECT_EQ(obj.size(), 8u);
  std::string_view s;
  uint64_t u = 0;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  Array a;
  Object o;
  EXPECT_EQ(obj.Get("s", &s), Error::kOk);
  EXPECT_EQ(s, "a\xc3\xa9");
  EXPECT_EQ(obj.Get("u", &u), Error::kOk);
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_EQ(obj.Get("u", &i), Error::kNumberOutOfRange);
  EXPECT_EQ(obj.Get("i", &i), Error::kOk);
  EXPECT_EQ(i, -3);
  EXPECT_EQ(obj.Get("i", &u), Error::kNumberOutOfRange);
  EXPECT_EQ(obj.Get("d", &d), Error::kOk);
  EXPECT_EQ(d, 1.5);
  EXPECT_EQ(obj.Get("b", &b), Error::kOk);
  EXPECT_TRUE(b);
  Value n;
  ASSERT_EQ(obj.Find("n", &n), Error::kOk);
  EXPECT_TRUE(n.IsNull());
  EXPECT_EQ(n.type(), Type::kNull);
  EXPECT_EQ(obj.Get("a", &a), Error::kOk);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(obj.Get("o", &o), Error::kOk);
  EXPECT_EQ(o.size(), 0u);
  EXPECT_EQ(obj.Get("s", &u), Error::kIncorrectType);
  EXPECT_EQ(obj.Get("missing", &s), Error::kNoSuchField);

  std::vector<std::string> keys;
  for (const auto& [key, value] : obj) keys.emplace_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"s", "u", "i", "d", "b", "n", "a", "o"}));
  uint64_t sum = 0;
  for (Value item : a) {
    uint64_t v = 0;
    ASSERT_EQ(item.Get(&v), Error::kOk);
    sum += v;
  }
  EXPECT_EQ(sum, 3u);
}

TEST(JsonParserTest, ReparsingReusesTheParser) {
  Parser parser;
  Value root;
  for (const char* text : {"[1]", "{\"k\":\"v\"}", "\"x\""}) {
    ASSERT_EQ(parser.Parse(text, &root), Error::kOk) << text;
  }
  std::string_view s;
  EXPECT_EQ(root.Get(&s), Error::kOk);
  EXPECT_EQ(s, "x");
}

TEST(JsonParserTest, ErrorsAreTrawlCodesWithStableNames) {
  Parser parser;
  Value root;
  EXPECT_EQ(parser.Parse("", &root), Error::kEmpty);
  EXPECT_EQ(parser.Parse("[1,", &root), Error::kSyntax);
  EXPECT_EQ(parser.Parse("\"\xff\"", &root), Error::kUtf8);
  EXPECT_EQ(parser.Parse("[tru]", &root), Error::kTrueLiteral);
  EXPECT_EQ(ErrorName(Error::kUtf8), "utf8");
  EXPECT_EQ(ErrorName(Error::kDepth), "depth_limit");
  EXPECT_EQ(ErrorName(Error::kTrueLiteral), "literal");
  EXPECT_EQ(ErrorName(Error::kSyntax), "tape_error");
  EXPECT_EQ(ErrorName(Error::kOther), "tape_error");
  EXPECT_FALSE(ErrorMessage(Error::kNoSuchField).empty());
}

TEST(JsonParserTest, DepthLimitIsTheParsers) {
  const std::string deep = std::string(70, '[') + std::string(70, ']');
  Value root;
  Parser shallow(64);
  EXPECT_EQ(shallow.Parse(deep, &root), Error::kDepth);
  Parser deflt;
  EXPECT_EQ(deflt.Parse(deep, &root), Error::kOk);
}

TEST(FieldReaderTest, ErrorsNameTheObjectAndTheField) {
  Parser parser;
  Object obj;
  ASSERT_TRUE(ParseObject(parser, R"({"n":4294967296,"s":1,"l":["a",2]})", "thing", &obj).ok());
  const FieldReader r(obj, "thing");
  uint64_t wide = 0;
  EXPECT_TRUE(r.Read("n", &wide).ok());
  uint32_t narrow = 7;
  absl::Status status = r.Read("n", &narrow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("thing field \"n\""), std::string::npos)
      << status.message();
  EXPECT_EQ(narrow, 7u);
  std::string s = "kept";
  EXPECT_TRUE(r.Read("absent", &s, /*required=*/false).ok());
  EXPECT_EQ(s, "kept");
  EXPECT_FALSE(r.Read("absent", &s).ok());
  EXPECT_FALSE(r.Read("s", &s).ok());
  std::vector<std::string> list;
  EXPECT_FALSE(r.Read("l", &list).ok());

  EXPECT_FALSE(ParseObject(parser, "[1]", "thing", &obj).ok());
  status = ParseObject(parser, "{", "thing", &obj);
  EXPECT_NE(std::string(status.message()).find("thing: not JSON"), std::string::npos);
}

TEST(JsonUnescapeTest, DecodesEveryEscape) {
  std::string out;
  ASSERT_TRUE(Unescape(R"(a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00)", &out));
  EXPECT_EQ(out, "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
  ASSERT_TRUE(Unescape(R"(lone \ud800 high)", &out));
  EXPECT_EQ(out, "lone \xef\xbf\xbd high");
  EXPECT_TRUE(Unescape("plain", &out));
  EXPECT_EQ(out, "plain");
  EXPECT_FALSE(Unescape(R"(bad \x)", &out));
  EXPECT_FALSE(Unescape(R"(short \u12)", &out));
  EXPECT_FALSE(Unescape("trailing \\", &out));
}

// Classification decides UTF-8 with simdjson's validator; trawl's scalar definition
// (util/utf8.h) is the reference, on every boundary case and on random byte strings.
TEST(JsonUtf8Test, ValidatorAgreesWithTheScalarDefinition) {
  std::vector<std::string> inputs = {
      "", "plain ASCII", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF",
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong, 3 bytes
      "\xED\xA0\x80",      // surrogate U+D800
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\xC3",              // cut off
      "\xE2\x82", "\x80", "\xFF", "abc\xF8\x88\x80\x80\x80"};
  std::mt19937 rng(22);
  for (int n = 0; n < 4000; ++n) {
    std::string s(rng() % 200, 'a');
    // Mostly ASCII with a few high bytes from the lead/continuation ranges, so some are valid.
    for (char& c : s) {
      const uint32_t r = rng() % 16;
      if (r == 0) c = static_cast<char>(0xC2 + rng() % 0x33);
      else if (r == 1) c = static_cast<char>(0x80 + rng() % 0x40);
      else if (r == 2) c = static_cast<char>(rng());
    }
    inputs.push_back(s);
  }
  // Valid multi-byte text: every valid input's sequences stay valid at any split of a
  // 64-byte block boundary.
  std::string long_text;
  while (long_text.size() < 300) long_text += "x\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  for (size_t cut = 0; cut < 70; ++cut) inputs.push_back(long_text.substr(cut));
  size_t valid = 0;
  for (const std::string& s : inputs) {
    const bool want = FirstInvalidUtf8(s) == s.size();
    EXPECT_EQ(IsValidUtf8(s), want) << testing::PrintToString(s);
    valid += want;
  }
  EXPECT_GT(valid, 100u);
  EXPECT_LT(valid, inputs.size() - 100);
}

TEST(JsonPositionsTest, ArrayObjectOffsets) {
  const std::string text = "[ {\"a\":1},\n  {\"b\":2} , 3, {}]";
  EXPECT_EQ(ArrayObjectOffsets(text), (std::vector<int64_t>{2, 13}));
  EXPECT_TRUE(ArrayObjectOffsets("{}").empty());
  EXPECT_TRUE(ArrayObjectOffsets("[").empty());
}

TEST(OnDemandTest, OffsetsComeFromTheInput) {
  const std::string text = R"( {"k\"ey" : [10, "s"], "n": null} )";
  std::string padded = text + std::string(ondemand::kPadding, ' ');
  ondemand::Parser parser;
  ondemand::Document doc;
  ASSERT_EQ(parser.Iterate(padded.data(), text.size(), padded.size(), &doc), Error::kOk);
  ondemand::Value root;
  ASSERT_EQ(doc.GetValue(&root), Error::kOk);
  ondemand::Object object;
  ASSERT_EQ(root.Get(&object), Error::kOk);
  std::vector<std::string> seen;
  for (auto& item : object) {
    ondemand::Field field;
    ASSERT_EQ(item.Get(&field), Error::kOk);
    const size_t raw = static_cast<size_t>(field.RawKey() - padded.data());
    size_t end = raw;
    while (padded[end] != '"') end += padded[end] == '\\' ? 2 : 1;
    std::string key;
    ASSERT_TRUE(Unescape(std::string_view(padded).substr(raw, end - raw), &key));
    ondemand::Value value = field.value();
    ondemand::Type type = ondemand::Type::kUnknown;
    ASSERT_EQ(value.GetType(&type), Error::kOk);
    const size_t at = static_cast<size_t>(value.RawToken().data() - padded.data());
    seen.push_back(std::string(key) + "@" + std::to_string(raw) + "=" + std::to_string(at));
    if (type == ondemand::Type::kArray) {
      ondemand::Array array;
      ASSERT_EQ(value.Get(&array), Error::kOk);
      for (auto& element : array) {
        ondemand::Value v;
        ASSERT_EQ(element.Get(&v), Error::kOk);
        seen.push_back(std::to_string(v.RawToken().data() - padded.data()));
      }
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"k\"ey@3=12", "13", "17", "n@24=28"}));
}

TEST(OnDemandTest, IndexingErrorsComeFromIterate) {
  const std::string text = "[\"\xff\"]";
  std::string padded = text + std::string(ondemand::kPadding, ' ');
  ondemand::Parser parser;
  ondemand::Document doc;
  EXPECT_EQ(parser.Iterate(padded.data(), text.size(), padded.size(), &doc), Error::kUtf8);
}

}  // namespace
}  // namespace trawl::json
