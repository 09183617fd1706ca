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
// Thread-safety: reentrant; calls share nothing.
#ifndef TRAWL_SRC_INTAKE_SOURCE_WALK_H_
#define TRAWL_SRC_INTAKE_SOURCE_WALK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
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

struct SourceWalkOptions {
  // false: nothing is ignored (--no-ignore).
  bool respect_gitignore = true;
  // Unset: nothing is ignored. AnalyzeSources (pipeline) sets git's when it is unset.
  IgnoreRulesFactory ignore_rules;
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
  uint64_t ignored = 0;              // paths left out by the ignore rules
};

// Lists the inputs. Errors (ErrorCode::kIo, with the OS error text) when an input itself
// cannot be examined; an entry below a directory that cannot be read is listed with its
// error instead, so it is accounted for in the manifest.
absl::StatusOr<SourceWalk> WalkSources(const std::vector<SourceInput>& inputs,
                                       const SourceWalkOptions& options);

}  // namespace trawl

#endif  // TRAWL_SRC_INTAKE_SOURCE_WALK_H_
