// Calibrates the planner's tier cost model (classify/plan.h CostModel, docs/plan.md) from
// measured analysis times instead of guesses.
//
//   cost_calibration ARTIFACT FILE...   (bench/calibrate_costs.sh makes the inputs)
//
// Each file is one component. It is planned four ways: patterns only, patterns +
// entities, patterns + structure (with its decode steps), and the default plan with every
// step. Each plan is analysed in turn, ROUNDS times, the plans alternating; a plan's time
// is the minimum thread CPU time of its rounds (the least disturbed). Because the analysis
// runs exactly the steps of its plan, a step's cost is the difference to patterns only:
//   pattern    patterns-only time / bytes, over all components
//   entities   (patterns + entities) - patterns only, over all components
//   structure  (patterns + structure) - patterns only, per structure kind
//   transcode  a UTF-16LE copy of each text component, patterns only, minus the UTF-8
//              patterns-only time, per UTF-16 byte
//   fixed      the default plan of a 60-byte log line, per component
// It prints the measured rates beside the model's defaults, how well the model's sum of
// step costs predicts the default plan's measured time, and the CostModel fields to set.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "classify/plan.h"
#include "engine/artifact.h"
#include "intake/component.h"
#include "util/cpu_time.h"
#include "util/file.h"

namespace {

constexpr int kRounds = 5;

trawl::Component ComponentOf(const std::string& name, size_t size) {
  trawl::Component c;
  c.id = "00000000000000000000000000000000";
  c.path = "calibration!/" + name;
  c.name = name;
  c.size = size;
  c.has_content = true;
  c.content_complete = true;
  return c;
}

enum Variant { kPatterns, kEntities, kStructure, kDefault, kVariants };

trawl::PlanOptions OptionsFor(Variant v, const std::vector<std::string>& chains) {
  trawl::PlanOptions o;
  o.pattern_chains = chains;
  o.entities = v == kEntities || v == kDefault;
  o.structure = v == kStructure || v == kDefault;
  o.decode = o.structure;
  return o;
}

// Minimum CPU seconds of analysing `plan` over `content`, one call per round; exits on
// an analysis error (the inputs are the calibrator's own).
struct Timed {
  trawl::ProcessingPlan plan;
  double best = 1e30;
};

void RunOnce(trawl::ComponentAnalyzer& analyzer, Timed& t, const std::string& content) {
  const trawl::AnalyzeOptions options;
  const double start = trawl::ThreadCpuSeconds();
  auto result = analyzer.Analyze(t.plan, content, options);
  const double spent = trawl::ThreadCpuSeconds() - start;
  if (!result.ok()) {
    std::fprintf(stderr, "analysis failed: %s\n", result.status().ToString().c_str());
    std::exit(1);
  }
  t.best = std::min(t.best, spent);
}

std::string Utf16Le(const std::string& utf8_ascii_mostly) {
  // Byte-wise widening is exact for ASCII, which the generated text is; a non-ASCII byte
  // becomes a Latin-1 code unit, still valid UTF-16 and the same length.
  std::string out = "\xFF\xFE";
  out.reserve(2 + 2 * utf8_ascii_mostly.size());
  for (char c : utf8_ascii_mostly) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

struct KindTotals {
  double bytes = 0;
  double seconds[kVariants] = {};
  double estimated_default = 0;  // the current model's estimate of the default plans
  int components = 0;
};

// The structure kind ("json", "csv", "text", "binary") of a default plan.
std::string StructureKindOf(const trawl::ProcessingPlan& plan) {
  for (const trawl::PlanStep& step : plan.steps) {
    if (step.stage == "structure") return step.name;
  }
  return "none";
}

// Plans `content` four ways and times each plan; adds the minima to `totals`.
void Measure(trawl::ComponentAnalyzer& analyzer, const std::vector<std::string>& chains,
             const std::string& name, const std::string& content, KindTotals* totals,
             std::string* kind) {
  const trawl::Component component = ComponentOf(name, content.size());
  Timed timed[kVariants];
  for (int v = 0; v < kVariants; ++v) {
    timed[v].plan =
        trawl::PlanComponent(component, content, OptionsFor(static_cast<Variant>(v), chains));
  }
  for (int round = 0; round < kRounds; ++round) {
    for (Timed& t : timed) RunOnce(analyzer, t, content);
  }
  totals->bytes += static_cast<double>(content.size());
  totals->components += 1;
  for (int v = 0; v < kVariants; ++v) totals->seconds[v] += timed[v].best;
  totals->estimated_default += timed[kDefault].plan.estimated_seconds;
  if (kind) *kind = StructureKindOf(timed[kDefault].plan);
}

void Add(KindTotals* sum, const KindTotals& part) {
  sum->bytes += part.bytes;
  sum->components += part.components;
  for (int v = 0; v < kVariants; ++v) sum->seconds[v] += part.seconds[v];
  sum->estimated_default += part.estimated_default;
}

double NsPerByte(double seconds, double bytes) { return bytes > 0 ? seconds / bytes * 1e9 : 0; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ARTIFACT FILE...\n", argv[0]);
    return 2;
  }
  auto artifact = trawl::ReadFile(argv[1]);
  if (!artifact.ok()) {
    std::fprintf(stderr, "%s\n", artifact.status().ToString().c_str());
    return 1;
  }
  auto db = trawl::DeserializeDatabase(*artifact);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  auto analyzer = trawl::ComponentAnalyzer::Create(*db);
  if (!analyzer.ok()) {
    std::fprintf(stderr, "%s\n", analyzer.status().ToString().c_str());
    return 1;
  }
  const std::vector<std::string> chains = (*db)->chains();

  std::map<std::string, KindTotals> kinds;
  KindTotals utf16, utf16_as_utf8;
  for (int i = 2; i < argc; ++i) {
    auto content = trawl::ReadFile(argv[i]);
    if (!content.ok()) {
      std::fprintf(stderr, "%s\n", content.status().ToString().c_str());
      return 1;
    }
    KindTotals one;
    std::string kind;
    Measure(**analyzer, chains, argv[i], *content, &one, &kind);
    Add(&kinds[kind], one);
    if (kind == "text" || kind == "json" || kind == "csv") {
      KindTotals wide;
      const std::string utf16_name = std::string(argv[i]) + ".utf16";
      std::string wide_kind;
      Measure(**analyzer, chains, utf16_name, Utf16Le(*content), &wide, &wide_kind);
      Add(&utf16, wide);
      Add(&utf16_as_utf8, one);
    }
  }
  // Fixed cost per component: the default plan of a tiny component, many times.
  KindTotals tiny;
  const std::string line = "2026-11-26T10:00:00Z INFO request served path=/api/v2/items\n";
  for (int i = 0; i < 200; ++i) Measure(**analyzer, chains, "tiny.log", line, &tiny, nullptr);
  const double fixed_seconds = tiny.seconds[kDefault] / tiny.components;

  const trawl::CostModel model;
  KindTotals all;
  for (const auto& [kind, totals] : kinds) Add(&all, totals);
  const double pattern = NsPerByte(all.seconds[kPatterns], all.bytes);
  const double entities = NsPerByte(all.seconds[kEntities] - all.seconds[kPatterns], all.bytes);
  std::printf("%d components, %.1f MiB; minimum thread CPU time of %d rounds per plan\n\n",
              all.components, all.bytes / (1 << 20), kRounds);
  std::printf("| cost | measured | model default |\n|---|---|---|\n");
  std::printf("| pattern chain (one scan of %zu chains: %.2f ns/B) | %.2f ns/B | %.2f ns/B |\n",
              chains.size(), pattern, pattern / static_cast<double>(chains.size()),
              model.pattern_seconds_per_byte * 1e9);
  std::printf("| entities | %.2f ns/B | %.2f ns/B |\n", entities,
              model.entity_seconds_per_byte * 1e9);
  for (const auto& [kind, t] : kinds) {
    const double model_ns =
        kind == "json"     ? model.structure_json_seconds_per_byte * 1e9
        : kind == "csv"    ? model.structure_csv_seconds_per_byte * 1e9
        : kind == "binary" ? model.structure_binary_seconds_per_byte * 1e9
                           : model.structure_text_seconds_per_byte * 1e9;
    std::printf("| structure %s (%d components, %.1f MiB; patterns %.2f, entities %.2f ns/B) | "
                "%.2f ns/B | %.2f ns/B |\n",
                kind.c_str(), t.components, t.bytes / (1 << 20),
                NsPerByte(t.seconds[kPatterns], t.bytes),
                NsPerByte(t.seconds[kEntities] - t.seconds[kPatterns], t.bytes),
                NsPerByte(t.seconds[kStructure] - t.seconds[kPatterns], t.bytes), model_ns);
  }
  if (utf16.bytes > 0) {
    std::printf("| transcode (UTF-16LE copies of the text components) | %.2f ns/B | %.2f ns/B |\n",
                NsPerByte(utf16.seconds[kPatterns] - utf16_as_utf8.seconds[kPatterns],
                          utf16.bytes),
                model.transcode_seconds_per_byte * 1e9);
  }
  std::printf("| fixed per component | %.3f ms | %.3f ms |\n\n", fixed_seconds * 1e3,
              model.fixed_seconds_per_component * 1e3);
  // Additivity: do the step costs, measured apart, add up to the default plan's time?
  const double steps_sum = all.seconds[kEntities] + all.seconds[kStructure] - all.seconds[kPatterns];
  std::printf("default plans: measured %.3f s CPU; sum of the steps measured apart %.3f s "
              "(%.2fx); the model's estimate %.3f s (%.1fx measured; %.3f s without its fixed "
              "cost per component)\n",
              all.seconds[kDefault], steps_sum, steps_sum / all.seconds[kDefault],
              all.estimated_default, all.estimated_default / all.seconds[kDefault],
              all.estimated_default - all.components * model.fixed_seconds_per_component);
  return 0;
}
