// Inline ignores: which marker on a finding's line applies to which rule.
#include "analyze/inline_ignore.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

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
  // A finding of empty content (a file-hash indicator on an empty file), whose bytes may
  // have no address at all: nothing is read (UBSan checks the calls).
  std::vector<Finding> empty_file(1);
  MarkInlineIgnores(std::string_view(), nullptr, &empty_file);
  EXPECT_EQ(empty_file[0].inline_ignore, "");
  EXPECT_EQ(InlineIgnoreMarker(std::string_view(), 0, 0, "r"), "");
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

// MarkInlineIgnores looks for markers only in its findings' lines while those are less
// than the text: it must mark every finding as InlineIgnoreMarker does, finding by finding,
// on short and long lines (past the 64 KiB reach), one-line texts, markers at a window's
// edges and findings in any order, sharing lines, at the end or out of range.
TEST(InlineIgnoreTest, MarkInlineIgnoresEqualsTheMarkerOfEachFinding) {
  std::mt19937 rng(22);
  const std::vector<std::string> markers = {"trawl:ignore", "gitleaks:allow", "trawl:ignore r1",
                                            "trawl:ignored", "x"};
  size_t marked = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text;
    const int lines = 1 + static_cast<int>(rng() % 40);
    for (int l = 0; l < lines; ++l) {
      const size_t length = rng() % 8 == 0 ? 60000 + rng() % 80000 : rng() % 120;
      std::string line(length, 'a');
      if (rng() % 6 == 0 && length > 0) {
        const std::string& m = markers[rng() % markers.size()];
        line.insert(rng() % (length + 1), m);
      }
      text += line;
      if (l + 1 < lines || rng() % 2) text += '\n';
    }
    std::vector<Finding> findings(rng() % 12);
    for (Finding& f : findings) {
      f.rule_id = rng() % 2 ? "r1" : "r2";
      f.start = rng() % (text.size() + 3);  // some past the end
      f.end = f.start + rng() % 50;
    }
    std::vector<Finding> marked_findings = findings;
    MarkInlineIgnores(text, nullptr, &marked_findings);
    for (size_t i = 0; i < findings.size(); ++i) {
      const std::string want =
          InlineIgnoreMarker(text, findings[i].start, findings[i].end, findings[i].rule_id);
      ASSERT_EQ(marked_findings[i].inline_ignore, want) << round << " finding " << i;
      marked += !want.empty();
    }
  }
  EXPECT_GT(marked, 50u);  // the texts do put markers on findings' lines
  // Two findings on one long line: their windows overlap, and the marker is in the second
  // one's alone.
  std::string line(400000, ' ');  // spaces: the marker stands alone
  line.replace(150000, 13, "trawl:ignore ");
  std::vector<Finding> two(2);
  two[0].start = 10000;
  two[1].start = 100000;
  two[0].end = two[0].start + 20;
  two[1].end = two[1].start + 20;
  MarkInlineIgnores(line, nullptr, &two);
  EXPECT_EQ(two[0].inline_ignore, "");
  EXPECT_EQ(two[1].inline_ignore, "trawl:ignore");
}

}  // namespace
}  // namespace trawl
