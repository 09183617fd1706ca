// File: report_table.cc
#include <cstdio>
#include <map>
#include <string_view>

#include "absl/strings/str_join.h"

#include "report/finding_groups.h"
#include "report/report.h"
#include "util/strings.h"

namespace trawl {
namespace {

// The text as one line a terminal shows as it is: control characters (C0, DEL and the
// C1 range U+0080..U+009F, which some terminals obey as escapes) become escapes, so a
// rule id, entry name or reason can neither break the table's lines nor drive the
// terminal. Everything else, other UTF-8 included, passes through.
std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char escape[8];
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      std::snprintf(escape, sizeof escape, "\\x%02x", c);
      out += escape;
    } else if (c == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned char>(text[++i]));
      out += escape;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Skips every package has many of and no reader needs one by one: the kind of skip, or
// "" for another component.
std::string_view RoutineSkip(const ComponentResult& c) {
  static constexpr std::string_view kRoutine[] = {"no content", "expanded container",
                                                  "directory", "duplicate", "symlink",
                                                  "hardlink"};
  if (c.status != "skipped") return "";
  for (std::string_view prefix : kRoutine) {
    if (std::string_view(c.reason).substr(0, prefix.size()) == prefix) return prefix;
  }
  return "";
}

}  // namespace

std::string ReportToTable(const PackageReport& report, const std::vector<std::string>& unlisted,
                          bool every_component) {
  // Counted over the whole report, whatever the view lists.
  uint64_t active = 0;
  for (uint64_t n : report.score.active_by_severity) active += n;
  std::string out = StrCat("package ", Printable(report.manifest.package_name), "  (",
                           report.components.size(), " components, ", active,
                           " findings", report.complete ? "" : ", INCOMPLETE", ")\n");
  char score[96];
  std::snprintf(score, sizeof score, "package score %.2f (highest finding priority %.2f)\n\n",
                report.score.score, report.score.highest_priority);
  out += score;
  char line[512];
  std::snprintf(line, sizeof line, "%-4s %-8s %-8s %-28s %s\n", "#", "priority", "severity",
                "rule", "where (value)");
  out += line;
  // A group of low-priority entities is one entry, at the rank of its first member.
  const std::vector<FindingGroup> groups = GroupLowPriorityFindings(report);
  std::vector<const FindingGroup*> group_of(report.findings.size(), nullptr);
  for (const FindingGroup& g : groups) {
    for (size_t member : g.members) group_of[member] = &g;
  }
  int rank = 0;
  for (size_t i = 0; i < report.findings.size(); ++i) {
    const AggregatedFinding& f = report.findings[i];
    if (const FindingGroup* g = group_of[i]) {
      if (g->members.front() != i) continue;
      ++rank;
      std::snprintf(line, sizeof line, "%-4d %-8.2f %-8s %-28.28s %s\n", rank, g->priority,
                    std::string(SeverityName(g->severity)).c_str(),
                    g->rule_id.empty() ? "(several rules)" : g->rule_id.c_str(),
                    g->Title().c_str());
      out += line;
      continue;
    }
    ++rank;
    const FindingLocation& loc = f.locations.front();
    std::string where = loc.path;
    if (!loc.json_pointer.empty()) {
      StrAppend(&where, " ", loc.json_pointer);
    } else if (loc.csv_row >= 0) {
      StrAppend(&where, " row ", loc.csv_row, " col ", loc.csv_column);
    } else if (loc.line >= 0) {
      StrAppend(&where, ":", loc.line, ":", loc.column);
    } else {
      StrAppend(&where, " @", loc.start);
    }
    if (!loc.decoded_from.empty()) StrAppend(&where, " [", loc.decoded_from, "]");
    if (f.locations.size() > 1) StrAppend(&where, " (+", f.locations.size() - 1, " more)");
    const std::string value =
        Printable(f.value.size() > 40 ? f.value.substr(0, 37) + "..." : f.value);
    std::snprintf(line, sizeof line, "%-4d %-8.2f %-8s %-28.28s %s  %s\n", rank, f.priority,
                  std::string(SeverityName(f.severity)).c_str(), Printable(f.rule_id).c_str(),
                  Printable(where).c_str(), value.c_str());
    out += line;
  }
  for (const std::string& note : unlisted) StrAppend(&out, "(", Printable(note), ")\n");
  if (!report.suppressed.empty()) {
    StrAppend(&out, "\n", report.suppressed.size(), " suppressed finding(s):\n");
    for (const AggregatedFinding& f : report.suppressed) {
      StrAppend(&out, "  ", Printable(f.rule_id), " (", f.suppressed_by, ": ",
                Printable(f.suppression_reason), ")\n");
    }
  }
  out += "\ncomponents:\n";
  std::map<std::string, size_t> counted;  // "analysed", or the skip reason's first words
  for (const ComponentResult& c : report.components) {
    if (!every_component && c.status == "analysed" && c.reason.empty()) {
      ++counted["analysed"];
      continue;
    }
    if (const std::string_view routine = RoutineSkip(c); !every_component && !routine.empty()) {
      ++counted[StrCat("skipped (", routine, ")")];
      continue;
    }
    char status[16];
    std::snprintf(status, sizeof status, "%-9s", c.status.c_str());
    StrAppend(&out, "  ", status, Printable(c.path),
              c.format.empty() ? "" : StrCat(" [", Printable(c.format), "]"),
              c.reason.empty() ? "" : StrCat(" - ", Printable(c.reason)), "\n");
  }
  if (!counted.empty()) {
    std::vector<std::string> parts;
    for (const auto& [what, n] : counted) parts.push_back(StrCat(n, " ", what));
    StrAppend(&out, "  (not listed one by one: ", absl::StrJoin(parts, ", "),
              "; --all lists them)\n");
  }
  for (const auto& why : report.incomplete_reasons) {
    StrAppend(&out, "INCOMPLETE: ", Printable(why), "\n");
  }
  return out;
}

}  // namespace trawl
