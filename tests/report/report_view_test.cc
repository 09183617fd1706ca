// What renderings list (ReportView, `trawl analyze --min-severity/--category/--all`):
// filtered findings are left out of every format and counted in a note; the table counts
// info-level findings by rule and routine components unless list_all; counts stay whole.
#include <gtest/gtest.h>

#include <string>

#include "report/report.h"

namespace trawl {
namespace {

AggregatedFinding Finding(std::string rule, std::string category, Severity severity,
                          std::string value) {
  AggregatedFinding f;
  f.rule_id = std::move(rule);
  f.category = std::move(category);
  f.severity = severity;
  f.value = std::move(value);
  f.fingerprint = std::string(32, 'a');
  FindingLocation loc;
  loc.component_id = std::string(32, 'b');
  loc.path = "pkg!/src/app.py";
  loc.line = 3;
  loc.column = 7;
  f.locations.push_back(loc);
  return f;
}

PackageReport Report() {
  PackageReport r;
  r.manifest.package_name = "pkg";
  r.findings.push_back(Finding("aws-access-key-id", "secret", Severity::kCritical, "AKIAXYZ"));
  r.findings.push_back(Finding("maltrail:malware:x", "indicator/malware", Severity::kHigh,
                               "evil.example"));
  r.findings.push_back(Finding("entity-email", "pii", Severity::kMedium, "a@example.org"));
  r.findings.push_back(Finding("entity-domain", "indicator", Severity::kInfo, "example.org"));
  r.findings.push_back(Finding("entity-domain", "indicator", Severity::kInfo, "example.net"));
  r.findings.push_back(Finding("entity-ipv4", "indicator", Severity::kInfo, "10.0.0.1"));
  r.score.active_by_severity = {3, 0, 1, 1, 1};
  ComponentResult analysed;
  analysed.status = "analysed";
  analysed.path = "pkg!/src/app.py";
  ComponentResult duplicate;
  duplicate.status = "skipped";
  duplicate.path = "pkg!/src/copy.py";
  duplicate.reason = "duplicate of 0123";
  ComponentResult corrupt;
  corrupt.status = "skipped";
  corrupt.path = "pkg!/broken.zip";
  corrupt.reason = "corrupt: cannot be opened";
  r.components = {analysed, duplicate, corrupt};
  return r;
}

std::string Render(const ReportView& view, ReportFormat format) {
  auto out = RenderReport(Report(), static_cast<int32_t>(format), "test", view);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "";
}

TEST(ReportViewTest, DefaultJsonAndSarifListEverything) {
  EXPECT_EQ(Render({}, ReportFormat::kJson), ReportToJson(Report()));
  EXPECT_EQ(Render({}, ReportFormat::kSarif), ReportToSarif(Report(), "test"));
}

TEST(ReportViewTest, TableCountsInfoFindingsByRuleAndRoutineComponents) {
  const std::string table = Render({}, ReportFormat::kTable);
  EXPECT_NE(table.find("aws-access-key-id"), std::string::npos);
  EXPECT_EQ(table.find("example.net"), std::string::npos) << table;
  EXPECT_NE(table.find("3 info-level finding(s) not listed one by one (entity-domain 2, "
                       "entity-ipv4 1); --all lists them"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find(", 6 findings"), std::string::npos) << table;  // counts stay whole
  EXPECT_NE(table.find("pkg!/broken.zip"), std::string::npos) << table;
  EXPECT_EQ(table.find("pkg!/src/copy.py"), std::string::npos) << table;
  EXPECT_NE(table.find("not listed one by one: 1 analysed, 1 skipped (duplicate)"),
            std::string::npos)
      << table;
}

TEST(ReportViewTest, AllListsEverythingInTheTable) {
  ReportView view;
  view.list_all = true;
  EXPECT_EQ(Render(view, ReportFormat::kTable), ReportToTable(Report()));
}

TEST(ReportViewTest, MinSeverityAndCategoryFilterEveryFormatWithANote) {
  ReportView view;
  view.min_severity = Severity::kHigh;
  const std::string json = Render(view, ReportFormat::kJson);
  EXPECT_NE(json.find("AKIAXYZ"), std::string::npos);
  EXPECT_EQ(json.find("a@example.org"), std::string::npos);
  EXPECT_NE(json.find("4 finding(s) not listed: the view selects severity high and above"),
            std::string::npos)
      << json;
  view.min_severity = Severity::kInfo;
  view.categories = ParseCategoryList(" indicator , pii,");
  EXPECT_EQ(view.categories, (std::vector<std::string>{"indicator", "pii"}));
  const std::string sarif = Render(view, ReportFormat::kSarif);
  EXPECT_EQ(sarif.find("aws-access-key-id"), std::string::npos);
  EXPECT_NE(sarif.find("maltrail:malware:x"), std::string::npos);  // indicator/malware
  EXPECT_NE(sarif.find("entity-email"), std::string::npos);
}

}  // namespace
}  // namespace trawl
