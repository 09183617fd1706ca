// The header-only C++ API (include/trawl/trawl.hpp) over the shared library, as a
// consumer uses it: only public headers, linked against libtrawl.
#include "trawl/trawl.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

const std::string kSource = TRAWL_SOURCE_DIR;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

TEST(CppApiTest, CompileScanAndCaptures) {
  trawl::Rules rules;
  rules.AddJson(R"j([{"id":"kv","regex":"key=([a-z]+)"},{"id":"lit","literal":"needle"}])j");
  EXPECT_EQ(rules.size(), 2u);
  EXPECT_TRUE(rules.Issues().empty());
  const trawl::Database db = trawl::Database::Compile(rules);
  trawl::Scratch scratch(db);
  std::vector<std::pair<uint64_t, std::string>> found;
  const trawl_scan_result result = scratch.Scan(db, "a key=abc then needle", [&](const trawl_match& m) {
    found.emplace_back(m.start, db.Rule(m.rule_index).id);
    if (m.capture_count == 1) {
      EXPECT_EQ(m.captures[0], 6);
    }
    return true;
  });
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], std::make_pair(uint64_t{2}, std::string("kv")));
  EXPECT_EQ(found[1], std::make_pair(uint64_t{15}, std::string("lit")));
  EXPECT_EQ(result.truncation, 0u);
  // Returning false stops the scan.
  int calls = 0;
  const trawl_scan_result stopped =
      scratch.Scan(db, "needle needle needle", [&](const trawl_match&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(stopped.truncation & TRAWL_TRUNC_STOPPED);
}

TEST(CppApiTest, ErrorsBecomeExceptionsWithDetails) {
  trawl::Rules rules;
  rules.AddJson(R"([{"id":"a","regex":"x"},{"id":"a","regex":"y"}])", "dup.json");
  ASSERT_EQ(rules.Issues().size(), 1u);
  EXPECT_NE(rules.Issues()[0].find("duplicate id"), std::string::npos);
  try {
    rules.AddFile("/nonexistent/rules.json");
    FAIL() << "no exception";
  } catch (const trawl::Error& e) {
    EXPECT_EQ(e.status(), TRAWL_E_IO);
  }
  try {
    trawl::Database::Load("not an artifact");
    FAIL() << "no exception";
  } catch (const trawl::Error& e) {
    EXPECT_EQ(e.status(), TRAWL_E_CORRUPT);
    EXPECT_NE(std::string(e.what()).find("TRAWL_E_CORRUPT"), std::string::npos);
  }
  EXPECT_THROW(trawl::Options().Set(99999, 1), trawl::Error);
}

TEST(CppApiTest, ArtifactRoundTrip) {
  trawl::Rules rules;
  rules.AddJson(R"([{"id":"lit","literal":"needle"}])");
  const trawl::Database db = trawl::Database::Compile(rules);
  const trawl::Database loaded = trawl::Database::Load(db.Serialize());
  EXPECT_EQ(loaded.rule_count(), 1u);
  EXPECT_STREQ(loaded.Rule(0).id, "lit");
}

TEST(CppApiTest, StagesEqualOneCall) {
  trawl::Rules rules;
  rules.AddFile(kSource + "/rules/secrets.json");
  const trawl::Database db = trawl::Database::Compile(rules);
  const std::string package = kSource + "/examples/sample/sample-package.tar.gz";
  const std::string one_call = trawl::AnalyzePackageFile(db, package);

  char dir[] = "/tmp/trawl-cpp-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string manifest = trawl::DecomposeToDirectory(package, dir);
  const std::string work = trawl::ManifestWork(manifest);
  std::vector<std::string> results;
  for (size_t at = work.find("\"id\": \""); at != std::string::npos;
       at = work.find("\"id\": \"", at + 1)) {
    const std::string id = work.substr(at + 7, 32);
    const std::string path = std::string(dir) + "/" + id;
    const std::string content = ReadFile(path);
    EXPECT_NE(trawl::PlanComponent(&db, manifest, id, content).find("\"tier\""),
              std::string::npos);
    results.push_back(trawl::AnalyzeComponent(db, manifest, id, content));
    std::remove(path.c_str());
  }
  std::remove((std::string(dir) + "/manifest.json").c_str());
  rmdir(dir);
  EXPECT_EQ(results.size(), 8u);
  EXPECT_EQ(trawl::Aggregate(manifest, results), one_call);
  EXPECT_NE(trawl::Aggregate(manifest, results, trawl::ReportFormat::kSarif).find("2.1.0"),
            std::string::npos);
  EXPECT_NE(trawl::DefaultPolicy().find("trawl.policy/1"), std::string::npos);
  // The package's bytes, shown under the file's name, give the file's report.
  trawl::Options named;
  named.Set(TRAWL_OPT_PACKAGE_NAME, std::string("sample-package.tar.gz"));
  EXPECT_EQ(trawl::AnalyzePackage(db, ReadFile(package), trawl::ReportFormat::kJson, &named),
            one_call);
  EXPECT_EQ(trawl::Decompose(ReadFile(package), &named), trawl::DecomposeFile(package));
  try {
    trawl::AnalyzeComponent(db, manifest, "00000000000000000000000000000000", "");
    FAIL() << "no exception";
  } catch (const trawl::Error& e) {
    EXPECT_EQ(e.status(), TRAWL_E_NOT_FOUND);
  }
}

// TRAWL_OPT_STREAM_THRESHOLD_BYTES reaches the pipeline: at one byte every component is
// analysed in windows, and the results say so; by default none of the sample's is.
TEST(CppApiTest, StreamThresholdOption) {
  trawl::Rules rules;
  rules.AddFile(kSource + "/rules/secrets.json");
  const trawl::Database db = trawl::Database::Compile(rules);
  const std::string package = kSource + "/examples/sample/sample-package.tar.gz";
  const std::string kStreamed = "larger than the streaming threshold";
  EXPECT_EQ(trawl::AnalyzePackageFile(db, package).find(kStreamed), std::string::npos);
  trawl::Options streamed;
  streamed.Set(TRAWL_OPT_STREAM_THRESHOLD_BYTES, int64_t{1});
  EXPECT_NE(trawl::AnalyzePackageFile(db, package, trawl::ReportFormat::kJson, &streamed)
                .find(kStreamed),
            std::string::npos);
}

// The git calls over a repository built here: a key added, then removed; the history
// still holds it, the stages agree with the one call, and the options narrow what is read.
TEST(CppApiTest, GitHistory) {
  if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "git is not installed";
  char dir[] = "/tmp/trawl-cpp-git-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string repo = dir;
  const std::string git = "cd '" + repo +
                          "' && export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null "
                          "GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com "
                          "GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com "
                          "GIT_AUTHOR_DATE=2020-02-02T00:00:00Z "
                          "GIT_COMMITTER_DATE=2020-02-02T00:00:00Z && ";
  ASSERT_EQ(std::system((git + "git init -q -b main && printf 'key=leaked\\n' > app.env && "
                               "git add -A && git commit -q -m add && git rm -q app.env && "
                               "git commit -q -m remove")
                            .c_str()),
            0);
  trawl::Rules rules;
  rules.AddJson(R"j([{"id":"kv","regex":"key=([a-z]+)","severity":"high"}])j");
  const trawl::Database db = trawl::Database::Compile(rules);
  const std::string manifest = trawl::GitDecompose(repo);
  EXPECT_NE(manifest.find("\"container_format\": \"git\""), std::string::npos);
  EXPECT_NE(manifest.find("\"path\": \"app.env\""), std::string::npos);
  EXPECT_NE(trawl::GitClassify(&db, repo).find("trawl.plans/1"), std::string::npos);
  const std::string report = trawl::GitAnalyze(db, repo);
  EXPECT_NE(report.find("\"rule\": \"kv\""), std::string::npos);
  EXPECT_NE(trawl::GitAnalyze(db, repo, trawl::ReportFormat::kSarif).find("%SRCROOT%"),
            std::string::npos);
  // Stage 1 to a directory, then the other stages, give the one-call report.
  char parts[] = "/tmp/trawl-cpp-git-parts-XXXXXX";
  ASSERT_NE(mkdtemp(parts), nullptr);
  const std::string staged_manifest = trawl::GitDecomposeToDirectory(repo, parts);
  EXPECT_EQ(staged_manifest, manifest);
  const std::string work = trawl::ManifestWork(manifest);
  std::vector<std::string> results;
  for (size_t at = work.find("\"id\": \""); at != std::string::npos;
       at = work.find("\"id\": \"", at + 1)) {
    const std::string id = work.substr(at + 7, 32);
    results.push_back(trawl::AnalyzeComponent(db, manifest, id,
                                              ReadFile(std::string(parts) + "/" + id)));
  }
  EXPECT_EQ(results.size(), 1u);  // the one blob
  EXPECT_EQ(trawl::Aggregate(manifest, results), report);
  // Staged: the index holds no key any more.
  trawl::Options staged;
  staged.Set(TRAWL_OPT_GIT_STAGED, int64_t{1});
  EXPECT_EQ(trawl::GitAnalyze(db, repo, trawl::ReportFormat::kJson, &staged).find("\"rule\": \"kv\""),
            std::string::npos);
  try {
    trawl::GitAnalyze(db, repo + "/nope");
    FAIL() << "no exception";
  } catch (const trawl::Error& e) {
    EXPECT_EQ(e.status(), TRAWL_E_IO);
  }
  ASSERT_EQ(std::system(("rm -rf '" + repo + "' '" + parts + "'").c_str()), 0);
}

}  // namespace
