// The match alphabet must contain every byte of every match, or span recovery would
// start PCRE2 too late. Checked on syntax cases, and on every match that PCRE2's own
// global loop finds for the shipped rule packs and the public sets over real inputs.
#include "engine/match_alphabet.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <filesystem>
#include <random>
#include <string>

#include "rules/loader.h"
#include "gtest/gtest.h"
#include "util/file.h"

namespace trawl {
namespace {

std::string Members(const std::optional<ByteSet>& set) {
  std::string out;
  for (int c = 0; c < 256; ++c) {
    if ((*set)[c]) out += static_cast<char>(c);
  }
  return out;
}

TEST(MatchAlphabetTest, LiteralsClassesAndEscapes) {
  EXPECT_EQ(Members(MatchAlphabet(R"(\b[a-c0-2-]+\.com\b)", 0)), "-.012abcmo");
  EXPECT_EQ(Members(MatchAlphabet(R"(x{2,5}y{3}z{4,})", 0)), "xyz");
  // PCRE2 10.42 reads `{,5}` and `{a}` as literal text.
  EXPECT_EQ(Members(MatchAlphabet(R"(x{,5}q{a})", 0)), ",5aqx{}");
  EXPECT_EQ(Members(MatchAlphabet(R"(\x41\x{42}\103\t\cA)", 0)), std::string("\x01\tABC", 5));
  EXPECT_EQ(Members(MatchAlphabet(R"([\b]\bq)", 0)), "\bq");
  EXPECT_EQ(Members(MatchAlphabet(R"(\Q.*\E\d)", 0)), "*.0123456789");
  EXPECT_EQ(Members(MatchAlphabet(R"([]a][a\-c][[:digit:]_])", 0)), "-0123456789]_ac");
  EXPECT_EQ(Members(MatchAlphabet(R"([a-\d])", 0)), "-0123456789a");
  EXPECT_EQ(Members(MatchAlphabet(R"((?<year>\d)(?P<m>x)(?P=m)(?:y|z)(?=w)(?#note))", 0)),
            "0123456789wxyz");
}

TEST(MatchAlphabetTest, CaseAndNegation) {
  EXPECT_EQ(Members(MatchAlphabet("ab", kFlagCaseless)), "ABab");
  EXPECT_EQ(Members(MatchAlphabet("(?i:q)z", 0)), "QZqz");
  const auto negated = MatchAlphabet("[^a]", 0);
  EXPECT_FALSE((*negated)['a']);
  EXPECT_TRUE((*negated)['\n']);
  EXPECT_TRUE((*negated)[0xff]);
  EXPECT_TRUE(MatchAlphabet("a.b", 0)->all());
  // In UTF mode a non-ASCII character or Unicode case folding means any multibyte text.
  EXPECT_TRUE((*MatchAlphabet("k", kFlagCaseless | kFlagUtf8))[0xe2]);
  EXPECT_TRUE((*MatchAlphabet("\xc3\xa9", kFlagUtf8))[0x80]);
}

TEST(MatchAlphabetTest, UnfollowedSyntaxGivesNoBound) {
  EXPECT_FALSE(MatchAlphabet("(*UTF)a", 0));
  EXPECT_FALSE(MatchAlphabet(R"(\p{L}+)", kFlagUtf8));
  EXPECT_FALSE(MatchAlphabet("(?(1)a|b)", 0));
  EXPECT_FALSE(MatchAlphabet("[a", 0));
  EXPECT_FALSE(MatchAlphabet("a\\", 0));
}

// Every byte of every match of PCRE2's own global loop over `input` (the first 200 of each
// rule) is in the rule's alphabet. Adds to `checked` the matches examined; returns how
// many rules have a bound.
size_t CheckMatchesInAlphabet(const std::vector<Definition>& rules, const std::string& input,
                              size_t* checked) {
  size_t bounded = 0;
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  for (const Definition& def : rules) {
    if (def.kind != PatternKind::kRegex) continue;
    const auto alphabet = MatchAlphabet(def.expression, def.flags);
    if (!alphabet || alphabet->all()) continue;
    ++bounded;
    uint32_t options = 0;
    if (def.flags & kFlagCaseless) options |= PCRE2_CASELESS;
    if (def.flags & kFlagDotAll) options |= PCRE2_DOTALL;
    if (def.flags & kFlagMultiline) options |= PCRE2_MULTILINE;
    if (def.flags & kFlagUtf8) options |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(def.expression.data()),
                                     def.expression.size(), options, &error, &error_offset,
                                     nullptr);
    if (code == nullptr) continue;  // rejected rules never reach span recovery
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    PCRE2_SIZE at = 0;
    for (int n = 0; n < 200 && at <= input.size(); ++n) {
      const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(input.data()), input.size(),
                                 at, 0, data, nullptr);
      if (rc < 0) break;
      const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
      ++*checked;
      for (PCRE2_SIZE i = ovector[0]; i < ovector[1]; ++i) {
        const auto byte = static_cast<unsigned char>(input[i]);
        EXPECT_TRUE((*alphabet)[byte]) << def.id << " /" << def.expression << "/ matched byte "
                                       << int{byte} << " at " << i;
      }
      at = ovector[1] > ovector[0] ? ovector[1] : ovector[0] + 1;
    }
    pcre2_code_free(code);
  }
  pcre2_match_data_free(data);
  return bounded;
}

std::string RandomText(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  static const std::string kPieces[] = {"a", "Z", "0", "9", "f", ".", "-", "_", "@", ":", "/",
                                        " ", "\n", "\"", "=", "+", "com", "www.", "0x"};
  std::string out;
  while (out.size() < size) {
    if (rng() % 16 == 0) {
      out += static_cast<char>(rng() % 256);
    } else {
      out += kPieces[rng() % (sizeof kPieces / sizeof *kPieces)];
    }
  }
  return out;
}

TEST(MatchAlphabetTest, ShippedPacksMatchesStayInAlphabet) {
  std::vector<Definition> rules;
  std::string input = RandomText(256 << 10, 7);
  for (const char* pack : {"secrets.json", "pii.json"}) {
    auto loaded = LoadRuleFile(std::string(TRAWL_SOURCE_DIR) + "/rules/" + pack);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    for (Definition& def : loaded->definitions) {
      for (const auto& example : def.examples) input += "\n" + example + " " + example + "\n";
      for (const auto& example : def.negative_examples) input += "\n" + example + "\n";
      rules.push_back(std::move(def));
    }
  }
  size_t checked = 0;
  const size_t bounded = CheckMatchesInAlphabet(rules, input, &checked);
  EXPECT_GT(checked, 1000u);
  // The bound must be useful where it matters: the entity candidates without a literal.
  EXPECT_GT(bounded, rules.size() / 2);
  for (const Definition& def : rules) {
    if (def.id == "entity-domain" || def.id == "entity-email" || def.id == "entity-md5") {
      const auto alphabet = MatchAlphabet(def.expression, def.flags);
      ASSERT_TRUE(alphabet) << def.id;
      EXPECT_FALSE((*alphabet)[' ']) << def.id;
    }
  }
}

// The public sets, whose syntax is the most varied (IDS rules: lookarounds, backrefs,
// escapes); skipped without ../shared.
TEST(MatchAlphabetTest, PublicSetsMatchesStayInAlphabet) {
  const std::string corpus = std::string(TRAWL_SHARED_DIR) + "/corpus/";
  if (!std::filesystem::exists(corpus + "sub_ids_pcre.tsv")) GTEST_SKIP() << "no ../shared corpus";
  std::string input = RandomText(32 << 10, 11);
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(corpus + "scan_inputs")) {
    if (!entry.is_regular_file() || entry.file_size() > (1 << 20)) continue;
    auto text = ReadFile(entry.path().string());
    ASSERT_TRUE(text.ok());
    input += *text;
  }
  auto bench = ReadFile(corpus + "scan_inputs/bench_mixed_16MiB.bin");
  ASSERT_TRUE(bench.ok());
  input += bench->substr(0, 1 << 20);
  size_t checked = 0;
  for (const char* set : {"sub_ids_pcre.tsv", "sub_gitleaks.tsv", "sub_noseyparker.tsv",
                          "sub_trufflehog.tsv", "set_secrets_pii.tsv"}) {
    auto loaded = LoadRuleFile(corpus + set);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const size_t bounded = CheckMatchesInAlphabet(loaded->definitions, input, &checked);
    RecordProperty(set, static_cast<int>(bounded));
  }
  EXPECT_GT(checked, 1000u);
}

}  // namespace
}  // namespace trawl
