// File: structure_summary.h
// One entry point for the analysis stage: run the analyzers a component's format calls
// for, keep their locators for mapping findings, and write one deterministic JSON summary
// to embed in the component result.
#ifndef TRAWL_SRC_STRUCTURE_STRUCTURE_SUMMARY_H_
#define TRAWL_SRC_STRUCTURE_STRUCTURE_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "structure/binary_structure.h"
#include "structure/csv_structure.h"
#include "structure/encoded_layers.h"
#include "structure/json_structure.h"
#include "structure/text_structure.h"

namespace trawl {

class JsonWriter;

// The format the classify stage decided on (structure does not sniff formats itself,
// except the CSV dialect).
enum class StructureKind { kJson, kNdjson, kCsv, kTsv, kText, kBinary };
const char* StructureKindName(StructureKind kind);

struct StructureOptions {
  JsonOptions json;
  CsvOptions csv;
  BinaryOptions binary;
  EncodedLayerOptions layers;
  bool find_encoded_layers = true;
  // The text statistics (StructureReport::text). The line index does not depend on them.
  // The component analysis places findings and scans decoded forms but reports no
  // statistics, so it turns them off (and json.statistics): work nobody reads (issue 22).
  bool text_statistics = true;
};

// Where a byte offset is, in every coordinate system the component has.
struct StructuralLocation {
  uint64_t offset = 0;
  std::optional<LineIndex::Location> line;     // text-like kinds (all but binary)
  std::optional<JsonLocator::Location> json;   // json, ndjson
  std::optional<CsvLocator::Location> csv;     // csv, tsv
};

// REQUIRES: the analysed bytes outlive the report (the line index and CSV locator
// borrow them). Thread-compatible.
struct StructureReport {
  StructureKind kind = StructureKind::kText;
  uint64_t size = 0;
  std::optional<JsonReport> json;
  std::optional<CsvReport> csv;
  std::optional<TextReport> text;
  std::optional<BinaryReport> binary;
  EncodedLayers layers;

  // Line numbers (text-like kinds): the index is built by the first Locate, so a
  // component nobody asks a position of (most have no findings) never pays for it.
  // Locate is therefore not safe to call concurrently on one report.
  StructuralLocation Locate(uint64_t offset) const;
  void set_line_text(std::string_view text) { line_text_ = text; }
  void WriteJson(JsonWriter& w) const;

 private:
  std::optional<std::string_view> line_text_;  // the bytes the line index covers
  mutable std::optional<LineIndex> lines_;
};

// `analyzer` may be null (a temporary one is made); pass a per-thread one to reuse the
// JSON parsers and buffers.
// `json_validated` (kJson): the caller's promise that the last call on `analyzer` was a
// JsonAnalyzer::Validate of `data` that returned true (classification's), so the DOM
// parse it made is reused rather than repeated.
StructureReport AnalyzeStructure(std::string_view data, StructureKind kind, const StructureOptions& options = {},
                                 JsonAnalyzer* analyzer = nullptr, bool json_validated = false);

// The summary as compact JSON: {"kind":..., "size":..., "<kind>":{...}, "text":{...},
// "encoded_layers":{...}}.
std::string StructureSummaryJson(const StructureReport& report);

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_STRUCTURE_SUMMARY_H_
