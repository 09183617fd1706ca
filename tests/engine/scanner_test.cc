#include "engine/scanner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "complexity.h"
#include "engine/artifact.h"
#include "test_util.h"
#include "util/status_codes.h"

namespace trawl {
namespace {

using testing_util::Found;
using testing_util::Literal;
using testing_util::MustCompile;
using testing_util::Regex;
using testing_util::ScanAll;

TEST(ScannerTest, RecoversExactSpansAndCaptures) {
  auto db = MustCompile({Regex("kv", "(user|pass)=([a-z0-9]+)"), Literal("lit", "token")});
  ASSERT_TRUE(db);
  auto found = ScanAll(db, "a user=bob1; token; pass=s3cret");
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0], (Found{0, 2, 11, "user=bob1", {2, 6, 7, 11}}));
  EXPECT_EQ(found[1], (Found{1, 13, 18, "token", {}}));
  EXPECT_EQ(found[2], (Found{0, 20, 31, "pass=s3cret", {20, 24, 25, 31}}));
}

// Hyperscan 5.4.0's literal API built databases whose scan failed (HS_UNKNOWN_ERROR) on
// the first bytes of a literal with a long run of one byte, beside any other literal: a
// YARA signature-base rule stopped every scan of its own rule file. Literals now go
// through the regex API, escaped; their metacharacters and NULs stay plain bytes.
TEST(ScannerTest, LongRunLiteralsScanWithoutEngineError) {
  const std::string run_literal =
      std::string(25, '#') + "<<KONEC>>" + std::string(37, '#');
  static constexpr char kMeta[] = "a.*+?[](){}|\\^$\0z";
  const std::string meta(kMeta, sizeof kMeta - 1);
  auto db = MustCompile({Literal("cgi", "Network security team :: CGI Shell"),
                         Literal("konec", run_literal), Literal("meta", meta),
                         Literal("caseless", "X-Api-Key:", kFlagCaseless)});
  ASSERT_TRUE(db);
  EXPECT_TRUE(ScanAll(db, std::string(25, '#') + "<<KONEC>>##").empty());
  const std::string padded = std::string(50, '#') + run_literal + std::string(50, '#');
  auto found = ScanAll(db, padded);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], (Found{1, 50, 50 + run_literal.size(), run_literal, {}}));
  found = ScanAll(db, "1 " + meta + " 2 x-api-KEY: 3 " + meta.substr(0, meta.size() - 1) + "Z");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], (Found{2, 2, 2 + meta.size(), meta, {}}));
  EXPECT_EQ(found[1].rule, 3u);
  EXPECT_EQ(found[1].text, "x-api-KEY:");
  EXPECT_TRUE(ScanAll(db, "a.b+?[](){}|\\^$").empty());  // '.' is no wildcard
}

TEST(ScannerTest, OverlappingMatchesReduceToLeftmostNonOverlapping) {
  auto db = MustCompile({Literal("aa", "aa"), Regex("as", "a+"), Regex("digits", "[0-9]{2,4}")});
  ASSERT_TRUE(db);
  auto found = ScanAll(db, "aaaaa 1234567");
  std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> spans;
  for (const auto& f : found) spans.emplace_back(f.rule, f.start, f.end);
  const std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> expected = {
      {0, 0, 2}, {1, 0, 5}, {0, 2, 4}, {2, 6, 10}, {2, 10, 13}};
  EXPECT_EQ(spans, expected);
}

TEST(ScannerTest, CaselessLiteralAndUnsetCaptureGroups) {
  auto db = MustCompile({Literal("ci", "SeCrEt", kFlagCaseless), Regex("opt", "k(x)?(y)")});
  ASSERT_TRUE(db);
  auto found = ScanAll(db, "SECRET ky");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].text, "SECRET");
  EXPECT_EQ(found[1].captures, (std::vector<int64_t>{-1, -1, 8, 9}));
}

TEST(ScannerTest, PrefilteredRulesAreConfirmedByPcre2) {
  auto db = MustCompile({Regex("backref", "<([a-z]+)>[^<]*</\\1>"), Regex("look", "foo(?=bar)")});
  ASSERT_TRUE(db);
  ASSERT_EQ(db->rule_info()[0].status, RuleStatus::kPrefiltered);
  ASSERT_EQ(db->rule_info()[1].status, RuleStatus::kPrefiltered);
  ScanSummary summary;
  auto found = ScanAll(db, "<b>x</i> <b>y</b> foobaz foobar", {}, &summary);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].text, "<b>y</b>");
  EXPECT_EQ(found[1].text, "foo");
  EXPECT_GT(summary.confirm_failures, 0u);  // the first <b>…</i> and foobaz were rejected
}

std::string RandomText(size_t size, uint32_t seed, std::string_view alphabet) {
  std::mt19937 rng(seed);
  std::string out(size, ' ');
  for (auto& c : out) c = alphabet[rng() % alphabet.size()];
  return out;
}

TEST(ScannerTest, StreamingFindsMatchesAcrossWriteAndChunkBoundaries) {
  auto db = MustCompile({Regex("tok", "tok_[a-z]{8,40}"), Literal("lit", "needle"),
                         Regex("line", "(?m)^ERROR [0-9]+$")});
  ASSERT_TRUE(db);
  std::string input = RandomText(600000, 7, "abcdefghij \n_");
  for (size_t pos = 1000; pos + 60 < input.size(); pos += 65536 - 13) {
    input.replace(pos, 6, "needle");
    input.replace(pos + 20, 24, "tok_abcdefghijklmnopqrst");
    input.replace(pos + 50, 11, "\nERROR 123\n");
  }
  ScanLimits limits;
  limits.chunk_bytes = 64 << 10;  // many chunks
  auto whole = ScanAll(db, input, ScanLimits{});
  auto chunked = ScanAll(db, input, limits);
  EXPECT_EQ(whole, chunked);
  EXPECT_GT(whole.size(), 20u);

  auto scanner = Scanner::Create(db);
  ASSERT_TRUE(scanner.ok());
  std::vector<Found> streamed;
  auto sink = [&](const Match& m) {
    streamed.push_back({m.rule, m.start, m.end, std::string(m.text),
                        std::vector<int64_t>(m.captures, m.captures + 2 * m.capture_count)});
    return true;
  };
  std::mt19937 rng(3);
  auto summary = testing_util::StreamInRandomWrites(**scanner, input, limits, rng, 9000, sink);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->bytes_scanned, input.size());
  std::sort(streamed.begin(), streamed.end(), [](const Found& a, const Found& b) {
    return std::tie(a.start, a.end, a.rule) < std::tie(b.start, b.end, b.rule);
  });
  EXPECT_EQ(streamed, whole);
}

// A stream scans the same windows whatever the sizes of the writes; a window that lies in
// one write is scanned where the caller's bytes are (what `trawl scan` does with a mapped
// file), one that spans writes from the stream's copy. Both must deliver the same
// matches in the same order with the same summary, with and without caps, and the
// in-place scan must really happen (matched text pointing into the caller's bytes).
TEST(ScannerTest, StreamWritesOfAnySizeDeliverTheSameInTheSameOrder) {
  auto db = MustCompile({Regex("tok", "tok_[a-z]{8,40}"), Literal("lit", "needle"),
                         Literal("ci", "NeEdLe", kFlagCaseless), Literal("word", "abc", kFlagFullword),
                         Regex("line", "(?m)^ERROR ([0-9]+)$"),
                         Regex("wide", "BEGIN[^\\x01]{0,3000}END")});
  ASSERT_TRUE(db);
  std::string input = RandomText(1500001, 11, "abcdefghij \n_");
  for (size_t pos = 100; pos + 3200 < input.size(); pos += 997) {
    input.replace(pos, 6, (pos / 997) % 2 ? "needle" : "NEEDLE");
    input.replace(pos + 20, 24, "tok_abcdefghijklmnopqrst");
    input.replace(pos + 50, 11, "\nERROR 123\n");
    if (pos % 7 == 0) {  // a match up to ~3 KB wide, crossing several window edges
      input.replace(pos + 70, 5, "BEGIN");
      input.replace(pos + 70 + 5 + (pos % 3000), 3, "END");
    }
  }
  struct Delivery {
    Found found;
    bool in_place;  // the text pointed into the written bytes, not the stream's copy
  };
  const auto stream = [&](const ScanLimits& limits, const std::vector<size_t>& sizes,
                          ScanSummary* summary) {
    auto scanner = Scanner::Create(db);
    EXPECT_TRUE(scanner.ok());
    std::vector<Delivery> out;
    std::string_view piece;
    auto sink = [&](const Match& m) {
      const bool in_place = !m.text.empty() && m.text.data() >= piece.data() &&
                            m.text.data() + m.text.size() <= piece.data() + piece.size();
      out.push_back({{m.rule, m.start, m.end, std::string(m.text),
                      std::vector<int64_t>(m.captures, m.captures + 2 * m.capture_count)},
                     in_place});
      return true;
    };
    EXPECT_TRUE((*scanner)->StreamBegin(limits).ok());
    size_t pos = 0;
    for (size_t i = 0; pos < input.size(); ++i) {
      const size_t n = std::min(input.size() - pos, sizes[i % sizes.size()]);
      // Each write gets its own copy, freed after it: a delivery that read the caller's
      // bytes after the write returned would be caught by ASan.
      const std::string copy = input.substr(pos, n);
      piece = copy;
      EXPECT_TRUE((*scanner)->StreamWrite(copy, sink).ok());
      pos += n;
    }
    piece = {};
    auto end = (*scanner)->StreamEnd(sink);
    EXPECT_TRUE(end.ok());
    if (end.ok()) *summary = *end;
    return out;
  };
  ScanLimits uncapped;
  uncapped.chunk_bytes = 64 << 10;  // many windows
  uncapped.max_matches_per_rule = 0;
  uncapped.max_matches = 0;
  ScanLimits capped = uncapped;
  capped.max_matches_per_rule = 600;
  capped.max_matches = 2500;  // stops inside a write, after some rules were capped
  for (const ScanLimits& limits : {uncapped, capped}) {
    ScanSummary one_summary;
    const std::vector<Delivery> one = stream(limits, {input.size()}, &one_summary);
    ASSERT_GE(one.size(), 2500u);
    std::vector<size_t> per_rule(db->rule_count());
    for (const Delivery& d : one) ++per_rule[d.found.rule];
    for (size_t n : per_rule) EXPECT_GT(n, 20u);  // every rule matches, "wide" included
    EXPECT_EQ(one_summary.truncation,
              limits.max_matches ? kTruncRuleMatchCap | kTruncMatchCap : 0u);
    size_t in_place = 0;
    for (const Delivery& d : one) in_place += d.in_place;
    EXPECT_GT(in_place, one.size() / 2);  // the windows inside the write were not copied
    // 1 MiB as `trawl scan` reads a pipe; sizes around a window; random; big then small.
    std::mt19937 rng(5);
    std::vector<size_t> random(200);
    for (size_t& n : random) n = 1 + rng() % 150000;
    for (const std::vector<size_t>& sizes :
         std::vector<std::vector<size_t>>{{1 << 20}, {65535}, {65537}, {131072 + 7}, random,
                                          {400000, 3, 70000, 1}}) {
      ScanSummary summary;
      const std::vector<Delivery> other = stream(limits, sizes, &summary);
      ASSERT_EQ(other.size(), one.size()) << "first write size " << sizes[0];
      for (size_t i = 0; i < one.size(); ++i) {
        ASSERT_EQ(other[i].found, one[i].found) << "delivery " << i << ", first write size "
                                                << sizes[0];
      }
      EXPECT_EQ(summary.bytes_scanned, one_summary.bytes_scanned);
      EXPECT_EQ(summary.matches, one_summary.matches);
      EXPECT_EQ(summary.truncation, one_summary.truncation);
      EXPECT_EQ(summary.capped_rules, one_summary.capped_rules);
    }
  }
}

TEST(ScannerTest, RuleMatchCapTruncatesOnlyThatRule) {
  auto db = MustCompile({Literal("x", "x"), Literal("y", "y")});
  ASSERT_TRUE(db);
  ScanLimits limits;
  limits.max_matches_per_rule = 3;
  ScanSummary summary;
  auto found = ScanAll(db, "xxxxxxy", limits, &summary);
  EXPECT_EQ(found.size(), 4u);
  EXPECT_TRUE(summary.truncation & kTruncRuleMatchCap);
  EXPECT_EQ(summary.capped_rules, std::vector<uint32_t>{0});
  EXPECT_EQ(TruncationReasonsText(summary.truncation), "rule_match_cap");
}

TEST(ScannerTest, TotalMatchCapStopsTheScan) {
  auto db = MustCompile({Literal("x", "x")});
  ASSERT_TRUE(db);
  ScanLimits limits;
  limits.max_matches = 5;
  ScanSummary summary;
  auto found = ScanAll(db, std::string(1000, 'x'), limits, &summary);
  EXPECT_EQ(found.size(), 5u);
  EXPECT_TRUE(summary.truncation & kTruncMatchCap);
}

TEST(ScannerTest, ByteBudgetScansOnlyThePrefix) {
  auto db = MustCompile({Literal("x", "needle")});
  ASSERT_TRUE(db);
  ScanLimits limits;
  limits.max_bytes = 100;
  ScanSummary summary;
  const std::string input = std::string(50, '.') + "needle" + std::string(100, '.') + "needle";
  auto found = ScanAll(db, input, limits, &summary);
  EXPECT_EQ(found.size(), 1u);
  EXPECT_EQ(summary.bytes_scanned, 100u);
  EXPECT_TRUE(summary.truncation & kTruncByteBudget);
}

TEST(ScannerTest, TimeBudgetStopsBetweenChunksAndSaysSo) {
  auto db = MustCompile({Literal("x", "needle")});
  ASSERT_TRUE(db);
  ScanLimits limits;
  limits.time_budget = absl::ZeroDuration();
  limits.chunk_bytes = 64 << 10;
  ScanSummary summary;
  ScanAll(db, std::string(1 << 20, '.'), limits, &summary);
  EXPECT_TRUE(summary.truncation & kTruncTimeBudget);
  EXPECT_LT(summary.bytes_scanned, uint64_t{1} << 20);
}

double SecondsSince(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

// Defect: a rule PCRE2 must confirm hung a scan despite the budget. `(?=(a+)+b)a` over a
// long run of 'a' makes every candidate hit PCRE2's match limit; the rule's cursor did not
// advance after the error, so each later candidate repeated the failing search, and the
// budget was checked only between 8 MiB chunks.
TEST(ScannerTest, FailedConfirmationsAdvanceAreFlaggedAndGiveUp) {
  auto db = MustCompile({Regex("la", "(?=(a+)+b)a")});
  ASSERT_TRUE(db);
  // Pathological runs, then a place where the rule does match (the lookahead sees "ab").
  std::string input;
  for (int run = 0; run < 40; ++run) input += std::string(3000, 'a') + "!";
  input += "xab";
  ScanSummary summary;
  const auto found = ScanAll(db, input, {}, &summary);
  EXPECT_TRUE(summary.truncation & kTruncConfirmLimit);
  EXPECT_GT(summary.confirm_errors, 0u);
  // Each error skips the rest of its run of the rule's alphabet, and the rule is given up
  // after kMaxConfirmErrorsPerRule of them: bounded work, reported.
  EXPECT_LE(summary.confirm_errors, kMaxConfirmErrorsPerRule);
  EXPECT_EQ(summary.given_up_rules, std::vector<uint32_t>{0});
  EXPECT_TRUE(found.empty());

  // Fewer pathological runs than the give-up point: the scan goes on past each failure
  // and still finds the match after them.
  const std::string few = std::string(3000, 'a') + "!" + std::string(3000, 'a') + "!xab";
  const auto after = ScanAll(db, few, {}, &summary);
  EXPECT_TRUE(summary.truncation & kTruncConfirmLimit);
  EXPECT_EQ(summary.confirm_errors, 2u);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].start, few.size() - 2);
}

// The budget holds inside one chunk of slow confirmations that never hit PCRE2's limits:
// every run of 18 'a' costs ~2^19 backtracking steps, each below the match limit.
TEST(ScannerTest, TimeBudgetHoldsInsideAChunkOfSlowConfirmations) {
  auto db = MustCompile({Regex("la", "(?=(a+)+b)a")});
  ASSERT_TRUE(db);
  std::string input;
  while (input.size() < (1u << 20)) input += std::string(18, 'a') + "!";
  ScanLimits limits;
  limits.time_budget = absl::Milliseconds(200);
  ScanSummary summary;
  const auto begin = std::chrono::steady_clock::now();
  ScanAll(db, input, limits, &summary);
  const double seconds = SecondsSince(begin);
  EXPECT_TRUE(summary.truncation & kTruncTimeBudget);
  EXPECT_LT(summary.bytes_scanned, input.size());
  // The budget may be overrun by a few confirmations, not by the rest of the chunk.
  EXPECT_LT(seconds, 5.0);
}

// A deadline shared by several scans (a component's buffers, a package's components).
TEST(ScannerTest, SharedDeadlineStopsEveryLaterScan) {
  auto db = MustCompile({Literal("x", "needle")});
  ASSERT_TRUE(db);
  ScanLimits limits;
  limits.deadline = absl::Now() - absl::Seconds(1);
  limits.chunk_bytes = 64 << 10;
  ScanSummary summary;
  ScanAll(db, std::string(1 << 20, '.') + "needle", limits, &summary);
  EXPECT_TRUE(summary.truncation & kTruncTimeBudget);
  EXPECT_LT(summary.bytes_scanned, uint64_t{1} << 20);
}

// The engine reports matches at the end of the data out of end order (3, then 2 for
// (?s).$ over "ab\n"); processed as they came, the earlier match was skipped as if it
// overlapped. Exact, prefiltered and fixed-width rules, whole buffers and streams, all
// give PCRE2's global loop. Found by tests/engine/scanner_fuzzer.cc.
TEST(ScannerTest, EndOfDataMatchesReportedOutOfOrderAreAllFound) {
  auto db = MustCompile({Regex("dot-end", "(?s).$"), Regex("grapheme-end", "\\X$"),
                         Regex("tail", "(?s)b.?\\Z")});
  ASSERT_TRUE(db);
  for (const std::string input : {"ab\n", "xxab\n", "ab", "b\n\n"}) {
    ScanSummary summary;
    std::vector<ReferenceMatch> got;
    for (const Found& f : ScanAll(db, input, {}, &summary)) got.push_back({f.rule, f.start, f.end});
    std::sort(got.begin(), got.end());
    auto want = ReferenceScan(*db, input);
    ASSERT_TRUE(want.ok());
    EXPECT_EQ(got, *want) << input;
    EXPECT_EQ(summary.truncation, 0u) << input;
  }
  const auto dot = ScanAll(db, "ab\n");
  EXPECT_GE(dot.size(), 4u);  // [1,2) and [2,3) for both end rules at least
}

// PCRE2-confirmed rules under a budget stay linear in the input: a lookbehind rule with a
// candidate in every block, and one that backtracks (below PCRE2's limits) on every block.
TEST(ScannerComplexityTest, ConfirmedRulesUnderABudgetAreLinear) {
  TRAWL_SKIP_MEASUREMENT_WHEN_SANITIZED();
  auto db = MustCompile({Regex("after-key", "(?<=key=)[a-z]{8}"), Regex("la", "(?=(a+)+b)a")});
  ASSERT_TRUE(db);
  std::string input;
  while (input.size() < (256u << 10)) input += "key=abcdefgh " + std::string(8, 'a') + "!\n";
  ScanLimits limits;
  limits.time_budget = absl::Seconds(120);  // checked inside the chunk, never reached
  limits.max_matches_per_rule = 0;
  size_t matches = 0;
  const double ratio = testing::DoublingRatio(128u << 10, [&](size_t n) {
    ScanSummary summary;
    matches += ScanAll(db, std::string_view(input).substr(0, n), limits, &summary).size();
    EXPECT_FALSE(summary.truncation & kTruncTimeBudget);
  });
  EXPECT_LE(ratio, testing::kMaxDoublingRatio) << matches;
}

TEST(ScannerTest, SinkCanStopTheScan) {
  auto db = MustCompile({Literal("x", "x")});
  ASSERT_TRUE(db);
  auto scanner = Scanner::Create(db);
  ASSERT_TRUE(scanner.ok());
  int seen = 0;
  auto summary = (*scanner)->Scan("xxxxx", {}, [&](const Match&) { return ++seen < 2; });
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(seen, 2);
  EXPECT_TRUE(summary->truncation & kTruncStopped);
}

TEST(ScannerTest, ReentrantUseIsDetected) {
  auto db = MustCompile({Literal("x", "x")});
  ASSERT_TRUE(db);
  auto scanner = Scanner::Create(db);
  ASSERT_TRUE(scanner.ok());
  absl::Status inner;
  auto outer = (*scanner)->Scan("x", {}, [&](const Match&) {
    inner = (*scanner)->Scan("x", {}, [](const Match&) { return true; }).status();
    return true;
  });
  ASSERT_TRUE(outer.ok());
  EXPECT_EQ(CodeOf(inner), static_cast<int>(ErrorCode::kBusy));
}

TEST(ScannerTest, StreamMisuseIsAnError) {
  auto db = MustCompile({Literal("x", "x")});
  ASSERT_TRUE(db);
  auto scanner = Scanner::Create(db);
  ASSERT_TRUE(scanner.ok());
  auto sink = [](const Match&) { return true; };
  EXPECT_FALSE((*scanner)->StreamWrite("x", sink).ok());
  EXPECT_FALSE((*scanner)->StreamEnd(sink).ok());
  ASSERT_TRUE((*scanner)->StreamBegin({}).ok());
  EXPECT_FALSE((*scanner)->StreamBegin({}).ok());
  EXPECT_FALSE((*scanner)->Scan("x", {}, sink).ok());
  EXPECT_TRUE((*scanner)->StreamEnd(sink).ok());
}

TEST(ScannerTest, EmptyInputAndBinaryBytes) {
  auto db = MustCompile({Regex("bin", "\\x00\\xff[\\x80-\\xfe]{2}")});
  ASSERT_TRUE(db);
  EXPECT_TRUE(ScanAll(db, "").empty());
  auto found = ScanAll(db, std::string("ab\0\xff\x80\x90zz", 8));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].start, 2u);
}

// With every rule rejected there is no engine database at all; scanning still works, as
// it does for the same database loaded from an artifact.
TEST(ScannerTest, ADatabaseWithEveryRuleRejectedScansToNothing) {
  auto db = MustCompile({Regex("unbalanced", "(")});
  ASSERT_TRUE(db);
  EXPECT_EQ(db->CountWithStatus(RuleStatus::kRejected), 1u);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (const auto& each : {db, *loaded}) {
    auto scanner = Scanner::Create(each);
    ASSERT_TRUE(scanner.ok()) << scanner.status();
    EXPECT_TRUE(ScanAll(each, "(anything)").empty());
  }
}

// An engine end whose match overlaps a reported one is skipped by design, not flagged
// as a disagreement between the engine and PCRE2.
TEST(ScannerTest, OverlappingEngineEndIsNotUnplaced) {
  auto db = testing_util::MustCompile({testing_util::Regex("blank", "\\r?\\n\\r?\\n")});
  ASSERT_TRUE(db);
  ScanSummary summary;
  auto found = testing_util::ScanAll(db, "a\n\n\nb\r\n\r\n\r\nc", {}, &summary);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(summary.truncation, 0u) << TruncationReasonsText(summary.truncation);
}

// PCRE2 gives up at its backtracking limit (here forced low); RE2 recovers the same
// leftmost-first span and captures in linear time and the match says so. A pattern outside
// RE2's syntax (lookahead) is still reported as undecided.
TEST(ScannerTest, Re2RecoversTheSpanWhenPcre2GivesUp) {
  auto db = MustCompile({Regex("mailer", "user(?:\\s*.*\\s*){0,3}=\\s*'([^']+)'"),
                         Regex("ahead", "pass(?=word)(?:\\s*.*\\s*){0,3}d")});
  ASSERT_TRUE(db);
  const std::string input = "x\n$mail->user   \n  = 'bob' ; password";
  ScanLimits limits;
  limits.pcre2_match_limit = 2;
  ScanSummary summary;
  std::vector<uint32_t> flags;
  auto scanner = Scanner::Create(db);
  ASSERT_TRUE(scanner.ok());
  std::vector<Found> found;
  auto result = (*scanner)->Scan(input, limits, [&](const Match& m) {
    found.push_back({m.rule, m.start, m.end, std::string(m.text),
                     std::vector<int64_t>(m.captures, m.captures + 2 * m.capture_count)});
    flags.push_back(m.flags);
    return true;
  });
  ASSERT_TRUE(result.ok()) << result.status();
  // What PCRE2 finds without the limit.
  const auto unlimited = ScanAll(db, input);
  ASSERT_EQ(unlimited.size(), 2u);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], unlimited[0]);
  EXPECT_EQ(flags[0], kMatchSpanByRe2);
  EXPECT_EQ(result->spans_by_re2, 1u);
  EXPECT_EQ(result->confirm_errors, 1u);  // the lookahead rule
  EXPECT_NE(result->truncation & kTruncConfirmLimit, 0u);
}

}  // namespace
}  // namespace trawl
