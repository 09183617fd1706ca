// Fuzzes the parsers of the documents aggregation reads from other processes (component
// results, policies, allow-lists, baselines) with hostile bytes: each must parse or give
// an error, never crash; and whatever parses must aggregate and render.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aggregate/aggregate.h"
#include "analyze/component_result_json.h"
#include "report/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)trawl::PolicyFromJson(text);
  (void)trawl::SuppressionRulesFromJson(text);
  (void)trawl::BaselineFromJson(text);
  auto result = trawl::ComponentResultFromJson(text);
  if (result.ok()) {
    trawl::Manifest manifest;
    manifest.package_id = result->package_id;
    trawl::Component component;
    component.id = result->component_id;
    component.path = "fuzz!/" + result->path;
    component.has_content = true;
    manifest.components.push_back(component);
    const trawl::PackageReport report = trawl::Aggregate(manifest, {*result, *result}, {});
    (void)trawl::ReportToJson(report);
    (void)trawl::ReportToSarif(report, "fuzz");
    (void)trawl::ReportToTable(report);
  }
  return 0;
}
