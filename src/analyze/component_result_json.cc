// File: component_result_json.cc
#include "analyze/component_result_json.h"

#include "intake/skip_policy.h"
#include "json/json.h"
#include "util/digest.h"
#include "util/json_writer.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {

void WriteFindingIndicator(JsonWriter& w, const FindingIndicator& indicator) {
  w.Key("indicator").BeginObject().Field("feed", indicator.feed);
  if (!indicator.family.empty()) w.Field("family", indicator.family);
  w.Field("match", indicator.match).Field("type", indicator.type);
  if (!indicator.value.empty()) w.Field("value", indicator.value);
  if (!indicator.source.empty()) w.Field("source", indicator.source);
  w.EndObject();
}

namespace {

void WriteFinding(JsonWriter& w, const Finding& f) {
  w.BeginObject();
  w.Field("rule", f.rule_id).Field("category", f.category);
  w.Field("severity", SeverityName(f.severity));
  w.Field("start", f.start).Field("end", f.end);
  if (!f.decoded_from.empty()) w.Field("decoded_from", f.decoded_from);
  w.Field("fingerprint", f.fingerprint);
  if (!f.value.empty()) w.Field("value", f.value);
  if (!f.normalized.empty()) w.Field("normalized", f.normalized);
  if (!f.entity.empty()) w.Field("entity", f.entity);
  if (!f.validator.empty()) w.Field("validator", f.validator).Field("validated", f.validated);
  w.Field("confidence", f.confidence);
  if (f.entropy >= 0) w.Field("entropy", f.entropy);
  w.Field("confidence_reasons", f.reasons);
  if (f.line >= 0) w.Field("line", f.line).Field("column", f.column);
  if (!f.json_pointer.empty()) w.Field("json_pointer", f.json_pointer);
  if (f.csv_row >= 0) w.Field("csv_row", f.csv_row).Field("csv_column", f.csv_column);
  if (!f.indicator.empty()) WriteFindingIndicator(w, f.indicator);
  if (!f.inline_ignore.empty()) w.Field("inline_ignore", f.inline_ignore);
  w.EndObject();
}

absl::Status ReadFinding(const json::Object& obj, const ComponentResult& owner, Finding* f) {
  json::FieldReader r(obj, "finding");
  TRAWL_RETURN_IF_ERROR(r.Read("rule", &f->rule_id));
  TRAWL_RETURN_IF_ERROR(r.Read("category", &f->category));
  std::string severity;
  TRAWL_RETURN_IF_ERROR(r.Read("severity", &severity));
  std::optional<Severity> parsed = ParseSeverity(severity);
  if (!parsed) return absl::InvalidArgumentError(StrCat("finding: unknown severity ", severity));
  f->severity = *parsed;
  TRAWL_RETURN_IF_ERROR(r.Read("start", &f->start));
  TRAWL_RETURN_IF_ERROR(r.Read("end", &f->end));
  if (f->end < f->start) return absl::InvalidArgumentError("finding: end before start");
  TRAWL_RETURN_IF_ERROR(r.Read("decoded_from", &f->decoded_from, false));
  TRAWL_RETURN_IF_ERROR(r.Read("fingerprint", &f->fingerprint));
  TRAWL_RETURN_IF_ERROR(r.Read("value", &f->value, false));
  TRAWL_RETURN_IF_ERROR(r.Read("normalized", &f->normalized, false));
  TRAWL_RETURN_IF_ERROR(r.Read("entity", &f->entity, false));
  TRAWL_RETURN_IF_ERROR(r.Read("validator", &f->validator, false));
  TRAWL_RETURN_IF_ERROR(r.Read("validated", &f->validated, false));
  TRAWL_RETURN_IF_ERROR(r.Read("confidence", &f->confidence));
  TRAWL_RETURN_IF_ERROR(r.Read("entropy", &f->entropy, false));
  TRAWL_RETURN_IF_ERROR(r.Read("confidence_reasons", &f->reasons));
  TRAWL_RETURN_IF_ERROR(r.Read("line", &f->line, false));
  TRAWL_RETURN_IF_ERROR(r.Read("column", &f->column, false));
  TRAWL_RETURN_IF_ERROR(r.Read("json_pointer", &f->json_pointer, false));
  TRAWL_RETURN_IF_ERROR(r.Read("csv_row", &f->csv_row, false));
  TRAWL_RETURN_IF_ERROR(r.Read("csv_column", &f->csv_column, false));
  TRAWL_RETURN_IF_ERROR(r.Read("inline_ignore", &f->inline_ignore, false));
  // The ranges the schema states: scores computed from anything else would not be numbers
  // (1e308 * a weight is infinity) and the report would fail its own schema.
  if (!IsLowerHex(f->fingerprint, 32)) {
    return absl::InvalidArgumentError("finding: fingerprint must be 32 lowercase hex digits");
  }
  if (!(f->confidence >= 0 && f->confidence <= 1)) {
    return absl::InvalidArgumentError("finding: confidence must be a number in [0, 1]");
  }
  if (f->entropy != -1.0 && !(f->entropy >= 0 && f->entropy <= 8)) {
    return absl::InvalidArgumentError("finding: entropy must be a number in [0, 8]");
  }
  json::Value present;
  if ((obj.Find("line", &present) == json::Error::kOk && f->line < 1) ||
      (obj.Find("column", &present) == json::Error::kOk && f->column < 1) ||
      (obj.Find("csv_row", &present) == json::Error::kOk && f->csv_row < 0)) {
    return absl::InvalidArgumentError("finding: line and column start at 1, csv_row at 0");
  }
  json::Object indicator;
  if (obj.Find("indicator", &present) == json::Error::kOk) {
    TRAWL_RETURN_IF_ERROR(r.Read("indicator", &indicator));
    json::FieldReader ir(indicator, "finding indicator");
    TRAWL_RETURN_IF_ERROR(ir.Read("feed", &f->indicator.feed));
    TRAWL_RETURN_IF_ERROR(ir.Read("family", &f->indicator.family, false));
    TRAWL_RETURN_IF_ERROR(ir.Read("match", &f->indicator.match));
    TRAWL_RETURN_IF_ERROR(ir.Read("type", &f->indicator.type));
    TRAWL_RETURN_IF_ERROR(ir.Read("value", &f->indicator.value, false));
    TRAWL_RETURN_IF_ERROR(ir.Read("source", &f->indicator.source, false));
    if (f->indicator.feed.empty()) {
      return absl::InvalidArgumentError("finding indicator: empty feed");
    }
  }
  f->component_id = owner.component_id;
  f->path = owner.path;
  return absl::OkStatus();
}

}  // namespace

std::vector<const Component*> ComponentsToAnalyze(const Manifest& manifest) {
  std::vector<const Component*> work;
  for (const Component& c : manifest.components) {
    if (!SkipReason(c)) work.push_back(&c);
  }
  return work;
}

std::string WorkToJson(const Manifest& manifest, int indent) {
  JsonWriter w(indent);
  w.BeginObject().Field("schema", kWorkSchema).Field("package_id", manifest.package_id);
  w.Key("components").BeginArray();
  for (const Component* c : ComponentsToAnalyze(manifest)) {
    w.BeginObject().Field("id", c->id).Field("path", c->path).Field("size", c->size);
    w.Field("sha256", c->sha256).EndObject();
  }
  w.EndArray().EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

std::string ComponentResultToJson(const ComponentResult& c, int indent) {
  JsonWriter w(indent);
  w.BeginObject();
  w.Field("schema", kComponentResultSchema);
  w.Field("package_id", c.package_id);
  w.Field("component", c.component_id).Field("path", c.path);
  w.Field("status", c.status);
  w.Field("reason", c.reason);
  if (c.status == "analysed") {
    w.Field("database", c.database);
    w.Field("format", c.format).Field("encoding", c.encoding);
    w.Field("bytes_scanned", c.bytes_scanned);
    w.Field("truncation", uint64_t{c.truncation});
    w.Field("dropped_candidates", c.dropped_candidates);
    w.Key("steps").BeginArray();
    for (const PlanStep& step : c.steps) {
      w.BeginObject().Field("stage", step.stage).Field("name", step.name);
      w.Field("input", step.input).EndObject();
    }
    w.EndArray();
  }
  w.Key("findings").BeginArray();
  for (const Finding& f : c.findings) WriteFinding(w, f);
  w.EndArray();
  if (!c.rules.empty()) {
    w.Key("rules").BeginArray();
    for (const auto& [id, described] : c.rules) {
      w.BeginObject().Field("id", id);
      if (!described.description.empty()) w.Field("description", described.description);
      if (!described.references.empty()) w.Field("references", described.references);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

namespace {

absl::StatusOr<ComponentResult> ReadComponentResult(std::string_view text) {
  json::Parser parser;
  json::Object obj;
  TRAWL_RETURN_IF_ERROR(json::ParseObject(parser, text, "component result", &obj));
  json::FieldReader r(obj, "component result");
  std::string schema;
  TRAWL_RETURN_IF_ERROR(r.Read("schema", &schema));
  if (schema != kComponentResultSchema) {
    return absl::InvalidArgumentError(
        StrCat("component result: schema \"", schema, "\", expected ", kComponentResultSchema));
  }
  ComponentResult c;
  TRAWL_RETURN_IF_ERROR(r.Read("package_id", &c.package_id));
  TRAWL_RETURN_IF_ERROR(r.Read("component", &c.component_id));
  TRAWL_RETURN_IF_ERROR(r.Read("path", &c.path));
  TRAWL_RETURN_IF_ERROR(r.Read("status", &c.status));
  if (c.status != "analysed" && c.status != "skipped") {
    return absl::InvalidArgumentError(StrCat("component result: unknown status ", c.status));
  }
  TRAWL_RETURN_IF_ERROR(r.Read("reason", &c.reason));
  if (c.status == "analysed") {
    TRAWL_RETURN_IF_ERROR(r.Read("database", &c.database));
    if (!IsLowerHex(c.database, 64)) {
      return absl::InvalidArgumentError("component result: database must be a SHA-256 in hex");
    }
    TRAWL_RETURN_IF_ERROR(r.Read("format", &c.format));
    TRAWL_RETURN_IF_ERROR(r.Read("encoding", &c.encoding));
    TRAWL_RETURN_IF_ERROR(r.Read("bytes_scanned", &c.bytes_scanned));
    uint64_t truncation = 0;
    TRAWL_RETURN_IF_ERROR(r.Read("truncation", &truncation));
    if (truncation > UINT32_MAX) return absl::InvalidArgumentError("component result: truncation");
    c.truncation = static_cast<uint32_t>(truncation);
    TRAWL_RETURN_IF_ERROR(r.Read("dropped_candidates", &c.dropped_candidates));
    json::Array steps;  // added within /1: results written before it have none
    TRAWL_RETURN_IF_ERROR(r.Read("steps", &steps, /*required=*/false));
    for (json::Value item : steps) {
      json::Object step_object;
      if (item.Get(&step_object) != json::Error::kOk) {
        return absl::InvalidArgumentError("component result: a step is not an object");
      }
      const json::FieldReader step_fields(step_object, "component result step");
      PlanStep& step = c.steps.emplace_back();
      TRAWL_RETURN_IF_ERROR(step_fields.Read("stage", &step.stage));
      TRAWL_RETURN_IF_ERROR(step_fields.Read("name", &step.name));
      TRAWL_RETURN_IF_ERROR(step_fields.Read("input", &step.input));
    }
  }
  json::Array findings;
  TRAWL_RETURN_IF_ERROR(r.Read("findings", &findings));
  for (json::Value item : findings) {
    json::Object finding;
    if (item.Get(&finding) != json::Error::kOk) {
      return absl::InvalidArgumentError("component result: a finding is not an object");
    }
    TRAWL_RETURN_IF_ERROR(ReadFinding(finding, c, &c.findings.emplace_back()));
  }
  json::Array rules;  // added within /1: results written before it have none
  TRAWL_RETURN_IF_ERROR(r.Read("rules", &rules, /*required=*/false));
  for (json::Value item : rules) {
    json::Object rule;
    if (item.Get(&rule) != json::Error::kOk) {
      return absl::InvalidArgumentError("component result: a rule is not an object");
    }
    const json::FieldReader rule_fields(rule, "component result rule");
    std::string id;
    RuleDescription described;
    TRAWL_RETURN_IF_ERROR(rule_fields.Read("id", &id));
    TRAWL_RETURN_IF_ERROR(rule_fields.Read("description", &described.description, false));
    TRAWL_RETURN_IF_ERROR(rule_fields.Read("references", &described.references, false));
    if (!c.rules.emplace(std::move(id), std::move(described)).second) {
      return absl::InvalidArgumentError("component result: a rule is listed twice");
    }
  }
  return c;
}

}  // namespace

absl::StatusOr<ComponentResult> ComponentResultFromJson(std::string_view text) {
  return WithDefaultCode(ReadComponentResult(text), ErrorCode::kParse);
}

}  // namespace trawl
