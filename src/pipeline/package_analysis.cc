// File: package_analysis.cc
#include "pipeline/package_analysis.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "analyze/component_result_json.h"
#include "classify/plan.h"
#include "engine/compiler.h"
#include "intake/decompose.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/json_writer.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

PlanOptions PlanOptionsFor(const Database* db) {
  PlanOptions plan_options;
  if (db != nullptr) plan_options.pattern_chains = db->chains();
  return plan_options;
}

// The manifest's component `id`, checked against the bytes a host hands over: the wrong
// file must not be analysed under another component's name.
absl::StatusOr<const Component*> CheckedComponent(const Manifest& manifest, std::string_view id,
                                                  std::string_view content) {
  for (const Component& c : manifest.components) {
    if (c.id != id) continue;
    if (std::optional<std::string> skip = SkipReason(c)) {
      return absl::FailedPreconditionError(
          StrCat("component ", id, " needs no analysis: ", *skip));
    }
    if (content.size() != c.size || ToHex(Sha256Of(content)) != c.sha256) {
      return WithCode(absl::InvalidArgumentError(StrCat(
                          "content does not match component ", id, " (size or SHA-256 differs "
                          "from the manifest)")),
                      ErrorCode::kMismatch);
    }
    return &c;
  }
  return absl::NotFoundError(StrCat("no component ", id, " in the manifest"));
}

}  // namespace

absl::StatusOr<ProcessingPlan> PlanManifestComponent(const Manifest& manifest,
                                                     std::string_view component_id,
                                                     std::string_view content,
                                                     const Database* db) {
  auto component = CheckedComponent(manifest, component_id, content);
  if (!component.ok()) return component.status();
  return PlanComponent(**component, content, PlanOptionsFor(db));
}

absl::StatusOr<ComponentResult> AnalyzeManifestComponent(const Manifest& manifest,
                                                         std::string_view component_id,
                                                         std::string_view content,
                                                         std::shared_ptr<const Database> db,
                                                         const AnalyzeOptions& options) {
  auto component = CheckedComponent(manifest, component_id, content);
  if (!component.ok()) return component.status();
  // The plan the classify stage wrote for these bytes: the same function, the same steps.
  const ProcessingPlan plan = PlanComponent(**component, content, PlanOptionsFor(db.get()));
  auto analyzer = ComponentAnalyzer::Create(std::move(db));
  if (!analyzer.ok()) return analyzer.status();
  AnalyzeOptions with_package = options;
  with_package.package_id = manifest.package_id;
  auto result = (*analyzer)->Analyze(plan, content, with_package);
  if (!result.ok()) {
    return SkippedResult(**component, manifest.package_id,
                         StrCat("analysis failed: ", std::string(result.status().message())));
  }
  return result;
}

absl::StatusOr<DecomposeOptions> PackageDecomposeOptions(const PackageInput& input,
                                                         const PackageOptions& options) {
  DecomposeOptions decompose;
  decompose.limits = options.limits;
  decompose.package_id = options.package_id;
  decompose.package_name = options.package_name;
  if (decompose.package_id.empty() && input.path.empty()) {
    decompose.package_id = ToHex(Sha256Of(input.bytes));
  } else if (decompose.package_id.empty()) {
    auto file = MappedFile::Open(input.path);
    if (!file.ok()) return file.status();
    decompose.package_id = ToHex(Sha256Of(file->bytes()));
  }
  return decompose;
}

absl::StatusOr<Manifest> DecomposeInput(const PackageInput& input, const DecomposeOptions& options,
                                        ComponentCallback callback) {
  return input.path.empty() ? DecomposeBytes(input.bytes, options, callback)
                            : DecomposeFile(input.path, options, callback);
}

absl::StatusOr<PackageReport> AnalyzePackage(const PackageInput& input,
                                             std::shared_ptr<const Database> db,
                                             const PackageOptions& options) {
  auto decompose = PackageDecomposeOptions(input, options);
  if (!decompose.ok()) return decompose.status();
  auto collected = input.path.empty() ? CollectBytes(input.bytes, *decompose)
                                      : CollectFile(input.path, *decompose);
  if (!collected.ok()) return collected.status();
  Manifest& manifest = collected->manifest;
  const std::vector<const Component*> work = ComponentsToAnalyze(manifest);
  std::vector<ComponentResult> results(work.size());
  AnalyzeOptions analyze = options.analyze;
  analyze.package_id = manifest.package_id;

  const size_t threads = std::max<size_t>(
      1, std::min<size_t>(options.threads > 0 ? static_cast<size_t>(options.threads)
                                              : std::thread::hardware_concurrency(),
                          work.size()));
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex error_mutex;
  absl::Status first_error;
  const PlanOptions plan_options = PlanOptionsFor(db.get());
  ParallelFor(threads, static_cast<int>(threads), [&](size_t) {
    auto analyzer = ComponentAnalyzer::Create(db);
    if (!analyzer.ok()) {
      std::lock_guard lock(error_mutex);
      first_error.Update(analyzer.status());
      return;
    }
    for (size_t i; (i = next.fetch_add(1)) < work.size();) {
      const Component& component = *work[i];
      auto it = collected->content.find(component.id);
      const std::string_view content =
          it == collected->content.end() ? std::string_view() : it->second;
      // Each component runs its plan, made as the classify stage makes it.
      auto result = (*analyzer)->Analyze(PlanComponent(component, content, plan_options),
                                         content, analyze);
      // A failure is recorded, not fatal: the component is accounted for with the reason.
      results[i] = result.ok() ? *std::move(result)
                               : SkippedResult(component, manifest.package_id,
                                               StrCat("analysis failed: ",
                                                      std::string(result.status().message())));
      if (options.progress) options.progress(done.fetch_add(1) + 1, work.size());
    }
  });
  if (!first_error.ok()) return first_error;
  return Aggregate(std::move(manifest), std::move(results), options.aggregate);
}

absl::StatusOr<std::string> ClassifyPackageJson(const PackageInput& input, const Database* db,
                                                const PackageOptions& options) {
  auto decompose = PackageDecomposeOptions(input, options);
  if (!decompose.ok()) return decompose.status();
  const PlanOptions plan_options = PlanOptionsFor(db);
  std::vector<ProcessingPlan> plans;
  auto manifest = DecomposeInput(input, *decompose, [&](const Component& c, std::string_view content) {
    plans.push_back(PlanComponent(c, content, plan_options));
    return absl::OkStatus();
  });
  if (!manifest.ok()) return manifest.status();
  const PackageEstimate estimate = EstimatePackage(plans, plan_options.costs);
  JsonWriter w(2);
  w.BeginObject().Field("schema", "trawl.plans/1");
  w.Field("package_id", manifest->package_id);
  w.Key("package").BeginObject();
  w.Field("tier", TierName(estimate.tier));
  w.Field("estimated_seconds", estimate.estimated_seconds);
  w.Field("estimated_memory_bytes", estimate.estimated_memory_bytes);
  w.Field("components_to_analyze", estimate.components_to_analyze);
  w.Field("reasons", estimate.reasons);
  w.EndObject();
  w.Key("plans").BeginArray();
  for (const ProcessingPlan& plan : plans) {
    std::string json = PlanToJson(plan, 0);
    while (!json.empty() && (json.back() == '\n' || json.back() == ' ')) json.pop_back();
    w.Raw(json);
  }
  w.EndArray().EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

}  // namespace trawl
