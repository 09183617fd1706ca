// File: component_analyzer.cc
// One analysis runs in three parts:
//  1. scan sources: each buffer the patterns are scanned over (the content, then the
//     decoded forms the structure analysis finds) yields hits, each mapped back to the
//     content's bytes;
//  2. indicator lookups: with the entities step and a database that has an indicator
//     set, every domain, IP, URL, e-mail and hash candidate (decoded forms included: a
//     decoded value may differ from its raw form) is looked up, and the component's
//     digests too; each hit becomes a finding naming feed, family and match kind;
//  3. dedup: a decoded-form hit of a rule that also hit the raw bytes there is dropped;
//  4. finding assembly: each hit is located, validated and scored, and becomes a finding
//     at the original bytes; findings of one value that overlapping recognizers reported
//     twice are merged (analyze/finding_merge.h).
// A new buffer to scan is a ScanSource and an AddSource call. The token pass is not one:
// it runs inside every scan (engine/scanner.h), so each source gets its token matches.
#include "analyze/component_analyzer.h"
#include "analyze/inline_ignore.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <numeric>
#include <optional>
#include <set>

#include "analyze/finding_merge.h"
#include "classify/classify.h"
#include "classify/transcode.h"
#include "engine/indicator_set.h"
#include "entities/entity.h"
#include "entities/indicator_lookup.h"
#include "structure/binary_structure.h"
#include "structure/defang.h"
#include "structure/json_structure.h"
#include "structure/structure_summary.h"
#include "util/digest.h"
#include "util/hash_containers.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Scores travel between stages as JSON with six decimals; rounding here makes the
// in-process report and the stage-by-stage one byte-identical.
double RoundForDocuments(double value) { return std::round(value * 1e6) / 1e6; }

// The analysis reads the decoded strings (and their count) and the locator of a JSON
// analysis, never its key-path statistics or value counts: they are not computed, and a
// valid document without candidates is not walked at all (JsonOptions::counts).
JsonOptions WithLocator(bool locator) {
  JsonOptions options;
  options.build_locator = locator;
  options.decode_strings = !locator;  // the locating walk only locates
  options.statistics = false;
  options.counts = false;
  options.max_record_details = 0;  // no result reports an NDJSON record's details
  return options;
}

// What a plan asks the analysis to do; every step is one this analyzer knows.
struct PlannedSteps {
  std::optional<TextEncoding> transcode;
  std::set<std::string> chains;  // pattern chains; empty: no scan at all
  std::string input;             // of the scan and structure steps: "utf8" or "raw"
  bool entities = false;
  std::optional<StructureKind> structure;
  std::set<std::string> decode;  // kDecode* names
};

StructureKind KindOf(Format format, std::string_view name) {
  if (name == "json") return format == Format::kNdjson ? StructureKind::kNdjson : StructureKind::kJson;
  if (name == "csv") return format == Format::kTsv ? StructureKind::kTsv : StructureKind::kCsv;
  return name == "binary" ? StructureKind::kBinary : StructureKind::kText;
}

absl::StatusOr<PlannedSteps> StepsOf(const ProcessingPlan& plan) {
  PlannedSteps steps;
  for (const PlanStep& step : plan.steps) {
    const auto unknown = [&step](std::string_view why) {
      return absl::InvalidArgumentError(
          StrCat("plan step ", step.stage, " \"", step.name, "\" (", step.input, "): ", why));
    };
    if (step.input != "utf8" && step.input != "raw") return unknown("unknown input");
    if (step.stage == "transcode") {
      auto encoding = ParseTextEncoding(step.name);
      if (!encoding.ok() || *encoding == TextEncoding::kUtf8 || *encoding == TextEncoding::kNone ||
          step.input != "raw") {
        return unknown("not an encoding this analysis transcodes");
      }
      steps.transcode = *encoding;
      continue;
    }
    if (!steps.input.empty() && steps.input != step.input) return unknown("mixed inputs");
    steps.input = step.input;
    if (step.stage == "patterns") {
      steps.chains.insert(step.name);
    } else if (step.stage == "entities" && step.name == "entities") {
      steps.entities = true;
    } else if (step.stage == "structure" &&
               (step.name == "json" || step.name == "csv" || step.name == "text" ||
                step.name == "binary")) {
      steps.structure = KindOf(plan.format, step.name);
    } else if (step.stage == "decode" &&
               (step.name == kDecodeJsonStrings || step.name == kDecodeUtf16Strings ||
                step.name == kDecodeRefanged || step.name == kDecodeLayers)) {
      steps.decode.insert(step.name);
    } else {
      return unknown("not a step this analysis runs");
    }
  }
  if (steps.transcode && steps.input == "raw") {
    return absl::InvalidArgumentError("plan transcodes the text but analyses the raw bytes");
  }
  // Decoded forms come from the structure analysis and are scanned with the patterns.
  if (!steps.decode.empty() && (!steps.structure || steps.chains.empty())) {
    return absl::InvalidArgumentError("plan decodes without a structure step and a scan");
  }
  return steps;
}

// The structure analysis the steps ask for, reduced to what the analysis reads.
StructureOptions StructureOptionsFor(const PlannedSteps& steps) {
  StructureOptions options;
  options.find_encoded_layers = steps.decode.count(std::string(kDecodeLayers)) > 0;
  options.text_statistics = false;  // no result reports them
  options.json.statistics = false;
  options.json.counts = false;
  // Of a binary only its UTF-16 strings are read, of a CSV the dialect and locator.
  options.binary.ascii_strings = false;
  options.binary.entropy_profile = false;
  options.binary.signatures = false;
  options.csv.statistics = false;
  options.csv.index_records = false;  // indexed by the analysis for a component with candidates
  return options;
}

// Whether the DOM parse that classified a component as JSON also serves its structure
// analysis: only where the analysis reads the very bytes it covered.
bool ReusesClassifyingParse(bool validated, const ProcessingPlan& plan) {
  return validated && plan.format == Format::kJson && !plan.steps.empty() &&
         plan.steps.front().stage != "transcode";
}

// The innermost member name at `at` in a JSON document analysed as text (a window of a
// streamed document, which has no JSON walk), read from the bytes around it: the name of
// the member whose value holds `at` (a string or a bare value) or whose name does, as
// JsonLocator::Locate's key; "" for array elements and where the bytes do not say (no
// quote within kLookaround, a name with escapes). The scorer reads it as context, so a
// finding's confidence matches the whole document's.
std::string_view LexicalJsonKey(std::string_view text, size_t at) {
  constexpr size_t kLookaround = 4096;
  const auto unescaped = [&text](size_t i) {
    size_t backslashes = 0;
    while (i > backslashes && text[i - 1 - backslashes] == '\\') ++backslashes;
    return backslashes % 2 == 0;
  };
  const auto prev_quote = [&](size_t from) -> size_t {
    const size_t limit = from > kLookaround ? from - kLookaround : 0;
    for (size_t i = from; i-- > limit;) {
      if (text[i] == '"' && unescaped(i)) return i;
    }
    return std::string_view::npos;
  };
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  // The name of a string that closes at `close` (its opening quote before it).
  const auto name_closing_at = [&](size_t close) -> std::string_view {
    const size_t open = prev_quote(close);
    if (open == std::string_view::npos) return {};
    const std::string_view name = text.substr(open + 1, close - open - 1);
    return name.find('\\') == std::string_view::npos ? name : std::string_view();
  };
  // The member name before `colon`'s ':' (whitespace skipped), if a string ends there.
  const auto name_before_colon = [&](size_t colon) -> std::string_view {
    size_t i = colon;
    while (i > 0 && is_space(text[i - 1])) --i;
    if (i == 0 || text[i - 1] != '"' || !unescaped(i - 1)) return {};
    return name_closing_at(i - 1);
  };
  if (at > text.size()) return {};
  const size_t q = prev_quote(at);
  if (q == std::string_view::npos) return {};
  // A bare value after a member name: only whitespace and one ':' between.
  const std::string_view between = text.substr(q + 1, at - q - 1);
  if (std::count(between.begin(), between.end(), ':') == 1 &&
      std::all_of(between.begin(), between.end(), [&](char c) { return c == ':' || is_space(c); })) {
    return name_closing_at(q);
  }
  // Inside the string `q` opens: a member's value, a member's name, or an array element.
  size_t p = q;
  while (p > 0 && is_space(text[p - 1])) --p;
  if (p == 0) return {};
  if (text[p - 1] == ':') return name_before_colon(p - 1);
  if (text[p - 1] != '{' && text[p - 1] != ',') return {};
  const size_t limit = std::min(text.size(), at + kLookaround);
  for (size_t c = at; c < limit; ++c) {
    if (text[c] != '"' || !unescaped(c)) continue;
    size_t n = c + 1;
    while (n < text.size() && is_space(text[n])) ++n;
    if (n >= text.size() || text[n] != ':') return {};
    const std::string_view name = text.substr(q + 1, c - q - 1);
    return name.find('\\') == std::string_view::npos ? name : std::string_view();
  }
  return {};
}

// A match in some scan source, mapped to the content's bytes.
struct Hit {
  uint32_t rule;
  uint32_t source;  // index into the analysis' sources
  uint64_t start, end, value_start, value_end;  // in the source's buffer
  ByteSpan content;
};

// A buffer the patterns are scanned over, and how its offsets lead back to the content.
struct ScanSource {
  std::string decoded_from;  // "" for the content itself; else "json-string", "base64", ...
  std::string_view buffer;
  std::function<ByteSpan(uint64_t begin, uint64_t end)> to_content;
};

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

ComponentResult SkippedResult(const ProcessingPlan& plan, std::string_view package_id) {
  ComponentResult result;
  result.package_id = std::string(package_id);
  result.component_id = plan.component_id;
  result.path = plan.path;
  result.status = "skipped";
  // The plan's reasons start with the classification's evidence; its verdict is last.
  result.reason = plan.reasons.empty() ? "the plan analyses nothing" : plan.reasons.back();
  return result;
}

namespace {

// What an analyzer keeps across components. Two JSON analyzers: every JSON component
// gets its decoded strings (so escaped secrets are scanned) from the DOM parse that
// classified it (json_stats validates for classification), without a walk. Only a
// component with candidates is walked (json_located), once all its sources are scanned,
// and only as far as its last candidate, keeping the locator entries that hold one.
struct AnalyzerState {
  std::shared_ptr<const Database> db;
  std::unique_ptr<Scanner> scanner;
  JsonAnalyzer json_stats{WithLocator(false)};
  JsonAnalyzer json_located{WithLocator(true)};
  ContextScorer scorer;
  std::optional<HmacSha256Keyed> fingerprints;  // keyed by the last analysis' key
  // Fingerprints by "rule\0value", of that key: a value recurs at many places of a
  // component and across components (400+ places per value in bench/make_package.py's
  // planted package), and a lookup is cheaper than an HMAC. Cleared when full.
  StringMap<std::string> fingerprint_cache;
  static constexpr size_t kMaxCachedFingerprints = 4096;

  std::string Fingerprint(const std::string& key, std::string_view rule_id, std::string_view value) {
    if (!fingerprints || fingerprints->key() != key) {
      fingerprints.emplace(key);
      fingerprint_cache.clear();
    }
    std::string message = StrCat(rule_id, std::string_view("\0", 1), value);
    if (auto it = fingerprint_cache.find(message); it != fingerprint_cache.end()) return it->second;
    const Sha256Digest mac = fingerprints->Mac(message);
    std::string fingerprint = ToHex(mac.data(), 16);
    if (fingerprint_cache.size() >= kMaxCachedFingerprints) fingerprint_cache.clear();
    fingerprint_cache.emplace(std::move(message), fingerprint);
    return fingerprint;
  }
};

}  // namespace

struct ComponentAnalyzer::Impl : AnalyzerState {};

namespace {

// One component's analysis, in the order its parts run.
class Analysis {
 public:
  Analysis(AnalyzerState& impl, const ProcessingPlan& plan, const PlannedSteps& steps,
           const AnalyzeOptions& options, bool json_validated, ComponentResult* result,
           const AnalysisWindow* window, std::unique_ptr<StructureReport> prepared_structure)
      : impl_(impl),
        window_(window),
        json_validated_(json_validated),
        prepared_structure_(std::move(prepared_structure)),
        plan_(plan),
        steps_(steps),
        options_(options),
        result_(result),
        limits_(options.limits) {
    // The time budget covers the component: every source scanned shares one deadline.
    if (limits_.time_budget != absl::InfiniteDuration()) {
      limits_.deadline = std::min(limits_.deadline, absl::Now() + limits_.time_budget);
      limits_.time_budget = absl::InfiniteDuration();
    }
  }
  // The decoded strings go back to the analyzer that made them: the next document of
  // this worker decodes into memory it already has.
  ~Analysis() {
    if (structure_ && structure_->json) {
      impl_.json_stats.Recycle(std::move(structure_->json->decoded_strings));
    }
  }
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  // The text the later steps read: the content, or its UTF-8 transcoding.
  void Transcode(std::string_view original) {
    content_ = original;
    if (!steps_.transcode) return;
    Ran("transcode", TextEncodingName(*steps_.transcode), "raw");
    auto utf8 = TranscodeToUtf8(original, *steps_.transcode);
    if (utf8.ok()) {
      transcoded_ = *std::move(utf8);
      content_ = transcoded_->utf8;
    } else {
      StrAppend(&result_->reason, result_->reason.empty() ? "" : "; ",
                TextEncodingName(*steps_.transcode), " transcoding failed (",
                utf8.status().message(), "); scanned the raw bytes");
    }
  }

  // Findings at the end of the result that are the whole component's (window digests).
  size_t whole_component_findings() const { return whole_component_findings_; }

  // The UTF-8 text the content was analysed as, or null when it was not transcoded.
  const TranscodedText* transcoded() const { return transcoded_ ? &*transcoded_ : nullptr; }

  // Part 1: the content itself is the first source.
  absl::Status ScanContent() {
    if (steps_.chains.empty()) return absl::OkStatus();
    for (const std::string& chain : steps_.chains) Ran("patterns", chain, steps_.input);
    all_chains_ = std::all_of(impl_.db->chains().begin(), impl_.db->chains().end(),
                              [this](const std::string& c) { return steps_.chains.count(c) > 0; });
    return AddSource({"", content_, [](uint64_t b, uint64_t e) { return ByteSpan{b, e}; }});
  }

  void AnalyzeStructure() {
    if (!steps_.structure) return;
    Ran("structure", StructureName(*steps_.structure), steps_.input);
    if (prepared_structure_) {
      structure_ = std::move(*prepared_structure_);
      return;
    }
    // The DOM parse that classified these bytes (json_stats') gives the decoded strings;
    // the pointers of candidates are found once every source is scanned.
    structure_ = trawl::AnalyzeStructure(content_, *steps_.structure, StructureOptionsFor(steps_),
                                         &impl_.json_stats, json_validated_);
  }

  // Part 1, continued: the decoded forms the structure analysis found.
  absl::Status ScanDecodedForms() {
    if (!structure_) return absl::OkStatus();
    StructureReport& s = *structure_;
    if (Planned(kDecodeJsonStrings)) {
      if (s.json && s.json->counts.escaped_strings > 0) {
        const DecodedStrings* decoded = &s.json->decoded_strings;
        TRAWL_RETURN_IF_ERROR(AddSource({"json-string", decoded->text,
                                         [decoded](uint64_t b, uint64_t e) {
                                           return decoded->MapRange(b, e);
                                         }}));
      }
    }
    // Binaries: UTF-16 strings (LE and BE) are invisible to the byte-level scan (ASCII
    // strings are not: they are in the raw bytes). Their transcription is scanned too.
    if (Planned(kDecodeUtf16Strings) && s.binary) {
      std::vector<ExtractedString> utf16;
      for (const ExtractedString& str : s.binary->strings) {
        if (str.utf16) utf16.push_back(str);
      }
      if (!utf16.empty()) {
        wide_ = StringsAsBuffer(utf16);
        TRAWL_RETURN_IF_ERROR(AddDerivedSource("utf16-strings", *wide_));
      }
    }
    // Defanged indicators in text ("95.130.15[.]34", "hxxp://") are scanned in their live
    // form too, and reported at the defanged bytes.
    if (Planned(kDecodeRefanged)) {
      refanged_ = Refang(content_);
      if (refanged_) TRAWL_RETURN_IF_ERROR(AddDerivedSource("refanged", *refanged_));
    }
    if (Planned(kDecodeLayers)) {
      const EncodedLayers* layers = &s.layers;
      for (size_t layer = 0; layer < layers->buffers.size(); ++layer) {
        TRAWL_RETURN_IF_ERROR(AddSource(
            {DerivedEncodingName(layers->buffers[layer].encoding), layers->buffers[layer].data,
             [layers, layer](uint64_t b, uint64_t e) {
               return layers->MapToComponent(layer, b, e);
             }}));
      }
    }
    if (!hits_.empty() && s.csv) s.csv->locator.IndexRecords();
    // Candidates need their JSON pointer and key (context for the scorer): only now, and
    // only for a component that has any, is a locator built, for their offsets alone
    // (every Locate is at a hit's content.begin), by a walk that stops after the last.
    if (!hits_.empty() && s.json && !s.json->locator) {
      std::vector<uint64_t> targets;
      targets.reserve(hits_.size());
      for (const Hit& hit : hits_) targets.push_back(hit.content.begin);
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
      // Both analyzers have the default max_depth: the structure report's verdict holds.
      s.json->locator = impl_.json_located.LocateTargets(
          content_, s.kind == StructureKind::kNdjson, targets, s.json->valid);
    }
    return absl::OkStatus();
  }

  // Part 2: threat indicators. Runs before the dedup: a decoded-form hit that repeats a
  // raw one is no finding of its own, but its value may differ ("nanopc\u002elinkpc.net"
  // decoded), so it is looked up too; hits of one place are merged in AddIndicatorFindings.
  void LookUpIndicators() {
    indicators_ = impl_.db->indicators();
    if (indicators_ == nullptr || !steps_.entities) return;
    const Database& db = *impl_.db;
    std::vector<IndicatorHitInfo> hits;
    for (const Hit& hit : hits_) {
      const Definition& def = db.definition(hit.rule);
      const std::optional<CandidateKind> kind = CandidateKindOf(def.entity);
      if (!kind) continue;
      const ScanSource& source = sources_[hit.source];
      const std::string_view value =
          source.buffer.substr(hit.value_start, hit.value_end - hit.value_start);
      hits.clear();
      // The candidate is looked up whatever its validator says: a listed domain under a
      // suffix the list does not know is still listed. The bytes after it may be a port.
      LookupCandidate(*indicators_, *kind, value, source.buffer.substr(hit.value_end, 8), &hits);
      if (hits.empty()) continue;
      Finding where;
      Locate(hit, &where);
      for (IndicatorHitInfo& info : hits) AddIndicatorHit(where, value, def.entity, std::move(info));
    }
  }

  // Part 2, continued: the component's own digests, then one finding per listed entry and
  // place (the strongest match of overlapping hits; raw bytes and decoded forms of one
  // place are one place, and the raw form wins a tie), after the other findings.
  void AddIndicatorFindings(std::string_view original) {
    // A window's digest findings are the whole component's: kept apart from the
    // window's own merge and ownership.
    std::vector<Finding> whole_component;
    const AnalysisWindow::Digests* given = window_ != nullptr ? window_->digests : nullptr;
    if (indicators_ != nullptr && (given != nullptr ? given->size > 0
                                                    : window_ == nullptr && !original.empty())) {
      std::vector<std::pair<IndicatorType, std::string>> digests;
      if (indicators_->HasType(IndicatorType::kSha256)) {
        digests.emplace_back(IndicatorType::kSha256,
                             given != nullptr      ? given->sha256
                             : plan_.sha256.empty() ? ToHex(Sha256Of(original))
                                                    : plan_.sha256);
      }
      if (indicators_->HasType(IndicatorType::kSha1)) {
        digests.emplace_back(IndicatorType::kSha1, given ? given->sha1 : Sha1Hex(original));
      }
      if (indicators_->HasType(IndicatorType::kMd5)) {
        digests.emplace_back(IndicatorType::kMd5, given ? given->md5 : Md5Hex(original));
      }
      const size_t before = indicator_findings_.size();
      std::vector<IndicatorHitInfo> hits;
      for (const auto& [type, hex] : digests) {
        hits.clear();
        LookupFileDigest(*indicators_, type, hex, &hits);
        for (IndicatorHitInfo& info : hits) {
          Finding where;
          where.component_id = plan_.component_id;
          where.path = plan_.path;
          where.end = given != nullptr ? given->size : original.size();
          AddIndicatorHit(where, hex, IndicatorTypeName(type), std::move(info));
        }
      }
      if (given != nullptr) {
        whole_component.assign(std::make_move_iterator(indicator_findings_.begin() + before),
                               std::make_move_iterator(indicator_findings_.end()));
        indicator_findings_.resize(before);
      }
    }
    // Ranked by index: a Finding is ~700 bytes, and stable_sort moved each one into its
    // buffer and back.
    const std::vector<Finding>& all = indicator_findings_;
    std::vector<uint32_t> order(all.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&all](uint32_t a, uint32_t b) {
      return std::tie(all[a].rule_id, all[a].start) < std::tie(all[b].rule_id, all[b].start);
    });
    const auto found = [&](size_t i) -> const Finding& { return all[order[i]]; };
    const auto better = [](const Finding& a, const Finding& b) {
      return std::make_tuple(a.confidence, a.decoded_from.empty()) >
             std::make_tuple(b.confidence, b.decoded_from.empty());
    };
    result_->findings.reserve(result_->findings.size() + all.size() + whole_component.size());
    for (size_t i = 0; i < order.size();) {
      size_t best = i, j = i + 1;
      uint64_t end = found(i).end;
      while (j < order.size() && found(j).rule_id == found(i).rule_id && found(j).start < end) {
        end = std::max(end, found(j).end);
        if (better(found(j), found(best))) best = j;
        ++j;
      }
      if (Owned(found(best).start)) {
        result_->findings.push_back(std::move(indicator_findings_[order[best]]));
      }
      i = j;
    }
    whole_component_findings_ = whole_component.size();
    for (Finding& f : whole_component) result_->findings.push_back(std::move(f));
  }

  // Part 3: a decoded-form hit of a rule that also hit the raw bytes at the same place
  // is the same finding: keep the raw one. A refanged buffer repeats every raw match,
  // so the lookup is a binary search: raw spans sorted by (rule, begin), with the
  // largest end so far per rule; a span overlaps [b, e) iff one with begin < e ends
  // after b.
  void DropRepeats() {
    struct RawSpan {
      uint32_t rule;
      uint64_t begin, end, max_end;
    };
    std::vector<RawSpan> raw;
    for (const Hit& h : hits_) {
      if (h.source == 0) raw.push_back({h.rule, h.content.begin, h.content.end, 0});
    }
    std::sort(raw.begin(), raw.end(), [](const RawSpan& a, const RawSpan& b) {
      return a.rule != b.rule ? a.rule < b.rule : a.begin < b.begin;
    });
    for (size_t i = 0; i < raw.size(); ++i) {
      const bool same_rule = i > 0 && raw[i - 1].rule == raw[i].rule;
      raw[i].max_end = same_rule ? std::max(raw[i - 1].max_end, raw[i].end) : raw[i].end;
    }
    const auto overlaps_raw = [&raw](uint32_t rule, ByteSpan span) {
      auto it = std::lower_bound(raw.begin(), raw.end(), std::make_pair(rule, span.end),
                                 [](const RawSpan& a, const std::pair<uint32_t, uint64_t>& key) {
                                   return a.rule != key.first ? a.rule < key.first
                                                              : a.begin < key.second;
                                 });
      if (it == raw.begin()) return false;
      --it;
      return it->rule == rule && it->max_end > span.begin;
    };
    std::erase_if(hits_, [&](const Hit& h) {
      return h.source != 0 && overlaps_raw(h.rule, h.content);
    });
  }

  // Part 4: each hit, located, validated and scored, becomes a finding at the original
  // bytes.
  void AssembleFindings() {
    if (steps_.entities) Ran("entities", "entities", steps_.input);
    result_->truncation = truncation_;
    if (truncation_) {
      StrAppend(&result_->reason, result_->reason.empty() ? "" : "; ", "scan truncated: ",
                TruncationReasonsText(truncation_));
    }
    const Database& db = *impl_.db;
    std::vector<std::string> normalized;  // parallel to result_->findings
    // One allocation for a component's usual findings, the indicator findings
    // (AddIndicatorFindings) included: a Finding is large, and each growth moved every one
    // into fresh pages. Bounded: most of a million candidates may be rejected.
    constexpr size_t kReservedFindings = 1024;
    result_->findings.reserve(
        std::min(hits_.size() + indicator_findings_.size(), kReservedFindings));
    for (const Hit& hit : hits_) {
      const ScanSource& source = sources_[hit.source];
      const Definition& def = db.definition(hit.rule);
      Finding f;
      const StructuralLocation where = Locate(hit, &f);
      std::string_view key;  // borrows from `where` or the content
      if (where.json) key = where.json->key;
      if (where.csv) key = where.csv->column_name;
      if (window_ != nullptr && !where.json && !transcoded_ &&
          (plan_.format == Format::kJson || plan_.format == Format::kNdjson)) {
        key = LexicalJsonKey(content_, hit.content.begin);
      }
      std::optional<Entity> entity = Recognized(def, source, hit, key);
      if (!entity) {
        if (Owned(f.start)) ++result_->dropped_candidates;
        continue;
      }
      f.rule_id = def.id;
      f.category = def.category;
      f.severity = def.severity;
      // Cut as the entity's value is (kMaxValueBytes): a composite rule's span may cover
      // the component, and spans that share their first bytes share a fingerprint.
      const std::string_view value = source.buffer.substr(
          hit.value_start, std::min<uint64_t>(hit.value_end - hit.value_start, kMaxValueBytes));
      f.fingerprint = impl_.Fingerprint(options_.fingerprint_key, def.id, value);
      if (options_.include_values) f.value = std::string(value);
      f.entity = def.entity.empty() ? entity->type : def.entity;
      f.validator = entity->validator;
      f.validated = entity->validated;
      f.confidence = RoundForDocuments(entity->confidence);
      f.entropy = entity->entropy < 0 ? -1.0 : RoundForDocuments(entity->entropy);
      f.reasons = std::move(entity->reasons);
      normalized.push_back(entity->validated ? entity->value : std::string());
      if (options_.include_values) {
        f.normalized = normalized.back();
      } else {
        RedactValueFromReasons(value, &f.reasons);
      }
      if (!def.description.empty() || !def.references.empty()) {
        result_->rules.try_emplace(def.id, RuleDescription{def.description, def.references});
      }
      result_->findings.push_back(std::move(f));
    }
    MergeSameValueFindings(&result_->findings, &normalized);
    // After the merge: two recognizers' findings of one value that straddle the window's
    // start are merged in both windows, and the merged one is reported by one of them.
    std::erase_if(result_->findings, [this](const Finding& f) { return !Owned(f.start); });
    // A merge may leave a rule without findings: its description goes with them.
    for (auto it = result_->rules.begin(); it != result_->rules.end();) {
      const bool used = std::any_of(result_->findings.begin(), result_->findings.end(),
                                    [&](const Finding& f) { return f.rule_id == it->first; });
      it = used ? std::next(it) : result_->rules.erase(it);
    }
  }

 private:
  static std::string_view StructureName(StructureKind kind) {
    switch (kind) {
      case StructureKind::kJson:
      case StructureKind::kNdjson: return "json";
      case StructureKind::kCsv:
      case StructureKind::kTsv: return "csv";
      case StructureKind::kText: return "text";
      case StructureKind::kBinary: return "binary";
    }
    return "text";
  }

  // Where `hit` is: its place in the structure and its span at the original bytes.
  StructuralLocation Locate(const Hit& hit, Finding* f) const {
    StructuralLocation where;
    if (structure_) {
      where = structure_->Locate(hit.content.begin);
      if (where.line) {
        f->line = static_cast<int64_t>(where.line->line);
        f->column = static_cast<int64_t>(where.line->column);
      }
      if (where.json) f->json_pointer = where.json->pointer;
      if (where.csv) {
        f->csv_row = where.csv->row;
        f->csv_column = where.csv->column_name;
      }
    }
    const ScanSource& source = sources_[hit.source];
    f->component_id = plan_.component_id;
    f->path = plan_.path;
    f->start = transcoded_ ? transcoded_->map.ToSource(hit.content.begin) : hit.content.begin;
    f->end = transcoded_ ? transcoded_->map.ToSource(hit.content.end) : hit.content.end;
    f->decoded_from = source.decoded_from.empty() && transcoded_ ? result_->encoding
                                                                 : source.decoded_from;
    return where;
  }

  // "maltrail:malware:agenttesla": feed, category without its "indicator/" prefix, family.
  static std::string IndicatorRuleId(const IndicatorSet::Meta& meta) {
    std::string_view category = meta.category;
    if (StartsWith(category, "indicator/")) category.remove_prefix(10);
    std::string id = StrCat(meta.feed, ":", category.empty() ? "indicator" : category);
    if (!meta.family.empty()) StrAppend(&id, ":", meta.family);
    return id;
  }

  // One indicator hit at `where` (a located finding), kept for AddIndicatorFindings.
  void AddIndicatorHit(const Finding& where, std::string_view value, std::string_view entity,
                       IndicatorHitInfo hit) {
    Finding f = where;
    f.rule_id = IndicatorRuleId(hit.meta);
    f.category = std::string(hit.meta.category);
    f.severity = hit.meta.severity;
    f.entity = std::string(entity);
    f.validator = "indicator";
    f.validated = true;
    f.confidence = RoundForDocuments(hit.confidence);
    f.fingerprint = impl_.Fingerprint(options_.fingerprint_key, f.rule_id, value);
    f.indicator.feed = std::string(hit.meta.feed);
    f.indicator.family = std::string(hit.meta.family);
    f.indicator.match = std::string(IndicatorMatchName(hit.match));
    f.indicator.type = std::string(IndicatorTypeName(hit.hit.type));
    f.indicator.source = std::string(hit.meta.source);
    f.reasons = {std::move(hit.reason)};
    if (options_.include_values) {
      f.value = std::string(value);
      f.normalized = std::move(hit.looked_up);
      f.indicator.value = std::string(hit.hit.value);
    } else {
      // As aggregation redacts a result kept with values: the same bytes either way.
      RedactValueFromReasons(value, &f.reasons);
    }
    indicator_findings_.push_back(std::move(f));
  }

  // The window's keyword tracker of a source that spans the content, made on first use;
  // null when the caller decides no keywords. An error only for want of memory.
  absl::StatusOr<KeywordTracker*> WindowKeywords(std::string_view source) {
    if (window_ == nullptr || window_->keywords == nullptr) return nullptr;
    if (!source.empty() && source != kDecodeRefanged && source != kDecodeUtf16Strings) {
      return nullptr;
    }
    std::unique_ptr<KeywordTracker>& keywords = (*window_->keywords)[std::string(source)];
    if (!keywords) {
      TRAWL_ASSIGN_OR_RETURN(keywords, KeywordTracker::Create(*impl_.db));
    }
    return keywords.get();
  }

  // The part of `source`'s text that comes from the window's own bytes (and that a scan
  // with byte budget `max_bytes` reads): consecutive windows' parts make the source's text
  // for the whole content.
  std::string_view OwnPart(const ScanSource& source, uint64_t max_bytes) const {
    const std::string_view text = source.buffer;
    const auto first_from = [&](uint64_t original) {
      uint64_t lo = 0, hi = text.size();
      while (lo < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (OriginalOffset(source.to_content(mid, mid + 1).begin) >= original) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      return lo;
    };
    uint64_t end = first_from(window_->own_end);
    if (max_bytes != 0) end = std::min(end, max_bytes);
    const uint64_t begin = std::min(first_from(window_->own_begin), end);
    return text.substr(begin, end - begin);
  }

  // Whether a finding at `start` (original bytes) is this analysis' to report.
  bool Owned(uint64_t start) const {
    return window_ == nullptr || (start >= window_->own_begin && start < window_->own_end);
  }
  uint64_t OriginalOffset(uint64_t content_offset) const {
    return transcoded_ ? transcoded_->map.ToSource(content_offset) : content_offset;
  }

  bool Planned(std::string_view decode) {
    if (!steps_.decode.count(std::string(decode))) return false;
    Ran("decode", decode, steps_.input);
    return true;
  }

  void Ran(std::string_view stage, std::string_view name, std::string_view input) {
    result_->steps.push_back({std::string(stage), std::string(name), std::string(input), 0});
  }

  // Scans `source` and keeps its hits of the planned chains' rules.
  absl::Status AddSource(ScanSource source) {
    const uint32_t index = static_cast<uint32_t>(sources_.size());
    sources_.push_back(std::move(source));
    const ScanSource& s = sources_.back();
    const Database& db = *impl_.db;
    // A window's raw scan counts its own matches against the component's caps; its own
    // scan may find as many more as its context bytes could hold.
    // Sources that span the whole content (the content, its refanged and UTF-16 forms)
    // are counted over all windows; an encoded layer is a source of its own here as in
    // Analyze, its cap its own.
    const bool capped_by_window =
        window_ != nullptr && window_->rule_matches != nullptr &&
        (s.decoded_from.empty() || s.decoded_from == kDecodeRefanged ||
         s.decoded_from == kDecodeUtf16Strings);
    ScanLimits limits = limits_;
    uint32_t window_truncation = 0;
    std::vector<uint64_t>* rule_matches = nullptr;
    uint64_t* matches = nullptr;
    if (capped_by_window) {
      rule_matches = &(*window_->rule_matches)[s.decoded_from];
      rule_matches->resize(db.rule_count(), 0);
      matches = &(*window_->matches)[s.decoded_from];
    }
    if (capped_by_window) {
      const auto widen = [this](uint64_t cap) { return cap == 0 ? 0 : cap + window_->context_bytes; };
      limits.max_matches_per_rule = widen(limits.max_matches_per_rule);
      limits.max_matches = widen(limits.max_matches);
      TRAWL_ASSIGN_OR_RETURN(KeywordTracker* keywords, WindowKeywords(s.decoded_from));
      if (keywords != nullptr) {
        limits.keywords_checked_by_caller = true;
        TRAWL_RETURN_IF_ERROR(keywords->Append(OwnPart(s, limits.max_bytes)));
      }
    }
    auto summary = impl_.scanner->Scan(s.buffer, limits, [&](const Match& m) {
      if (!all_chains_ && !InPlannedChain(db.definition(m.rule))) return true;
      Hit hit{m.rule, index, m.start, m.end, m.start, m.end, {}};
      if (m.capture_count >= 1 && m.captures[0] >= 0) {
        hit.value_start = static_cast<uint64_t>(m.captures[0]);
        hit.value_end = static_cast<uint64_t>(m.captures[1]);
      }
      hit.content = s.to_content(hit.start, hit.end);
      if (capped_by_window && Owned(OriginalOffset(hit.content.begin))) {
        if (limits_.max_matches != 0 && *matches >= limits_.max_matches) {
          // The component's scan stops here: later hits are not kept, later windows not
          // scanned (the caller sees kTruncMatchCap).
          window_truncation |= kTruncMatchCap;
          return true;
        }
        uint64_t& of_rule = (*rule_matches)[m.rule];
        if (limits_.max_matches_per_rule != 0 && of_rule >= limits_.max_matches_per_rule) {
          window_truncation |= kTruncRuleMatchCap;
          return true;
        }
        ++of_rule;
        ++*matches;
      }
      hits_.push_back(hit);
      return true;
    });
    if (!summary.ok()) return summary.status();
    if (index == 0) result_->bytes_scanned = summary->bytes_scanned;
    uint32_t truncation = summary->truncation;
    if (capped_by_window) {
      truncation &= ~(kTruncRuleMatchCap | kTruncMatchCap | kTruncStopped);
      truncation |= window_truncation;
    }
    truncation_ |= truncation;
    return absl::OkStatus();
  }

  absl::Status AddDerivedSource(std::string_view decoded_from, const DerivedBuffer& buffer) {
    return AddSource({std::string(decoded_from), buffer.data,
                      [&buffer](uint64_t b, uint64_t e) { return buffer.map.MapRange(b, e); }});
  }

  bool InPlannedChain(const Definition& def) const {
    return std::any_of(def.chains.begin(), def.chains.end(),
                       [this](const std::string& c) { return steps_.chains.count(c) > 0; });
  }

  // The candidate validated and scored when the plan has the entities step; as matched
  // (the rule's confidence, nothing validated) when it does not.
  std::optional<Entity> Recognized(const Definition& def, const ScanSource& source,
                                   const Hit& hit, std::string_view key) const {
    if (!steps_.entities) {
      Entity as_matched;
      as_matched.type = def.entity;
      as_matched.base_confidence = as_matched.confidence = def.confidence;
      return as_matched;
    }
    Candidate candidate;
    candidate.rule_id = def.id;
    candidate.entity = def.entity;
    candidate.validator = def.validator;
    candidate.base_confidence = def.confidence;
    candidate.data = source.buffer;
    candidate.begin = hit.start;
    candidate.end = hit.end;
    candidate.value_begin = hit.value_start;
    candidate.value_end = hit.value_end;
    candidate.key = key;
    candidate.rule_keywords = def.keywords;
    RecognizeOptions recognize;
    recognize.default_region = options_.default_region;
    return Recognize(candidate, impl_.scorer, recognize);
  }

  AnalyzerState& impl_;
  const AnalysisWindow* window_;  // null: the whole component
  bool json_validated_;  // json_stats' last Validate accepted the content (PlanAndAnalyze)
  std::unique_ptr<StructureReport> prepared_structure_;  // made by a ComponentPreparer
  const ProcessingPlan& plan_;
  const PlannedSteps& steps_;
  const AnalyzeOptions& options_;
  ComponentResult* result_;
  std::string_view content_;
  std::optional<TranscodedText> transcoded_;
  std::optional<StructureReport> structure_;
  std::optional<DerivedBuffer> wide_;
  std::optional<DerivedBuffer> refanged_;
  std::vector<ScanSource> sources_;
  std::vector<Hit> hits_;
  const IndicatorSet* indicators_ = nullptr;
  std::vector<Finding> indicator_findings_;
  ScanLimits limits_;  // options_.limits with the component's deadline
  uint32_t truncation_ = 0;
  bool all_chains_ = true;
  size_t whole_component_findings_ = 0;
};

}  // namespace

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

absl::StatusOr<ComponentResult> ComponentAnalyzer::Analyze(const ProcessingPlan& plan,
                                                           std::string_view content,
                                                           const AnalyzeOptions& options) {
  return Run(plan, content, options, false);
}

absl::StatusOr<ComponentResult> ComponentAnalyzer::AnalyzeWindow(const ProcessingPlan& plan,
                                                                 std::string_view buffer,
                                                                 const AnalyzeOptions& options,
                                                                 const AnalysisWindow& window) {
  return Run(plan, buffer, options, false, &window);
}

const Database& ComponentAnalyzer::database() const { return *impl_->db; }

PreparedComponent::PreparedComponent() = default;
PreparedComponent::PreparedComponent(PreparedComponent&&) noexcept = default;
PreparedComponent& PreparedComponent::operator=(PreparedComponent&&) noexcept = default;
PreparedComponent::~PreparedComponent() = default;

uint64_t PreparedComponent::held_bytes() const {
  if (!structure_) return 0;
  uint64_t bytes = structure_->layers.decoded_bytes;
  if (structure_->json) {
    const DecodedStrings& decoded = structure_->json->decoded_strings;
    bytes += decoded.text.capacity() + decoded.map.capacity_bytes();
  }
  if (structure_->binary) {
    for (const ExtractedString& str : structure_->binary->strings) bytes += str.text.capacity();
  }
  return bytes;
}

ComponentPreparer::ComponentPreparer() : json_(std::make_unique<JsonAnalyzer>(WithLocator(false))) {}
ComponentPreparer::~ComponentPreparer() = default;

PreparedComponent ComponentPreparer::Prepare(const Component& component, std::string_view content,
                                             const PlanOptions& plan_options) {
  PreparedComponent prepared;
  bool validated = false;
  const Classification k = component.has_content
                               ? Classify(content, component.path, json_.get(), &validated)
                               : Classification{};
  prepared.plan_ = PlanClassified(component, k, plan_options);
  prepared.content_ = content;
  // A transcoded text's structure is the transcoding's: the analysis makes both.
  auto steps = StepsOf(prepared.plan_);
  if (prepared.plan_.analyze && steps.ok() && steps->structure && !steps->transcode) {
    prepared.structure_ = std::make_unique<StructureReport>(
        AnalyzeStructure(content, *steps->structure, StructureOptionsFor(*steps), json_.get(),
                         ReusesClassifyingParse(validated, prepared.plan_)));
  }
  return prepared;
}

absl::StatusOr<ComponentResult> ComponentAnalyzer::AnalyzePrepared(PreparedComponent prepared,
                                                                   std::string_view content,
                                                                   const AnalyzeOptions& options) {
  const bool same_bytes = prepared.content_.data() == content.data() &&
                          prepared.content_.size() == content.size();
  if (!same_bytes) prepared.structure_.reset();
  return Run(prepared.plan_, content, options, /*json_validated=*/false, nullptr,
             std::move(prepared.structure_));
}

absl::StatusOr<ComponentResult> ComponentAnalyzer::PlanAndAnalyze(const Component& component,
                                                                  std::string_view content,
                                                                  const PlanOptions& plan_options,
                                                                  const AnalyzeOptions& options,
                                                                  ProcessingPlan* plan_out) {
  bool validated = false;
  const Classification k =
      component.has_content ? Classify(content, component.path, &impl_->json_stats, &validated)
                            : Classification{};
  ProcessingPlan plan = PlanClassified(component, k, plan_options);
  auto result = Run(plan, content, options, ReusesClassifyingParse(validated, plan));
  if (plan_out != nullptr) *plan_out = std::move(plan);
  return result;
}

absl::StatusOr<ComponentResult> ComponentAnalyzer::Run(const ProcessingPlan& plan,
                                                       std::string_view content,
                                                       const AnalyzeOptions& options,
                                                       bool json_validated,
                                                       const AnalysisWindow* window,
                                                       std::unique_ptr<StructureReport> structure) {
  if (!plan.analyze) return SkippedResult(plan, options.package_id);
  auto steps = StepsOf(plan);
  if (!steps.ok()) return steps.status();
  ComponentResult result;
  result.package_id = options.package_id;
  result.component_id = plan.component_id;
  result.path = plan.path;
  result.database = ToHex(impl_->db->definitions_digest());
  result.status = "analysed";
  result.format = std::string(FormatName(plan.format));
  result.encoding = std::string(TextEncodingName(plan.encoding));
  if (!plan.partial_content.empty()) {
    result.reason = StrCat("partial content (", plan.partial_content, ")");
  }
  Analysis analysis(*impl_, plan, *steps, options, json_validated, &result, window,
                    std::move(structure));
  analysis.Transcode(content);
  if (absl::Status status = analysis.ScanContent(); !status.ok()) return status;
  analysis.AnalyzeStructure();
  if (absl::Status status = analysis.ScanDecodedForms(); !status.ok()) return status;
  analysis.LookUpIndicators();
  analysis.DropRepeats();
  analysis.AssembleFindings();
  analysis.AddIndicatorFindings(content);
  MarkInlineIgnores(content, analysis.transcoded(), &result.findings);
  if (window != nullptr && window->base != 0) {
    const size_t windowed = result.findings.size() - analysis.whole_component_findings();
    for (size_t i = 0; i < windowed; ++i) {
      result.findings[i].start += window->base;
      result.findings[i].end += window->base;
    }
  }
  return result;
}

}  // namespace trawl
