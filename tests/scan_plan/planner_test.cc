// The planner's pieces: atoms, cost classes, the partitions it asks for, the compile
// cache, and artifacts that carry gate partitions.
#include "scan_plan/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../engine/test_util.h"
#include "absl/strings/ascii.h"
#include "plan_test_util.h"
#include "engine/artifact.h"
#include "scan_plan/atoms.h"

namespace trawl::plan {
namespace {

using testing_util::Literal;
using testing_util::Regex;

std::vector<std::string> Atoms(std::string expression, uint32_t flags = 0) {
  auto atoms = RequiredAtoms(Regex("r", std::move(expression), flags), 3).atoms;
  std::sort(atoms.begin(), atoms.end());
  return atoms;
}

TEST(AtomsTest, RequiredLiteralIsAnAtom) {
  EXPECT_EQ(Atoms("AKIA[0-9A-Z]{16}"), std::vector<std::string>{"akia"});
  EXPECT_EQ(Atoms("(?i)token\\s*=\\s*\\w+"), std::vector<std::string>{"token"});
}

TEST(AtomsTest, AlternationNeedsEveryBranch) {
  EXPECT_EQ(Atoms("(?:ghp|gho)_[a-z0-9]{36}"), (std::vector<std::string>{"gho_", "ghp_"}));
  // One branch without a literal: no atom set can cover every match.
  EXPECT_TRUE(Atoms("(?:ghp_|[0-9]+)x").empty());
}

TEST(AtomsTest, OneRequiredLiteralOfSeveralIsEnough) {
  // Both are required; one suffices as the gate, and the longer one is kept.
  EXPECT_EQ(Atoms("secret[^\\n]{0,20}password"), std::vector<std::string>{"password"});
}

TEST(AtomsTest, NoAtomForClassesAndShortLiterals) {
  EXPECT_TRUE(Atoms("[a-z]").empty());
  EXPECT_TRUE(Atoms("\\d.*?\\d").empty());
  EXPECT_TRUE(Atoms("ab[0-9]+").empty());  // "ab" is shorter than 3
}

TEST(AtomsTest, DialectHazardsAndUnsupportedConstructsGiveNoAtoms) {
  EXPECT_TRUE(Atoms("key\\vvalue").empty());    // PCRE2 \v is a class; RE2's is VT
  EXPECT_TRUE(Atoms("(a)key\\1").empty());      // back-reference: RE2 cannot parse
  EXPECT_TRUE(Atoms("key(?=value)").empty());   // lookahead: RE2 cannot parse
  EXPECT_FALSE(Atoms("key\\\\value").empty());  // an escaped backslash, then v: fine
}

TEST(AtomsTest, WhitespaceClassKeepsPcreMeaning) {
  // RE2 expands small classes into atoms; PCRE2's \s also matches VT (0x0B).
  auto db = CompilePlanned({Regex("c", "(?i)create\\sfile"), Regex("n", "key[^\\S\\n]=")}, {}, NoTrial());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(testing_util::ScanAll(*db, "CREATE\x0b" "FILE key\x0b=").size(), 2u);
}

TEST(AtomsTest, NonAsciiAtomsAreRefused) {
  EXPECT_TRUE(Atoms("caf\\xe9[0-9]").empty());
}

TEST(AtomsTest, TopLevelCutsFollowElementsAndQuantifiers) {
  EXPECT_EQ(TopLevelCuts("ab+[x-z]{2,3}(?:c|d)*?\\d"),
            (std::vector<size_t>{1, 3, 13, 22, 24}));
  EXPECT_EQ(TopLevelCuts("(?i)[]a]\\x41"), (std::vector<size_t>{4, 8, 12}));
  EXPECT_TRUE(TopLevelCuts("ab|cd").empty());      // top-level alternation
  EXPECT_TRUE(TopLevelCuts("a\\Qb|c\\E").empty());  // not followed
  // A one-letter property is one element: "\pL" then "x", not "\p", "L", "x".
  EXPECT_EQ(TopLevelCuts("\\pLx"), (std::vector<size_t>{3, 4}));
}

TEST(AtomsTest, BoundedPrefixGivesATightWindow) {
  const GateSpec spec = PlanGate(Regex("r", "(?i)apikey\\s*[:=]\\s*[a-z0-9]{20,}"), 3);
  EXPECT_EQ(spec.atoms.atoms, std::vector<std::string>{"apikey"});
  EXPECT_EQ(spec.window, 6u);
  // The atom only appears after an unbounded part: no bounded prefix holds it.
  EXPECT_EQ(PlanGate(Regex("r", "[a-z]+token"), 3).window, 0u);
}

TEST(AtomsTest, PrefixTailsEndWithAtomsOnlyWhenEveryStringDoes) {
  EXPECT_TRUE(EveryMatchEndsWithAnAtom("\\bassert", 0, {"assert"}));
  EXPECT_TRUE(EveryMatchEndsWithAnAtom("x(?:abc|abd)", 0, {"bc", "bd"}));
  // The tails grow leftwards across a class and nested groups until each holds an atom.
  EXPECT_TRUE(EveryMatchEndsWithAnAtom("[\\x0a\\x0d](IconFile|(Base|)URL)", kFlagCaseless,
                                       {"\rurl", "\nurl", "\riconfile", "\niconfile",
                                        "\rbaseurl", "\nbaseurl"}));
  // ... and not when some string's tails hold none ("\rbaseurl" ends with no atom here).
  EXPECT_FALSE(EveryMatchEndsWithAnAtom("[\\x0a\\x0d](IconFile|(Base|)URL)", kFlagCaseless,
                                        {"\rurl", "\nurl", "\riconfile", "\niconfile"}));
  EXPECT_FALSE(EveryMatchEndsWithAnAtom("(?:abc|abd)", 0, {"bc"}));  // "abd" does not
  EXPECT_FALSE(EveryMatchEndsWithAnAtom("ab[cd]{1,2}", 0, {"bc", "bd"}));  // a quantifier
  EXPECT_FALSE(EveryMatchEndsWithAnAtom("foo.", 0, {"foo"}));  // the atom is not at the end
  EXPECT_FALSE(EveryMatchEndsWithAnAtom("ke\\Ry", 0, {"ey"}));  // \R may be two bytes
}

TEST(AtomsTest, FollowSequenceIsWhatTheRestOfTheRuleStartsWith) {
  auto follow_of = [](const std::string& pattern, uint32_t flags = 0) {
    return PlanGate(Regex("r", pattern, flags), 3).follow;
  };
  auto bytes = [](std::string_view list) {
    ByteSet set;
    for (char c : list) set.set(static_cast<unsigned char>(c));
    return set;
  };
  ByteSet any;
  any.set();
  // signature-base's shapes: most "assert" hits are followed by a letter, most
  // "iterator" hits by something else than "_apply".
  EXPECT_EQ(follow_of("\\bassert[\\n\\t ]{0,500}\\([^)0]"), ByteSequence{bytes("\n\t (")});
  EXPECT_EQ(follow_of("\\biterator_apply[\\n\\t ]{0,500}(\\([^)]|/\\*)"),
            (ByteSequence{bytes("_"), bytes("aA"), bytes("pP"), bytes("pP"), bytes("lL"),
                          bytes("yY")}));
  // A dot holds its position with every byte; letters count in both cases.
  EXPECT_EQ(follow_of("\\x75\\x73\\x65\\x72...\\x33\\x32\\x2e\\x64", kFlagDotAll),
            (ByteSequence{any, any, any, bytes("3"), bytes("2"), bytes("."), bytes("dD")}));
  // PCRE2's \s holds VT; a leading (?i) is carried to the rest, so both cases count.
  EXPECT_EQ(follow_of("(?i)apikey\\s*[:=]\\s*[a-z0-9]{20,}"), ByteSequence{bytes(" \t\n\v\f\r:=")});
  EXPECT_EQ(follow_of("(?i)secretke(y)=[0-9]+"), (ByteSequence{bytes("yY"), bytes("=")}));
  // A split inside a group: the atom "pat" is the group's start; {14} counts positions.
  ByteSet alnum;
  for (int c = 0; c < 256; ++c) alnum.set(c, absl::ascii_isalnum(static_cast<unsigned char>(c)));
  EXPECT_EQ(follow_of("\\b(pat[A-Za-z0-9]{14}\\.[a-f0-9]{64})\\b"), ByteSequence(8, alnum));
  // ... in a group with scoped options, where the rest starts with an optional byte.
  EXPECT_EQ(follow_of("(?i:aws_?session_?token)[\"']?\\s*[:=]"), ByteSequence{bytes("_tT")});
  // Alternatives with optional bytes all end with an atom (the default pack's
  // generic-secret-assignment, gated on key|token|secret).
  EXPECT_EQ(follow_of("(?i:secret|api_?key|apikey|access_?token|auth_?token|client_?secret|"
                      "private_?key|secret_?key)\\\\?[\"']?\\s*[:=]\\s*\\\\?[\"']"
                      "([A-Za-z0-9_/+=.~-]{16,39})\\\\?[\"']"),
            ByteSequence{bytes("\\\"' \t\n\v\f\r:=")});
  // The braces of \x{41} are not a repeat; those after it are.
  EXPECT_EQ(follow_of("abcdefgh\\x{41}z"), (ByteSequence{bytes("aA"), bytes("zZ")}));
  EXPECT_EQ(follow_of("abcdefgh\\x{41}{2}z"), (ByteSequence{bytes("aA"), bytes("aA"), bytes("zZ")}));
  EXPECT_EQ(follow_of("[\\x0a\\x0d](IconFile|(Base|)URL)\\s*=[^\\x0d]*cmd\\x0d", kFlagCaseless),
            ByteSequence{bytes(" \t\n\v\f\r=")});
  // Declined: an option set mid-prefix, (?x), a rest that can match empty, UTF-8 mode,
  // and a gate without a bounded prefix.
  EXPECT_GT(PlanGate(Regex("r", "abc(?i)defgh=1"), 3).window, 0u);
  EXPECT_TRUE(follow_of("abc(?i)defgh=1").empty());
  EXPECT_TRUE(follow_of("(?x)abcdefgh =1").empty());
  EXPECT_GT(PlanGate(Regex("r", "\\bassert(?:x|)"), 3).window, 0u);
  EXPECT_TRUE(follow_of("\\bassert(?:x|)").empty());
  EXPECT_TRUE(follow_of("\\bassert[\\n\\t ]{0,500}\\(", kFlagUtf8).empty());
  EXPECT_TRUE(follow_of("[a-z]+token=").empty());
}

RuleInfo CompiledInfo(uint32_t min_width, uint32_t max_width) {
  RuleInfo info;
  info.status = RuleStatus::kCompiled;
  info.min_width = min_width;
  info.max_width = max_width;
  return info;
}

TEST(PlannerTest, ClassifiesByCost) {
  const PlanOptions options;
  EXPECT_EQ(ClassifyRule(Literal("l", "password"), CompiledInfo(8, 8), 8192, options).cost_class,
            CostClass::kLiteral);
  // Short literals get a database of their own when they are common in typical text
  // ("th" of "the"), and join the literal database when rare (".gq" of a domain list).
  EXPECT_EQ(ClassifyRule(Literal("s", "th"), CompiledInfo(2, 2), 8192, options).cost_class,
            CostClass::kShortLiteral);
  const RuleCost rare =
      ClassifyRule(Literal("r", ".gq", kFlagCaseless), CompiledInfo(3, 3), 8192, options);
  EXPECT_EQ(rare.cost_class, CostClass::kLiteral);
  EXPECT_NE(rare.why.find("rare"), std::string::npos) << rare.why;
  EXPECT_EQ(ClassifyRule(Regex("g", "AKIA[0-9A-Z]{16}"), CompiledInfo(20, 20), 8192, options)
                .cost_class,
            CostClass::kGated);
  const RuleCost hot = ClassifyRule(Regex("h", "[a-z]"), CompiledInfo(1, 1), 8192, options);
  EXPECT_EQ(hot.cost_class, CostClass::kHotRegex);
  EXPECT_NE(hot.why.find("no required literal"), std::string::npos) << hot.why;
  EXPECT_EQ(ClassifyRule(Regex("r", "x[0-9]{8}y"), CompiledInfo(10, 10), 8192, options).cost_class,
            CostClass::kRegex);
  PlanOptions off;
  off.gate = false;
  EXPECT_EQ(ClassifyRule(Regex("g", "AKIA[0-9A-Z]{16}"), CompiledInfo(20, 20), 8192, off)
                .cost_class,
            CostClass::kRegex);
}

TEST(PlannerTest, PlannedDatabaseHasAGatePartition) {
  auto db = CompilePlanned({Literal("l", "password"), Regex("g", "AKIA[0-9A-Z]{16}"),
                            Regex("h", "[a-z]")},
                           {}, NoTrial());
  ASSERT_TRUE(db.ok()) << db.status();
  const auto& parts = (*db)->partitions();
  const PartitionInfo& gate = parts[(*db)->rule_info()[1].partition];
  EXPECT_EQ(gate.kind, PartitionKind::kGate);
  EXPECT_EQ(gate.atoms, std::vector<std::string>{"akia"});
  EXPECT_NE(parts[(*db)->rule_info()[2].partition].name.find("hot"), std::string::npos);
  EXPECT_NE(ExplainRule(**db, 1).find("gated"), std::string::npos);
  auto found = testing_util::ScanAll(*db, "x AKIAABCDEFGHIJKLMNOP password");
  EXPECT_EQ(found.size(), 11u);  // AKIA…, password, and 9 lowercase letters for [a-z]
}

TEST(PlannerTest, ArtifactKeepsGatePartitions) {
  auto db = CompilePlanned({Regex("g", "AKIA[0-9A-Z]{16}"), Regex("t", "(?i)token=[a-z]{4}")}, {}, NoTrial());
  ASSERT_TRUE(db.ok()) << db.status();
  auto bytes = SerializeDatabase(**db);
  ASSERT_TRUE(bytes.ok());
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->partitions()[0].atoms, (*db)->partitions()[0].atoms);
  const std::string input = "AKIAABCDEFGHIJKLMNOP TOKEN=abcd";
  EXPECT_EQ(testing_util::ScanAll(*loaded, input), testing_util::ScanAll(*db, input));
  EXPECT_EQ(testing_util::ScanAll(*loaded, input).size(), 2u);
}

// Format 9 keeps the gate's follow sets; format 8 leaves them out, which changes no result.
TEST(PlannerTest, ArtifactKeepsFollowSets) {
  auto db = CompilePlanned({Regex("a", "\\bassert[\\n\\t ]{0,50}\\([^)0]"),
                            Regex("t", "(?i)token=[a-z]{4}")},
                           {}, NoTrial());
  ASSERT_TRUE(db.ok()) << db.status();
  const PartitionInfo& gate = (*db)->partitions()[0];
  ASSERT_EQ(gate.kind, PartitionKind::kGate);
  ASSERT_EQ(gate.follow_sets.size(), 2u);
  auto bytes = SerializeDatabase(**db);
  ASSERT_TRUE(bytes.ok());
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->partitions()[0].follow_sets, gate.follow_sets);
  EXPECT_EQ((*loaded)->partitions()[0].gate_follow, gate.gate_follow);
  SerializeOptions eight;
  eight.format_version = 8;
  auto old_bytes = SerializeDatabase(**db, eight);
  ASSERT_TRUE(old_bytes.ok()) << old_bytes.status();
  auto old = DeserializeDatabase(*old_bytes);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_TRUE((*old)->partitions()[0].gate_follow.empty());
  const std::string input = "assertTrue(x) assert (y) TOKEN=abcd token:abcd tokenx assert";
  EXPECT_EQ(testing_util::ScanAll(*loaded, input), testing_util::ScanAll(*db, input));
  EXPECT_EQ(testing_util::ScanAll(*old, input), testing_util::ScanAll(*db, input));
  EXPECT_EQ(testing_util::ScanAll(*db, input).size(), 2u);
}

TEST(PlannerTest, CacheRebuildsOnlyChangedPartitions) {
  const std::string dir = ::testing::TempDir() + "/trawl_plan_cache_test";
  std::filesystem::remove_all(dir);
  std::vector<Definition> defs;
  for (int i = 0; i < 40; ++i) {
    defs.push_back(Regex("r" + std::to_string(i), "x" + std::to_string(i) + "[0-9]{4}y"));
    defs.push_back(Regex("g" + std::to_string(i), "key" + std::to_string(i) + "=[a-z]{3}"));
  }
  CompileOptions compile;
  compile.cache_dir = dir;
  PlanOptions options;
  options.regexes_per_partition = 8;  // several regex partitions
  options.max_trial_rules = 0;
  auto first = CompilePlanned(defs, compile, options);
  ASSERT_TRUE(first.ok()) << first.status();
  auto partition_files = [&] {
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      n += entry.path().extension() == ".hsdb";
    }
    return n;
  };
  const size_t files = partition_files();
  EXPECT_EQ(files, (*first)->partitions().size());
  EXPECT_TRUE(std::filesystem::exists(dir + "/validation.bin"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/plan.bin"));
  // Change one full-scan definition: exactly one more cache entry appears.
  defs[10].expression = "x5[0-9]{5}y";
  auto second = CompilePlanned(defs, compile, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(partition_files(), files + 1);
  const std::string input = "x5123456y key7=abc x0 1234y x01234y";
  auto fresh = CompilePlanned(defs, {}, options);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(testing_util::ScanAll(*second, input), testing_util::ScanAll(*fresh, input));
  // A damaged entry is recompiled, not trusted.
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::filesystem::resize_file(entry.path(), 12);
  }
  auto third = CompilePlanned(defs, compile, options);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(testing_util::ScanAll(*third, input), testing_util::ScanAll(*fresh, input));
  std::filesystem::remove_all(dir);
}

TEST(PlannerTest, CacheKeepsRejections) {
  const std::string dir = ::testing::TempDir() + "/trawl_plan_cache_reject";
  std::filesystem::remove_all(dir);
  CompileOptions compile;
  compile.cache_dir = dir;
  // Accepted alone, rejected only inside a multi-pattern compile would be ideal; a rule
  // rejected at validation never reaches the cache, so check statuses round-trip.
  std::vector<Definition> defs = {Regex("ok", "abc[0-9]+"), Regex("empty", "x*")};
  auto first = CompilePlanned(defs, compile, NoTrial());
  auto second = CompilePlanned(defs, compile, NoTrial());
  ASSERT_TRUE(first.ok() && second.ok());
  for (size_t i = 0; i < defs.size(); ++i) {
    EXPECT_EQ((*first)->rule_info()[i].status, (*second)->rule_info()[i].status);
  }
  std::filesystem::remove_all(dir);
}

// A small set whose plan has several regex passes is timed against one merged pass; the
// faster layout is kept. Which one wins is the machine's call, so the test checks that
// the outcome is one of the two and finds what the other finds.
TEST(PlannerTest, LayoutTrialKeepsThePlanOrOneMergedPass) {
  std::vector<Definition> defs = {Literal("l", "password"), Regex("g", "AKIA[0-9A-Z]{16}"),
                                  Regex("h", "[a-z]"), Regex("r", "[0-9]{3}-[0-9]{4}")};
  auto tried = CompilePlanned(defs, {});
  auto planned = CompilePlanned(defs, {}, NoTrial());
  ASSERT_TRUE(tried.ok() && planned.ok());
  const auto& parts = (*tried)->partitions();
  const bool merged = std::any_of(parts.begin(), parts.end(),
                                  [](const PartitionInfo& p) { return p.name == "merged"; });
  if (merged) {
    ASSERT_EQ(parts.size(), 2u);  // the literals, and one pass for every regex
    EXPECT_EQ((*tried)->rule_info()[1].partition, (*tried)->rule_info()[3].partition);
    EXPECT_NE(ExplainRule(**tried, 1).find("merged"), std::string::npos);
  } else {
    EXPECT_EQ(parts.size(), (*planned)->partitions().size());
  }
  const std::string input = "x AKIAABCDEFGHIJKLMNOP password 555-1234";
  EXPECT_EQ(testing_util::ScanAll(*tried, input), testing_util::ScanAll(*planned, input));
}

}  // namespace
}  // namespace trawl::plan
