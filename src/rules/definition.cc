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

std::optional<uint32_t> ParseFlagName(std::string_view name) {
  if (name == "caseless" || name == "i") return kFlagCaseless;
  if (name == "dotall" || name == "s") return kFlagDotAll;
  if (name == "multiline" || name == "m") return kFlagMultiline;
  if (name == "utf8" || name == "u") return kFlagUtf8;
  if (name == "prefilter") return kFlagPrefilter;
  if (name == "fullword") return kFlagFullword;
  return std::nullopt;
}

std::vector<std::string> FlagNames(uint32_t flags) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kFlagCaseless, "caseless"}, {kFlagDotAll, "dotall"},       {kFlagMultiline, "multiline"},
      {kFlagUtf8, "utf8"},         {kFlagPrefilter, "prefilter"}, {kFlagFullword, "fullword"}};
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) out.emplace_back(name);
  }
  return out;
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  return ValueOf(kSeverityNames, name);
}

}  // namespace trawl
