// Composite rules (docs/rules.md, "Composite rules"): each condition operator, scope,
// negation and ordering; filters (secret span, entropy floor, allow-lists); the artifact
// round trip. Rules are written as JSON, so the loader's composite fields are exercised
// too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "engine/artifact.h"
#include "rules/condition.h"
#include "rules/loader.h"
#include "rules/logic_json.h"
#include "test_util.h"
#include "util/strings.h"

namespace trawl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<Definition> Load(std::string_view json) {
  auto set = ParseDefinitions(json, "test.json");
  EXPECT_TRUE(set.ok()) << set.status();
  if (!set.ok()) return {};
  for (const LoadIssue& issue : set->issues) ADD_FAILURE() << issue.ToString();
  return set->definitions;
}

std::shared_ptr<const Database> CompileJson(std::string_view json, CompileOptions options = {}) {
  return testing_util::MustCompile(Load(json), options);
}

struct Hit {
  std::string id;
  uint64_t start, end;
  bool operator==(const Hit&) const = default;
  bool operator<(const Hit& o) const {
    return std::tie(id, start, end) < std::tie(o.id, o.start, o.end);
  }
};

void PrintTo(const Hit& h, std::ostream* os) { *os << h.id << "[" << h.start << "," << h.end << ")"; }

std::vector<Hit> Hits(const std::shared_ptr<const Database>& db, std::string_view input,
                      ScanLimits limits = {}) {
  std::vector<Hit> out;
  auto scanner = Scanner::Create(db);
  EXPECT_TRUE(scanner.ok());
  auto summary = (*scanner)->Scan(input, limits, [&](const Match& m) {
    EXPECT_FALSE(db->is_part(m.rule)) << "a part was reported: " << db->definition(m.rule).id;
    out.push_back({db->definition(m.rule).id, m.start, m.end});
    return true;
  });
  EXPECT_TRUE(summary.ok()) << summary.status();
  std::sort(out.begin(), out.end());
  return out;
}

// The ids of rules that matched, once each.
std::set<std::string> Rules(const std::shared_ptr<const Database>& db, std::string_view input) {
  std::set<std::string> out;
  for (const Hit& h : Hits(db, input)) out.insert(h.id);
  return out;
}

// The rules a stream of `input` (written 7777 bytes at a time) reports; `truncation`, when
// given, receives its summary's reasons.
std::set<std::string> StreamedRules(const std::shared_ptr<const Database>& db,
                                    std::string_view input, const ScanLimits& limits,
                                    uint32_t* truncation = nullptr) {
  std::set<std::string> out;
  auto scanner = Scanner::Create(db);
  EXPECT_TRUE(scanner.ok());
  if (!scanner.ok()) return out;
  EXPECT_TRUE((*scanner)->StreamBegin(limits).ok());
  auto sink = [&](const Match& m) {
    out.insert(db->definition(m.rule).id);
    return true;
  };
  for (size_t i = 0; i < input.size(); i += 7777) {
    EXPECT_TRUE((*scanner)->StreamWrite(input.substr(i, 7777), sink).ok());
  }
  auto summary = (*scanner)->StreamEnd(sink);
  EXPECT_TRUE(summary.ok());
  if (truncation != nullptr) *truncation = summary.ok() ? summary->truncation : ~0u;
  return out;
}

constexpr std::string_view kOperators = R"json([
  {"id": "all", "patterns": [{"name": "a", "literal": "alpha"}, {"name": "b", "literal": "beta"}],
   "condition": "all of them"},
  {"id": "any", "patterns": [{"name": "a", "literal": "alpha"}, {"name": "b", "literal": "beta"}],
   "condition": "any of them"},
  {"id": "two", "patterns": [{"name": "x1", "literal": "alpha"}, {"name": "x2", "literal": "beta"},
                             {"name": "x3", "literal": "gamma"}], "condition": "2 of ($x*)"},
  {"id": "none", "patterns": [{"name": "a", "literal": "alpha"}, {"name": "b", "literal": "beta"}],
   "condition": "none of them"},
  {"id": "not", "patterns": [{"name": "a", "literal": "alpha"}, {"name": "b", "literal": "beta"}],
   "condition": "$a and not $b"},
  {"id": "count", "patterns": [{"name": "a", "literal": "alpha"}], "condition": "#a > 2"},
  {"id": "at", "patterns": [{"name": "a", "literal": "alpha"}], "condition": "$a at 0"},
  {"id": "in", "patterns": [{"name": "b", "literal": "beta"}], "condition": "$b in (10..20)"},
  {"id": "size", "patterns": [{"name": "a", "literal": "alpha"}],
   "condition": "$a and filesize < 30"},
  {"id": "magic", "patterns": [{"name": "a", "literal": "alpha"}],
   "condition": "uint16(0) == 0x6c61 and $a"}
])json";

TEST(CompositeTest, EachOperator) {
  auto db = CompileJson(kOperators);
  ASSERT_TRUE(db);
  using Set = std::set<std::string>;
  EXPECT_EQ(Rules(db, "alpha"), (Set{"any", "not", "at", "size", "magic"}));
  EXPECT_EQ(Rules(db, "nothing here"), (Set{"none"}));
  EXPECT_EQ(Rules(db, "alpha beta"), (Set{"all", "any", "two", "at", "size", "magic"}));
  EXPECT_EQ(Rules(db, "beta gamma"), (Set{"any", "two"}));
  // "beta" at 12: inside (10..20).
  EXPECT_EQ(Rules(db, "xxxxxxxxxxxxbeta"), (Set{"any", "in"}));
  // Three alphas, one overlapping none: the count sees every occurrence; the file is
  // longer than 30 bytes and does not start with "al".
  EXPECT_EQ(Rules(db, "-- alpha alpha alpha ---------------"), (Set{"any", "not", "count"}));
}

TEST(CompositeTest, OccurrencesOverlap) {
  // Every start with a match is an occurrence (YARA's counting): "aa" occurs 3 times in
  // "aaaa", and a regex part at every start it matches.
  auto db = CompileJson(R"json([
    {"id": "lit", "patterns": [{"name": "a", "literal": "aa"}], "condition": "#a == 3"},
    {"id": "re", "patterns": [{"name": "d", "regex": "\\d+x"}], "condition": "#d == 4"}
  ])json");
  ASSERT_TRUE(db);
  EXPECT_EQ(Rules(db, "aaaa 1234x"), (std::set<std::string>{"lit", "re"}));
}

TEST(CompositeTest, ComponentSpanCoversTheOccurrencesAndListsParts) {
  auto db = CompileJson(R"json([{"id": "r", "patterns": [{"name": "a", "literal": "alpha"},
      {"name": "b", "regex": "be+ta"}], "condition": "all of them"}])json");
  ASSERT_TRUE(db);
  auto scanner = Scanner::Create(db);
  ASSERT_TRUE(scanner.ok());
  std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> parts;
  uint64_t start = 0, end = 0;
  int matches = 0;
  auto summary = (*scanner)->Scan("xx beeta alpha alpha", {}, [&](const Match& m) {
    ++matches;
    start = m.start;
    end = m.end;
    for (uint32_t i = 0; i < m.part_count; ++i) {
      parts.emplace_back(m.parts[i].pattern, m.parts[i].start, m.parts[i].end);
    }
    return true;
  });
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(matches, 1);
  EXPECT_EQ(start, 3u);
  EXPECT_EQ(end, 20u);
  EXPECT_THAT(parts, ElementsAre(std::make_tuple(1u, 3u, 8u), std::make_tuple(0u, 9u, 14u),
                                 std::make_tuple(0u, 15u, 20u)));
}

TEST(CompositeTest, ScopeBytesLineAndLines) {
  auto db = CompileJson(R"json([
    {"id": "near", "patterns": [{"name": "key", "literal": "KEY"}, {"name": "id", "regex": "ID\\d{3}"}],
     "condition": "$key and $id", "scope": {"kind": "bytes", "n": 10}, "report": "id"},
    {"id": "line", "patterns": [{"name": "key", "literal": "KEY"}, {"name": "id", "regex": "ID\\d{3}"}],
     "condition": "all of them", "scope": "line", "report": "id"},
    {"id": "lines", "patterns": [{"name": "key", "literal": "KEY"}, {"name": "id", "regex": "ID\\d{3}"}],
     "condition": "all of them", "scope": {"kind": "lines", "n": 1}, "report": "id"}
  ])json");
  ASSERT_TRUE(db);
  // KEY and ID123 three bytes apart: every scope holds; the finding is the id.
  EXPECT_THAT(Hits(db, "KEY = ID123"),
              ElementsAre(Hit{"line", 6, 11}, Hit{"lines", 6, 11}, Hit{"near", 6, 11}));
  // Far apart on one line: only the line scopes.
  const std::string far = "KEY " + std::string(40, '.') + " ID456";
  EXPECT_THAT(Hits(db, far), ElementsAre(Hit{"line", 45, 50}, Hit{"lines", 45, 50}));
  // On adjacent lines: within one line, not on the same line.
  EXPECT_THAT(Hits(db, "KEY\nID789\n"), ElementsAre(Hit{"lines", 4, 9}, Hit{"near", 4, 9}));
  // Two lines apart: none.
  EXPECT_THAT(Hits(db, "KEY\n........................\n................\nID789"), IsEmpty());
  // Each id occurrence is judged on its own.
  EXPECT_THAT(Hits(db, "ID001 KEY\n\n\n" + std::string(20, ' ') + "ID002"),
              ElementsAre(Hit{"line", 0, 5}, Hit{"lines", 0, 5}, Hit{"near", 0, 5}));
}

constexpr std::string_view kSequences = R"json([
  {"id": "ordered", "condition": "sequence", "patterns": [
     {"name": "c0", "literal": "GET "},
     {"name": "c1", "literal": "/admin", "distance": 0, "within": 20},
     {"name": "c2", "regex": "id=\\d+", "relative": true}]},
  {"id": "negated", "condition": "sequence", "patterns": [
     {"name": "c0", "literal": "login"},
     {"name": "c1", "literal": "fail", "negated": true, "distance": 0, "within": 10}]},
  {"id": "placed", "condition": "sequence", "patterns": [
     {"name": "c0", "literal": "MZ", "offset": 0, "depth": 2},
     {"name": "c1", "literal": "PE", "distance": 2, "within": 8}]},
  {"id": "chains", "condition": "sequence", "patterns": [
     {"name": "u", "literal": "/x.php", "chain": "http_uri"},
     {"name": "h", "literal": "Host", "chain": "http_header"},
     {"name": "u2", "literal": "?q", "chain": "http_uri", "distance": 0}]}
])json";

TEST(CompositeTest, SequenceOrderingNegationAndPlacement) {
  auto db = CompileJson(kSequences);
  ASSERT_TRUE(db);
  using Set = std::set<std::string>;
  EXPECT_EQ(Rules(db, "GET /admin?id=7"), (Set{"ordered"}));
  // /admin too far after GET (within 20 of its end), but a later GET is close enough:
  // the search tries every occurrence.
  EXPECT_EQ(Rules(db, "GET " + std::string(30, '.') + "/admin id=1"), (Set{}));
  EXPECT_EQ(Rules(db, "GET " + std::string(30, '.') + "GET /admin id=1"), (Set{"ordered"}));
  // The pcre part is relative: it must come after /admin.
  EXPECT_EQ(Rules(db, "id=3 GET /admin"), (Set{}));
  EXPECT_EQ(Rules(db, "login ok"), (Set{"negated"}));
  EXPECT_EQ(Rules(db, "login fail"), (Set{}));
  // A later login without "fail" after it makes the sequence hold.
  EXPECT_EQ(Rules(db, "login fail; login ok"), (Set{"negated"}));
  EXPECT_EQ(Rules(db, "login " + std::string(20, ' ') + "fail"), (Set{"negated"}));
  EXPECT_EQ(Rules(db, "MZ\x90\x90PE"), (Set{"placed"}));
  EXPECT_EQ(Rules(db, "xMZ\x90\x90PE"), (Set{}));  // MZ not at offset 0
  EXPECT_EQ(Rules(db, "MZPE"), (Set{}));           // PE must start 2 bytes after MZ
  // Chains are ordered within themselves only: Host may come anywhere.
  EXPECT_EQ(Rules(db, "Host: a\n/x.php?q=1"), (Set{"chains"}));
  EXPECT_EQ(Rules(db, "?q /x.php Host"), (Set{}));
}

TEST(CompositeTest, SequenceSpanIsTheRulesMatch) {
  auto db = CompileJson(kSequences);
  ASSERT_TRUE(db);
  EXPECT_THAT(Hits(db, "xx GET /admin?id=42 yy"), ElementsAre(Hit{"ordered", 3, 19}));
}

TEST(CompositeTest, FiltersSecretEntropyAndAllowLists) {
  auto db = CompileJson(R"json([
    {"id": "secret", "regex": "token=([A-Za-z0-9]+)", "span": "secret", "secret_group": 1,
     "min_entropy": 3.0, "entropy_strict": true},
    {"id": "allowed", "regex": "pw=(\\w+)",
     "allow": [{"regexes": ["^example"], "target": "secret"},
               {"stopwords": ["dummy"]},
               {"regexes": ["# ok$"], "target": "line"}]}
  ])json");
  ASSERT_TRUE(db);
  // High-entropy token: reported at the secret group's span.
  EXPECT_THAT(Hits(db, "token=Ab3dE5gH9k"), ElementsAre(Hit{"secret", 6, 16}));
  // "aaaaaaaa" has entropy 0: dropped. 8 distinct bytes give exactly 3.0: dropped (strict).
  EXPECT_THAT(Hits(db, "token=aaaaaaaa"), IsEmpty());
  EXPECT_THAT(Hits(db, "token=abcdefgh"), IsEmpty());
  EXPECT_THAT(Hits(db, "pw=hunter2"), ElementsAre(Hit{"allowed", 0, 10}));
  EXPECT_THAT(Hits(db, "pw=example123"), IsEmpty());
  EXPECT_THAT(Hits(db, "pw=MyDummyPass"), IsEmpty());  // stopwords ignore case
  EXPECT_THAT(Hits(db, "pw=hunter2 # ok\npw=hunter3"), ElementsAre(Hit{"allowed", 16, 26}));
}

TEST(CompositeTest, FullwordFlag) {
  auto db = CompileJson(R"json([
    {"id": "word", "literal": "cmd", "flags": ["fullword"]},
    {"id": "part", "patterns": [{"name": "a", "literal": "cmd", "flags": ["fullword"]}],
     "condition": "#a == 2"}
  ])json");
  ASSERT_TRUE(db);
  EXPECT_THAT(Hits(db, "xcmd cmd.exe (cmd)"),
              ElementsAre(Hit{"part", 5, 17}, Hit{"word", 5, 8}, Hit{"word", 14, 17}));
}

TEST(CompositeTest, PatternsAreScannedOnceAcrossRules) {
  auto db = CompileJson(R"json([
    {"id": "r1", "patterns": [{"name": "a", "literal": "shared"}, {"name": "b", "literal": "one"}]},
    {"id": "r2", "patterns": [{"name": "x", "literal": "shared"}, {"name": "y", "literal": "two"}]}
  ])json");
  ASSERT_TRUE(db);
  // Two composites and three distinct patterns.
  EXPECT_EQ(db->rule_count(), 5u);
  EXPECT_EQ(db->composites()[0].pattern_rules[0], db->composites()[1].pattern_rules[0]);
  EXPECT_EQ(Rules(db, "shared two"), (std::set<std::string>{"r2"}));
}

TEST(CompositeTest, ChunksAndStreamsFindTheSame) {
  auto db = CompileJson(kOperators);
  auto seq = CompileJson(kSequences);
  ASSERT_TRUE(db && seq);
  std::string input(300000, '.');
  input.replace(0, 5, "alpha");
  input.replace(150000, 4, "beta");
  input.replace(299990, 5, "alpha");
  ScanLimits small;
  small.chunk_bytes = 64 << 10;
  EXPECT_EQ(Hits(db, input), Hits(db, input, small));
  EXPECT_EQ(Rules(db, input), (std::set<std::string>{"all", "any", "two", "at", "magic"}));
  // A stream holds only its last window (and its first 4 KiB, for uint reads), but
  // scanned patterns are remembered from the whole input: conditions over them are the
  // same as in one buffer.
  EXPECT_EQ(StreamedRules(db, input, small),
            (std::set<std::string>{"all", "any", "two", "at", "magic"}));
}

TEST(CompositeTest, BadCompositesAreRejectedWithReasons) {
  auto set = ParseDefinitions(R"json([
    {"id": "unknown", "patterns": [{"name": "a", "literal": "x"}], "condition": "$b"},
    {"id": "module", "patterns": [{"name": "a", "literal": "x"}], "condition": "pe.is_dll() and $a"},
    {"id": "dupe", "patterns": [{"name": "a", "literal": "x"}, {"name": "a", "literal": "y"}]},
    {"id": "both", "regex": "x", "patterns": [{"name": "a", "literal": "x"}]},
    {"id": "loose", "patterns": [{"name": "a", "literal": "x", "distance": 3}]},
    {"id": "good", "patterns": [{"name": "a", "literal": "x"}]}
  ])json", "bad.json");
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->definitions.size(), 1u);
  EXPECT_EQ(set->definitions[0].id, "good");
  std::vector<std::string> issues;
  for (const LoadIssue& issue : set->issues) issues.push_back(issue.ToString());
  EXPECT_THAT(issues, ElementsAre(::testing::HasSubstr("no pattern named $b"),
                                  ::testing::HasSubstr("unsupported: module 'pe'"),
                                  ::testing::HasSubstr("pattern $a: the name repeats"),
                                  ::testing::HasSubstr("no 'regex' or 'literal' of its own"),
                                  ::testing::HasSubstr("need condition \"sequence\"")));
  // A pattern the engine cannot compile rejects its rule, with the pattern named.
  auto db = CompileJson(R"json([{"id": "r", "patterns": [{"name": "a", "literal": "ok"},
      {"name": "b", "regex": "(unclosed"}]}])json");
  ASSERT_TRUE(db);
  EXPECT_EQ(db->rule_info()[0].status, RuleStatus::kRejected);
  EXPECT_THAT(db->rule_info()[0].reason, ::testing::HasSubstr("pattern $b: PCRE2"));
}

// A pattern the engine rejects but PCRE2 takes (here an end anchor inside an alternation:
// "Embedded end anchors not supported") no longer loses its whole rule when the rule's
// other patterns can trigger it: it is searched by PCRE2 where they matched. A rule that
// the pattern alone could satisfy stays rejected (it would be searched everywhere), also
// when another rule shares the pattern.
// Each rule's compile outcome by its id (parts included: "rule$pattern").
std::map<std::string, const RuleInfo*> InfoById(const Database& db) {
  std::map<std::string, const RuleInfo*> info;
  for (uint32_t rule = 0; rule < db.rule_count(); ++rule) {
    info[db.definition(rule).id] = &db.rule_info()[rule];
  }
  return info;
}

constexpr std::string_view kEngineCannotTake = R"json([
  {"id": "both", "patterns": [{"name": "a", "regex": "x\\zy|wor[dl]"}, {"name": "b", "literal": "hidden"}],
   "condition": "all of them"},
  {"id": "twice", "patterns": [{"name": "a", "regex": "x\\zy|wor[dl]"}, {"name": "b", "literal": "hidden"}],
   "condition": "$b and #a == 2"},
  {"id": "one", "patterns": [{"name": "a", "regex": "x\\zy|wor[dl]"}, {"name": "b", "literal": "hidden"}],
   "condition": "1 of them"},
  {"id": "alone", "patterns": [{"name": "a", "regex": "x\\zy|wor[dl]"}], "condition": "$a"}
])json";

TEST(CompositeTest, PatternTheEngineCannotTakeIsSearchedWhereItsRuleIsTriggered) {
  auto db = CompileJson(kEngineCannotTake);
  ASSERT_TRUE(db);
  const std::map<std::string, const RuleInfo*> info = InfoById(*db);
  EXPECT_EQ(info.at("both")->status, RuleStatus::kComposite) << info.at("both")->reason;
  EXPECT_EQ(info.at("twice")->status, RuleStatus::kComposite) << info.at("twice")->reason;
  EXPECT_EQ(info.at("both$a")->status, RuleStatus::kConfirmOnly);  // shared by every rule
  EXPECT_THAT(info.at("both$a")->reason, ::testing::HasSubstr("Embedded end anchors"));
  for (const char* rejected : {"one", "alone"}) {
    EXPECT_EQ(info.at(rejected)->status, RuleStatus::kRejected) << rejected;
    EXPECT_THAT(info.at(rejected)->reason,
                ::testing::AllOf(::testing::StartsWith("pattern $a: engine: Embedded end anchors"),
                                 ::testing::HasSubstr("no other pattern of the rule can trigger")));
  }
  using Set = std::set<std::string>;
  EXPECT_EQ(Rules(db, "hello world"), Set{});
  EXPECT_EQ(Rules(db, "it is hidden"), Set{});
  EXPECT_EQ(Rules(db, "a hidden world"), Set{"both"});
  EXPECT_EQ(Rules(db, "hidden word for world"), (Set{"both", "twice"}));
  // The span covers the occurrences: "hidden" and PCRE2's leftmost "worl".
  EXPECT_THAT(Hits(db, "a hidden world"), ElementsAre(Hit{"both", 2, 13}));
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (const char* input : {"a hidden world", "hidden word for world", "nothing"}) {
    EXPECT_EQ(Hits(*loaded, input), Hits(db, input)) << input;
  }
  // Far apart in a large input: in chunks as in one buffer. A stream keeps only its
  // last window, so "world" is gone when "both" is evaluated: the scan says so.
  std::string input(300000, '.');
  input.replace(1000, 5, "world");
  input.replace(299000, 6, "hidden");
  ScanLimits small;
  small.chunk_bytes = 64 << 10;
  EXPECT_EQ(Hits(db, input, small), Hits(db, input));
  EXPECT_EQ(Rules(db, input), Set{"both"});
  uint32_t truncation = 0;
  EXPECT_EQ(StreamedRules(db, input, small, &truncation), Set{});
  EXPECT_EQ(truncation, kTruncUnplaced) << TruncationReasonsText(truncation);
}

// YARA's `$` is the end of the data (the importer writes \z). signature-base's
// Suspicious_PowerShell_Code_1 writes /$[a-z]=new-object .../ for a PowerShell variable:
// yara compiles it, it never matches, and "1 of them" fires on the rule's other strings.
// The matches of "any", "all" and "counted" were checked with the yara 4.2.3 CLI on the
// same rules and inputs. "alternative" and "grouped" are shapes trawl does not prove never
// match (yara compiles both), so it rejects them and says why.
constexpr std::string_view kNeverMatches = R"json([
  {"id": "any", "patterns": [{"name": "v", "regex": "\\z[a-z]=new-object"},
     {"name": "w", "regex": "IEX \\z[a-z]{1,8}\\.dl", "flags": ["caseless"]},
     {"name": "lit", "literal": "bypass -Enc"}], "condition": "1 of them"},
  {"id": "all", "patterns": [{"name": "v", "regex": "\\z[a-z]=new-object"},
     {"name": "lit", "literal": "bypass -Enc"}], "condition": "all of them"},
  {"id": "counted", "patterns": [{"name": "v", "regex": "\\z[a-z]{0,2}?x"},
     {"name": "lit", "literal": "bypass -Enc"}], "condition": "#v == 0 and $lit"},
  {"id": "alternative", "patterns": [{"name": "v", "regex": "new-|\\zx"},
     {"name": "lit", "literal": "bypass -Enc"}], "condition": "1 of them"},
  {"id": "grouped", "patterns": [{"name": "v", "regex": "\\z(?:x|y)"},
     {"name": "lit", "literal": "bypass -Enc"}], "condition": "1 of them"}
])json";

TEST(CompositeTest, PatternThatCanNeverMatchLeavesItsRuleToTheOthers) {
  auto db = CompileJson(kNeverMatches);
  ASSERT_TRUE(db);
  const std::map<std::string, const RuleInfo*> info = InfoById(*db);
  EXPECT_EQ(info.at("any")->status, RuleStatus::kComposite) << info.at("any")->reason;
  EXPECT_EQ(info.at("counted")->status, RuleStatus::kComposite) << info.at("counted")->reason;
  EXPECT_THAT(info.at("any$v")->reason, ::testing::HasSubstr("can never match"));
  // Its only way to hold needs the pattern: the rule can never match either.
  EXPECT_EQ(info.at("all")->status, RuleStatus::kRejected);
  EXPECT_THAT(info.at("all")->reason, ::testing::HasSubstr("can never match"));
  // Not proved to never match (an alternative may, a group is not read): rejected as any
  // pattern the engine cannot take and nothing else can trigger.
  for (const char* rejected : {"alternative", "grouped"}) {
    EXPECT_EQ(info.at(rejected)->status, RuleStatus::kRejected) << rejected;
    EXPECT_THAT(info.at(rejected)->reason,
                ::testing::HasSubstr("no other pattern of the rule can trigger")) << rejected;
  }
  using Set = std::set<std::string>;
  const std::string input = "x bypass -Enc $a=new-object IEX $abc.dl";
  EXPECT_EQ(Rules(db, input), (Set{"any", "counted"}));
  EXPECT_EQ(Rules(db, "$a=new-object IEX $abc.dl x"), Set{});
  EXPECT_THAT(Hits(db, input), ::testing::Contains(Hit{"any", 2, 13}));
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(Hits(*loaded, input), Hits(db, input));
}

// A composite's filters (here an entropy floor) read its span's bytes; a stream that let
// them go cannot apply them. Before this test it reported the match unfiltered; now it
// does not, and says it is incomplete.
TEST(CompositeTest, StreamDoesNotReportAMatchItsFiltersCannotRead) {
  auto db = CompileJson(R"json([{"id": "far-entropy", "patterns": [
      {"name": "a", "literal": "BEGIN-MARK"}, {"name": "b", "literal": "END-MARK"}],
      "condition": "all of them", "min_entropy": 4.5}])json");
  ASSERT_TRUE(db);
  std::string input(300000, '.');
  input.replace(0, 10, "BEGIN-MARK");
  input.replace(299000, 8, "END-MARK");
  ScanLimits small;
  small.chunk_bytes = 64 << 10;
  EXPECT_EQ(Rules(db, input), std::set<std::string>{});  // the dots' entropy is 0
  uint32_t truncation = 0;
  EXPECT_EQ(StreamedRules(db, input, small, &truncation), std::set<std::string>{});
  EXPECT_EQ(truncation, kTruncUnplaced) << TruncationReasonsText(truncation);
  // Held whole, the stream applies them as the buffer scan does.
  std::string near(300000, '.');
  near.replace(298000, 10, "BEGIN-MARK");
  near.replace(299000, 8, "END-MARK");
  EXPECT_EQ(StreamedRules(db, near, small, &truncation), std::set<std::string>{});
  EXPECT_EQ(truncation, 0u);
}

// A rule that applies only to components holding one of its keywords (gitleaks'
// `keywords`), anywhere in them. A stream looks for the keywords as its bytes pass: before
// it did, a match whose keyword lay in bytes the stream had let go was dropped (first
// silently, then flagged unplaced); now the stream decides it as the buffer scan does,
// wherever the keyword lies, and says it is complete.
TEST(CompositeTest, StreamFindsARequiredKeywordItLetGo) {
  auto db = CompileJson(R"json([{"id": "kw", "regex": "tok_[a-z0-9]{8}",
                                  "required_keywords": ["Zebra", "okapi"]}])json");
  ASSERT_TRUE(db);
  ScanLimits small;
  small.chunk_bytes = 64 << 10;
  std::string none(300000, '.');
  none.replace(299000, 12, "tok_abcd1234");
  EXPECT_EQ(Rules(db, none), std::set<std::string>{});
  uint32_t truncation = 0;
  EXPECT_EQ(StreamedRules(db, none, small, &truncation), std::set<std::string>{});
  EXPECT_EQ(truncation, 0u) << TruncationReasonsText(truncation);
  // Far before the match, after it, across the first round's end, in another case.
  for (const auto& [where, keyword] : std::vector<std::pair<size_t, std::string>>{
           {0, "zebra"}, {1000, "OKAPI"}, {(64 << 10) - 2, "zEbRa"}, {299500, "okapi"}}) {
    std::string input = none;
    input.replace(where, keyword.size(), keyword);
    EXPECT_EQ(Rules(db, input), std::set<std::string>{"kw"}) << where;
    EXPECT_EQ(StreamedRules(db, input, small, &truncation), std::set<std::string>{"kw"}) << where;
    EXPECT_EQ(truncation, 0u) << where << ": " << TruncationReasonsText(truncation);
  }
  // A keyword's prefix is not the keyword.
  std::string part = none;
  part.replace(5000, 4, "zebr");
  EXPECT_EQ(StreamedRules(db, part, small, &truncation), std::set<std::string>{});
  EXPECT_EQ(truncation, 0u);
}

// A composite rule with required keywords: before this test the keywords were ignored,
// and the rule reported from components without any.
TEST(CompositeTest, CompositeRuleAppliesOnlyWhereItsKeywordIs) {
  auto db = CompileJson(R"json([{"id": "pair", "patterns": [
      {"name": "a", "literal": "BEGIN-MARK"}, {"name": "b", "regex": "END-[0-9]{3}"}],
      "condition": "all of them", "required_keywords": ["zebra"]}])json");
  ASSERT_TRUE(db);
  std::string input(300000, '.');
  input.replace(200000, 10, "BEGIN-MARK");
  input.replace(200100, 7, "END-123");
  EXPECT_EQ(Rules(db, input), std::set<std::string>{});
  ScanLimits small;
  small.chunk_bytes = 64 << 10;
  uint32_t truncation = 0;
  EXPECT_EQ(StreamedRules(db, input, small, &truncation), std::set<std::string>{});
  EXPECT_EQ(truncation, 0u) << TruncationReasonsText(truncation);
  input.replace(10, 5, "ZEBRA");
  EXPECT_EQ(Rules(db, input), std::set<std::string>{"pair"});
  EXPECT_EQ(StreamedRules(db, input, small, &truncation), std::set<std::string>{"pair"});
  EXPECT_EQ(truncation, 0u) << TruncationReasonsText(truncation);
}

// Random rules with required keywords and random inputs with keywords sprinkled in
// either case, streamed in random writes: the stream reports exactly what the buffer
// scan does, and says it is complete.
TEST(CompositeTest, StreamDecidesRequiredKeywordsAsTheBufferScan) {
  std::mt19937 rng(1207);
  const std::vector<std::string> vocabulary = {"zebra", "okapi", "lynx", "gnu", "yak-7", "a.b"};
  const std::vector<std::string> shapes = {"tok_[0-9]{3}", "key[A-Z]{2}x", "MARK[0-9]"};
  size_t kept = 0, dropped = 0;
  for (int round = 0; round < 40; ++round) {
    std::string json = "[";
    const size_t rules = 1 + rng() % 6;
    for (size_t r = 0; r < rules; ++r) {
      std::string keywords;
      for (size_t k = 1 + rng() % 2; k > 0; --k) {
        keywords += StrCat(keywords.empty() ? "" : ",", "\"", vocabulary[rng() % vocabulary.size()], "\"");
      }
      json += StrCat(r ? "," : "", R"({"id": "k)", r, R"(", "regex": ")", shapes[rng() % shapes.size()],
                     R"(", "required_keywords": [)", keywords, "]}");
    }
    auto db = CompileJson(json + "]");
    ASSERT_TRUE(db) << json;
    std::string input(100000 + rng() % 200000, '.');
    const char* tokens[] = {"tok_123", "keyAZx", "MARK7"};
    for (int i = 0; i < 12; ++i) {
      const std::string token = tokens[rng() % 3];
      input.replace(rng() % (input.size() - 10), token.size(), token);
    }
    for (int i = rng() % 3; i > 0; --i) {
      std::string word = vocabulary[rng() % vocabulary.size()];
      for (char& c : word) {
        if (rng() % 2) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      input.replace(rng() % (input.size() - 10), word.size(), word);
    }
    const auto whole = Hits(db, input);
    ScanLimits limits;
    limits.chunk_bytes = 64 << 10;
    auto scanner = Scanner::Create(db);
    ASSERT_TRUE(scanner.ok());
    std::vector<Hit> streamed;
    auto sink = [&](const Match& m) {
      streamed.push_back({db->definition(m.rule).id, m.start, m.end});
      return true;
    };
    auto summary = testing_util::StreamInRandomWrites(**scanner, input, limits, rng, 30000, sink);
    ASSERT_TRUE(summary.ok()) << summary.status();
    EXPECT_EQ(summary->truncation, 0u) << TruncationReasonsText(summary->truncation);
    std::sort(streamed.begin(), streamed.end());
    EXPECT_EQ(streamed, whole) << "round " << round << ": " << json;
    kept += whole.size();
    dropped += summary->keyword_drops;
  }
  EXPECT_GT(kept, 20u);    // rules do hold on these inputs
  EXPECT_GT(dropped, 20u);  // and keywords do decide
}

// A line scope whose line begins in bytes a stream let go: before this test the stream
// took its window's start for the line's, so "$key and not $test" on one line fired on
// "test ... key" when "test" lay before the window (and "$key and $id" missed an id
// there, quietly). Both now mark the stream incomplete; the negated one is not reported.
TEST(CompositeTest, StreamLineScopeThatBeganInBytesLetGo) {
  auto db = CompileJson(R"json([
    {"id": "untested", "patterns": [{"name": "key", "literal": "KEY-MARK"},
       {"name": "test", "literal": "TEST-MARK"}], "condition": "$key and not $test",
     "scope": "line"},
    {"id": "with-id", "patterns": [{"name": "key", "literal": "KEY-MARK"},
       {"name": "id", "literal": "ID-MARK"}], "condition": "$key and $id", "scope": "line"}])json");
  ASSERT_TRUE(db);
  ScanLimits small;
  small.chunk_bytes = 64 << 10;
  std::string input(300000, '.');  // one line
  input.replace(1000, 9, "TEST-MARK");
  input.replace(1100, 7, "ID-MARK");
  input.replace(299000, 8, "KEY-MARK");
  EXPECT_EQ(Rules(db, input), std::set<std::string>{"with-id"});
  uint32_t truncation = 0;
  EXPECT_EQ(StreamedRules(db, input, small, &truncation), std::set<std::string>{});
  EXPECT_EQ(truncation, kTruncUnplaced) << TruncationReasonsText(truncation);
  std::string lines = input;
  lines[298000] = '\n';  // the line begins in the held bytes: decided as a buffer is
  EXPECT_EQ(Rules(db, lines), std::set<std::string>{"untested"});
  EXPECT_EQ(StreamedRules(db, lines, small, &truncation), std::set<std::string>{"untested"});
  EXPECT_EQ(truncation, 0u);
}

TEST(CompositeTest, ArtifactRoundTripKeepsLogicAndFindings) {
  auto db = CompileJson(std::string(kOperators.substr(0, kOperators.size() - 1)) + "," +
                        std::string(kSequences.substr(1)));
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->composites(), db->composites());
  for (uint32_t rule = 0; rule < db->rule_count(); ++rule) {
    ASSERT_EQ((*loaded)->has_logic(rule), db->has_logic(rule)) << rule;
    if (db->logic(rule) != nullptr) {
      EXPECT_EQ(*(*loaded)->logic(rule), *db->logic(rule));
    }
    EXPECT_EQ((*loaded)->rule_info()[rule].status, db->rule_info()[rule].status);
  }
  for (const char* input : {"alpha beta", "GET /admin?id=7 login ok", "MZ..PE", "nothing"}) {
    EXPECT_EQ(Hits(*loaded, input), Hits(db, input)) << input;
  }
  auto again = SerializeDatabase(**loaded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
}

TEST(CompositeTest, JsonRoundTrip) {
  std::vector<Definition> defs = Load(kSequences);
  ASSERT_EQ(defs.size(), 4u);
  const std::string json = DefinitionsToJson(defs);
  std::vector<Definition> again = Load(json);
  ASSERT_EQ(again.size(), defs.size());
  for (size_t i = 0; i < defs.size(); ++i) {
    ASSERT_TRUE(again[i].logic && defs[i].logic);
    EXPECT_EQ(*again[i].logic, *defs[i].logic) << defs[i].id;
  }
  EXPECT_EQ(DefinitionsToJson(again), json);
}

TEST(ConditionTest, ParsesYaraPrecedenceAndRejectsTheRest) {
  const std::vector<std::string> names = {"a", "b", "c1", "c2"};
  for (const char* good :
       {"$a or $b and not $c1", "2 of ($c*) and filesize < 1MB", "#a >= 0x10 or $b at 10 + 2",
        "uint32be(uint16(0x3c)) == 0x50450000", "($a in (0..100)) and (any of them)",
        "none of ($c1, $c2)", "all of them", "-1 < #a \\ 2 % 3", "true or false",
        "/* c */ $a // comment"}) {
    EXPECT_TRUE(ParseCondition(good, names).ok()) << good << ": " << ParseCondition(good, names).status();
  }
  for (const char* bad : {"pe.number_of_sections > 2", "for any i in (1..#a): (@a[i] < 10)",
                          "@a[1] == 0", "!a[1] > 2", "other_rule", "$a and", "$z", "$a contains \"x\"",
                          "50% of them", "any of (rule1)", "#a & 1", "filepath == \"x\"", "((((",
                          "$a at", "99999999999999999999 of them"}) {
    EXPECT_FALSE(ParseCondition(bad, names).ok()) << bad;
  }
  EXPECT_THAT(std::string(ParseCondition("pe.is_dll()", names).status().message()),
              ::testing::HasSubstr("unsupported: module 'pe'"));
  EXPECT_THAT(std::string(ParseCondition("$a and filename == 1", names).status().message()),
              ::testing::HasSubstr("external variable 'filename'"));
}

TEST(ConditionTest, CheapestCover) {
  const std::vector<std::string> names = {"a", "b", "c"};
  const std::vector<double> cost = {1, 5, 2};
  auto cover = [&](const char* text) {
    auto condition = ParseCondition(text, names);
    EXPECT_TRUE(condition.ok());
    return CheapestCover(*condition, cost);
  };
  EXPECT_EQ(cover("$a and $b"), (std::vector<uint32_t>{0}));
  EXPECT_EQ(cover("$a or $b"), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(cover("2 of them"), (std::vector<uint32_t>{0, 2}));  // any 2 of 3: the cheapest 2
  EXPECT_EQ(cover("#b > 3 and filesize > 10"), (std::vector<uint32_t>{1}));
  EXPECT_EQ(cover("not $a"), std::nullopt);
  EXPECT_EQ(cover("$a or filesize < 10"), std::nullopt);
}

TEST(ConditionTest, MonotoneConditionsNeedOnlyOccurrences) {
  const std::vector<std::string> names = {"a", "b", "c"};
  auto monotone = [&](const char* text) {
    auto condition = ParseCondition(text, names);
    EXPECT_TRUE(condition.ok()) << text;
    return condition.ok() && IsMonotone(*condition);
  };
  for (const char* yes : {"$a and ($b or $c)", "2 of them", "#a > 3", "#a >= 2 and $b at 10",
                          "$a in (0..100)", "filesize < 1MB and $a", "uint16(0) == 0x5A4D and $a",
                          "sequence", "all of them"}) {
    EXPECT_TRUE(monotone(yes)) << yes;
  }
  for (const char* no : {"$a and not $b", "none of them", "#a == 1", "#a < 3", "#a != 0",
                         "3 > #a", "#a > #b", "#a + 1 > 2", "-#a >= -2", "not (#a > 2)"}) {
    EXPECT_FALSE(monotone(no)) << no;
  }
}

}  // namespace
}  // namespace trawl
