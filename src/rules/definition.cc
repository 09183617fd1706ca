// File: definition.cc
#include "rules/definition.h"

#include "util/enum_names.h"

namespace trawl {
namespace {
constexpr EnumName<Severity> kSeverityNames[] = {
    {Severity::kInfo, "info"}, {Severity::kLow, "low"},           {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"}, {Severity::kCritical, "critical"},
};
}  // namespace

std::string_view SeverityName(Severity severity) { return NameOf(kSeverityNames, severity); }

std::optional<Severity> ParseSeverity(std::string_view name) {
  return ValueOf(kSeverityNames, name);
}

}  // namespace trawl
