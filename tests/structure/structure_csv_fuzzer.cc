// libFuzzer target: CSV dialect detection and parsing, plus the text line index, on
// arbitrary bytes. Traps when a location is inconsistent with the input, or when the
// analysis without statistics (records ended at line breaks, issue 22) places an offset
// differently from the full one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "structure/csv_structure.h"
#include "structure/text_structure.h"
#include "util/json_writer.h"

namespace {
void Check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const trawl::CsvReport csv = trawl::AnalyzeCsv(input);
  Check(csv.rows <= csv.records);
  trawl::JsonWriter w;
  csv.WriteJson(w);
  for (uint64_t off = 0; off < size; off += 1 + size / 8) {
    auto loc = csv.locator.Locate(off);
    Check(loc.has_value());
    Check(loc->record < csv.records);
  }
  trawl::CsvOptions lean_options;
  lean_options.statistics = false;
  const trawl::CsvReport lean = trawl::AnalyzeCsv(input, lean_options);
  Check(lean.records == csv.records && lean.status == csv.status);
  for (uint64_t off = 0; off < size; off += 1 + size / 16) {
    const auto a = csv.locator.Locate(off);
    const auto b = lean.locator.Locate(off);
    Check(a->record == b->record && a->row == b->row && a->column == b->column &&
          a->column_name == b->column_name);
  }
  trawl::CsvOptions tsv;
  tsv.delimiter = '\t';
  tsv.header = 1;
  (void)trawl::AnalyzeCsv(input, tsv);

  const trawl::TextReport text = trawl::AnalyzeText(input);
  text.WriteJson(w);
  Check(trawl::IsValidUtf8(w.str()));
  const trawl::LineIndex index(input);
  Check(index.line_count() == text.lines || (size > 0 && input.back() != '\n' && input.back() != '\r') ||
        index.line_count() == text.lines);
  for (uint64_t off = 0; off < size; off += 1 + size / 8) {
    const auto loc = index.Locate(off);
    Check(loc.line >= 1 && loc.line <= index.line_count());
    Check(index.LineStart(loc.line) + loc.column - 1 == off);
  }
  const trawl::DerivedBuffer utf16 = trawl::DecodeUtf16(input, true);
  if (!utf16.data.empty()) Check(utf16.map.MapRange(0, utf16.data.size()).end <= size);
  return 0;
}
