// File: source_walk.cc
#include "intake/source_walk.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

ComponentKind KindOf(mode_t mode) {
  if (S_ISREG(mode)) return ComponentKind::kFile;
  if (S_ISLNK(mode)) return ComponentKind::kSymlink;
  if (S_ISDIR(mode)) return ComponentKind::kDirectory;
  return ComponentKind::kSpecial;
}

std::string LinkTarget(const std::string& path) {
  std::string target(4096, '\0');
  const ssize_t n = readlink(path.c_str(), target.data(), target.size());
  target.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return target;
}

class Walker {
 public:
  Walker(const SourceWalkOptions& options, SourceWalk* out) : options_(options), out_(out) {}

  // Lists directory `root` (display name `name`) and everything below it.
  void WalkDirectory(const std::string& root, const std::string& name) {
    ignore_ = options_.respect_gitignore && options_.ignore_rules ? options_.ignore_rules(root)
                                                                  : nullptr;
    Walk(root, "", name);
    ignore_.reset();
  }

 private:
  // `relative`: the directory below the root ("" for the root, else "a/b/").
  void Walk(const std::string& directory, const std::string& relative, const std::string& name) {
    std::vector<std::string> children;
    if (DIR* dir = opendir(directory.c_str()); dir != nullptr) {
      while (const dirent* e = readdir(dir)) {
        const std::string child = e->d_name;
        if (child == "." || child == "..") continue;
        children.push_back(child);
      }
      closedir(dir);
    } else {
      SourceEntry entry;
      entry.name = name.empty() ? "." : name;
      entry.kind = ComponentKind::kDirectory;
      entry.error = StrCat("cannot read the directory: ", std::strerror(errno));
      out_->entries.push_back(std::move(entry));
      return;
    }
    std::sort(children.begin(), children.end());  // the same tree gives the same ids
    for (const std::string& child : children) {
      // The repository's own store is history, not the tree (the git source reads it).
      if (child == ".git") continue;
      const std::string path = StrCat(directory, "/", child);
      const std::string below = relative + child;
      const std::string display = name.empty() ? child : StrCat(name, "/", child);
      struct stat st;
      if (lstat(path.c_str(), &st) != 0) {
        SourceEntry entry;
        entry.name = display;
        entry.error = StrCat("cannot examine: ", std::strerror(errno));
        out_->entries.push_back(std::move(entry));
        continue;
      }
      if (ignore_ != nullptr && ignore_->IsIgnored(below)) {
        ++out_->ignored;
        continue;
      }
      const ComponentKind kind = KindOf(st.st_mode);
      if (kind == ComponentKind::kDirectory) {
        Walk(path, below + "/", display);
        continue;
      }
      SourceEntry entry;
      entry.name = display;
      entry.path = path;
      entry.kind = kind;
      if (kind == ComponentKind::kSymlink) entry.link_target = LinkTarget(path);
      out_->entries.push_back(std::move(entry));
    }
  }

  const SourceWalkOptions& options_;
  SourceWalk* out_;
  std::unique_ptr<IgnoreRules> ignore_;
};

// "dir/" and "./dir" name the same input as "dir".
std::string DisplayName(const SourceInput& input) {
  if (!input.name.empty()) return input.name;
  if (input.path.empty()) return "stdin";
  std::string name = input.path;
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  while (name.size() > 2 && name.compare(0, 2, "./") == 0) name.erase(0, 2);
  return name;
}

}  // namespace

absl::StatusOr<SourceWalk> WalkSources(const std::vector<SourceInput>& inputs,
                                       const SourceWalkOptions& options) {
  SourceWalk out;
  Walker walker(options, &out);
  for (const SourceInput& input : inputs) {
    const std::string name = DisplayName(input);
    if (input.path.empty()) {
      SourceEntry entry;
      entry.name = name;
      entry.bytes = input.bytes;
      out.entries.push_back(std::move(entry));
      continue;
    }
    // An input named on the command line is followed if it is a link (as `ls dir/` does);
    // links below it are not.
    struct stat st;
    if (stat(input.path.c_str(), &st) != 0) {
      return WithCode(absl::NotFoundError(StrCat("cannot open ", input.path, ": ",
                                                 std::strerror(errno))),
                      ErrorCode::kIo);
    }
    if (S_ISDIR(st.st_mode)) {
      // A lone directory is the package itself: its entries are named below it.
      walker.WalkDirectory(input.path, inputs.size() == 1 ? "" : name);
      continue;
    }
    SourceEntry entry;
    entry.name = name;
    entry.path = input.path;
    entry.kind = KindOf(st.st_mode);
    out.entries.push_back(std::move(entry));
  }
  return out;
}

}  // namespace trawl
