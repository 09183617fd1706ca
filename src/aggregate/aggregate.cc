// File: aggregate.cc
#include "aggregate/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/hash/hash.h"
#include "analyze/component_analyzer.h"
#include "analyze/component_result_json.h"
#include "intake/skip_policy.h"
#include "util/strings.h"

namespace trawl {
namespace {

// A finding's identity, (rule id, fingerprint), as views of a finding's own strings.
using FindingKeyView = std::pair<std::string_view, std::string_view>;

constexpr size_t kMaxListedIncompleteComponents = 100;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Rounded so that rankings and bytes are the same on every platform's floating point.
double Round6(double value) { return std::round(value * 1e6) / 1e6; }

double LocationWeight(const ScoringPolicy& policy, std::string_view path, std::string* why) {
  const std::string lower = Lower(path);
  for (const LocationRule& rule : policy.locations) {
    for (const std::string& marker : rule.path_contains) {
      if (lower.find(marker) != std::string::npos) {
        *why = StrCat(rule.name, " (", marker, ")");
        return rule.weight;
      }
    }
  }
  *why = "neutral path";
  return policy.default_location_weight;
}

// Deterministic choice among several results for one component. Serializes only when
// duplicates tie on status and truncation (rare: one result per component is the rule).
bool BetterResult(const ComponentResult& a, const ComponentResult& b) {
  const bool a_analysed = a.status == "analysed", b_analysed = b.status == "analysed";
  if (a_analysed != b_analysed) return a_analysed;
  if ((a.truncation == 0) != (b.truncation == 0)) return a.truncation == 0;
  return ComponentResultToJson(a, 0) < ComponentResultToJson(b, 0);
}

// LocationWeight once per distinct path: a package's locations share a few thousand paths
// between tens of thousands of locations, and each weighing searches every marker.
class LocationWeights {
 public:
  explicit LocationWeights(const ScoringPolicy& policy) : policy_(policy) {}
  // The weight of `path` and why; `path` must outlive this object.
  const std::pair<double, std::string>& Of(std::string_view path) {
    auto [it, inserted] = weights_.try_emplace(path);
    if (inserted) it->second.first = LocationWeight(policy_, path, &it->second.second);
    return it->second;
  }

 private:
  const ScoringPolicy& policy_;
  std::unordered_map<std::string_view, std::pair<double, std::string>> weights_;
};

void Score(const ScoringPolicy& policy, LocationWeights* weights, AggregatedFinding* f) {
  std::vector<const FindingLocation*> active;
  for (const FindingLocation& loc : f->locations) {
    if (loc.suppressed.empty()) active.push_back(&loc);
  }
  if (active.empty()) {
    for (const FindingLocation& loc : f->locations) active.push_back(&loc);
  }
  const std::string* why = nullptr;
  double location = -1;
  for (const FindingLocation* loc : active) {
    const auto& [w, this_why] = weights->Of(loc->path);
    if (w > location) {
      location = w;
      why = &this_why;
    }
  }
  f->factors.clear();
  f->factors.push_back({StrCat("severity ", SeverityName(f->severity)),
                        policy.severity_weights[static_cast<int>(f->severity)]});
  f->factors.push_back({"confidence", f->confidence});
  if (auto it = policy.entity_weights.find(f->entity); it != policy.entity_weights.end()) {
    f->factors.push_back({StrCat("entity ", f->entity), it->second});
  }
  if (auto it = policy.category_weights.find(f->category); it != policy.category_weights.end()) {
    f->factors.push_back({StrCat("category ", f->category), it->second});
  }
  if (!f->indicator.empty()) {
    auto it = policy.indicator_match_weights.find(f->indicator.match);
    if (it != policy.indicator_match_weights.end()) {
      f->factors.push_back(
          {StrCat("indicator: ", f->indicator.feed, " (", f->indicator.match, ")"), it->second});
    }
  }
  f->factors.push_back(
      {StrCat("exposure: ", active.size(), " location(s)"),
       Round6(1.0 + policy.exposure_per_doubling * std::log2(static_cast<double>(active.size())))});
  f->factors.push_back({StrCat("location: ", why != nullptr ? *why : ""), location});
  double priority = 1;
  for (const PriorityFactor& factor : f->factors) priority *= factor.value;
  f->priority = Round6(priority);
}

// A location's suppression reason for an inline-ignore marker.
constexpr std::string_view kInlinePrefix = "inline ";
std::string InlineReason(std::string_view marker) {
  return StrCat(kInlinePrefix, marker, " comment on the line");
}

void Suppress(const AggregateOptions& options, AggregatedFinding* f) {
  for (const SuppressionRule& rule : options.suppressions.rules) {
    if (!MatchesIgnoringPath(rule, {f->rule_id, f->fingerprint, f->value, ""})) continue;
    if (rule.path.empty()) {
      f->suppressed_by = "allow-list";
      f->suppression_reason = rule.reason;
      return;
    }
    bool all = true;
    for (FindingLocation& loc : f->locations) {
      if (loc.suppressed.empty() && PathGlobMatches(rule.path, loc.path)) {
        loc.suppressed = rule.reason;
      }
      all = all && !loc.suppressed.empty();
    }
    if (all) {
      f->suppressed_by = "allow-list";
      f->suppression_reason = rule.reason;
      return;
    }
  }
  // Every location carries an inline ignore (or an allow-list path rule accepts it).
  bool all_accepted = !f->locations.empty();
  bool any_inline = false;
  for (const FindingLocation& loc : f->locations) {
    all_accepted = all_accepted && !loc.suppressed.empty();
    any_inline = any_inline || loc.suppressed.rfind(kInlinePrefix, 0) == 0;
  }
  if (all_accepted && any_inline) {
    f->suppressed_by = "inline";
    for (const FindingLocation& loc : f->locations) {
      if (loc.suppressed.rfind(kInlinePrefix, 0) == 0) {
        f->suppression_reason = loc.suppressed;
        break;
      }
    }
    return;
  }
  if (options.suppressions.baseline.count({f->rule_id, f->fingerprint})) {
    f->suppressed_by = "baseline";
    f->suppression_reason = StrCat("accepted in baseline ", options.suppressions.baseline_name);
    return;
  }
  if (f->confidence < options.policy.min_confidence) {
    f->suppressed_by = "policy";
    char floor[32];
    std::snprintf(floor, sizeof floor, "%g", options.policy.min_confidence);
    f->suppression_reason = StrCat("confidence below the policy's min_confidence ", floor);
  }
}

constexpr size_t kMaxRelated = 20;

// The related links of one finding while they are collected: at most kMaxRelated, the
// smallest keys seen so far, each with the reason of its first pair. Because the kept
// keys only ever get smaller, a key that is dropped or refused never comes back, and a
// key in the final list was kept from its first pair on: the result is exactly the first
// kMaxRelated of all links in key order, in memory bounded by kMaxRelated per finding.
struct RelatedLinks {
  struct Link {
    uint32_t other;      // rank of the other finding's key
    uint32_t component;  // index of the component the first pair was seen in
    uint64_t gap;
  };
  std::vector<Link> links;  // by `other`

  void Offer(uint32_t other, uint32_t component, uint64_t gap) {
    if (links.size() == kMaxRelated && other > links.back().other) return;
    if (links.empty()) links.reserve(kMaxRelated + 1);
    auto it = std::lower_bound(links.begin(), links.end(), other,
                               [](const Link& l, uint32_t o) { return l.other < o; });
    if (it != links.end() && it->other == other) return;  // the first reason stays
    links.insert(it, {other, component, gap});
    if (links.size() > kMaxRelated) links.pop_back();
  }
};

// Links findings of the related categories that lie close together in one component.
// Every nearby pair is considered (the pairs of one component in start order), but only
// the links that can be reported are kept (RelatedLinks). `by_key` holds the aggregated
// findings in key order; `owners` the rank (index in by_key) of every component finding,
// in report order.
void LinkRelated(const PackageReport& report, const ScoringPolicy& policy,
                 std::vector<AggregatedFinding>& by_key, const std::vector<uint32_t>& owners) {
  // A few names: a scan beats a tree of strings, once per finding.
  const std::vector<std::string_view> categories(policy.related_categories.begin(),
                                                 policy.related_categories.end());
  const auto related_category = [&](std::string_view category) {
    return std::find(categories.begin(), categories.end(), category) != categories.end();
  };
  std::vector<RelatedLinks> related(by_key.size());
  struct Near {
    const Finding* finding;
    uint32_t rank;
  };
  size_t owner = 0;
  for (size_t component = 0; component < report.components.size(); ++component) {
    const ComponentResult& c = report.components[component];
    std::vector<Near> near;
    for (const Finding& f : c.findings) {
      const uint32_t rank = owners[owner++];
      if (!related_category(f.category)) continue;
      near.push_back({&f, rank});
    }
    std::sort(near.begin(), near.end(), [](const Near& a, const Near& b) {
      return std::tie(a.finding->start, a.finding->end, a.finding->rule_id) <
             std::tie(b.finding->start, b.finding->end, b.finding->rule_id);
    });
    for (size_t i = 0; i < near.size(); ++i) {
      const Finding& a = *near[i].finding;
      for (size_t j = i + 1; j < near.size(); ++j) {
        const Finding& b = *near[j].finding;
        if (b.start > a.end && b.start - a.end > policy.related_within_bytes) break;
        if (near[i].rank == near[j].rank) continue;
        const uint64_t gap = b.start > a.end ? b.start - a.end : 0;
        const uint32_t index = static_cast<uint32_t>(component);
        related[near[i].rank].Offer(near[j].rank, index, gap);
        related[near[j].rank].Offer(near[i].rank, index, gap);
      }
    }
  }
  for (size_t rank = 0; rank < related.size(); ++rank) {
    for (const RelatedLinks::Link& link : related[rank].links) {
      const AggregatedFinding& other = by_key[link.other];
      by_key[rank].related.push_back(
          {other.rule_id, other.fingerprint,
           StrCat(link.gap, " bytes apart in ", report.components[link.component].path)});
    }
  }
}

}  // namespace

PackageReport Aggregate(Manifest manifest, std::vector<ComponentResult> results,
                        const AggregateOptions& options) {
  PackageReport report;
  report.manifest = std::move(manifest);
  const Manifest& m = report.manifest;
  std::set<std::string> notes;

  // Lookups only (hashed views of the manifest's ids): a package has thousands.
  std::unordered_map<std::string_view, const Component*> needs_result;
  std::unordered_map<std::string_view, const Component*> by_id;
  for (const Component& c : m.components) {
    by_id[c.id] = &c;
    if (!SkipReason(c)) needs_result[c.id] = &c;
  }

  // The best result per component (see BetterResult).
  std::unordered_map<std::string, ComponentResult> chosen;
  for (ComponentResult& r : results) {
    if (r.package_id != m.package_id) {
      notes.insert(StrCat("ignored a result for component ", r.component_id,
                          " of another package (", r.package_id, ")"));
      continue;
    }
    if (!by_id.count(r.component_id)) {
      notes.insert(StrCat("ignored a result for unknown component ", r.component_id));
      continue;
    }
    if (!needs_result.count(r.component_id)) {
      notes.insert(StrCat("ignored a result for component ", r.component_id,
                          ", which needs none (", *SkipReason(*by_id[r.component_id]), ")"));
      continue;
    }
    // The manifest is the authority on paths; results carry them for readability only.
    r.path = by_id[r.component_id]->path;
    for (Finding& f : r.findings) {
      // Mostly equal already: a compare is cheaper than a copy.
      if (f.component_id != r.component_id) f.component_id = r.component_id;
      if (f.path != r.path) f.path = r.path;
    }
    auto it = chosen.find(r.component_id);
    if (it == chosen.end()) {
      const std::string id = r.component_id;  // r moves below
      chosen.emplace(id, std::move(r));
    } else if (BetterResult(r, it->second)) {
      it->second = std::move(r);
    }
  }

  std::vector<std::string> missing;
  std::set<std::string> databases;
  for (const Component& c : m.components) {
    if (std::optional<std::string> skip = SkipReason(c)) {
      report.components.push_back(SkippedResult(c, m.package_id, *std::move(skip)));
      continue;
    }
    auto it = chosen.find(c.id);
    if (it == chosen.end()) {
      ComponentResult lost = SkippedResult(c, m.package_id, "no component result was delivered");
      lost.status = "missing";
      report.components.push_back(std::move(lost));
      missing.push_back(c.path);
      continue;
    }
    ComponentResult& r = it->second;
    if (r.status == "analysed") databases.insert(r.database);
    report.components.push_back(std::move(r));
  }

  if (!m.complete) {
    report.incomplete_reasons.push_back(StrCat("decomposition stopped by limit ", m.stopped_by));
  }
  // Every entry intake could not read in full, and every container whose listing ended
  // early or that a limit left closed (intake/skip_policy.h), by path; a hostile package
  // could hold millions, so the list is bounded and the rest counted.
  size_t unread = 0;
  for (const Component& c : m.components) {
    std::optional<std::string> why = IncompleteReason(c);
    if (!why) continue;
    if (++unread <= kMaxListedIncompleteComponents) {
      report.incomplete_reasons.push_back(StrCat(c.path, ": ", *why));
    }
  }
  if (unread > kMaxListedIncompleteComponents) {
    report.incomplete_reasons.push_back(
        StrCat(unread - kMaxListedIncompleteComponents,
               " more component(s) were not read in full; the manifest lists them"));
  }
  if (!missing.empty()) {
    report.incomplete_reasons.push_back(
        StrCat(missing.size(), " component result(s) missing: ", StrJoin(missing, ", ")));
  }
  for (size_t i = 0; i < report.components.size(); ++i) {
    const ComponentResult& c = report.components[i];
    if (c.truncation) report.incomplete_reasons.push_back(StrCat(c.path, ": ", c.reason));
    // A component that needed analysis and has a "skipped" result (the analysis failed,
    // a worker crashed, a budget ran out) was not analysed: its bytes were not looked at.
    if (c.status == "skipped" && needs_result.count(m.components[i].id)) {
      report.incomplete_reasons.push_back(StrCat(c.path, ": not analysed: ", c.reason));
    }
  }
  if (databases.size() == 1) report.database = *databases.begin();
  if (databases.size() > 1) {
    report.incomplete_reasons.push_back(
        StrCat("component results come from ", databases.size(),
               " different rule databases; findings are not comparable"));
  }
  report.complete = report.incomplete_reasons.empty();
  report.notes.assign(notes.begin(), notes.end());

  // Correlation: manifest order, then the order of findings in each result. The first
  // pass finds each finding's aggregate (hashed views of the first finding's rule id and
  // fingerprint, which stay in report.components) and sets what the earliest or the most
  // confident finding decides.
  std::vector<AggregatedFinding> aggregated;
  std::vector<uint32_t> owners;  // the aggregate of each component finding, in that order
  {
    // absl::Hash only hashes: the table is std's (util/hash_containers.h says why).
    std::unordered_map<FindingKeyView, uint32_t, absl::Hash<FindingKeyView>> index;
    for (ComponentResult& c : report.components) {
      for (const auto& [id, described] : c.rules) report.rules.try_emplace(id, described);
      for (const Finding& f : c.findings) {
        const auto [it, inserted] = index.try_emplace(
            FindingKeyView(f.rule_id, f.fingerprint), static_cast<uint32_t>(aggregated.size()));
        owners.push_back(it->second);
        if (inserted) {
          AggregatedFinding& agg = aggregated.emplace_back();
          agg.rule_id = f.rule_id;
          agg.category = f.category;
          agg.severity = f.severity;
          agg.fingerprint = f.fingerprint;
          agg.entity = f.entity;
          agg.validator = f.validator;
          agg.validated = f.validated;
          agg.indicator = f.indicator;
          agg.confidence = f.confidence;
          agg.confidence_reasons = f.reasons;
          agg.value = f.value;
          agg.normalized = f.normalized;
          continue;
        }
        AggregatedFinding& agg = aggregated[it->second];
        if (f.confidence > agg.confidence) {
          agg.confidence = f.confidence;
          agg.confidence_reasons = f.reasons;
          agg.validated = f.validated;
          agg.indicator = f.indicator;  // the strongest match explains the confidence
        }
        if (agg.value.empty()) agg.value = f.value;
        if (agg.normalized.empty()) agg.normalized = f.normalized;
      }
    }
  }
  // Ranked by key: LinkRelated keeps each finding's first links in key order, comparing
  // ranks as integers.
  std::vector<uint32_t> by_rank(aggregated.size());
  std::iota(by_rank.begin(), by_rank.end(), 0);
  std::sort(by_rank.begin(), by_rank.end(), [&aggregated](uint32_t a, uint32_t b) {
    return std::tie(aggregated[a].rule_id, aggregated[a].fingerprint) <
           std::tie(aggregated[b].rule_id, aggregated[b].fingerprint);
  });
  std::vector<uint32_t> rank_of(aggregated.size());
  for (uint32_t rank = 0; rank < by_rank.size(); ++rank) rank_of[by_rank[rank]] = rank;
  for (uint32_t& owner : owners) owner = rank_of[owner];
  std::vector<AggregatedFinding> by_key(aggregated.size());
  for (uint32_t rank = 0; rank < by_rank.size(); ++rank) {
    by_key[rank] = std::move(aggregated[by_rank[rank]]);
  }
  LinkRelated(report, options.policy, by_key, owners);

  // The second pass moves each location's strings: past it a component's findings are
  // read for their count, rule, category and span only (PackageReport::components). It
  // goes through the components in path order, so each finding's locations arrive in
  // their report order (path, then span) where a result lists its findings by span.
  std::vector<size_t> first_owner(report.components.size() + 1, 0);
  for (size_t i = 0; i < report.components.size(); ++i) {
    first_owner[i + 1] = first_owner[i] + report.components[i].findings.size();
  }
  {
    std::vector<uint32_t> counts(by_key.size(), 0);
    for (uint32_t owner : owners) ++counts[owner];
    for (size_t rank = 0; rank < by_key.size(); ++rank) by_key[rank].locations.reserve(counts[rank]);
  }
  std::vector<uint32_t> path_order(report.components.size());
  std::iota(path_order.begin(), path_order.end(), 0);
  std::stable_sort(path_order.begin(), path_order.end(), [&report](uint32_t a, uint32_t b) {
    return report.components[a].path < report.components[b].path;
  });
  for (uint32_t component : path_order) {
    ComponentResult& c = report.components[component];
    for (size_t i = 0; i < c.findings.size(); ++i) {
      Finding& f = c.findings[i];
      by_key[owners[first_owner[component] + i]].locations.push_back(
          {std::move(f.component_id), std::move(f.path), f.start, f.end, f.line, f.column,
           std::move(f.json_pointer), f.csv_row, std::move(f.csv_column),
           std::move(f.decoded_from),
           f.inline_ignore.empty() ? "" : InlineReason(f.inline_ignore)});
    }
  }

  LocationWeights weights(options.policy);
  // Total: two entries of one archive may share a path (the component id tells them apart).
  const auto location_order = [](const FindingLocation& a, const FindingLocation& b) {
    return std::tie(a.path, a.start, a.end, a.decoded_from, a.component_id) <
           std::tie(b.path, b.start, b.end, b.decoded_from, b.component_id);
  };
  for (AggregatedFinding& agg : by_key) {
    // Checking costs n compares, not n log n.
    if (!std::is_sorted(agg.locations.begin(), agg.locations.end(), location_order)) {
      std::sort(agg.locations.begin(), agg.locations.end(), location_order);
    }
    Suppress(options, &agg);
    if (!options.include_values) {
      RedactValueFromReasons(agg.value, &agg.confidence_reasons);
      agg.value.clear();
      agg.normalized.clear();  // a normal form is the value too
      agg.indicator.value.clear();
    }
    Score(options.policy, &weights, &agg);
    (agg.suppressed_by.empty() ? report.findings : report.suppressed).push_back(std::move(agg));
  }
  const auto by_priority = [](const AggregatedFinding& a, const AggregatedFinding& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.rule_id != b.rule_id) return a.rule_id < b.rule_id;
    return a.fingerprint < b.fingerprint;
  };
  std::sort(report.findings.begin(), report.findings.end(), by_priority);
  std::sort(report.suppressed.begin(), report.suppressed.end(), by_priority);

  double others = 0;
  for (size_t i = 0; i < report.findings.size(); ++i) {
    const AggregatedFinding& f = report.findings[i];
    ++report.score.active_by_severity[static_cast<int>(f.severity)];
    if (i == 0) {
      report.score.highest_priority = f.priority;
    } else {
      others += f.priority;
    }
  }
  report.score.score = Round6(report.score.highest_priority +
                              options.policy.package_score_others_share * others);
  return report;
}

}  // namespace trawl
