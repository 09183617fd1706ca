// PlanAndAnalyze (classification's JSON walk reused by the structure analysis, issue 22)
// gives the result PlanComponent + Analyze give, byte for byte, on every JSON fixture of
// the tree, with and without candidates (a candidate needs the locating walk too); and
// AnalyzePrepared (the classify pass made ahead by a ComponentPreparer, as the pipeline's
// intake thread makes it) gives PlanAndAnalyze's result on every kind of content.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "analyze/component_result_json.h"
#include "engine/compiler.h"
#include "engine/test_util.h"
#include "rules/loader.h"
#include "util/file.h"
#include "util/strings.h"

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

Component ComponentNamed(std::string_view name, size_t size) {
  Component component;
  component.id = "0123456789abcdef0123456789abcdef";
  component.path = StrCat("pkg!/", name);
  component.name = std::string(name);
  component.size = size;
  component.has_content = true;
  component.content_complete = true;
  return component;
}

// One analyzer and the options every comparison here runs with.
class PlanAndAnalyzeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(db_, nullptr);
    auto analyzer = ComponentAnalyzer::Create(db_);
    ASSERT_TRUE(analyzer.ok());
    analyzer_ = *std::move(analyzer);
    plan_options_.pattern_chains = db_->chains();
    options_.include_values = true;
  }
  const std::shared_ptr<const Database> db_ = SecretsAndPiiDb();
  std::unique_ptr<ComponentAnalyzer> analyzer_;
  PlanOptions plan_options_;
  AnalyzeOptions options_;
};

TEST_F(PlanAndAnalyzeTest, SameResultAsPlanThenAnalyze) {
  size_t json = 0, with_findings = 0;
  for (const std::string& bytes : JsonInputs()) {
    const Component component = ComponentNamed("doc.json", bytes.size());
    const ProcessingPlan plan = PlanComponent(component, bytes, plan_options_);
    auto before = analyzer_->Analyze(plan, bytes, options_);
    ProcessingPlan shared_plan;
    auto after = analyzer_->PlanAndAnalyze(component, bytes, plan_options_, options_, &shared_plan);
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

// Every kind of content the classify pass treats apart: JSON and NDJSON (escaped strings,
// the reused DOM parse), CSV and TSV, logs with encoded layers and defanged indicators,
// UTF-16 text (transcoded: its structure is the analysis'), binaries with UTF-16 strings,
// empty content; plus the analysis fuzzer's corpus under rotating names.
std::vector<std::pair<std::string, std::string>> NamedInputs() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& json : JsonInputs()) out.emplace_back("doc.json", json);
  const std::string token = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";
  out.emplace_back("events.ndjson", StrCat(R"({"a":"x\u0041","t":")", token, R"(\u0020"})", "\n{\"b\":1}\n"));
  out.emplace_back("events.ndjson", StrCat("{\"a\":1}\n", R"({"t":")", token, "\"}\n"));
  out.emplace_back("cards.csv", "name,card,mail\n\"Ann\nLee\",4111111111111111,ann@example.org\n");
  out.emplace_back("t.tsv", StrCat("k\tv\nGITHUB_TOKEN\t", token, "\n"));
  out.emplace_back("app.log", "INFO blob=Z2hwX3BFZTFDeEk2SnViemx1QkpXNkU2OElQTlduUVlnNHppMlNYbg==\n"
                              "WARN beacon hxxp://evil[.]example/x 95.130.15[.]34\n");
  std::string utf16;
  for (char c : StrCat("token ", token, "\n")) utf16 += std::string{c, '\0'};
  out.emplace_back("u16.txt", "\xFF\xFE" + utf16);
  out.emplace_back("x.bin", std::string("\x7F" "ELF\x02\x01\x01", 7) + std::string(64, '\0') + utf16 +
                                std::string(32, '\x90'));
  out.emplace_back("empty.log", "");
  static const char* const kNames[] = {"a.log", "config.json", "data.csv", "x.bin", "blob.b64",
                                       "page.html", "events.ndjson", "t.tsv", ".env", "u16.txt"};
  size_t i = 0;
  for (const auto& entry :
       fs::directory_iterator(kSource + "/tests/analyze/corpus/component_analyzer_fuzzer")) {
    auto bytes = ReadFile(entry.path().string());
    if (bytes.ok()) out.emplace_back(kNames[i++ % std::size(kNames)], *std::move(bytes));
  }
  return out;
}

TEST_F(PlanAndAnalyzeTest, PreparedAheadSameResultOnEveryKindOfContent) {
  const std::vector<std::pair<std::string, std::string>> inputs = NamedInputs();
  // Every preparation is made before any analysis, as intake runs ahead of the workers:
  // what one holds may not depend on the preparer's later parses.
  ComponentPreparer preparer;
  std::vector<PreparedComponent> prepared;
  for (const auto& [name, bytes] : inputs) {
    prepared.push_back(preparer.Prepare(ComponentNamed(name, bytes.size()), bytes, plan_options_));
  }
  size_t prepared_structures = 0, with_findings = 0;
  std::set<Format> formats;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& [name, bytes] = inputs[i];
    const Component component = ComponentNamed(name, bytes.size());
    const std::string what = StrCat(name, ": ", bytes.substr(0, 120));
    ProcessingPlan plan;
    auto direct = analyzer_->PlanAndAnalyze(component, bytes, plan_options_, options_, &plan);
    EXPECT_TRUE(prepared[i].plan() == plan) << what;
    prepared_structures += prepared[i].held_bytes() > 0;
    auto ahead = analyzer_->AnalyzePrepared(std::move(prepared[i]), bytes, options_);
    // Made from other bytes (a copy at another address), the structure is made again.
    const std::string prepared_copy = bytes, analysed_copy = bytes;
    auto elsewhere = analyzer_->AnalyzePrepared(
        preparer.Prepare(component, prepared_copy, plan_options_), analysed_copy, options_);
    ASSERT_EQ(direct.ok(), ahead.ok()) << what;
    ASSERT_EQ(direct.ok(), elsewhere.ok()) << what;
    if (!direct.ok()) continue;
    const std::string want = ComponentResultToJson(*direct);
    EXPECT_EQ(ComponentResultToJson(*ahead), want) << what;
    EXPECT_EQ(ComponentResultToJson(*elsewhere), want) << what;
    formats.insert(plan.format);
    with_findings += !direct->findings.empty();
  }
  // The inputs did reach every path: decoded strings or layers were prepared ahead, and
  // findings came out of JSON, CSV, text and binary content.
  EXPECT_GE(prepared_structures, 10u);
  EXPECT_GE(with_findings, 20u);
  for (Format f : {Format::kJson, Format::kNdjson, Format::kCsv, Format::kTsv, Format::kBinary}) {
    EXPECT_TRUE(formats.count(f)) << FormatName(f);
  }
}

}  // namespace
}  // namespace trawl
