// File: package_analysis.cc
#include "pipeline/package_analysis.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/time/time.h"

#include "analyze/component_result_json.h"
#include "classify/plan.h"
#include "engine/compiler.h"
#include "git/gitignore.h"
#include "intake/decompose.h"
#include "intake/skip_policy.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/json_writer.h"
#include "util/status_macros.h"
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
                                                         const PackageOptions& options) {
  DecomposeOptions decompose;
  decompose.limits = options.limits;
  decompose.package_id = options.package_id;
  decompose.package_name = options.package_name;
  if (input.git) return decompose;  // DecomposeGit names the package after its listing
  if (decompose.package_id.empty() && input.walk != nullptr) {
    TRAWL_ASSIGN_OR_RETURN(decompose.package_id, SourcesPackageId(*input.walk));
  } else if (decompose.package_id.empty() && input.path.empty()) {
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
      auto file = MappedFile::Open(e.path);
      hash.UpdateField(file.ok() ? ToHex(Sha256Of(file->bytes())) : "");
    } else {
      hash.UpdateField(ToHex(Sha256Of(e.bytes)));
    }
  }
  return ToHex(hash.Finish());
}

namespace {

// Analyses the components of one package in batches as intake hands them over: the
// batch's content is copied and held until max_inflight_bytes would be passed, then the
// whole batch is analysed on the worker pool (one analyzer per worker, kept across
// batches) and freed. Results are identical to analysing everything at the end, since
// each component is analysed on its own.
class BatchAnalysis {
 public:
  BatchAnalysis(std::shared_ptr<const Database> db, const PackageOptions& options,
                const AnalyzeOptions& analyze, absl::Time deadline, std::string budget_text)
      : db_(std::move(db)),
        plan_options_(PlanOptionsFor(db_.get())),
        options_(options),
        analyze_(analyze),
        deadline_(deadline),
        budget_text_(std::move(budget_text)),
        workers_(static_cast<size_t>(options.threads > 0
                                         ? options.threads
                                         : std::max(1u, std::thread::hardware_concurrency()))),
        analyzers_(workers_) {}

  // The decomposition callback.
  absl::Status Add(const Component& component, std::string_view content) {
    if (SkipReason(component)) return absl::OkStatus();  // aggregation accounts for it
    ++total_;
    if (absl::Now() > deadline_) {
      results_.emplace(component.id,
                       SkippedResult(component, analyze_.package_id,
                                     StrCat("the package time budget (", budget_text_,
                                            ") was spent before its analysis")));
      Progress();
      return absl::OkStatus();
    }
    const uint64_t bound = options_.max_inflight_bytes;
    // The package itself as a leaf (a plain file) is not copied either: it is analysed
    // where intake read it, with whatever the batch holds.
    const bool root_leaf = component.parent_id.empty();
    if (root_leaf || (bound != 0 && held_ + content.size() > bound)) {
      // The component that would pass the bound is not copied: it joins the batch as a
      // view of intake's buffer, valid while this call lasts, and the batch is analysed
      // now. Memory stays within the bound plus the entry intake holds anyway.
      batch_.push_back({component, std::string(), content});
      return Flush();
    }
    held_ += content.size();
    batch_.push_back({component, std::string(content), std::nullopt});
    return absl::OkStatus();
  }

  // Analyses what is still held and hands over the results by component id.
  absl::StatusOr<std::map<std::string, ComponentResult>> Finish() {
    TRAWL_RETURN_IF_ERROR(Flush());
    return std::move(results_);
  }

 private:
  struct Held {
    Component component;
    std::string copy;  // the content, when it is held past the callback
    // Intake's buffer, valid during the callback only. Not a view of `copy`: a short
    // string lives inside the object, and the view would dangle once the batch grows.
    std::optional<std::string_view> borrowed;
    std::string_view content() const { return borrowed ? *borrowed : std::string_view(copy); }
  };

  absl::StatusOr<ComponentAnalyzer*> AnalyzerFor(size_t worker) {
    if (!analyzers_[worker]) {
      TRAWL_ASSIGN_OR_RETURN(analyzers_[worker], ComponentAnalyzer::Create(db_));
    }
    return analyzers_[worker].get();
  }

  ComponentResult AnalyzeOne(ComponentAnalyzer& analyzer, const Component& component,
                             std::string_view content) {
    // Each component runs its plan, made as the classify stage makes it.
    auto result = analyzer.PlanAndAnalyze(component, content, plan_options_, analyze_);
    // A failure is recorded, not fatal: the component is accounted for with the reason.
    if (result.ok()) return *std::move(result);
    return SkippedResult(component, analyze_.package_id,
                         StrCat("analysis failed: ", std::string(result.status().message())));
  }

  void Progress() {
    if (options_.progress) options_.progress(done_.fetch_add(1) + 1, total_);
  }

  absl::Status Flush() {
    if (batch_.empty()) return absl::OkStatus();
    std::vector<ComponentResult> results(batch_.size());
    std::atomic<size_t> next{0};
    std::mutex error_mutex;
    absl::Status first_error;
    const size_t workers = std::min(workers_, batch_.size());
    ParallelFor(workers, static_cast<int>(workers), [&](size_t worker) {
      auto analyzer = AnalyzerFor(worker);
      if (!analyzer.ok()) {
        std::lock_guard lock(error_mutex);
        first_error.Update(analyzer.status());
        return;
      }
      for (size_t i; (i = next.fetch_add(1)) < batch_.size();) {
        results[i] = AnalyzeOne(**analyzer, batch_[i].component, batch_[i].content());
        Progress();
      }
    });
    TRAWL_RETURN_IF_ERROR(first_error);
    for (size_t i = 0; i < batch_.size(); ++i) {
      results_.emplace(batch_[i].component.id, std::move(results[i]));
    }
    batch_.clear();
    held_ = 0;
    return absl::OkStatus();
  }

  const std::shared_ptr<const Database> db_;
  const PlanOptions plan_options_;
  const PackageOptions& options_;
  const AnalyzeOptions& analyze_;
  const absl::Time deadline_;
  const std::string budget_text_;
  const size_t workers_;
  std::vector<std::unique_ptr<ComponentAnalyzer>> analyzers_;  // by worker, made on first use
  std::vector<Held> batch_;
  uint64_t held_ = 0;
  size_t total_ = 0;
  std::atomic<size_t> done_{0};
  std::map<std::string, ComponentResult> results_;
};

}  // namespace

absl::StatusOr<PackageReport> AnalyzePackage(const PackageInput& input,
                                             std::shared_ptr<const Database> db,
                                             const PackageOptions& options) {
  const absl::Time start = absl::Now();
  auto decompose = PackageDecomposeOptions(input, options);
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
  BatchAnalysis batches(db, options, analyze, analyze.limits.deadline,
                        StrCat(absl::ToInt64Milliseconds(budget), " ms"));
  auto manifest =
      DecomposeInput(input, *decompose, [&](const Component& c, std::string_view content) {
        return batches.Add(c, content);
      });
  if (!manifest.ok()) return manifest.status();
  auto by_id = batches.Finish();
  if (!by_id.ok()) return by_id.status();
  std::vector<ComponentResult> results;
  results.reserve(by_id->size());
  for (auto& [id, result] : *by_id) {
    // A git source names its package once it has listed the history, after the walk.
    if (input.git) result.package_id = manifest->package_id;
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
