// File: plan.cc
#include "classify/plan.h"

#include <algorithm>
#include <cmath>

#include "intake/skip_policy.h"
#include "json/json.h"
#include "util/enum_names.h"
#include "util/json_writer.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Estimates are kept to microseconds so the JSON form round-trips exactly.
double Round6(double x) { return std::round(x * 1e6) / 1e6; }

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string Bytes(uint64_t b) {
  char buf[32];
  if (b >= (1ull << 30)) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1ull << 30));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1ull << 20));
  }
  return buf;
}

std::string_view StructureKind(Format format) {
  switch (format) {
    case Format::kJson:
    case Format::kNdjson:
      return "json";
    case Format::kCsv:
    case Format::kTsv:
      return "csv";
    case Format::kElf:
    case Format::kPe:
    case Format::kMachO:
    case Format::kPdf:
    case Format::kBinary:
    case Format::kImage:
      return "binary";
    default:
      return "text";
  }
}

double StructureCost(std::string_view kind, const CostModel& c) {
  if (kind == "json") return c.structure_json_seconds_per_byte;
  if (kind == "csv") return c.structure_csv_seconds_per_byte;
  if (kind == "binary") return c.structure_binary_seconds_per_byte;
  return c.structure_text_seconds_per_byte;
}

// Notes for content that is analysed although it is not ordinary: the analysis still
// runs (nothing with content is skipped, see intake/skip_policy.h), and says why.
std::string ContentNote(const Component& c, const Classification& k) {
  if (k.format == Format::kEmpty) return "empty content";
  if (k.format == Format::kArchive || k.format == Format::kOoxml) {
    return StrCat("container content that intake did not expand",
                  c.reason.empty() ? "" : StrCat(" (", c.reason, ")"), "; scanned as raw bytes");
  }
  return "";
}

constexpr EnumName<Tier> kTierNames[] = {{Tier::kLight, "light"}, {Tier::kHeavy, "heavy"}};

}  // namespace

std::string_view TierName(Tier tier) { return NameOf(kTierNames, tier); }

absl::StatusOr<Tier> ParseTier(std::string_view name) {
  return ParseName(kTierNames, name, "tier");
}

ProcessingPlan PlanComponent(const Component& component, std::string_view content,
                             const PlanOptions& options) {
  const Classification k =
      component.has_content ? Classify(content, component.path) : Classification{};
  return PlanClassified(component, k, options);
}

ProcessingPlan PlanClassified(const Component& component, const Classification& k,
                              const PlanOptions& options) {
  const CostModel& costs = options.costs;
  ProcessingPlan plan;
  plan.component_id = component.id;
  plan.path = component.path;
  plan.sha256 = component.sha256;
  plan.size = component.size;
  plan.format = k.format;
  plan.encoding = k.encoding;
  plan.media_type = k.media_type.empty() ? component.media_type : k.media_type;
  plan.language = k.language;
  for (const std::string& e : k.evidence) plan.reasons.push_back(StrCat("classified: ", e));

  if (std::optional<std::string> skip = SkipReason(component)) {
    plan.reasons.push_back(*std::move(skip));
    plan.tier = Tier::kLight;
    return plan;
  }
  plan.analyze = true;
  if (std::string note = ContentNote(component, k); !note.empty()) {
    plan.reasons.push_back(std::move(note));
  }
  if (!component.content_complete) {
    plan.partial_content = std::string(ComponentStatusName(component.status));
    plan.reasons.push_back(StrCat("partial content (", plan.partial_content,
                                  "): the analysis covers the bytes intake could read"));
  }
  const double bytes = static_cast<double>(component.size);
  const bool text = IsTextFormat(k.format);
  const bool transcoded = text && k.encoding != TextEncoding::kUtf8;
  double memory_factor = costs.memory_per_content_byte;
  auto add = [&plan, bytes](std::string_view stage, std::string_view name, std::string input,
                            double per_byte) {
    plan.steps.push_back(PlanStep{std::string(stage), std::string(name), std::move(input),
                                  Round6(bytes * per_byte)});
  };
  if (transcoded) {
    add("transcode", TextEncodingName(k.encoding), "raw", costs.transcode_seconds_per_byte);
    memory_factor += costs.transcode_memory_per_byte;
    plan.reasons.push_back(
        StrCat(TextEncodingName(k.encoding),
               " text is transcoded to UTF-8; findings map back to raw offsets"));
  }
  const std::string input = text ? "utf8" : "raw";
  // Every format is scanned, images too: a secret in metadata, a comment chunk or bytes
  // appended to an image is still a secret, and binaries scan at engine speed.
  for (const std::string& chain : options.pattern_chains) {
    auto it = costs.pattern_seconds_per_byte_by_chain.find(chain);
    add("patterns", chain, input,
        it == costs.pattern_seconds_per_byte_by_chain.end() ? costs.pattern_seconds_per_byte
                                                            : it->second);
  }
  if (options.entities && !options.pattern_chains.empty()) {
    add("entities", "entities", input, costs.entity_seconds_per_byte);
  }
  if (options.structure) {
    const std::string_view kind = StructureKind(k.format);
    add("structure", kind, input, StructureCost(kind, costs));
    if (kind == "json") memory_factor += costs.json_memory_per_byte;
    // Decoded forms are found by the structure analysis; their cost is in its estimate.
    if (options.decode && !options.pattern_chains.empty()) {
      if (kind == "json") add("decode", kDecodeJsonStrings, input, 0);
      if (kind == "binary") add("decode", kDecodeUtf16Strings, input, 0);
      if (kind != "binary") add("decode", kDecodeRefanged, input, 0);
      add("decode", kDecodeLayers, input, 0);
    }
  }
  memory_factor += costs.working_memory_per_byte;

  double seconds = costs.fixed_seconds_per_component;
  for (const PlanStep& step : plan.steps) seconds += step.estimated_seconds;
  plan.estimated_seconds = Round6(seconds);
  plan.estimated_memory_bytes =
      costs.base_memory_bytes + static_cast<uint64_t>(std::ceil(bytes * memory_factor));
  const bool fast = plan.estimated_seconds < costs.light_max_seconds;
  const bool small = plan.estimated_memory_bytes < costs.light_max_memory_bytes;
  plan.tier = fast && small ? Tier::kLight : Tier::kHeavy;
  plan.reasons.push_back(StrCat("estimated ", Seconds(plan.estimated_seconds),
                                fast ? " < " : " >= ", Seconds(costs.light_max_seconds), " and ",
                                Bytes(plan.estimated_memory_bytes), small ? " < " : " >= ",
                                Bytes(costs.light_max_memory_bytes), ": ", TierName(plan.tier)));
  return plan;
}

PackageEstimate EstimatePackage(const std::vector<ProcessingPlan>& plans, const CostModel& costs) {
  PackageEstimate out;
  double seconds = 0;
  for (const ProcessingPlan& plan : plans) {
    if (!plan.analyze) continue;
    ++out.components_to_analyze;
    seconds += plan.estimated_seconds;
    out.estimated_memory_bytes = std::max(out.estimated_memory_bytes, plan.estimated_memory_bytes);
  }
  out.estimated_seconds = Round6(seconds);
  const bool fast = out.estimated_seconds < costs.light_max_seconds;
  const bool small = out.estimated_memory_bytes < costs.light_max_memory_bytes;
  out.tier = fast && small ? Tier::kLight : Tier::kHeavy;
  out.reasons.push_back(StrCat(out.components_to_analyze, " components, estimated ",
                               Seconds(out.estimated_seconds), " and peak ",
                               Bytes(out.estimated_memory_bytes), ": ", TierName(out.tier)));
  return out;
}

std::string PlanToJson(const ProcessingPlan& plan, int indent) {
  JsonWriter w(indent);
  w.BeginObject();
  w.Field("schema", plan.schema);
  w.Field("component", plan.component_id);
  w.Field("path", plan.path);
  w.Field("sha256", plan.sha256);
  w.Field("size", plan.size);
  w.Field("format", FormatName(plan.format));
  w.Field("encoding", TextEncodingName(plan.encoding));
  w.Field("media_type", plan.media_type);
  w.Field("language", plan.language);
  w.Field("analyze", plan.analyze);
  if (!plan.partial_content.empty()) w.Field("partial_content", plan.partial_content);
  w.Key("steps").BeginArray();
  for (const PlanStep& step : plan.steps) {
    w.BeginObject();
    w.Field("stage", step.stage);
    w.Field("name", step.name);
    w.Field("input", step.input);
    w.Field("estimated_seconds", step.estimated_seconds);
    w.EndObject();
  }
  w.EndArray();
  w.Field("estimated_seconds", plan.estimated_seconds);
  w.Field("estimated_memory_bytes", plan.estimated_memory_bytes);
  w.Field("tier", TierName(plan.tier));
  w.Field("reasons", plan.reasons);
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

namespace {

absl::StatusOr<ProcessingPlan> ReadPlan(std::string_view text) {
  json::Parser parser;
  json::Object root;
  TRAWL_RETURN_IF_ERROR(json::ParseObject(parser, text, "plan", &root));
  const auto fields = [](const json::Object& obj) { return json::FieldReader(obj, "plan"); };
  const json::FieldReader r = fields(root);
  ProcessingPlan plan;
  TRAWL_RETURN_IF_ERROR(r.Read("schema", &plan.schema));
  if (plan.schema != kPlanSchema) {
    return absl::InvalidArgumentError(
        StrCat("unsupported plan schema \"", plan.schema, "\"; expected ", kPlanSchema));
  }
  TRAWL_RETURN_IF_ERROR(r.Read("component", &plan.component_id));
  TRAWL_RETURN_IF_ERROR(r.Read("path", &plan.path));
  TRAWL_RETURN_IF_ERROR(r.Read("sha256", &plan.sha256));
  TRAWL_RETURN_IF_ERROR(r.Read("size", &plan.size));
  std::string name;
  TRAWL_RETURN_IF_ERROR(r.Read("format", &name));
  TRAWL_ASSIGN_OR_RETURN(plan.format, ParseFormat(name));
  TRAWL_RETURN_IF_ERROR(r.Read("encoding", &name));
  TRAWL_ASSIGN_OR_RETURN(plan.encoding, ParseTextEncoding(name));
  TRAWL_RETURN_IF_ERROR(r.Read("media_type", &plan.media_type));
  TRAWL_RETURN_IF_ERROR(r.Read("language", &plan.language));
  TRAWL_RETURN_IF_ERROR(r.Read("analyze", &plan.analyze));
  TRAWL_RETURN_IF_ERROR(r.Read("partial_content", &plan.partial_content, /*required=*/false));
  json::Array steps;
  TRAWL_RETURN_IF_ERROR(r.Read("steps", &steps));
  for (json::Value item : steps) {
    json::Object obj;
    if (const json::Error error = item.Get(&obj); error != json::Error::kOk) {
      return r.FieldError("steps[]", error);
    }
    const json::FieldReader step_fields = fields(obj);
    PlanStep step;
    TRAWL_RETURN_IF_ERROR(step_fields.Read("stage", &step.stage));
    TRAWL_RETURN_IF_ERROR(step_fields.Read("name", &step.name));
    TRAWL_RETURN_IF_ERROR(step_fields.Read("input", &step.input));
    TRAWL_RETURN_IF_ERROR(step_fields.Read("estimated_seconds", &step.estimated_seconds));
    plan.steps.push_back(std::move(step));
  }
  TRAWL_RETURN_IF_ERROR(r.Read("estimated_seconds", &plan.estimated_seconds));
  TRAWL_RETURN_IF_ERROR(r.Read("estimated_memory_bytes", &plan.estimated_memory_bytes));
  TRAWL_RETURN_IF_ERROR(r.Read("tier", &name));
  TRAWL_ASSIGN_OR_RETURN(plan.tier, ParseTier(name));
  json::Array reasons;
  TRAWL_RETURN_IF_ERROR(r.Read("reasons", &reasons));
  for (json::Value item : reasons) {
    std::string_view reason;
    if (const json::Error error = item.Get(&reason); error != json::Error::kOk) {
      return r.FieldError("reasons[]", error);
    }
    plan.reasons.emplace_back(reason);
  }
  return plan;
}

}  // namespace

absl::StatusOr<ProcessingPlan> PlanFromJson(std::string_view text) {
  return WithDefaultCode(ReadPlan(text), ErrorCode::kParse);
}

}  // namespace trawl
