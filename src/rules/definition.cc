// File: definition.cc
#include "rules/definition.h"

namespace trawl {
namespace {
constexpr std::string_view kSeverityNames[] = {"info", "low", "medium", "high", "critical"};
}  // namespace

std::string_view SeverityName(Severity severity) {
  return kSeverityNames[static_cast<int>(severity)];
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

}  // namespace trawl
