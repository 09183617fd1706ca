// File: package_analysis.cc
#include "pipeline/package_analysis.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <map>
#include <optional>

#include "absl/time/time.h"

#include "analyze/component_result_json.h"
#include "classify/plan.h"
#include "engine/compiler.h"
#include "git/gitignore.h"
#include "intake/decompose.h"
#include "intake/skip_policy.h"
#include "pipeline/analysis_pipeline.h"
#include "util/cpu_count.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/json_writer.h"
#include "util/status_macros.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

// A result made while intake named components provisionally, named as the manifest does
// (Aggregate names its findings after it, and does not depend on the results' order).
void RenameIds(const IdRenaming& renamed, const std::string& package_id, ComponentResult* result) {
  result->package_id = package_id;
  if (auto it = renamed.find(result->component_id); it != renamed.end()) {
    result->component_id = it->second;
  }
}

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
    // Intake writes no digest when it read no bytes (an entry cut short at once).
    const bool same_digest =
        c.sha256.empty() ? content.empty() : ToHex(Sha256Of(content)) == c.sha256;
    if (content.size() != c.size || !same_digest) {
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
  const PlanOptions plan_options = PlanOptionsFor(db.get());
  auto analyzer = ComponentAnalyzer::Create(std::move(db));
  if (!analyzer.ok()) return analyzer.status();
  AnalyzeOptions with_package = options;
  with_package.package_id = manifest.package_id;
  auto result = (*analyzer)->PlanAndAnalyze(**component, content, plan_options, with_package);
  if (!result.ok()) {
    return SkippedResult(**component, manifest.package_id,
                         StrCat("analysis failed: ", std::string(result.status().message())));
  }
  return result;
}

absl::StatusOr<DecomposeOptions> PackageDecomposeOptions(const PackageInput& input,
                                                         const PackageOptions& options,
                                                         IdRenaming* renamed_ids) {
  DecomposeOptions decompose;
  decompose.limits = options.limits;
  decompose.package_id = options.package_id;
  decompose.package_name = options.package_name;
  if (input.git) return decompose;  // DecomposeGit names the package after its listing
  if (decompose.package_id.empty() && input.walk != nullptr) {
    TRAWL_ASSIGN_OR_RETURN(decompose.package_id, SourcesPackageId(*input.walk));
  } else if (decompose.package_id.empty() && input.path.empty()) {
    decompose.package_id = ToHex(Sha256Of(input.bytes));
    decompose.input_sha256 = decompose.package_id;
  } else if (decompose.package_id.empty() && renamed_ids != nullptr) {
    decompose.renamed_ids = renamed_ids;
  } else if (decompose.package_id.empty()) {
    TRAWL_ASSIGN_OR_RETURN(decompose.package_id,
                           PackageFileSha256(input.path, &decompose.input_identity));
    decompose.input_sha256 = decompose.package_id;
  }
  return decompose;
}

absl::StatusOr<Manifest> DecomposeInput(const PackageInput& input, const DecomposeOptions& options,
                                        ComponentCallback callback) {
  if (input.git) return DecomposeGit(*input.git, options, callback);
  if (input.walk != nullptr) return DecomposeSources(*input.walk, options, callback);
  return input.path.empty() ? DecomposeBytes(input.bytes, options, callback)
                            : DecomposeFile(input.path, options, callback);
}

absl::StatusOr<std::string> SourcesPackageId(const SourceWalk& walk) {
  Sha256 hash;
  for (const SourceEntry& e : walk.entries) {
    hash.UpdateField(e.name);
    if (!e.error.empty()) {
      hash.UpdateField(e.error);
    } else if (e.kind == ComponentKind::kSymlink) {
      hash.UpdateField(e.link_target);
    } else if (e.kind == ComponentKind::kFile && !e.path.empty()) {
      // Unreadable here means unreadable in intake too, which records why.
      auto digest = PackageFileSha256(e.path);
      hash.UpdateField(digest.ok() ? *digest : "");
    } else {
      hash.UpdateField(ToHex(Sha256Of(e.bytes)));
    }
  }
  return ToHex(hash.Finish());
}

absl::StatusOr<PackageReport> AnalyzePackage(const PackageInput& input,
                                             std::shared_ptr<const Database> db,
                                             const PackageOptions& options) {
  const absl::Time start = absl::Now();
  // A package file is hashed for its id while intake reads it, not in a read of its own
  // before intake starts: the workers see provisional ids until then.
  IdRenaming renamed_ids;
  auto decompose = PackageDecomposeOptions(input, options, &renamed_ids);
  if (!decompose.ok()) return decompose.status();
  // One deadline for the whole package: intake, then every component's scans.
  AnalyzeOptions analyze = options.analyze;
  const absl::Duration budget = analyze.limits.time_budget;
  if (budget != absl::InfiniteDuration()) {
    analyze.limits.deadline = std::min(analyze.limits.deadline, start + budget);
    analyze.limits.time_budget = absl::InfiniteDuration();
  }
  decompose->deadline = analyze.limits.deadline;
  analyze.package_id = decompose->package_id;
  AnalysisPipelineOptions pipeline_options;
  // The threads are intake's and the workers': intake analyses too whenever it would wait
  // for them, so one thread is intake alone.
  const size_t threads = static_cast<size_t>(
      options.threads > 0 ? options.threads : AvailableCpus());
  pipeline_options.workers = threads - 1;
  pipeline_options.max_inflight_bytes = options.max_inflight_bytes;
  pipeline_options.deadline = analyze.limits.deadline;
  pipeline_options.budget_text = StrCat(absl::ToInt64Milliseconds(budget), " ms");
  pipeline_options.progress = options.progress;
  const uint64_t limit = options.max_inflight_bytes;
  if (options.stream_threshold_bytes != 0) {
    pipeline_options.stream_text_bytes = pipeline_options.stream_json_bytes =
        options.stream_threshold_bytes;
  } else if (limit != 0) {
    pipeline_options.stream_text_bytes = std::max<uint64_t>(limit / 16, 1 << 20);
    pipeline_options.stream_json_bytes = std::max<uint64_t>(limit / 64, 1 << 20);
  }
  if (pipeline_options.stream_text_bytes != 0) {
    StreamWindows& w = pipeline_options.windows;
    const uint64_t threshold =
        std::min(pipeline_options.stream_text_bytes, pipeline_options.stream_json_bytes);
    w.window_bytes = options.stream_window_bytes != 0
                         ? options.stream_window_bytes
                         : std::clamp<uint64_t>(threshold / 2, 64 << 10, 16 << 20);
    w.context_bytes = options.stream_context_bytes != 0
                          ? options.stream_context_bytes
                          : std::min<uint64_t>(256 << 10, w.window_bytes);
    decompose->stream_check_bytes = threshold;
  }
  // Analysis runs beside intake: the callback hands each component to the workers.
  const bool streams = decompose->stream_check_bytes != 0;
  AnalysisPipeline pipeline(db, PlanOptionsFor(db.get()), analyze, std::move(pipeline_options));
  if (streams) {
    decompose->stream_factory = [&pipeline](const Component& c, std::string_view head) {
      return pipeline.OfferStream(c, head);
    };
  }
  decompose->buffers = pipeline.buffers();
  auto manifest =
      DecomposeInput(input, *decompose, [&](const Component& c, ComponentContent content) {
        return pipeline.Add(c, content);
      });
  if (!manifest.ok()) return manifest.status();
  auto by_id = pipeline.Finish();
  if (!by_id.ok()) return by_id.status();
  std::vector<ComponentResult> results;
  results.reserve(by_id->size());
  for (auto& [id, result] : *by_id) {
    // A git source names its package once it has listed the history, after the walk.
    if (input.git) result.package_id = manifest->package_id;
    if (decompose->renamed_ids != nullptr) RenameIds(renamed_ids, manifest->package_id, &result);
    results.push_back(std::move(result));
  }
  return Aggregate(*std::move(manifest), std::move(results), options.aggregate);
}

absl::StatusOr<PackageReport> AnalyzeSources(const std::vector<SourceInput>& inputs,
                                             const SourceWalkOptions& walk_options,
                                             std::shared_ptr<const Database> db,
                                             const PackageOptions& options) {
  PackageOptions named = options;
  if (inputs.size() == 1) {
    const SourceInput& only = inputs[0];
    struct stat st;
    if (only.path.empty()) {
      if (named.package_name.empty()) named.package_name = only.name.empty() ? "stdin" : only.name;
      return AnalyzePackage(PackageInput::Memory(only.bytes), std::move(db), named);
    }
    // Not a directory (or not there): the file path, which also refuses FIFOs and devices.
    if (stat(only.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return AnalyzePackage(PackageInput::File(only.path), std::move(db), named);
    }
    if (named.package_name.empty()) {
      char resolved[PATH_MAX];
      std::string real = realpath(only.path.c_str(), resolved) ? resolved : only.path;
      const size_t slash = real.find_last_of('/');
      named.package_name = slash == std::string::npos || slash + 1 == real.size()
                               ? real
                               : real.substr(slash + 1);
    }
  }
  SourceWalkOptions walk_with_rules = walk_options;
  if (!walk_with_rules.ignore_rules) walk_with_rules.ignore_rules = &GitIgnoreRules;
  if (!walk_with_rules.ignore_pattern) walk_with_rules.ignore_pattern = &GitIgnorePattern;
  TRAWL_ASSIGN_OR_RETURN(SourceWalk walk, WalkSources(inputs, walk_with_rules));
  return AnalyzePackage(PackageInput::Sources(&walk), std::move(db), named);
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
