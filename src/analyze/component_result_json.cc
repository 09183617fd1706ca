// File: component_result_json.cc
#include "analyze/component_result_json.h"

#include "intake/skip_policy.h"
#include "util/json_fields.h"
#include "util/json_writer.h"
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
  w.EndObject();
}

absl::Status ReadFinding(const object& obj, const ComponentResult& owner, Finding* f) {
  FieldReader r(obj, "finding");
  TRAWL_RETURN_IF_ERROR(r.String("rule", &f->rule_id));
  TRAWL_RETURN_IF_ERROR(r.String("category", &f->category));
  std::string severity;
  TRAWL_RETURN_IF_ERROR(r.String("severity", &severity));
  std::optional<Severity> parsed = ParseSeverity(severity);
  if (!parsed) return absl::InvalidArgumentError(StrCat("finding: unknown severity ", severity));
  f->severity = *parsed;
  TRAWL_RETURN_IF_ERROR(r.Uint("start", &f->start));
  TRAWL_RETURN_IF_ERROR(r.Uint("end", &f->end));
  if (f->end < f->start) return absl::InvalidArgumentError("finding: end before start");
  TRAWL_RETURN_IF_ERROR(r.String("decoded_from", &f->decoded_from, false));
  TRAWL_RETURN_IF_ERROR(r.String("fingerprint", &f->fingerprint));
  TRAWL_RETURN_IF_ERROR(r.String("value", &f->value, false));
  TRAWL_RETURN_IF_ERROR(r.String("normalized", &f->normalized, false));
  TRAWL_RETURN_IF_ERROR(r.String("entity", &f->entity, false));
  TRAWL_RETURN_IF_ERROR(r.String("validator", &f->validator, false));
  TRAWL_RETURN_IF_ERROR(r.Bool("validated", &f->validated, false));
  TRAWL_RETURN_IF_ERROR(r.Double("confidence", &f->confidence));
  TRAWL_RETURN_IF_ERROR(r.Double("entropy", &f->entropy, false));
  TRAWL_RETURN_IF_ERROR(r.Strings("confidence_reasons", &f->reasons));
  TRAWL_RETURN_IF_ERROR(r.Int("line", &f->line, false));
  TRAWL_RETURN_IF_ERROR(r.Int("column", &f->column, false));
  TRAWL_RETURN_IF_ERROR(r.String("json_pointer", &f->json_pointer, false));
  TRAWL_RETURN_IF_ERROR(r.Int("csv_row", &f->csv_row, false));
  TRAWL_RETURN_IF_ERROR(r.String("csv_column", &f->csv_column, false));
  object indicator;
  const auto indicator_error = obj.at_key("indicator").get_object().get(indicator);
  if (indicator_error && indicator_error != simdjson::NO_SUCH_FIELD) {
    return absl::InvalidArgumentError("finding field \"indicator\": not an object");
  }
  if (!indicator_error) {
    FieldReader ir(indicator, "finding indicator");
    TRAWL_RETURN_IF_ERROR(ir.String("feed", &f->indicator.feed));
    TRAWL_RETURN_IF_ERROR(ir.String("family", &f->indicator.family, false));
    TRAWL_RETURN_IF_ERROR(ir.String("match", &f->indicator.match));
    TRAWL_RETURN_IF_ERROR(ir.String("type", &f->indicator.type));
    TRAWL_RETURN_IF_ERROR(ir.String("value", &f->indicator.value, false));
    TRAWL_RETURN_IF_ERROR(ir.String("source", &f->indicator.source, false));
    if (f->indicator.feed.empty()) return absl::InvalidArgumentError("finding indicator: empty feed");
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
  }
  w.Key("findings").BeginArray();
  for (const Finding& f : c.findings) WriteFinding(w, f);
  w.EndArray();
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

absl::StatusOr<ComponentResult> ComponentResultFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  object obj;
  TRAWL_RETURN_IF_ERROR(ParseObject(parser, json, "component result", &obj));
  FieldReader r(obj, "component result");
  std::string schema;
  TRAWL_RETURN_IF_ERROR(r.String("schema", &schema));
  if (schema != kComponentResultSchema) {
    return absl::InvalidArgumentError(
        StrCat("component result: schema \"", schema, "\", expected ", kComponentResultSchema));
  }
  ComponentResult c;
  TRAWL_RETURN_IF_ERROR(r.String("package_id", &c.package_id));
  TRAWL_RETURN_IF_ERROR(r.String("component", &c.component_id));
  TRAWL_RETURN_IF_ERROR(r.String("path", &c.path));
  TRAWL_RETURN_IF_ERROR(r.String("status", &c.status));
  if (c.status != "analysed" && c.status != "skipped") {
    return absl::InvalidArgumentError(StrCat("component result: unknown status ", c.status));
  }
  TRAWL_RETURN_IF_ERROR(r.String("reason", &c.reason));
  if (c.status == "analysed") {
    TRAWL_RETURN_IF_ERROR(r.String("database", &c.database));
    TRAWL_RETURN_IF_ERROR(r.String("format", &c.format));
    TRAWL_RETURN_IF_ERROR(r.String("encoding", &c.encoding));
    TRAWL_RETURN_IF_ERROR(r.Uint("bytes_scanned", &c.bytes_scanned));
    uint64_t truncation = 0;
    TRAWL_RETURN_IF_ERROR(r.Uint("truncation", &truncation));
    if (truncation > UINT32_MAX) return absl::InvalidArgumentError("component result: truncation");
    c.truncation = static_cast<uint32_t>(truncation);
    TRAWL_RETURN_IF_ERROR(r.Uint("dropped_candidates", &c.dropped_candidates));
  }
  simdjson::dom::array findings;
  TRAWL_RETURN_IF_ERROR(r.Array("findings", &findings));
  for (element item : findings) {
    object finding;
    if (item.get_object().get(finding)) {
      return absl::InvalidArgumentError("component result: a finding is not an object");
    }
    TRAWL_RETURN_IF_ERROR(ReadFinding(finding, c, &c.findings.emplace_back()));
  }
  return c;
}

}  // namespace trawl
