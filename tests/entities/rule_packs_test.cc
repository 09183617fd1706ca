// Structure of the shipped default rule packs (rules/*.json, rules/indicators.ndjson.gz),
// read directly with the JSON adapter so the test does not depend on the rules loader. The
// examples themselves are enforced by `trawl rules check` (PCRE2 + the engine).
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "entities/entity.h"
#include "entities/validators.h"
#include "gtest/gtest.h"
#include "json/json.h"
#include "rules/indicator_feed.h"
#include "util/file.h"

namespace trawl {
namespace {

std::string RulesPath(std::string_view name) {
  return std::string(TRAWL_SOURCE_DIR) + "/rules/" + std::string(name);
}

struct PackStats {
  size_t rules = 0;
  std::set<std::string> ids;
};

// Checks the fields every curated rule must have; returns the number of rules.
void CheckCuratedPack(std::string_view file, std::string_view category_prefix,
                      std::string_view chain, PackStats* stats) {
  auto pack = ReadFile(RulesPath(file));
  ASSERT_TRUE(pack.ok()) << file;
  json::Parser parser;
  json::Value doc;
  ASSERT_EQ(parser.Parse(*pack, &doc), json::Error::kOk) << file;
  json::Array rules;
  ASSERT_EQ(doc.Get(&rules), json::Error::kOk) << file << " is not an array";
  for (json::Value rule_value : rules) {
    ++stats->rules;
    json::Object rule;
    ASSERT_EQ(rule_value.Get(&rule), json::Error::kOk) << file << " rule " << stats->rules;
    std::string_view id, regex, category, severity, entity, validator;
    ASSERT_EQ(rule.Get("id", &id), json::Error::kOk)
        << file << " rule " << stats->rules;
    SCOPED_TRACE(std::string(file) + ": " + std::string(id));
    EXPECT_TRUE(stats->ids.insert(std::string(id)).second) << "duplicate id " << id;
    for (char c : id) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) ||
                  std::string_view("._:/-").find(c) != std::string_view::npos)
          << "bad id character in " << id;
    }
    ASSERT_EQ(rule.Get("regex", &regex), json::Error::kOk);
    EXPECT_FALSE(regex.empty());
    // The Hyperscan-supported subset: no lookarounds, back-references, atomic groups, \K.
    for (std::string_view banned :
         {"(?=", "(?!", "(?<=", "(?<!", "(?>", "\\K", "\\1", "\\2", "*+", "++", "?+"}) {
      EXPECT_EQ(regex.find(banned), std::string_view::npos) << id << " uses " << banned;
    }
    ASSERT_EQ(rule.Get("category", &category), json::Error::kOk);
    EXPECT_EQ(category.substr(0, category_prefix.size()), category_prefix)
        << "category " << category;
    ASSERT_EQ(rule.Get("severity", &severity), json::Error::kOk);
    EXPECT_TRUE(severity == "info" || severity == "low" || severity == "medium" ||
                severity == "high" || severity == "critical")
        << severity;
    double confidence = -1;
    ASSERT_EQ(rule.Get("confidence", &confidence), json::Error::kOk);
    EXPECT_GE(confidence, 0.0);
    EXPECT_LE(confidence, 1.0);
    std::string_view description;
    EXPECT_EQ(rule.Get("description", &description), json::Error::kOk);
    EXPECT_FALSE(description.empty());
    json::Array chains, examples, negatives, keywords, tags;
    ASSERT_EQ(rule.Get("chains", &chains), json::Error::kOk);
    ASSERT_EQ(chains.size(), 1u);
    std::string_view first_chain;
    EXPECT_EQ((*chains.begin()).Get(&first_chain), json::Error::kOk);
    EXPECT_EQ(first_chain, chain);
    ASSERT_EQ(rule.Get("examples", &examples), json::Error::kOk);
    EXPECT_GE(examples.size(), 1u);
    ASSERT_EQ(rule.Get("negative_examples", &negatives), json::Error::kOk);
    EXPECT_GE(negatives.size(), 1u);
    ASSERT_EQ(rule.Get("keywords", &keywords), json::Error::kOk);
    ASSERT_EQ(rule.Get("tags", &tags), json::Error::kOk);
    EXPECT_EQ(rule.Get("entity", &entity), json::Error::kOk);
    EXPECT_EQ(rule.Get("validator", &validator), json::Error::kOk);
    EXPECT_TRUE(CheckEntityFields(entity, validator).ok())
        << CheckEntityFields(entity, validator).message();
    // Keywords gate the rule, so when one is a literal of the rule it should be spelled
    // the way the examples spell it: at least one example contains at least one keyword.
    if (keywords.size() > 0 && category_prefix == "secret") {
      bool any = false;
      for (json::Value ex : examples) {
        std::string_view text;
        if (ex.Get(&text) != json::Error::kOk) continue;
        std::string lower(text);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (json::Value kw : keywords) {
          std::string_view k;
          if (kw.Get(&k) != json::Error::kOk) continue;
          std::string lk(k);
          for (char& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (lower.find(lk) != std::string::npos) any = true;
        }
      }
      EXPECT_TRUE(any) << "no example contains a keyword";
    }
  }
}

TEST(RulePacksTest, SecretsPack) {
  PackStats stats;
  CheckCuratedPack("secrets.json", "secret", "secrets", &stats);
  EXPECT_GE(stats.rules, 150u);
}

TEST(RulePacksTest, PiiPack) {
  PackStats stats;
  CheckCuratedPack("pii.json", "", "entities", &stats);
  EXPECT_GE(stats.rules, 15u);
  for (std::string_view id : {"entity-email", "entity-ipv4", "entity-ipv6", "entity-credit-card",
                              "entity-iban", "entity-us-ssn", "entity-bitcoin-address"}) {
    EXPECT_TRUE(stats.ids.count(std::string(id))) << id;
  }
}

TEST(RulePacksTest, IdsAreUniqueAcrossCuratedPacks) {
  PackStats stats;
  CheckCuratedPack("secrets.json", "secret", "secrets", &stats);
  CheckCuratedPack("pii.json", "", "entities", &stats);
  EXPECT_EQ(stats.ids.size(), stats.rules);
}

// The maltrail lines that are not exact values stay rules (scripts/build_indicator_pack.py).
TEST(RulePacksTest, IndicatorPatternRules) {
  auto text = ReadMaybeGzipFile(RulesPath("indicators.ndjson.gz"));
  ASSERT_TRUE(text.ok()) << text.status().message();
  json::Parser parser;
  std::set<std::string> ids;
  size_t lines = 0;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;
    ++lines;
    json::Value def_value;
    json::Object def;
    ASSERT_EQ(parser.Parse(line, &def_value), json::Error::kOk) << "line " << lines;
    ASSERT_EQ(def_value.Get(&def), json::Error::kOk) << "line " << lines;
    std::string_view id, category, source, chain;
    ASSERT_EQ(def.Get("id", &id), json::Error::kOk);
    ASSERT_EQ(def.Get("category", &category), json::Error::kOk);
    EXPECT_EQ(category.substr(0, 10), "indicator/") << id;
    ASSERT_EQ(def.Get("source", &source), json::Error::kOk);
    EXPECT_NE(source.find("maltrail"), std::string_view::npos) << id;
    json::Array chains;
    ASSERT_EQ(def.Get("chains", &chains), json::Error::kOk);
    ASSERT_EQ((*chains.begin()).Get(&chain), json::Error::kOk);
    EXPECT_EQ(chain, "indicators");
    EXPECT_TRUE(ids.insert(std::string(id)).second) << "duplicate id " << id;
  }
  EXPECT_GE(lines, 2000u);
}

// The full maltrail feed: every malware, malicious and suspicious entry that is an exact
// value, each with its family and the trail it comes from.
TEST(RulePacksTest, ShippedPackHoldsTheFullFeed) {
  auto feed = LoadFeedFile(RulesPath("indicators/maltrail.tsv.xz"), {});
  ASSERT_TRUE(feed.ok()) << feed.status().message();
  EXPECT_EQ(feed->feed, "maltrail");
  EXPECT_EQ(feed->format, FeedFormat::kTrawlTsv);
  EXPECT_GE(feed->indicators.size(), 1600000u);
  EXPECT_EQ(feed->unsupported, 0u);
  EXPECT_EQ(feed->entries, feed->indicators.size() + feed->duplicates);
  std::set<std::string> categories;
  for (const IndicatorMeta& meta : feed->metas) {
    categories.insert(meta.category);
    EXPECT_FALSE(meta.family.empty());
    EXPECT_NE(meta.source.find("maltrail"), std::string::npos);
    EXPECT_NE(meta.source.find(meta.family + ".txt"), std::string::npos) << meta.source;
  }
  EXPECT_EQ(categories, (std::set<std::string>{"indicator/malicious", "indicator/malware",
                                                "indicator/suspicious"}));
  const auto listed = [&](IndicatorType type, std::string_view value) {
    return std::any_of(feed->indicators.begin(), feed->indicators.end(),
                       [&](const Indicator& i) { return i.type == type && i.value == value; });
  };
  EXPECT_TRUE(listed(IndicatorType::kDomain, "nanopc.linkpc.net"));
  EXPECT_TRUE(listed(IndicatorType::kIpPort, "178.16.53.180:18041"));
}

TEST(RulePacksTest, IndicatorLicenceIsShipped) {
  auto licence = ReadFile(RulesPath("indicators/LICENSE-maltrail"));
  ASSERT_TRUE(licence.ok());
  EXPECT_NE(licence->find("MIT License"), std::string::npos);
  EXPECT_NE(licence->find("Miroslav Stampar"), std::string::npos);
}

}  // namespace
}  // namespace trawl
