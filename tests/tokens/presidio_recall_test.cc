// Recall on public labelled examples: the test cases of Microsoft Presidio's recognizers
// (MIT; tests/tokens/data/presidio_cases.tsv holds the cases, not their code) and the
// national phone formats of issue 16, run through the analyzer with rules/pii.json
// compiled both ways. Per entity family it prints how many positives each finds and how
// many negatives each leaves alone (bench/RESULTS.md, "Token pass"), and asserts that the
// token pass finds every positive the regexes find.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "classify/plan.h"
#include "engine/compiler.h"
#include "rules/loader.h"
#include "util/strings.h"

namespace trawl {
namespace {

const std::string kSource = TRAWL_SOURCE_DIR;

struct Case {
  std::string family, value, region, text;
  bool positive = false;
};

std::vector<Case> Cases() {
  std::vector<Case> out;
  std::ifstream in(kSource + "/tests/tokens/data/presidio_cases.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("family\t", 0) == 0) continue;
    const std::vector<std::string_view> f = Split(line, '\t');
    if (f.size() != 5) {
      ADD_FAILURE() << "bad case line: " << line;
      continue;
    }
    out.push_back({std::string(f[0]), std::string(f[2]), std::string(f[3]), std::string(f[4]),
                   f[1] == "1"});
  }
  return out;
}

bool InFamily(std::string_view family, std::string_view entity) {
  if (family == "ip") return entity == "ipv4" || entity == "ipv6";
  if (family == "bitcoin") return entity == "bitcoin_address" || entity == "bitcoin_bech32_address";
  return family == entity;
}

struct Tally {
  int positives = 0, found = 0, negatives = 0, clean = 0;
};

std::map<std::string, Tally> AnalyzeCases(bool token_pass, const std::vector<Case>& cases,
                                 std::vector<std::string>* found_values) {
  auto rules = LoadRuleFile(kSource + "/rules/pii.json");
  EXPECT_TRUE(rules.ok());
  CompileOptions options;
  options.token_pass = token_pass;
  auto db = CompileDatabase(rules->definitions, options);
  EXPECT_TRUE(db.ok());
  auto analyzer = ComponentAnalyzer::Create(*db);
  EXPECT_TRUE(analyzer.ok());
  std::map<std::string, Tally> tally;
  for (const Case& c : cases) {
    Component component;
    component.id = std::string(32, '0');
    component.path = component.name = "case.txt";
    component.size = c.text.size();
    component.has_content = component.content_complete = true;
    AnalyzeOptions analyze;
    analyze.default_region = c.region;
    PlanOptions plan_options;
    plan_options.pattern_chains = (*db)->chains();
    auto r = (*analyzer)->Analyze(PlanComponent(component, c.text, plan_options), c.text, analyze);
    EXPECT_TRUE(r.ok());
    bool hit = false, any = false;
    for (const Finding& f : r->findings) {
      if (!f.validated || !InFamily(c.family, f.entity)) continue;
      any = true;
      hit = hit || f.value == c.value;
    }
    Tally& t = tally[c.family];
    if (c.positive) {
      ++t.positives;
      t.found += hit;
      found_values->push_back(hit ? c.family + " " + c.value : "");
    } else {
      ++t.negatives;
      t.clean += !any;
      found_values->push_back("");
    }
  }
  return tally;
}

TEST(PresidioRecallTest, TokenPassFindsWhatTheRegexesFind) {
  const std::vector<Case> cases = Cases();
  ASSERT_GT(cases.size(), 100u);
  std::vector<std::string> by_regex, by_tokens;
  const auto regex = AnalyzeCases(false, cases, &by_regex);
  const auto tokens = AnalyzeCases(true, cases, &by_tokens);
  std::printf("%-18s %9s %9s %9s %9s\n", "family", "positive", "regex", "tokens", "negatives");
  for (const auto& [family, t] : tokens) {
    const Tally& r = regex.at(family);
    std::printf("%-18s %9d %9d %9d %4d %d/%d\n", family.c_str(), t.positives, r.found, t.found,
                t.negatives, r.clean, t.clean);
    EXPECT_GE(t.found, r.found) << family;
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    if (!by_regex[i].empty()) {
      EXPECT_EQ(by_tokens[i], by_regex[i]) << cases[i].text;
    }
    if (cases[i].positive && by_tokens[i].empty()) {
      std::printf("  missed: %s \"%s\" in \"%s\"\n", cases[i].family.c_str(),
                  cases[i].value.c_str(), cases[i].text.c_str());
    }
  }
}

// The misses issue 16 names for today's regexes: compressed IPv6, "::", UK and
// Philippine national phone formats, a 15-digit card range. The token pass finds each
// (and says which of them the regexes find after all in this context).
TEST(PresidioRecallTest, KnownMissesOfTheRegexesAreFound) {
  std::vector<Case> cases = {
      {"ip", "2001:db8::1", "", "addr 2001:db8::1 up", true},
      {"ip", "::", "", "Use local ipv6 ::", true},
      {"phone_number", "020 7946 0958", "GB", "call the office on 020 7946 0958", true},
      {"phone_number", "0917 123 4567", "PH", "text me at 0917 123 4567", true},
      {"credit_card", "122000000000003", "", "my credit card: 122000000000003", true},
  };
  std::vector<std::string> by_regex, by_tokens;
  AnalyzeCases(false, cases, &by_regex);
  AnalyzeCases(true, cases, &by_tokens);
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_FALSE(by_tokens[i].empty()) << cases[i].text;
    if (!by_regex[i].empty()) std::printf("  the regexes find this one too: %s\n", cases[i].text.c_str());
  }
}

}  // namespace
}  // namespace trawl
