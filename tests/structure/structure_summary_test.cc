#include "structure/structure_summary.h"

#include <gtest/gtest.h>

#include <string>

namespace trawl {
namespace {

TEST(StructureSummaryTest, JsonComponentLocatesAndSummarizes) {
  const std::string doc = "{\n  \"db\": {\n    \"password\": \"hunter2\"\n  }\n}\n";
  const StructureReport r = AnalyzeStructure(doc, StructureKind::kJson);
  ASSERT_TRUE(r.json.has_value());
  ASSERT_TRUE(r.text.has_value());
  const StructuralLocation loc = r.Locate(doc.find("hunter2"));
  ASSERT_TRUE(loc.line.has_value());
  EXPECT_EQ(loc.line->line, 3u);
  EXPECT_EQ(loc.line->column, 18u);
  ASSERT_TRUE(loc.json.has_value());
  EXPECT_EQ(loc.json->pointer, "/db/password");
  EXPECT_EQ(loc.json->key, "password");
  const std::string summary = StructureSummaryJson(r);
  ASSERT_EQ(doc.size(), 44u);
  EXPECT_EQ(summary.rfind("{\"kind\":\"json\",\"size\":44,\"json\":{\"valid\":true", 0), 0u) << summary;
  EXPECT_NE(summary.find("\"text\":{\"size\":44,\"lines\":5"), std::string::npos) << summary;
  EXPECT_NE(summary.find("\"encoded_layers\":{\"count\":0"), std::string::npos) << summary;
  EXPECT_EQ(summary, StructureSummaryJson(AnalyzeStructure(doc, StructureKind::kJson)));
}

TEST(StructureSummaryTest, TsvAndBinaryKinds) {
  const std::string tsv = "user\tkey\nann\tAKIA123\n";
  const StructureReport t = AnalyzeStructure(tsv, StructureKind::kTsv);
  ASSERT_TRUE(t.csv.has_value());
  const StructuralLocation loc = t.Locate(tsv.find("AKIA"));
  ASSERT_TRUE(loc.csv.has_value());
  EXPECT_EQ(loc.csv->row, 0);
  EXPECT_EQ(loc.csv->column_name, "key");
  EXPECT_EQ(loc.line->line, 2u);
  const std::string bin = std::string("\x00\x01PK\x03\x04", 6) + std::string(100, '\0');
  const StructureReport b = AnalyzeStructure(bin, StructureKind::kBinary);
  ASSERT_TRUE(b.binary.has_value());
  EXPECT_FALSE(b.text.has_value());
  EXPECT_NE(StructureSummaryJson(b).find("\"signatures\":[{\"offset\":2,\"type\":\"zip\"}]"), std::string::npos);
}

}  // namespace
}  // namespace trawl
