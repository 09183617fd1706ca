// File: stages.h
// The calls a caller outside the process makes (the C API, and the CLI through it):
// definitions, packages and documents in, databases and documents out, every error with
// its trawl code (util/status_codes.h). What the C shim would otherwise have to decide
// lives here, so capi/ only converts types.
//
// Thread-safety: every function is reentrant; a Database is shared read-only.
#ifndef TRAWL_SRC_PIPELINE_STAGES_H_
#define TRAWL_SRC_PIPELINE_STAGES_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "aggregate/aggregate.h"
#include "engine/compiler.h"
#include "engine/database.h"
#include "engine/indicator_update.h"
#include "engine/inspect.h"
#include "intake/component.h"
#include "pipeline/package_analysis.h"
#include "rules/importers/import.h"
#include "rules/indicator_feed.h"
#include "rules/loader.h"

namespace trawl {

// Adds the definitions of a rule file (JSON, NDJSON, corpus TSV, optionally .gz) or of a
// JSON/NDJSON text to `set`, with the entity checks. Good definitions are added even
// when others have problems; the first problem is the error (kParse, located at the
// definition's index and byte offset). kIo when the file cannot be read.
absl::Status AddRuleFile(RuleSet* set, const std::string& path);
// As AddRuleFile, in `format` (rules/importers/import.h; kAuto: detected from the content,
// which also reads gitleaks, Nosey Parker, Kingfisher, YARA and Suricata files). Imported
// sets keep an id repeated across files under a new name (a note). A file that is not
// rules in any format trawl knows (or not in the one named) is also recorded as an issue.
absl::Status AddRuleFileAs(RuleSet* set, const std::string& path, RuleFormat format);
absl::Status AddRuleText(RuleSet* set, std::string_view text, std::string_view name);

// Adds a threat-indicator feed file (docs/indicators.md) to `set`: its indicators go to
// the database's indicator set, not the engine. Unsupported entries are issues (index =
// their line); the first is the error (kParse). kIo when the file cannot be read, kParse
// when the feed as a whole cannot be read.
absl::Status AddIndicatorFeed(RuleSet* set, const std::string& path, const FeedOptions& options);

// Compiles a rule set's definitions, laid out by the scan planner unless `scan_plan` is
// false (one literal partition and regex chunks: the ungated baseline), with its
// indicator feeds as the database's indicator set. Errors: kCompile, kNoMemory, kIo (the
// compile cache directory), kLimit (an indicator set too large).
absl::StatusOr<std::shared_ptr<const Database>> CompileRules(const RuleSet& rules,
                                                             CompileOptions options,
                                                             bool scan_plan);

// A new database with `db`'s rules and engine databases and its indicator set updated
// from the feed files at `paths` (each read with `options`): kAdd joins them, kReplace
// replaces each feed of the same name. `report`, when not null, receives what became of
// every entry (engine/indicator_update.h, FeedReportToJson). Errors: kIo, kParse (a feed
// that cannot be read), kNoMemory, kLimit.
absl::StatusOr<std::shared_ptr<const Database>> UpdateIndicatorFeeds(
    const Database& db, const std::vector<std::string>& paths, const FeedOptions& options,
    IndicatorUpdateMode mode, std::string* report);

// One profiled scan of `data`, with the planner's explanation of each costly rule.
absl::StatusOr<std::string> ProfileScan(const std::shared_ptr<const Database>& db,
                                        std::string_view data, uint32_t top_rules);

// What the rule set costs on `data` (engine/inspect.h BenchmarkJson), with the planner's
// explanation of each costly rule.
absl::StatusOr<std::string> BenchmarkScan(const std::shared_ptr<const Database>& db,
                                          double compile_seconds, std::string_view data,
                                          const BenchSettings& settings);

// Stage 1 on its own: the manifest of a package. With a directory (package files only),
// each unique component's content is also written there, with the manifest.
absl::StatusOr<Manifest> DecomposePackage(const PackageInput& input,
                                          const PackageOptions& options);
absl::StatusOr<Manifest> DecomposePackageToDirectory(const std::string& path,
                                                     const PackageOptions& options,
                                                     const std::string& directory);

// Stage 1 for any input (a package file, bytes, a git repository): the manifest, with
// each unique component's content written to `directory`/<component id> and the manifest
// to `directory`/manifest.json. The directory must exist.
absl::StatusOr<Manifest> DecomposeInputToDirectory(const PackageInput& input,
                                                   const PackageOptions& options,
                                                   const std::string& directory);

// Stage 4 from its documents: a trawl.manifest/1 and trawl.component_result/1 texts.
// kParse names the document: "manifest: ..." or "result <i>: ..." located at index i.
absl::StatusOr<PackageReport> AggregateDocuments(std::string_view manifest,
                                                 const std::vector<std::string_view>& results,
                                                 const AggregateOptions& options);

}  // namespace trawl

#endif  // TRAWL_SRC_PIPELINE_STAGES_H_
