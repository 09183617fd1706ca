// The structure analysis as the component analysis runs it (issue 22): without the text
// statistics and the JSON key-path statistics, which no result reports, without the
// JSON value counts and so without a walk of valid documents, without a binary's ASCII
// strings, entropy profile and signatures, and without CSV column types. Everything the
// analysis does read (validity, error, counts, decoded strings and their maps, locators,
// line and column, encoded layers) must equal what the full analysis gives, on every
// structure fixture of the tree: the JSON, CSV and binary fuzzers' corpora, the JSON
// files of rules/, schemas/ and tests/, as documents, NDJSON, CSV, text and binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "structure/structure_summary.h"
#include "util/file.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;
const std::string kSource = TRAWL_SOURCE_DIR;

std::vector<std::string> Fixtures() {
  std::vector<std::string> out;
  const auto add_dir = [&out](const fs::path& dir, bool json_only) {
    if (!fs::exists(dir)) return;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.file_size() > (1u << 20)) continue;
      const std::string ext = entry.path().extension().string();
      if (json_only && ext != ".json" && ext != ".ndjson" && ext != ".jsonl") continue;
      auto bytes = ReadFile(entry.path().string());
      if (bytes.ok()) out.push_back(*std::move(bytes));
    }
  };
  for (const char* fuzzer : {"structure_json_fuzzer", "structure_csv_fuzzer",
                             "structure_binary_fuzzer"}) {
    add_dir(kSource + "/tests/structure/corpus/" + fuzzer, false);
  }
  add_dir(kSource + "/rules", true);
  add_dir(kSource + "/schemas", true);
  add_dir(kSource + "/tests", true);
  return out;
}

void ExpectSameMap(const OffsetMap& a, const OffsetMap& b) {
  ASSERT_EQ(a.pieces().size(), b.pieces().size());
  EXPECT_EQ(a.derived_size(), b.derived_size());
  for (size_t i = 0; i < a.pieces().size(); ++i) {
    const OffsetMap::Piece& p = a.pieces()[i];
    const OffsetMap::Piece& q = b.pieces()[i];
    EXPECT_EQ(p.derived_begin, q.derived_begin);
    EXPECT_EQ(p.source_begin, q.source_begin);
    EXPECT_EQ(p.derived_length, q.derived_length);
    EXPECT_EQ(p.source_length_and_flag, q.source_length_and_flag);
  }
}

// Every field of `lean` the component analysis reads equals `full`'s.
// Without counts (a valid document is then not walked), counts but escaped_strings and
// max_depth are 0.
void ExpectSameForTheAnalysis(const StructureReport& full, const StructureReport& lean,
                              std::string_view data, bool counts = true) {
  EXPECT_FALSE(lean.text.has_value());
  ASSERT_EQ(full.json.has_value(), lean.json.has_value());
  if (full.json) {
    const JsonReport& f = *full.json;
    const JsonReport& l = *lean.json;
    EXPECT_EQ(f.valid, l.valid);
    EXPECT_EQ(f.status, l.status);
    EXPECT_EQ(f.error_code, l.error_code);
    EXPECT_EQ(f.error_offset, l.error_offset);
    EXPECT_EQ(f.error_offset_exact, l.error_offset_exact);
    EXPECT_EQ(counts ? f.max_depth : 0, l.max_depth);
    EXPECT_EQ(f.lone_surrogates, l.lone_surrogates);
    EXPECT_EQ(f.counts.escaped_strings, l.counts.escaped_strings);
    EXPECT_EQ(counts ? f.counts.huge_numbers : 0, l.counts.huge_numbers);
    EXPECT_EQ(counts ? f.counts.keys : 0, l.counts.keys);
    EXPECT_EQ(counts ? f.counts.numbers : 0, l.counts.numbers);
    EXPECT_EQ(f.records, l.records);
    EXPECT_EQ(f.valid_records, l.valid_records);
    EXPECT_EQ(f.invalid_records, l.invalid_records);
    EXPECT_EQ(f.blank_lines, l.blank_lines);
    ASSERT_EQ(f.record_info.size(), l.record_info.size());
    for (size_t i = 0; i < f.record_info.size(); ++i) {
      EXPECT_EQ(f.record_info[i].offset, l.record_info[i].offset);
      EXPECT_EQ(f.record_info[i].length, l.record_info[i].length);
      EXPECT_EQ(f.record_info[i].valid, l.record_info[i].valid);
      EXPECT_EQ(f.record_info[i].error, l.record_info[i].error);
      EXPECT_EQ(f.record_info[i].error_offset, l.record_info[i].error_offset);
    }
    EXPECT_EQ(f.decoded_strings.text, l.decoded_strings.text);
    EXPECT_EQ(f.decoded_strings.count, l.decoded_strings.count);
    ExpectSameMap(f.decoded_strings.map, l.decoded_strings.map);
    EXPECT_TRUE(l.key_paths.empty());
    EXPECT_TRUE(l.schema_fingerprint.empty());
  }
  // Of a binary the analysis reads the UTF-16 strings (not the ASCII ones, the entropy
  // profile or the signatures).
  ASSERT_EQ(full.binary.has_value(), lean.binary.has_value());
  if (full.binary) {
    std::vector<const ExtractedString*> utf16;
    for (const ExtractedString& str : full.binary->strings) {
      if (str.utf16) utf16.push_back(&str);
    }
    ASSERT_EQ(utf16.size(), lean.binary->strings.size());
    for (size_t i = 0; i < utf16.size(); ++i) {
      const ExtractedString& l = lean.binary->strings[i];
      EXPECT_EQ(utf16[i]->offset, l.offset);
      EXPECT_EQ(utf16[i]->byte_length, l.byte_length);
      EXPECT_EQ(utf16[i]->big_endian, l.big_endian);
      EXPECT_EQ(utf16[i]->text, l.text);
    }
    EXPECT_EQ(full.binary->strings_truncated, lean.binary->strings_truncated);
  }
  // Of a CSV, the dialect and the locator (below); with the record pass (as the analysis
  // runs without counts, it has none: its locator indexes the records when it has
  // candidates) also the status and the records.
  ASSERT_EQ(full.csv.has_value(), lean.csv.has_value());
  if (full.csv) {
    EXPECT_EQ(full.csv->dialect.delimiter, lean.csv->dialect.delimiter);
    EXPECT_EQ(full.csv->dialect.quote, lean.csv->dialect.quote);
    EXPECT_EQ(full.csv->dialect.has_header, lean.csv->dialect.has_header);
    if (counts) {
      EXPECT_EQ(full.csv->status, lean.csv->status);
      EXPECT_EQ(full.csv->unterminated_quote_offset, lean.csv->unterminated_quote_offset);
      EXPECT_EQ(full.csv->records, lean.csv->records);
    } else {
      EXPECT_EQ(lean.csv->records, 0u);
    }
  }
  ASSERT_EQ(full.layers.buffers.size(), lean.layers.buffers.size());
  EXPECT_EQ(full.layers.truncated, lean.layers.truncated);
  for (size_t i = 0; i < full.layers.buffers.size(); ++i) {
    EXPECT_EQ(full.layers.buffers[i].data, lean.layers.buffers[i].data);
    EXPECT_EQ(full.layers.buffers[i].component_span, lean.layers.buffers[i].component_span);
    ExpectSameMap(full.layers.buffers[i].map, lean.layers.buffers[i].map);
  }
  // Positions: a sample of offsets, and every one of a small input.
  const uint64_t step = std::max<uint64_t>(1, data.size() / 97);
  for (uint64_t offset = 0; offset <= data.size(); offset += step) {
    const StructuralLocation a = full.Locate(offset);
    const StructuralLocation b = lean.Locate(offset);
    ASSERT_EQ(a.line.has_value(), b.line.has_value());
    if (a.line) {
      EXPECT_EQ(a.line->line, b.line->line);
      EXPECT_EQ(a.line->column, b.line->column);
      EXPECT_EQ(a.line->column_chars, b.line->column_chars);
    }
    ASSERT_EQ(a.json.has_value(), b.json.has_value()) << offset;
    if (a.json) {
      EXPECT_EQ(a.json->pointer, b.json->pointer);
      EXPECT_EQ(a.json->key, b.json->key);
      EXPECT_EQ(a.json->record, b.json->record);
      EXPECT_EQ(a.json->span, b.json->span);
    }
    ASSERT_EQ(a.csv.has_value(), b.csv.has_value());
    if (a.csv) {
      EXPECT_EQ(a.csv->row, b.csv->row);
      EXPECT_EQ(a.csv->column, b.csv->column);
      EXPECT_EQ(a.csv->record, b.csv->record);
      EXPECT_EQ(a.csv->column_name, b.csv->column_name);
    }
  }
}

TEST(LeanStructureTest, WhatTheAnalysisReadsIsTheFullAnalysis) {
  const std::vector<std::string> inputs = Fixtures();
  ASSERT_GT(inputs.size(), 2000u);  // the fuzzer corpora are there
  // Without a locator, also without counts: as the analysis runs a component without
  // candidates (valid documents are not walked, JsonOptions::counts).
  for (const auto& [locator, counts] : {std::pair{false, true}, {true, true}, {false, false}}) {
    StructureOptions full_options;
    full_options.json.build_locator = locator;
    StructureOptions lean_options = full_options;
    lean_options.text_statistics = false;
    lean_options.json.statistics = false;
    lean_options.json.counts = counts;
    lean_options.binary.ascii_strings = false;
    lean_options.binary.entropy_profile = false;
    lean_options.binary.signatures = false;
    lean_options.csv.statistics = false;
    lean_options.csv.index_records = counts;
    JsonAnalyzer full_json(full_options.json), lean_json(lean_options.json);
    for (const std::string& input : inputs) {
      for (const StructureKind kind : {StructureKind::kJson, StructureKind::kNdjson,
                                       StructureKind::kCsv, StructureKind::kText,
                                       StructureKind::kBinary}) {
        SCOPED_TRACE(testing::Message() << StructureKindName(kind) << " of " << input.size()
                                        << " bytes: " << input.substr(0, 60));
        const StructureReport full = AnalyzeStructure(input, kind, full_options, &full_json);
        StructureReport lean = AnalyzeStructure(input, kind, lean_options, &lean_json);
        if (lean.csv) lean.csv->locator.IndexRecords();
        ExpectSameForTheAnalysis(full, lean, input, counts);
        if (HasFatalFailure()) return;
        // The next input decodes into these buffers, as in the component analysis.
        if (lean.json) lean_json.Recycle(std::move(lean.json->decoded_strings));
      }
    }
  }
}

// At each target: pointer, innermost key and record of `got` are those of `want`.
void ExpectSameLocations(const JsonLocator& want, const JsonLocator& got,
                         const std::vector<uint64_t>& targets) {
  for (const uint64_t t : targets) {
    const std::optional<JsonLocator::Location> a = want.Locate(t);
    const std::optional<JsonLocator::Location> b = got.Locate(t);
    ASSERT_EQ(a.has_value(), b.has_value()) << "target " << t;
    if (!a) continue;
    EXPECT_EQ(a->pointer, b->pointer) << "target " << t;
    EXPECT_EQ(a->key, b->key) << "target " << t;
    EXPECT_EQ(a->record, b->record) << "target " << t;
  }
}

// The component analysis locates only its candidates (JsonAnalyzer::LocateTargets: the
// locator keeps the entries that hold a target, and the walk stops after the last one).
// For each target, pointer, innermost key and record must be the full locator's: single
// targets at the start, the middle and the end, a pair, and a spread of offsets at once,
// on every fixture as a document and as NDJSON (valid, invalid and truncated ones alike).
void ExpectTargetsLocatedAsTheFullLocator(std::string_view data, bool ndjson,
                                          JsonAnalyzer& full, JsonAnalyzer& targeted) {
  const JsonReport report = ndjson ? full.AnalyzeNdjson(data) : full.Analyze(data);
  ASSERT_TRUE(report.locator.has_value());
  const uint64_t n = data.size();
  std::vector<std::vector<uint64_t>> sets = {{0}, {n / 2}, {n == 0 ? 0 : n - 1}, {n / 4, 3 * n / 4}};
  std::vector<uint64_t> spread;
  for (uint64_t t = 0; t < n; t += std::max<uint64_t>(1, n / 61)) spread.push_back(t);
  sets.push_back(spread);
  for (std::vector<uint64_t>& targets : sets) {
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    // A valid document is located both ways: walked, and with the containers that hold no
    // target skipped (those that do walked from a parse of their own).
    for (const bool skipping : {false, true}) {
      if (skipping && !report.valid) continue;
      SCOPED_TRACE(skipping ? "skipping" : "walking");
      const JsonLocator located = targeted.LocateTargets(data, ndjson, targets, skipping);
      EXPECT_LE(located.entry_count(), report.locator->entry_count());
      ExpectSameLocations(*report.locator, located, targets);
      if (testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(LeanStructureTest, LocatingTargetsOnlyGivesTheFullLocatorsAnswers) {
  const std::vector<std::string> inputs = Fixtures();
  ASSERT_GT(inputs.size(), 2000u);
  JsonOptions options;  // as the analysis' locating walk
  options.statistics = false;
  options.counts = false;
  options.decode_strings = false;
  JsonAnalyzer full, targeted(options);
  for (const std::string& input : inputs) {
    for (const bool ndjson : {false, true}) {
      SCOPED_TRACE(testing::Message() << (ndjson ? "ndjson" : "json") << " of " << input.size()
                                      << " bytes: " << input.substr(0, 60));
      ExpectTargetsLocatedAsTheFullLocator(input, ndjson, full, targeted);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_EQ(targeted.LocateTargets("{\"a\":1}", false, {}).entry_count(), 0u);
}

// One candidate in a large document: the locator holds its ancestors, not every value.
TEST(LeanStructureTest, LocatingOneTargetKeepsItsAncestorsOnly) {
  std::string doc = "{\"items\":[";
  for (int i = 0; i < 5000; ++i) doc += (i ? "," : "") + std::string("{\"k\":[1,2,{\"v\":\"x\"}]}");
  doc += "]}";
  const uint64_t target = doc.find("\"x\"", doc.size() / 2);
  JsonOptions options;
  options.statistics = false;
  options.counts = false;
  JsonAnalyzer full, targeted(options);
  const JsonLocator located = targeted.LocateTargets(doc, false, {target});
  const std::optional<JsonLocator::Location> where = located.Locate(target);
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->pointer, full.Analyze(doc).locator->Locate(target)->pointer);
  EXPECT_EQ(where->key, "v");
  // root, "items", the element, "k", element 2, "v"
  EXPECT_EQ(located.entry_count(), 6u);
}

// Skipping the containers that hold no target (a valid document): every target is
// located as the full locator locates it, whether it lies in a key, a string, a number or
// between values, at any depth, in records without and with wrappers around them; nested
// containers past the re-parse budget (twice the document) are walked whole, and the
// locator keeps the same entries as the walk that does not skip.
TEST(LeanStructureTest, SkippingContainersWithoutTargetsLocatesAsTheFullLocator) {
  std::string records = "[";
  for (int i = 0; i < 400; ++i) {
    records += (i ? ", " : "") + std::string("{\"id\": ") + std::to_string(i) +
               ", \"key_" + std::to_string(i) + "\": {\"tags\": [\"a\", [1, 2, {\"v\": \"s" +
               std::to_string(i) + "\"}]], \"n\": null}, \"e\": []}";
  }
  records += "]";
  std::string deep = "{\"w\": ";
  for (int i = 0; i < 300; ++i) deep += "[0, ";
  deep += "\"bottom\"";
  for (int i = 0; i < 300; ++i) deep += ", {\"after\": 1}]";
  deep += "}";
  const std::vector<std::string> documents = {
      records, "{\"data\": {\"items\": " + records + ", \"more\": " + records + "}}", deep,
      "[[[[]]], {\"k\": {}}, [{\"k\": [{}]}]]"};
  JsonOptions options;  // as the analysis' locating walk
  options.statistics = false;
  options.counts = false;
  options.decode_strings = false;
  JsonAnalyzer full, walking(options), skipping(options);
  for (const std::string& doc : documents) {
    const JsonReport report = full.Analyze(doc);
    ASSERT_TRUE(report.valid);
    const uint64_t n = doc.size();
    std::vector<std::vector<uint64_t>> sets;
    for (const std::string_view needle : {"\"s123\"", "key_7", "bottom", "\"after", "null", "[]", "[{}]"}) {
      const size_t at = doc.find(needle);
      if (at != std::string::npos) sets.push_back({at, at + 1});
    }
    sets.push_back({n / 3, n / 2, 2 * n / 3});
    std::vector<uint64_t> every_byte;
    for (uint64_t t = 0; t < n; t += 7) every_byte.push_back(t);
    sets.push_back(every_byte);
    for (const std::vector<uint64_t>& targets : sets) {
      SCOPED_TRACE(testing::Message() << doc.substr(0, 40) << " at " << targets.front());
      const JsonLocator walked = walking.LocateTargets(doc, false, targets, false);
      const JsonLocator skipped = skipping.LocateTargets(doc, false, targets, true);
      EXPECT_EQ(walked.entry_count(), skipped.entry_count());
      ExpectSameLocations(*report.locator, skipped, targets);
      if (HasFatalFailure()) return;
    }
  }
  // One target in a string of the 124th record: the root, the record, "key_123", "tags",
  // element 1, element 2 and "v" hold it; nothing else is kept.
  const uint64_t target = records.find("\"s123\"");
  const JsonLocator located = skipping.LocateTargets(records, false, {target}, true);
  EXPECT_EQ(located.entry_count(), 7u);
  EXPECT_EQ(located.Locate(target)->pointer, "/123/key_123/tags/1/2/v");
}

// An NDJSON export: only the records that hold a target are walked. The invalid records
// before the targets would leave their open entries in the locator if they were walked.
TEST(LeanStructureTest, NdjsonRecordsWithoutTargetsAreNotWalked) {
  std::string data;
  std::vector<uint64_t> targets;
  for (int i = 0; i < 3000; ++i) {
    if (i % 500 == 7) {
      data += "{\"broken\": [1, {\"a\": \n";  // invalid: the record ends inside two containers
      continue;
    }
    if (i % 700 == 3) data += "   \r\n";  // blank
    const std::string record = "{\"id\":" + std::to_string(i) + ",\"tags\":[\"t\",{\"v\":\"secret" +
                               std::to_string(i) + "\"}]}";
    if (i == 1234 || i == 2999) targets.push_back(data.size() + record.find("secret"));
    data += record + (i % 2 ? "\r\n" : "\n");
  }
  JsonOptions options;  // as the analysis' locating walk
  options.statistics = false;
  options.counts = false;
  options.decode_strings = false;
  JsonAnalyzer full, targeted(options);
  const JsonReport report = full.AnalyzeNdjson(data);
  ASSERT_TRUE(report.locator.has_value());
  const JsonLocator located = targeted.LocateTargets(data, true, targets);
  for (const uint64_t t : targets) {
    const std::optional<JsonLocator::Location> want = report.locator->Locate(t);
    const std::optional<JsonLocator::Location> got = located.Locate(t);
    ASSERT_TRUE(want.has_value());
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(want->pointer, got->pointer);
    EXPECT_EQ(want->key, got->key);
    EXPECT_EQ(want->record, got->record);
    EXPECT_EQ(got->pointer, "/tags/1/v");
  }
  // Per target: the record's root, "tags", its element 1, "v".
  EXPECT_EQ(located.entry_count(), 4 * targets.size());
  ExpectTargetsLocatedAsTheFullLocator(data, true, full, targeted);
}

}  // namespace
}  // namespace trawl
