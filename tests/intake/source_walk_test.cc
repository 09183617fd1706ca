// Tests for packages made of several inputs: the directory walk (symlinks never followed,
// the caller's ignore rules, --no-ignore) and DecomposeSources (one manifest
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

  std::vector<std::string> Names(const SourceWalk& walk) {
    std::vector<std::string> names;
    for (const SourceEntry& e : walk.entries) names.push_back(e.name);
    return names;
  }

  fs::path root_;
};

// Rules that ignore every path ending in ".skip": the walk asks the caller's rules about
// every path below a directory input, counts what they leave out, and asks nothing with
// respect_gitignore off (the git rules themselves: tests/git/gitignore_test.cc).
class SuffixRules final : public IgnoreRules {
 public:
  explicit SuffixRules(std::vector<std::string>* asked) : asked_(asked) {}
  bool IsIgnored(const std::string& relative) override {
    asked_->push_back(relative);
    return relative.size() >= 5 && relative.compare(relative.size() - 5, 5, ".skip") == 0;
  }

 private:
  std::vector<std::string>* asked_;
};

TEST_F(SourceWalkTest, TheCallersIgnoreRulesLeaveOutPathsAndAreCounted) {
  Write(root_ / "a.txt", "a\n");
  Write(root_ / "b.skip", "b\n");
  Write(root_ / "d.skip/c.txt", "c\n");
  Write(root_ / "d/e.skip", "e\n");
  std::vector<std::string> asked;
  std::vector<std::string> made_for;
  SourceWalkOptions options;
  options.ignore_rules = [&](const std::string& directory) -> std::unique_ptr<IgnoreRules> {
    made_for.push_back(directory);
    return std::make_unique<SuffixRules>(&asked);
  };
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre("a.txt"));
  EXPECT_EQ(walk->ignored, 3u);  // b.skip, the directory d.skip, d/e.skip
  EXPECT_THAT(made_for, ElementsAre(root_.string()));
  EXPECT_THAT(asked, ElementsAre("a.txt", "b.skip", "d", "d/e.skip", "d.skip"));
  options.respect_gitignore = false;
  asked.clear();
  walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre("a.txt", "b.skip", "d/e.skip", "d.skip/c.txt"));
  EXPECT_TRUE(asked.empty());
  EXPECT_EQ(walk->ignored, 0u);
}

// A pattern that matches exactly one path (the git matcher itself: tests/git): the walk's
// own logic is what these tests look at (where rules apply, which one decides, counts).
class ExactPattern final : public IgnorePattern {
 public:
  explicit ExactPattern(std::string path) : path_(std::move(path)) {}
  bool Matches(const std::string& relative) override { return relative == path_; }

 private:
  std::string path_;
};

SourceWalkOptions ExactPatterns() {
  SourceWalkOptions options;
  options.ignore_pattern = [](const std::string& pattern) -> std::unique_ptr<IgnorePattern> {
    if (pattern == "refused") return nullptr;
    return std::make_unique<ExactPattern>(pattern);
  };
  return options;
}

using Counts = std::vector<std::pair<std::string, uint64_t>>;

TEST_F(SourceWalkTest, TrawlIgnoreFilesApplyBelowTheirDirectoryAndAreCountedByLine) {
  Write(root_ / ".trawlignore", "# test data\n\ncorpus/\nsecret.txt\n");
  Write(root_ / "corpus/seed", "x\n");
  Write(root_ / "secret.txt", "x\n");
  Write(root_ / "keep.txt", "x\n");
  // Relative to its own directory: "a.txt" here is sub/a.txt, not the top one.
  Write(root_ / "sub/.trawlignore", "a.txt\n!secret.txt\nrefused\n");
  Write(root_ / "sub/a.txt", "x\n");
  Write(root_ / "sub/secret.txt", "x\n");
  Write(root_ / "a.txt", "x\n");
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, ExactPatterns());
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre(".trawlignore", "a.txt", "keep.txt", "sub/.trawlignore",
                                        "sub/secret.txt"));
  // "secret.txt" matches only at the top ("sub/secret.txt" is another path), so the
  // deeper "!secret.txt" has nothing to re-include and sub/secret.txt stays.
  EXPECT_EQ(walk->excluded, (Counts{{".trawlignore:3", 1}, {".trawlignore:4", 1},
                                    {"sub/.trawlignore:1", 1}}));
  EXPECT_THAT(walk->exclude_problems, ElementsAre("sub/.trawlignore:3: not a usable pattern"));
  EXPECT_EQ(walk->ignored, 0u);
}

TEST_F(SourceWalkTest, TheLastMatchingRuleDecidesAndExcludesComeLast) {
  Write(root_ / ".trawlignore", "sub/\nx.txt\n");
  Write(root_ / "sub/.trawlignore", "!y.txt\n");
  Write(root_ / "x.txt", "x\n");
  Write(root_ / "y.txt", "y\n");
  Write(root_ / "sub/y.txt", "y\n");
  SourceWalkOptions options = ExactPatterns();
  // A negated exclude re-includes what a file excludes; a later file pattern re-included
  // by a deeper negation is not reached because its directory is left out whole.
  options.excludes = {"!x.txt", "y.txt"};
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_THAT(Names(*walk), ElementsAre(".trawlignore", "x.txt"));
  EXPECT_EQ(walk->excluded, (Counts{{"--exclude y.txt", 1}, {".trawlignore:1", 1}}));
}

TEST_F(SourceWalkTest, ExcludesApplyWithoutGitsRulesAndBelowEachDirectoryInput) {
  Write(root_ / "one/.trawlignore", "drop.txt\n");
  Write(root_ / "one/drop.txt", "x\n");
  Write(root_ / "one/gen.c", "x\n");
  Write(root_ / "two/gen.c", "x\n");
  Write(root_ / "two/drop.txt", "x\n");
  SourceWalkOptions options = ExactPatterns();
  options.respect_gitignore = false;  // --no-ignore: git's rules only
  options.excludes = {"gen.c"};
  auto walk = WalkSources({SourceInput{(root_ / "one").string(), {}, "one"},
                           SourceInput{(root_ / "two").string(), {}, "two"}},
                          options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  // one/.trawlignore stays in "one"; the exclude applies below both inputs.
  EXPECT_THAT(Names(*walk), ElementsAre("one/.trawlignore", "two/drop.txt"));
  EXPECT_EQ(walk->excluded, (Counts{{"--exclude gen.c", 2}, {"one/.trawlignore:1", 1}}));
}

TEST_F(SourceWalkTest, AnExcludeTheEngineRefusesIsAnError) {
  SourceWalkOptions options = ExactPatterns();
  options.excludes = {"refused"};
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_FALSE(walk.ok());
  EXPECT_THAT(std::string(walk.status().message()), ::testing::HasSubstr("refused"));
  options.ignore_pattern = nullptr;
  options.excludes = {"x"};
  EXPECT_FALSE(WalkSources({SourceInput{root_.string(), {}, ""}}, options).ok());
}

TEST_F(SourceWalkTest, DecomposeSourcesNamesTheRulesThatLeftPathsOut) {
  Write(root_ / ".trawlignore", "a.txt\n");
  Write(root_ / "a.txt", "x\n");
  Write(root_ / "b.txt", "x\n");
  Write(root_ / "c.txt", "x\n");
  SourceWalkOptions options = ExactPatterns();
  options.excludes = {"b.txt"};
  auto walk = WalkSources({SourceInput{root_.string(), {}, ""}}, options);
  ASSERT_TRUE(walk.ok()) << walk.status();
  walk->ignored = 2;  // as git's rules would have counted
  DecomposeOptions decompose;
  decompose.package_id = "pkg";
  decompose.package_name = "inputs";
  auto manifest = DecomposeSources(*walk, decompose, [](const Component&, std::string_view) {
    return absl::OkStatus();
  });
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  const Component* root = nullptr;
  for (const Component& c : manifest->components) {
    if (c.path == "inputs") root = &c;
  }
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->reason,
            "2 path(s) left out by git's ignore rules; 1 by --exclude b.txt; 1 by .trawlignore:1");
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
