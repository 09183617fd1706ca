// File: source_walk.h
// The inputs of a package made of several sources (`trawl analyze PATH...`): files,
// directories and bytes in memory (stdin), listed as one flat, sorted set of entries that
// intake reads as the children of one "inputs" container (DecomposeSources).
//
// Directories are walked without following symbolic links: a link is an entry of kind
// symlink (recorded, never read), so a link cannot take the walk out of the tree or into a
// loop. Paths a directory's ignore rules exclude are left out and counted; intake knows
// no version control, so the rules come from the caller (SourceWalkOptions: the pipeline
// gives git's, src/git/gitignore.h). The `.git` directory itself is never walked.
//
// trawl's own excludes apply on top, always (--no-ignore turns off git's rules only: the
// user wrote these for trawl): `.trawlignore` files anywhere in a walked tree, in
// .gitignore syntax, each relative to its directory, deeper files over shallower ones,
// and the caller's patterns (--exclude) over all of them; the last matching pattern
// decides and "!" re-includes. What they leave out is counted by the rule that decided
// (".trawlignore:3", "tests/.trawlignore:1", "--exclude corpus/"). The patterns are
// matched by the caller's engine (IgnorePatternFactory; the pipeline gives git's).
//
// Thread-safety: reentrant; calls share nothing.
#ifndef TRAWL_SRC_INTAKE_SOURCE_WALK_H_
#define TRAWL_SRC_INTAKE_SOURCE_WALK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "intake/component.h"

namespace trawl {

// One input as the caller names it.
struct SourceInput {
  std::string path;        // a file or a directory; empty: `bytes` is the input
  std::string_view bytes;  // borrowed; used when path is empty
  std::string name;        // display name; default: `path` ("stdin" for bytes)
};

// The ignore rules of one walked directory. One walk at a time uses an instance.
class IgnoreRules {
 public:
  virtual ~IgnoreRules() = default;
  // `relative`: a path below the walked directory ("src/a.c"), which exists on disk (so
  // that directory-only patterns such as "build/" can apply).
  virtual bool IsIgnored(const std::string& relative) = 0;
};
// The rules for directory `directory` as named in the input; null: nothing is ignored.
using IgnoreRulesFactory =
    std::function<std::unique_ptr<IgnoreRules>(const std::string& directory)>;

// One gitignore-syntax pattern ("corpus/", "/bench/*.json"; no leading "!": the walk
// handles negation), matched as git matches it.
class IgnorePattern {
 public:
  virtual ~IgnorePattern() = default;
  // `relative`: a path below the directory the pattern applies to, ending in "/" for a
  // directory ("a/b.txt", "a/corpus/").
  virtual bool Matches(const std::string& relative) = 0;
};
// Null for a pattern the engine cannot use (the walk reports it).
using IgnorePatternFactory =
    std::function<std::unique_ptr<IgnorePattern>(const std::string& pattern)>;

// The file of trawl's own excludes, found at any level of a walked tree.
inline constexpr std::string_view kTrawlIgnoreFile = ".trawlignore";

struct SourceWalkOptions {
  // false: git's ignore rules are off (--no-ignore); `.trawlignore` and `excludes` apply.
  bool respect_gitignore = true;
  // Unset: nothing is ignored. AnalyzeSources (pipeline) sets git's when it is unset.
  IgnoreRulesFactory ignore_rules;
  // gitignore-syntax patterns relative to each directory input (--exclude); blank lines
  // and "#" comments are no patterns.
  std::vector<std::string> excludes;
  // Unset: neither `.trawlignore` nor `excludes` is applied (WalkSources refuses excludes
  // without it). AnalyzeSources (pipeline) sets git's when it is unset.
  IgnorePatternFactory ignore_pattern;
};

// One entry of the walk. A file's bytes are read later (path), or are `bytes`.
struct SourceEntry {
  // Display name: the input's name, then the path below it; below a lone directory input
  // (the package itself) just the path below it.
  std::string name;
  std::string path;  // on disk; empty for bytes in memory
  std::string_view bytes;
  ComponentKind kind = ComponentKind::kFile;  // kFile, kSymlink or kSpecial
  std::string link_target;                    // symlinks: the target as stored
  std::string error;                          // set when the entry could not be listed
};

struct SourceWalk {
  std::vector<SourceEntry> entries;  // in input order, each directory's entries sorted
  uint64_t ignored = 0;              // paths left out by git's ignore rules
  // Paths left out by trawl's excludes, by the rule that decided (".trawlignore:3",
  // "--exclude corpus/"), in the order the rules were read (--exclude first).
  std::vector<std::pair<std::string, uint64_t>> excluded;
  // Exclude files or lines that could not be used ("sub/.trawlignore: cannot read: ...").
  std::vector<std::string> exclude_problems;
};

// Lists the inputs. Errors (ErrorCode::kIo, with the OS error text) when an input itself
// cannot be examined; an entry below a directory that cannot be read is listed with its
// error instead, so it is accounted for in the manifest. An exclude pattern the engine
// cannot use is an error (ErrorCode::kInvalid).
absl::StatusOr<SourceWalk> WalkSources(const std::vector<SourceInput>& inputs,
                                       const SourceWalkOptions& options);

}  // namespace trawl

#endif  // TRAWL_SRC_INTAKE_SOURCE_WALK_H_
