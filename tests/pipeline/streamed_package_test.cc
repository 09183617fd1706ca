// Large components analysed as streams inside the package pipeline (issue 22): the report
// of a package whose logs are streamed is byte-identical to the report that held them
// whole, for every thread count, memory bound and window size; a streamed JSON document
// keeps its findings (same bytes, lines, columns) and says what it could not give; a tiny
// memory budget with streams still accounts for every component.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "analyze/component_result_json.h"
#include "engine/test_util.h"
#include "intake/archive_builder.h"
#include "intake/decompose.h"
#include "intake/source_walk.h"
#include "pipeline/analysis_pipeline.h"
#include "pipeline/package_analysis.h"
#include "report/report.h"

namespace trawl {
namespace {

const std::string kSource = TRAWL_SOURCE_DIR;

std::shared_ptr<const Database> SecretsAndPiiDb() {
  return testing_util::MustCompileFiles(
      {kSource + "/rules/secrets.json", kSource + "/rules/pii.json"});
}

std::string Log(size_t bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  const char* planted[] = {" token=ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn",
                           " aws=AKIA64CFSUOSG2WPIZZX", " mail=ops@example.org",
                           " seen 95.130.15[.]34",
                           " blob=a2V5PUFLSUE2NENGU1VPU0cyV1BJWlpYIHNlY3JldCBwYXlsb2FkIGhlcmU="};
  const char* endings[] = {"\n", "\n", "\r\n", "\r"};
  std::string out;
  for (size_t n = 0; out.size() < bytes; ++n) {
    out += "2026-11-26T10:00:00Z INFO request " + std::to_string(n) + " user=u" +
           std::to_string(rng() % 977);
    if (rng() % 5 == 0) out += planted[rng() % 5];
    out += endings[rng() % 4];
  }
  return out;
}

std::string Json(size_t records) {
  std::string json = "{\"service\": \"billing\", \"records\": [";
  for (size_t i = 0; i < records; ++i) {
    if (i) json += ", ";
    json += "{\"id\": " + std::to_string(i);
    if (i % 9 == 0) json += ", \"token\": \"ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn\"";
    json += "}";
  }
  return json + "]}\n";
}

// Named per process: ctest runs each test of this suite in a process of its own, at once,
// and one must not rewrite the package another is reading.
std::string WritePackage(const std::string& name, const std::vector<testing::TestEntry>& entries) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) /
                            (std::to_string(getpid()) + "-" + name))
                               .string();
  const std::string bytes = testing::TarGz(entries);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

class StreamedPackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::shared_ptr<const Database>(SecretsAndPiiDb());
    const std::string big = Log(600 << 10, 1);
    logs_ = new std::string(WritePackage(
        "streamed-logs.tar.gz", {{.name = "big.log", .data = big},
                                 {.name = "small.log", .data = Log(10 << 10, 2)},
                                 {.name = "copy/big.log", .data = big},
                                 {.name = "other.log", .data = Log(300 << 10, 3)}}));
  }
  static void TearDownTestSuite() {
    delete db_;
    std::filesystem::remove(*logs_);
    delete logs_;
  }
  static std::shared_ptr<const Database>* db_;
  static std::string* logs_;
};
std::shared_ptr<const Database>* StreamedPackageTest::db_ = nullptr;
std::string* StreamedPackageTest::logs_ = nullptr;

TEST_F(StreamedPackageTest, StreamedLogsGiveTheSameReportBytes) {
  ASSERT_NE(*db_, nullptr);
  PackageOptions whole;
  whole.max_inflight_bytes = 0;  // no bound: nothing streamed
  whole.threads = 1;
  auto want = AnalyzePackageFile(*logs_, *db_, whole);
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_TRUE(want->complete);
  ASSERT_GT(want->findings.size(), 3u);
  const std::string want_json = ReportToJson(*want);
  for (auto [threshold, window, context] :
       {std::tuple{64u << 10, 16u << 10, 4u << 10}, std::tuple{100u << 10, 20000u, 3000u},
        std::tuple{256u << 10, 50000u, 8u << 10}}) {
    for (uint64_t bound : {uint64_t{0}, uint64_t{1}, PackageOptions().max_inflight_bytes}) {
      for (int threads : {1, 2, 3}) {
        PackageOptions options;
        options.max_inflight_bytes = bound;
        options.threads = threads;
        options.stream_threshold_bytes = threshold;
        options.stream_window_bytes = window;
        options.stream_context_bytes = context;
        auto got = AnalyzePackageFile(*logs_, *db_, options);
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_EQ(ReportToJson(*got), want_json)
            << threshold << " " << window << " " << bound << " " << threads;
      }
    }
  }
}

// The pipeline takes the components over the threshold as streams (the copy of big.log
// too: intake learns it is a duplicate only at its end, and its result is dropped), and
// their results equal the results of the whole contents.
TEST_F(StreamedPackageTest, ComponentsOverTheThresholdAreStreamed) {
  ASSERT_NE(*db_, nullptr);
  PlanOptions plan_options;
  plan_options.pattern_chains = (*db_)->chains();
  AnalyzeOptions analyze;
  const auto run = [&](uint64_t threshold, size_t* streamed, uint64_t cap = 0) {
    AnalysisPipelineOptions options;
    options.workers = 2;
    options.stream_text_bytes = options.stream_json_bytes = threshold;
    options.windows = {16 << 10, 4 << 10};
    auto decompose = PackageDecomposeOptions(PackageInput::File(*logs_), {});
    EXPECT_TRUE(decompose.ok());
    analyze.package_id = decompose->package_id;
    if (cap != 0) decompose->limits.max_component_bytes = cap;
    AnalysisPipeline pipeline(*db_, plan_options, analyze, options);
    decompose->stream_check_bytes = threshold;
    decompose->stream_factory = [&](const Component& c, std::string_view head) {
      auto stream = pipeline.OfferStream(c, head);
      *streamed += stream != nullptr;
      return stream;
    };
    auto manifest = DecomposeFile(*logs_, *decompose, [&](const Component& c, std::string_view s) {
      return pipeline.Add(c, s);
    });
    EXPECT_TRUE(manifest.ok()) << manifest.status();
    auto results = pipeline.Finish();
    EXPECT_TRUE(results.ok()) << results.status();
    return std::make_pair(*std::move(manifest), *std::move(results));
  };
  size_t streamed = 0, none = 0;
  const auto [manifest, results] = run(200 << 10, &streamed);
  const auto [want_manifest, want] = run(0, &none);
  EXPECT_EQ(streamed, 3u);  // big.log, its copy, other.log
  EXPECT_EQ(none, 0u);
  EXPECT_TRUE(manifest == want_manifest);
  ASSERT_EQ(results.size(), want.size());
  for (const auto& [id, result] : want) {
    ASSERT_TRUE(results.count(id));
    EXPECT_EQ(ComponentResultToJson(results.at(id)), ComponentResultToJson(result));
  }
  // Cut by max_component_bytes while streamed: the same manifest entry (status, reason,
  // digest of the bytes kept) and the analysis of the bytes kept.
  size_t cut_streamed = 0, cut_none = 0;
  const auto [cut_manifest, cut] = run(200 << 10, &cut_streamed, 400 << 10);
  const auto [want_cut_manifest, want_cut] = run(0, &cut_none, 400 << 10);
  EXPECT_EQ(cut_streamed, 3u);
  EXPECT_TRUE(cut_manifest == want_cut_manifest);
  bool partial = false;
  for (const auto& [id, result] : want_cut) {
    ASSERT_TRUE(cut.count(id));
    EXPECT_EQ(ComponentResultToJson(cut.at(id)), ComponentResultToJson(result));
    partial = partial || result.reason.find("partial content") != std::string::npos;
  }
  EXPECT_TRUE(partial);
}

TEST_F(StreamedPackageTest, StreamedJsonKeepsItsFindingsAndSaysWhatIsLimited) {
  ASSERT_NE(*db_, nullptr);
  const std::string path = WritePackage(
      "streamed-json.tar.gz",
      {{.name = "doc.json", .data = Json(20000)}, {.name = "app.log", .data = Log(200 << 10, 4)}});
  struct RemoveOnExit {
    std::string path;
    ~RemoveOnExit() { std::filesystem::remove(path); }
  } remove_on_exit{path};
  PackageOptions whole;
  whole.max_inflight_bytes = 0;
  auto want = AnalyzePackageFile(path, *db_, whole);
  ASSERT_TRUE(want.ok()) << want.status();
  PackageOptions options;
  options.stream_threshold_bytes = 64 << 10;
  options.stream_window_bytes = 16 << 10;
  options.stream_context_bytes = 4 << 10;
  auto got = AnalyzePackageFile(path, *db_, options);
  ASSERT_TRUE(got.ok()) << got.status();
  using Place = std::tuple<std::string, std::string, uint64_t, uint64_t, int64_t, int64_t>;
  const auto places = [](const PackageReport& report, size_t* pointers) {
    std::set<Place> out;
    for (const AggregatedFinding& f : report.findings) {
      for (const FindingLocation& l : f.locations) {
        out.emplace(f.rule_id, l.path, l.start, l.end, l.line, l.column);
        *pointers += !l.json_pointer.empty();
      }
    }
    return out;
  };
  size_t want_pointers = 0, got_pointers = 0;
  EXPECT_EQ(places(*got, &got_pointers), places(*want, &want_pointers));
  EXPECT_GT(want_pointers, 2000u);
  EXPECT_EQ(got_pointers, 0u);
  bool said = false;
  for (const ComponentResult& c : got->components) {
    if (c.path.find("doc.json") == std::string::npos) continue;
    EXPECT_EQ(c.format, "json");
    said = c.reason.find("JSON structure not analysed") != std::string::npos;
  }
  EXPECT_TRUE(said);
}

TEST_F(StreamedPackageTest, TinyBudgetWithStreamsAccountsForEveryComponent) {
  ASSERT_NE(*db_, nullptr);
  PackageOptions whole;
  whole.max_inflight_bytes = 0;
  auto want = AnalyzePackageFile(*logs_, *db_, whole);
  ASSERT_TRUE(want.ok());
  for (int threads : {1, 2, 4}) {
    PackageOptions options;
    options.max_inflight_bytes = 1;
    options.threads = threads;
    options.stream_threshold_bytes = 32 << 10;
    options.stream_window_bytes = 8 << 10;
    options.stream_context_bytes = 2 << 10;
    auto got = AnalyzePackageFile(*logs_, *db_, options);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(got->complete);
    size_t analysed = 0;
    for (const ComponentResult& c : got->components) analysed += c.status == "analysed";
    EXPECT_EQ(analysed, 3u);  // big.log, small.log, other.log; the copy is a duplicate
    EXPECT_EQ(ReportToJson(*got), ReportToJson(*want)) << threads;
  }
}

// A directory input's large files are read in pieces and streamed as a package's large
// entries are: the same report bytes as when held whole (also cut by
// max_component_bytes), and the files over the threshold are the ones streamed.
TEST_F(StreamedPackageTest, DirectoryInputFilesAreStreamedWithTheSameReport) {
  ASSERT_NE(*db_, nullptr);
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    (std::to_string(getpid()) + "-streamed-dir");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "copy");
  const std::string big = Log(600 << 10, 1);
  for (const auto& [name, bytes] : {std::pair<std::string, std::string>{"big.log", big},
                                    {"small.log", Log(10 << 10, 2)},
                                    {"copy/big.log", big},
                                    {"other.log", Log(300 << 10, 3)}}) {
    std::ofstream((dir / name).string(), std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  SourceInput input;
  input.path = dir.string();
  const std::vector<SourceInput> inputs = {input};
  for (uint64_t cap : {uint64_t{0}, uint64_t{400} << 10}) {
    PackageOptions whole;
    whole.max_inflight_bytes = 0;  // no bound: nothing streamed
    whole.threads = 1;
    if (cap != 0) whole.limits.max_component_bytes = cap;
    auto want = AnalyzeSources(inputs, {}, *db_, whole);
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_GT(want->findings.size(), 3u);
    EXPECT_EQ(want->complete, cap == 0);
    for (int threads : {1, 2, 3}) {
      PackageOptions options = whole;
      options.max_inflight_bytes = PackageOptions().max_inflight_bytes;
      options.threads = threads;
      options.stream_threshold_bytes = 64 << 10;
      options.stream_window_bytes = 16 << 10;
      options.stream_context_bytes = 4 << 10;
      auto got = AnalyzeSources(inputs, {}, *db_, options);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(ReportToJson(*got), ReportToJson(*want)) << threads << " cap " << cap;
    }
  }
  // Which files intake streams: those at or over the threshold, whole ones too.
  auto walk = WalkSources(inputs, {});
  ASSERT_TRUE(walk.ok()) << walk.status();
  DecomposeOptions decompose;
  decompose.package_id = "p";
  decompose.stream_check_bytes = 200 << 10;
  std::set<std::string> streamed;
  struct Counting : ComponentStream {
    absl::Status Write(std::string_view) override { return absl::OkStatus(); }
    absl::Status Finish(const Component&) override { return absl::OkStatus(); }
  };
  decompose.stream_factory = [&](const Component& c, std::string_view) {
    streamed.insert(c.path);
    return std::make_unique<Counting>();
  };
  auto manifest = DecomposeSources(*walk, decompose, [](const Component&, std::string_view) {
    return absl::OkStatus();
  });
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(streamed.size(), 3u);  // big.log, its copy, other.log
  for (const Component& c : manifest->components) {
    if (c.path.find("big.log") != std::string::npos) {
      EXPECT_TRUE(streamed.count(c.path)) << c.path;
      EXPECT_EQ(c.size, big.size());
      EXPECT_EQ(c.status, ComponentStatus::kOk) << c.reason;
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace trawl
