// File: keyword_tracker_test.cc
#include "engine/keyword_tracker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "engine/database.h"
#include "rules/loader.h"
#include "test_util.h"
#include "util/strings.h"

namespace trawl {
namespace {

std::shared_ptr<const Database> CompileJson(std::string_view json) {
  auto set = ParseDefinitions(json, "test.json");
  EXPECT_TRUE(set.ok()) << set.status();
  if (!set.ok()) return nullptr;
  for (const LoadIssue& issue : set->issues) ADD_FAILURE() << issue.ToString();
  return testing_util::MustCompile(set->definitions, {});
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(KeywordTrackerTest, NoneForADatabaseWithoutKeywords) {
  auto db = CompileJson(R"json([{"id": "plain", "regex": "tok_[a-z]{4}", "min_entropy": 1.0},
                                {"id": "bare", "literal": "x"}])json");
  ASSERT_TRUE(db);
  auto tracker = KeywordTracker::Create(*db);
  ASSERT_TRUE(tracker.ok()) << tracker.status();
  EXPECT_EQ(*tracker, nullptr);
}

TEST(KeywordTrackerTest, FindsKeywordsAcrossFeedsAndRefusesToSkipBytes) {
  auto db = CompileJson(R"json([{"id": "kw", "regex": "tok_[a-z]{4}",
                                 "required_keywords": ["zebra"]}])json");
  ASSERT_TRUE(db);
  auto tracker = KeywordTracker::Create(*db);
  ASSERT_TRUE(tracker.ok() && *tracker) << tracker.status();
  KeywordTracker& t = **tracker;
  // Bytes 0-9 never came: the tracker cannot answer for them, and says so.
  const absl::Status skipped = t.Feed("....zebra", 10);
  EXPECT_EQ(skipped.code(), absl::StatusCode::kInternal) << skipped;
  EXPECT_THAT(std::string(skipped.message()), ::testing::HasSubstr("bytes 0 to 10"));
  t.Reset();
  EXPECT_FALSE(t.KeywordSeen(0));
  ASSERT_TRUE(t.Feed("..........", 0).ok());
  ASSERT_TRUE(t.Feed("zeb", 10).ok());
  EXPECT_FALSE(t.KeywordSeen(0));
  ASSERT_TRUE(t.Append("ra").ok());  // across feeds
  EXPECT_TRUE(t.KeywordSeen(0));
  t.Reset();
  for (uint64_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(t.Feed(std::string_view("zEbRa").substr(i, 1), i).ok());  // a byte a feed
  }
  EXPECT_TRUE(t.KeywordSeen(0));
}

// Random rules, keywords and texts over a small alphabet (so keywords occur, in either
// case, and straddle feeds), fed in random pieces that overlap and repeat bytes: what
// the tracker saw equals a plain search of the whole lowercased text.
TEST(KeywordTrackerTest, AgreesWithAPlainSearchOfTheWholeInput) {
  std::mt19937 rng(20261207);
  const std::string alphabet = "abAB.(\\\xE9\n*";
  auto random_string = [&](size_t lo, size_t hi) {
    std::string s(std::uniform_int_distribution<size_t>(lo, hi)(rng), ' ');
    for (char& c : s) c = alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    return s;
  };
  for (int round = 0; round < 60; ++round) {
    std::vector<std::vector<std::string>> keywords(
        std::uniform_int_distribution<size_t>(1, 6)(rng));
    std::string json = "[";
    for (size_t r = 0; r < keywords.size(); ++r) {
      for (size_t k = std::uniform_int_distribution<size_t>(1, 3)(rng); k > 0; --k) {
        keywords[r].push_back(random_string(1, 7));
      }
      std::string list;
      for (const std::string& k : keywords[r]) {
        std::string escaped;
        for (unsigned char c : k) {
          if (c == '\\' || c == '"') escaped.push_back('\\');
          if (c == '\n') {
            escaped += "\\n";
          } else if (c >= 0x80) {
            escaped += "\\u00e9";
          } else {
            escaped.push_back(static_cast<char>(c));
          }
        }
        list += StrCat(list.empty() ? "" : ",", "\"", escaped, "\"");
      }
      json += StrCat(r ? "," : "", R"({"id": "r)", r, R"(", "regex": "tok_[0-9]{4}", )",
                     R"("required_keywords": [)", list, "]}");
    }
    json += "]";
    auto db = CompileJson(json);
    ASSERT_TRUE(db) << json;
    auto tracker = KeywordTracker::Create(*db);
    ASSERT_TRUE(tracker.ok() && *tracker) << tracker.status();
    KeywordTracker& t = **tracker;
    for (int input_round = 0; input_round < 5; ++input_round) {
      const std::string text = random_string(0, 3000);
      t.Reset();
      uint64_t at = 0;
      while (at < text.size()) {
        const uint64_t back = std::uniform_int_distribution<uint64_t>(0, std::min<uint64_t>(at, 9))(rng);
        const uint64_t length = std::uniform_int_distribution<uint64_t>(1, rng() % 2 ? 8 : 400)(rng);
        const uint64_t begin = at - back;
        const uint64_t end = std::min<uint64_t>(text.size(), at + length);
        ASSERT_TRUE(t.Feed(std::string_view(text).substr(begin, end - begin), begin).ok());
        at = end;
      }
      const std::string lower = Lower(text);
      for (uint32_t rule = 0; rule < db->rule_count(); ++rule) {
        const size_t r = std::stoul(db->definition(rule).id.substr(1));
        bool expected = false;
        // The loader reads \u00e9 as UTF-8; what the rule holds is its definition's.
        for (const std::string& k : db->logic(rule)->required_keywords) {
          expected = expected || lower.find(Lower(k)) != std::string::npos;
        }
        EXPECT_EQ(t.KeywordSeen(rule), expected) << "rule " << r << " in round " << round;
      }
    }
  }
}

}  // namespace
}  // namespace trawl
