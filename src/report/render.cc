// File: render.cc
#include "report/report.h"
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

absl::StatusOr<std::string> RenderReport(const PackageReport& report, int32_t format,
                                         std::string_view tool_version) {
  if (!IsReportFormat(format)) {
    return CodedError(ErrorCode::kUnsupported, "unknown report format");
  }
  switch (static_cast<ReportFormat>(format)) {
    case ReportFormat::kJson: return ReportToJson(report);
    case ReportFormat::kTable: return ReportToTable(report);
    case ReportFormat::kSarif: return ReportToSarif(report, tool_version);
  }
  return CodedError(ErrorCode::kInternal, "unreachable report format");
}

}  // namespace trawl
