// File: component_result_json.h
// The analysis stage's documents (docs/stages.md):
//  - "trawl.work/1": the components of a manifest that need a component result;
//  - "trawl.component_result/1": one component's findings and accounting.
// Deterministic bytes for identical inputs, and a strict parser back for aggregation.
// Thread-safe: all functions are pure.
#ifndef TRAWL_SRC_ANALYZE_COMPONENT_RESULT_JSON_H_
#define TRAWL_SRC_ANALYZE_COMPONENT_RESULT_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "analyze/component_analyzer.h"
#include "intake/component.h"
#include "util/json_writer.h"

namespace trawl {

// The "indicator" object of a finding (the component result and the report share it).
void WriteFindingIndicator(JsonWriter& w, const FindingIndicator& indicator);

inline constexpr std::string_view kComponentResultSchema = "trawl.component_result/1";
inline constexpr std::string_view kWorkSchema = "trawl.work/1";

// The components SkipReason() does not exclude, in manifest order.
std::vector<const Component*> ComponentsToAnalyze(const Manifest& manifest);

std::string WorkToJson(const Manifest& manifest, int indent = 2);

std::string ComponentResultToJson(const ComponentResult& result, int indent = 2);

// Rejects other schemas, missing required fields and bad values; ignores unknown fields
// so that minor additions stay readable.
absl::StatusOr<ComponentResult> ComponentResultFromJson(std::string_view json);

}  // namespace trawl

#endif  // TRAWL_SRC_ANALYZE_COMPONENT_RESULT_JSON_H_
