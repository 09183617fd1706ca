// git's ignore rules (src/git/gitignore.h) in the directory walk, on work trees the tests
// build with the `git` command.
#include "git/gitignore.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
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

// trawl's own excludes use git's matcher outside any repository: .gitignore syntax with
// its anchoring, "**", directory-only patterns and negation, relative to the file's
// directory; no git needed.
TEST(GitIgnorePatternTest, MatchesAsGitDoes) {
  struct Case {
    const char* pattern;
    const char* path;
    bool matches;
  } cases[] = {
      {"corpus/", "corpus/", true},            {"corpus/", "tests/fuzz/corpus/", true},
      {"corpus/", "corpus", false},            // a file named corpus
      {"/bench/*.json", "bench/a.json", true}, {"/bench/*.json", "x/bench/a.json", false},
      {"/bench/*.json", "bench/sub/a.json", false},
      {"tests/**/corpus/", "tests/a/b/corpus/", true},
      {"tests/**/corpus/", "x/tests/a/corpus/", false},
      {"*.log", "deep/down/app.log", true},    {"*.log", "app.logs", false},
      {"a/b", "a/b", true},                    {"a/b", "x/a/b", false},  // a slash anchors
  };
  for (const Case& c : cases) {
    std::unique_ptr<IgnorePattern> pattern = GitIgnorePattern(c.pattern);
    ASSERT_NE(pattern, nullptr) << c.pattern;
    EXPECT_EQ(pattern->Matches(c.path), c.matches) << c.pattern << " " << c.path;
  }
  EXPECT_EQ(GitIgnorePattern("a\nb"), nullptr);  // one pattern, never two
}

TEST_F(GitIgnoreTest, TrawlIgnoreAndExcludesApplyOnTopOfGitsRulesAndWithoutThem) {
  MakeRepository();
  Write(root_ / ".trawlignore", "# fixtures\nsrc/*.c\n!src/main.c\n");
  Write(root_ / "src/fixtures/key.pem", "x\n");
  SourceWalkOptions options = GitRules();
  options.ignore_pattern = &GitIgnorePattern;
  options.excludes = {"fixtures/"};
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre(".gitignore", ".trawlignore", "keep.log",
                                        "src/.gitignore", "src/main.c", "src/top-only.txt"));
  EXPECT_EQ(walk->ignored, 4u);  // git's, as without excludes (src/generated.c among them)
  using Counts = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(walk->excluded, (Counts{{"--exclude fixtures/", 1}}));
  // --no-ignore turns git's rules off, not trawl's: src/generated.c is now .trawlignore's.
  options.respect_gitignore = false;
  walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk),
              ElementsAre(".gitignore", ".trawlignore", "app.log", "build/out.o", "keep.log",
                          "src/.gitignore", "src/main.c", "src/top-only.txt", "top-only.txt"));
  EXPECT_EQ(walk->ignored, 0u);
  EXPECT_EQ(walk->excluded, (Counts{{"--exclude fixtures/", 1}, {".trawlignore:2", 1}}));
}

}  // namespace
}  // namespace trawl
