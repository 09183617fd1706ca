// File: source_walk.cc
#include "intake/source_walk.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "util/status_codes.h"
#include "util/status_macros.h"
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

// One line of a .trawlignore file or one --exclude pattern.
struct ExcludeRule {
  std::string base;  // the directory it applies below ("" or "a/b/")
  bool negated = false;
  std::unique_ptr<IgnorePattern> pattern;
  size_t source = 0;  // index of its name in SourceWalk::excluded
};

class Walker {
 public:
  Walker(const SourceWalkOptions& options, SourceWalk* out) : options_(options), out_(out) {}

  // The --exclude patterns, made once; an error names the pattern the engine refused.
  absl::Status MakeExcludes() {
    if (options_.excludes.empty()) return absl::OkStatus();
    if (!options_.ignore_pattern) {
      return WithCode(absl::InvalidArgumentError("exclude patterns need a pattern engine"),
                      ErrorCode::kInvalid);
    }
    for (const std::string& line : options_.excludes) {
      if (!AddRule(line, "", StrCat("--exclude ", line), &excludes_)) {
        return WithCode(absl::InvalidArgumentError(StrCat("not a usable exclude pattern: ", line)),
                        ErrorCode::kInvalid);
      }
    }
    return absl::OkStatus();
  }

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
    // This directory's .trawlignore applies below it, until the walk leaves it.
    const size_t outer_rules = file_rules_.size();
    if (std::binary_search(children.begin(), children.end(), std::string(kTrawlIgnoreFile))) {
      ReadExcludeFile(directory, relative, name);
    }
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
      if (const ExcludeRule* rule =
              Excluding(kind == ComponentKind::kDirectory ? below + "/" : below)) {
        ++out_->excluded[rule->source].second;
        continue;
      }
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
    file_rules_.resize(outer_rules);
  }

  // Reads `directory`'s .trawlignore (a regular file; a link is not followed out of the
  // tree). A file that cannot be read, or a line the engine refuses, is reported.
  void ReadExcludeFile(const std::string& directory, const std::string& relative,
                       const std::string& name) {
    const std::string display =
        name.empty() ? std::string(kTrawlIgnoreFile) : StrCat(name, "/", kTrawlIgnoreFile);
    if (!options_.ignore_pattern) {
      out_->exclude_problems.push_back(StrCat(display, ": not applied (no pattern engine)"));
      return;
    }
    const std::string path = StrCat(directory, "/", kTrawlIgnoreFile);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      out_->exclude_problems.push_back(StrCat(display, ": not a regular file, not applied"));
      return;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      out_->exclude_problems.push_back(
          StrCat(display, ": cannot read: ", std::strerror(errno), ", not applied"));
      return;
    }
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!AddRule(line, relative, StrCat(display, ":", number), &file_rules_)) {
        out_->exclude_problems.push_back(StrCat(display, ":", number, ": not a usable pattern"));
      }
    }
  }

  // Appends the rule of one line in .gitignore syntax; false when the engine refuses it.
  // Blank lines and comments are no rules.
  bool AddRule(std::string_view line, const std::string& base, std::string source,
               std::vector<ExcludeRule>* rules) {
    if (line.find_first_not_of(" \t") == std::string_view::npos || line[0] == '#') return true;
    ExcludeRule rule;
    rule.base = base;
    if (line[0] == '!') {
      rule.negated = true;
      line.remove_prefix(1);
    }
    rule.pattern = options_.ignore_pattern(std::string(line));
    if (rule.pattern == nullptr) return false;
    rule.source = out_->excluded.size();
    out_->excluded.emplace_back(std::move(source), 0);
    rules->push_back(std::move(rule));
    return true;
  }

  // The rule that excludes `below` ("a/b" or "a/b/" for a directory), or null: the last
  // matching rule decides, --exclude patterns last, deeper files after shallower ones.
  const ExcludeRule* Excluding(const std::string& below) {
    const ExcludeRule* decided = nullptr;
    for (const std::vector<ExcludeRule>* rules : {&file_rules_, &excludes_}) {
      for (const ExcludeRule& rule : *rules) {
        if (below.compare(0, rule.base.size(), rule.base) != 0) continue;
        if (rule.pattern->Matches(below.substr(rule.base.size()))) decided = &rule;
      }
    }
    return decided != nullptr && !decided->negated ? decided : nullptr;
  }

  const SourceWalkOptions& options_;
  SourceWalk* out_;
  std::unique_ptr<IgnoreRules> ignore_;
  std::vector<ExcludeRule> file_rules_;  // the .trawlignore files above the walk's position
  std::vector<ExcludeRule> excludes_;    // --exclude, relative to each directory input
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
  TRAWL_RETURN_IF_ERROR(walker.MakeExcludes());
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
  // Only the rules that left something out are worth naming.
  out.excluded.erase(std::remove_if(out.excluded.begin(), out.excluded.end(),
                                    [](const auto& rule) { return rule.second == 0; }),
                     out.excluded.end());
  return out;
}

}  // namespace trawl
