// The whole pipeline on the bundled sample package: the planted secrets and indicators
// must be found, at the top of the ranking, at their exact locations.
#include "pipeline/package_analysis.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <iterator>
#include <fstream>
#include <map>
#include <random>
#include <functional>
#include <mutex>
#include <new>
#include <numeric>
#include <set>
#include <thread>
#include <tuple>


#include "analyze/component_analyzer.h"
#include "analyze/component_result_json.h"
#include "classify/plan.h"
#include "complexity.h"
#include "pinned_to_one_cpu.h"
#include "engine/compiler.h"
#include "intake/archive_builder.h"
#include "intake/manifest_json.h"
#include "pipeline/analysis_pipeline.h"
#include "report/report.h"
#include "rules/loader.h"
#include "util/digest.h"
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
  one.threads = 1;  // intake alone
  auto a = AnalyzePackageFile(path, db, one);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_NE(ReportToTable(*a).find("github-pat-classic"), std::string::npos);
  for (int threads : {2, 3}) {  // intake and one worker, intake and two
    PackageOptions more;
    more.threads = threads;
    auto b = AnalyzePackageFile(path, db, more);
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(ReportToJson(*a), ReportToJson(*b)) << threads;
  }
}

// The package id of a file or in-memory package is its digest, so intake is handed that
// digest instead of reading the input again: the manifest must be the one intake makes
// hashing the input itself.
TEST(PackageAnalysisTest, IntakeTakesTheInputDigestFromThePackageId) {
  const std::string path = kSource + "/examples/sample/sample-package.tar.gz";
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  const std::string digest = ToHex(Sha256Of(bytes));
  const auto ignore = [](const Component&, std::string_view) { return absl::OkStatus(); };
  for (const PackageInput& input : {PackageInput::File(path), PackageInput::Memory(bytes)}) {
    auto options = PackageDecomposeOptions(input, {});
    ASSERT_TRUE(options.ok()) << options.status();
    EXPECT_EQ(options->package_id, digest);
    EXPECT_EQ(options->input_sha256, digest);
    auto handed = DecomposeInput(input, *options, ignore);
    DecomposeOptions self_hashed = *options;
    self_hashed.input_sha256.clear();
    auto hashed = DecomposeInput(input, self_hashed, ignore);
    ASSERT_TRUE(handed.ok() && hashed.ok());
    EXPECT_EQ(handed->input_sha256, digest);
    EXPECT_EQ(ManifestToJson(*handed), ManifestToJson(*hashed));
  }
}

// A package file is hashed for its id while intake reads it (issue 22: one read of the
// input), so the workers analyse components under provisional ids: the report must be
// the one a package id given up front makes, byte for byte, on 1 to 3 threads, with a
// package holding a secret in a zip carved out of a binary (the carved id derives from
// its file's) and the same zip twice (a duplicate names the first).
TEST(PackageAnalysisTest, PackageIdTakenWhileReadingGivesTheReportOfAGivenId) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  const std::string token = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";
  const std::string zip = testing::BuildArchive(
      {{.name = "inner.txt", .data = "GITHUB_TOKEN=" + token + "\n" + std::string(2000, '=')}},
      {.format = "zip"});
  std::string blob(4096, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i % 251);
  blob += zip;
  const std::string tar = testing::BuildArchive({{.name = "bin/blob.bin", .data = blob},
                                                 {.name = "a/copy.zip", .data = zip},
                                                 {.name = "b/copy.zip", .data = zip}},
                                                {.format = "ustar"});
  const std::string carved = (std::filesystem::path(::testing::TempDir()) / "ids.tar").string();
  {
    std::ofstream out(carved, std::ios::binary);
    out.write(tar.data(), static_cast<std::streamsize>(tar.size()));
  }
  for (const std::string& path : {kSource + "/examples/sample/sample-package.tar.gz", carved}) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (int threads : {1, 2, 3}) {
      PackageOptions taken;
      taken.threads = threads;
      PackageOptions given = taken;
      given.package_id = ToHex(Sha256Of(bytes));
      auto a = AnalyzePackageFile(path, db, taken);
      auto b = AnalyzePackageFile(path, db, given);
      ASSERT_TRUE(a.ok() && b.ok()) << path;
      EXPECT_EQ(ReportToJson(*a), ReportToJson(*b)) << path << " on " << threads;
      EXPECT_EQ(a->manifest.package_id, given.package_id);
      EXPECT_FALSE(a->findings.empty()) << path;
    }
  }
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
  const std::string path = WritePackage("mixed.tar", tar);
  auto decompose = PackageDecomposeOptions(PackageInput::File(path), options);
  ASSERT_TRUE(decompose.ok()) << decompose.status();
  std::map<std::string, bool> planned;
  auto manifest = DecomposeFile(path, *decompose,
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
  auto result = std::async(std::launch::async,
                           [&] { return PackageDecomposeOptions(PackageInput::File(fifo), {}); });
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

// A tar.gz of `count` log files of `bytes` each, each with a planted token, written
// entry by entry (the test's own memory stays small: its peak must not hide the
// pipeline's).
std::string WriteLogPackage(const std::string& name, int count, size_t bytes) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / name).string();
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_gzip(a);
  archive_write_set_options(a, "gzip:compression-level=1");
  EXPECT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  std::string line;
  for (int file = 0; file < count; ++file) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, ("logs/app" + std::to_string(file) + ".log").c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(bytes));
    archive_write_header(a, entry);
    archive_entry_free(entry);
    size_t written = 0;
    for (size_t n = 0; written < bytes; ++n) {
      line = "2026-01-01T00:00:00Z INFO file " + std::to_string(file) + " request " +
             std::to_string(n) + " user=u" +
             std::to_string(n % 977) + (n == 7 ? " token=ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn" : "") +
             "\n";
      line.resize(std::min(line.size(), bytes - written));
      archive_write_data(a, line.data(), line.size());
      written += line.size();
    }
  }
  archive_write_close(a);
  archive_write_free(a);
  return path;
}

std::shared_ptr<const Database> TokenDb() {
  Definition def;
  def.id = "github-pat-classic";
  def.kind = PatternKind::kRegex;
  def.expression = "ghp_[A-Za-z0-9]{36}";
  def.category = "secret";
  def.chains = {"default"};
  auto db = CompileDatabase({def}, {});
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *db : nullptr;
}

// An entry cut short before its first byte has partial (empty) content and no digest in
// the manifest: the stages analyse it as the one call does, instead of refusing the
// empty content as a mismatch forever. (Found by the soak test's truncated package.)
TEST(PackageAnalysisTest, StageAnalysesAnEntryCutBeforeItsFirstByte) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string tar = testing::BuildArchive(
      {{.name = "a.log", .data = std::string(4000, 'x')}}, {.format = "ustar"});
  const std::string cut = tar.substr(0, 512 + 100);  // the header, then end of input
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "cut.tar").string();
  {
    std::ofstream out(path, std::ios::binary);
    out.write(cut.data(), static_cast<std::streamsize>(cut.size()));
  }
  auto decompose = PackageDecomposeOptions(PackageInput::File(path), {});
  ASSERT_TRUE(decompose.ok());
  auto collected = CollectFile(path, *decompose);
  ASSERT_TRUE(collected.ok()) << collected.status();
  const std::vector<const Component*> work = ComponentsToAnalyze(collected->manifest);
  ASSERT_EQ(work.size(), 1u);
  auto result = AnalyzeManifestComponent(collected->manifest, work[0]->id,
                                         collected->content[work[0]->id], db, {});
  ASSERT_TRUE(result.ok()) << result.status() << " sha256 \"" << work[0]->sha256 << "\"";
  EXPECT_EQ(result->status, "analysed");
}

// Short components held in a batch: their content lives inside the held string itself
// (small-string storage), so a view of it taken before the batch grew pointed at freed
// memory and tiny text files were classified from garbage.
TEST(PackageAnalysisTest, ShortComponentsHeldInABatchKeepTheirContent) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  // Text and binary in turn, so content read from another component's storage shows.
  std::vector<testing::TestEntry> entries;
  for (int i = 0; i < 60; ++i) {
    const bool text = i % 2 == 0;
    entries.push_back({.name = (text ? "note" : "blob") + std::to_string(i),
                       .data = text ? "hello " + std::to_string(i) + "\n"
                                    : std::string("\x7f\x01\x02\x00\x9c\xff\x00\x10", 8) +
                                          std::to_string(i)});
  }
  const std::string path =
      WritePackage("short.tar", testing::BuildArchive(entries, {.format = "ustar"}));
  for (int threads : {1, 2}) {
    PackageOptions options;
    options.threads = threads;
    auto report = AnalyzePackageFile(path, db, options);
    ASSERT_TRUE(report.ok()) << report.status();
    size_t checked = 0;
    for (const ComponentResult& c : report->components) {
      if (c.path.find("!/note") != std::string::npos) {
        EXPECT_EQ(c.format, "text") << c.path;
        ++checked;
      } else if (c.path.find("!/blob") != std::string::npos) {
        EXPECT_EQ(c.format, "binary") << c.path;
        ++checked;
      }
    }
    EXPECT_EQ(checked, 60u);
  }
}

// Analysing beside intake under a bound gives the report analysing everything at once
// gives, whatever the bound (one byte: every component alone; smaller than one
// component, a few, the default) and however many workers.
TEST(PackageAnalysisTest, InflightBoundDoesNotChangeTheReport) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  const std::string path = WriteLogPackage("batches.tar.gz", 7, 100 << 10);
  PackageOptions all;
  all.max_inflight_bytes = 0;
  all.threads = 1;
  auto want = AnalyzePackageFile(path, db, all);
  ASSERT_TRUE(want.ok()) << want.status();
  EXPECT_TRUE(want->complete);
  ASSERT_NE(FindRule(*want, "github-pat-classic"), nullptr);
  EXPECT_EQ(FindRule(*want, "github-pat-classic")->locations.size(), 7u);
  for (uint64_t bound : {uint64_t{0}, uint64_t{1}, uint64_t{150} << 10, uint64_t{200} << 10,
                         uint64_t{350} << 10, PackageOptions().max_inflight_bytes}) {
    for (int threads : {1, 2, 4}) {
      PackageOptions options;
      options.max_inflight_bytes = bound;
      options.threads = threads;
      auto got = AnalyzePackageFile(path, db, options);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(ReportToJson(*got), ReportToJson(*want)) << bound << " " << threads;
    }
  }
}

// Components of a package as intake hands them over, with their content.
struct Handed {
  Manifest manifest;
  std::vector<const Component*> work;  // the ones that need analysis, in intake order
  std::map<std::string, std::string> content;
};

Handed HandOver(const std::string& path) {
  Handed out;
  auto decompose = PackageDecomposeOptions(PackageInput::File(path), {});
  EXPECT_TRUE(decompose.ok());
  auto collected = CollectFile(path, *decompose);
  EXPECT_TRUE(collected.ok()) << collected.status();
  out.manifest = std::move(collected->manifest);
  out.content = std::move(collected->content);
  out.work = ComponentsToAnalyze(out.manifest);
  return out;
}

// The direct analysis (PlanAndAnalyze) of the first `count` components handed over, as
// result JSON by id: what the pipeline must deliver for each.
std::map<std::string, std::string> DirectResults(const std::shared_ptr<const Database>& db,
                                                 Handed& handed, size_t count) {
  std::map<std::string, std::string> want;
  auto analyzer = ComponentAnalyzer::Create(db);
  if (!analyzer.ok()) {
    ADD_FAILURE() << analyzer.status();
    return want;
  }
  for (size_t i = 0; i < count && i < handed.work.size(); ++i) {
    const Component& c = *handed.work[i];
    auto result = (*analyzer)->PlanAndAnalyze(c, handed.content[c.id], {}, {});
    if (!result.ok()) {
      ADD_FAILURE() << c.path << ": " << result.status();
      continue;
    }
    want[c.id] = ComponentResultToJson(*result);
  }
  return want;
}

// Analysis starts as soon as intake hands a component over, not when intake ends or a
// batch fills: the first component's result arrives before the second is handed over.
// (Before the pipeline, components waited until the bound was reached or intake ended.)
TEST(PackageAnalysisTest, AnalysisStartsBeforeIntakeHandsOverTheNextComponent) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  Handed handed = HandOver(WriteLogPackage("overlap.tar.gz", 3, 16 << 10));
  ASSERT_EQ(handed.work.size(), 3u);
  std::mutex mutex;
  std::condition_variable analysed;
  size_t done_count = 0;
  AnalysisPipelineOptions options;
  options.workers = 2;
  options.max_inflight_bytes = PackageOptions().max_inflight_bytes;
  options.progress = [&](size_t done, size_t) {
    std::lock_guard lock(mutex);
    done_count = std::max(done_count, done);
    analysed.notify_all();
  };
  AnalysisPipeline pipeline(db, {}, {}, options);
  for (size_t i = 0; i < handed.work.size(); ++i) {
    const Component& c = *handed.work[i];
    ASSERT_TRUE(pipeline.Add(c, handed.content[c.id]).ok());
    std::unique_lock lock(mutex);
    // Generous: a loaded machine delays the worker, it does not stop it.
    ASSERT_TRUE(analysed.wait_for(lock, std::chrono::seconds(30),
                                  [&] { return done_count == i + 1; }))
        << "component " << i << " was not analysed while intake waited";
  }
  auto results = pipeline.Finish();
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->size(), 3u);
}

// Back-pressure: intake waits while the next component would pass the bound beside the
// one being analysed, and goes on once that one is done; held content never passes the
// bound, and a component larger than the whole bound is analysed too.
TEST(PackageAnalysisTest, IntakeWaitsWhileTheNextComponentWouldPassTheBound) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  // Two 40 KiB logs, then one larger than the bound.
  std::vector<testing::TestEntry> entries = {
      {.name = "a.log", .data = std::string(40 << 10, 'a')},
      {.name = "b.log", .data = std::string(40 << 10, 'b')},
      {.name = "big.log", .data = std::string(100 << 10, 'c') + "\ntoken=ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn\n"}};
  Handed handed = HandOver(
      WritePackage("pressure.tar", testing::BuildArchive(entries, {.format = "ustar"})));
  ASSERT_EQ(handed.work.size(), 3u);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  AnalysisPipelineOptions options;
  options.workers = 2;
  options.max_inflight_bytes = 64 << 10;  // room for one 40 KiB log, not two
  options.progress = [released](size_t done, size_t) {
    if (done == 1) released.wait();  // the first component stays in flight until released
  };
  AnalysisPipeline pipeline(db, {}, {}, options);
  const Component& a = *handed.work[0];
  const Component& b = *handed.work[1];
  const Component& big = *handed.work[2];
  ASSERT_TRUE(pipeline.Add(a, handed.content[a.id]).ok());
  auto second = std::async(std::launch::async, [&] {
    return pipeline.Add(b, handed.content[b.id]);
  });
  // A pipeline without back-pressure returns at once; with it, this waits the full time.
  EXPECT_EQ(second.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  release.set_value();
  ASSERT_TRUE(second.get().ok());
  ASSERT_TRUE(pipeline.Add(big, handed.content[big.id]).ok());
  auto results = pipeline.Finish();
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_LE(pipeline.peak_held_bytes(), options.max_inflight_bytes);
  EXPECT_EQ(results->at(big.id).status, "analysed");
  EXPECT_EQ(results->at(big.id).findings.size(), 1u);
}

// Without a memory bound, intake still reads only lookahead_bytes_per_worker ahead of the
// workers, so the buffers they give back are read into again instead of fresh memory.
// Where it would read further, it analyses queued components itself (here, with the
// worker held on its first one, every other component): it does not stop, and what it
// holds never passes the worker's component and the lookahead.
TEST(PackageAnalysisTest, IntakeStaysWithinTheLookaheadOfTheWorkers) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  constexpr uint64_t kLogBytes = 40 << 10;
  Handed handed = HandOver(WriteLogPackage("lookahead.tar.gz", 5, kLogBytes));
  ASSERT_EQ(handed.work.size(), 5u);
  const std::map<std::string, std::string> want = DirectResults(db, handed, handed.work.size());
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  AnalysisPipelineOptions options;
  options.workers = 1;
  options.max_inflight_bytes = 0;
  options.lookahead_bytes_per_worker = 100 << 10;  // two queued 40 KiB logs, not three
  std::promise<void> first_done;
  options.progress = [&first_done, released](size_t done, size_t) {
    if (done != 1) return;
    first_done.set_value();
    released.wait();  // the first component stays in flight until released
  };
  AnalysisPipeline pipeline(db, {}, {}, options);
  const std::vector<const Component*>& work = handed.work;
  ASSERT_TRUE(pipeline.Add(*work[0], handed.content[work[0]->id]).ok());
  first_done.get_future().wait();  // the worker holds it: the queue is empty
  auto rest = std::async(std::launch::async, [&] {
    for (size_t i = 1; i < work.size(); ++i) {
      if (absl::Status added = pipeline.Add(*work[i], handed.content[work[i]->id]); !added.ok()) {
        return added;
      }
    }
    return absl::OkStatus();
  });
  // Generous: a loaded machine delays intake, it does not stop it.
  const bool intake_went_on = rest.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  EXPECT_TRUE(intake_went_on) << "intake waited for the held worker";
  release.set_value();
  ASSERT_TRUE(rest.get().ok());
  auto results = pipeline.Finish();
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_LE(pipeline.peak_held_bytes(), kLogBytes + options.lookahead_bytes_per_worker);
  EXPECT_GE(pipeline.analyzed_while_waiting(), 1u);
  ASSERT_EQ(results->size(), 5u);
  for (const auto& [id, result] : *results) {
    EXPECT_EQ(ComponentResultToJson(result), want.at(id)) << result.path;
  }
}

// With no worker (one analysis thread), intake analyses each component in Add, on its
// own thread, before it reads the next; the results are the direct analysis'.
TEST(PackageAnalysisTest, WithoutWorkersIntakeAnalysesEachComponentAsItIsHandedOver) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  Handed handed = HandOver(WriteLogPackage("serial.tar.gz", 3, 16 << 10));
  ASSERT_EQ(handed.work.size(), 3u);
  const std::map<std::string, std::string> want = DirectResults(db, handed, handed.work.size());
  std::set<std::thread::id> progress_threads;
  size_t most_done = 0;
  AnalysisPipelineOptions options;
  options.workers = 0;
  options.progress = [&](size_t done, size_t) {
    progress_threads.insert(std::this_thread::get_id());
    most_done = std::max(most_done, done);
  };
  AnalysisPipeline pipeline(db, {}, {}, options);
  for (size_t i = 0; i < handed.work.size(); ++i) {
    const Component& c = *handed.work[i];
    ASSERT_TRUE(pipeline.Add(c, handed.content[c.id]).ok());
    EXPECT_EQ(most_done, i + 1) << "component " << i << " was not analysed in Add";
  }
  auto results = pipeline.Finish();
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(progress_threads, std::set<std::thread::id>{std::this_thread::get_id()});
  EXPECT_EQ(pipeline.peak_held_bytes(), 0u);  // nothing copied into a queue
  ASSERT_EQ(results->size(), 3u);
  for (const auto& [id, result] : *results) {
    EXPECT_EQ(ComponentResultToJson(result), want.at(id)) << result.path;
  }
}

// While intake waits for a worker that is behind, it makes the classify pass of the
// queued components (the last queued first), and the worker analyses from it: the results
// are those of the worker's own pass, for logs, a JSON document with an escaped token,
// a CSV and a base64 layer.
// One worker that stays behind after its first component until `release` is set; the
// highest count of components done it has reported is `most_done`.
struct WorkerHeldBehind {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> first_done;
  std::atomic<size_t> most_done{0};

  AnalysisPipelineOptions Options() {
    AnalysisPipelineOptions options;
    options.workers = 1;
    options.progress = [this, released = released](size_t done, size_t) {
      most_done = std::max(most_done.load(), done);
      if (done != 1) return;
      first_done.set_value();
      released.wait();
    };
    return options;
  }
};

TEST(PackageAnalysisTest, IntakePreparesQueuedComponentsWhileItWaits) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string token = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";
  const std::string filler(40 << 10, '.');
  std::vector<testing::TestEntry> entries = {
      {.name = "a.log", .data = StrCat(filler, "\ntoken=", token, "\n")},
      {.name = "b.json", .data = StrCat(R"({"pad":")", filler, R"(","t":"\u0067)", token.substr(1), "\"}")},
      {.name = "c.csv", .data = StrCat("k,v\npad,", filler, "\nt,", token, "\n")},
      {.name = "d.log", .data = StrCat(filler, "\nblob=Z2hwX3BFZTFDeEk2SnViemx1QkpXNkU2OElQTlduUVlnNHppMlNYbg==\n")},
      {.name = "e.log", .data = StrCat(filler, "\n")}};
  Handed handed = HandOver(WritePackage("prepare.tar", testing::BuildArchive(entries, {.format = "ustar"})));
  ASSERT_EQ(handed.work.size(), entries.size());
  std::map<std::string, std::string> want = DirectResults(db, handed, handed.work.size());

  WorkerHeldBehind held;
  AnalysisPipelineOptions options = held.Options();
  options.max_inflight_bytes = 0;
  options.lookahead_bytes_per_worker = 100 << 10;  // two queued components, not three
  AnalysisPipeline pipeline(db, {}, {}, options);
  const std::vector<const Component*>& work = handed.work;
  ASSERT_TRUE(pipeline.Add(*work[0], handed.content[work[0]->id]).ok());
  held.first_done.get_future().wait();
  ASSERT_TRUE(pipeline.Add(*work[1], handed.content[work[1]->id]).ok());
  ASSERT_TRUE(pipeline.Add(*work[2], handed.content[work[2]->id]).ok());
  auto fourth = std::async(std::launch::async, [&] {
    return pipeline.Add(*work[3], handed.content[work[3]->id]);
  });
  // Generous: a loaded machine delays intake, it does not stop it.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (pipeline.prepared_components() < 2 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(pipeline.prepared_components(), 2u) << "intake waited without preparing both";
  held.release.set_value();
  ASSERT_TRUE(fourth.get().ok());
  ASSERT_TRUE(pipeline.Add(*work[4], handed.content[work[4]->id]).ok());
  auto results = pipeline.Finish();
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), entries.size());
  size_t with_findings = 0;
  for (const auto& [id, result] : *results) {
    EXPECT_EQ(ComponentResultToJson(result), want[id]) << result.path;
    with_findings += !result.findings.empty();
  }
  EXPECT_EQ(with_findings, 4u);  // the token raw, escaped, in a cell and base64-encoded
}

// With nothing left to read, intake analyses what is queued itself: Finish does not wait
// for a worker that is behind (here held on its first component) to reach the queue.
TEST(PackageAnalysisTest, FinishAnalysesQueuedComponentsOnIntakesThread) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string token = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";
  std::vector<testing::TestEntry> entries = {
      {.name = "a.log", .data = "first\n"},
      {.name = "b.log", .data = StrCat("token=", token, "\n")},
      {.name = "c.json", .data = StrCat(R"({"t":"\u0067)", token.substr(1), "\"}")},
      {.name = "d.csv", .data = StrCat("k,v\nt,", token, "\n")}};
  Handed handed = HandOver(WritePackage("finish.tar",
                                        testing::BuildArchive(entries, {.format = "ustar"})));
  ASSERT_EQ(handed.work.size(), entries.size());
  const std::vector<const Component*>& work = handed.work;
  std::map<std::string, std::string> want = DirectResults(db, handed, work.size());

  WorkerHeldBehind held;
  AnalysisPipeline pipeline(db, {}, {}, held.Options());
  ASSERT_TRUE(pipeline.Add(*work[0], handed.content[work[0]->id]).ok());
  held.first_done.get_future().wait();
  for (size_t i = 1; i < work.size(); ++i) {
    ASSERT_TRUE(pipeline.Add(*work[i], handed.content[work[i]->id]).ok());
  }
  auto finished = std::async(std::launch::async, [&pipeline] { return pipeline.Finish(); });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (held.most_done < work.size() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(held.most_done, work.size()) << "Finish left the queue to the held worker";
  held.release.set_value();
  auto results = finished.get();
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), work.size());
  for (const auto& [id, result] : *results) {
    EXPECT_EQ(ComponentResultToJson(result), want[id]) << result.path;
  }
}

// A classify pass intake makes while it waits can fail (std::bad_alloc, as a worker's
// analysis can): the waiting Add rethrows it to intake's caller, and the component it was
// preparing goes back to the workers unprepared. No worker is left waiting for it: Finish
// returns every queued component's result, as the direct analysis makes it.
TEST(PackageAnalysisTest, IntakeClassifyPassThatThrowsLeavesTheComponentToTheWorkers) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string token = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";
  const std::string filler(40 << 10, '.');
  std::vector<testing::TestEntry> entries = {
      {.name = "a.log", .data = StrCat(filler, "\n")},
      {.name = "b.log", .data = StrCat(filler, "\ntoken=", token, "\n")},
      {.name = "c.json", .data = StrCat(R"({"pad":")", filler, R"(","t":")", token, "\"}")},
      {.name = "d.log", .data = StrCat(filler, "\nlast\n")}};  // not a duplicate of a.log
  Handed handed = HandOver(WritePackage("prepare-throws.tar",
                                        testing::BuildArchive(entries, {.format = "ustar"})));
  ASSERT_EQ(handed.work.size(), entries.size());
  const std::vector<const Component*>& work = handed.work;
  std::map<std::string, std::string> want = DirectResults(db, handed, 3);

  WorkerHeldBehind held;
  AnalysisPipelineOptions options = held.Options();
  options.lookahead_bytes_per_worker = 100 << 10;  // two queued components, not three
  AnalysisPipeline pipeline(db, {}, {}, options);
  std::vector<std::string> prepared_first;
  pipeline.SetBeforePrepareForTesting([&prepared_first](const Component& c) {
    prepared_first.push_back(c.path);
    if (prepared_first.size() == 1) throw std::bad_alloc();
  });
  ASSERT_TRUE(pipeline.Add(*work[0], handed.content[work[0]->id]).ok());
  held.first_done.get_future().wait();
  ASSERT_TRUE(pipeline.Add(*work[1], handed.content[work[1]->id]).ok());
  ASSERT_TRUE(pipeline.Add(*work[2], handed.content[work[2]->id]).ok());
  // The fourth would pass the lookahead: intake prepares the last queued, which throws.
  EXPECT_THROW((void)pipeline.Add(*work[3], handed.content[work[3]->id]), std::bad_alloc);
  ASSERT_EQ(prepared_first.size(), 1u);
  EXPECT_EQ(prepared_first[0], work[2]->path);
  EXPECT_EQ(pipeline.prepared_components(), 0u);
  held.release.set_value();
  // Before Finish (which closes the queue, and a closed queue is drained whatever it
  // holds): the worker takes both queued components.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (held.most_done < 3 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(held.most_done, 3u) << "the worker waits for the component whose classify pass failed";
  auto results = pipeline.Finish();
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 3u);
  for (const auto& [id, result] : *results) {
    EXPECT_EQ(ComponentResultToJson(result), want[id]) << result.path;
  }
  EXPECT_EQ(results->at(work[2]->id).findings.size(), 1u);  // analysed, not dropped
}

// Intake's own analysis can fail (std::bad_alloc) where it analyses queued components: in
// Add, rather than wait for the workers, and in Finish. The exception reaches intake's
// caller (the C API turns it into TRAWL_E_NOMEM), and the pipeline is still destroyed
// cleanly: the held worker finishes and is joined, nothing waits for the component that
// failed. (Progress is reported from inside the analysis' recording, on the analysing
// thread: the failure is injected there, on intake's thread only.)
TEST(PackageAnalysisTest, IntakesOwnAnalysisThatThrowsReachesItsCaller) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  Handed handed = HandOver(WriteLogPackage("intake-throws.tar.gz", 4, 40 << 10));
  ASSERT_EQ(handed.work.size(), 4u);
  const std::vector<const Component*>& work = handed.work;
  for (const bool in_finish : {false, true}) {
    WorkerHeldBehind held;
    AnalysisPipelineOptions options = held.Options();
    options.max_inflight_bytes = 0;
    // In Add: two queued components, not three, so the fourth Add makes intake analyse.
    if (!in_finish) options.lookahead_bytes_per_worker = 100 << 10;
    const std::thread::id intake = std::this_thread::get_id();
    options.progress = [worker_progress = options.progress, intake](size_t done, size_t total) {
      if (std::this_thread::get_id() == intake) throw std::bad_alloc();
      worker_progress(done, total);
    };
    {
      AnalysisPipeline pipeline(db, {}, {}, options);
      ASSERT_TRUE(pipeline.Add(*work[0], handed.content[work[0]->id]).ok());
      held.first_done.get_future().wait();
      ASSERT_TRUE(pipeline.Add(*work[1], handed.content[work[1]->id]).ok());
      ASSERT_TRUE(pipeline.Add(*work[2], handed.content[work[2]->id]).ok());
      if (in_finish) {
        ASSERT_TRUE(pipeline.Add(*work[3], handed.content[work[3]->id]).ok());
        EXPECT_THROW((void)pipeline.Finish(), std::bad_alloc);
      } else {
        EXPECT_THROW((void)pipeline.Add(*work[3], handed.content[work[3]->id]), std::bad_alloc);
        EXPECT_EQ(pipeline.prepared_components(), 2u);
      }
      held.release.set_value();
    }  // destroyed: returns once the worker is joined
  }
}

// When intake fails mid-package the pipeline is destroyed without Finish: the worker in
// the middle of a component finishes it, what is still queued is dropped unanalysed, and
// destruction returns (no worker left waiting on an empty queue; ASan checks the rest).
TEST(PackageAnalysisTest, DroppedWithoutFinishStopsItsWorkersAndDropsTheQueue) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  Handed handed = HandOver(WriteLogPackage("dropped.tar.gz", 4, 16 << 10));
  ASSERT_EQ(handed.work.size(), 4u);
  WorkerHeldBehind held;
  std::thread releaser;
  {
    AnalysisPipeline pipeline(db, {}, {}, held.Options());
    for (const auto& c : handed.work) EXPECT_TRUE(pipeline.Add(*c, handed.content[c->id]).ok());
    // Generous: a loaded machine delays the worker, it does not stop it.
    EXPECT_EQ(held.first_done.get_future().wait_for(std::chrono::seconds(30)),
              std::future_status::ready);
    // Released once the destructor below has (almost certainly) emptied the queue.
    releaser = std::thread([&held] {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      held.release.set_value();
    });
  }
  releaser.join();
  EXPECT_EQ(held.most_done.load(), 1u) << "queued components were analysed after the pipeline was dropped";
}

// With a one-byte bound every component is larger than the bound: each is analysed
// alone, uncopied, and every one is accounted for, on any number of threads.
TEST(PackageAnalysisTest, OneByteBoundAnalysesEveryComponent) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string path = WriteLogPackage("onebyte.tar.gz", 9, 32 << 10);
  for (int threads : {1, 2, 4}) {
    PackageOptions options;
    options.max_inflight_bytes = 1;
    options.threads = threads;
    auto report = AnalyzePackageFile(path, db, options);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->complete) << ReportToTable(*report);
    size_t analysed = 0;
    for (const ComponentResult& c : report->components) analysed += c.status == "analysed";
    EXPECT_EQ(analysed, 9u) << threads;
    ASSERT_NE(FindRule(*report, "github-pat-classic"), nullptr);
    EXPECT_EQ(FindRule(*report, "github-pat-classic")->locations.size(), 9u);
  }
}

// The progress callback is called from the worker threads, once per analysed
// component, with a count that ends at the total. Run under TSan by scripts/test.sh.
TEST(PackageAnalysisTest, ProgressCountsEveryComponentFromTheWorkers) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string path = WriteLogPackage("progress.tar.gz", 9, 64 << 10);
  std::mutex mutex;
  std::vector<size_t> done_seen;
  size_t last_total = 0;
  PackageOptions options;
  options.threads = 2;
  options.max_inflight_bytes = 200 << 10;  // several batches
  options.progress = [&](size_t done, size_t total) {
    std::lock_guard lock(mutex);
    done_seen.push_back(done);
    last_total = total;
  };
  auto report = AnalyzePackageFile(path, db, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->complete);
  std::sort(done_seen.begin(), done_seen.end());
  std::vector<size_t> want(9);
  std::iota(want.begin(), want.end(), 1);
  EXPECT_EQ(done_seen, want);
  EXPECT_EQ(last_total, 9u);
}

// The threads a package's components were analysed on (each component's progress is
// reported from the thread that analysed it).
std::set<std::thread::id> AnalysedOnThreads(const std::string& path,
                                            const std::shared_ptr<const Database>& db,
                                            PackageOptions options) {
  std::mutex mutex;
  std::set<std::thread::id> analysed_on;
  options.progress = [&](size_t, size_t) {
    std::lock_guard lock(mutex);
    analysed_on.insert(std::this_thread::get_id());
  };
  auto report = AnalyzePackageFile(path, db, options);
  EXPECT_TRUE(report.ok()) << report.status();
  if (report.ok()) {
    EXPECT_TRUE(report->complete);
  }
  return analysed_on;
}

// PackageOptions::threads counts intake's thread: one thread analyses every component on
// the caller's thread (intake's), N threads on at most N threads.
TEST(PackageAnalysisTest, ThreadsCountIntakesThread) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string path = WriteLogPackage("thread-count.tar.gz", 12, 64 << 10);
  PackageOptions one;
  one.threads = 1;
  EXPECT_EQ(AnalysedOnThreads(path, db, one), std::set{std::this_thread::get_id()});
  PackageOptions three;
  three.threads = 3;
  EXPECT_LE(AnalysedOnThreads(path, db, three).size(), 3u);
}

// The default thread count is the CPUs the process may use, not the machine's: pinned to
// one CPU (taskset, a container's cpuset), the analysis runs on intake's thread alone.
TEST(PackageAnalysisTest, DefaultThreadsFollowTheCpusTheProcessMayUse) {
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string path = WriteLogPackage("pinned.tar.gz", 12, 64 << 10);
  testing::PinnedToOneCpu pin;
  ASSERT_TRUE(pin.pinned());
  EXPECT_EQ(AnalysedOnThreads(path, db, PackageOptions()),  // threads 0: the default
            std::set{std::this_thread::get_id()});
}

// A package-wide memory bound was missing: a 44 MB zip of 4 x 1 GiB members reached
// 5.2 GB resident, every member's content held before analysis began. With the bound,
// 96 MiB of content is analysed holding at most 16 MiB of it at once.
TEST(PackageAnalysisTest, InflightContentStaysWithinTheBound) {
  TRAWL_SKIP_MEASUREMENT_WHEN_SANITIZED();
  auto db = TokenDb();
  ASSERT_TRUE(db);
  const std::string path = WriteLogPackage("inflight.tar.gz", 12, 8 << 20);
  PackageOptions options;
  options.max_inflight_bytes = 16 << 20;
  options.threads = 2;
  absl::StatusOr<PackageReport> report;
  const uint64_t growth =
      testing::PeakResidentGrowth([&] { report = AnalyzePackageFile(path, db, options); });
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->complete) << ReportToTable(*report);
  ASSERT_NE(FindRule(*report, "github-pat-classic"), nullptr);
  EXPECT_EQ(FindRule(*report, "github-pat-classic")->locations.size(), 12u);
  // The bound, the entry intake holds, and the analysis's own working memory; all the
  // content at once would be 96 MiB.
  EXPECT_LT(growth, uint64_t{64} << 20);
}

// The time budget covers the whole package (intake and every component), not each
// scan: a 2 s budget let a 44 MB zip run for 80 s. Components it leaves unanalysed are
// accounted for with the reason, and the report is incomplete.
TEST(PackageAnalysisTest, TimeBudgetCoversTheWholePackage) {
  auto db = DefaultSecretsDb();
  ASSERT_TRUE(db);
  const std::string path = WriteLogPackage("budget.tar.gz", 16, 4 << 20);
  PackageOptions options;
  options.analyze.limits.time_budget = absl::Milliseconds(50);
  const auto begin = std::chrono::steady_clock::now();
  auto report = AnalyzePackageFile(path, db, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->complete);
  // Unbudgeted, this package takes about a second; the budget may be overrun by the
  // work between two checks, not by whole components. (Sanitizers slow that work.)
  if (!testing::kSanitized) {
    EXPECT_LT(seconds, 0.5);
  }
  bool budget_named = report->manifest.stopped_by == "time_budget";
  for (const ComponentResult& c : report->components) {
    budget_named |= c.reason.find("package time budget (50 ms)") != std::string::npos ||
                    (c.truncation & kTruncTimeBudget);
  }
  EXPECT_TRUE(budget_named) << ReportToTable(*report);
  for (const std::string& why : report->incomplete_reasons) {
    EXPECT_TRUE(why.find("time_budget") != std::string::npos ||
                why.find("time budget") != std::string::npos)
        << why;
  }
}

}  // namespace
}  // namespace trawl
