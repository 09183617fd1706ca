// The whole pipeline on the bundled sample package: the planted secrets and indicators
// must be found, at the top of the ranking, at their exact locations.
#include "pipeline/package_analysis.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <tuple>


#include "analyze/component_result_json.h"
#include "classify/plan.h"
#include "engine/compiler.h"
#include "intake/archive_builder.h"
#include "report/report.h"
#include "rules/loader.h"
#include "util/strings.h"

namespace trawl {
namespace {

const std::string kSource = TRAWL_SOURCE_DIR;

std::shared_ptr<const Database> DefaultSecretsDb() {
  RuleSet rules;
  for (const char* file : {"/rules/secrets.json", "/rules/pii.json"}) {
    auto loaded = LoadRuleFile(kSource + file);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    if (loaded.ok()) rules.Merge(*std::move(loaded));
  }
  // A few of the shipped indicator rules (maltrail lines that are not exact values).
  auto indicators = LoadRuleFile(kSource + "/rules/indicators.ndjson.gz");
  EXPECT_TRUE(indicators.ok());
  if (indicators.ok()) {
    indicators->definitions.resize(200);
    rules.Merge(*std::move(indicators));
  }
  auto db = CompileDatabase(rules.definitions, {});
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *db : nullptr;
}

std::string WritePackage(const std::string& name, std::string_view bytes) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

bool AnyReasonContains(const PackageReport& report, std::string_view text) {
  for (const std::string& reason : report.incomplete_reasons) {
    if (reason.find(text) != std::string::npos) return true;
  }
  return false;
}

const AggregatedFinding* FindRule(const PackageReport& report, std::string_view rule) {
  for (const auto& f : report.findings) {
    if (f.rule_id == rule) return &f;
  }
  return nullptr;
}

TEST(PackageAnalysisTest, SamplePackagePlantedFindingsRankFirstWithLocations) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  auto report = AnalyzePackageFile(kSource + "/examples/sample/sample-package.tar.gz", db, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->complete);
  // Every component is accounted for: analysed, or skipped with a reason.
  ASSERT_EQ(report->components.size(), report->manifest.components.size());
  for (const auto& c : report->components) {
    EXPECT_TRUE(c.status == "analysed" || (c.status == "skipped" && !c.reason.empty())) << c.path;
  }
  // The planted secrets are the top-ranked findings.
  const std::set<std::string> planted = {"github-pat-classic", "stripe-secret-key",
                                         "aws-secret-access-key", "postgres-url-password",
                                         "aws-access-key-id", "slack-bot-token",
                                         "npm-access-token", "sendgrid-api-key",
                                         "digitalocean-pat"};
  ASSERT_GE(report->findings.size(), planted.size());
  for (size_t i = 0; i < planted.size(); ++i) {
    EXPECT_TRUE(planted.count(report->findings[i].rule_id)) << report->findings[i].rule_id;
  }
  // The duplicated secret is one finding with both locations.
  const AggregatedFinding* aws_secret = FindRule(*report, "aws-secret-access-key");
  ASSERT_NE(aws_secret, nullptr);
  ASSERT_EQ(aws_secret->locations.size(), 2u);
  EXPECT_EQ(aws_secret->locations[0].path, "sample-package.tar.gz!/billing/config/.env");
  EXPECT_EQ(aws_secret->locations[0].line, 4);
  EXPECT_EQ(aws_secret->locations[1].json_pointer, "/services/1/env/AWS_SECRET_ACCESS_KEY");
  // Nested archive member, exact line and column.
  const AggregatedFinding* stripe = FindRule(*report, "stripe-secret-key");
  ASSERT_NE(stripe, nullptr);
  EXPECT_EQ(stripe->locations[0].path,
            "sample-package.tar.gz!/billing/logs/archive.zip!/2026/old.log");
  EXPECT_EQ(stripe->locations[0].line, 1);
  EXPECT_EQ(stripe->locations[0].column, 51);
  // Encoding does not hide a secret: an escaped JSON string and a base64 blob are scanned
  // decoded, and reported at the encoded bytes.
  const AggregatedFinding* npm = FindRule(*report, "npm-access-token");
  ASSERT_NE(npm, nullptr);
  EXPECT_EQ(npm->locations[0].decoded_from, "json-string");
  EXPECT_EQ(npm->locations[0].json_pointer, "/publish_token");
  EXPECT_EQ(npm->locations[0].end - npm->locations[0].start, npm->value.size() + 5);  // \u006e
  const AggregatedFinding* sendgrid = FindRule(*report, "sendgrid-api-key");
  ASSERT_NE(sendgrid, nullptr);
  EXPECT_EQ(sendgrid->locations[0].decoded_from, "base64");
  EXPECT_EQ(sendgrid->locations[0].path, "sample-package.tar.gz!/billing/logs/app.log");
  EXPECT_EQ(sendgrid->locations[0].line, 10);
  // UTF-16 text is transcoded for scanning; the span is in the original UTF-16 bytes.
  const AggregatedFinding* digitalocean = FindRule(*report, "digitalocean-pat");
  ASSERT_NE(digitalocean, nullptr);
  const FindingLocation& utf16 = digitalocean->locations[0];
  EXPECT_EQ(utf16.path, "sample-package.tar.gz!/billing/logs/service-utf16.log");
  EXPECT_EQ(utf16.decoded_from, "utf-16le");
  EXPECT_EQ(utf16.end - utf16.start, 2 * digitalocean->value.size());
  EXPECT_EQ(utf16.start % 2, 0u);
  EXPECT_EQ(utf16.line, 2);
  // A CSV with a quoted multi-line field still gets row and column locations.
  bool card_in_csv = false;
  for (const auto& f : report->findings) {
    if (f.rule_id == "entity-credit-card" && f.locations[0].csv_column == "card" &&
        f.locations[0].csv_row == 1) {
      card_in_csv = true;
    }
  }
  EXPECT_TRUE(card_in_csv);
  // Fingerprints never contain the value.
  for (const auto& f : report->findings) {
    if (!f.value.empty()) {
      EXPECT_EQ(f.fingerprint.find(f.value), std::string::npos);
    }
  }
}

TEST(PackageAnalysisTest, ReportIsDeterministicAcrossThreadCounts) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  const std::string path = kSource + "/examples/sample/sample-package.tar.gz";
  PackageOptions one;
  one.threads = 1;
  PackageOptions two;
  two.threads = 2;
  auto a = AnalyzePackageFile(path, db, one);
  auto b = AnalyzePackageFile(path, db, two);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(ReportToJson(*a), ReportToJson(*b));
  EXPECT_NE(ReportToTable(*a).find("github-pat-classic"), std::string::npos);
}

TEST(PackageAnalysisTest, MissingPackageIsAnError) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  EXPECT_FALSE(AnalyzePackageFile("/nonexistent/package.tar.gz", db, {}).ok());
}

TEST(PackageAnalysisTest, SecretInAZipCarvedOutOfABinaryIsFoundAtTheCarvedPath) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  const std::string token = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";
  // Deflated inside the zip, the token is not in the blob's own bytes: only carving
  // the zip out of the blob can find it.
  const std::string zip = testing::BuildArchive(
      {{.name = "inner.txt",
        .data = "deploy notes\nGITHUB_TOKEN=" + token + "\n" + std::string(2000, '=') + "\n"}},
      {.format = "zip"});
  ASSERT_EQ(zip.find(token), std::string::npos);
  std::string blob(4096, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i % 251);
  blob += zip;
  const std::string tar =
      testing::BuildArchive({{.name = "bin/blob.bin", .data = blob}}, {.format = "ustar"});
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "pkg.tar").string();
  {
    std::ofstream out(path, std::ios::binary);
    out.write(tar.data(), static_cast<std::streamsize>(tar.size()));
  }
  auto report = AnalyzePackageFile(path, db, {});
  ASSERT_TRUE(report.ok()) << report.status();
  const AggregatedFinding* github = FindRule(*report, "github-pat-classic");
  ASSERT_NE(github, nullptr);
  EXPECT_EQ(github->value, token);
  ASSERT_EQ(github->locations.size(), 1u);
  EXPECT_EQ(github->locations[0].path, "pkg.tar!/bin/blob.bin!@4096.zip!/inner.txt");
  EXPECT_EQ(github->locations[0].line, 2);
}


// gzip x100 and a zip nested 100 deep: the layer at max_depth is analysed as raw bytes,
// and the report must not call that complete.
TEST(PackageAnalysisTest, NestingBeyondTheDepthLimitMakesTheReportIncomplete) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  std::string gz = "aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n";
  std::string zip = gz;
  for (int i = 0; i < 100; ++i) {
    gz = testing::BuildArchive({{.name = "x", .data = gz}}, {.format = "raw", .filters = {"gzip"}});
    zip = testing::BuildArchive({{.name = "inner.zip", .data = zip}}, {.format = "zip"});
  }
  // libarchive peels at most 25 compression filters in one container: past that the root
  // does not open and is analysed raw, which must not read as complete either.
  for (const auto& [name, bytes, reason] :
       {std::tuple<std::string, std::string, std::string>{
            "deep.gz", gz, "deep.gz: corrupt: looks like application/gzip but cannot be opened"},
        std::tuple<std::string, std::string, std::string>{"deep.zip", zip, "max_depth is 8"}}) {
    auto report = AnalyzePackageFile(WritePackage(name, bytes), db, {});
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_FALSE(report->complete) << name;
    EXPECT_TRUE(AnyReasonContains(*report, reason)) << name;
  }
}

// A tar.gz cut in the middle: the entries after the cut were never listed.
TEST(PackageAnalysisTest, TruncatedArchiveMakesTheReportIncomplete) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  std::string noise;
  std::mt19937 rng(11);
  for (int i = 0; i < 200000; ++i) noise.push_back("0123456789abcdef"[rng() % 16]);
  const std::string tgz = testing::TarGz({{.name = "first.txt", .data = "first\n"},
                                          {.name = "big.log", .data = noise},
                                          {.name = "last.txt", .data = "last\n"}});
  auto report = AnalyzePackageFile(WritePackage("cut.tgz", tgz.substr(0, tgz.size() / 2)), db, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->complete);
  EXPECT_TRUE(AnyReasonContains(*report, "cut.tgz: truncated: listing failed"))
      << StrJoin(report->incomplete_reasons, "\n");
}

// One skip policy: what the plan says to analyse is exactly what aggregation waits for.
TEST(PackageAnalysisTest, PlansAndAggregationAgreeOnWhatNeedsAnalysis) {
  const std::string nested = testing::TarGz({{.name = "deep.txt", .data = "deep\n"}});
  const std::string zip = testing::BuildArchive(
      {{.name = "locked.txt", .data = "locked\n"}},
      {.format = "zip", .options = "zip:encryption=zipcrypt", .passphrase = "pw"});
  const std::string tar = testing::BuildArchive(
      {{.name = "empty.txt", .data = ""},
       {.name = "a.txt", .data = "alpha\n"},
       {.name = "copy.txt", .data = "alpha\n"},
       {.name = "dir", .type = AE_IFDIR},
       {.name = "link", .type = AE_IFLNK, .link = "/etc"},
       {.name = "nested.tgz", .data = nested},
       {.name = "locked.zip", .data = zip}},
      {.format = "ustar"});
  PackageOptions options;
  options.limits.max_depth = 1;
  auto decompose = PackageDecomposeOptions(WritePackage("mixed.tar", tar), options);
  ASSERT_TRUE(decompose.ok()) << decompose.status();
  std::map<std::string, bool> planned;
  auto manifest = DecomposeFile(WritePackage("mixed.tar", tar), *decompose,
                                [&](const Component& c, std::string_view content) {
                                  planned[c.id] = PlanComponent(c, content, {}).analyze;
                                  return absl::OkStatus();
                                });
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  std::set<std::string> needed;
  for (const Component* c : ComponentsToAnalyze(*manifest)) needed.insert(c->id);
  ASSERT_EQ(planned.size(), manifest->components.size());
  for (const Component& c : manifest->components) {
    EXPECT_EQ(planned[c.id], needed.count(c.id) == 1) << c.path;
  }
}

// A FIFO as the package: deriving the package id must refuse it, not wait for a writer.
// If it blocks, a writer opened from here after 5 s releases it and the test fails.
TEST(PackageAnalysisTest, FifoPackageIsRefusedWithoutBlocking) {
  const std::string fifo = (std::filesystem::path(::testing::TempDir()) / "package.fifo").string();
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return PackageDecomposeOptions(fifo, {}); });
  if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    ADD_FAILURE() << "opening the FIFO blocked";
    result.wait();
    if (writer >= 0) ::close(writer);
    return;
  }
  absl::StatusOr<DecomposeOptions> options = result.get();
  EXPECT_FALSE(options.ok());
  EXPECT_NE(std::string(options.status().message()).find("not a regular file"), std::string::npos);
}

// Issue 14 #1 end to end: a gzipped log that starts with 512 zero bytes was taken for an
// empty tar; its secret must be found, in every compression.
TEST(PackageAnalysisTest, CompressedLogStartingWithZeroBlocksIsAnalysed) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  const std::string log = std::string(512, '\0') + "aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n";
  for (const auto& [filter, extension] : std::map<std::string, std::string>{
           {"gzip", "gz"}, {"xz", "xz"}, {"bzip2", "bz2"}, {"zstd", "zst"}}) {
    const std::string packed =
        testing::BuildArchive({{.name = "x", .data = log}}, {.format = "raw", .filters = {filter}});
    auto report = AnalyzePackageFile(WritePackage("z.log." + extension, packed), db, {});
    ASSERT_TRUE(report.ok()) << report.status();
    const AggregatedFinding* key = FindRule(*report, "aws-access-key-id");
    ASSERT_NE(key, nullptr) << filter;
    EXPECT_EQ(key->locations[0].path, "z.log." + extension + "!/z.log") << filter;
    EXPECT_TRUE(report->complete) << filter;
  }
}

}  // namespace
}  // namespace trawl
