// File: sarif.cc
// SARIF 2.1.0 (OASIS): one run, one reportingDescriptor per rule that has findings, one
// result per aggregated finding. Checked with Microsoft's SARIF Multitool in the tests.
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "intake/manifest_json.h"
#include "report/git_origin.h"
#include "report/report.h"
#include "util/json_writer.h"
#include "util/strings.h"

// The project's home page for tool.driver.informationUri and rules' helpUri; "" leaves
// them out (CMake: TRAWL_HOMEPAGE_URL).
#ifndef TRAWL_HOMEPAGE_URL
#define TRAWL_HOMEPAGE_URL ""
#endif

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

// GitHub's security-severity scale: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
// 0.1-3.9 low. Info-level findings carry none.
std::string_view SecuritySeverity(Severity severity) {
  switch (severity) {
    case Severity::kCritical: return "9.5";
    case Severity::kHigh: return "8.0";
    case Severity::kMedium: return "5.5";
    case Severity::kLow: return "3.0";
    default: return "";
  }
}

// "aws-access-key-id" -> "AwsAccessKeyId" (code scanning shows a rule's name).
std::string RuleName(std::string_view id) {
  std::string name;
  bool upper = true;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    name.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return name.empty() ? "Rule" : name;
}

// The first sentence of a rule's description (up to ". " or the end), for its short
// description; the full text is its full description. GitHub takes at most 1024 bytes:
// a longer sentence is cut there, at a UTF-8 character boundary.
std::string_view FirstSentence(std::string_view text) {
  constexpr size_t kMaxShortDescription = 1024;
  const size_t stop = text.find(". ");
  if (stop != std::string_view::npos) text = text.substr(0, stop);
  if (text.size() > kMaxShortDescription) {
    size_t end = kMaxShortDescription;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = text.substr(0, end);
  }
  while (!text.empty() && (text.back() == '.' || text.back() == ' ')) text.remove_suffix(1);
  return text;
}

// The first http(s) URL among a rule's references, or "".
std::string_view ReferenceUrl(const std::vector<std::string>& references) {
  for (const std::string& ref : references) {
    if (ref.rfind("https://", 0) == 0 || ref.rfind("http://", 0) == 0) return ref;
  }
  return "";
}

// `described`: what the rule's file says of it, or null (an indicator hit, a rule without
// a description or references, or component results written before they carried them):
// the rule is then described from its id, category and severity.
void WriteRule(JsonWriter& w, const std::string& id, const AggregatedFinding& f,
               const RuleDescription* described) {
  const std::string kind = f.category.substr(0, f.category.find('/'));
  const std::string generated =
      StrCat("A ", f.category, " finding of trawl rule ", id,
             f.entity.empty() ? "" : StrCat(" (entity ", f.entity, ")"), ", severity ",
             SeverityName(f.severity), ".");
  const std::string_view description =
      described != nullptr ? std::string_view(described->description) : std::string_view();
  const std::string action =
      kind == "secret"     ? "Revoke or rotate the credential, then remove it from the file and "
                             "its history."
      : kind == "pii"      ? "Check whether this personal data may be stored here; remove or mask "
                             "it if not."
      : kind == "indicator" ? "The value is a network or file indicator; a listed one (a threat "
                              "feed hit) needs investigation."
                            : "Review the match.";
  const std::string suppress =
      "A false positive is suppressed with a `trawl:ignore` comment on its line, an allow-list "
      "(--suppressions) or a baseline (--baseline).";
  const std::vector<std::string> no_references;
  const std::vector<std::string>& references =
      described != nullptr ? described->references : no_references;
  const std::string_view first = FirstSentence(description);
  w.BeginObject().Field("id", id).Field("name", RuleName(id));
  w.Key("shortDescription").BeginObject();
  w.Field("text", first.empty() ? StrCat(f.category, " pattern ", id) : std::string(first));
  w.EndObject();
  const std::string full = description.empty() ? generated : std::string(description);
  w.Key("fullDescription").BeginObject().Field("text", full).EndObject();
  std::string markdown = StrCat("**", id, "** (", f.category, ", ", SeverityName(f.severity),
                                ")\n\n");
  if (!description.empty()) StrAppend(&markdown, description, "\n\n");
  StrAppend(&markdown, action, "\n\n", suppress);
  std::string text = StrCat(full, " ", action, " ", suppress);
  if (!references.empty()) {
    StrAppend(&markdown, "\n\nReferences:\n");
    StrAppend(&text, " References:");
    for (const std::string& ref : references) {
      StrAppend(&markdown, "\n- ", ref);
      StrAppend(&text, " ", ref);
    }
  }
  w.Key("help").BeginObject().Field("text", text).Field("markdown", markdown).EndObject();
  if (const std::string_view url = ReferenceUrl(references); !url.empty()) {
    w.Field("helpUri", url);
  } else if (!std::string_view(TRAWL_HOMEPAGE_URL).empty()) {
    w.Field("helpUri", StrCat(TRAWL_HOMEPAGE_URL, "/blob/main/docs/rules.md"));
  }
  w.Key("defaultConfiguration").BeginObject().Field("level", Level(f.severity)).EndObject();
  w.Key("properties").BeginObject().Field("category", f.category);
  w.Field("severity", SeverityName(f.severity));
  std::vector<std::string> tags = {"security", kind};
  if (f.category != kind) tags.push_back(f.category);
  w.Field("tags", tags);
  if (const std::string_view level = SecuritySeverity(f.severity); !level.empty()) {
    w.Field("security-severity", level);
  }
  w.EndObject();
  w.EndObject();
}

std::string Message(const AggregatedFinding& f) {
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, "priority %.2f, confidence %.2f", f.priority,
                f.confidence);
  return StrCat(f.rule_id, " (", f.category, ", severity ", SeverityName(f.severity), "): ",
                numbers, ", ", f.locations.size(), " location(s)",
                f.entity.empty() ? "" : StrCat(", entity ", f.entity));
}

// Where a location is for code scanning: the file (relative to the scanned directory, or
// the package file itself) and, inside an archive, the member's path chain.
struct Artifact {
  std::string file;    // relative to %SRCROOT%
  std::string member;  // "" for a file of the scanned tree; "logs/app.log" inside an archive
};

// "repo!/src/a.py" -> {src/a.py, ""} for a directory or several inputs (the root is the
// scanned tree); "pkg.tar.gz!/etc/app.json" -> {pkg.tar.gz, etc/app.json} for a package
// file; a nested archive's member keeps its whole chain ("b.zip!/c.txt").
Artifact ArtifactOf(const PackageReport& report, std::string_view path, bool tree) {
  const std::string_view root = report.manifest.package_name;
  std::string_view rest = path;
  if (rest.size() > root.size() + 2 && rest.substr(0, root.size()) == root &&
      rest.substr(root.size(), 2) == "!/") {
    rest.remove_prefix(root.size() + 2);
  } else {
    return {std::string(path), ""};  // the package itself
  }
  if (!tree) return {std::string(root), std::string(rest)};
  const size_t nested = rest.find("!/");
  if (nested == std::string_view::npos) return {std::string(rest), ""};
  return {std::string(rest.substr(0, nested)), std::string(rest.substr(nested + 2))};
}

// Whether the package is a scanned tree (a directory, several inputs), whose components'
// paths are the files' own.
bool IsTree(const PackageReport& report) {
  for (const Component& c : report.manifest.components) {
    if (c.depth == 0) return c.container_format == "inputs";
  }
  return false;
}

void WriteResult(JsonWriter& w, const PackageReport& report, bool tree, const AggregatedFinding& f,
                 size_t rule_index, const GitOrigins& git) {
  const Component* first_blob = nullptr;
  w.BeginObject();
  w.Field("ruleId", f.rule_id).Field("ruleIndex", uint64_t{rule_index});
  w.Field("level", Level(f.severity));
  w.Key("message").BeginObject().Field("text", Message(f)).EndObject();
  w.Key("locations").BeginArray();
  for (const FindingLocation& loc : f.locations) {
    const Component* blob = git.Find(loc.component_id);
    if (first_blob == nullptr) first_blob = blob;
    // A git blob's file is the path its first introduction gave it, repository-relative.
    const Artifact artifact =
        blob != nullptr ? Artifact{blob->git.front().path, ""} : ArtifactOf(report, loc.path, tree);
    w.BeginObject().Key("physicalLocation").BeginObject();
    w.Key("artifactLocation").BeginObject().Field("uri", PathToUri(artifact.file));
    w.Field("uriBaseId", "%SRCROOT%").EndObject();
    w.Key("region").BeginObject();
    // Code scanning needs a line. A member's region is in the member's own bytes; a place
    // without lines (binary content) is shown at line 1 with its byte offset.
    const int64_t line = loc.line >= 1 ? loc.line : 1;
    w.Field("startLine", line);
    if (loc.line >= 1 && loc.column >= 1) {
      w.Field("startColumn", loc.column);
      // A value without a line break ends on its line (the end column is exclusive); a
      // redacted value's end is not known without the content, so only the start is given.
      if (!f.value.empty() && f.value.find('\n') == std::string::npos) {
        w.Field("endLine", line);
        w.Field("endColumn", loc.column + static_cast<int64_t>(loc.end - loc.start));
      }
    }
    w.Field("byteOffset", loc.start).Field("byteLength", loc.end - loc.start);
    w.EndObject();
    w.EndObject();
    const bool logical = !artifact.member.empty() || !loc.json_pointer.empty() || loc.csv_row >= 0;
    if (logical) {
      w.Key("logicalLocations").BeginArray();
      if (!artifact.member.empty()) {
        w.BeginObject().Field("name", artifact.member).Field("fullyQualifiedName", loc.path);
        w.Field("kind", "archiveMember").EndObject();
      }
      if (!loc.json_pointer.empty()) {
        w.BeginObject().Field("fullyQualifiedName", loc.json_pointer).Field("kind", "member");
        w.EndObject();
      } else if (loc.csv_row >= 0) {
        w.BeginObject();
        w.Field("fullyQualifiedName", StrCat("row ", loc.csv_row, ", column ", loc.csv_column));
        w.Field("kind", "element").EndObject();
      }
      w.EndArray();
    }
    w.Key("properties").BeginObject().Field("trawlPath", loc.path);
    if (!artifact.member.empty()) w.Field("archiveMember", artifact.member);
    if (blob != nullptr) WriteGitIntroductions(w, *blob);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Key("partialFingerprints").BeginObject().Field("trawlFinding/v1", f.fingerprint).EndObject();
  if (!f.suppressed_by.empty()) {
    w.Key("suppressions").BeginArray().BeginObject();
    // An inline ignore is a suppression written in the scanned source itself.
    w.Field("kind", f.suppressed_by == "inline" ? "inSource" : "external");
    w.Field("status", "accepted");
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
  const bool tree = IsTree(report);
  JsonWriter w(2);
  w.BeginObject();
  w.Field("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.Field("version", "2.1.0");
  w.Key("runs").BeginArray().BeginObject();
  w.Key("tool").BeginObject().Key("driver").BeginObject();
  w.Field("name", "trawl").Field("version", tool_version);
  w.Field("semanticVersion", tool_version);
  if (!std::string_view(TRAWL_HOMEPAGE_URL).empty()) w.Field("informationUri", TRAWL_HOMEPAGE_URL);
  w.Key("rules").BeginArray();
  for (const auto& [id, f] : rules) {
    rule_index[id] = rule_index.size();
    const auto described = report.rules.find(id);
    WriteRule(w, id, *f, described != report.rules.end() ? &described->second : nullptr);
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
    for (const AggregatedFinding& f : *list) {
      WriteResult(w, report, tree, f, rule_index.at(f.rule_id), git);
    }
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
