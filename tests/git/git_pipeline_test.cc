// A git repository through the whole pipeline and stage by stage: the finding of a
// secret removed in a later commit names the adding commit in the JSON report and in
// SARIF, and the report built from the stages' documents is the in-process one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analyze/component_result_json.h"
#include "engine/compiler.h"
#include "intake/manifest_json.h"
#include "intake/skip_policy.h"
#include "json/json.h"
#include "pipeline/package_analysis.h"
#include "pipeline/stages.h"
#include "report/report.h"
#include "rules/loader.h"
#include "test_repo.h"

namespace trawl {
namespace {

constexpr std::string_view kAwsKey = "aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n";

std::shared_ptr<const Database> SecretsDb() {
  auto rules = LoadRuleFile(std::string(TRAWL_SOURCE_DIR) + "/rules/secrets.json");
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  auto db = CompileDatabase(rules->definitions, {});
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *db : nullptr;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class GitPipelineTest : public ::testing::Test {
 protected:
  // Compiled once for the suite.
  static std::shared_ptr<const Database> Db() {
    static const std::shared_ptr<const Database> db = SecretsDb();
    return db;
  }
};

TEST_F(GitPipelineTest, RemovedSecretIsReportedWithTheAddingCommit) {
  if (!HaveGit()) GTEST_SKIP() << "git is not installed";
  TestRepo repo("report");
  repo.Write("src/settings.py", std::string("# settings\n") + std::string(kAwsKey));
  const std::string added = repo.Commit("settings", "2021-07-08T09:10:11Z");
  repo.Write("src/settings.py", "# settings\nkey = os.environ['AWS_KEY']\n");
  repo.Commit("use the environment", "2021-07-09T00:00:00Z");
  auto db = Db();
  ASSERT_NE(db, nullptr);
  PackageOptions options;
  options.threads = 2;
  auto report = AnalyzePackage(PackageInput::Git(GitSource{repo.dir(), "", absl::InfinitePast(),
                                                           false}),
                               db, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->complete);
  const AggregatedFinding* key = nullptr;
  for (const AggregatedFinding& f : report->findings) {
    if (f.rule_id == "aws-access-key-id") key = &f;
  }
  ASSERT_NE(key, nullptr);
  ASSERT_EQ(key->locations.size(), 1u);
  EXPECT_EQ(key->locations[0].line, 2);

  // JSON: the location names the commit, author, date and path.
  const std::string json = ReportToJson(*report);
  json::Parser parser;
  json::Object root;
  ASSERT_TRUE(json::ParseObject(parser, json, "report", &root).ok());
  EXPECT_NE(json.find("\"commit\": \"" + added + "\""), std::string::npos);
  EXPECT_NE(json.find("\"date\": \"2021-07-08T09:10:11Z\""), std::string::npos);
  EXPECT_NE(json.find("\"author\": \"Ada Lovelace <ada@example.com>\""), std::string::npos);
  EXPECT_NE(json.find("\"path\": \"src/settings.py\""), std::string::npos);

  // SARIF: the repository-relative path under %SRCROOT%, the commit in properties.
  const std::string sarif = ReportToSarif(*report, "test");
  EXPECT_NE(sarif.find("\"uri\": \"src/settings.py\",\n"), std::string::npos) << sarif;
  EXPECT_NE(sarif.find("\"uriBaseId\": \"%SRCROOT%\""), std::string::npos);
  EXPECT_NE(sarif.find("\"commit\": \"" + added + "\""), std::string::npos);
}

TEST_F(GitPipelineTest, StageByStageGivesTheInProcessReport) {
  if (!HaveGit()) GTEST_SKIP() << "git is not installed";
  TestRepo repo("stages");
  repo.Write("a.env", kAwsKey);
  repo.Write("notes.txt", "nothing here\n");
  repo.Commit("one", "2022-01-01T00:00:00Z");
  repo.Git("mv a.env b.env");
  repo.Write("bin.dat", std::string("\0\1\2", 3) + std::string(kAwsKey));
  repo.Commit("two", "2022-01-02T00:00:00Z");
  auto db = Db();
  ASSERT_NE(db, nullptr);
  const PackageInput input =
      PackageInput::Git(GitSource{repo.dir(), "", absl::InfinitePast(), false});
  PackageOptions options;
  options.threads = 1;
  auto in_process = AnalyzePackage(input, db, options);
  ASSERT_TRUE(in_process.ok()) << in_process.status();

  const std::string dir = repo.dir() + "-stage1";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto manifest = DecomposeInputToDirectory(input, options, dir);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  const std::string manifest_json = ReadAll(dir + "/manifest.json");
  std::vector<std::string> results;
  for (const Component* c : ComponentsToAnalyze(*manifest)) {
    const std::string content = ReadAll(dir + "/" + c->id);
    auto plan = PlanManifestComponent(*manifest, c->id, content, db.get());
    ASSERT_TRUE(plan.ok()) << plan.status();
    auto result = AnalyzeManifestComponent(*manifest, c->id, content, db, options.analyze);
    ASSERT_TRUE(result.ok()) << result.status();
    results.push_back(ComponentResultToJson(*result));
  }
  EXPECT_EQ(results.size(), 3u);  // the key (renamed: one blob), the notes, the binary
  std::vector<std::string_view> views(results.begin(), results.end());
  auto aggregated = AggregateDocuments(manifest_json, views, {});
  ASSERT_TRUE(aggregated.ok()) << aggregated.status();
  EXPECT_EQ(ReportToJson(*aggregated), ReportToJson(*in_process));
  EXPECT_EQ(aggregated->findings.size(), in_process->findings.size());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace trawl
