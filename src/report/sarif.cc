// File: sarif.cc
// SARIF 2.1.0 (OASIS): one run, one reportingDescriptor per rule that has findings, one
// result per aggregated finding. Checked with Microsoft's SARIF Multitool in the tests.
#include <map>

#include "intake/manifest_json.h"
#include "report/git_origin.h"
#include "report/report.h"
#include "util/json_writer.h"
#include "util/strings.h"

namespace trawl {
namespace {

// SARIF levels: high and critical findings fail a check, medium warns, the rest inform.
std::string_view Level(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
    case Severity::kHigh: return "error";
    case Severity::kMedium: return "warning";
    default: return "note";
  }
}

// Component paths ("pkg.tar.gz!/etc/app.json") as relative URI references: unreserved
// characters, "/" and "!" stay, everything else is percent-encoded (':' too, so that the
// first segment can never read as a scheme).
std::string PathToUri(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri;
  for (unsigned char c : path) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '!') {
      uri.push_back(static_cast<char>(c));
    } else {
      uri.push_back('%');
      uri.push_back(kHex[c >> 4]);
      uri.push_back(kHex[c & 15]);
    }
  }
  return uri;
}

std::string Message(const AggregatedFinding& f) {
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, "priority %.2f, confidence %.2f", f.priority,
                f.confidence);
  return StrCat(f.rule_id, " (", f.category, ", severity ", SeverityName(f.severity), "): ",
                numbers, ", ", f.locations.size(), " location(s)",
                f.entity.empty() ? "" : StrCat(", entity ", f.entity));
}

// A location in a git blob: the path its first introduction gave it, relative to the
// repository's root (%SRCROOT%), so code scanning attaches it to the file.
void WriteArtifactLocation(JsonWriter& w, const FindingLocation& loc, const Component* blob) {
  w.Key("artifactLocation").BeginObject();
  if (blob != nullptr) {
    w.Field("uri", PathToUri(blob->git.front().path)).Field("uriBaseId", "%SRCROOT%");
  } else {
    w.Field("uri", PathToUri(loc.path));
  }
  w.EndObject();
}

void WriteResult(JsonWriter& w, const AggregatedFinding& f, size_t rule_index,
                 const GitOrigins& git) {
  const Component* first_blob = nullptr;
  w.BeginObject();
  w.Field("ruleId", f.rule_id).Field("ruleIndex", uint64_t{rule_index});
  w.Field("level", Level(f.severity));
  w.Key("message").BeginObject().Field("text", Message(f)).EndObject();
  w.Key("locations").BeginArray();
  for (const FindingLocation& loc : f.locations) {
    const Component* blob = git.Find(loc.component_id);
    if (first_blob == nullptr) first_blob = blob;
    w.BeginObject().Key("physicalLocation").BeginObject();
    WriteArtifactLocation(w, loc, blob);
    w.Key("region").BeginObject();
    if (loc.line >= 0) w.Field("startLine", loc.line);
    w.Field("byteOffset", loc.start).Field("byteLength", loc.end - loc.start);
    w.EndObject();
    w.EndObject();
    if (!loc.json_pointer.empty() || loc.csv_row >= 0) {
      w.Key("logicalLocations").BeginArray().BeginObject();
      if (!loc.json_pointer.empty()) {
        w.Field("fullyQualifiedName", loc.json_pointer).Field("kind", "member");
      } else {
        w.Field("fullyQualifiedName", StrCat("row ", loc.csv_row, ", column ", loc.csv_column));
        w.Field("kind", "element");
      }
      w.EndObject().EndArray();
    }
    if (blob != nullptr) {
      w.Key("properties").BeginObject();
      WriteGitIntroductions(w, *blob);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("partialFingerprints").BeginObject().Field("trawlFinding/v1", f.fingerprint).EndObject();
  if (!f.suppressed_by.empty()) {
    w.Key("suppressions").BeginArray().BeginObject();
    w.Field("kind", "external").Field("status", "accepted");
    w.Field("justification", StrCat(f.suppressed_by, ": ", f.suppression_reason));
    w.EndObject().EndArray();
  }
  w.Key("properties").BeginObject();
  w.Field("priority", f.priority).Field("confidence", f.confidence);
  w.Field("category", f.category).Field("severity", SeverityName(f.severity));
  if (!f.entity.empty()) w.Field("entity", f.entity);
  if (!f.validator.empty()) w.Field("validator", f.validator).Field("validated", f.validated);
  if (first_blob != nullptr) {
    // The commit that introduced the first location's blob, and who made it when.
    const GitIntroduction& first = first_blob->git.front();
    w.Field("commit", first.commit).Field("author", first.author).Field("date", first.date);
  }
  w.EndObject();
  w.EndObject();
}

}  // namespace

std::string ReportToSarif(const PackageReport& report, std::string_view tool_version) {
  // Rules in id order, so that ruleIndex is stable.
  std::map<std::string, const AggregatedFinding*> rules;
  for (const auto* list : {&report.findings, &report.suppressed}) {
    for (const AggregatedFinding& f : *list) rules.emplace(f.rule_id, &f);
  }
  std::map<std::string, size_t> rule_index;
  JsonWriter w(2);
  w.BeginObject();
  w.Field("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.Field("version", "2.1.0");
  w.Key("runs").BeginArray().BeginObject();
  w.Key("tool").BeginObject().Key("driver").BeginObject();
  w.Field("name", "trawl").Field("version", tool_version);
  w.Key("rules").BeginArray();
  for (const auto& [id, f] : rules) {
    rule_index[id] = rule_index.size();
    w.BeginObject().Field("id", id);
    w.Key("shortDescription").BeginObject();
    w.Field("text", StrCat(f->category, " pattern ", id)).EndObject();
    w.Key("defaultConfiguration").BeginObject().Field("level", Level(f->severity)).EndObject();
    w.Key("properties").BeginObject().Field("category", f->category);
    w.Field("severity", SeverityName(f->severity)).EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject().EndObject();
  w.Key("automationDetails").BeginObject();
  w.Field("id", StrCat("trawl/", report.manifest.package_id)).EndObject();
  w.Key("invocations").BeginArray().BeginObject();
  w.Field("executionSuccessful", report.complete);
  w.Key("toolExecutionNotifications").BeginArray();
  for (const std::string& why : report.incomplete_reasons) {
    w.BeginObject().Field("level", "error");
    w.Key("message").BeginObject().Field("text", StrCat("incomplete: ", why)).EndObject();
    w.EndObject();
  }
  for (const std::string& note : report.notes) {
    w.BeginObject().Field("level", "warning");
    w.Key("message").BeginObject().Field("text", note).EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject().EndArray();
  w.Key("results").BeginArray();
  const GitOrigins git(report.manifest);
  for (const auto* list : {&report.findings, &report.suppressed}) {
    for (const AggregatedFinding& f : *list) WriteResult(w, f, rule_index.at(f.rule_id), git);
  }
  w.EndArray();
  w.Key("properties").BeginObject();
  w.Field("packageId", report.manifest.package_id);
  w.Field("packageName", report.manifest.package_name);
  w.Field("complete", report.complete).Field("packageScore", report.score.score);
  w.EndObject();
  w.EndObject().EndArray();
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

}  // namespace trawl
