// File: report.h
// The package report's renderings (docs/report.md): JSON ("trawl.report/1",
// deterministic bytes), SARIF 2.1.0 for code-scanning tools, and a readable table.
// Thread-safe: all functions are pure.
#ifndef TRAWL_SRC_REPORT_REPORT_H_
#define TRAWL_SRC_REPORT_REPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "aggregate/aggregate.h"

namespace trawl {

inline constexpr std::string_view kReportSchema = "trawl.report/1";

std::string ReportToJson(const PackageReport& report, int indent = 2);

// One SARIF run; each finding is a result with every location, its fingerprint in
// partialFingerprints, and suppressed findings carry a SARIF suppression.
// `tool_version` names the trawl release in tool.driver.version.
std::string ReportToSarif(const PackageReport& report, std::string_view tool_version);

std::string ReportToTable(const PackageReport& report);

// The renderings by number; the values are the C API's TRAWL_REPORT_*.
enum class ReportFormat : int32_t { kJson = 0, kTable = 1, kSarif = 2 };
bool IsReportFormat(int32_t format);
// ErrorCode::kUnsupported for a format that is not a ReportFormat.
absl::StatusOr<std::string> RenderReport(const PackageReport& report, int32_t format,
                                         std::string_view tool_version);

}  // namespace trawl

#endif  // TRAWL_SRC_REPORT_REPORT_H_
