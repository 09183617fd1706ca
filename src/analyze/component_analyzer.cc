// File: component_analyzer.cc
#include "analyze/component_analyzer.h"

#include <algorithm>

#include "classify/classify.h"
#include "entities/entity.h"
#include "structure/json_structure.h"
#include "structure/structure_summary.h"
#include "util/digest.h"
#include "util/strings.h"

namespace trawl {
namespace {

StructureKind KindFor(Format format) {
  switch (format) {
    case Format::kJson: return StructureKind::kJson;
    case Format::kNdjson: return StructureKind::kNdjson;
    case Format::kCsv: return StructureKind::kCsv;
    case Format::kTsv: return StructureKind::kTsv;
    case Format::kElf:
    case Format::kPe:
    case Format::kMachO:
    case Format::kImage:
    case Format::kPdf:
    case Format::kArchive:
    case Format::kOoxml:
    case Format::kBinary: return StructureKind::kBinary;
    default: return StructureKind::kText;
  }
}

std::string Fingerprint(std::string_view key, std::string_view rule_id, std::string_view value) {
  const Sha256Digest mac = HmacSha256(key, StrCat(rule_id, std::string_view("\0", 1), value));
  return ToHex(mac.data(), 16);
}

}  // namespace

struct ComponentAnalyzer::Impl {
  std::shared_ptr<const Database> db;
  std::unique_ptr<Scanner> scanner;
  JsonAnalyzer json;
  ContextScorer scorer;
};

ComponentAnalyzer::ComponentAnalyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ComponentAnalyzer::~ComponentAnalyzer() = default;

absl::StatusOr<std::unique_ptr<ComponentAnalyzer>> ComponentAnalyzer::Create(
    std::shared_ptr<const Database> db) {
  auto scanner = Scanner::Create(db);
  if (!scanner.ok()) return scanner.status();
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  impl->scanner = *std::move(scanner);
  return std::unique_ptr<ComponentAnalyzer>(new ComponentAnalyzer(std::move(impl)));
}

absl::StatusOr<ComponentResult> ComponentAnalyzer::Analyze(const Component& component,
                                                           std::string_view content,
                                                           const AnalyzeOptions& options) {
  ComponentResult result;
  result.component_id = component.id;
  result.path = component.path;
  if (!component.has_content) {
    result.status = "skipped";
    result.reason = component.kind == ComponentKind::kFile
                        ? StrCat("no content: ", ComponentStatusName(component.status),
                                 component.reason.empty() ? "" : ": ", component.reason)
                        : StrCat(ComponentKindName(component.kind), " (its entries are components)");
    return result;
  }
  if (!component.duplicate_of.empty()) {
    result.status = "skipped";
    result.reason = StrCat("duplicate of ", component.duplicate_of);
    return result;
  }
  result.status = "analysed";
  if (!component.content_complete) {
    result.reason = StrCat("partial content (", ComponentStatusName(component.status), ")");
  }
  const Classification classification = Classify(content, component.name);
  result.format = std::string(FormatName(classification.format));
  result.encoding = std::string(TextEncodingName(classification.encoding));

  const Database& db = *impl_->db;
  struct Raw {
    uint32_t rule;
    uint64_t start, end, value_start, value_end;
  };
  std::vector<Raw> raw;
  auto summary = impl_->scanner->Scan(content, options.limits, [&](const Match& m) {
    Raw r{m.rule, m.start, m.end, m.start, m.end};
    if (m.capture_count >= 1 && m.captures[0] >= 0) {
      r.value_start = static_cast<uint64_t>(m.captures[0]);
      r.value_end = static_cast<uint64_t>(m.captures[1]);
    }
    raw.push_back(r);
    return true;
  });
  if (!summary.ok()) return summary.status();
  result.bytes_scanned = summary->bytes_scanned;
  result.truncation = summary->truncation;
  if (summary->truncation) {
    StrAppend(&result.reason, result.reason.empty() ? "" : "; ", "scan truncated: ",
              TruncationReasonsText(summary->truncation));
  }
  if (raw.empty()) return result;

  // Structure only when there is something to place.
  StructureReport structure =
      AnalyzeStructure(content, KindFor(classification.format), {}, &impl_->json);
  for (const Raw& r : raw) {
    const Definition& def = db.definitions()[r.rule];
    const StructuralLocation where = structure.Locate(r.start);
    std::string_view key;
    Finding f;
    if (where.line) {
      f.line = static_cast<int64_t>(where.line->line);
      f.column = static_cast<int64_t>(where.line->column);
    }
    if (where.json) {
      f.json_pointer = where.json->pointer;
      key = where.json->key;
    }
    if (where.csv) {
      f.csv_row = where.csv->row;
      f.csv_column = where.csv->column_name;
      key = where.csv->column_name;
    }
    Candidate candidate;
    candidate.rule_id = def.id;
    candidate.entity = def.entity;
    candidate.validator = def.validator;
    candidate.base_confidence = def.confidence;
    candidate.data = content;
    candidate.begin = r.start;
    candidate.end = r.end;
    candidate.value_begin = r.value_start;
    candidate.value_end = r.value_end;
    candidate.key = key;
    candidate.rule_keywords = def.keywords;
    std::optional<Entity> entity = Recognize(candidate, impl_->scorer);
    if (!entity) {
      ++result.dropped_candidates;
      continue;
    }
    f.rule_id = def.id;
    f.category = def.category;
    f.severity = def.severity;
    f.component_id = component.id;
    f.path = component.path;
    f.start = r.start;
    f.end = r.end;
    const std::string_view value = content.substr(r.value_start, r.value_end - r.value_start);
    f.fingerprint = Fingerprint(options.fingerprint_key, def.id, value);
    if (options.include_values) f.value = std::string(value);
    f.entity = def.entity.empty() ? entity->type : def.entity;
    f.validator = entity->validator;
    f.validated = entity->validated;
    f.confidence = entity->confidence;
    f.entropy = entity->entropy;
    f.reasons = std::move(entity->reasons);
    result.findings.push_back(std::move(f));
  }
  return result;
}

}  // namespace trawl
