// File: report.h
// The package report's renderings (docs/report.md): JSON ("trawl.report/1",
// deterministic bytes), SARIF 2.1.0 for code-scanning tools, and a readable table.
// Thread-safe: all functions are pure.
#ifndef TRAWL_SRC_REPORT_REPORT_H_
#define TRAWL_SRC_REPORT_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "aggregate/aggregate.h"

namespace trawl {

inline constexpr std::string_view kReportSchema = "trawl.report/1";

std::string ReportToJson(const PackageReport& report, int indent = 2);

// One SARIF run; each finding is a result with every location, its fingerprint in
// partialFingerprints, and suppressed findings carry a SARIF suppression.
// `tool_version` names the trawl release in tool.driver.version.
std::string ReportToSarif(const PackageReport& report, std::string_view tool_version);

// `unlisted`: lines saying what the table leaves out (ReportView), printed after the
// findings. Without `every_component`, components analysed in full and those skipped for
// a routine reason (a duplicate, an expanded container, a directory, a link, no content)
// are counted, not listed.
std::string ReportToTable(const PackageReport& report,
                          const std::vector<std::string>& unlisted = {},
                          bool every_component = true);

// What a rendering lists (`trawl analyze --min-severity`, `--category`, `--all`). Findings
// below min_severity or outside `categories` are left out of every format, and a note in
// the report counts them; the table also lists info-level findings only as counts by rule
// unless list_all. The package score and its counts by severity always describe the whole
// report; the JSON summary counts what is listed.
struct ReportView {
  Severity min_severity = Severity::kInfo;
  // A finding's category, or its first segment ("indicator" selects
  // "indicator/malicious"); empty: every category.
  std::vector<std::string> categories;
  bool list_all = false;
};
// "secret, pii" -> {"secret", "pii"}: split at commas, spaces trimmed, empty parts dropped.
std::vector<std::string> ParseCategoryList(std::string_view list);

// The renderings by number; the values are the C API's TRAWL_REPORT_*.
enum class ReportFormat : int32_t { kJson = 0, kTable = 1, kSarif = 2 };
bool IsReportFormat(int32_t format);
// ErrorCode::kUnsupported for a format that is not a ReportFormat.
absl::StatusOr<std::string> RenderReport(const PackageReport& report, int32_t format,
                                         std::string_view tool_version,
                                         const ReportView& view = {});

}  // namespace trawl

#endif  // TRAWL_SRC_REPORT_REPORT_H_
