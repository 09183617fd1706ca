// The token pass against the regex recognizers it replaces (#16). Both compile
// rules/pii.json: with the token pass (the default) and with TRAWL_OPT_TOKEN_PASS off (the
// regexes, the reference). Each input is analysed as a package by both, and the validated
// findings are counted per (component path, entity type, normalized value): the token
// pass must have at least as many of each as the regexes. What it finds beyond them is
// printed per type, so drift is visible.
//
// Inputs: tests/tokens/data/entities.txt, every rule example of rules/pii.json, the sample
// package, and, when ../shared is present (or TRAWL_SHARED_DIR points at it), every file
// of its corpus/scan_inputs including bench_mixed_16MiB.bin.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>

#include "engine/compiler.h"
#include "engine/scanner.h"
#include "pipeline/package_analysis.h"
#include "rules/loader.h"
#include "util/file.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;

const std::string kSource = TRAWL_SOURCE_DIR;

std::string SharedDir() {
  const char* env = std::getenv("TRAWL_SHARED_DIR");
  return env != nullptr ? env : TRAWL_SHARED_DIR;
}

std::shared_ptr<const Database> PiiDb(bool token_pass) {
  auto rules = LoadRuleFile(kSource + "/rules/pii.json");
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return nullptr;
  CompileOptions options;
  options.token_pass = token_pass;
  auto db = CompileDatabase(rules->definitions, options);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *db : nullptr;
}

using Key = std::tuple<std::string, std::string, std::string>;  // path, entity, value
using Counts = std::map<Key, int>;

Counts Validated(const std::string& path, const std::shared_ptr<const Database>& db) {
  PackageOptions options;
  options.threads = 1;
  auto report = AnalyzePackageFile(path, db, options);
  EXPECT_TRUE(report.ok()) << path << ": " << report.status();
  Counts counts;
  if (!report.ok()) return counts;
  for (const ComponentResult& component : report->components) {
    for (const Finding& f : component.findings) {
      if (f.validated) ++counts[{component.path, f.entity, f.normalized}];
    }
  }
  return counts;
}

// Compares the two analyses of `paths`; returns the number of regex findings missing.
int CompareOn(const std::vector<std::string>& paths) {
  static const auto by_tokens = PiiDb(true);
  static const auto by_regex = PiiDb(false);
  if (!by_tokens || !by_regex) return -1;
  int missing = 0;
  std::map<std::string, int> extra_by_type, regex_by_type;
  for (const std::string& path : paths) {
    const Counts tokens = Validated(path, by_tokens);
    const Counts regex = Validated(path, by_regex);
    for (const auto& [key, count] : regex) {
      regex_by_type[std::get<1>(key)] += count;
      const auto it = tokens.find(key);
      const int found = it == tokens.end() ? 0 : it->second;
      if (found < count) {
        missing += count - found;
        ADD_FAILURE() << "the token pass misses " << std::get<1>(key) << " "
                      << std::get<2>(key) << " in " << std::get<0>(key) << " (regex "
                      << count << ", tokens " << found << ")";
      }
    }
    for (const auto& [key, count] : tokens) {
      const auto it = regex.find(key);
      const int beyond = count - (it == regex.end() ? 0 : it->second);
      if (beyond > 0) {
        extra_by_type[std::get<1>(key)] += beyond;
        if (std::getenv("TRAWL_TOKENS_LIST_EXTRAS") != nullptr) {
          std::printf("  extra %s %s in %s\n", std::get<1>(key).c_str(),
                      std::get<2>(key).c_str(), std::get<0>(key).c_str());
        }
      }
    }
  }
  std::printf("validated findings of the regexes per type:");
  for (const auto& [type, count] : regex_by_type) std::printf(" %s %d", type.c_str(), count);
  std::printf("\nfound by the token pass only, per type:");
  for (const auto& [type, count] : extra_by_type) std::printf(" %s %d", type.c_str(), count);
  std::printf("\n");
  return missing;
}

TEST(TokenEquivalenceTest, FixtureAndRuleExamples) {
  const std::string dir = testing::TempDir() + "/token_equivalence";
  fs::create_directories(dir);
  auto rules = LoadRuleFile(kSource + "/rules/pii.json");
  ASSERT_TRUE(rules.ok());
  const std::string examples = dir + "/examples.txt";
  {
    std::ofstream out(examples);
    for (const Definition& def : rules->definitions) {
      for (const std::string& e : def.examples) out << e << "\n";
      for (const std::string& e : def.negative_examples) out << e << "\n";
    }
  }
  EXPECT_EQ(CompareOn({kSource + "/tests/tokens/data/entities.txt", examples}), 0);
}

TEST(TokenEquivalenceTest, SamplePackage) {
  EXPECT_EQ(CompareOn({kSource + "/examples/sample/sample-package.tar.gz"}), 0);
}

TEST(TokenEquivalenceTest, SharedCorpusFixtures) {
  const fs::path corpus = fs::path(SharedDir()) / "corpus" / "scan_inputs";
  if (!fs::exists(corpus)) GTEST_SKIP() << corpus << " is not present";
  std::vector<std::string> paths;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.rfind("bench_mixed_16MiB", 0) == 0) continue;
    paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(CompareOn(paths), 0);
}

TEST(TokenEquivalenceTest, BenchMixed16MiB) {
  const fs::path bench = fs::path(SharedDir()) / "corpus" / "scan_inputs" / "bench_mixed_16MiB.bin";
  if (!fs::exists(bench)) GTEST_SKIP() << bench << " is not present";
  EXPECT_EQ(CompareOn({bench.string()}), 0);
}

// The URL rule's shape only says where a URL may start; its regex gives the match, so its
// matches must be the regexes' exactly (span and captures), in one buffer and across the
// scanner's rounds (a small chunk puts many round edges inside the text).
using Spans = std::vector<std::vector<int64_t>>;  // start, end, captures...

Spans UrlMatches(bool token_pass, std::string_view input, size_t chunk_bytes) {
  auto rules = LoadRuleFile(kSource + "/rules/pii.json");
  EXPECT_TRUE(rules.ok()) << rules.status();
  std::vector<Definition> url;
  for (const Definition& def : rules->definitions) {
    if (def.id == "entity-url") url.push_back(def);
  }
  EXPECT_EQ(url.size(), 1u);
  EXPECT_EQ(url[0].token.shape, "url");
  CompileOptions options;
  options.token_pass = token_pass;
  auto db = CompileDatabase(url, options);
  EXPECT_TRUE(db.ok()) << db.status();
  auto scanner = Scanner::Create(*db);
  EXPECT_TRUE(scanner.ok()) << scanner.status();
  ScanLimits limits;
  limits.max_matches = 0;
  limits.max_matches_per_rule = 0;
  limits.chunk_bytes = chunk_bytes;
  Spans spans;
  auto summary = (*scanner)->Scan(input, limits, [&](const Match& m) {
    std::vector<int64_t> span = {static_cast<int64_t>(m.start), static_cast<int64_t>(m.end)};
    span.insert(span.end(), m.captures, m.captures + 2 * m.capture_count);
    spans.push_back(std::move(span));
    return true;
  });
  EXPECT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->truncation, 0u);
  return spans;
}

TEST(TokenEquivalenceTest, UrlMatchesAreTheRegexesExactly) {
  std::string text =
      "see https://docs.example.org/guide/intro?x=1, ftp://files.example.net/pub/ and "
      "[guide](https://wiki.example.org/wiki/Foo_(bar)). git+https://u:p@git.example.net/r.git "
      "xhttp://no.example.com http://. https:// spaced http://a https://x.org/a,http://y.org "
      "HTTP://upper.example.com \"http://q.example.com/\" (http://paren.example.com/x) "
      "http://a.example.com/http://b.example.com/(c) 9https://no.example.com _http://no.x\n";
  const fs::path bench = fs::path(SharedDir()) / "corpus" / "scan_inputs" / "bench_mixed_16MiB.bin";
  std::vector<std::string> inputs = {text};
  std::string repeated;
  for (int i = 0; i < 400; ++i) repeated += text;  // 200 KiB: round edges at 64 KiB chunks
  inputs.push_back(repeated);
  if (auto bytes = ReadFile(bench.string()); bytes.ok()) inputs.push_back(*bytes);
  for (const std::string& input : inputs) {
    const Spans want = UrlMatches(false, input, 8 << 20);
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(UrlMatches(true, input, 8 << 20), want) << "input of " << input.size() << " bytes";
    EXPECT_EQ(UrlMatches(true, input, 64 << 10), want) << "input of " << input.size() << " bytes";
  }
}

}  // namespace
}  // namespace trawl
