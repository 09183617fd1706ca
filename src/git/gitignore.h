// File: gitignore.h
// git's ignore rules for the directory walk (intake/source_walk.h's IgnoreRules, made with
// libgit2 here so that intake stays free of it): whether a path of a git work tree is
// ignored, exactly as `git check-ignore --no-index` says (.gitignore files at every level,
// .git/info/exclude, core.excludesFile, negation, directory-only and anchored patterns).
// Outside a git work tree nothing is ignored, as with ripgrep's default.
//
// Thread-safety: GitIgnoreRules is reentrant; each IgnoreRules it returns is used by one
// thread at a time (libgit2 repository objects are not shared).
#ifndef TRAWL_SRC_GIT_GITIGNORE_H_
#define TRAWL_SRC_GIT_GITIGNORE_H_

#include <memory>
#include <string>

#include "intake/source_walk.h"

namespace trawl {

// The rules of the work tree that holds `directory` (an absolute or relative path); null
// when it is in no git work tree, the repository cannot be opened, or git ignores the
// directory itself (a directory named explicitly is scanned whole). An IgnoreRulesFactory.
std::unique_ptr<IgnoreRules> GitIgnoreRules(const std::string& directory);

}  // namespace trawl

#endif  // TRAWL_SRC_GIT_GITIGNORE_H_
