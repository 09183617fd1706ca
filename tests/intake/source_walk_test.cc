// Tests for packages made of several inputs: the directory walk (symlinks never followed,
// git's ignore rules in a git work tree, --no-ignore) and DecomposeSources (one manifest
// that accounts for every input, archives among them opened).
#include "intake/source_walk.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intake/archive_builder.h"
#include "intake/decompose.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

class SourceWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("walk-" + std::to_string(getpid()) + "-" +
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

TEST_F(SourceWalkTest, GitIgnoreRulesLeaveOutWhatGitIgnores) {
  MakeRepository();
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, SourceWalkOptions{});
  ASSERT_TRUE(walk.ok()) << walk.status();
  // A lone directory is the package: entries are named below it, sorted.
  EXPECT_THAT(Names(*walk), ElementsAre(".gitignore", "keep.log", "src/.gitignore",
                                        "src/main.c", "src/top-only.txt"));
  EXPECT_EQ(walk->ignored, 4u);  // app.log, build, src/generated.c, top-only.txt
}

TEST_F(SourceWalkTest, NoIgnoreWalksEverythingButTheGitDirectory) {
  MakeRepository();
  SourceWalkOptions options;
  options.respect_gitignore = false;
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk),
              ElementsAre(".gitignore", "app.log", "build/out.o", "keep.log", "src/.gitignore",
                          "src/generated.c", "src/main.c", "src/top-only.txt", "top-only.txt"));
  EXPECT_EQ(walk->ignored, 0u);
}

TEST_F(SourceWalkTest, IgnoreRulesApplyToASubdirectoryOfTheWorkTree) {
  MakeRepository();
  auto walk = WalkSources({SourceInput{(root_ / "src").string(), {}, ""}}, SourceWalkOptions{});
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre(".gitignore", "main.c", "top-only.txt"));
}

TEST_F(SourceWalkTest, ADirectoryGitIgnoresIsScannedWholeWhenNamed) {
  MakeRepository();
  Write(root_ / "build/sub/x.txt", "x\n");
  auto walk = WalkSources({SourceInput{(root_ / "build").string(), {}, ""}}, SourceWalkOptions{});
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre("out.o", "sub/x.txt"));
}

TEST_F(SourceWalkTest, OutsideAWorkTreeNothingIsIgnored) {
  Write(root_ / ".gitignore", "*.log\n");
  Write(root_ / "a.log", "x\n");
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, SourceWalkOptions{});
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre(".gitignore", "a.log"));
}

TEST_F(SourceWalkTest, SymlinksAreRecordedNeverFollowed) {
  Write(root_ / "tree/a.txt", "a\n");
  Write(root_ / "outside/secret.txt", "outside the tree\n");
  fs::create_directory_symlink(root_ / "outside", root_ / "tree/out");
  fs::create_directory_symlink("..", root_ / "tree/loop");
  auto walk = WalkSources({SourceInput{(root_ / "tree").string(), {}, ""}}, SourceWalkOptions{});
  ASSERT_TRUE(walk.ok()) << walk.status();
  ASSERT_THAT(Names(*walk), ElementsAre("a.txt", "loop", "out"));
  EXPECT_EQ(walk->entries[1].kind, ComponentKind::kSymlink);
  EXPECT_EQ(walk->entries[1].link_target, "..");
  EXPECT_EQ(walk->entries[2].kind, ComponentKind::kSymlink);
}

TEST_F(SourceWalkTest, SeveralInputsKeepTheirNames) {
  Write(root_ / "one.txt", "1\n");
  Write(root_ / "dir/two.txt", "2\n");
  auto walk = WalkSources({SourceInput{(root_ / "one.txt").string(), {}, "one.txt"},
                           SourceInput{(root_ / "dir").string(), {}, "dir"},
                           SourceInput{"", "three\n", ""}},
                          SourceWalkOptions{});
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre("one.txt", "dir/two.txt", "stdin"));
}

TEST_F(SourceWalkTest, AMissingInputIsAnErrorWithTheOsText) {
  auto walk = WalkSources({SourceInput{(root_ / "nope").string(), {}, ""}}, SourceWalkOptions{});
  ASSERT_FALSE(walk.ok());
  EXPECT_THAT(std::string(walk.status().message()), ::testing::HasSubstr("No such file"));
}

TEST_F(SourceWalkTest, DecomposeSourcesAccountsForEveryInput) {
  Write(root_ / "tree/plain.txt", "hello\n");
  Write(root_ / "tree/bundle.tar",
        testing::BuildArchive({{.name = "inner/a.txt", .data = "inside the archive\n"}}, {.format = "pax"}));
  fs::create_symlink("/etc/passwd", root_ / "tree/passwd");
  auto walk = WalkSources({SourceInput{(root_ / "tree").string(), {}, "tree"},
                           SourceInput{"", "from stdin\n", ""}},
                          SourceWalkOptions{});
  ASSERT_TRUE(walk.ok()) << walk.status();
  DecomposeOptions options;
  options.package_id = "pkg";
  options.package_name = "inputs";
  std::map<std::string, std::string> contents;
  auto manifest = DecomposeSources(*walk, options, [&](const Component& c, std::string_view content) {
    if (c.has_content) contents[c.path] = std::string(content);
    return absl::OkStatus();
  });
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_TRUE(ValidateManifest(*manifest).ok()) << ValidateManifest(*manifest);
  std::map<std::string, const Component*> by_path;
  for (const Component& c : manifest->components) by_path[c.path] = &c;
  ASSERT_TRUE(by_path.count("inputs"));
  EXPECT_EQ(by_path["inputs"]->container_format, "inputs");
  EXPECT_EQ(by_path["inputs"]->children, 4u);
  EXPECT_EQ(by_path["inputs!/tree/bundle.tar"]->kind, ComponentKind::kContainer);
  EXPECT_EQ(contents["inputs!/tree/bundle.tar!/inner/a.txt"], "inside the archive\n");
  EXPECT_EQ(contents["inputs!/tree/plain.txt"], "hello\n");
  EXPECT_EQ(contents["inputs!/stdin"], "from stdin\n");
  const Component* link = by_path["inputs!/tree/passwd"];
  EXPECT_EQ(link->kind, ComponentKind::kSymlink);
  EXPECT_EQ(link->status, ComponentStatus::kSkippedNonRegular);
  EXPECT_TRUE(link->unsafe_link);
  EXPECT_FALSE(link->has_content);
}

TEST_F(SourceWalkTest, DecomposeSourcesKeepsTheComponentLimit) {
  Write(root_ / "big.txt", std::string(1000, 'x'));
  auto walk = WalkSources({SourceInput{(root_ / "big.txt").string(), {}, "big.txt"},
                           SourceInput{"", "y", ""}},
                          SourceWalkOptions{});
  ASSERT_TRUE(walk.ok());
  DecomposeOptions options;
  options.package_id = "pkg";
  options.limits.max_component_bytes = 100;
  size_t kept = 0;
  auto manifest = DecomposeSources(*walk, options, [&](const Component& c, std::string_view content) {
    if (c.name == "big.txt") kept = content.size();
    return absl::OkStatus();
  });
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(kept, 100u);
  for (const Component& c : manifest->components) {
    if (c.name == "big.txt") {
      EXPECT_EQ(c.status, ComponentStatus::kLimitExceeded);
    }
  }
}

}  // namespace
}  // namespace trawl
