// PlanAndAnalyze (classification's JSON walk reused by the structure analysis, issue 22)
// gives the result PlanComponent + Analyze give, byte for byte, on every JSON fixture of
// the tree, with and without candidates (a candidate needs the locating walk too).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "analyze/component_result_json.h"
#include "engine/compiler.h"
#include "engine/test_util.h"
#include "rules/loader.h"
#include "util/file.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;
const std::string kSource = TRAWL_SOURCE_DIR;

std::shared_ptr<const Database> SecretsAndPiiDb() {
  return testing_util::MustCompileFiles(
      {kSource + "/rules/secrets.json", kSource + "/rules/pii.json"});
}

std::vector<std::string> JsonInputs() {
  std::vector<std::string> out;
  for (const char* dir : {"/tests/structure/corpus/structure_json_fuzzer", "/rules", "/schemas"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kSource + dir)) {
      if (!entry.is_regular_file() || entry.file_size() > (1u << 20)) continue;
      auto bytes = ReadFile(entry.path().string());
      if (!bytes.ok()) continue;
      out.push_back(*bytes);
      out.push_back("[" + *bytes + "]");
    }
  }
  // Candidates in raw bytes, in escaped strings only, and in a base64 layer.
  out.push_back(R"({"ci":{"GITHUB_TOKEN":"ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn"},"n":[1,2]})");
  out.push_back(R"({"ci":{"t":"ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SX\u006e","mail":"a@b.example"}})");
  out.push_back(R"([{"x":"Z2hwX3BFZTFDeEk2SnViemx1QkpXNkU2OElQTlduUVlnNHppMlNYbg=="},"\ud800"])");
  return out;
}

TEST(PlanAndAnalyzeTest, SameResultAsPlanThenAnalyze) {
  const std::shared_ptr<const Database> db = SecretsAndPiiDb();
  ASSERT_NE(db, nullptr);
  auto analyzer = ComponentAnalyzer::Create(db);
  ASSERT_TRUE(analyzer.ok());
  PlanOptions plan_options;
  plan_options.pattern_chains = db->chains();
  AnalyzeOptions options;
  options.include_values = true;
  size_t json = 0, with_findings = 0;
  for (const std::string& bytes : JsonInputs()) {
    Component component;
    component.id = "0123456789abcdef0123456789abcdef";
    component.path = "pkg!/doc.json";
    component.name = "doc.json";
    component.size = bytes.size();
    component.has_content = true;
    component.content_complete = true;
    const ProcessingPlan plan = PlanComponent(component, bytes, plan_options);
    auto before = (*analyzer)->Analyze(plan, bytes, options);
    ProcessingPlan shared_plan;
    auto after = (*analyzer)->PlanAndAnalyze(component, bytes, plan_options, options, &shared_plan);
    ASSERT_EQ(before.ok(), after.ok()) << bytes.substr(0, 200);
    if (!before.ok()) continue;
    EXPECT_TRUE(shared_plan == plan) << bytes.substr(0, 200);
    EXPECT_EQ(ComponentResultToJson(*after), ComponentResultToJson(*before)) << bytes.substr(0, 200);
    json += plan.format == Format::kJson;
    with_findings += plan.format == Format::kJson && !before->findings.empty();
  }
  EXPECT_GT(json, 50u);
  EXPECT_GE(with_findings, 3u);
}

}  // namespace
}  // namespace trawl
