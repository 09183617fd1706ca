#include "engine/compiler.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace trawl {
namespace {

using ::testing::HasSubstr;
using testing_util::Literal;
using testing_util::MustCompile;
using testing_util::Regex;

TEST(CompilerTest, AccountsForEveryDefinition) {
  auto db = MustCompile({
      Literal("lit", "password"),
      Regex("re", "key=[a-z]{4,8}"),
      Regex("backref", "(ab)\\1"),        // engine lacks back-references: prefilter
      Regex("empty", "a*"),               // matches the empty string
      Regex("syntax", "(unclosed"),       // PCRE2 rejects it
      Regex("bad-anchor", "a$b\\Z"),      // PCRE2 accepts; check whatever the engine says
      Literal("nul", std::string("\0ab", 3)),
  });
  ASSERT_TRUE(db);
  const auto& info = db->rule_info();
  ASSERT_EQ(info.size(), 7u);
  EXPECT_EQ(info[0].status, RuleStatus::kCompiled);
  EXPECT_EQ(info[1].status, RuleStatus::kCompiled);
  EXPECT_EQ(info[1].min_width, 8u);
  EXPECT_EQ(info[1].max_width, 12u);
  EXPECT_EQ(info[2].status, RuleStatus::kPrefiltered);
  EXPECT_THAT(info[2].reason, HasSubstr("prefilter"));
  EXPECT_EQ(info[3].status, RuleStatus::kRejected);
  EXPECT_THAT(info[3].reason, HasSubstr("empty"));
  EXPECT_EQ(info[4].status, RuleStatus::kRejected);
  EXPECT_THAT(info[4].reason, HasSubstr("PCRE2"));
  EXPECT_EQ(info[6].status, RuleStatus::kCompiled);
  // Every rule that is not rejected is in exactly one partition.
  std::vector<int> seen(info.size(), 0);
  for (const auto& part : db->partitions()) {
    for (uint32_t rule : part.rules) seen[rule]++;
  }
  for (size_t i = 0; i < info.size(); ++i) {
    EXPECT_EQ(seen[i], info[i].status == RuleStatus::kRejected ? 0 : 1) << i;
    if (info[i].status == RuleStatus::kRejected) {
      EXPECT_FALSE(info[i].reason.empty());
    }
  }
}

TEST(CompilerTest, NulLeadingLiteralStillMatchesAsALiteral) {
  auto db = MustCompile({Literal("nul", std::string("\0ab", 3))});
  ASSERT_TRUE(db);
  auto found = testing_util::ScanAll(db, std::string("xx\0abyy\0ab", 10));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].start, 2u);
  EXPECT_EQ(found[1].end, 10u);
}

// A regex with a NUL byte was cut at the NUL by the engine (its API takes C strings)
// while PCRE2 saw all of it: `o\0\**` matched as `o`. It is rejected with the reason,
// and the way to write it (`\x00`) works. Found by tests/engine/scanner_fuzzer.cc.
TEST(CompilerTest, RegexWithANulByteIsRejectedWithTheWayToWriteIt) {
  auto db = MustCompile(
      {Regex("raw-nul", std::string("o\0\\**", 5)), Regex("escaped", "o\\x00\\**")});
  ASSERT_TRUE(db);
  EXPECT_EQ(db->rule_info()[0].status, RuleStatus::kRejected);
  EXPECT_THAT(db->rule_info()[0].reason, HasSubstr("NUL byte"));
  const auto found = testing_util::ScanAll(db, std::string("xo\0**y", 6));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].rule, 1u);
  EXPECT_EQ(found[0].start, 1u);
  EXPECT_EQ(found[0].end, 5u);
}

TEST(CompilerTest, SplitsRegexesIntoPartitionsAndStillFindsEverything) {
  std::vector<Definition> defs;
  for (int i = 0; i < 40; ++i) {
    // Appended, not `"r" + to_string(i)`: GCC 12 -O3 reports a false -Wrestrict there.
    std::string id = "r", pattern = "tok";
    id += std::to_string(i);
    pattern += std::to_string(i) + "_[0-9]+";
    defs.push_back(Regex(id, pattern));
  }
  CompileOptions options;
  options.max_regexes_per_partition = 7;
  auto db = MustCompile(defs, options);
  ASSERT_TRUE(db);
  EXPECT_EQ(db->partitions().size(), 6u);
  std::string input;
  for (int i = 39; i >= 0; --i) input += " tok" + std::to_string(i) + "_" + std::to_string(i * 7);
  auto found = testing_util::ScanAll(db, input);
  EXPECT_EQ(found.size(), 40u);
}

TEST(CompilerTest, ExplicitPartitionsAreHonoured) {
  CompileOptions options;
  options.partitions.push_back({PartitionKind::kRegex, "hot", {1}, {}, {}, {}});
  auto db = MustCompile({Literal("a", "alpha"), Regex("b", "be+ta")}, options);
  ASSERT_TRUE(db);
  ASSERT_EQ(db->partitions().size(), 2u);
  EXPECT_EQ(db->partitions()[db->rule_info()[1].partition].name, "hot");
}

TEST(CompilerTest, PortableTargetCompiles) {
  CompileOptions options;
  options.target = CompileTarget::kPortable;
  auto db = MustCompile({Regex("r", "x[0-9]{3}y")}, options);
  ASSERT_TRUE(db);
  auto found = testing_util::ScanAll(db, "..x123y..");
  ASSERT_EQ(found.size(), 1u);
}

// RegexCanNeverMatch's claims against PCRE2: random patterns from a grammar around \z;
// each one it says never matches is searched (every start, the end included) in every
// subject of up to 4 bytes over {a, b, x, \n}, with random flags, and must find nothing.
TEST(CompilerTest, NeverMatchClaimsHoldInPcre2) {
  EXPECT_TRUE(RegexCanNeverMatch("\\z[a-z]=new-object net.webclient"));
  EXPECT_TRUE(RegexCanNeverMatch("IEX \\z[a-zA-Z]{1,8}.downloadstring\\([\"']http"));
  EXPECT_TRUE(RegexCanNeverMatch("\\z[a-z]{0,2}?x"));
  EXPECT_FALSE(RegexCanNeverMatch("[a-z]{3}key\\z"));
  EXPECT_FALSE(RegexCanNeverMatch("x\\zy|wor[dl]"));  // the alternative matches
  EXPECT_FALSE(RegexCanNeverMatch("\\\\zx"));         // a backslash, then "zx"
  EXPECT_FALSE(RegexCanNeverMatch("[\\z]x"));
  EXPECT_FALSE(RegexCanNeverMatch("\\zx?"));          // the empty string at the end

  const std::vector<std::string> tokens = {
      "\\z", "\\z", "a", "x", "\\n", "[a-z]", "[^a]", ".", "?", "*", "+", "{0,2}", "{2}", "{,2}",
      "|", "(", ")", "(?:", "$", "^", "\\b", "\\1", "[\\z]", "\\\\", "(?=a)", "\\Z", "{", "}",
      "(?i)", "(?x)", "\\Q", "\\E", "]", "[]a]", "\\x61", "\\p{L}"};
  std::vector<std::string> subjects = {""};
  for (size_t begin = 0, length = 0; length < 4; ++length) {
    const size_t end = subjects.size();
    for (size_t i = begin; i < end; ++i) {
      for (char c : std::string("abx\n")) subjects.push_back(subjects[i] + c);
    }
    begin = end;
  }
  std::mt19937 rng(20261207);
  pcre2_match_data* md = pcre2_match_data_create(4, nullptr);
  int claimed = 0;
  for (int n = 0; n < 100000; ++n) {
    std::string pattern;
    const int length = 1 + static_cast<int>(rng() % 6);
    for (int t = 0; t < length; ++t) pattern += tokens[rng() % tokens.size()];
    if (!RegexCanNeverMatch(pattern)) continue;
    const uint32_t options = (rng() % 2 ? PCRE2_CASELESS : 0) | (rng() % 2 ? PCRE2_DOTALL : 0) |
                             (rng() % 2 ? PCRE2_MULTILINE : 0);
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     options, &error, &offset, nullptr);
    if (code == nullptr) continue;
    ++claimed;
    for (const std::string& subject : subjects) {
      const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                                 subject.size(), 0, 0, md, nullptr);
      EXPECT_EQ(rc, PCRE2_ERROR_NOMATCH) << "/" << pattern << "/ on \"" << subject << "\"";
      if (rc != PCRE2_ERROR_NOMATCH) break;
    }
    pcre2_code_free(code);
  }
  pcre2_match_data_free(md);
  EXPECT_GT(claimed, 1000);  // the grammar reaches the shape often
}

}  // namespace
}  // namespace trawl
