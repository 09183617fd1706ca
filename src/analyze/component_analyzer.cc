// File: component_analyzer.cc
#include "analyze/component_analyzer.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "analyze/finding_merge.h"
#include "classify/classify.h"
#include "classify/transcode.h"
#include "engine/indicator_set.h"
#include "entities/entity.h"
#include "entities/indicator_lookup.h"
#include "intake/skip_policy.h"
#include "structure/binary_structure.h"
#include "structure/csv_structure.h"
#include "structure/defang.h"
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

// "maltrail:malware:agenttesla": feed, category without its "indicator/" prefix, family.
std::string IndicatorRuleId(const IndicatorSet::Meta& meta) {
  std::string_view category = meta.category;
  if (StartsWith(category, "indicator/")) category.remove_prefix(10);
  std::string id = StrCat(meta.feed, ":", category.empty() ? "indicator" : category);
  if (!meta.family.empty()) StrAppend(&id, ":", meta.family);
  return id;
}

// Scores travel between stages as JSON with six decimals; rounding here makes the
// in-process report and the stage-by-stage one byte-identical.
double RoundForDocuments(double value) { return std::round(value * 1e6) / 1e6; }

JsonOptions WithLocator(bool locator) {
  JsonOptions options;
  options.build_locator = locator;
  return options;
}

}  // namespace

void RedactValueFromReasons(std::string_view value, std::vector<std::string>* reasons) {
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string lower_value = lower(value);
  constexpr std::string_view kDelimiters = " '\"=,;()[]";
  for (std::string& reason : *reasons) {
    std::string out;
    size_t i = 0;
    while (i < reason.size()) {
      if (kDelimiters.find(reason[i]) != std::string_view::npos) {
        out.push_back(reason[i++]);
        continue;
      }
      size_t end = i;
      while (end < reason.size() && kDelimiters.find(reason[end]) == std::string_view::npos) ++end;
      const std::string_view word = std::string_view(reason).substr(i, end - i);
      const std::string_view before = std::string_view(reason).substr(0, i);
      const bool names_value = EndsWith(before, "registrable=") || EndsWith(before, "hrp=");
      const bool quotes_value =
          word.size() >= 3 && lower_value.find(lower(word)) != std::string::npos;
      out.append(names_value || quotes_value ? std::string_view("[redacted]") : word);
      i = end;
    }
    reason = std::move(out);
  }
}

ComponentResult SkippedResult(const Component& component, std::string_view package_id,
                              std::string reason) {
  ComponentResult result;
  result.package_id = std::string(package_id);
  result.component_id = component.id;
  result.path = component.path;
  result.status = "skipped";
  result.reason = std::move(reason);
  return result;
}

// Two JSON analyzers: every JSON component gets statistics and decoded strings (so
// escaped secrets are scanned), but the offset locator (24 bytes per value, a third of
// the JSON analysis time) is built only for components that have candidates to place;
// most have none. The raw scan runs first, so a component with raw candidates is
// analysed with the locator in one pass; one whose only candidates come from its
// decoded strings or layers gets a second, locating pass.
struct ComponentAnalyzer::Impl {
  std::shared_ptr<const Database> db;
  std::unique_ptr<Scanner> scanner;
  JsonAnalyzer json_stats{WithLocator(false)};
  JsonAnalyzer json_located{WithLocator(true)};
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
                                                           std::string_view original,
                                                           const AnalyzeOptions& options) {
  if (std::optional<std::string> skip = SkipReason(component)) {
    return SkippedResult(component, options.package_id, *std::move(skip));
  }
  ComponentResult result;
  result.package_id = options.package_id;
  result.component_id = component.id;
  result.path = component.path;
  result.database = ToHex(impl_->db->definitions_digest());
  result.status = "analysed";
  if (!component.content_complete) {
    result.reason = StrCat("partial content (", ComponentStatusName(component.status), ")");
  }
  const Classification classification = Classify(original, component.name);
  result.format = std::string(FormatName(classification.format));
  result.encoding = std::string(TextEncodingName(classification.encoding));
  // UTF-16 text is scanned as UTF-8 (patterns are written for it) and every finding is
  // mapped back to the original bytes.
  std::optional<TranscodedText> transcoded;
  if (classification.encoding == TextEncoding::kUtf16Le ||
      classification.encoding == TextEncoding::kUtf16Be) {
    auto utf8 = TranscodeToUtf8(original, classification.encoding);
    if (utf8.ok()) {
      transcoded = *std::move(utf8);
    } else {
      StrAppend(&result.reason, "UTF-16 transcoding failed (", std::string(utf8.status().message()),
                "); scanned the raw bytes");
    }
  }
  const std::string_view content = transcoded ? std::string_view(transcoded->utf8) : original;

  const Database& db = *impl_->db;
  // A match found in some buffer: the raw content, the decoded JSON strings, or a
  // decoded base64/hex layer; `component` is its span mapped back to the content.
  struct Raw {
    uint32_t rule;
    int32_t source;  // kRawSource, kJsonSource, or an index into the encoded layers
    uint64_t start, end, value_start, value_end;  // in the source buffer
    ByteSpan component;
  };
  constexpr int32_t kRawSource = -1;
  constexpr int32_t kJsonSource = -2;
  constexpr int32_t kWideSource = -3;      // UTF-16 strings of a binary
  constexpr int32_t kRefangedSource = -4;  // defanged indicators made live
  std::vector<Raw> raw;
  uint32_t truncation = 0;
  auto scan = [&](std::string_view buffer, int32_t source) -> absl::Status {
    auto summary = impl_->scanner->Scan(buffer, options.limits, [&](const Match& m) {
      Raw r{m.rule, source, m.start, m.end, m.start, m.end, {}};
      if (m.capture_count >= 1 && m.captures[0] >= 0) {
        r.value_start = static_cast<uint64_t>(m.captures[0]);
        r.value_end = static_cast<uint64_t>(m.captures[1]);
      }
      raw.push_back(r);
      return true;
    });
    if (!summary.ok()) return summary.status();
    if (source == kRawSource) result.bytes_scanned = summary->bytes_scanned;
    truncation |= summary->truncation;
    return absl::OkStatus();
  };
  if (absl::Status status = scan(content, kRawSource); !status.ok()) return status;
  for (Raw& r : raw) r.component = {r.start, r.end};

  // Secrets hidden by encoding: escaped JSON strings are scanned in decoded form, and
  // base64/hex blobs are decoded (depth- and size-limited) and scanned as layers.
  StructureKind kind = KindFor(classification.format);
  // Classification samples lines; a quoted field with an embedded newline hides a CSV
  // from it. The quote-aware dialect detector gets the last word for plain text.
  if (classification.format == Format::kPlainText) {
    bool detected = false;
    const CsvDialect dialect = DetectCsvDialect(content, {}, &detected);
    if (detected) {
      kind = dialect.delimiter == '\t' ? StructureKind::kTsv : StructureKind::kCsv;
      result.format = kind == StructureKind::kTsv ? "tsv" : "csv";
    }
  }
  StructureReport structure =
      AnalyzeStructure(content, kind, {}, raw.empty() ? &impl_->json_stats : &impl_->json_located);
  const DecodedStrings* decoded =
      structure.json && structure.json->counts.escaped_strings > 0
          ? &structure.json->decoded_strings
          : nullptr;
  if (decoded != nullptr) {
    const size_t first = raw.size();
    if (absl::Status status = scan(decoded->text, kJsonSource); !status.ok()) return status;
    for (size_t i = first; i < raw.size(); ++i) {
      raw[i].component = decoded->MapRange(raw[i].start, raw[i].end);
    }
  }
  // Binaries: UTF-16 strings (LE and BE) are invisible to the byte-level scan (ASCII
  // strings are not: they are in the raw bytes). Their transcription is scanned too and
  // matches are mapped back to the UTF-16 bytes.
  std::optional<DerivedBuffer> wide;
  if (structure.binary) {
    std::vector<ExtractedString> utf16;
    for (const ExtractedString& s : structure.binary->strings) {
      if (s.utf16) utf16.push_back(s);
    }
    if (!utf16.empty()) {
      wide = StringsAsBuffer(utf16);
      const size_t first = raw.size();
      if (absl::Status status = scan(wide->data, kWideSource); !status.ok()) return status;
      for (size_t i = first; i < raw.size(); ++i) {
        raw[i].component = wide->map.MapRange(raw[i].start, raw[i].end);
      }
    }
  }
  // Defanged indicators in text ("95.130.15[.]34", "hxxp://") are scanned in their live
  // form too, and reported at the defanged bytes.
  std::optional<DerivedBuffer> refanged;
  if (!structure.binary) refanged = Refang(content);
  if (refanged) {
    const size_t first = raw.size();
    if (absl::Status status = scan(refanged->data, kRefangedSource); !status.ok()) return status;
    for (size_t i = first; i < raw.size(); ++i) {
      raw[i].component = refanged->map.MapRange(raw[i].start, raw[i].end);
    }
  }
  for (size_t layer = 0; layer < structure.layers.buffers.size(); ++layer) {
    const size_t first = raw.size();
    const int32_t source = static_cast<int32_t>(layer);
    if (absl::Status status = scan(structure.layers.buffers[layer].data, source); !status.ok()) {
      return status;
    }
    for (size_t i = first; i < raw.size(); ++i) {
      raw[i].component = structure.layers.MapToComponent(layer, raw[i].start, raw[i].end);
    }
  }
  // Candidates need their JSON pointer and key (context for the scorer): only now, and
  // only for a component that has any, is the locator built.
  if (!raw.empty() && structure.json && !structure.json->locator) {
    JsonReport located = kind == StructureKind::kJson ? impl_->json_located.Analyze(content)
                                                      : impl_->json_located.AnalyzeNdjson(content);
    structure.json->locator = std::move(located.locator);
  }
  result.truncation = truncation;
  if (truncation) {
    StrAppend(&result.reason, result.reason.empty() ? "" : "; ", "scan truncated: ",
              TruncationReasonsText(truncation));
  }

  // A decoded-form match of a rule that also matched the raw bytes at the same place is
  // the same finding: keep the raw one. A refanged buffer repeats every raw match, so the
  // lookup is a binary search: raw spans sorted by (rule, begin), with the largest end
  // so far per rule; a span overlaps [b, e) iff one with begin < e ends after b.
  struct RawSpan {
    uint32_t rule;
    uint64_t begin, end, max_end;
  };
  std::vector<RawSpan> raw_spans;
  for (const Raw& r : raw) {
    if (r.source == kRawSource) {
      raw_spans.push_back({r.rule, r.component.begin, r.component.end, 0});
    }
  }
  std::sort(raw_spans.begin(), raw_spans.end(), [](const RawSpan& a, const RawSpan& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.begin < b.begin;
  });
  for (size_t i = 0; i < raw_spans.size(); ++i) {
    const bool same_rule = i > 0 && raw_spans[i - 1].rule == raw_spans[i].rule;
    raw_spans[i].max_end =
        same_rule ? std::max(raw_spans[i - 1].max_end, raw_spans[i].end) : raw_spans[i].end;
  }
  const auto overlaps_raw = [&raw_spans](uint32_t rule, ByteSpan span) {
    auto it = std::lower_bound(raw_spans.begin(), raw_spans.end(), std::make_pair(rule, span.end),
                               [](const RawSpan& a, const std::pair<uint32_t, uint64_t>& key) {
                                 return a.rule != key.first ? a.rule < key.first
                                                            : a.begin < key.second;
                               });
    if (it == raw_spans.begin()) return false;
    --it;
    return it->rule == rule && it->max_end > span.begin;
  };
  std::vector<std::string> normalized;  // parallel to result.findings
  // Indicator hits: one per rule (feed, category, family) and place is kept (a URL and the
  // domain inside it find the same listed host; an IP one family lists with two ports).
  const IndicatorSet* indicators = db.indicators();
  std::vector<IndicatorHitInfo> hits;
  std::vector<Finding> indicator_findings;
  const auto add_indicator_finding = [&](const Finding& where, std::string_view value,
                                         std::string_view entity, IndicatorHitInfo hit) {
    Finding f = where;
    f.rule_id = IndicatorRuleId(hit.meta);
    f.category = std::string(hit.meta.category);
    f.severity = hit.meta.severity;
    f.entity = std::string(entity);
    f.validator = "indicator";
    f.validated = true;
    f.confidence = RoundForDocuments(hit.confidence);
    f.fingerprint = Fingerprint(options.fingerprint_key, f.rule_id, value);
    f.indicator.feed = std::string(hit.meta.feed);
    f.indicator.family = std::string(hit.meta.family);
    f.indicator.match = std::string(IndicatorMatchName(hit.match));
    f.indicator.type = std::string(IndicatorTypeName(hit.hit.type));
    f.indicator.source = std::string(hit.meta.source);
    f.reasons = {std::move(hit.reason)};
    if (options.include_values) {
      f.value = std::string(value);
      f.normalized = std::move(hit.looked_up);
      f.indicator.value = std::string(hit.hit.value);
    } else {
      // As aggregation redacts a result kept with values: the same bytes either way.
      RedactValueFromReasons(value, &f.reasons);
    }
    indicator_findings.push_back(std::move(f));
  };
  for (const Raw& r : raw) {
    // A decoded-form match where the rule matched the raw bytes too is not a finding
    // again, but its value may differ ("nanopc\u002elinkpc.net" decoded): indicators
    // still look it up, and the hits are merged per place below.
    const bool shadowed = r.source != kRawSource && overlaps_raw(r.rule, r.component);
    if (shadowed && indicators == nullptr) continue;
    const std::string_view buffer = r.source == kRawSource    ? content
                                    : r.source == kJsonSource ? std::string_view(decoded->text)
                                    : r.source == kWideSource ? std::string_view(wide->data)
                                    : r.source == kRefangedSource
                                        ? std::string_view(refanged->data)
                                        : std::string_view(structure.layers.buffers[r.source].data);
    const Definition& def = db.definition(r.rule);
    const StructuralLocation where = structure.Locate(r.component.begin);
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
    f.component_id = component.id;
    f.path = component.path;
    f.start = transcoded ? transcoded->map.ToSource(r.component.begin) : r.component.begin;
    f.end = transcoded ? transcoded->map.ToSource(r.component.end) : r.component.end;
    if (transcoded) f.decoded_from = result.encoding;
    if (r.source == kJsonSource) f.decoded_from = "json-string";
    if (r.source == kWideSource) f.decoded_from = "utf16-strings";
    if (r.source == kRefangedSource) f.decoded_from = "refanged";
    if (r.source >= 0) {
      f.decoded_from = DerivedEncodingName(structure.layers.buffers[r.source].encoding);
    }
    const std::string_view value = buffer.substr(r.value_start, r.value_end - r.value_start);
    // Threat indicators: the candidate is looked up whatever its validator says (a listed
    // domain under a suffix the list does not know is still listed).
    if (indicators != nullptr) {
      if (std::optional<CandidateKind> candidate_kind = CandidateKindOf(def.entity)) {
        hits.clear();
        LookupCandidate(*indicators, *candidate_kind, value, buffer.substr(r.value_end, 8),
                        &hits);
        for (IndicatorHitInfo& hit : hits) {
          add_indicator_finding(f, value, def.entity, std::move(hit));
        }
      }
    }
    if (shadowed) continue;
    Candidate candidate;
    candidate.rule_id = def.id;
    candidate.entity = def.entity;
    candidate.validator = def.validator;
    candidate.base_confidence = def.confidence;
    candidate.data = buffer;
    candidate.begin = r.start;
    candidate.end = r.end;
    candidate.value_begin = r.value_start;
    candidate.value_end = r.value_end;
    candidate.key = key;
    candidate.rule_keywords = def.keywords;
    RecognizeOptions recognize;
    recognize.default_region = options.default_region;
    std::optional<Entity> entity = Recognize(candidate, impl_->scorer, recognize);
    if (!entity) {
      ++result.dropped_candidates;
      continue;
    }
    f.rule_id = def.id;
    f.category = def.category;
    f.severity = def.severity;
    f.fingerprint = Fingerprint(options.fingerprint_key, def.id, value);
    if (options.include_values) f.value = std::string(value);
    f.entity = def.entity.empty() ? entity->type : def.entity;
    f.validator = entity->validator;
    f.validated = entity->validated;
    f.confidence = RoundForDocuments(entity->confidence);
    f.entropy = entity->entropy < 0 ? -1.0 : RoundForDocuments(entity->entropy);
    f.reasons = std::move(entity->reasons);
    normalized.push_back(entity->validated ? entity->value : std::string());
    if (options.include_values) f.normalized = normalized.back();
    if (!options.include_values) RedactValueFromReasons(value, &f.reasons);
    result.findings.push_back(std::move(f));
  }
  MergeSameValueFindings(&result.findings, &normalized);

  // A component whose digest a feed lists is a finding itself.
  if (indicators != nullptr && !original.empty()) {
    hits.clear();
    std::vector<std::pair<IndicatorType, std::string>> digests;
    if (indicators->HasType(IndicatorType::kSha256)) {
      digests.emplace_back(IndicatorType::kSha256,
                           component.sha256.empty() ? ToHex(Sha256Of(original)) : component.sha256);
    }
    if (indicators->HasType(IndicatorType::kSha1)) {
      digests.emplace_back(IndicatorType::kSha1, Sha1Hex(original));
    }
    if (indicators->HasType(IndicatorType::kMd5)) {
      digests.emplace_back(IndicatorType::kMd5, Md5Hex(original));
    }
    for (const auto& [type, hex] : digests) {
      const size_t first = hits.size();
      LookupFileDigest(*indicators, type, hex, &hits);
      for (size_t i = first; i < hits.size(); ++i) {
        Finding where;
        where.component_id = component.id;
        where.path = component.path;
        where.end = original.size();
        add_indicator_finding(where, hex, IndicatorTypeName(type), std::move(hits[i]));
      }
    }
  }
  // One finding per listed entry and place: the strongest match of overlapping hits.
  // Raw bytes and decoded forms of one place (a refanged line repeats every raw match)
  // are one place; the raw form wins a tie.
  std::stable_sort(indicator_findings.begin(), indicator_findings.end(),
                   [](const Finding& a, const Finding& b) {
                     return std::tie(a.rule_id, a.start) < std::tie(b.rule_id, b.start);
                   });
  const auto better = [](const Finding& a, const Finding& b) {
    return std::make_tuple(a.confidence, a.decoded_from.empty()) >
           std::make_tuple(b.confidence, b.decoded_from.empty());
  };
  for (size_t i = 0; i < indicator_findings.size();) {
    size_t best = i, j = i + 1;
    uint64_t end = indicator_findings[i].end;
    while (j < indicator_findings.size() &&
           indicator_findings[j].rule_id == indicator_findings[i].rule_id &&
           indicator_findings[j].start < end) {
      end = std::max(end, indicator_findings[j].end);
      if (better(indicator_findings[j], indicator_findings[best])) best = j;
      ++j;
    }
    result.findings.push_back(std::move(indicator_findings[best]));
    i = j;
  }
  return result;
}

}  // namespace trawl
