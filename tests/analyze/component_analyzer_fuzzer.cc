// Fuzzes the component analyzer on hostile content: classification, the structure
// analyzers and their locators (lines, JSON pointers, CSV cells), decoded layers
// (escaped JSON strings, base64, hex, UTF-16, defanged indicators) and the entity
// validators, with the shipped secret and PII packs. Every finding must lie inside the
// content, and the line index must agree with a walk from the line start.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <string>

#include "analyze/component_analyzer.h"
#include "classify/plan.h"
#include "engine/compiler.h"
#include "rules/loader.h"
#include "structure/line_index_reference.h"

namespace {

std::shared_ptr<const trawl::Database> Database() {
  static const std::shared_ptr<const trawl::Database> db = [] {
    trawl::RuleSet rules;
    for (const char* file : {"/rules/secrets.json", "/rules/pii.json"}) {
      auto loaded = trawl::LoadRuleFile(std::string(TRAWL_SOURCE_DIR) + file);
      if (!loaded.ok()) std::abort();
      rules.Merge(*std::move(loaded));
    }
    auto db = trawl::CompileDatabase(rules.definitions, {});
    if (!db.ok()) std::abort();
    return *db;
  }();
  return db;
}

// The line index against its definition.
void CheckLineIndex(std::string_view text, uint64_t offset) {
  const trawl::LineIndex::Location got = trawl::LineIndex(text).Locate(offset);
  const trawl::LineIndex::Location want = trawl::testing::ReferenceLocate(text, offset);
  if (got.line != want.line || got.column != want.column ||
      got.column_chars != want.column_chars) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kNames[] = {"a.log", "config.json", "data.csv", "x.bin", "blob.b64",
                                       "page.html", "events.ndjson", "t.tsv", ".env", "u16.txt"};
  FuzzedDataProvider in(data, size);
  const char* name = kNames[in.ConsumeIntegralInRange<size_t>(0, std::size(kNames) - 1)];
  const uint64_t probe = in.ConsumeIntegral<uint32_t>();
  const std::string content = in.ConsumeRemainingBytesAsString();
  if (content.size() <= 1 << 16) CheckLineIndex(content, content.empty() ? 0 : probe % (content.size() + 2));

  static auto analyzer = trawl::ComponentAnalyzer::Create(Database());
  if (!analyzer.ok()) std::abort();
  trawl::Component component;
  component.id = "11111111111111111111111111111111";
  component.path = std::string("fuzz.tar!/") + name;
  component.name = name;
  component.has_content = true;
  component.content_complete = true;
  component.size = content.size();
  trawl::AnalyzeOptions options;
  options.limits.time_budget = absl::Seconds(5);
  options.package_id = "fuzz";
  // The plan the classify stage would make: the analyzer runs exactly its steps.
  trawl::PlanOptions plan_options;
  plan_options.pattern_chains = Database()->chains();
  const trawl::ProcessingPlan plan = trawl::PlanComponent(component, content, plan_options);
  auto result = (*analyzer)->Analyze(plan, content, options);
  if (!result.ok()) return 0;  // an error is allowed; a crash or a bad finding is not
  for (const trawl::Finding& f : result->findings) {
    if (f.start > f.end || f.end > content.size()) std::abort();
    if (!(f.confidence >= 0 && f.confidence <= 1)) std::abort();
    if (f.line == 0 || f.column == 0) std::abort();
  }
  return 0;
}
