// Inline ignores: which marker on a finding's line applies to which rule.
#include "analyze/inline_ignore.h"

#include <gtest/gtest.h>

#include <string>

#include "analyze/component_analyzer.h"

namespace trawl {
namespace {

// The span of `needle` in `content`.
std::pair<uint64_t, uint64_t> Span(const std::string& content, const std::string& needle) {
  const size_t at = content.find(needle);
  return {at, at + needle.size()};
}

std::string Marker(const std::string& content, const std::string& needle,
                   const std::string& rule = "aws-access-key-id") {
  const auto [start, end] = Span(content, needle);
  return InlineIgnoreMarker(content, start, end, rule);
}

TEST(InlineIgnoreTest, BareMarkerOnTheLineIgnoresEveryRule) {
  const std::string content = "a = 1\nkey = AKIAXYZ  # trawl:ignore\nb = AKIAQQQ\n";
  EXPECT_EQ(Marker(content, "AKIAXYZ"), "trawl:ignore");
  EXPECT_EQ(Marker(content, "AKIAXYZ", "any-rule"), "trawl:ignore");
  EXPECT_EQ(Marker(content, "AKIAQQQ"), "");  // the next line has no marker
}

TEST(InlineIgnoreTest, MarkerBeforeTheFindingAndInsideABlockComment) {
  EXPECT_EQ(Marker("/* trawl:ignore */ const k = \"AKIAXYZ\";", "AKIAXYZ"), "trawl:ignore");
  EXPECT_EQ(Marker("AKIAXYZ <!-- trawl:ignore -->", "AKIAXYZ"), "trawl:ignore");
}

TEST(InlineIgnoreTest, ARuleListLimitsTheMarker) {
  const std::string content = "key = AKIAXYZ # trawl:ignore aws-access-key-id,github-pat\n";
  EXPECT_EQ(Marker(content, "AKIAXYZ"), "trawl:ignore aws-access-key-id,github-pat");
  EXPECT_EQ(Marker(content, "AKIAXYZ", "github-pat"), "trawl:ignore aws-access-key-id,github-pat");
  EXPECT_EQ(Marker(content, "AKIAXYZ", "entity-email"), "");
  // Two markers on one line: the one naming the rule applies.
  const std::string two = "k = AKIAXYZ # trawl:ignore other-rule trawl:ignore aws-access-key-id";
  EXPECT_EQ(Marker(two, "AKIAXYZ"), "trawl:ignore aws-access-key-id");
}

TEST(InlineIgnoreTest, GitleaksAllowIsHonoured) {
  EXPECT_EQ(Marker("token = AKIAXYZ // gitleaks:allow\n", "AKIAXYZ"), "gitleaks:allow");
}

TEST(InlineIgnoreTest, WordsThatOnlyStartLikeAMarkerAreNot) {
  EXPECT_EQ(Marker("k = AKIAXYZ # trawl:ignored by nobody\n", "AKIAXYZ"), "");
  EXPECT_EQ(Marker("k = AKIAXYZ # trawl ignore\n", "AKIAXYZ"), "");
}

TEST(InlineIgnoreTest, SpansAtTheEdgesAndOutOfRange) {
  EXPECT_EQ(Marker("AKIAXYZ trawl:ignore", "AKIAXYZ"), "trawl:ignore");
  EXPECT_EQ(InlineIgnoreMarker("abc", 10, 12, "r"), "");
  EXPECT_EQ(InlineIgnoreMarker("", 0, 0, "r"), "");
}

TEST(InlineIgnoreTest, AFarMarkerOnAHugeLineIsNotSearched) {
  std::string content = "AKIAXYZ" + std::string(200000, ' ') + "trawl:ignore";
  EXPECT_EQ(Marker(content, "AKIAXYZ"), "");
}

TEST(InlineIgnoreTest, MarkInlineIgnoresSetsEachFinding) {
  const std::string content = "one AKIAXYZ # trawl:ignore\ntwo AKIAQQQ\n";
  std::vector<Finding> findings(2);
  findings[0].rule_id = findings[1].rule_id = "aws-access-key-id";
  std::tie(findings[0].start, findings[0].end) = Span(content, "AKIAXYZ");
  std::tie(findings[1].start, findings[1].end) = Span(content, "AKIAQQQ");
  MarkInlineIgnores(content, nullptr, &findings);
  EXPECT_EQ(findings[0].inline_ignore, "trawl:ignore");
  EXPECT_EQ(findings[1].inline_ignore, "");
}

}  // namespace
}  // namespace trawl
