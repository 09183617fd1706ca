#include "structure/csv_structure.h"

#include <gtest/gtest.h>

#include <string>

namespace trawl {
namespace {

constexpr char kUsers[] =
    "id,name,api_key,created,active\r\n"
    "1,\"Smith, Ann\",AKIA1111,2024-01-02,true\r\n"
    "2,\"multi\nline \"\"quoted\"\" note\",sk_live_abc,2024-02-03,false\r\n"
    "3,plain,\"x\",2024-03-04T10:00:00,yes\r\n";

TEST(CsvStructureTest, QuotedFieldsWithEmbeddedNewlines) {
  const std::string csv = kUsers;
  const CsvReport r = AnalyzeCsv(csv);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_TRUE(r.dialect_detected);
  EXPECT_EQ(r.dialect.delimiter, ',');
  EXPECT_EQ(r.dialect.quote, '"');
  EXPECT_TRUE(r.dialect.has_header);
  EXPECT_EQ(r.records, 4u);
  EXPECT_EQ(r.rows, 3u);
  EXPECT_EQ(r.embedded_newlines, 1u);
  EXPECT_EQ(r.quoted_fields, 3u);
  EXPECT_EQ(r.ragged_rows, 0u);
  ASSERT_EQ(r.columns.size(), 5u);
  EXPECT_EQ(r.columns[0].name, "id");
  EXPECT_EQ(r.columns[0].type, CsvType::kInt);
  EXPECT_EQ(r.columns[1].type, CsvType::kString);
  EXPECT_EQ(r.columns[2].name, "api_key");
  EXPECT_EQ(r.columns[3].type, CsvType::kDate);
  EXPECT_EQ(r.columns[4].type, CsvType::kBool);

  auto loc = r.locator.Locate(csv.find("sk_live_abc") + 3);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->row, 1);
  EXPECT_EQ(loc->column, 2u);
  EXPECT_EQ(loc->column_name, "api_key");
  EXPECT_EQ(loc->record, 2u);
  // The second physical line of a quoted field is still row 1, column "name".
  loc = r.locator.Locate(csv.find("line \"\"quoted"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->row, 1);
  EXPECT_EQ(loc->column_name, "name");
  // The comma inside "Smith, Ann" does not split the field.
  loc = r.locator.Locate(csv.find(" Ann"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->row, 0);
  EXPECT_EQ(loc->column, 1u);
  loc = r.locator.Locate(csv.find("active"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->row, -1);
  EXPECT_EQ(loc->column, 4u);
  loc = r.locator.Locate(csv.find("AKIA1111") - 1);  // the delimiter before it
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->column, 1u);
}

TEST(CsvStructureTest, DetectsTabSemicolonAndPipe) {
  const CsvReport tsv = AnalyzeCsv("host\tport\tpassword\ndb1\t5432\tp,a,s,s\ndb2\t5433\tx;y\n");
  EXPECT_EQ(tsv.dialect.delimiter, '\t');
  EXPECT_TRUE(tsv.dialect.has_header);
  ASSERT_EQ(tsv.columns.size(), 3u);
  EXPECT_EQ(tsv.columns[1].type, CsvType::kInt);
  const CsvReport semi = AnalyzeCsv("a;b;c\n1,5;2;3\n4;5;6\n");
  EXPECT_EQ(semi.dialect.delimiter, ';');
  EXPECT_EQ(semi.columns[0].type, CsvType::kString);  // "1,5" is not a float in this lattice
  const CsvReport pipe = AnalyzeCsv("x|y\n1|2\n3|4\n");
  EXPECT_EQ(pipe.dialect.delimiter, '|');
  EXPECT_TRUE(pipe.dialect.has_header);
}

TEST(CsvStructureTest, NoHeaderWhenFirstRowLooksLikeData) {
  const CsvReport r = AnalyzeCsv("1,2.5,true\n3,4.0,false\n5,6,true\n");
  EXPECT_FALSE(r.dialect.has_header);
  EXPECT_EQ(r.rows, 3u);
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_EQ(r.columns[1].type, CsvType::kFloat);
  auto loc = r.locator.Locate(0);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->row, 0);
  EXPECT_EQ(loc->column_name, "");
}

TEST(CsvStructureTest, UnterminatedQuoteIsRecorded) {
  const std::string csv = "a,b\n1,\"never closed\n2,3\n";
  const CsvReport r = AnalyzeCsv(csv);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.unterminated_quote_offset, csv.find('"'));
  EXPECT_EQ(r.rows, 1u);
}

TEST(CsvStructureTest, RaggedRowsAndForcedDialect) {
  CsvOptions options;
  options.delimiter = ',';
  options.header = 0;
  const CsvReport r = AnalyzeCsv("a,b,c\nd,e\nf,g,h,i\n", options);
  EXPECT_FALSE(r.dialect.has_header);
  EXPECT_EQ(r.ragged_rows, 2u);
  EXPECT_EQ(r.min_fields, 2u);
  EXPECT_EQ(r.max_fields, 4u);
}

TEST(CsvStructureTest, CellTypes) {
  EXPECT_EQ(CsvCellType("-42"), CsvType::kInt);
  EXPECT_EQ(CsvCellType("3.14"), CsvType::kFloat);
  EXPECT_EQ(CsvCellType("1e-5"), CsvType::kFloat);
  EXPECT_EQ(CsvCellType("TRUE"), CsvType::kBool);
  EXPECT_EQ(CsvCellType("2024-12-31"), CsvType::kDate);
  EXPECT_EQ(CsvCellType("31/12/2024"), CsvType::kDate);
  EXPECT_EQ(CsvCellType("2024-12-31 23:59"), CsvType::kDate);
  EXPECT_EQ(CsvCellType("12345678901234567890123"), CsvType::kString);
  EXPECT_EQ(CsvCellType("  "), CsvType::kEmpty);
  EXPECT_EQ(CsvCellType("e5"), CsvType::kString);
}

}  // namespace
}  // namespace trawl
