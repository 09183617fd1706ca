// File: report_json.cc
#include "analyze/component_result_json.h"
#include "intake/manifest_json.h"
#include "report/finding_groups.h"
#include "report/git_origin.h"
#include "report/report.h"
#include "util/json_writer.h"

namespace trawl {
namespace {

void WriteFinding(JsonWriter& w, const AggregatedFinding& f, const GitOrigins& git) {
  w.BeginObject();
  w.Field("rule", f.rule_id).Field("category", f.category);
  w.Field("severity", SeverityName(f.severity));
  w.Field("priority", f.priority).Field("confidence", f.confidence);
  w.Field("fingerprint", f.fingerprint);
  if (!f.value.empty()) w.Field("value", f.value);
  if (!f.normalized.empty()) w.Field("normalized", f.normalized);
  if (!f.entity.empty()) w.Field("entity", f.entity);
  if (!f.validator.empty()) w.Field("validator", f.validator).Field("validated", f.validated);
  if (!f.indicator.empty()) WriteFindingIndicator(w, f.indicator);
  if (!f.suppressed_by.empty()) {
    w.Key("suppression").BeginObject().Field("by", f.suppressed_by);
    w.Field("reason", f.suppression_reason).EndObject();
  }
  w.Key("priority_factors").BeginArray();
  for (const PriorityFactor& factor : f.factors) {
    w.BeginObject().Field("factor", factor.name).Field("value", factor.value).EndObject();
  }
  w.EndArray();
  w.Field("confidence_reasons", f.confidence_reasons);
  w.Key("locations").BeginArray();
  for (size_t i = 0; i < f.locations.size(); ++i) {
    const FindingLocation& loc = f.locations[i];
    // Tens of thousands of locations hold their own strings, cold by now: asking for the
    // next one's early hides most of the wait for memory (a third of the rendering).
    if (i + 2 < f.locations.size()) {
      __builtin_prefetch(f.locations[i + 2].component_id.data());
      __builtin_prefetch(f.locations[i + 2].path.data());
      __builtin_prefetch(f.locations[i + 2].json_pointer.data());
    }
    w.BeginObject().Field("component", loc.component_id).Field("path", loc.path);
    w.Field("start", loc.start).Field("end", loc.end);
    if (loc.line >= 0) w.Field("line", loc.line).Field("column", loc.column);
    if (!loc.json_pointer.empty()) w.Field("json_pointer", loc.json_pointer);
    if (loc.csv_row >= 0) w.Field("csv_row", loc.csv_row).Field("csv_column", loc.csv_column);
    if (!loc.decoded_from.empty()) w.Field("decoded_from", loc.decoded_from);
    if (!loc.suppressed.empty()) w.Field("suppressed", loc.suppressed);
    if (const Component* blob = git.Find(loc.component_id)) WriteGitIntroductions(w, *blob);
    w.EndObject();
  }
  w.EndArray();
  w.Key("related").BeginArray();
  for (const RelatedFinding& r : f.related) {
    w.BeginObject().Field("rule", r.rule_id).Field("fingerprint", r.fingerprint);
    w.Field("why", r.why).EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string ReportToJson(const PackageReport& report, int indent) {
  JsonWriter w(indent);
  w.BeginObject();
  w.Field("schema", kReportSchema);
  w.Field("package_id", report.manifest.package_id);
  w.Field("package_name", report.manifest.package_name);
  w.Field("database", report.database);
  w.Field("complete", report.complete);
  w.Field("incomplete_reasons", report.incomplete_reasons);
  w.Field("notes", report.notes);
  uint64_t analysed = 0, skipped = 0, missing = 0;
  for (const ComponentResult& c : report.components) {
    (c.status == "analysed" ? analysed : c.status == "missing" ? missing : skipped)++;
  }
  w.Key("summary").BeginObject();
  w.Field("components", uint64_t{report.components.size()});
  w.Field("analysed", analysed).Field("skipped", skipped).Field("missing", missing);
  w.Field("findings", uint64_t{report.findings.size()});
  w.Field("suppressed", uint64_t{report.suppressed.size()});
  w.EndObject();
  w.Key("package_score").BeginObject();
  w.Field("score", report.score.score);
  w.Field("highest_priority", report.score.highest_priority);
  w.Key("findings_by_severity").BeginObject();
  for (size_t i = report.score.active_by_severity.size(); i-- > 0;) {
    w.Field(SeverityName(static_cast<Severity>(i)), report.score.active_by_severity[i]);
  }
  w.EndObject();
  w.EndObject();
  const GitOrigins git(report.manifest);
  w.Key("findings").BeginArray();
  for (const AggregatedFinding& f : report.findings) WriteFinding(w, f, git);
  w.EndArray();
  w.Key("suppressed").BeginArray();
  for (const AggregatedFinding& f : report.suppressed) WriteFinding(w, f, git);
  w.EndArray();
  // Groups of low-priority entities (report/finding_groups.h); their findings stay above.
  w.Key("groups").BeginArray();
  for (const FindingGroup& g : GroupLowPriorityFindings(report)) {
    w.BeginObject().Field("title", g.Title()).Field("entity", g.entity);
    if (!g.rule_id.empty()) w.Field("rule", g.rule_id);
    w.Field("path", g.path);
    if (!g.field.empty()) w.Field("field", g.field);
    w.Field("severity", SeverityName(g.severity)).Field("priority", g.priority);
    w.Field("count", uint64_t{g.members.size()});
    w.Key("findings").BeginArray();
    for (size_t member : g.members) w.Uint(member);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("components").BeginArray();
  for (const ComponentResult& c : report.components) {
    w.BeginObject().Field("id", c.component_id).Field("path", c.path).Field("status", c.status);
    if (!c.reason.empty()) w.Field("reason", c.reason);
    if (c.status == "analysed") {
      w.Field("format", c.format).Field("encoding", c.encoding);
      w.Field("bytes_scanned", c.bytes_scanned).Field("findings", uint64_t{c.findings.size()});
      w.Field("dropped_candidates", c.dropped_candidates);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("manifest").Raw(ManifestToJson(report.manifest, 0));
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

}  // namespace trawl
