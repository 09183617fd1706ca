// File: csv_structure.h
// CSV/TSV structure: dialect detection (delimiter among , TAB ; |, quote character,
// header), RFC 4180 parsing (quoted fields with embedded delimiters, newlines and doubled
// quotes), column names and inferred types, and offset -> (row, column, column name).
//
// Malformed input (an unterminated quote, ragged rows) is recorded in CsvReport, never
// fatal: every byte still belongs to some record and field.
#ifndef TRAWL_SRC_STRUCTURE_CSV_STRUCTURE_H_
#define TRAWL_SRC_STRUCTURE_CSV_STRUCTURE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace trawl {

class JsonWriter;

struct CsvDialect {
  char delimiter = ',';
  char quote = '"';  // '\0': no quoting
  bool has_header = true;
};

struct CsvOptions {
  char delimiter = 0;  // 0: detect
  char quote = 0;      // 0: detect
  int header = -1;     // -1: detect, 0: no header, 1: header
  // Bytes sampled for dialect detection.
  size_t sniff_bytes = 64 * 1024;
  // The columns' types and non-empty counts and the record statistics (rows, field
  // counts, ragged rows, quoted fields, embedded newlines). The component analysis reads
  // only the dialect, the status and the locator, so it turns them off (issue 22): no type
  // test of every cell, and a record without a quote is found from its line break alone.
  // Without them `columns` holds the header's names only, `records` is still counted.
  bool statistics = true;
  // The pass over the records without statistics: `records`, the status (an unterminated
  // quote) and the locator's record index. Off, AnalyzeCsv reads the dialect and the
  // header alone, and the locator indexes the records when IndexRecords is called: the
  // component analysis locates only the components with candidates (issue 22). Ignored
  // with statistics.
  bool index_records = true;
};

// Type lattice for columns: every non-empty cell must fit. int < float; others are
// exclusive; anything mixed is string.
enum class CsvType { kEmpty, kInt, kFloat, kBool, kDate, kString };
const char* CsvTypeName(CsvType type);
CsvType CsvCellType(std::string_view cell);

struct CsvReport;

struct CsvColumn {
  std::string name;  // header cell (unquoted); "" without header
  CsvType type = CsvType::kEmpty;
  uint64_t non_empty = 0;
};

// Offset -> cell. Holds one offset per record; a lookup re-parses that record only.
// Thread-compatible; borrows the text it was built from, which must outlive it.
class CsvLocator {
 public:
  struct Location {
    int64_t row = 0;     // 0-based data row; -1 for the header record
    uint32_t column = 0;  // 0-based
    std::string column_name;
    uint64_t record = 0;  // 0-based physical record, header included
  };
  // REQUIRES: the records are indexed (AnalyzeCsv did, or IndexRecords was called).
  std::optional<Location> Locate(uint64_t offset) const;
  // Indexes the records of a report made without index_records (a no-op otherwise).
  void IndexRecords();

 private:
  friend CsvReport AnalyzeCsv(std::string_view text, const CsvOptions& options);
  std::string_view text_;
  CsvDialect dialect_;
  bool indexed_ = false;
  std::vector<uint64_t> record_starts_;
  std::vector<std::string> column_names_;
};

struct CsvReport {
  absl::Status status;  // OK, or InvalidArgument for an unterminated quote
  CsvDialect dialect;
  bool dialect_detected = false;  // false: fell back to ',' with one column
  uint64_t size = 0;
  uint64_t records = 0;  // physical records including the header
  uint64_t rows = 0;     // data rows
  std::vector<CsvColumn> columns;
  uint64_t min_fields = 0;
  uint64_t max_fields = 0;
  uint64_t ragged_rows = 0;  // data rows whose field count differs from the column count
  uint64_t quoted_fields = 0;
  uint64_t embedded_newlines = 0;  // quoted fields containing a line break
  uint64_t unterminated_quote_offset = 0;  // when status is not OK
  CsvLocator locator;

  void WriteJson(JsonWriter& w) const;
};

// Detects the dialect from the first options.sniff_bytes bytes.
CsvDialect DetectCsvDialect(std::string_view text, const CsvOptions& options, bool* detected);

// REQUIRES: `text` outlives the report (its locator borrows it).
CsvReport AnalyzeCsv(std::string_view text, const CsvOptions& options = {});

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_CSV_STRUCTURE_H_
