// File: package_analysis.cc
#include "pipeline/package_analysis.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "classify/plan.h"
#include "engine/compiler.h"
#include "intake/decompose.h"
#include "intake/manifest_json.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/json_writer.h"
#include "util/strings.h"

namespace trawl {
namespace {

double SeverityWeight(Severity severity) {
  static constexpr double kWeights[] = {1, 2, 4, 7, 10};
  return kWeights[static_cast<int>(severity)];
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Where a finding sits says how urgent it is: a production config or an .env file beats
// a test fixture or documentation.
double LocationWeight(std::string_view path, std::string* why) {
  const std::string p = Lower(path);
  for (std::string_view marker : {"/test", "test/", "fixture", "example", "/docs/", "readme",
                                  "sample", "mock"}) {
    if (p.find(marker) != std::string::npos) {
      *why = StrCat("path looks like a test or documentation (", marker, ")");
      return 0.5;
    }
  }
  for (std::string_view marker : {".env", "config", "prod", "secret", "credential", ".npmrc",
                                  ".git-credentials", "id_rsa"}) {
    if (p.find(marker) != std::string::npos) {
      *why = StrCat("path looks like configuration (", marker, ")");
      return 1.25;
    }
  }
  *why = "neutral path";
  return 1.0;
}

void Aggregate(PackageReport* report) {
  std::map<std::pair<std::string, std::string>, AggregatedFinding> by_key;
  for (const ComponentResult& component : report->components) {
    for (const Finding& f : component.findings) {
      AggregatedFinding& agg = by_key[{f.rule_id, f.fingerprint}];
      if (agg.locations.empty()) {
        agg.rule_id = f.rule_id;
        agg.category = f.category;
        agg.severity = f.severity;
        agg.fingerprint = f.fingerprint;
        agg.value = f.value;
        agg.entity = f.entity;
        agg.validator = f.validator;
        agg.validated = f.validated;
        agg.confidence = f.confidence;
        agg.confidence_reasons = f.reasons;
      } else if (f.confidence > agg.confidence) {
        agg.confidence = f.confidence;
        agg.confidence_reasons = f.reasons;
      }
      agg.locations.push_back({f.component_id, f.path, f.start, f.end, f.line, f.column,
                               f.json_pointer, f.csv_row, f.csv_column, f.decoded_from});
    }
  }
  for (auto& [key, agg] : by_key) {
    std::sort(agg.locations.begin(), agg.locations.end(),
              [](const FindingLocation& a, const FindingLocation& b) {
                return std::tie(a.path, a.start, a.end) < std::tie(b.path, b.start, b.end);
              });
    std::string why;
    double best_location = 0;
    for (const auto& loc : agg.locations) {
      std::string this_why;
      const double w = LocationWeight(loc.path, &this_why);
      if (w > best_location) {
        best_location = w;
        why = this_why;
      }
    }
    const double exposure = 1.0 + 0.1 * std::log2(static_cast<double>(agg.locations.size()));
    agg.factors = {
        {StrCat("severity ", SeverityName(agg.severity)), SeverityWeight(agg.severity)},
        {"confidence", agg.confidence},
        {StrCat("exposure: ", agg.locations.size(), " location(s)"), exposure},
        {StrCat("location: ", why), best_location},
    };
    agg.priority = 1;
    for (const auto& factor : agg.factors) agg.priority *= factor.value;
    // Rounded so that the ranking is stable across platforms' floating point.
    agg.priority = std::round(agg.priority * 1e6) / 1e6;
    report->findings.push_back(std::move(agg));
  }
  std::sort(report->findings.begin(), report->findings.end(),
            [](const AggregatedFinding& a, const AggregatedFinding& b) {
              if (a.priority != b.priority) return a.priority > b.priority;
              if (a.rule_id != b.rule_id) return a.rule_id < b.rule_id;
              return a.fingerprint < b.fingerprint;
            });
}

}  // namespace

absl::StatusOr<DecomposeOptions> PackageDecomposeOptions(const std::string& path,
                                                         const PackageOptions& options) {
  DecomposeOptions decompose;
  decompose.limits = options.limits;
  decompose.package_id = options.package_id;
  if (decompose.package_id.empty()) {
    auto file = MappedFile::Open(path);
    if (!file.ok()) return file.status();
    decompose.package_id = ToHex(Sha256Of(file->bytes()));
  }
  return decompose;
}

absl::StatusOr<PackageReport> AnalyzePackageFile(const std::string& path,
                                                 std::shared_ptr<const Database> db,
                                                 const PackageOptions& options) {
  auto decompose = PackageDecomposeOptions(path, options);
  if (!decompose.ok()) return decompose.status();
  auto collected = CollectFile(path, *decompose);
  if (!collected.ok()) return collected.status();
  PackageReport report;
  report.manifest = std::move(collected->manifest);
  const auto& components = report.manifest.components;
  report.components.resize(components.size());

  const size_t threads = std::max<size_t>(
      1, std::min<size_t>(options.threads > 0 ? static_cast<size_t>(options.threads)
                                              : std::thread::hardware_concurrency(),
                          components.size()));
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  absl::Status first_error;
  ParallelFor(threads, static_cast<int>(threads), [&](size_t) {
    auto analyzer = ComponentAnalyzer::Create(db);
    if (!analyzer.ok()) {
      std::lock_guard lock(error_mutex);
      first_error.Update(analyzer.status());
      return;
    }
    for (size_t i; (i = next.fetch_add(1)) < components.size();) {
      const Component& component = components[i];
      auto it = collected->content.find(component.id);
      const std::string_view content =
          it == collected->content.end() ? std::string_view() : it->second;
      auto result = (*analyzer)->Analyze(component, content, options.analyze);
      if (!result.ok()) {
        ComponentResult failed;
        failed.component_id = component.id;
        failed.path = component.path;
        failed.status = "skipped";
        failed.reason = StrCat("analysis failed: ", std::string(result.status().message()));
        report.components[i] = std::move(failed);
        continue;
      }
      report.components[i] = *std::move(result);
    }
  });
  if (!first_error.ok()) return first_error;
  if (!report.manifest.complete) {
    report.complete = false;
    report.incomplete_reasons.push_back(
        StrCat("decomposition stopped by limit ", report.manifest.stopped_by));
  }
  for (const ComponentResult& c : report.components) {
    if (c.truncation) {
      report.complete = false;
      report.incomplete_reasons.push_back(StrCat(c.path, ": ", c.reason));
    }
  }
  Aggregate(&report);
  return report;
}

absl::StatusOr<std::string> ClassifyPackageFileJson(const std::string& path, const Database* db,
                                                    const PackageOptions& options) {
  auto decompose = PackageDecomposeOptions(path, options);
  if (!decompose.ok()) return decompose.status();
  PlanOptions plan_options;
  if (db != nullptr) {
    std::set<std::string> chains;
    for (const Definition& def : db->definitions()) chains.insert(def.chains.begin(), def.chains.end());
    plan_options.pattern_chains.assign(chains.begin(), chains.end());
  }
  std::vector<ProcessingPlan> plans;
  auto manifest = DecomposeFile(path, *decompose, [&](const Component& c, std::string_view content) {
    plans.push_back(PlanComponent(c, content, plan_options));
    return absl::OkStatus();
  });
  if (!manifest.ok()) return manifest.status();
  const PackageEstimate estimate = EstimatePackage(plans, plan_options.costs);
  JsonWriter w(2);
  w.BeginObject().Field("schema", "trawl.plans/1");
  w.Field("package_id", manifest->package_id);
  w.Key("package").BeginObject();
  w.Field("tier", TierName(estimate.tier));
  w.Field("estimated_seconds", estimate.estimated_seconds);
  w.Field("estimated_memory_bytes", estimate.estimated_memory_bytes);
  w.Field("components_to_analyze", estimate.components_to_analyze);
  w.Field("reasons", estimate.reasons);
  w.EndObject();
  w.Key("plans").BeginArray();
  for (const ProcessingPlan& plan : plans) {
    std::string json = PlanToJson(plan, 0);
    while (!json.empty() && (json.back() == '\n' || json.back() == ' ')) json.pop_back();
    w.Raw(json);
  }
  w.EndArray().EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

std::string ReportToJson(const PackageReport& report, int indent) {
  JsonWriter w(indent);
  w.BeginObject();
  w.Field("schema", kReportSchema);
  w.Field("package_id", report.manifest.package_id);
  w.Field("package_name", report.manifest.package_name);
  w.Field("complete", report.complete);
  w.Field("incomplete_reasons", report.incomplete_reasons);
  uint64_t analysed = 0, skipped = 0;
  for (const auto& c : report.components) (c.status == "analysed" ? analysed : skipped)++;
  w.Key("summary").BeginObject();
  w.Field("components", uint64_t{report.components.size()});
  w.Field("analysed", analysed);
  w.Field("skipped", skipped);
  w.Field("findings", uint64_t{report.findings.size()});
  w.EndObject();
  w.Key("findings").BeginArray();
  for (const AggregatedFinding& f : report.findings) {
    w.BeginObject();
    w.Field("rule", f.rule_id).Field("category", f.category);
    w.Field("severity", SeverityName(f.severity));
    w.Field("priority", f.priority).Field("confidence", f.confidence);
    w.Field("fingerprint", f.fingerprint);
    if (!f.value.empty()) w.Field("value", f.value);
    if (!f.entity.empty()) w.Field("entity", f.entity);
    if (!f.validator.empty()) w.Field("validator", f.validator).Field("validated", f.validated);
    w.Key("priority_factors").BeginArray();
    for (const auto& factor : f.factors) {
      w.BeginObject().Field("factor", factor.name).Field("value", factor.value).EndObject();
    }
    w.EndArray();
    w.Field("confidence_reasons", f.confidence_reasons);
    w.Key("locations").BeginArray();
    for (const FindingLocation& loc : f.locations) {
      w.BeginObject().Field("component", loc.component_id).Field("path", loc.path);
      w.Field("start", loc.start).Field("end", loc.end);
      if (loc.line >= 0) w.Field("line", loc.line).Field("column", loc.column);
      if (!loc.json_pointer.empty()) w.Field("json_pointer", loc.json_pointer);
      if (loc.csv_row >= 0) w.Field("csv_row", loc.csv_row).Field("csv_column", loc.csv_column);
      if (!loc.decoded_from.empty()) w.Field("decoded_from", loc.decoded_from);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("components").BeginArray();
  for (const ComponentResult& c : report.components) {
    w.BeginObject().Field("id", c.component_id).Field("path", c.path).Field("status", c.status);
    if (!c.reason.empty()) w.Field("reason", c.reason);
    if (!c.format.empty()) w.Field("format", c.format).Field("encoding", c.encoding);
    if (c.status == "analysed") {
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

std::string ReportToTable(const PackageReport& report) {
  std::string out = StrCat("package ", report.manifest.package_name, "  (",
                           report.components.size(), " components, ", report.findings.size(),
                           " findings", report.complete ? "" : ", INCOMPLETE", ")\n\n");
  char line[512];
  std::snprintf(line, sizeof line, "%-4s %-8s %-8s %-28s %s\n", "#", "priority", "severity",
                "rule", "where (value)");
  out += line;
  int rank = 0;
  for (const AggregatedFinding& f : report.findings) {
    ++rank;
    const FindingLocation& loc = f.locations.front();
    std::string where = loc.path;
    if (!loc.json_pointer.empty()) {
      StrAppend(&where, " ", loc.json_pointer);
    } else if (loc.csv_row >= 0) {
      StrAppend(&where, " row ", loc.csv_row, " col ", loc.csv_column);
    } else if (loc.line >= 0) {
      StrAppend(&where, ":", loc.line, ":", loc.column);
    } else {
      StrAppend(&where, " @", loc.start);
    }
    if (!loc.decoded_from.empty()) StrAppend(&where, " [", loc.decoded_from, "]");
    if (f.locations.size() > 1) StrAppend(&where, " (+", f.locations.size() - 1, " more)");
    std::string value = f.value.size() > 40 ? f.value.substr(0, 37) + "..." : f.value;
    for (char& c : value) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    std::snprintf(line, sizeof line, "%-4d %-8.2f %-8s %-28.28s %s  %s\n", rank, f.priority,
                  std::string(SeverityName(f.severity)).c_str(), f.rule_id.c_str(),
                  where.c_str(), value.c_str());
    out += line;
  }
  out += "\ncomponents:\n";
  for (const ComponentResult& c : report.components) {
    StrAppend(&out, "  ", c.status == "analysed" ? "analysed " : "skipped  ", c.path,
              c.format.empty() ? "" : StrCat(" [", c.format, "]"),
              c.reason.empty() ? "" : StrCat(" - ", c.reason), "\n");
  }
  for (const auto& why : report.incomplete_reasons) StrAppend(&out, "INCOMPLETE: ", why, "\n");
  return out;
}

}  // namespace trawl
