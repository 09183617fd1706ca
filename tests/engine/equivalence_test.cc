// trawl's (rule, start, end) set must equal a PCRE2-only global match loop per rule.
// Differences are only allowed where docs/matching.md explains them, and each allowed
// difference is asserted here by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <tuple>

#include "rules/loader.h"
#include "test_util.h"
#include "util/file.h"

namespace trawl {
namespace {

using testing_util::MustCompile;
using testing_util::Regex;

std::vector<ReferenceMatch> TrawlMatches(const std::shared_ptr<const Database>& db,
                                         std::string_view data, size_t chunk = 8 << 20) {
  ScanLimits limits;
  limits.max_matches_per_rule = 0;
  limits.max_matches = 0;
  limits.chunk_bytes = chunk;
  std::vector<ReferenceMatch> out;
  for (const auto& f : testing_util::ScanAll(db, data, limits)) {
    out.push_back({f.rule, f.start, f.end});
  }
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectEquivalent(const std::shared_ptr<const Database>& db, std::string_view data,
                      const std::string& label) {
  auto reference = ReferenceScan(*db, data);
  ASSERT_TRUE(reference.ok()) << reference.status();
  const auto ours = TrawlMatches(db, data);
  std::vector<ReferenceMatch> missing, extra;
  std::set_difference(reference->begin(), reference->end(), ours.begin(), ours.end(),
                      std::back_inserter(missing));
  std::set_difference(ours.begin(), ours.end(), reference->begin(), reference->end(),
                      std::back_inserter(extra));
  // Rules whose PCRE2 and engine semantics differ are listed in docs/matching.md; none
  // of the sets used here contain them, so any difference is a bug.
  for (const auto& m : missing) {
    ADD_FAILURE() << label << ": missing " << db->definition(m.rule).id << " [" << m.start
                  << "," << m.end << ") "
                  << std::string(data.substr(m.start, std::min<uint64_t>(m.end - m.start, 80)));
    if (&m - missing.data() > 10) break;
  }
  for (const auto& m : extra) {
    ADD_FAILURE() << label << ": extra " << db->definition(m.rule).id << " [" << m.start << ","
                  << m.end << ")";
    if (&m - extra.data() > 10) break;
  }
  EXPECT_EQ(reference->size(), ours.size()) << label;
}

std::string RandomBytes(size_t size, uint32_t seed, std::string_view alphabet) {
  std::mt19937 rng(seed);
  std::string out(size, ' ');
  for (auto& c : out) c = alphabet[rng() % alphabet.size()];
  return out;
}

TEST(EquivalenceTest, HandWrittenShapesOnRandomInput) {
  auto db = MustCompile({
      Regex("alt", "ab|abc|b[a-c]{2}"),
      Regex("lazy", "a[abc]+?c"),
      Regex("bounded", "[ab]{3,6}c"),
      Regex("quote", "\"[^\"]{2,20}\""),
      Regex("word", "\\bcab\\b"),
      Regex("caseless", "(?i)ABBA"),
      Regex("line", "(?m)^c+$"),
      Regex("backref", "(a|b)\\1c"),
      Regex("look", "ab(?=c)"),
      testing_util::Literal("lit", "cba"),
      testing_util::Literal("lit-ci", "BAC", kFlagCaseless),
  });
  ASSERT_TRUE(db);
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    ExpectEquivalent(db, RandomBytes(20000, seed, "abc \"\n"), "seed " + std::to_string(seed));
  }
}

// The one documented difference (docs/matching.md): when a match longer than the
// look-back cap ends where a shorter match inside the window also ends, trawl reports the
// shorter one (leftmost start inside the window). When no match starts inside the window,
// trawl searches back to the cursor and finds the true match.
TEST(EquivalenceTest, LookBackCapDifferenceIsTheDocumentedOne) {
  CompileOptions options;
  options.max_window = 64;
  auto db = MustCompile({Regex("run", "a+b"), Regex("quoted", "x\"[^\"]{6,}\"")}, options);
  ASSERT_TRUE(db);
  const std::string short_input = std::string(40, 'a') + "b";
  EXPECT_EQ(TrawlMatches(db, short_input), *ReferenceScan(*db, short_input));
  // a+b over 200 a's: the reference starts at 0, trawl inside the 64-byte window.
  const std::string long_run = std::string(200, 'a') + "b";
  ASSERT_EQ(*ReferenceScan(*db, long_run), (std::vector<ReferenceMatch>{{0, 0, 201}}));
  EXPECT_EQ(TrawlMatches(db, long_run), (std::vector<ReferenceMatch>{{0, 201 - 64, 201}}));
  // x"…" over 200 bytes: nothing starts inside the window, so the fallback finds it.
  const std::string long_quote = "x\"" + std::string(200, 'a') + "\"";
  EXPECT_EQ(TrawlMatches(db, long_quote), *ReferenceScan(*db, long_quote));
  // With the default cap the difference disappears.
  auto wide = MustCompile({Regex("run", "a+b")});
  EXPECT_EQ(TrawlMatches(wide, long_run), *ReferenceScan(*wide, long_run));
}

TEST(EquivalenceTest, ChunkedScanEqualsWholeBuffer) {
  auto db = MustCompile({Regex("bounded", "[ab]{3,60}c"), Regex("q", "\"[^\"]{2,200}\"")});
  ASSERT_TRUE(db);
  const std::string input = RandomBytes(1 << 20, 99, "aab\"c \n");
  EXPECT_EQ(TrawlMatches(db, input, 64 << 10), TrawlMatches(db, input));
}

// Delivered in (start, end, rule) order within a round: with one round, in that order.
bool InSpanOrder(const std::vector<testing_util::Found>& found) {
  return std::is_sorted(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(a.start, a.end, a.rule) < std::tie(b.start, b.end, b.rule);
  });
}

// Many literals ending at the same byte, longest reported last by the engine and first
// in span order: each round's matches are far from the engine's order, so the scanner's
// nearly-sorted sort gives up and sorts them outright. Same matches, same order.
TEST(EquivalenceTest, NestedLiteralsEndingTogetherSortAsTheReference) {
  std::vector<Definition> defs;
  for (int k = 1; k <= 200; ++k) {
    defs.push_back(testing_util::Literal("a" + std::to_string(k), std::string(k, 'a') + "b"));
  }
  auto db = MustCompile(std::move(defs));
  ASSERT_TRUE(db);
  std::string input;
  for (int i = 0; i < 50; ++i) input += std::string(200, 'a') + "b\n";
  ScanLimits limits;
  limits.max_matches_per_rule = 0;
  limits.max_matches = 0;
  const auto found = testing_util::ScanAll(db, input, limits);
  EXPECT_EQ(found.size(), 200u * 50u);
  EXPECT_TRUE(InSpanOrder(found));
  EXPECT_EQ(TrawlMatches(db, input), *ReferenceScan(*db, input));
  EXPECT_EQ(TrawlMatches(db, input, 64 << 10), TrawlMatches(db, input));
}

// The literals of YARA's signature-base (the peer suite's literal set, bench/peers) over
// the benchmark input: tens of thousands of rules and matches, handled in batches of
// engine hits and sorted per round. The matches are PCRE2's, whole buffer or chunked,
// delivered in span order; match caps stop at the same matches. Skipped without
// ../shared.
TEST(EquivalenceTest, YaraLiteralSetOnBenchInput) {
  const std::string shared = TRAWL_SHARED_DIR;
  const std::string set_path = shared + "/corpus/set_yara_sigbase.tsv";
  if (!std::filesystem::exists(set_path)) GTEST_SKIP() << "no ../shared corpus";
  auto rules = LoadRuleFile(set_path);
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<Definition> literals;
  for (Definition& d : rules->definitions) {
    if (d.kind == PatternKind::kLiteral) literals.push_back(std::move(d));
  }
  ASSERT_GT(literals.size(), 20000u);
  auto db = MustCompile(std::move(literals));
  ASSERT_TRUE(db);
  auto bench = ReadFile(shared + "/corpus/scan_inputs/bench_mixed_16MiB.bin");
  ASSERT_TRUE(bench.ok());
  const std::string input = bench->substr(0, 256 << 10);
  ExpectEquivalent(db, input, "set_yara_sigbase.tsv literals");
  const auto whole = TrawlMatches(db, input);
  EXPECT_GT(whole.size(), 2000u);
  EXPECT_EQ(TrawlMatches(db, input, 64 << 10), whole);
  ScanLimits limits;
  limits.max_matches_per_rule = 0;
  limits.max_matches = 0;
  EXPECT_TRUE(InSpanOrder(testing_util::ScanAll(db, input, limits)));

  // One match per rule: each rule's first (its literal's leftmost occurrence).
  limits.max_matches_per_rule = 1;
  std::vector<ReferenceMatch> first_per_rule;
  for (const auto& f : testing_util::ScanAll(db, input, limits)) {
    first_per_rule.push_back({f.rule, f.start, f.end});
  }
  std::sort(first_per_rule.begin(), first_per_rule.end());
  std::vector<ReferenceMatch> expected;
  for (const ReferenceMatch& m : whole) {
    if (expected.empty() || expected.back().rule != m.rule) expected.push_back(m);
  }
  EXPECT_EQ(first_per_rule, expected);

  // A total cap stops at the engine's first N matches, which end no later than the rest.
  limits.max_matches_per_rule = 0;
  limits.max_matches = 1001;  // not a multiple of any batch size
  ScanSummary summary;
  const auto capped = testing_util::ScanAll(db, input, limits, &summary);
  ASSERT_EQ(capped.size(), 1001u);
  EXPECT_TRUE(summary.truncation & kTruncMatchCap);
  std::vector<ReferenceMatch> kept;
  uint64_t last_end = 0;
  for (const auto& f : capped) {
    kept.push_back({f.rule, f.start, f.end});
    last_end = std::max(last_end, f.end);
  }
  std::sort(kept.begin(), kept.end());
  std::vector<ReferenceMatch> rest;
  std::set_difference(whole.begin(), whole.end(), kept.begin(), kept.end(),
                      std::back_inserter(rest));
  EXPECT_EQ(rest.size(), whole.size() - kept.size());  // every kept match is a real one
  for (const ReferenceMatch& m : rest) EXPECT_GE(m.end, last_end) << db->definition(m.rule).id;
}

// The public secret and IDS sets over the public scan inputs; skipped without ../shared.
class CorpusEquivalenceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CorpusEquivalenceTest, MatchesPcre2Reference) {
  const std::string shared = TRAWL_SHARED_DIR;
  const std::string set_path = shared + "/corpus/" + GetParam();
  if (!std::filesystem::exists(set_path)) GTEST_SKIP() << "no ../shared corpus";
  auto rules = LoadRuleFile(set_path);
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto db = MustCompile(rules->definitions);
  ASSERT_TRUE(db);
  // Real inputs: the public fixture files, plus a slice of the seeded benchmark input.
  std::string input;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(shared + "/corpus/scan_inputs")) {
    if (!entry.is_regular_file() || entry.file_size() > (1 << 20)) continue;
    auto text = ReadFile(entry.path().string());
    ASSERT_TRUE(text.ok());
    input += *text;
    input += '\n';
  }
  auto bench = ReadFile(shared + "/corpus/scan_inputs/bench_mixed_16MiB.bin");
  ASSERT_TRUE(bench.ok());
  input += bench->substr(0, 512 << 10);
  ExpectEquivalent(db, input, GetParam());
}

INSTANTIATE_TEST_SUITE_P(PublicSets, CorpusEquivalenceTest,
                         ::testing::Values("sub_noseyparker.tsv", "sub_gitleaks.tsv",
                                           "set_secrets_pii.tsv"));

}  // namespace
}  // namespace trawl
