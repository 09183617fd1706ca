// The engine must find the quote-run shapes that Debian's Vectorscan 5.4.9 misses on
// AVX-512. This test fails on such a build, which is the point: never silently miss.
#include <gtest/gtest.h>

#include "engine/engine_info.h"
#include "test_util.h"

namespace trawl {
namespace {

TEST(KnownAnswerTest, EnginePassesTheQuoteRunShapes) {
  const KnownAnswerResult& result = EngineKnownAnswer();
  EXPECT_GT(result.checks, 3000);
  EXPECT_TRUE(result.passed) << GetEngineInfo().name << " " << GetEngineInfo().version << ": "
                             << result.detail;
}

TEST(KnownAnswerTest, ScannerFindsLongQuotedRunsThroughTheWholeStack) {
  using testing_util::Regex;
  auto db = testing_util::MustCompile({Regex("q", "x\"[^\"]{6,}\"")});
  ASSERT_TRUE(db);
  for (size_t run : {10, 69, 70, 71, 128, 300, 5000}) {
    const std::string input = "..x\"" + std::string(run, 'a') + "\"..";
    auto found = testing_util::ScanAll(db, input);
    ASSERT_EQ(found.size(), 1u) << "run " << run;
    EXPECT_EQ(found[0].start, 2u);
    EXPECT_EQ(found[0].end, 2 + 3 + run);
  }
}

TEST(KnownAnswerTest, EngineIdentifiesItself) {
  const EngineInfo& info = GetEngineInfo();
  EXPECT_TRUE(info.name == "hyperscan" || info.name == "vectorscan");
  EXPECT_FALSE(info.version.empty());
  EXPECT_TRUE(info.platform_supported);
}

}  // namespace
}  // namespace trawl
