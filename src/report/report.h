// File: report.h
// The package report's renderings (docs/report.md): JSON ("trawl.report/1",
// deterministic bytes), SARIF 2.1.0 for code-scanning tools, and a readable table.
// Thread-safe: all functions are pure.
#ifndef TRAWL_SRC_REPORT_REPORT_H_
#define TRAWL_SRC_REPORT_REPORT_H_

#include <string>
#include <string_view>

#include "aggregate/aggregate.h"

namespace trawl {

inline constexpr std::string_view kReportSchema = "trawl.report/1";

std::string ReportToJson(const PackageReport& report, int indent = 2);

// One SARIF run; each finding is a result with every location, its fingerprint in
// partialFingerprints, and suppressed findings carry a SARIF suppression.
// `tool_version` names the trawl release in tool.driver.version.
std::string ReportToSarif(const PackageReport& report, std::string_view tool_version);

std::string ReportToTable(const PackageReport& report);

}  // namespace trawl

#endif  // TRAWL_SRC_REPORT_REPORT_H_
