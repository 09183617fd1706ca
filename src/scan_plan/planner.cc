// File: planner.cc
#include "scan_plan/planner.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <unordered_map>
#include <random>

#include "engine/engine_info.h"
#include "engine/scanner.h"
#include "scan_plan/atoms.h"
#include "util/byte_io.h"
#include "util/enum_names.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/record_cache.h"
#include "util/strings.h"

namespace trawl::plan {
namespace {

// FNV-1a: stable across runs and platforms, so partition assignment is too.
uint64_t StableHash(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// A regex that starts with a repeated class, dot or escape class ("[a-z]+x", ".*?y",
// "\w{8,}"): the engine keeps a match alive from nearly every byte.
bool LeadingRepeat(std::string_view pattern) {
  size_t i = 0;
  while (i < pattern.size() && (pattern[i] == '^' || pattern[i] == '(')) {
    if (pattern[i] == '(' && i + 2 < pattern.size() && pattern[i + 1] == '?' &&
        pattern[i + 2] == ':') {
      i += 3;
      continue;
    }
    if (pattern[i] == '(' && i + 1 < pattern.size() && pattern[i + 1] == '?') break;
    ++i;
  }
  if (i >= pattern.size()) return false;
  size_t end = i;
  if (pattern[i] == '.') {
    end = i + 1;
  } else if (pattern[i] == '\\' && i + 1 < pattern.size() &&
             std::string_view("wWdDsSh").find(pattern[i + 1]) != std::string_view::npos) {
    end = i + 2;
  } else if (pattern[i] == '[') {
    end = i + 1;
    if (end < pattern.size() && pattern[end] == '^') ++end;
    if (end < pattern.size() && pattern[end] == ']') ++end;
    while (end < pattern.size() && pattern[end] != ']') end += pattern[end] == '\\' ? 2 : 1;
    ++end;
  } else {
    return false;
  }
  if (end >= pattern.size()) return false;
  const char q = pattern[end];
  if (q == '*' || q == '+') return true;
  if (q == '{') {
    const size_t close = pattern.find('}', end);
    if (close == std::string_view::npos) return false;
    const std::string_view body = pattern.substr(end + 1, close - end - 1);
    return body.find(',') != std::string_view::npos;  // {n,} or {n,m}: open or large
  }
  return false;
}


constexpr EnumName<CostClass> kCostClassNames[] = {
    {CostClass::kLiteral, "literal"},     {CostClass::kShortLiteral, "short-literal"},
    {CostClass::kGated, "gated"},         {CostClass::kRegex, "regex"},
    {CostClass::kHotRegex, "hot-regex"},  {CostClass::kWarmRegex, "warm-regex"},
    {CostClass::kRejected, "rejected"},
};

}  // namespace

const std::string& CalibrationSample() {
  static const std::string sample = [] {
    static const char* const kWords[] = {
        "the", "value", "return", "const", "function", "import", "user", "name", "data",
        "config", "server", "error", "string", "public", "class", "static", "void", "int",
        "if", "else", "for", "while", "true", "false", "null", "self", "this", "new", "list",
        "request", "response", "http", "file", "path", "default", "options", "result",
        "Exception", "Logger", "getValue", "setName", "MAX_SIZE", "userId", "TODO", "and",
        "of", "to", "in", "is", "that", "with", "as", "on", "be", "at", "by", "from"};
    static const char kHex[] = "0123456789abcdef";
    static const char kB64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::mt19937 rng(20261126);
    auto word = [&] { return std::string(kWords[rng() % (sizeof kWords / sizeof *kWords)]); };
    auto run = [&](const char* alphabet, size_t alphabet_size, size_t n) {
      std::string out;
      for (size_t i = 0; i < n; ++i) out += alphabet[rng() % alphabet_size];
      return out;
    };
    std::string out;
    while (out.size() < (64 << 10)) {
      switch (rng() % 8) {
        case 0:
          out += "  const " + word() + "_" + word() + " = \"" + word() + " " + word() + "\";\n";
          break;
        case 1:
          out += "{\"" + word() + "\": " + std::to_string(rng() % 100000) + ", \"" + word() +
                 "\": \"" + word() + "\"}\n";
          break;
        case 2:
          out += "2026-11-26 10:" + std::to_string(10 + rng() % 50) + ":07 INFO " + word() + " " +
                 word() + " from 10.0." + std::to_string(rng() % 256) + "." +
                 std::to_string(rng() % 256) + "\n";
          break;
        case 3:
          for (int i = 0; i < 12; ++i) out += word() + (i % 5 == 4 ? ", " : " ");
          out += "\n";
          break;
        case 4: out += "sha " + run(kHex, 16, 40) + "\n"; break;
        case 5: out += "blob: " + run(kB64, 64, 20 + rng() % 40) + "==\n"; break;
        case 6:
          out += "see https://www." + word() + ".com/" + word() + "/" + word() + "?id=" +
                 std::to_string(rng() % 1000) + "\n";
          break;
        default:
          out += "    if (" + word() + " != nullptr) { " + word() + "(" + word() + "); }\n";
          break;
      }
    }
    return out;
  }();
  return sample;
}

std::string_view CostClassName(CostClass cost_class) {
  return NameOf(kCostClassNames, cost_class);
}

// Fewer matches than this on the calibration sample: rarer than a warm rule.
static uint64_t RareLimit(const PlanOptions& options) {
  return CalibrationSample().size() / std::max<size_t>(1, options.hot_bytes_per_match);
}

RuleCost ClassifyRule(const Definition& def, const RuleInfo& info, uint32_t max_window,
                      const PlanOptions& options) {
  RuleCost cost;
  if (!EngineScans(info.status)) {  // rejected, or found by the token pass
    cost.cost_class = CostClass::kRejected;
    cost.why = info.reason;
    return cost;
  }
  if (def.kind == PatternKind::kLiteral) {
    const size_t short_len = (def.flags & kFlagCaseless) ? 3 : 2;
    // A short literal that is rare in typical text (".gq" in a domain list) costs the
    // literal database little, while a database of its own is one more full pass.
    const bool rare = options.calibrate && def.expression.size() <= short_len &&
                      CountSampleMatches(def, CalibrationSample(), RareLimit(options)) <
                          RareLimit(options);
    if (def.expression.size() <= short_len && rare) {
      cost.cost_class = CostClass::kLiteral;
      cost.why = StrCat(def.expression.size(), "-byte literal, rare in typical text");
      return cost;
    }
    if (def.expression.size() <= short_len) {
      cost.cost_class = CostClass::kShortLiteral;
      cost.why = StrCat(def.expression.size(), "-byte literal",
                        (def.flags & kFlagCaseless) ? " (caseless)" : "",
                        ": hits almost everywhere; own database");
    } else {
      cost.cost_class = CostClass::kLiteral;
      cost.why = "literal";
    }
    return cost;
  }
  const uint64_t rule_window = std::min<uint64_t>(info.max_width, max_window);
  std::string no_gate;
  if (options.gate) {
    GateSpec spec = PlanGate(def, options.min_atom_len);
    AtomSet& atoms = spec.atoms;
    const uint64_t window =
        spec.window > 0 ? std::min<uint64_t>(spec.window, rule_window) : rule_window;
    if (!atoms.atoms.empty() && window <= options.max_gate_window) {
      cost.gate_window = static_cast<uint32_t>(window);
      cost.cost_class = CostClass::kGated;
      // The follow sequence keeps only the hit that ends a match's prefix Q: the start
      // window must still reach back over all of Q.
      if (window >= spec.follow_width) cost.follow = spec.follow;
      cost.why = StrCat("gated on ", atoms.atoms.size(), " atom(s) (",
                        StrJoin(atoms.atoms.size() > 4
                                    ? std::vector<std::string>(atoms.atoms.begin(),
                                                               atoms.atoms.begin() + 4)
                                    : atoms.atoms,
                                "|"),
                        atoms.atoms.size() > 4 ? "|..." : "", "), start window ", window,
                        spec.window > 0 ? " (bounded prefix)" : "",
                        cost.follow.empty()
                            ? ""
                            : StrCat(", hits checked against the ", cost.follow.size(),
                                     " byte(s) after them"));
      cost.atoms = std::move(atoms.atoms);
      return cost;
    }
    no_gate = atoms.atoms.empty() ? atoms.why_none
                                  : StrCat("window ", window, " too wide to gate");
  } else {
    no_gate = "gating off";
  }
  const bool tiny = info.min_width <= 3;
  const bool leading = LeadingRepeat(def.expression);
  bool warm = false, hot = false;
  if (options.calibrate) {
    const std::string& sample = CalibrationSample();
    const uint64_t warm_count = sample.size() / std::max<size_t>(1, options.hot_bytes_per_match);
    const uint64_t hot_count = sample.size() / 64;
    cost.sample_matches = CountSampleMatches(def, sample, std::max(warm_count, hot_count));
    warm = cost.sample_matches >= warm_count;
    hot = cost.sample_matches >= hot_count;
  }
  if (hot || warm || tiny || (!options.calibrate && leading)) {
    cost.cost_class = hot ? CostClass::kHotRegex : CostClass::kWarmRegex;
    std::string reason;
    if (options.calibrate && (hot || warm)) {
      reason = StrCat(cost.sample_matches, hot ? "+" : "", " matches in ",
                      CalibrationSample().size() >> 10, " KiB of typical text");
    } else if (tiny) {
      reason = StrCat("matches as few as ", info.min_width, " byte(s)");
    } else {
      reason = "starts with an unbounded class repeat";
    }
    cost.why = StrCat(no_gate, "; ", reason, ": full scan, isolated");
    return cost;
  }
  if (leading) StrAppend(&no_gate, " (starts with an unbounded class repeat)");
  cost.cost_class = CostClass::kRegex;
  cost.why = StrCat(no_gate, ": full scan");
  return cost;
}

namespace {

// ---- Plan cache ----------------------------------------------------------------------
// The cost analysis of each definition (atoms, windows, calibration), keyed by the digest
// of its pattern and compile-time facts, in `<cache_dir>/plan.bin`: a recompile analyses
// only new or changed definitions. Like the validation cache, the file holds the latest
// compile's entries only.
constexpr char kPlanMagic[8] = {'T', 'R', 'W', 'L', 'P', 'L', '0', '1'};

std::string PlanKey(const Definition& def, const RuleInfo& info) {
  return RecordKey({def.kind == PatternKind::kLiteral ? "L" : "R", def.expression,
                    std::to_string(def.flags),
                    StrCat(static_cast<int>(info.status), ":", info.min_width, ":",
                           info.max_width)});
}

std::string PlanFingerprint(const PlanOptions& options, uint32_t max_window) {
  const EngineInfo& engine = GetEngineInfo();
  return StrCat("plan 3; ", engine.name, " ", engine.version, "; gate ", options.gate ? 1 : 0, "; atom ",
                options.min_atom_len, "; gate window ", options.max_gate_window, "; calibrate ",
                options.calibrate ? 1 : 0, "/", options.hot_bytes_per_match, "; window ", max_window);
}

std::unordered_map<std::string, RuleCost> LoadPlanCache(const std::string& dir,
                                                        const std::string& fingerprint) {
  return ReadRecordCache<RuleCost>(
      StrCat(dir, "/plan.bin"), std::string_view(kPlanMagic, 8), fingerprint,
      [](ByteReader& r, RuleCost* cost) {
        const uint8_t cost_class = r.U8();
        if (cost_class > static_cast<uint8_t>(CostClass::kRejected)) return false;
        cost->cost_class = static_cast<CostClass>(cost_class);
        cost->gate_window = r.U32();
        cost->sample_matches = r.U64();
        const uint32_t atoms = r.U32();
        if (!r.ok() || atoms > r.remaining()) return false;  // each atom takes 8+ bytes
        for (uint32_t a = 0; a < atoms && r.ok(); ++a) cost->atoms.emplace_back(r.Str());
        const uint8_t follow = r.U8();
        for (uint8_t k = 0; k < follow && r.ok(); ++k) {
          std::array<uint64_t, 4> words;
          for (uint64_t& word : words) word = r.U64();
          cost->follow.push_back(ByteSetFromWords(words));
        }
        cost->why = std::string(r.Str());
        return true;
      });
}

void StorePlanCache(const std::string& dir, const std::string& fingerprint,
                    const std::vector<std::string>& keys, const std::vector<RuleCost>& costs) {
  WriteRecordCache(StrCat(dir, "/plan.bin"), std::string_view(kPlanMagic, 8), fingerprint, keys,
                   [&costs](ByteWriter& w, size_t i) {
                     w.U8(static_cast<uint8_t>(costs[i].cost_class));
                     w.U32(costs[i].gate_window);
                     w.U64(costs[i].sample_matches);
                     w.U32(static_cast<uint32_t>(costs[i].atoms.size()));
                     for (const auto& atom : costs[i].atoms) w.Str(atom);
                     w.U8(static_cast<uint8_t>(costs[i].follow.size()));
                     for (const ByteSet& set : costs[i].follow) {
                       for (uint64_t word : ByteSetWords(set)) w.U64(word);
                     }
                     w.Str(costs[i].why);
                   });
}

constexpr std::string_view kMergedPartition = "merged";

// Seconds to scan the calibration sample with `layout` (best of 5), compiled without the
// planner and without the compile cache (which holds the chosen layout only); infinity
// when it does not compile.
double TimeLayout(const std::vector<Definition>& definitions, const CompileOptions& compile,
                  std::vector<PartitionRequest> layout) {
  constexpr double kNever = std::numeric_limits<double>::infinity();
  CompileOptions trial = compile;
  trial.partitions = std::move(layout);
  trial.planner = nullptr;
  trial.progress = nullptr;
  trial.cache_dir.clear();
  auto db = CompileDatabase(definitions, trial);
  if (!db.ok()) return kNever;
  auto scanner = Scanner::Create(*db);
  if (!scanner.ok()) return kNever;
  double best = kNever;
  for (int rep = 0; rep < 5; ++rep) {
    const absl::Time start = absl::Now();
    if (!(*scanner)->Scan(CalibrationSample(), ScanLimits{}, [](const Match&) { return true; })
             .ok()) {
      return kNever;
    }
    best = std::min(best, absl::ToDoubleSeconds(absl::Now() - start));
  }
  return best;
}

// The layout trial for small sets (PlanOptions::max_trial_rules): the plan's regex passes
// and one merged pass are each timed on the calibration sample; the merged pass replaces
// the plan's regex passes in `requests` when it is clearly faster. Literal partitions are
// the same in both layouts and stay out of the trial.
void TryMergedLayout(const std::vector<Definition>& definitions, const CompileOptions& compile,
                     std::vector<PartitionRequest>* requests) {
  std::vector<Definition> trial_definitions;
  std::vector<PartitionRequest> planned;
  PartitionRequest merged{PartitionKind::kRegex, std::string(kMergedPartition), {}, {}, {}, {}};
  PartitionRequest trial_merged = merged;
  for (const PartitionRequest& request : *requests) {
    if (request.kind == PartitionKind::kLiteral) continue;
    PartitionRequest renumbered = request;
    for (uint32_t& rule : renumbered.rules) {
      merged.rules.push_back(rule);
      trial_definitions.push_back(definitions[rule]);
      rule = static_cast<uint32_t>(trial_definitions.size() - 1);
      trial_merged.rules.push_back(rule);
    }
    planned.push_back(std::move(renumbered));
  }
  const double planned_seconds = TimeLayout(trial_definitions, compile, std::move(planned));
  const double merged_seconds = TimeLayout(trial_definitions, compile, {std::move(trial_merged)});
  // A margin, so that noise does not flip plans whose costs are alike.
  if (merged_seconds >= 0.9 * planned_seconds) return;
  std::sort(merged.rules.begin(), merged.rules.end());
  std::erase_if(*requests,
                [](const PartitionRequest& r) { return r.kind != PartitionKind::kLiteral; });
  requests->push_back(std::move(merged));
}

}  // namespace

double ScanCost(const RuleCost& cost, const Definition& def) {
  switch (cost.cost_class) {
    // Longer literals hit less often.
    case CostClass::kLiteral: return 1.0 + 16.0 / std::max<size_t>(1, def.expression.size());
    case CostClass::kGated: return 8.0;
    case CostClass::kRegex: return 100.0;
    case CostClass::kShortLiteral: return 200.0;
    case CostClass::kWarmRegex: return 400.0;
    case CostClass::kHotRegex: return 1000.0;
    case CostClass::kRejected: return std::numeric_limits<double>::infinity();
  }
  return 100.0;
}

bool ConfirmRatherThanScan(CostClass cost_class) {
  return cost_class == CostClass::kRegex || cost_class == CostClass::kShortLiteral ||
         cost_class == CostClass::kWarmRegex || cost_class == CostClass::kHotRegex;
}

namespace {

// Composite rules: each is triggered by its cheapest anchor set (all scanned); a part
// that no composite is triggered by and that is expensive to scan (no literal, no atom,
// or firing everywhere: the IDS pcre fragments) is confirmed only after the scan, where
// its rule's anchors matched. Marks those parts' costs kRejected-like for partitioning.
void PlanComposites(const std::vector<Definition>& definitions,
                    const std::vector<CompositeInfo>& composites, std::vector<RuleCost>* costs,
                    PlannedLayout* layout) {
  std::vector<uint8_t> anchor(definitions.size(), 0);
  layout->anchors.resize(composites.size());
  for (size_t c = 0; c < composites.size(); ++c) {
    const CompositeInfo& composite = composites[c];
    const Definition& def = definitions[composite.rule];
    if (!def.composite()) continue;
    std::vector<double> pattern_cost;
    for (size_t p = 0; p < composite.pattern_rules.size(); ++p) {
      const uint32_t part = composite.pattern_rules[p];
      double cost = ScanCost((*costs)[part], definitions[part]);
      // The rule's author (Suricata's fast_pattern) knows its traffic: prefer it among
      // patterns that cost alike.
      if (def.logic->patterns[p].fast) cost *= 0.5;
      pattern_cost.push_back(cost);
    }
    layout->anchors[c] = CompositeAnchors(*def.logic, pattern_cost);
    for (uint32_t p : layout->anchors[c]) anchor[composite.pattern_rules[p]] = 1;
  }
  std::vector<uint8_t> seen(definitions.size(), 0);
  for (const CompositeInfo& composite : composites) {
    for (uint32_t part : composite.pattern_rules) {
      if (seen[part] || anchor[part]) continue;
      seen[part] = 1;
      RuleCost& cost = (*costs)[part];
      if (!ConfirmRatherThanScan(cost.cost_class)) continue;
      layout->confirm_only.push_back(part);
      cost.why = StrCat("confirmed only where its rule's anchors matched (", cost.why, ")");
      cost.cost_class = CostClass::kRejected;  // in no partition
    }
  }
}

}  // namespace

PlannedLayout PlanPartitions(const std::vector<Definition>& definitions,
                             const std::vector<RuleInfo>& infos,
                             const std::vector<CompositeInfo>& composites,
                             const CompileOptions& compile, const PlanOptions& options,
                             std::vector<RuleCost>* costs_out) {
  PlannedLayout layout;
  std::vector<RuleCost> costs(definitions.size());
  const bool use_cache = !compile.cache_dir.empty();
  const std::string fingerprint = PlanFingerprint(options, compile.max_window);
  const auto known = use_cache ? LoadPlanCache(compile.cache_dir, fingerprint)
                               : std::unordered_map<std::string, RuleCost>{};
  std::vector<std::string> keys(use_cache ? definitions.size() : 0);
  std::atomic<size_t> fresh{0};
  ParallelFor(definitions.size(), compile.threads, [&](size_t i) {
    if (use_cache) {
      keys[i] = PlanKey(definitions[i], infos[i]);
      if (auto it = known.find(keys[i]); it != known.end()) {
        costs[i] = it->second;
        return;
      }
    }
    costs[i] = ClassifyRule(definitions[i], infos[i], compile.max_window, options);
    fresh.fetch_add(1);
  });
  if (use_cache && (fresh > 0 || known.size() != definitions.size())) {
    StorePlanCache(compile.cache_dir, fingerprint, keys, costs);
  }
  if (!composites.empty()) PlanComposites(definitions, composites, &costs, &layout);
  PartitionRequest literals{PartitionKind::kLiteral, "literals", {}, {}, {}, {}};
  PartitionRequest short_literals{PartitionKind::kLiteral, "literals-short", {}, {}, {}, {}};
  PartitionRequest gate{PartitionKind::kGate, "gate", {}, {}, {}, {}};
  std::vector<uint32_t> regexes, hot, warm;
  size_t gate_rules = 0;
  for (uint32_t i = 0; i < definitions.size(); ++i) {
    switch (costs[i].cost_class) {
      case CostClass::kLiteral: literals.rules.push_back(i); break;
      case CostClass::kShortLiteral: short_literals.rules.push_back(i); break;
      case CostClass::kGated:
        ++gate_rules;
        gate.rules.push_back(i);
        gate.atoms.push_back(costs[i].atoms);
        gate.gate_windows.push_back(costs[i].gate_window);
        gate.gate_follow.push_back(costs[i].follow);
        break;
      case CostClass::kRegex: regexes.push_back(i); break;
      case CostClass::kHotRegex: hot.push_back(i); break;
      case CostClass::kWarmRegex: warm.push_back(i); break;
      case CostClass::kRejected: break;
    }
  }
  std::vector<PartitionRequest> requests;
  // Hash buckets: a power of two, so small changes in the set size rarely change it.
  auto bucketed = [&](const std::vector<uint32_t>& rules, std::string_view prefix,
                      size_t per_partition, PartitionKind kind = PartitionKind::kRegex) {
    size_t buckets = 1;
    while (buckets * per_partition < rules.size()) buckets *= 2;
    std::vector<PartitionRequest> parts(buckets);
    for (size_t b = 0; b < buckets; ++b) {
      parts[b].kind = kind;
      parts[b].name = buckets == 1 && kind == PartitionKind::kLiteral ? std::string(prefix)
                                                                      : StrCat(prefix, "-", b);
    }
    for (uint32_t rule : rules) {
      parts[StableHash(definitions[rule].id) % buckets].rules.push_back(rule);
    }
    for (auto& part : parts) {
      if (!part.rules.empty()) requests.push_back(std::move(part));
    }
  };
  // Literals: one database scans fastest (each partition is a full pass over the input),
  // but recompiling 100k+ literals after one change takes seconds. When the plan has
  // full-scan regex partitions anyway, very large literal sets are split by hash for
  // incremental compiles; a literal-only set keeps one database. The split is not free:
  // the native sources' 37,739 literals in four partitions cost 0.40 s per 16 MiB, in
  // one 0.25 s (bench/RESULTS.md, "Native rule sources"), so it starts at 64 Ki literals.
  const bool has_full_scan = !regexes.empty() || !hot.empty() || !warm.empty();
  bucketed(literals.rules, "literals",
           has_full_scan ? std::max<size_t>(1, options.literals_per_partition) : SIZE_MAX,
           PartitionKind::kLiteral);
  for (auto* request : {&short_literals, &gate}) {
    if (!request->rules.empty()) requests.push_back(std::move(*request));
  }
  bucketed(regexes, "regex", std::max<size_t>(1, options.regexes_per_partition));
  // Hot rules get small partitions (one each when there are few): with per-rule match
  // caps a partition stops once all its rules are capped, so a hot rule must not share
  // one with a rule that never reaches its cap. At most ~16 of them, so a set with many
  // hot rules does not pay one pass each.
  bucketed(hot, "hot", std::max<size_t>(1, hot.size() / 16));
  bucketed(warm, "warm", std::max<size_t>(1, options.regexes_per_partition / 2));
  const size_t regex_rules = gate_rules + regexes.size() + hot.size() + warm.size();
  const size_t regex_passes = static_cast<size_t>(
      std::count_if(requests.begin(), requests.end(),
                    [](const PartitionRequest& r) { return r.kind != PartitionKind::kLiteral; }));
  if (options.calibrate && regex_passes > 1 && regex_rules <= options.max_trial_rules &&
      compile.partitions.empty()) {
    TryMergedLayout(definitions, compile, &requests);
  }
  if (costs_out) *costs_out = std::move(costs);
  layout.partitions = std::move(requests);
  return layout;
}

CompileOptions WithPlanner(CompileOptions compile, PlanOptions options) {
  compile.planner = [options](const std::vector<Definition>& definitions,
                              const std::vector<RuleInfo>& infos,
                              const std::vector<CompositeInfo>& composites,
                              const CompileOptions& c) {
    return PlanPartitions(definitions, infos, composites, c, options);
  };
  return compile;
}

absl::StatusOr<std::shared_ptr<const Database>> CompilePlanned(std::vector<Definition> definitions,
                                                               const CompileOptions& compile,
                                                               const PlanOptions& options) {
  return CompileDatabase(std::move(definitions), WithPlanner(compile, options));
}

std::string ExplainRule(const Database& db, uint32_t rule) {
  if (rule >= db.rule_count()) return "";
  const RuleInfo& info = db.rule_info()[rule];
  if (info.status == RuleStatus::kToken) return info.reason;  // "token pass: shape ..."
  if (info.status == RuleStatus::kComposite || info.status == RuleStatus::kConfirmOnly) {
    return StrCat(RuleStatusName(info.status), ": ", info.reason);
  }
  const RuleCost cost = ClassifyRule(db.definition(rule), info, db.max_window(), PlanOptions{});
  std::string where;
  if (info.partition >= 0) {
    const PartitionInfo& part = db.partitions()[static_cast<size_t>(info.partition)];
    where = StrCat(" [partition ", part.name, ", ", PartitionKindName(part.kind), "]");
    if (part.name == kMergedPartition) {
      return StrCat("merged: one pass over the whole set timed faster than the plan (",
                    CostClassName(cost.cost_class), ": ", cost.why, ")", where);
    }
    // A database built without the planner (or with other options) placed it otherwise.
    if (cost.cost_class == CostClass::kGated && part.kind != PartitionKind::kGate) {
      return StrCat("full scan, but gateable: ", cost.why, where);
    }
  }
  return StrCat(CostClassName(cost.cost_class), ": ", cost.why, where);
}

}  // namespace trawl::plan
