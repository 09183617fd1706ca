// File: stages.cc
#include "pipeline/stages.h"

#include "analyze/component_result_json.h"
#include "engine/inspect.h"
#include "entities/rule_checks.h"
#include "intake/decompose.h"
#include "intake/manifest_json.h"
#include "util/file.h"
#include "scan_plan/planner.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {

absl::Status AddRuleFile(RuleSet* set, const std::string& path) {
  return AddRuleFileAs(set, path, RuleFormat::kAuto);
}

absl::Status AddRuleFileAs(RuleSet* set, const std::string& path, RuleFormat format) {
  auto loaded = LoadRuleFileAs(path, format);
  if (!loaded.ok()) {
    if (CodeOf(loaded.status())) return loaded.status();  // kIo, or trawl JSON's kParse
    // Not rules in the format: one issue too, so it is listed with the others.
    set->issues.push_back({"", -1, "", -1, std::string(loaded.status().message())});
    return WithCode(loaded.status(), ErrorCode::kParse);
  }
  // Imported formats do not promise ids unique across files (Kingfisher repeats some).
  const bool imported = !loaded->accounts.empty();
  return set->Add(*std::move(loaded), CheckEntityFieldsOf, imported);
}

absl::Status AddRuleText(RuleSet* set, std::string_view text, std::string_view name) {
  auto loaded = ParseDefinitions(text, name);
  if (!loaded.ok()) return loaded.status();
  return set->Add(*std::move(loaded), CheckEntityFieldsOf);
}

absl::Status AddIndicatorFeed(RuleSet* set, const std::string& path, const FeedOptions& options) {
  auto feed = LoadFeedFile(path, options);
  if (!feed.ok()) return feed.status();
  return set->Add(RuleSetFromFeed(*std::move(feed)), CheckEntityFieldsOf);
}

absl::StatusOr<std::shared_ptr<const Database>> CompileRules(const RuleSet& rules,
                                                             CompileOptions options,
                                                             bool scan_plan) {
  if (scan_plan) options = plan::WithPlanner(std::move(options));
  if (!rules.indicator_feeds.empty()) {
    TRAWL_ASSIGN_OR_RETURN(options.indicators, IndicatorSet::Build(rules.indicator_feeds));
  }
  return CompileDatabase(rules.definitions, options);
}

absl::StatusOr<std::shared_ptr<const Database>> UpdateIndicatorFeeds(
    const Database& db, const std::vector<std::string>& paths, const FeedOptions& options,
    IndicatorUpdateMode mode, std::string* report) {
  std::vector<FeedLoad> feeds;
  feeds.reserve(paths.size());
  for (const std::string& path : paths) {
    TRAWL_ASSIGN_OR_RETURN(FeedLoad feed, LoadFeedFile(path, options));
    feeds.push_back(std::move(feed));
  }
  TRAWL_ASSIGN_OR_RETURN(std::shared_ptr<const Database> updated,
                         UpdateIndicators(db, &feeds, mode));
  if (report != nullptr) *report = FeedReportToJson(feeds, updated->indicators());
  return updated;
}

absl::StatusOr<std::string> ProfileScan(const std::shared_ptr<const Database>& db,
                                        std::string_view data, uint32_t top_rules) {
  return ProfileScanJson(db, data, top_rules, plan::ExplainRule);
}

absl::StatusOr<std::string> BenchmarkScan(const std::shared_ptr<const Database>& db,
                                          double compile_seconds, std::string_view data,
                                          const BenchSettings& settings) {
  return BenchmarkJson(db, compile_seconds, data, settings, plan::ExplainRule);
}

absl::StatusOr<Manifest> DecomposePackage(const PackageInput& input,
                                          const PackageOptions& options) {
  TRAWL_ASSIGN_OR_RETURN(const DecomposeOptions decompose,
                         PackageDecomposeOptions(input, options));
  return DecomposeInput(input, decompose, [](const Component&, std::string_view) {
    return absl::OkStatus();
  });
}

absl::StatusOr<Manifest> DecomposePackageToDirectory(const std::string& path,
                                                     const PackageOptions& options,
                                                     const std::string& directory) {
  TRAWL_ASSIGN_OR_RETURN(const DecomposeOptions decompose,
                         PackageDecomposeOptions(PackageInput::File(path), options));
  return DecomposeFileToDirectory(path, decompose, directory);
}

absl::StatusOr<Manifest> DecomposeInputToDirectory(const PackageInput& input,
                                                   const PackageOptions& options,
                                                   const std::string& directory) {
  if (!input.path.empty() && !input.git) {
    return DecomposePackageToDirectory(input.path, options, directory);
  }
  TRAWL_ASSIGN_OR_RETURN(const DecomposeOptions decompose, PackageDecomposeOptions(input, options));
  TRAWL_ASSIGN_OR_RETURN(
      Manifest manifest,
      DecomposeInput(input, decompose, [&directory](const Component& c, std::string_view content) {
        // Named by id only, as intake's DecomposeFileToDirectory names them.
        if (!c.has_content || !c.duplicate_of.empty()) return absl::OkStatus();
        return WriteFileAtomically(StrCat(directory, "/", c.id), content, Durability::kUnsynced);
      }));
  TRAWL_RETURN_IF_ERROR(SyncFileSystemOf(directory));
  TRAWL_RETURN_IF_ERROR(
      WriteFileAtomically(StrCat(directory, "/manifest.json"), ManifestToJson(manifest)));
  return manifest;
}

absl::StatusOr<PackageReport> AggregateDocuments(std::string_view manifest,
                                                 const std::vector<std::string_view>& results,
                                                 const AggregateOptions& options) {
  auto parsed_manifest = ManifestFromJson(manifest);
  if (!parsed_manifest.ok()) return Prefixed(parsed_manifest.status(), "manifest");
  std::vector<ComponentResult> parsed;
  parsed.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    auto result = ComponentResultFromJson(results[i]);
    if (!result.ok()) {
      return WithLocation(Prefixed(result.status(), StrCat("result ", i)),
                          {static_cast<int64_t>(i), -1});
    }
    parsed.push_back(*std::move(result));
  }
  return Aggregate(*std::move(parsed_manifest), std::move(parsed), options);
}

}  // namespace trawl
