// RE2's readings of PCRE2 patterns (engine/re2_dialect.h). The scanner and the composite
// evaluator take RE2's "no match" as PCRE2's, so RE2 must match at every start where
// PCRE2 does; an exact reading must also end where PCRE2 ends. Checked against PCRE2
// itself, start by start, on random inputs built from each pattern's own pieces.
#include "engine/re2_dialect.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace trawl {
namespace {

Definition Regex(std::string expression, uint32_t flags = 0) {
  Definition def;
  def.id = "r";
  def.kind = PatternKind::kRegex;
  def.expression = std::move(expression);
  def.flags = flags;
  return def;
}

std::string Rewritten(std::string_view pattern, bool multiline, bool* exact) {
  std::string out;
  EXPECT_TRUE(RewriteForRe2(pattern, multiline, &out, exact)) << pattern;
  return out;
}

TEST(Re2DialectTest, DollarIsReadWiderWithoutMultiline) {
  bool exact = true;
  EXPECT_EQ(Rewritten("key=\\w+$", false, &exact), "key=\\w+(?m:$)");
  EXPECT_FALSE(exact);
  exact = true;
  EXPECT_EQ(Rewritten("key=\\w+$", true, &exact), "key=\\w+$");
  EXPECT_TRUE(exact);
  EXPECT_EQ(Rewritten("[$]\\$", false, &exact), "[$]\\$");
  EXPECT_TRUE(exact);
  // Without a program for it, CompileRe2 says so; with one, it says how exact it is.
  EXPECT_EQ(CompileRe2(Regex("(a)\\1")).re, nullptr);
  // Read differently by the two: a count with a leading zero (literal text to RE2), a
  // possessive count, a caseless Latin-1 letter (RE2 folds it, PCRE2 does not).
  EXPECT_EQ(CompileRe2(Regex("a{01}")).re, nullptr);
  EXPECT_EQ(CompileRe2(Regex("a{0}+")).re, nullptr);
  EXPECT_EQ(CompileRe2(Regex("[^\xea]", kFlagCaseless)).re, nullptr);
  EXPECT_EQ(CompileRe2(Regex("[^\\xEA]", kFlagCaseless)).re, nullptr);
  EXPECT_NE(CompileRe2(Regex("[^\xea]")).re, nullptr);
  EXPECT_NE(CompileRe2(Regex("a\\x3a[^\\x7f]", kFlagCaseless)).re, nullptr);
  EXPECT_FALSE(CompileRe2(Regex("^ab", kFlagMultiline)).exact);
  EXPECT_EQ(CompileRe2OrPrefilter(Regex("ab", kFlagUtf8)).re, nullptr);
  EXPECT_TRUE(CompileRe2(Regex("ab+")).exact);
  EXPECT_FALSE(CompileRe2(Regex("ab+$")).exact);
}

TEST(Re2DialectTest, RelaxedTextDropsOnlyConstraints) {
  auto relaxed = [](std::string_view pattern) {
    std::string out;
    EXPECT_TRUE(RelaxForRe2(pattern, false, &out)) << pattern;
    return out;
  };
  EXPECT_EQ(relaxed(R"((\w+)=\1)"), R"((\w+)=(?s:.*))");
  EXPECT_EQ(relaxed(R"((?<v>x)(?P=v)\k<v>\g{-1})"), "(?:x)(?s:.*)(?s:.*)(?s:.*)");
  EXPECT_EQ(relaxed(R"((?<!T)S(?=//)X)"), "SX");
  EXPECT_EQ(relaxed(R"('[^']{1075,}'a{5}b{2,3000}c{007})"), R"('[^']{100,}'a{5,5}b{2,}c{7,7})");
  EXPECT_EQ(relaxed(R"((?>a+)b++c{2}+\Z)"), "(?:a+)b+c{2,2}(?m:$)");
  EXPECT_EQ(relaxed(R"([\s\d]\s)"), R"([\t\n\x0b\f\r \d][\t\n\x0b\f\r ])");
  std::string out;
  EXPECT_FALSE(RelaxForRe2("(a[b)", false, &out));
  EXPECT_FALSE(RelaxForRe2("\\Qa", false, &out));
}

struct Pcre2 {
  explicit Pcre2(const Definition& def) {
    uint32_t options = 0;
    if (def.flags & kFlagCaseless) options |= PCRE2_CASELESS;
    if (def.flags & kFlagDotAll) options |= PCRE2_DOTALL;
    if (def.flags & kFlagMultiline) options |= PCRE2_MULTILINE;
    int error = 0;
    PCRE2_SIZE offset = 0;
    code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(def.expression.data()),
                         def.expression.size(), options, &error, &offset, nullptr);
    match = pcre2_match_data_create(32, nullptr);
  }
  ~Pcre2() {
    pcre2_match_data_free(match);
    pcre2_code_free(code);
  }
  // The end of PCRE2's match anchored at `start`, or -1.
  int64_t EndAt(const std::string& text, size_t start) const {
    const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start,
                               PCRE2_ANCHORED, match, nullptr);
    EXPECT_TRUE(rc > 0 || rc == PCRE2_ERROR_NOMATCH) << rc;
    return rc > 0 ? static_cast<int64_t>(pcre2_get_ovector_pointer(match)[1]) : -1;
  }
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
};

// Inputs made of the pattern's likely pieces, so that matches are common.
std::string RandomText(std::mt19937& rng, const std::vector<std::string>& pieces) {
  std::string out;
  const size_t count = 4 + rng() % 24;
  for (size_t i = 0; i < count; ++i) out += pieces[rng() % pieces.size()];
  if (rng() % 2) out += '\n';  // a final newline: where PCRE2's $ and RE2's \z differ
  return out;
}

TEST(Re2DialectTest, RE2MatchesWherePcre2DoesAndExactReadingsEndAlike) {
  struct Case {
    std::string pattern;
    uint32_t flags;
    std::vector<std::string> pieces;
  };
  const std::vector<Case> cases = {
      {"tok=[a-z0-9]+.*$", 0, {"tok=", "ab", "9", " x", "\n", "="}},
      {"^ab|cd$", 0, {"ab", "cd", "\n", "x"}},
      {"ab$", kFlagMultiline, {"ab", "\n", "a", "b"}},
      {R"((\w+)=\1;)", 0, {"ab=ab;", "ab", "=", ";", "a", "b", " "}},
      {R"((?<v>[ab]+)-(?P=v)\b)", kFlagCaseless, {"a", "B", "-", "ab", " "}},
      {R"((?<!x)ab(?=c))", 0, {"x", "ab", "c", "a"}},
      {R"('[^']{150,}')", 0, {"'", std::string(60, 'a'), "b"}},
      {R"((?>a+)b|c++d)", 0, {"a", "b", "c", "d"}},
      {R"(x\s+y\Z)", kFlagDotAll, {"x", " ", "\v", "y", "\n"}},
      {R"(a.+b)", kFlagDotAll, {"a", "\n", "b", "c"}},
  };
  std::mt19937 rng(9);
  for (const Case& c : cases) {
    const Definition def = Regex(c.pattern, c.flags);
    const Re2Program program = CompileRe2OrPrefilter(def);
    ASSERT_NE(program.re, nullptr) << c.pattern;
    const Pcre2 pcre2(def);
    ASSERT_NE(pcre2.code, nullptr) << c.pattern;
    size_t pcre2_matches = 0;
    for (int round = 0; round < 300; ++round) {
      const std::string text = RandomText(rng, c.pieces);
      const re2::StringPiece subject(text);
      for (size_t start = 0; start <= text.size(); ++start) {
        const int64_t end = pcre2.EndAt(text, start);
        re2::StringPiece m;
        const bool re2_match =
            program.re->Match(subject, start, text.size(), RE2::ANCHOR_START, &m, 1);
        if (end >= 0) {
          ++pcre2_matches;
          ASSERT_TRUE(re2_match) << c.pattern << " at " << start << " in " << text;
        }
        if (program.exact && re2_match) {
          ASSERT_EQ(static_cast<int64_t>(start + m.size()), end)
              << c.pattern << " at " << start << " in " << text;
        }
      }
    }
    EXPECT_GT(pcre2_matches, 20u) << c.pattern << ": the inputs must exercise it";
  }
}

}  // namespace
}  // namespace trawl
