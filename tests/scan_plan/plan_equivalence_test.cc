// The planned database (cost partitions, literal gating) must find exactly the same
// (rule, start, end) set as the ungated database and as the PCRE2-only reference
// (docs/matching.md, "Literal gating"). Synthetic rules over random inputs always run;
// the public sets over the public inputs run when ../shared is present.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "../engine/test_util.h"
#include "absl/strings/ascii.h"
#include "plan_test_util.h"
#include "scan_plan/planner.h"
#include "rules/loader.h"
#include "util/file.h"

namespace trawl::plan {
namespace {

using namespace std::string_literals;

using testing_util::Literal;
using testing_util::Regex;

using Spans = std::vector<ReferenceMatch>;

Spans Scan(const std::shared_ptr<const Database>& db, std::string_view data, size_t chunk = 8 << 20,
           uint64_t per_rule_cap = 0) {
  ScanLimits limits;
  limits.max_matches_per_rule = per_rule_cap;
  limits.max_matches = 0;
  limits.chunk_bytes = chunk;
  Spans out;
  for (const auto& f : testing_util::ScanAll(db, data, limits)) out.push_back({f.rule, f.start, f.end});
  std::sort(out.begin(), out.end());
  return out;
}

Spans StreamScan(const std::shared_ptr<const Database>& db, std::string_view data, uint32_t seed) {
  auto scanner = Scanner::Create(db);
  EXPECT_TRUE(scanner.ok());
  ScanLimits limits;
  limits.max_matches_per_rule = 0;
  limits.max_matches = 0;
  limits.chunk_bytes = 64 << 10;
  Spans out;
  auto sink = [&](const Match& m) {
    out.push_back({m.rule, m.start, m.end});
    return true;
  };
  EXPECT_TRUE((*scanner)->StreamBegin(limits).ok());
  std::mt19937 rng(seed);
  for (size_t pos = 0; pos < data.size();) {
    const size_t n = std::min<size_t>(data.size() - pos, 1 + rng() % 20000);
    EXPECT_TRUE((*scanner)->StreamWrite(data.substr(pos, n), sink).ok());
    pos += n;
  }
  EXPECT_TRUE((*scanner)->StreamEnd(sink).ok());
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectSame(const Database& db, const Spans& expected, const Spans& actual,
                const std::string& label) {
  Spans missing, extra;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                      std::back_inserter(missing));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  for (size_t i = 0; i < missing.size() && i < 10; ++i) {
    ADD_FAILURE() << label << ": missing " << db.definition(missing[i].rule).id << " ["
                  << missing[i].start << "," << missing[i].end << ")";
  }
  for (size_t i = 0; i < extra.size() && i < 10; ++i) {
    ADD_FAILURE() << label << ": extra " << db.definition(extra[i].rule).id << " ["
                  << extra[i].start << "," << extra[i].end << ")";
  }
  EXPECT_EQ(expected.size(), actual.size()) << label;
}

bool IsGated(const Database& db, uint32_t rule) {
  const RuleInfo& info = db.rule_info()[rule];
  return info.partition >= 0 && db.partitions()[info.partition].kind == PartitionKind::kGate;
}

size_t GatedCount(const Database& db) {
  size_t gated = 0;
  for (uint32_t rule = 0; rule < db.rule_count(); ++rule) gated += IsGated(db, rule);
  return gated;
}

// The rules compiled planned (gated where the planner can) and ungated; null on failure.
struct PlannedAndUngated {
  std::shared_ptr<const Database> planned, ungated;
};
PlannedAndUngated CompileBoth(const std::vector<Definition>& rules) {
  auto planned = CompilePlanned(rules, {}, NoTrial());
  EXPECT_TRUE(planned.ok()) << planned.status();
  auto ungated = CompileDatabase(rules, {});
  EXPECT_TRUE(ungated.ok()) << ungated.status();
  if (!planned.ok() || !ungated.ok()) return {};
  return {*planned, *ungated};
}

// Random text made of the atoms' pieces, so atoms hit often, windows overlap and merge,
// and matches sit next to each other and across chunk boundaries.
std::string RandomText(size_t size, uint32_t seed) {
  static const std::vector<std::string> kTokens = {
      "key", "KEY", "Key", "token", "TOKEN", "secret", "end", "abc", "xyz", "=", ":", " ",
      " ", "\n", "\"", "a", "b", "k", "e", "y", "0", "7", "9", "kez", "x", "q", "_", "-",
      "keykey", "password", "AKIA", "ABCD", "\t", "\r\n", "\x0b", "\f"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) out += kTokens[rng() % kTokens.size()];
  out.resize(size);
  return out;
}

std::vector<Definition> SyntheticRules() {
  return {
      Regex("bounded", "key\\s*=\\s*[a-z0-9]{1,12}"),
      Regex("caseless", "(?i)token[:=]\\s*\"[^\"]{0,40}\""),
      Regex("lazy", "secret.*?end"),
      Regex("alternation", "(?:abc|xyz)[0-9]+"),
      Regex("class-atoms", "[ab]key[0-9]"),
      Regex("words", "\\bkey\\b"),
      Regex("anchored", "(?m)^secret[a-z ]*$"),
      Regex("repeat-before", "a[bk]*key"),
      Regex("atoms-pair", "x(?:key|kez)y{0,3}"),
      Regex("lazy-bounded", "k[e]y.{0,20}?9"),
      Regex("dotall", "(?s)secret.{0,100}end"),
      Regex("leftmost-first", "keykey|key"),
      Regex("adjacent", "(?:key)+"),
      Regex("two-required", "password.{0,30}key"),
      Regex("caseless-flag", "akia[a-z]{4}", kFlagCaseless),
      Regex("captures", "(key)=(\\w*)"),
      Regex("unbounded", "token[a-z_ ]+end"),
      Regex("prefix-window", "(?i)k[e]y\\s*[:=]\\s*[a-z0-9_ ]+"),
      Regex("space-class", "key\\s[=:]"),  // PCRE2's \s includes VT; RE2's does not
      Regex("space-in-class", "token[\\s=]{2}"),
      Regex("prefix-group", "(?:secret|password)[ =:]+[^\\n]*end"),
      // Not gateable: full-scan partitions, sharing the database with gated rules.
      Regex("no-atom", "[a-z]{3}9"),
      Regex("lookahead", "a(?=b)"),
      Regex("hot", "[0-9]"),
      Literal("lit", "key"),
      Literal("lit-short", "ab"),
      Literal("lit-caseless", "TOKEN", kFlagCaseless),
  };
}

TEST(PlanEquivalenceTest, SyntheticRulesOnRandomInput) {
  auto [planned, ungated] = CompileBoth(SyntheticRules());
  ASSERT_TRUE(planned && ungated);
  // The test is only meaningful if most regexes are actually gated.
  EXPECT_GE(GatedCount(*planned), 15u);
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    const std::string input = RandomText(30000, seed);
    const std::string label = "seed " + std::to_string(seed);
    auto reference = ReferenceScan(*planned, input);
    ASSERT_TRUE(reference.ok());
    ExpectSame(*planned, *reference, Scan(planned, input), label + " vs reference");
    ExpectSame(*planned, Scan(ungated, input), Scan(planned, input), label + " vs ungated");
  }
}

TEST(PlanEquivalenceTest, ChunksStreamsAndCapsAgree) {
  auto planned = CompilePlanned(SyntheticRules(), {}, NoTrial());
  auto ungated = CompileDatabase(SyntheticRules(), {});
  ASSERT_TRUE(planned.ok() && ungated.ok());
  const std::string input = RandomText(600 << 10, 77);
  const Spans whole = Scan(*planned, input);
  ExpectSame(**planned, Scan(*ungated, input), whole, "planned vs ungated");
  ExpectSame(**planned, whole, Scan(*planned, input, 64 << 10), "64 KiB chunks");
  ExpectSame(**planned, whole, StreamScan(*planned, input, 5), "stream");
  // With a per-rule cap, each rule reports its first matches in input order either way.
  ExpectSame(**planned, Scan(*ungated, input, 8 << 20, 25), Scan(*planned, input, 8 << 20, 25),
             "capped");
}

TEST(PlanEquivalenceTest, SmallWindowStillExactForBoundedRules) {
  CompileOptions compile;
  compile.max_window = 64;
  std::vector<Definition> rules = {Regex("bounded", "key\\s*=\\s*[a-z0-9]{1,12}"),
                                   Regex("lazy-bounded", "k[e]y.{0,20}?9"),
                                   Regex("pair", "password.{0,30}key")};
  auto planned = CompilePlanned(rules, compile, NoTrial());
  ASSERT_TRUE(planned.ok());
  for (uint32_t seed = 20; seed < 24; ++seed) {
    const std::string input = RandomText(50000, seed);
    auto reference = ReferenceScan(**planned, input);
    ASSERT_TRUE(reference.ok());
    ExpectSame(**planned, *reference, Scan(*planned, input, 64 << 10), "seed " + std::to_string(seed));
  }
}

// Gated rules with a follow set (plan::GateSpec::follow): most atom hits are followed by
// other bytes and are dropped before confirmation. Atoms sit at the end of the data, at
// chunk and stream-write edges, and in both cases.
std::vector<Definition> FollowSetRules() {
  return {
      Regex("assert-call", "\\bassert[\\n\\t ]{0,50}\\([^)0]"),
      Regex("caseless-rest", "(?i)secretke(y)=[0-9]+"),
      Regex("words", "\\b(exec|shell_exec|system)[\\t ]{0,30}\\(\\$_(GET|POST)"),
      Regex("cr-line", "[\\x0a\\x0d](IconFile|(Base|)URL)\\s*=[^\\x0d]*cmd[^\\x0d]{2,20}\\x0d",
            kFlagCaseless),
      Regex("key-value", "key\\s*=\\s*[a-z0-9]{1,12}"),
      // Sequences: several positions after the atom, letters in both cases, dots.
      Regex("spelled-rest", "\\biterator_apply[\\t ]{0,20}\\("),
      Regex("dotted-rest", "\\x75\\x73\\x65\\x72...\\x33\\x32\\x2e\\x64", kFlagDotAll),
      // Splits inside a group (the default pack's shapes): a counted class after the
      // atom, a rest that starts with an optional byte, alternatives with optional bytes.
      Regex("in-group", "\\b(pat[A-Za-z0-9]{6}\\.[a-f0-9]{4})\\b"),
      Regex("scoped-options", "(?i:aws_?session_?token)[\"']?\\s*[:=]\\s*([a-z0-9]{4,})"),
      Regex("optional-bytes", "(?i:api_?key|access_?token|secret)[\"']?\\s*[:=]\\s*[\"']?([a-z0-9]{8})"),
  };
}

std::string FollowSetText(size_t size, uint32_t seed) {
  static const std::vector<std::string> kTokens = {
      "assert", "assertEquals", "assert (", "assert\t\n(x", "assert()", "ASSERT(", "assertTrue",
      "assertion", "Asserts", "asserted", "assert_", "ASSERT.", "asserting", "secretkey",
      "SECRETKEY=", "secretKey=12", "=", "7", "iterator", "iterator_", "iterator_app", "ITERATOR_APPLY",
      "iterator_apply(", "Iterator_Apply\t(", "user", "userXYZ32.d", "user\n\n\n32.d", "user__32.x",
      "user123", "32.d", "pat", "path", "pattern", "patABCDEF.0a1f", "patABC123.beef ", "PATabcdef.0000",
      "aws_session_token=", "AWS_SESSION", "aws_session_tok", "awssessiontoken: \"abcd1234",
      "api_key=", "apikey : 'deadbeef", "ACCESS_TOKEN", "access_token\"=", "secret:", "secrets", "exec", "shell_exec (", "system($_GET", "$_POST",
      "(", "\nurl", "\rURL =", "\niconfile=", " cmd ", "\r", "key", "KEY", "key =", "key=a",
      " ", "\n", "x", "_", "\t"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) out += kTokens[rng() % kTokens.size()];
  out.resize(size);
  return out;
}

TEST(PlanEquivalenceTest, FollowSetsDropHitsButNoMatch) {
  auto [planned, ungated] = CompileBoth(FollowSetRules());
  ASSERT_TRUE(planned && ungated);
  size_t with_follow = 0;
  for (const PartitionInfo& part : planned->partitions()) {
    for (uint32_t follow : part.gate_follow) with_follow += follow != PartitionInfo::kNoFollow;
  }
  EXPECT_GE(with_follow, 10u);  // every rule, "words" once per atom
  ScanLimits limits;
  limits.max_matches = 0;
  limits.max_matches_per_rule = 0;
  std::vector<size_t> matched(planned->rule_count(), 0);
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    std::string input = FollowSetText(40000, seed);
    // Ends on an atom: its next byte is unknown to the round, so the hit is kept.
    input += std::vector<std::string>{"assert", "secretkey", "iterator_app", "user32"}[seed % 4];
    const std::string label = "seed " + std::to_string(seed);
    auto reference = ReferenceScan(*planned, input);
    ASSERT_TRUE(reference.ok());
    const Spans whole = Scan(planned, input);
    ExpectSame(*planned, *reference, whole, label + " vs reference");
    ExpectSame(*planned, Scan(ungated, input), whole, label + " vs ungated");
    ExpectSame(*planned, whole, Scan(planned, input, 4 << 10), label + " 4 KiB chunks");
    ExpectSame(*planned, whole, StreamScan(planned, input, seed), label + " stream");
    for (const ReferenceMatch& m : *reference) ++matched[m.rule];
    // The filter did work: the "assert" rule was confirmed only at atom hits followed by
    // a byte of its follow set (or at the data's end), and at its matches' ends.
    ScanProfile profile;
    ScanLimits profiled = limits;
    profiled.profile = &profile;
    testing_util::ScanAll(planned, input, profiled);
    std::string lower = input;
    for (char& c : lower) c = absl::ascii_tolower(static_cast<unsigned char>(c));
    size_t hits = 0, followed = 0;
    for (size_t at = lower.find("assert"); at != std::string::npos; at = lower.find("assert", at + 1)) {
      ++hits;
      const size_t next = at + 6;
      followed += next == lower.size() || std::string_view("\n\t (").find(lower[next]) !=
                                              std::string_view::npos;
    }
    const size_t matches = std::count_if(whole.begin(), whole.end(),
                                         [](const ReferenceMatch& m) { return m.rule == 0; });
    EXPECT_LE(profile.rules[0].candidates, followed + matches) << label;
    EXPECT_LT(followed + matches, hits * 3 / 4) << label;  // so the bound says something
  }
  // Every rule matched somewhere, so a hit dropped wrongly would have shown.
  for (uint32_t rule = 0; rule < planned->rule_count(); ++rule) {
    EXPECT_GT(matched[rule], 0u) << planned->definition(rule).id;
  }
}

// Rules whose matches must hold a byte at or after their start (PCRE2's last code unit):
// a gated rule's start range past the last such byte of the window is decided without
// PCRE2 (engine/scanner.cc, LatestRequiredByte). The inputs keep those bytes rare, absent
// from long tails, and present in only one case, with atoms everywhere.
std::vector<Definition> RequiredByteRules() {
  return {
      // The signature-base shape: \s* may take a \r before the '=', [^\r]* runs to the next.
      Regex("cr-last", "[\\x0a\\x0d](?:IconFile|(?:Base|)URL)\\s*=[^\\x0d]*(?:cmd|wmic|mshta)"
                       "(?:\\.exe|)[^\\x0d]{2,20}\\x0d",
            kFlagCaseless),
      // A caseless letter: PCRE2 names one case, the input holds the other.
      Regex("caseless-letter", "(?i)key=[^z\\n]*z"),
      Regex("caseless-flag", "token[:=][^q]{0,300}q", kFlagCaseless),
      Regex("case-sensitive", "secret=[^D]*D"),
      Regex("nul-last", "abc[^\\x00]{1,40}\\x00"),
      Regex("captures", "(url)\\s*=\\s*([a-z]+)[^\\r]*?(\\r)", kFlagCaseless),
      Regex("multiline", "(?m)^key:[^!]*!$"),
      Regex("no-required", "key=[a-y]{3}"),
  };
}

// Atoms everywhere; the required bytes rare enough that the last one lies far before most
// candidates, yet close enough that every match fits the window (a longer match is the
// documented window-cap difference, docs/matching.md); none in the last 40 % of the text.
std::string RequiredByteText(size_t size, uint32_t seed) {
  static const std::vector<std::string> kTokens = {
      "key=", "KEY=", "\nurl=", "\r\nURL =", "\nbaseurl\r=", "\niconfile =", "token:", "TOKEN=",
      "secret=", "abc", "cmd", "WMIC.exe", "mshta", " x ", "yy", "\n", " ", "a", "b", "0", "_",
      "\nkey:"};
  static const std::vector<std::string> kRare = {"\r", "Z", "z", "Q", "D", std::string(1, '\0'),
                                                 "!\n", "\r\n"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    out += kTokens[rng() % kTokens.size()];
    if (out.size() < size * 6 / 10 && rng() % 13 == 0) {
      // Letters in one case only, by seed: a bound that read one case would miss.
      std::string rare = kRare[rng() % kRare.size()];
      if (seed % 2 && (rare == "Z" || rare == "z" || rare == "Q")) rare[0] ^= 0x20;
      out += rare;
    }
  }
  out.resize(size);
  return out;
}

TEST(PlanEquivalenceTest, RequiredByteBoundKeepsSpansAndCaptures) {
  auto [planned, ungated] = CompileBoth(RequiredByteRules());
  ASSERT_TRUE(planned && ungated);
  EXPECT_GE(GatedCount(*planned), 6u);
  ScanLimits limits;
  limits.max_matches = 0;
  limits.max_matches_per_rule = 0;
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    const std::string input = RequiredByteText(seed <= 4 ? 40000 : 300000, seed);
    const std::string label = "seed " + std::to_string(seed);
    auto reference = ReferenceScan(*planned, input);
    ASSERT_TRUE(reference.ok());
    const Spans whole = Scan(planned, input);
    EXPECT_GT(whole.size(), 10u) << label;
    ExpectSame(*planned, *reference, whole, label + " vs reference");
    ExpectSame(*planned, whole, Scan(planned, input, 64 << 10), label + " 64 KiB chunks");
    ExpectSame(*planned, whole, StreamScan(planned, input, seed), label + " stream");
    // Captures and texts too, match by match, against the engine's full scan.
    const auto expected = testing_util::ScanAll(ungated, input, limits);
    const auto actual = testing_util::ScanAll(planned, input, limits);
    EXPECT_EQ(expected.size(), actual.size()) << label;
    for (size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
      if (!(expected[i] == actual[i])) {
        ADD_FAILURE() << label << " match " << i << ": " << ::testing::PrintToString(expected[i])
                      << " vs " << ::testing::PrintToString(actual[i]) << " caps "
                      << ::testing::PrintToString(expected[i].captures) << " vs "
                      << ::testing::PrintToString(actual[i].captures);
        break;
      }
    }
  }
}

// The bound decides without PCRE2: after an atom whose rule needs a \r, 1 MB without one.
// PCRE2's JIT looks for the byte only 500 KB ahead, so it would run [^\r]* to the end and
// backtrack over all of it, past a small match limit (a confirm_limit error).
TEST(PlanEquivalenceTest, RequiredByteBoundSkipsPcre2PastTheLastByte) {
  auto planned = CompilePlanned(RequiredByteRules(), {}, NoTrial());
  ASSERT_TRUE(planned.ok()) << planned.status();
  std::string input = "x\r\nurl = https://example.com/cmd";
  while (input.size() < (1 << 20)) input += " cmd and wmic, mshta; ";
  ScanLimits limits;
  limits.pcre2_match_limit = 10000;
  ScanSummary summary;
  EXPECT_TRUE(testing_util::ScanAll(*planned, input, limits, &summary).empty());
  EXPECT_EQ(summary.confirm_errors, 0u);
  EXPECT_EQ(summary.truncation, 0u) << TruncationReasonsText(summary.truncation);
  // With the \r at the end PCRE2 must run (and on this input still decides in time).
  input += "xy\r";
  std::vector<testing_util::Found> found;
  for (auto& f : testing_util::ScanAll(*planned, input, {}, &summary)) {
    if ((*planned)->definition(f.rule).id == "cr-last") found.push_back(std::move(f));
  }
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].start, 2u);
  EXPECT_EQ(found[0].end, input.size());
  EXPECT_EQ(summary.confirm_errors, 0u);
  // Two rules needing the same byte in one round: cr-last (confirmed first) asks from
  // past the last \r, then captures from before it. What the first learnt about the
  // window's tail must not answer for the second.
  const std::string two = "url = abc\r and then\nurl = cmd.exe x";
  const auto both = testing_util::ScanAll(*planned, two);
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ((*planned)->definition(both[0].rule).id, "captures");
  EXPECT_EQ(both[0].text, "url = abc\r");
  EXPECT_EQ(both[0].captures, (std::vector<int64_t>{0, 3, 6, 9, 9, 10}));
}

// Candidates whose PCRE2 attempt runs over a long line before failing (more than the
// quick match limit of engine/scanner.cc's GatedMatch): RE2 decides the range, PCRE2
// gives the match at the start RE2 names. Long failing attempts, long and short matches,
// lazy and greedy runs, captures; spans against the PCRE2 reference, and the short
// matches match by match (captures included) against the engine's full scan.
TEST(PlanEquivalenceTest, LongAttemptsDecidedByRe2KeepSpansAndCaptures) {
  const std::vector<Definition> rules = {
      Regex("cr-last", "[\\x0a\\x0d](?:IconFile|(?:Base|)URL)\\s*=[^\\x0d]*(?:cmd|wmic|mshta)"
                       "(?:\\.exe|)[^\\x0d]{2,20}\\x0d",
            kFlagCaseless),
      Regex("lazy-captures", "token[:=]([^\\r]*?)(secret[0-9])"),
      Regex("greedy-end", "key=[^\\r]*(?:end|END)\\r", kFlagCaseless),
      // A match PCRE2 finds only after more steps than the quick limit.
      Regex("lazy-end", "mshta=([^\\r]*?)end\\r"),
  };
  auto [planned, ungated] = CompileBoth(rules);
  ASSERT_TRUE(planned && ungated);
  for (uint32_t i : {0, 2, 3}) {  // lazy-captures is not gated (unbounded): the control
    EXPECT_TRUE(IsGated(*planned, i)) << rules[i].id;
  }
  std::mt19937 rng(2026);
  // No '=', ':' or line break: the filler holds no start of its own, so every match
  // starts where the test puts one (a start inside a longer match would be the window
  // cap's documented difference, not this test's subject).
  static const std::vector<std::string> kWords = {"cmd", "wmic ", "x", "token", "secret", "end",
                                                  " ", "abc ", "url", "key", "mshta"};
  auto filler = [&](size_t n) {
    std::string out;
    while (out.size() < n) out += kWords[rng() % kWords.size()];
    return out;
  };
  std::string input;
  for (int i = 0; i < 24; ++i) {
    const size_t n = 17000 + rng() % 30000;  // each attempt needs more than 16k steps
    switch (i % 7) {
      case 0: input += "\nurl = " + filler(n) + "...........................\r"; break;
      case 1: input += "\r\nURL=" + filler(n) + " cmd.exe /c x\r"; break;  // a long match
      case 2: input += "token=" + filler(n) + "\r token:abc secret7 "; break;
      case 3: input += "token:" + filler(40) + "secret1 " + filler(n) + "\r"; break;
      case 4: input += "key=" + filler(n) + "..................\r key=a END\r"; break;
      case 5: input += "mshta=" + filler(n) + "end\r mshta=" + filler(n) + "\r"; break;
      default: input += filler(n) + "\r"; break;
    }
  }
  auto reference = ReferenceScan(*planned, input);
  ASSERT_TRUE(reference.ok());
  const Spans ours = Scan(planned, input);
  EXPECT_GT(ours.size(), 12u);
  ExpectSame(*planned, *reference, ours, "vs reference");
  ScanLimits limits;
  limits.max_matches = 0;
  limits.max_matches_per_rule = 0;
  ScanSummary summary;
  auto short_matches = [&](const std::shared_ptr<const Database>& db) {
    std::vector<testing_util::Found> out;
    for (auto& f : testing_util::ScanAll(db, input, limits, &summary)) {
      if (f.end - f.start <= 4096) out.push_back(std::move(f));
    }
    EXPECT_EQ(summary.confirm_errors, 0u);
    return out;
  };
  const auto expected = short_matches(ungated);
  EXPECT_GE(expected.size(), 8u);
  EXPECT_EQ(expected, short_matches(planned));
}

// Gated rules whose width is unbounded (the IDS pcre shapes): RE2's anchored decision
// reads to the end of the buffer at a start where a dotall .+ finds no match, PCRE2's
// does not, so the scanner decides each rule's candidates whichever way has cost less so
// far and tries the other way every 16th (engine/scanner.cc, UnboundedGatedMatch). Many
// candidates in one scan, so both ways decide some, with and without matches: the spans
// equal the PCRE2 reference's. (The dotall rules have no match here: theirs would run to
// the buffer's last terminator, past the window, where docs/matching.md says the scan
// and the reference may differ.)
TEST(PlanEquivalenceTest, UnboundedRulesDecidedEitherWayAgree) {
  const std::vector<Definition> rules = {
      Regex("select-chain", "SELECT.+WHERE.+SELECT.+\\x60", kFlagCaseless | kFlagDotAll),
      Regex("unescape-spray", "unescape.+\\x25u[0-9a-f]{2,4}\\x25u[0-9a-f]{2,4}",
            kFlagCaseless | kFlagDotAll),
      // Each statement ends at its ';': matches and non-matches.
      Regex("select-statement", "SELECT[^;]+WHERE[^;]+#", kFlagCaseless),
      // A line-bound run: RE2 reads the long first line at each of its starts (costly, so
      // PCRE2 takes over) and the short lines after it hold the matches.
      Regex("select-line", "SELECT.+WHERE.+~", kFlagCaseless),
  };
  auto planned = CompilePlanned(rules, {}, NoTrial());
  ASSERT_TRUE(planned.ok()) << planned.status();
  for (uint32_t i = 0; i < rules.size(); ++i) EXPECT_TRUE(IsGated(**planned, i)) << rules[i].id;
  std::mt19937 rng(18);
  // No backtick, '#', '~' or "%u" followed by hex and another "%u" in the filler.
  static const std::vector<std::string> kWords = {"select ", "from t ", "where x ", "unescape(",
                                                  "%", "u", " ", "abc\n"};
  std::string input;
  size_t marked = 0;
  for (int i = 0; i < 240; ++i) {
    if (i % 2 == 0) input += "SELECT a WHERE b ";
    for (size_t n = 20 + rng() % 200; n > 0; --n) input += kWords[rng() % kWords.size()];
    if (rng() % 3 == 0) {
      input += " #x ";
      ++marked;
    }
    input += ";\n";
  }
  ASSERT_GE(marked, 40u);
  auto reference = ReferenceScan(**planned, input);
  ASSERT_TRUE(reference.ok()) << reference.status();
  const Spans whole = Scan(*planned, input);
  EXPECT_GE(whole.size(), 30u);
  for (const auto& m : whole) EXPECT_EQ((*planned)->definition(m.rule).id, "select-statement");
  ExpectSame(**planned, *reference, whole, "vs reference");
  ExpectSame(**planned, whole, Scan(*planned, input, 64 << 10), "64 KiB chunks");

  // A ~900 KB line with a start every 7 KB and no match, then short lines, every other
  // one a match: select-line's decisions on the long line are costly, so both ways run.
  std::string lines;
  std::string block = "SELECT a ";
  while (block.size() < (7 << 10)) block += "from t ";
  for (int i = 0; i < 128; ++i) lines += block;
  lines += "\n";
  for (int i = 0; i < 200; ++i) lines += i % 2 ? "SELECT 1 WHERE 2 ~\n" : "SELECT 1 WHERE 2\n";
  auto line_reference = ReferenceScan(**planned, lines);
  ASSERT_TRUE(line_reference.ok()) << line_reference.status();
  const Spans line_matches = Scan(*planned, lines);
  EXPECT_EQ(line_matches.size(), 100u);
  ExpectSame(**planned, *line_reference, line_matches, "long line vs reference");
}

// PCRE2's `$` also matches before a newline that ends the input; RE2's reading of it did
// not, and a gated rule decided by RE2 lost its match on a file's last line (issue 18).
TEST(PlanEquivalenceTest, DollarBeforeAFinalNewlineKeepsItsMatch) {
  const std::vector<Definition> rules = {
      Regex("unbounded-line-end", "tokenvalue=[a-z0-9]+.*$"),
      Regex("bounded-line-end", "pin=[0-9]{4}$"),
      Regex("dotall-end", "unescape.+%u[0-9a-f]{4}$", kFlagDotAll),
  };
  PlannedAndUngated both = CompileBoth(rules);
  ASSERT_TRUE(both.planned && both.ungated);
  for (uint32_t i = 0; i < rules.size(); ++i) EXPECT_TRUE(IsGated(*both.planned, i)) << rules[i].id;
  for (const std::string last :
       {"tokenvalue=abc123 foo\n", "pin=1234\n", "unescape(x) %u41ab\n", "pin=1234"}) {
    std::string input;
    // Near misses on every line; "unescape" only in the last 8 KB, so that the dotall
    // rule's match fits the scan window (docs/matching.md).
    for (int i = 0; i < 2000; ++i) input += i < 1900 ? "tokenvalue= pin=12 %u4\n" : "unescape %u4\n";
    input += last;
    auto reference = ReferenceScan(*both.planned, input);
    ASSERT_TRUE(reference.ok()) << reference.status();
    ASSERT_EQ(reference->size(), 1u) << last;
    ExpectSame(*both.planned, *reference, Scan(both.planned, input), "planned: " + last);
    ExpectSame(*both.planned, *reference, Scan(both.ungated, input), "ungated: " + last);
  }
}

// Public sets over the public inputs: planned vs ungated (the engine path the existing
// equivalence test proves against PCRE2), and planned vs the PCRE2 reference for the
// smaller sets. Skipped without ../shared.
std::string PublicInput(const std::string& shared) {
  std::string input;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(shared + "/corpus/scan_inputs")) {
    if (!entry.is_regular_file() || entry.file_size() > (1 << 20)) continue;
    auto text = ReadFile(entry.path().string());
    if (text.ok()) input += *text + "\n";
  }
  auto bench = ReadFile(shared + "/corpus/scan_inputs/bench_mixed_16MiB.bin");
  if (bench.ok()) input += bench->substr(0, 512 << 10);
  return input;
}

struct CorpusCase {
  const char* file;
  bool reference;  // also compare with the (slow) PCRE2 reference
};

void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.file; }

class PlanCorpusTest : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(PlanCorpusTest, PlannedEqualsUngated) {
  const std::string shared = TRAWL_SHARED_DIR;
  const std::string path = shared + "/corpus/" + GetParam().file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no ../shared corpus";
  auto rules = LoadRuleFile(path);
  ASSERT_TRUE(rules.ok()) << rules.status();
  auto planned = CompilePlanned(rules->definitions, {}, NoTrial());
  ASSERT_TRUE(planned.ok()) << planned.status();
  auto ungated = CompileDatabase(rules->definitions, {});
  ASSERT_TRUE(ungated.ok()) << ungated.status();
  const std::string input = PublicInput(shared);
  const Spans ours = Scan(*planned, input);
  ExpectSame(**planned, Scan(*ungated, input), ours, std::string(GetParam().file) + " vs ungated");
  if (GetParam().reference) {
    auto reference = ReferenceScan(**planned, input);
    ASSERT_TRUE(reference.ok()) << reference.status();
    ExpectSame(**planned, *reference, ours, std::string(GetParam().file) + " vs reference");
  }
}

INSTANTIATE_TEST_SUITE_P(PublicSets, PlanCorpusTest,
                         ::testing::Values(CorpusCase{"sub_noseyparker.tsv", true},
                                           CorpusCase{"sub_gitleaks.tsv", true},
                                           CorpusCase{"sub_kingfisher.tsv", false},
                                           CorpusCase{"sub_trufflehog.tsv", false},
                                           CorpusCase{"sub_ids_pcre.tsv", false}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.file;
                           name = name.substr(0, name.find('.'));
                           name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
                           return name;
                         });

}  // namespace
}  // namespace trawl::plan
