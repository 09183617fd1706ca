#include "engine/inspect.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/artifact.h"
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
}

}  // namespace
}  // namespace trawl
