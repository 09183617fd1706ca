// File: gitignore.h
// git's ignore rules for the directory walk (the libgit2 adapter for intake): whether a
// path of a git work tree is ignored, exactly as `git check-ignore --no-index` says
// (.gitignore files at every level, .git/info/exclude, core.excludesFile, negation,
// directory-only and anchored patterns). Outside a git work tree nothing is ignored, as
// with ripgrep's default.
//
// Thread-safety: one GitIgnore per thread (libgit2 repository objects are not shared).
#ifndef TRAWL_SRC_INTAKE_GITIGNORE_H_
#define TRAWL_SRC_INTAKE_GITIGNORE_H_

#include <memory>
#include <string>

namespace trawl::internal {

class GitIgnore {
 public:
  // The rules of the work tree that holds `directory` (an absolute or relative path);
  // none when it is in no git work tree, the repository cannot be opened, or git ignores
  // the directory itself (a directory named explicitly is scanned whole).
  static std::unique_ptr<GitIgnore> ForDirectory(const std::string& directory);
  virtual ~GitIgnore() = default;

  // `relative`: a path below the directory given to ForDirectory ("src/a.c"), which exists
  // on disk (libgit2 looks at it to apply directory-only patterns such as "build/").
  virtual bool IsIgnored(const std::string& relative) = 0;
};

}  // namespace trawl::internal

#endif  // TRAWL_SRC_INTAKE_GITIGNORE_H_
