// File: plan_test.cc
#include "classify/plan.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intake/archive_builder.h"
#include "intake/decompose.h"

namespace trawl {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

Component FileComponent(std::string path, uint64_t size) {
  Component c;
  c.id = "c0ffee";
  c.path = std::move(path);
  c.size = size;
  c.sha256 = std::string(64, '0');
  c.content_complete = true;
  c.has_content = true;
  return c;
}

PlanOptions TwoChains() {
  PlanOptions options;
  options.pattern_chains = {"default", "secrets"};
  return options;
}

std::vector<std::string> StepNames(const ProcessingPlan& plan) {
  std::vector<std::string> out;
  for (const PlanStep& s : plan.steps) out.push_back(s.stage + ":" + s.name + ":" + s.input);
  return out;
}

TEST(PlanTest, TextLogGetsEveryChainAndIsLight) {
  const std::string log = "2026-01-02T03:04:05Z INFO a\n2026-01-02T03:04:06Z INFO b\n";
  const ProcessingPlan plan =
      PlanComponent(FileComponent("p!/app.log", log.size()), log, TwoChains());
  EXPECT_TRUE(plan.analyze);
  EXPECT_EQ(plan.format, Format::kLog);
  EXPECT_EQ(StepNames(plan),
            (std::vector<std::string>{"patterns:default:utf8", "patterns:secrets:utf8",
                                      "entities:entities:utf8", "structure:text:utf8",
                                      "decode:refanged:utf8", "decode:layers:utf8"}));
  EXPECT_EQ(plan.tier, Tier::kLight);
  EXPECT_THAT(plan.reasons.back(), HasSubstr("light"));
  EXPECT_GT(plan.estimated_seconds, 0.0);
}

TEST(PlanTest, CostModelDecidesTheTier) {
  Classification json;
  json.format = Format::kJson;
  json.encoding = TextEncoding::kUtf8;
  // 1 GiB of JSON: fast enough, but the parsed document does not fit in 3 GiB.
  const ProcessingPlan big =
      PlanClassified(FileComponent("p!/big.json", 1ull << 30), json, TwoChains());
  EXPECT_LT(big.estimated_seconds, 300.0);
  EXPECT_GE(big.estimated_memory_bytes, 3ull << 30);
  EXPECT_EQ(big.tier, Tier::kHeavy);
  EXPECT_THAT(big.reasons.back(), HasSubstr(">= 3.00 GiB"));

  // Thresholds are configurable.
  PlanOptions roomy = TwoChains();
  roomy.costs.light_max_memory_bytes = 16ull << 30;
  EXPECT_EQ(PlanClassified(FileComponent("p!/big.json", 1ull << 30), json, roomy).tier,
            Tier::kLight);

  // Time-bound: text large enough that its steps at the default costs (two chains,
  // entities, text structure) take twice the 300 s limit.
  const CostModel defaults;
  const double text_per_byte = 2 * defaults.pattern_seconds_per_byte +
                               defaults.entity_seconds_per_byte +
                               defaults.structure_text_seconds_per_byte;
  Classification text;
  text.format = Format::kPlainText;
  text.encoding = TextEncoding::kUtf8;
  PlanOptions lean = TwoChains();
  lean.costs.memory_per_content_byte = 0;
  lean.costs.working_memory_per_byte = 0;
  const ProcessingPlan slow =
      PlanClassified(FileComponent("p!/t.txt", static_cast<uint64_t>(600 / text_per_byte)), text, lean);
  EXPECT_GE(slow.estimated_seconds, 300.0);
  EXPECT_EQ(slow.tier, Tier::kHeavy);
  EXPECT_THAT(slow.reasons.back(), HasSubstr(">= 300.0 s"));

  // A per-chain override changes the estimate of that chain only.
  PlanOptions costly = TwoChains();
  costly.costs.pattern_seconds_per_byte_by_chain["secrets"] = 1e-6;
  const ProcessingPlan p = PlanClassified(FileComponent("p!/t.txt", 1'000'000), text, costly);
  EXPECT_DOUBLE_EQ(p.steps[0].estimated_seconds, defaults.pattern_seconds_per_byte * 1e6);
  EXPECT_DOUBLE_EQ(p.steps[1].estimated_seconds, 1.0);
}

TEST(PlanTest, ComponentsWithoutWorkAreSkippedWithAReason) {
  Component dup = FileComponent("p!/b.log", 10);
  dup.duplicate_of = "first";
  ProcessingPlan plan = PlanComponent(dup, "0123456789", TwoChains());
  EXPECT_FALSE(plan.analyze);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_THAT(plan.reasons, Contains(HasSubstr("duplicate of first")));

  Component container = FileComponent("p!/x.zip", 100);
  container.kind = ComponentKind::kContainer;
  container.has_content = false;
  plan = PlanComponent(container, "", TwoChains());
  EXPECT_FALSE(plan.analyze);
  EXPECT_THAT(plan.reasons, Contains(HasSubstr("expanded container")));

  Component encrypted = FileComponent("p!/e.txt", 0);
  encrypted.has_content = false;
  encrypted.status = ComponentStatus::kEncrypted;
  encrypted.reason = "entry is encrypted";
  plan = PlanComponent(encrypted, "", TwoChains());
  EXPECT_FALSE(plan.analyze);
  EXPECT_THAT(plan.reasons, Contains(HasSubstr("encrypted")));
}

TEST(PlanTest, InputDependsOnFormat) {
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("token=abc\nother=def\n")) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  ProcessingPlan plan = PlanComponent(FileComponent("p!/u.txt", utf16.size()), utf16, TwoChains());
  ASSERT_FALSE(plan.steps.empty());
  EXPECT_EQ(plan.encoding, TextEncoding::kUtf16Le);
  EXPECT_EQ(plan.steps[0].stage, "transcode");
  EXPECT_EQ(plan.steps[1].input, "utf8");

  const std::string elf(
      "\x7f"
      "ELF\x02\x01\x01\0\0\0",
      10);
  plan = PlanComponent(FileComponent("p!/bin", elf.size()), elf, TwoChains());
  const std::vector<std::string> binary_steps = {
      "patterns:default:raw",  "patterns:secrets:raw",       "entities:entities:raw",
      "structure:binary:raw",  "decode:utf16-strings:raw", "decode:layers:raw"};
  EXPECT_EQ(StepNames(plan), binary_steps);

  // Images are scanned like any binary: metadata and appended bytes can hold secrets.
  const std::string png = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  plan = PlanComponent(FileComponent("p!/i.png", png.size()), png, TwoChains());
  EXPECT_EQ(plan.format, Format::kImage);
  EXPECT_EQ(StepNames(plan), binary_steps);

  const std::string ndjson = "{\"a\":1}\n{\"a\":2}\n";
  plan = PlanComponent(FileComponent("p!/e.ndjson", ndjson.size()), ndjson, TwoChains());
  EXPECT_THAT(StepNames(plan), Contains("structure:json:utf8"));
  EXPECT_THAT(StepNames(plan), Contains("decode:json-strings:utf8"));

  // Without pattern chains there is nothing to scan decoded forms with.
  PlanOptions no_chains;
  no_chains.pattern_chains.clear();
  plan = PlanComponent(FileComponent("p!/e.ndjson", ndjson.size()), ndjson, no_chains);
  EXPECT_EQ(StepNames(plan), (std::vector<std::string>{"structure:json:utf8"}));
}

TEST(PlanTest, JsonRoundTrip) {
  const std::string log = "2026-01-02T03:04:05Z INFO a\n2026-01-02T03:04:06Z INFO b\n";
  Component c = FileComponent("p!/app \"log\"", 12345);
  c.content_complete = false;
  c.status = ComponentStatus::kTruncated;
  const ProcessingPlan plan = PlanComponent(c, log, TwoChains());
  const std::string json = PlanToJson(plan);
  EXPECT_THAT(json, HasSubstr("\"schema\": \"trawl.plan/1\""));
  absl::StatusOr<ProcessingPlan> back = PlanFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, plan);
  EXPECT_EQ(PlanToJson(*back), json);

  std::string other = json;
  other.replace(other.find("trawl.plan/1"), 12, "trawl.plan/9");
  EXPECT_FALSE(PlanFromJson(other).ok());
  std::string tier = json;
  tier.replace(tier.find("\"light\""), 7, "\"medium\"");
  EXPECT_THAT(PlanFromJson(tier).status().message(), HasSubstr("medium"));
}

TEST(PlanTest, PlansADecomposedPackage) {
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("2026-01-02T03:04:05Z INFO x\n2026-01-02T03:04:06Z INFO y\n")) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  const std::string package = testing::TarGz({
      {.name = "logs/app.log",
       .data = "2026-01-02T03:04:05Z INFO a\n2026-01-02T03:04:06Z WARN b\n"},
      {.name = "events.ndjson", .data = "{\"e\":1}\n{\"e\":2}\n"},
      {.name = "win/app.log", .data = utf16},
      {.name = "copy.log", .data = "2026-01-02T03:04:05Z INFO a\n2026-01-02T03:04:06Z WARN b\n"},
  });
  DecomposeOptions options;
  options.package_id = "pkg";
  options.package_name = "p.tgz";
  absl::StatusOr<Decomposition> d = CollectBytes(package, options);
  ASSERT_TRUE(d.ok()) << d.status();
  std::vector<ProcessingPlan> plans;
  for (const Component& c : d->manifest.components) {
    auto it = d->content.find(c.id);
    plans.push_back(PlanComponent(c, it == d->content.end() ? "" : it->second, TwoChains()));
  }
  ASSERT_EQ(plans.size(), 5u);
  EXPECT_EQ(plans[0].format, Format::kLog);
  EXPECT_EQ(plans[1].format, Format::kNdjson);
  EXPECT_EQ(plans[2].format, Format::kLog);
  EXPECT_EQ(plans[2].encoding, TextEncoding::kUtf16Le);
  EXPECT_FALSE(plans[3].analyze);  // duplicate of logs/app.log
  EXPECT_FALSE(plans[4].analyze);  // the package container itself
  const PackageEstimate estimate = EstimatePackage(plans, TwoChains().costs);
  EXPECT_EQ(estimate.components_to_analyze, 3u);
  EXPECT_EQ(estimate.tier, Tier::kLight);
  EXPECT_NEAR(estimate.estimated_seconds,
              plans[0].estimated_seconds + plans[1].estimated_seconds + plans[2].estimated_seconds,
              1e-5);
}

}  // namespace
}  // namespace trawl
