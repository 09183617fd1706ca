#include "rules/tsv_importer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rules/loader.h"

namespace trawl {
namespace {

TEST(TsvImporterTest, ImportsLiteralsRegexesFlagsAndPrefilter) {
  const std::string tsv =
      "id\tkind\texpression\tflags\tcategory\tsource\tcompile_as\n"
      "a\tliteral\t\\x00ab\\\\\ti,wide\tyara\tsrc\t\n"
      "b\tregex\t(a)\\1\ts,m\tids\tsrc\tprefilter\n"
      "c\tbogus\tx\t\tc\tsrc\n"
      "d\tregex\tshort\n";
  auto set = ParseCorpusTsv(tsv, "t.tsv");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->definitions.size(), 2u);
  EXPECT_EQ(set->definitions[0].expression, std::string("\0ab\\", 4));
  EXPECT_EQ(set->definitions[0].flags, kFlagCaseless);
  EXPECT_EQ(set->definitions[0].tags, std::vector<std::string>{"wide"});
  EXPECT_EQ(set->definitions[1].flags, kFlagDotAll | kFlagMultiline | kFlagPrefilter);
  ASSERT_EQ(set->issues.size(), 2u);
  EXPECT_EQ(set->issues[0].id, "c");
  EXPECT_EQ(set->issues[1].index, 3);
}

TEST(TsvImporterTest, DuplicateIdNamesTheFileAndLine) {
  const std::string tsv =
      "id\tkind\texpression\tflags\tcategory\tsource\n"
      "a\tliteral\tx\t\tc\torigin\n"
      "a\tliteral\ty\t\tc\torigin\n";
  auto set = ParseCorpusTsv(tsv, "t.tsv");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->issues.size(), 1u);
  EXPECT_EQ(set->issues[0].file, "t.tsv");
  EXPECT_EQ(set->issues[0].index, 1);
  EXPECT_EQ(set->issues[0].offset, static_cast<int64_t>(tsv.rfind("a\tliteral")));
}

TEST(TsvImporterTest, RejectsFileWithoutHeader) {
  EXPECT_FALSE(ParseCorpusTsv("a\tliteral\tx\t\tc\ts\n", "t.tsv").ok());
}

TEST(TsvImporterTest, ImportsThePublicMixWhenPresent) {
  const std::string path = std::string(TRAWL_SHARED_DIR) + "/corpus/set_iocs.tsv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no ../shared corpus";
  auto set = LoadRuleFile(path);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->issues.empty());
  EXPECT_GT(set->definitions.size(), 8000u);
}

}  // namespace
}  // namespace trawl
