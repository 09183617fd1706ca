// File: option_files.cc
#include "aggregate/option_files.h"

#include "util/file.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Reads the file at `path` and parses it with `parse` (read errors carry kIo, parse errors
// kParse from where they arise); errors say which file.
template <typename Parse>
auto ReadDocument(std::string_view what, const std::string& path, Parse parse)
    -> decltype(parse(std::string_view())) {
  const std::string prefix = StrCat(what, " ", path);
  auto text = ReadFile(path);
  if (!text.ok()) return Prefixed(text.status(), prefix);
  auto parsed = parse(*text);
  if (!parsed.ok()) return Prefixed(parsed.status(), prefix);
  return parsed;
}

}  // namespace

absl::StatusOr<AggregateOptions> LoadAggregateOptions(const AggregateFiles& files) {
  AggregateOptions options;
  if (!files.policy.empty()) {
    TRAWL_ASSIGN_OR_RETURN(options.policy, ReadDocument("policy", files.policy, PolicyFromJson));
  }
  if (!files.suppressions.empty()) {
    TRAWL_ASSIGN_OR_RETURN(
        options.suppressions.rules,
        ReadDocument("suppressions", files.suppressions, SuppressionRulesFromJson));
  }
  if (!files.baseline.empty()) {
    TRAWL_ASSIGN_OR_RETURN(options.suppressions.baseline,
                           ReadDocument("baseline", files.baseline, BaselineFromJson));
    const size_t slash = files.baseline.find_last_of('/');
    options.suppressions.baseline_name =
        slash == std::string::npos ? files.baseline : files.baseline.substr(slash + 1);
  }
  return options;
}

}  // namespace trawl
