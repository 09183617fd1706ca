// File: finding_groups.cc
#include "report/finding_groups.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "util/strings.h"

namespace trawl {
namespace {

// "/users/3/email" -> "/users/*/email": the elements of one array share a key.
std::string KeyPattern(std::string_view pointer) {
  std::string out;
  for (std::string_view segment : Split(pointer, '/', false)) {
    if (segment.empty() && out.empty()) continue;  // the leading '/'
    const bool index =
        !segment.empty() && std::all_of(segment.begin(), segment.end(),
                                        [](char c) { return c >= '0' && c <= '9'; });
    StrAppend(&out, "/", index ? std::string_view("*") : segment);
  }
  return out;
}

std::string FieldOf(const FindingLocation& loc) {
  if (loc.csv_row >= 0) return StrCat("column ", loc.csv_column);
  if (!loc.json_pointer.empty()) return StrCat("key ", KeyPattern(loc.json_pointer));
  return "";
}

}  // namespace

std::string FindingGroup::Title() const {
  return StrCat(members.size(), " ", entity, " values in ", path, field.empty() ? "" : ", ",
                field);
}

bool Groupable(const AggregatedFinding& f) {
  return !f.entity.empty() && f.category != "secret" && f.severity < Severity::kHigh &&
         !f.locations.empty();
}

std::vector<FindingGroup> GroupLowPriorityFindings(const PackageReport& report) {
  using Key = std::tuple<std::string, std::string, std::string>;  // entity, path, field
  std::map<Key, size_t> index;
  std::vector<FindingGroup> groups;
  for (size_t i = 0; i < report.findings.size(); ++i) {
    const AggregatedFinding& f = report.findings[i];
    if (!Groupable(f)) continue;
    const FindingLocation& loc = f.locations.front();
    Key key{f.entity, loc.path, FieldOf(loc)};
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      FindingGroup g;
      g.entity = f.entity;
      g.rule_id = f.rule_id;
      g.path = loc.path;
      g.field = std::get<2>(key);
      groups.push_back(std::move(g));
    }
    FindingGroup& g = groups[it->second];
    if (g.rule_id != f.rule_id) g.rule_id.clear();
    g.severity = std::max(g.severity, f.severity);
    g.priority = std::max(g.priority, f.priority);
    g.members.push_back(i);
  }
  groups.erase(std::remove_if(groups.begin(), groups.end(),
                              [](const FindingGroup& g) { return g.members.size() < kMinGroupSize; }),
               groups.end());
  return groups;
}

}  // namespace trawl
