// Every C entry point under allocation failure. This binary replaces the global operator
// new (libtrawl's C++ code allocates through it) with one that throws std::bad_alloc
// after N allocations, and sweeps N over each call. An exception that escaped a
// noexcept entry point would end the process (std::terminate), so reaching the end is
// the test; on top, a failing call must return an error code and leave *out NULL.
//
// Allocations in C libraries (the engine, PCRE2, libarchive) use malloc and are not
// failed here: their failures are the libraries' own error codes, mapped like any other.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <new>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "gtest/gtest.h"
#include "trawl/trawl.h"
#define TRAWL_EXPERIMENTAL
#include "trawl/trawl_experimental.h"

namespace {

// Allocations left before new fails; negative: never fail.
std::atomic<long> g_budget{-1};
std::atomic<long> g_allocations{0};
std::atomic<long> g_failures{0};

void* Allocate(size_t n, size_t alignment) {
  if (g_budget.load(std::memory_order_relaxed) >= 0 &&
      g_budget.fetch_sub(1, std::memory_order_relaxed) <= 0) {
    g_failures.fetch_add(1, std::memory_order_relaxed);
    throw std::bad_alloc();
  }
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(n == 0 ? 1 : n)
                : std::aligned_alloc(alignment, (n + alignment - 1) / alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Test code that must not see a failure (setup inside a swept call) runs disarmed.
struct Disarmed {
  Disarmed() : saved(g_budget.exchange(-1)) {}
  ~Disarmed() { g_budget = saved; }
  long saved;
};

}  // namespace

void* operator new(size_t n) { return Allocate(n, 0); }
void* operator new[](size_t n) { return Allocate(n, 0); }
void* operator new(size_t n, std::align_val_t a) { return Allocate(n, static_cast<size_t>(a)); }
void* operator new[](size_t n, std::align_val_t a) { return Allocate(n, static_cast<size_t>(a)); }
// Every replaced new above allocates with malloc/aligned_alloc, so free is the match; GCC
// cannot see that the pairs are replaced together.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

const std::string kSource = TRAWL_SOURCE_DIR;
const std::string kPackage = kSource + "/examples/sample/sample-package.tar.gz";

constexpr char kRules[] =
    R"json([{"id": "kv", "regex": "key=([a-z]+)", "examples": ["key=abc"],
         "negative_examples": ["key=123"]},
        {"id": "lit", "literal": "needle"},
        {"id": "aws", "regex": "AKIA[0-9A-Z]{16}", "entity": "aws_access_key_id"},
        {"id": "bad", "regex": "a*"}])json";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `call` once with no failure, then with allocation N failing (that one only), for
// N = 0, 1, 2, ...: the first kDense one by one, then about kSpread more spread evenly
// over the rest. `call` must not allocate itself. Returns the number of allocations the
// call makes when none fails.
struct Sweep {
  static constexpr long kDense = 160;
  static constexpr long kSpread = 60;

  // `call` returns the status and whether the out-parameter it fills is NULL, and may
  // copy the document it made into `output`.
  using Call = std::function<trawl_status(bool* out_is_null, std::string* output)>;

  static long Run(const char* name, const Call& call) {
    SCOPED_TRACE(name);
    g_allocations = 0;
    bool null_out = false;
    std::string clean_output, output;
    const trawl_status clean = call(&null_out, &clean_output);
    const long total = g_allocations.load();
    EXPECT_GE(clean, 0) << trawl_status_str(clean);
    long step = 1;
    long failed_calls = 0;
    for (long n = 0; n < total; n += step) {
      if (n == kDense) step = std::max<long>(1, (total - kDense) / kSpread);
      g_failures = 0;
      g_budget = n;
      null_out = false;
      output.clear();
      const trawl_status status = call(&null_out, &output);
      g_budget = -1;
      if (g_failures.load() == 0) continue;  // this path allocates less: nothing failed
      // A failure may be absorbed (a cache that cannot be built) but never reported as
      // anything but an error code, and a failed call leaves no object behind.
      EXPECT_TRUE(status == TRAWL_OK || status == TRAWL_STOPPED || status < 0)
          << "n=" << n << " " << status;
      // An absorbed failure (a fallback that needs less memory) changes nothing.
      if (status == TRAWL_OK) {
        EXPECT_EQ(output, clean_output) << "n=" << n;
      }
      if (status < 0) {
        ++failed_calls;
        EXPECT_TRUE(null_out) << "n=" << n << ": *out not NULL after " << trawl_status_str(status);
        EXPECT_TRUE(status == TRAWL_E_NOMEM || status == TRAWL_E_INTERNAL ||
                    status == TRAWL_E_IO || status == TRAWL_E_COMPILE)
            << "n=" << n << " " << trawl_status_str(status);
      }
    }
    EXPECT_GT(failed_calls, 0) << "no allocation failure surfaced (" << total << " allocations)";
    std::printf("%-40s %6ld allocations, %4ld failed calls\n", name, total, failed_calls);
    return total;
  }
};

class AllocFailureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    trawl_rules* rules = nullptr;
    ASSERT_EQ(trawl_rules_new(&rules), TRAWL_OK);
    trawl_error err = TRAWL_ERROR_INIT;
    trawl_rules_add_json(rules, kRules, sizeof kRules - 1, "inline", &err);
    trawl_options* options = nullptr;
    ASSERT_EQ(trawl_options_new(&options), TRAWL_OK);
    ASSERT_EQ(trawl_options_set_int(options, TRAWL_OPT_COMPILE_THREADS, 1), TRAWL_OK);
    ASSERT_EQ(trawl_db_compile(&db_, rules, options, &err), TRAWL_OK) << err.message;
    trawl_rules_free(rules);
    options_ = options;
    trawl_buffer* artifact = nullptr;
    ASSERT_EQ(trawl_db_serialize(&artifact, db_, &err), TRAWL_OK);
    artifact_ = new std::string(trawl_buffer_data(artifact), trawl_buffer_size(artifact));
    trawl_buffer_free(artifact);
  }
  static void TearDownTestSuite() {
    trawl_db_free(db_);
    trawl_options_free(options_);
    delete artifact_;
  }
  static trawl_db* db_;
  static trawl_options* options_;  // one worker: the sweep is deterministic
  static std::string* artifact_;
};
trawl_db* AllocFailureTest::db_ = nullptr;
trawl_options* AllocFailureTest::options_ = nullptr;
std::string* AllocFailureTest::artifact_ = nullptr;

// Frees what a call made; true when it made nothing.
template <typename T>
bool Gone(T* object, void (*free_fn)(T*)) {
  const bool null = object == nullptr;
  free_fn(object);
  return null;
}

TEST_F(AllocFailureTest, OptionsAndRules) {
  Sweep::Run("trawl_options_new", [](bool* null, std::string*) {
    trawl_options* o = nullptr;
    trawl_status s = trawl_options_new(&o);
    if (s == TRAWL_OK) s = trawl_options_set_string(o, TRAWL_OPT_POLICY_FILE, "/some/policy.json");
    if (s == TRAWL_OK) s = trawl_options_set_int(o, TRAWL_OPT_MAX_DEPTH, 3);
    *null = s != TRAWL_OK;  // the options were made; set_string failed
    trawl_options_free(o);
    return s;
  });
  static constexpr char kMore[] =
      R"json([{"id": "kv2", "regex": "val=([0-9]+)"}, {"id": "lit", "literal": "again"},
              {"id": "lit3", "literal": "third"}])json";
  Sweep::Run("trawl_rules_add_json", [](bool* null, std::string*) {
    trawl_rules* rules = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    size_t count = 0, issues = 0;
    {
      Disarmed setup;
      trawl_rules_new(&rules);
      trawl_rules_add_json(rules, kRules, sizeof kRules - 1, "inline", &err);
      count = trawl_rules_count(rules);
      issues = trawl_rules_issue_count(rules);
    }
    trawl_status s = trawl_rules_add_json(rules, kMore, sizeof kMore - 1, "more", &err);
    {
      Disarmed check;
      // Strong guarantee: a failed add leaves the set as it was.
      const bool added = s == TRAWL_E_PARSE;  // "lit" repeats on purpose
      EXPECT_TRUE(added || s == TRAWL_E_NOMEM) << trawl_status_str(s);
      EXPECT_EQ(trawl_rules_count(rules), added ? count + 2 : count);
      EXPECT_EQ(trawl_rules_issue_count(rules), added ? issues + 1 : issues);
    }
    trawl_error issue = TRAWL_ERROR_INIT;
    if (s == TRAWL_E_PARSE) s = trawl_rules_issue(&issue, rules, trawl_rules_issue_count(rules) - 1);
    *null = true;
    trawl_rules_free(rules);
    return s;
  });
  const std::string pii = kSource + "/rules/pii.json";
  Sweep::Run("trawl_rules_add_file", [&](bool* null, std::string*) {
    trawl_rules* rules = nullptr;
    trawl_status s = trawl_rules_new(&rules);
    trawl_error err = TRAWL_ERROR_INIT;
    if (s == TRAWL_OK) s = trawl_rules_add_file(rules, pii.c_str(), &err);
    *null = true;
    trawl_rules_free(rules);
    return s;
  });
}

TEST_F(AllocFailureTest, Database) {
  Sweep::Run("trawl_db_compile", [](bool* null, std::string* output) {
    trawl_rules* rules = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    {
      Disarmed setup;
      trawl_rules_new(&rules);
      trawl_rules_add_json(rules, kRules, sizeof kRules - 1, "inline", &err);
    }
    trawl_db* db = nullptr;
    const trawl_status s = trawl_db_compile(&db, rules, options_, &err);
    if (s == TRAWL_OK) {
      Disarmed check;  // no rule may be rejected for want of memory
      for (size_t i = 0; i < trawl_db_rule_count(db); ++i) {
        trawl_rule_info info = TRAWL_RULE_INFO_INIT;
        trawl_db_rule(&info, db, i);
        *output += std::string(info.id) + " " + std::to_string(info.status) + " " +
                   info.status_reason + "\n";
      }
    }
    *null = Gone(db, trawl_db_free) || s == TRAWL_OK;
    trawl_rules_free(rules);
    return s;
  });
  Sweep::Run("trawl_db_load", [](bool* null, std::string*) {
    trawl_db* db = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    const trawl_status s = trawl_db_load(&db, artifact_->data(), artifact_->size(), &err);
    *null = Gone(db, trawl_db_free) || s == TRAWL_OK;
    return s;
  });
  char path[] = "/tmp/trawl-alloc-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  Sweep::Run("trawl_db_save_file", [&](bool* null, std::string*) {
    trawl_error err = TRAWL_ERROR_INIT;
    *null = true;
    return trawl_db_save_file(db_, path, &err);
  });
  Sweep::Run("trawl_db_load_file + trawl_db_rule", [&](bool* null, std::string*) {
    trawl_db* db = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    trawl_status s = trawl_db_load_file(&db, path, &err);
    // Rule metadata is decoded from the mapping on first use: this allocates.
    trawl_rule_info info = TRAWL_RULE_INFO_INIT;
    for (size_t i = 0; s == TRAWL_OK && i < trawl_db_rule_count(db); ++i) {
      s = trawl_db_rule(&info, db, i);
    }
    *null = db == nullptr || s == TRAWL_OK || s == TRAWL_E_NOMEM;
    trawl_db_free(db);
    return s;
  });
  std::remove(path);
  Sweep::Run("trawl_db_serialize", [](bool* null, std::string*) {
    trawl_buffer* out = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    const trawl_status s = trawl_db_serialize(&out, db_, &err);
    *null = Gone(out, trawl_buffer_free) || s == TRAWL_OK;
    return s;
  });
  Sweep::Run("trawl_db_describe", [](bool* null, std::string*) {
    trawl_buffer* out = nullptr;
    const trawl_status s = trawl_db_describe(&out, db_, 1);
    *null = Gone(out, trawl_buffer_free) || s == TRAWL_OK;
    return s;
  });
  Sweep::Run("trawl_db_check_examples", [](bool* null, std::string*) {
    trawl_buffer* out = nullptr;
    uint64_t failures = 0;
    const trawl_status s = trawl_db_check_examples(&out, &failures, db_);
    *null = Gone(out, trawl_buffer_free) || s == TRAWL_OK;
    return s;
  });
  const std::string input(4096, 'x');
  Sweep::Run("trawl_db_profile", [&](bool* null, std::string*) {
    trawl_buffer* out = nullptr;
    const trawl_status s = trawl_db_profile(&out, db_, input.data(), input.size(), 5);
    *null = Gone(out, trawl_buffer_free) || s == TRAWL_OK;
    return s;
  });
  Sweep::Run("trawl_db_bench", [&](bool* null, std::string*) {
    trawl_buffer* out = nullptr;
    trawl_bench_options options = TRAWL_BENCH_OPTIONS_INIT;
    options.threads = 2;  // a worker thread's allocation failure comes back as NOMEM
    options.repetitions = 1;
    options.top_rules = 5;
    const trawl_status s = trawl_db_bench(&out, db_, input.data(), input.size(), &options);
    *null = Gone(out, trawl_buffer_free) || s == TRAWL_OK;
    return s;
  });
}

TEST_F(AllocFailureTest, IndicatorFeeds) {
  static const std::string feed = kSource + "/tests/cli/maltrail_excerpt.tsv";
  Sweep::Run("trawl_rules_add_indicator_feed", [](bool* null, std::string*) {
    trawl_rules* rules = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    {
      Disarmed setup;
      trawl_rules_new(&rules);
    }
    const trawl_status s = trawl_rules_add_indicator_feed(rules, feed.c_str(), nullptr, &err);
    {
      Disarmed check;  // strong guarantee: a failed add leaves the set as it was
      EXPECT_TRUE(s == TRAWL_OK || s == TRAWL_E_NOMEM) << trawl_status_str(s);
      if (s != TRAWL_OK) {
        EXPECT_EQ(trawl_rules_indicator_count(rules), 0u);
      }
    }
    *null = true;
    trawl_rules_free(rules);
    return s;
  });
  Sweep::Run("trawl_db_update_indicators", [](bool* null, std::string* output) {
    const char* paths[] = {feed.c_str()};
    trawl_db* db = nullptr;
    trawl_buffer* report = nullptr;
    trawl_error err = TRAWL_ERROR_INIT;
    const trawl_status s = trawl_db_update_indicators(&db, &report, db_, paths, 1,
                                                      TRAWL_INDICATORS_ADD, nullptr, &err);
    if (s == TRAWL_OK) {
      Disarmed check;
      *output = std::to_string(trawl_db_indicator_count(db));
    }
    const bool report_null = report == nullptr;
    trawl_buffer_free(report);
    *null = (Gone(db, trawl_db_free) && report_null) || s == TRAWL_OK;
    return s;
  });
}

TEST_F(AllocFailureTest, Scan) {
  const std::string text = "key=abc needle AKIAIOSFODNN7EXAMPLE key=def " + std::string(1000, ' ');
  Sweep::Run("trawl_scratch_new + trawl_scan", [&](bool* null, std::string*) {
    trawl_scratch* scratch = nullptr;
    trawl_status s = trawl_scratch_new(&scratch, db_);
    trawl_scratch* clone = nullptr;
    if (s == TRAWL_OK) s = trawl_scratch_clone(&clone, scratch);
    trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
    if (s == TRAWL_OK) {
      s = trawl_scan(db_, clone, text.data(), text.size(), nullptr, nullptr, nullptr, &result);
    }
    *null = true;
    trawl_scratch_free(clone);
    trawl_scratch_free(scratch);
    return s;
  });
  Sweep::Run("trawl_stream", [&](bool* null, std::string*) {
    trawl_stream* stream = nullptr;
    trawl_status s = trawl_stream_new(&stream, db_, nullptr);
    if (s == TRAWL_OK) s = trawl_stream_write(stream, text.data(), 20, nullptr, nullptr);
    if (s == TRAWL_OK) {
      s = trawl_stream_write(stream, text.data() + 20, text.size() - 20, nullptr, nullptr);
    }
    trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
    if (s == TRAWL_OK) s = trawl_stream_finish(stream, nullptr, nullptr, &result);
    *null = true;
    trawl_stream_free(stream);
    return s;
  });
}

// The documents of one package, from the one-call path and stage by stage.
TEST_F(AllocFailureTest, PackagesAndStages) {
  const std::string package = ReadFile(kPackage);
  ASSERT_FALSE(package.empty());
  const auto buffer_call = [](std::function<trawl_status(trawl_buffer**)> call) {
    return [call](bool* null, std::string* output) {
      trawl_buffer* out = nullptr;
      const trawl_status s = call(&out);
      if (out != nullptr) {
        Disarmed copy;
        output->assign(trawl_buffer_data(out), trawl_buffer_size(out));
      }
      *null = Gone(out, trawl_buffer_free) || s == TRAWL_OK;
      return s;
    };
  };
  trawl_error err = TRAWL_ERROR_INIT;
  Sweep::Run("trawl_package_decompose", buffer_call([&](trawl_buffer** out) {
               return trawl_package_decompose(out, package.data(), package.size(), options_,
                                              &err);
             }));
  Sweep::Run("trawl_package_decompose_file", buffer_call([&](trawl_buffer** out) {
               return trawl_package_decompose_file(out, kPackage.c_str(), options_, &err);
             }));
  Sweep::Run("trawl_package_classify", buffer_call([&](trawl_buffer** out) {
               return trawl_package_classify(out, db_, package.data(), package.size(), options_,
                                             &err);
             }));
  Sweep::Run("trawl_package_analyze", buffer_call([&](trawl_buffer** out) {
               return trawl_package_analyze(out, db_, package.data(), package.size(), options_,
                                            TRAWL_REPORT_SARIF, &err);
             }));
  Sweep::Run("trawl_policy_default",
             buffer_call([&](trawl_buffer** out) { return trawl_policy_default(out); }));

  char dir[] = "/tmp/trawl-alloc-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  trawl_buffer* manifest_buffer = nullptr;
  ASSERT_EQ(trawl_package_decompose_to_directory(&manifest_buffer, kPackage.c_str(), dir,
                                                 options_, &err),
            TRAWL_OK);
  const std::string manifest(trawl_buffer_data(manifest_buffer),
                             trawl_buffer_size(manifest_buffer));
  trawl_buffer_free(manifest_buffer);
  Sweep::Run("trawl_package_decompose_to_directory", buffer_call([&](trawl_buffer** out) {
               return trawl_package_decompose_to_directory(out, kPackage.c_str(), dir, options_,
                                                           &err);
             }));
  Sweep::Run("trawl_manifest_work", buffer_call([&](trawl_buffer** out) {
               return trawl_manifest_work(out, manifest.data(), manifest.size(), &err);
             }));
  // The largest component that needs a result: its plan and its analysis.
  trawl_buffer* work = nullptr;
  ASSERT_EQ(trawl_manifest_work(&work, manifest.data(), manifest.size(), &err), TRAWL_OK);
  const std::string work_json(trawl_buffer_data(work), trawl_buffer_size(work));
  trawl_buffer_free(work);
  const size_t at = work_json.find("\"id\": \"");
  ASSERT_NE(at, std::string::npos);
  const std::string id = work_json.substr(at + 7, 32);
  const std::string content = ReadFile(std::string(dir) + "/" + id);
  Sweep::Run("trawl_component_plan", buffer_call([&](trawl_buffer** out) {
               return trawl_component_plan(out, db_, manifest.data(), manifest.size(), id.c_str(),
                                           content.data(), content.size(), options_, &err);
             }));
  std::string result;
  Sweep::Run("trawl_component_analyze", buffer_call([&](trawl_buffer** out) {
               const trawl_status s =
                   trawl_component_analyze(out, db_, manifest.data(), manifest.size(), id.c_str(),
                                           content.data(), content.size(), options_, &err);
               // The first call, with no failure, keeps the result for the next stage.
               if (s == TRAWL_OK && result.empty()) {
                 result.assign(trawl_buffer_data(*out), trawl_buffer_size(*out));
               }
               return s;
             }));
  ASSERT_FALSE(result.empty());
  const char* results[] = {result.data()};
  const size_t lens[] = {result.size()};
  Sweep::Run("trawl_report_aggregate", buffer_call([&](trawl_buffer** out) {
               return trawl_report_aggregate(out, manifest.data(), manifest.size(), results, lens,
                                             1, options_, TRAWL_REPORT_JSON, &err);
             }));
  std::system((std::string("rm -rf ") + dir).c_str());
}

}  // namespace
