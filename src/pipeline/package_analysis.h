// File: package_analysis.h
// The whole pipeline in one call: decompose a package (intake/), analyse every
// component on a worker pool (analyze/; the database shared, one analyzer per thread),
// correlate identical findings across components, rank them, and account for every
// component in the report.
//
// The in-process path runs exactly the functions the distributed stages run (analysis
// per component, then Aggregate over the manifest and the results), so its report is
// byte-identical to the stage-by-stage one (docs/stages.md).
#ifndef TRAWL_SRC_PIPELINE_PACKAGE_ANALYSIS_H_
#define TRAWL_SRC_PIPELINE_PACKAGE_ANALYSIS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "aggregate/aggregate.h"
#include "analyze/component_analyzer.h"
#include "classify/plan.h"
#include "git/git_source.h"
#include "intake/component.h"
#include "intake/decompose.h"
#include "intake/source_walk.h"

namespace trawl {

// A package: a file (streamed from disk), bytes in memory (borrowed), several inputs
// listed by WalkSources (borrowed; files, directory trees, bytes), or a git repository's
// history (git/git_source.h: one component per blob).
struct PackageInput {
  std::string path;                   // set: the package is this file
  std::string_view bytes;             // otherwise: the package itself
  const SourceWalk* walk = nullptr;   // set: the package is these inputs
  std::optional<GitSource> git;       // set: the package is this repository

  static PackageInput File(std::string path) { return {std::move(path), {}, nullptr, {}}; }
  static PackageInput Memory(std::string_view bytes) { return {{}, bytes, nullptr, {}}; }
  static PackageInput Sources(const SourceWalk* walk) { return {{}, {}, walk, {}}; }
  static PackageInput Git(GitSource source) { return {{}, {}, nullptr, std::move(source)}; }
};

// The package id of several inputs: SHA-256 over each entry's name and content digest
// (a link's target, an unreadable entry's error), so the same tree gives the same ids.
absl::StatusOr<std::string> SourcesPackageId(const SourceWalk& walk);

struct PackageOptions {
  DecomposeLimits limits;
  // analyze.limits.time_budget bounds the whole package in AnalyzePackage: intake and
  // every component share one deadline. Intake stops at it (manifest stopped_by
  // "time_budget"), scans stop at it (truncated), and components it leaves unanalysed get
  // a skipped result saying so; each makes the report incomplete.
  AnalyzeOptions analyze;
  // Analysis threads, intake's included (1: intake analyses each component as it reads
  // it; N: intake and N - 1 workers). 0: one per CPU the process may use (AvailableCpus).
  int threads = 0;
  std::string package_id;  // default: SHA-256 of the package bytes
  // Display name of the package in path chains. Default: the file's base name, or the
  // package id for a package in memory.
  std::string package_name;
  AggregateOptions aggregate;
  // Bytes of component content held for analysis at once (`trawl analyze
  // --memory-limit`). Intake copies each component into the workers' queue and goes on
  // decompressing while they analyse; it waits while the next component would pass this
  // bound. A component larger than the whole bound is analysed, uncopied, once the queue
  // has drained. Memory stays within the bound plus the entry intake is reading, whatever
  // the package expands to (analysis_pipeline.h). 0: no bound.
  uint64_t max_inflight_bytes = uint64_t{512} << 20;
  // Components larger than the streaming threshold are analysed as streams, window by
  // window while intake decompresses them, never held whole (analyze/streamed_analysis.h;
  // what that limits is said in the component's result). 0: derived from
  // max_inflight_bytes: 1/16 of it for text and binaries (32 MiB by default), 1/64 for a
  // component that starts like JSON (8 MiB: its structure analysis takes several times
  // its size), at least 1 MiB; no streaming when max_inflight_bytes is 0. Set, it is the
  // threshold for every format (TRAWL_OPT_STREAM_THRESHOLD_BYTES). Streamed are entries of
  // archives and compressed streams, a package that is a plain file, and the files of
  // directory inputs (docs/plan.md, "Streamed components").
  uint64_t stream_threshold_bytes = 0;
  // Bytes per window and of context on either side (0: half the threshold, at most 16
  // MiB; context min(256 KiB, window)).
  uint64_t stream_window_bytes = 0;
  uint64_t stream_context_bytes = 0;
  // Called after each analysed component with (done, total so far: it grows while intake
  // runs); thread-safe, cheap.
  std::function<void(size_t done, size_t total)> progress;
};

// Decomposition options for a package: the limits, the name, and the package id (given,
// or the SHA-256 of the package, so the same bytes always give the same component ids; a
// git source derives its own from the history it lists). With `renamed_ids`, a package
// file without a given id is not hashed here: intake hashes it while it reads it and
// names components provisionally meanwhile (DecomposeOptions::renamed_ids, which the
// options returned then point at; for other inputs they do not).
absl::StatusOr<DecomposeOptions> PackageDecomposeOptions(const PackageInput& input,
                                                         const PackageOptions& options,
                                                         IdRenaming* renamed_ids = nullptr);

// DecomposeFile, DecomposeBytes or DecomposeGit, as `input` says.
absl::StatusOr<Manifest> DecomposeInput(const PackageInput& input, const DecomposeOptions& options,
                                        ComponentCallback callback);

// The classification stage for one component of a manifest, and the analysis stage for
// one component: what a distributed pipeline runs per component. The content must be the
// component's bytes (size and SHA-256 are checked against the manifest). Analysis
// failures inside the component give a "skipped" result with the reason, as in-process.
absl::StatusOr<ProcessingPlan> PlanManifestComponent(const Manifest& manifest,
                                                     std::string_view component_id,
                                                     std::string_view content,
                                                     const Database* db);
absl::StatusOr<ComponentResult> AnalyzeManifestComponent(const Manifest& manifest,
                                                         std::string_view component_id,
                                                         std::string_view content,
                                                         std::shared_ptr<const Database> db,
                                                         const AnalyzeOptions& options);

absl::StatusOr<PackageReport> AnalyzePackage(const PackageInput& input,
                                             std::shared_ptr<const Database> db,
                                             const PackageOptions& options);
inline absl::StatusOr<PackageReport> AnalyzePackageFile(const std::string& path,
                                                        std::shared_ptr<const Database> db,
                                                        const PackageOptions& options) {
  return AnalyzePackage(PackageInput::File(path), std::move(db), options);
}

// `trawl analyze PATH...`: several inputs (files, directories, bytes) as one package
// (WalkSources, DecomposeSources). One input that is not a directory is analysed exactly
// as AnalyzePackage analyses that file (or those bytes), so its report is unchanged. A
// lone directory is named after itself (its real path's last segment).
absl::StatusOr<PackageReport> AnalyzeSources(const std::vector<SourceInput>& inputs,
                                             const SourceWalkOptions& walk_options,
                                             std::shared_ptr<const Database> db,
                                             const PackageOptions& options);

// The classification stage on its own: decomposes the package and plans every component
// (chains, tier, cost estimate; docs/plan.md). `db` may be null: the plans then name the
// default chain only. Returns {"schema":"trawl.plans/1","package":{...},"plans":[...]}.
absl::StatusOr<std::string> ClassifyPackageJson(const PackageInput& input, const Database* db,
                                                const PackageOptions& options);

}  // namespace trawl

#endif  // TRAWL_SRC_PIPELINE_PACKAGE_ANALYSIS_H_
