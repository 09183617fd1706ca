// File: gitignore.cc
#include "git/gitignore.h"

#include <git2.h>
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

}  // namespace

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
