// File: structure_summary.cc
#include "structure/structure_summary.h"

#include "util/json_writer.h"

namespace trawl {

const char* StructureKindName(StructureKind kind) {
  switch (kind) {
    case StructureKind::kJson: return "json";
    case StructureKind::kNdjson: return "ndjson";
    case StructureKind::kCsv: return "csv";
    case StructureKind::kTsv: return "tsv";
    case StructureKind::kText: return "text";
    case StructureKind::kBinary: return "binary";
  }
  return "text";
}

StructureReport AnalyzeStructure(std::string_view data, StructureKind kind, const StructureOptions& options,
                                 JsonAnalyzer* analyzer, bool json_validated) {
  StructureReport r;
  r.kind = kind;
  r.size = data.size();
  switch (kind) {
    case StructureKind::kJson:
    case StructureKind::kNdjson: {
      std::optional<JsonAnalyzer> local;
      if (!analyzer) analyzer = &local.emplace(options.json);
      r.json = kind == StructureKind::kJson ? analyzer->Analyze(data, json_validated)
                                            : analyzer->AnalyzeNdjson(data);
      break;
    }
    case StructureKind::kCsv:
    case StructureKind::kTsv: {
      CsvOptions csv = options.csv;
      if (kind == StructureKind::kTsv && csv.delimiter == 0) csv.delimiter = '\t';
      r.csv = AnalyzeCsv(data, csv);
      break;
    }
    case StructureKind::kText:
      break;
    case StructureKind::kBinary:
      r.binary = AnalyzeBinary(data, options.binary);
      break;
  }
  if (kind != StructureKind::kBinary) {
    if (options.text_statistics) r.text = AnalyzeText(data);
    r.set_line_text(data);
  }
  if (options.find_encoded_layers) r.layers = FindEncodedLayers(data, options.layers);
  return r;
}

StructuralLocation StructureReport::Locate(uint64_t offset) const {
  StructuralLocation loc;
  loc.offset = offset;
  if (line_text_) {
    if (!lines_) lines_.emplace(*line_text_);
    loc.line = lines_->Locate(offset);
  }
  if (json && json->locator) loc.json = json->locator->Locate(offset);
  if (csv) loc.csv = csv->locator.Locate(offset);
  return loc;
}

void StructureReport::WriteJson(JsonWriter& w) const {
  w.BeginObject();
  w.Field("kind", StructureKindName(kind)).Field("size", size);
  if (json) {
    w.Key("json");
    json->WriteJson(w);
  }
  if (csv) {
    w.Key("csv");
    csv->WriteJson(w);
  }
  if (binary) {
    w.Key("binary");
    binary->WriteJson(w);
  }
  if (text) {
    w.Key("text");
    text->WriteJson(w);
  }
  w.Key("encoded_layers");
  layers.WriteJson(w);
  w.EndObject();
}

std::string StructureSummaryJson(const StructureReport& report) {
  JsonWriter w;
  report.WriteJson(w);
  return w.Take();
}

}  // namespace trawl
