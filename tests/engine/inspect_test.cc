#include "engine/inspect.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/artifact.h"
#include "rules/loader.h"
#include "simdjson.h"
#include "test_util.h"

namespace trawl {
namespace {

using testing_util::Literal;
using testing_util::MustCompile;
using testing_util::Regex;

// BenchmarkJson is what bench/peers compares with the raw engine: every thread count must
// report the full match count (no caps: the default per-rule cap is 10,000), and the
// artifact size must be the serialized database's.
TEST(InspectTest, BenchmarkJsonCountsEveryMatchAtEveryThreadCount) {
  auto db = MustCompile({Literal("lit", "needle"), Regex("re", "key=[a-z]{4}")});
  ASSERT_TRUE(db);
  std::string input;
  for (int i = 0; i < 12000; ++i) input += "needle ";
  input += "key=abcd";
  BenchSettings settings;
  settings.max_threads = 2;
  settings.repetitions = 2;
  auto json = BenchmarkJson(db, 1.5, input, settings);
  ASSERT_TRUE(json.ok()) << json.status();

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(*json).get(doc), simdjson::SUCCESS) << *json;
  EXPECT_EQ(std::string_view(doc["schema"]), "trawl.bench/1");
  EXPECT_EQ(uint64_t(doc["rules"]), 2u);
  EXPECT_EQ(uint64_t(doc["input_bytes"]), input.size());
  EXPECT_EQ(double(doc["compile_seconds"]), 1.5);
  auto artifact = SerializeDatabase(*db);
  ASSERT_TRUE(artifact.ok());
  EXPECT_EQ(uint64_t(doc["artifact_bytes"]), artifact->size());
  EXPECT_GE(double(doc["load_ms"]["median"]), double(doc["load_ms"]["best"]));
  simdjson::dom::array scans = doc["scan"];
  ASSERT_EQ(scans.size(), 2u);
  uint64_t threads = 0;
  for (simdjson::dom::element scan : scans) {
    EXPECT_EQ(uint64_t(scan["threads"]), ++threads);
    EXPECT_EQ(uint64_t(scan["matches"]), 12001u);
    EXPECT_GT(double(scan["mb_per_s"]), 0);
    EXPECT_GT(double(scan["mb_per_cpu_s"]), 0);
  }
  EXPECT_EQ(uint64_t(doc["profile"]["matches"]), 12001u);
  // The raw engine beside trawl's 1-thread scan: the same database's engine hits (no
  // overlap reduction, so at least trawl's matches) and a ratio of the two rates.
  simdjson::dom::element one = scans.at(0);
  EXPECT_GE(uint64_t(one["raw_engine_hits"]), 12001u);
  EXPECT_GT(double(one["raw_engine_mb_per_cpu_s"]), 0);
  EXPECT_GT(double(one["vs_raw_engine"]), 0);
  EXPECT_TRUE(scans.at(1)["vs_raw_engine"].error() == simdjson::NO_SUCH_FIELD);
}

// The raw engine scanner counts what hs_scan reports on every engine database and marks,
// by rule, what exact partitions report.
TEST(InspectTest, RawEngineScannerCountsEngineHitsAndMarksRules) {
  auto db = MustCompile({Literal("lit", "needle"), Regex("re", "key=[a-z]{4}"),
                         Literal("absent", "nowhere-to-be-found")});
  ASSERT_TRUE(db);
  auto raw = RawEngineScanner::Create(db);
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::vector<bool> seen;
  EXPECT_EQ((*raw)->Scan("needle needle key=abcd", &seen).value_or(0), 3u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen[0]);
  EXPECT_TRUE(seen[1]);
  EXPECT_FALSE(seen[2]);
  EXPECT_EQ((*raw)->Scan("nothing here").value_or(1), 0u);
}

// A composite's condition is evaluated after the scan, outside the engine: the profile
// must still name the rule (charged with its evaluations) and give the evaluation time,
// or a rule author cannot see which imported rule costs the scan (issue 18).
TEST(InspectTest, ProfileChargesCompositeEvaluationToItsRule) {
  auto set = ParseDefinitions(R"([
    {"id": "pair", "patterns": [{"name": "a", "literal": "alpha"},
                                {"name": "b", "regex": "beta[0-9]+"}],
     "condition": "all of them"},
    {"id": "plain", "literal": "gamma"}])",
                              "test.json");
  ASSERT_TRUE(set.ok()) << set.status();
  auto db = MustCompile(set->definitions);
  ASSERT_TRUE(db);
  std::string input;
  for (int i = 0; i < 100; ++i) input += "alpha gamma beta42\n";
  auto json = ProfileScanJson(db, input, 10, nullptr);
  ASSERT_TRUE(json.ok()) << json.status();

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(*json).get(doc), simdjson::SUCCESS) << *json;
  EXPECT_GT(double(doc["composite_seconds"]), 0) << *json;
  EXPECT_GE(double(doc["confirm_seconds"]), 0) << *json;
  bool pair_listed = false;
  for (simdjson::dom::element rule : doc["costliest_rules"].get_array()) {
    if (std::string_view(rule["id"]) != "pair") continue;
    pair_listed = true;
    EXPECT_EQ(uint64_t(rule["candidates"]), 1u);  // one evaluation per scan
    EXPECT_EQ(uint64_t(rule["matches"]), 1u);
    EXPECT_GT(double(rule["confirm_seconds"]), 0);
  }
  EXPECT_TRUE(pair_listed) << *json;
}

}  // namespace
}  // namespace trawl
