// Grouped low-priority entities: one table entry for many e-mail addresses of one CSV
// column, every finding and location still in the JSON report and SARIF, and secrets or
// high-severity findings never grouped.
#include "report/finding_groups.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "report/report.h"

namespace trawl {
namespace {

AggregatedFinding Finding(std::string rule, std::string entity, std::string category,
                          Severity severity, double priority, std::string path, int64_t row,
                          std::string column, std::string value) {
  AggregatedFinding f;
  f.rule_id = std::move(rule);
  f.entity = std::move(entity);
  f.category = std::move(category);
  f.severity = severity;
  f.priority = priority;
  f.value = value;
  f.fingerprint = std::string(32, 'a');
  FindingLocation loc;
  loc.component_id = std::string(32, 'b');
  loc.path = std::move(path);
  loc.csv_row = row;
  loc.csv_column = std::move(column);
  f.locations.push_back(loc);
  return f;
}

// Ranked as aggregation ranks them: an AWS key, 50 e-mails of one column interleaved
// with a high-severity card number, and two e-mails elsewhere.
PackageReport Report() {
  PackageReport r;
  r.manifest.package_name = "pkg";
  r.findings.push_back(Finding("aws-access-key-id", "aws_access_key_id", "secret",
                               Severity::kCritical, 9.0, "pkg!/config.env", -1, "", "AKIA..."));
  for (int i = 0; i < 50; ++i) {
    r.findings.push_back(Finding("entity-email", "email", "pii", Severity::kMedium, 0.5 - i * 0.001,
                                 "pkg!/data/users.csv", i, "email",
                                 "user" + std::to_string(i) + "@example.org"));
    if (i == 10) {
      r.findings.push_back(Finding("entity-credit-card", "credit_card", "pii", Severity::kHigh,
                                   0.45, "pkg!/data/users.csv", 3, "card", "5500005555555559"));
    }
  }
  r.findings.push_back(Finding("entity-email", "email", "pii", Severity::kMedium, 0.3,
                               "pkg!/README.md", -1, "", "ops@example.org"));
  r.findings.push_back(Finding("entity-email", "email", "pii", Severity::kMedium, 0.3,
                               "pkg!/README.md", -1, "", "dev@example.org"));
  return r;
}

TEST(FindingGroupsTest, FiftyAddressesOfOneColumnAreOneGroup) {
  const PackageReport r = Report();
  const std::vector<FindingGroup> groups = GroupLowPriorityFindings(r);
  ASSERT_EQ(groups.size(), 1u);  // the two README addresses stay apart: fewer than 3
  EXPECT_EQ(groups[0].Title(), "50 email values in pkg!/data/users.csv, column email");
  EXPECT_EQ(groups[0].rule_id, "entity-email");
  EXPECT_EQ(groups[0].members.size(), 50u);
  EXPECT_EQ(groups[0].members.front(), 1u);
  for (size_t m : groups[0].members) EXPECT_EQ(r.findings[m].entity, "email");
  EXPECT_FALSE(Groupable(r.findings[0]));   // a secret
  EXPECT_FALSE(Groupable(r.findings[12]));  // high severity
}

TEST(FindingGroupsTest, TableShowsOneEntryJsonAndSarifKeepEverything) {
  const PackageReport r = Report();
  const std::string table = ReportToTable(r);
  EXPECT_NE(table.find("50 email values in pkg!/data/users.csv, column email"), std::string::npos);
  EXPECT_EQ(table.find("user7@example.org"), std::string::npos);
  EXPECT_NE(table.find("aws-access-key-id"), std::string::npos);
  EXPECT_NE(table.find("entity-credit-card"), std::string::npos);
  EXPECT_NE(table.find("ops@example.org"), std::string::npos);
  // Five entries: the key, the group, the card, two README addresses.
  EXPECT_NE(table.find("\n5    "), std::string::npos) << table;
  EXPECT_EQ(table.find("\n6    "), std::string::npos) << table;

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(ReportToJson(r)).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["findings"].get_array().size(), 54u);
  simdjson::dom::array groups;
  ASSERT_EQ(doc["groups"].get_array().get(groups), simdjson::SUCCESS);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(uint64_t(groups.at(0)["count"]), 50u);
  EXPECT_EQ(groups.at(0)["findings"].get_array().size(), 50u);
  EXPECT_EQ(std::string_view(groups.at(0)["field"]), "column email");

  const std::string sarif = ReportToSarif(r, "test");
  ASSERT_EQ(parser.parse(sarif).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["runs"].at(0)["results"].get_array().size(), 54u);
}

TEST(FindingGroupsTest, JsonKeysGroupAcrossArrayElements) {
  PackageReport r;
  for (int i = 0; i < 4; ++i) {
    AggregatedFinding f = Finding("entity-ipv4", "ipv4", "indicator", Severity::kInfo, 0.1,
                                  "pkg!/hosts.json", -1, "", "10.0.0." + std::to_string(i));
    f.locations[0].json_pointer = "/hosts/" + std::to_string(i) + "/addr";
    r.findings.push_back(f);
  }
  const std::vector<FindingGroup> groups = GroupLowPriorityFindings(r);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].Title(), "4 ipv4 values in pkg!/hosts.json, key /hosts/*/addr");
}

}  // namespace
}  // namespace trawl
