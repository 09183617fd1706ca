#include "rules/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace trawl {
namespace {

using ::testing::HasSubstr;

TEST(LoaderTest, ParsesJsonArrayWithAllFields) {
  auto set = ParseDefinitions(R"([
    {"id": "a", "regex": "ab+c", "flags": ["caseless", "m"], "category": "secret",
     "severity": "high", "confidence": 0.9, "description": "d", "tags": ["t"],
     "references": ["https://example.test/a", "RFC 6749"],
     "chains": ["secrets"], "keywords": ["ab"], "examples": ["abbc"],
     "negative_examples": ["ac"], "entity": "e", "validator": "luhn", "future_field": 1},
    {"id": "b", "literal": "x\\x00y\\\\"}
  ])", "r.json");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_TRUE(set->issues.empty()) << set->issues[0].ToString();
  ASSERT_EQ(set->definitions.size(), 2u);
  const Definition& a = set->definitions[0];
  EXPECT_EQ(a.kind, PatternKind::kRegex);
  EXPECT_EQ(a.flags, kFlagCaseless | kFlagMultiline);
  EXPECT_EQ(a.severity, Severity::kHigh);
  EXPECT_DOUBLE_EQ(a.confidence, 0.9);
  EXPECT_EQ(a.chains, std::vector<std::string>{"secrets"});
  EXPECT_EQ(a.validator, "luhn");
  EXPECT_EQ(a.references, (std::vector<std::string>{"https://example.test/a", "RFC 6749"}));
  const Definition& b = set->definitions[1];
  EXPECT_EQ(b.kind, PatternKind::kLiteral);
  EXPECT_EQ(b.expression, std::string("x\0y\\", 4));
  EXPECT_EQ(b.chains, std::vector<std::string>{"default"});
  EXPECT_EQ(b.category, "uncategorized");
}

TEST(LoaderTest, ReportsEveryBadDefinitionWithIndexIdAndOffset) {
  const std::string json = R"([{"id": "ok", "regex": "a"},
{"id": "dup", "regex": "b"},
{"id": "dup", "regex": "c"},
{"regex": "d"},
{"id": "both", "regex": "e", "literal": "e"},
{"id": "sev", "regex": "f", "severity": "urgent"},
{"id": "conf", "regex": "g", "confidence": 2},
{"id": "empty", "literal": ""},
{"id": "esc", "literal": "\\q"},
7])";
  auto set = ParseDefinitions(json, "bad.json");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->definitions.size(), 2u);  // "ok" and the first "dup"
  std::vector<std::string> reasons;
  for (const auto& issue : set->issues) reasons.push_back(issue.ToString());
  ASSERT_EQ(set->issues.size(), 8u) << testing::PrintToString(reasons);
  // Issues from the per-element pass come first, in file order.
  EXPECT_EQ(set->issues[0].index, 3);
  EXPECT_THAT(set->issues[0].reason, HasSubstr("missing 'id'"));
  EXPECT_EQ(set->issues[0].offset, static_cast<int64_t>(json.find("{\"regex\": \"d\"")));
  EXPECT_THAT(set->issues[1].reason, HasSubstr("both"));
  EXPECT_EQ(set->issues[1].id, "both");
  EXPECT_THAT(set->issues[2].reason, HasSubstr("unknown severity 'urgent'"));
  EXPECT_THAT(set->issues[3].reason, HasSubstr("confidence"));
  EXPECT_THAT(set->issues[4].reason, HasSubstr("empty pattern"));
  EXPECT_THAT(set->issues[5].reason, HasSubstr("bad escape"));
  EXPECT_THAT(set->issues[6].reason, HasSubstr("not a JSON object"));
  EXPECT_EQ(set->issues[6].index, 9);
  EXPECT_EQ(set->issues[7].id, "dup");
  EXPECT_THAT(set->issues[7].reason, HasSubstr("duplicate id"));
}

TEST(LoaderTest, DuplicateIdIssueGivesTheRepeatsPosition) {
  const std::string json = R"([{"id": "a", "regex": "a"},
{"regex": "no id"},
{"id": "a", "regex": "b"}])";
  auto set = ParseDefinitions(json, "dup.json");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->issues.size(), 2u);
  const LoadIssue& dup = set->issues[1];
  EXPECT_THAT(dup.reason, HasSubstr("duplicate id"));
  EXPECT_EQ(dup.file, "dup.json");
  // The third element of the file, though only the second kept definition.
  EXPECT_EQ(dup.index, 2);
  EXPECT_EQ(dup.offset, static_cast<int64_t>(json.find(R"({"id": "a", "regex": "b"})")));
  EXPECT_THAT(dup.ToString(), HasSubstr("dup.json: definition 2 (a) at byte"));

  // NDJSON: blank lines are not definitions; the offset is the line's.
  const std::string lines = "{\"id\":\"n\",\"regex\":\"a\"}\n\n{\"id\":\"n\",\"regex\":\"b\"}\n";
  auto ndjson = ParseDefinitions(lines, "dup.ndjson");
  ASSERT_TRUE(ndjson.ok()) << ndjson.status();
  ASSERT_EQ(ndjson->issues.size(), 1u);
  EXPECT_EQ(ndjson->issues[0].index, 1);
  EXPECT_EQ(ndjson->issues[0].offset, static_cast<int64_t>(lines.rfind('{')));
}

TEST(LoaderTest, NdjsonKeepsGoodLinesAroundABadOne) {
  auto set = ParseDefinitions("{\"id\":\"a\",\"regex\":\"a\"}\n{\"id\": oops}\n\n"
                              "{\"id\":\"c\",\"literal\":\"c\"}\n",
                              "r.ndjson");
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->definitions.size(), 2u);
  ASSERT_EQ(set->issues.size(), 1u);
  EXPECT_EQ(set->issues[0].index, 1);
  EXPECT_EQ(set->issues[0].offset, 23);
  EXPECT_THAT(set->issues[0].reason, HasSubstr("invalid JSON"));
}

TEST(LoaderTest, MalformedArrayIsAWholeDocumentError) {
  auto set = ParseDefinitions("[{\"id\": \"a\", \"regex\": \"a\"", "t.json");
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(std::string(set.status().message()), HasSubstr("invalid JSON"));
}

// A document that fails as a whole says where: the definition that does not parse, or
// where the file ends early (a truncated download or copy).
TEST(LoaderTest, WholeDocumentErrorsGiveThePosition) {
  auto truncated = ParseDefinitions("[{\"id\":\"a\",\"regex\":\"a\"},\n{\"id\":\"b\",\"reg", "t.json");
  ASSERT_FALSE(truncated.ok());
  EXPECT_THAT(std::string(truncated.status().message()),
              HasSubstr("t.json: invalid JSON: the document ends early at byte 39, inside "
                        "definition 1 (it starts at byte 25)"));
  auto missing_colon =
      ParseDefinitions("[{\"id\":\"a\",\"regex\":\"a\"}, {\"id\" \"b\"}]", "m.json");
  ASSERT_FALSE(missing_colon.ok());
  EXPECT_THAT(std::string(missing_colon.status().message()),
              HasSubstr("m.json: invalid JSON at byte 25 (definition 1)"));
  auto missing_comma =
      ParseDefinitions("[{\"id\":\"a\",\"regex\":\"a\"} {\"id\":\"b\"}]", "c.json");
  ASSERT_FALSE(missing_comma.ok());
  EXPECT_THAT(std::string(missing_comma.status().message()),
              HasSubstr("c.json: invalid JSON at byte 24 (after definition 0): expected ','"));
  auto trailing = ParseDefinitions("[{\"id\":\"a\",\"regex\":\"a\"}] x", "x.json");
  ASSERT_FALSE(trailing.ok());
  EXPECT_THAT(std::string(trailing.status().message()),
              HasSubstr("x.json: invalid JSON at byte 25 (after definition 0): bytes after"));
}

TEST(LoaderTest, HostileJsonDoesNotCrash) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ParseDefinitions(deep, "deep.json").ok());
  auto invalid_utf8 = ParseDefinitions("[{\"id\":\"a\",\"regex\":\"\xff\xfe\"}]", "u.json");
  EXPECT_FALSE(invalid_utf8.ok());
}

TEST(LoaderTest, LiteralEscapesRoundTrip) {
  const std::string bytes("a\\\x01\xff b", 6);
  auto decoded = DecodeLiteral(EncodeLiteral(bytes));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, bytes);
  EXPECT_EQ(EncodeLiteral(bytes), "a\\\\\\x01\\xff b");
  EXPECT_FALSE(DecodeLiteral("\\x4").ok());
}

TEST(LoaderTest, MergeRejectsIdsSeenInEarlierFiles) {
  auto first = ParseDefinitions(R"([{"id": "x", "regex": "a"}])", "1.json");
  auto second = ParseDefinitions(R"([{"id": "x", "regex": "b"}, {"id": "y", "regex": "c"}])",
                                 "2.json");
  ASSERT_TRUE(first.ok() && second.ok());
  RuleSet set = *std::move(first);
  set.Merge(*std::move(second));
  ASSERT_EQ(set.definitions.size(), 2u);
  EXPECT_EQ(set.definitions[0].expression, "a");
  ASSERT_EQ(set.issues.size(), 1u);
  EXPECT_EQ(set.issues[0].file, "2.json");
  EXPECT_EQ(set.issues[0].index, 0);  // its position in 2.json, not in the merged set
  EXPECT_EQ(set.issues[0].offset, 1);
}

}  // namespace
}  // namespace trawl
