// File: render.cc
#include <algorithm>
#include <map>

#include "absl/strings/str_join.h"
#include "report/report.h"
#include "util/strings.h"
#include "util/status_codes.h"

namespace trawl {

bool IsReportFormat(int32_t format) {
  switch (static_cast<ReportFormat>(format)) {
    case ReportFormat::kJson:
    case ReportFormat::kTable:
    case ReportFormat::kSarif: return true;
  }
  return false;
}

namespace {

bool InCategories(const AggregatedFinding& f, const std::vector<std::string>& categories) {
  if (categories.empty()) return true;
  const std::string_view first = std::string_view(f.category).substr(0, f.category.find('/'));
  for (const std::string& c : categories) {
    if (c == f.category || c == first) return true;
  }
  return false;
}

// Keeps the findings `keep` accepts; returns how many it dropped.
template <typename Keep>
size_t Filter(std::vector<AggregatedFinding>* findings, Keep keep) {
  const size_t before = findings->size();
  findings->erase(std::remove_if(findings->begin(), findings->end(),
                                 [&](const AggregatedFinding& f) { return !keep(f); }),
                  findings->end());
  return before - findings->size();
}

}  // namespace

std::vector<std::string> ParseCategoryList(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view part = list.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

absl::StatusOr<std::string> RenderReport(const PackageReport& report, int32_t format,
                                         std::string_view tool_version, const ReportView& view) {
  if (!IsReportFormat(format)) {
    return CodedError(ErrorCode::kUnsupported, "unknown report format");
  }
  const bool filters = view.min_severity != Severity::kInfo || !view.categories.empty();
  const bool table = static_cast<ReportFormat>(format) == ReportFormat::kTable;
  if (!filters && (!table || view.list_all)) {
    switch (static_cast<ReportFormat>(format)) {
      case ReportFormat::kJson: return ReportToJson(report);
      case ReportFormat::kTable: return ReportToTable(report);
      case ReportFormat::kSarif: return ReportToSarif(report, tool_version);
    }
  }
  PackageReport shown = report;
  const auto selected = [&](const AggregatedFinding& f) {
    return f.severity >= view.min_severity && InCategories(f, view.categories);
  };
  const size_t dropped = Filter(&shown.findings, selected) + Filter(&shown.suppressed, selected);
  if (dropped > 0) {
    std::string what = StrCat(dropped, " finding(s) not listed: the view selects severity ",
                              SeverityName(view.min_severity), " and above");
    if (!view.categories.empty()) {
      StrAppend(&what, ", categories ", absl::StrJoin(view.categories, ","));
    }
    shown.notes.push_back(std::move(what));
  }
  switch (static_cast<ReportFormat>(format)) {
    case ReportFormat::kJson: return ReportToJson(shown);
    case ReportFormat::kSarif: return ReportToSarif(shown, tool_version);
    case ReportFormat::kTable: break;
  }
  std::vector<std::string> unlisted;
  if (dropped > 0) unlisted.push_back(shown.notes.back());
  if (!view.list_all) {
    // Info-level entities (domains, addresses, URLs in a source tree) are many and rarely
    // actionable one by one: counted by rule, listed with --all.
    std::map<std::string, size_t> by_rule;
    const size_t info = Filter(&shown.findings, [&](const AggregatedFinding& f) {
      if (f.severity != Severity::kInfo) return true;
      ++by_rule[f.rule_id];
      return false;
    });
    if (info > 0) {
      std::vector<std::string> counts;
      for (const auto& [rule, n] : by_rule) counts.push_back(StrCat(rule, " ", n));
      unlisted.push_back(StrCat(info, " info-level finding(s) not listed one by one (",
                                absl::StrJoin(counts, ", "), "); --all lists them"));
    }
  }
  return ReportToTable(shown, unlisted, view.list_all);
}

}  // namespace trawl
