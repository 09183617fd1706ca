// git's ignore rules (src/git/gitignore.h) in the directory walk, on work trees the tests
// build with the `git` command.
#include "git/gitignore.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intake/source_walk.h"
#include "test_repo.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

SourceWalkOptions GitRules() {
  SourceWalkOptions options;
  options.ignore_rules = &GitIgnoreRules;
  return options;
}

class GitIgnoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveGit()) GTEST_SKIP() << "git is not installed";
    root_ = fs::path(::testing::TempDir()) /
            ("gitignore-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // A git work tree with ignore rules at two levels, a negation and a directory pattern.
  void MakeRepository() {
    ASSERT_EQ(std::system(("git init -q " + root_.string()).c_str()), 0);
    Write(root_ / ".gitignore", "build/\n*.log\n!keep.log\n/top-only.txt\n");
    Write(root_ / "src/.gitignore", "generated.c\n");
    Write(root_ / "src/main.c", "int main;\n");
    Write(root_ / "src/generated.c", "x\n");
    Write(root_ / "src/top-only.txt", "not anchored here\n");
    Write(root_ / "top-only.txt", "ignored\n");
    Write(root_ / "build/out.o", "object\n");
    Write(root_ / "app.log", "log\n");
    Write(root_ / "keep.log", "kept\n");
    Write(root_ / ".git/config.secret", "the .git directory is never walked\n");
  }

  std::vector<std::string> Names(const SourceWalk& walk) {
    std::vector<std::string> names;
    for (const SourceEntry& e : walk.entries) names.push_back(e.name);
    return names;
  }

  fs::path root_;
};

TEST_F(GitIgnoreTest, GitIgnoreRulesLeaveOutWhatGitIgnores) {
  MakeRepository();
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, GitRules());
  ASSERT_TRUE(walk.ok()) << walk.status();
  // A lone directory is the package: entries are named below it, sorted.
  EXPECT_THAT(Names(*walk), ElementsAre(".gitignore", "keep.log", "src/.gitignore",
                                        "src/main.c", "src/top-only.txt"));
  EXPECT_EQ(walk->ignored, 4u);  // app.log, build, src/generated.c, top-only.txt
}

TEST_F(GitIgnoreTest, NoIgnoreWalksEverythingButTheGitDirectory) {
  MakeRepository();
  SourceWalkOptions options = GitRules();
  options.respect_gitignore = false;
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk),
              ElementsAre(".gitignore", "app.log", "build/out.o", "keep.log", "src/.gitignore",
                          "src/generated.c", "src/main.c", "src/top-only.txt", "top-only.txt"));
  EXPECT_EQ(walk->ignored, 0u);
}

TEST_F(GitIgnoreTest, IgnoreRulesApplyToASubdirectoryOfTheWorkTree) {
  MakeRepository();
  auto walk = WalkSources({SourceInput{(root_ / "src").string(), {}, ""}}, GitRules());
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre(".gitignore", "main.c", "top-only.txt"));
}

TEST_F(GitIgnoreTest, ADirectoryGitIgnoresIsScannedWholeWhenNamed) {
  MakeRepository();
  Write(root_ / "build/sub/x.txt", "x\n");
  auto walk = WalkSources({SourceInput{(root_ / "build").string(), {}, ""}}, GitRules());
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre("out.o", "sub/x.txt"));
}

TEST_F(GitIgnoreTest, OutsideAWorkTreeNothingIsIgnored) {
  Write(root_ / ".gitignore", "*.log\n");
  Write(root_ / "a.log", "x\n");
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, GitRules());
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre(".gitignore", "a.log"));
}

}  // namespace
}  // namespace trawl
