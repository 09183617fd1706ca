// File: gitignore.h
// git's ignore rules for the directory walk (intake/source_walk.h's IgnoreRules, made with
// libgit2 here so that intake stays free of it): whether a path of a git work tree is
// ignored, exactly as `git check-ignore --no-index` says (.gitignore files at every level,
// .git/info/exclude, core.excludesFile, negation, directory-only and anchored patterns).
// Outside a git work tree nothing is ignored, as with ripgrep's default. The same matcher
// serves trawl's own excludes (GitIgnorePattern).
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

// One pattern in .gitignore syntax (a line of a .trawlignore file, an --exclude), matched
// by git's own matcher outside any repository: an in-memory libgit2 repository that holds
// this one rule and no configuration, so neither the user's core.excludesFile nor any
// .gitignore takes part. Null when libgit2 refuses the pattern. An IgnorePatternFactory.
std::unique_ptr<IgnorePattern> GitIgnorePattern(const std::string& pattern);

}  // namespace trawl

#endif  // TRAWL_SRC_GIT_GITIGNORE_H_
