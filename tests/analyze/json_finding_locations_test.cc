// Issue 22: a JSON component without candidates is no longer walked (the DOM parse that
// classified it gives its escaped strings), and one with candidates is walked once with
// the locator. The structural location of every finding must be what the full structure
// walk says of the finding's bytes, as it was before: on nested arrays, escaped keys and
// values, candidates that only a decoded form holds, NDJSON, and JSON that is invalid or
// truncated and is analysed as text. Each input is analysed through both entry points
// (PlanAndAnalyze, and PlanComponent + Analyze), which must agree byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "analyze/component_result_json.h"
#include "engine/compiler.h"
#include "engine/test_util.h"
#include "rules/loader.h"
#include "structure/json_structure.h"
#include "util/file.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;
const std::string kSource = TRAWL_SOURCE_DIR;
constexpr std::string_view kToken = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";

std::shared_ptr<const Database> SecretsDb() {
  static const std::shared_ptr<const Database> db =
      testing_util::MustCompileFiles({kSource + "/rules/secrets.json"});
  return db;
}

Component JsonComponent(const std::string& bytes) {
  Component c;
  c.id = "0123456789abcdef0123456789abcdef";
  c.path = "pkg!/doc.json";
  c.name = "doc.json";
  c.size = bytes.size();
  c.has_content = true;
  c.content_complete = true;
  return c;
}

// The token with its first letter written as a \u escape: only the decoded form holds it.
std::string EscapedToken() { return "\\u0067" + std::string(kToken.substr(1)); }

struct Case {
  std::string doc;
  std::string format;                 // the component's format
  std::vector<std::string> pointers;  // the findings' JSON pointers, in result order
};

std::vector<Case> Cases() {
  const std::string t(kToken), e = EscapedToken();
  return {
      // Nested arrays, raw and decoded candidates.
      {"{\"a\":[[1,[\"x\",\"" + t + "\"]],{\"b\":[[],[\"" + e + "\"]]}]}", "json",
       {"/a/0/1/1", "/a/1/b/1/0"}},
      // Escaped keys: the pointer names the decoded key, RFC 6901-escaped ('~', '/').
      {"{\"k\\u0065y~/\":\"" + t + "\",\"\\\"q\\\"\":{\"\\/p\":\"" + e + "\"}}", "json",
       {"/key~0~1", "/\"q\"/~1p"}},
      // A candidate inside a key.
      {"{\"" + t + "\":1}", "json", {"/" + t}},
      // Only a decoded form holds the candidate (the locating walk runs afterwards).
      {"[{\"deep\":[{\"er\":\"" + e + "\"}]},\"r\\u0065ad-only\"]", "json", {"/0/deep/0/er"}},
      // A root array holding the only candidate, escaped.
      {"[\"" + e + "\"]", "json", {"/0"}},
      // NDJSON: each record's pointer.
      {"{\"a\":\"x\\/y\"}\n{\"b\":[\"" + t + "\"]}\n{\"c\":{\"d\":\"" + e + "\"}}\n", "ndjson",
       {"/b/0", "/c/d"}},
      // Invalid or truncated JSON is text: line and column, no pointer.
      {"{\"a\":[\"" + t + "\"", "text", {""}},
      {"{\"a\":\"" + t + "\",}", "text", {""}},
      {"{\"a\":\"" + e + "\"", "text", {}},  // text has no decoded JSON strings
  };
}

// Analyses `doc` through both entry points; they must give the same result.
std::optional<ComponentResult> AnalyzeBothWays(ComponentAnalyzer& analyzer, const std::string& doc) {
  PlanOptions plan_options;
  plan_options.pattern_chains = SecretsDb()->chains();
  const Component component = JsonComponent(doc);
  auto planned = analyzer.PlanAndAnalyze(component, doc, plan_options, {});
  auto staged = analyzer.Analyze(PlanComponent(component, doc, plan_options), doc, {});
  EXPECT_TRUE(planned.ok() && staged.ok());
  if (!planned.ok() || !staged.ok()) return std::nullopt;
  EXPECT_EQ(ComponentResultToJson(*planned), ComponentResultToJson(*staged)) << doc;
  return *std::move(planned);
}

// Every finding of a JSON component is where the full structure walk (default options,
// a locator of every value) places its first byte.
void ExpectLocatedAsTheFullWalk(const ComponentResult& result, const std::string& doc) {
  if (result.format != "json" && result.format != "ndjson") {
    for (const Finding& f : result.findings) EXPECT_EQ(f.json_pointer, "") << doc;
    return;
  }
  JsonAnalyzer full;
  const JsonReport report = result.format == "json" ? full.Analyze(doc) : full.AnalyzeNdjson(doc);
  ASSERT_TRUE(report.locator.has_value());
  for (const Finding& f : result.findings) {
    const std::optional<JsonLocator::Location> where = report.locator->Locate(f.start);
    EXPECT_EQ(f.json_pointer, where ? where->pointer : std::string()) << doc;
  }
}

TEST(JsonFindingLocationsTest, PointersOfCraftedDocuments) {
  ASSERT_NE(SecretsDb(), nullptr);
  auto analyzer = ComponentAnalyzer::Create(SecretsDb());
  ASSERT_TRUE(analyzer.ok());
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.doc);
    const std::optional<ComponentResult> result = AnalyzeBothWays(**analyzer, c.doc);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->format, c.format);
    std::vector<std::string> pointers;
    for (const Finding& f : result->findings) {
      pointers.push_back(f.json_pointer);
      if (c.format == "text") {
        EXPECT_EQ(f.line, 1);
        EXPECT_GT(f.column, 0);
      }
    }
    EXPECT_EQ(pointers, c.pointers);
    ExpectLocatedAsTheFullWalk(*result, c.doc);
  }
}

// Every JSON fixture of the tree, with the token planted raw and escaped around it (a
// member after it, an element of an array holding it), and as it is.
TEST(JsonFindingLocationsTest, FixturesWithPlantedTokens) {
  ASSERT_NE(SecretsDb(), nullptr);
  auto analyzer = ComponentAnalyzer::Create(SecretsDb());
  ASSERT_TRUE(analyzer.ok());
  size_t json = 0, located = 0;
  for (const char* dir : {"/tests/structure/corpus/structure_json_fuzzer", "/rules", "/schemas"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kSource + dir)) {
      if (!entry.is_regular_file() || entry.file_size() > (256u << 10)) continue;
      auto bytes = ReadFile(entry.path().string());
      if (!bytes.ok()) continue;
      for (const std::string& doc :
           {*bytes, "{\"k\\u0065y\":" + *bytes + ",\"t\":[\"" + std::string(kToken) + "\"]}",
            "[[" + *bytes + "],{\"\\/e\":\"" + EscapedToken() + "\"}]"}) {
        const std::optional<ComponentResult> result = AnalyzeBothWays(**analyzer, doc);
        ASSERT_TRUE(result.has_value());
        ExpectLocatedAsTheFullWalk(*result, doc);
        if (HasFailure()) return;
        json += result->format == "json";
        for (const Finding& f : result->findings) located += !f.json_pointer.empty();
      }
    }
  }
  EXPECT_GT(json, 100u);
  EXPECT_GT(located, 100u);
}

}  // namespace
}  // namespace trawl
