// File: gitignore.cc
#include "git/gitignore.h"

#include <git2.h>
#include <git2/sys/repository.h>
#include <limits.h>
#include <stdlib.h>

namespace trawl {
namespace {

std::string RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) == nullptr) return "";
  return resolved;
}

class LibGit2Ignore final : public IgnoreRules {
 public:
  LibGit2Ignore(git_repository* repo, std::string prefix) : repo_(repo), prefix_(std::move(prefix)) {}
  ~LibGit2Ignore() override {
    git_repository_free(repo_);
    git_libgit2_shutdown();  // balances the init in GitIgnoreRules (reference counted)
  }

  bool IsIgnored(const std::string& relative) override {
    int ignored = 0;
    const std::string path = prefix_ + relative;
    // An error (a path libgit2 cannot process) means "not ignored": scan rather than drop.
    if (git_ignore_path_is_ignored(&ignored, repo_, path.c_str()) != 0) return false;
    return ignored == 1;
  }

 private:
  git_repository* repo_;
  std::string prefix_;  // the walked directory relative to the work tree, "" or "sub/dir/"
};

class LibGit2Pattern final : public IgnorePattern {
 public:
  explicit LibGit2Pattern(git_repository* repo) : repo_(repo) {}
  ~LibGit2Pattern() override {
    git_repository_free(repo_);
    git_libgit2_shutdown();  // balances the init in GitIgnorePattern
  }

  bool Matches(const std::string& relative) override {
    int ignored = 0;
    // A repository without a work tree never looks at the disk: a trailing "/" is what
    // makes `relative` a directory for directory-only patterns.
    if (git_ignore_path_is_ignored(&ignored, repo_, relative.c_str()) != 0) return false;
    return ignored == 1;
  }

 private:
  git_repository* repo_;
};

}  // namespace

std::unique_ptr<IgnorePattern> GitIgnorePattern(const std::string& pattern) {
  // One rule per line: a newline would smuggle in a second one.
  if (pattern.find('\n') != std::string::npos) return nullptr;
  git_libgit2_init();
  git_repository* repo = nullptr;
  git_config* config = nullptr;
  // An empty configuration: otherwise libgit2 would load the user's global one (and with
  // it core.excludesFile and core.ignoreCase).
  const bool made = git_repository_new(&repo) == 0 && git_config_new(&config) == 0 &&
                    git_repository_set_config(repo, config) == 0 &&
                    git_ignore_add_rule(repo, pattern.c_str()) == 0;
  git_config_free(config);  // the repository holds its own reference
  if (!made) {
    git_repository_free(repo);
    git_libgit2_shutdown();
    return nullptr;
  }
  return std::make_unique<LibGit2Pattern>(repo);
}

std::unique_ptr<IgnoreRules> GitIgnoreRules(const std::string& directory) {
  git_libgit2_init();
  git_repository* repo = nullptr;
  // Searches upward from `directory` for the work tree, as git does.
  if (git_repository_open_ext(&repo, directory.c_str(), 0, nullptr) != 0 ||
      git_repository_workdir(repo) == nullptr) {
    git_repository_free(repo);
    git_libgit2_shutdown();
    return nullptr;
  }
  const std::string workdir = RealPath(git_repository_workdir(repo));
  const std::string walked = RealPath(directory);
  std::string prefix;
  if (workdir.empty() || walked.compare(0, workdir.size(), workdir) != 0) {
    git_repository_free(repo);
    git_libgit2_shutdown();
    return nullptr;
  }
  if (walked.size() > workdir.size()) prefix = walked.substr(workdir.size() + 1) + "/";
  // A directory named explicitly is scanned even where git ignores it (a build directory):
  // its own rules would otherwise hide everything below it.
  int ignored = 0;
  if (!prefix.empty() &&
      (git_ignore_path_is_ignored(&ignored, repo, prefix.substr(0, prefix.size() - 1).c_str()) !=
           0 ||
       ignored == 1)) {
    git_repository_free(repo);
    git_libgit2_shutdown();
    return nullptr;
  }
  return std::make_unique<LibGit2Ignore>(repo, std::move(prefix));
}

}  // namespace trawl
