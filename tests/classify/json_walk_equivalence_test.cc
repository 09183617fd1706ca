// Issue 22: one parse per JSON document. Classification with the structure analysis'
// parser gives the plain Classify's verdict, and the JSON report the analysis then makes
// from that parse (no walk: JsonOptions::counts off) reads, where the analysis reads it,
// as the On Demand walk's: on every JSON fixture of the tree (the JSON structure fuzzer's
// corpus, also as array elements and member values, rule packs, schemas, test data) and
// on the edges where the DOM parse and the walk differ (lone surrogates, numbers out of
// range, depth).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "classify/classify.h"
#include "structure/json_structure.h"
#include "util/file.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;
const std::string kSource = TRAWL_SOURCE_DIR;

struct Input {
  std::string name;
  std::string bytes;
};

std::vector<Input> Fixtures() {
  std::vector<Input> out;
  const auto add_dir = [&out](const fs::path& dir, bool json_only) {
    if (!fs::exists(dir)) return;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.file_size() > (4u << 20)) continue;
      const std::string ext = entry.path().extension().string();
      if (json_only && ext != ".json" && ext != ".ndjson" && ext != ".jsonl") continue;
      auto bytes = ReadFile(entry.path().string());
      if (bytes.ok()) out.push_back({entry.path().string(), *std::move(bytes)});
    }
  };
  add_dir(kSource + "/tests/structure/corpus/structure_json_fuzzer", false);
  // Fuzzer inputs are mostly fragments: as array elements and member values too.
  for (size_t i = 0, n = out.size(); i < n; ++i) {
    out.push_back({out[i].name + " in []", "[" + out[i].bytes + "]"});
    out.push_back({out[i].name + " as value", "{\"k\":" + out[i].bytes + "}"});
  }
  add_dir(kSource + "/rules", true);
  add_dir(kSource + "/schemas", true);
  add_dir(kSource + "/tests", true);
  // Where a DOM parse and the walk differ, and the edges of what each accepts.
  const std::string deep = std::string(1030, '[') + std::string(1030, ']');
  const std::vector<std::string> edges = {
      R"({"a":"\ud800"})",          R"({"a":"\udc00x"})",       R"({"a":"\ud83d\ude00"})",
      R"({"a":1e400})",             R"({"a":-1e-400})",         R"({"a":123456789012345678901234})",
      R"({"a":18446744073709551615})", R"({"a":18446744073709551616})",
      R"({"a":-9223372036854775809})", R"({"a":01})",          R"({"a":1.})",
      R"({"a":.5})",                R"({"a":tru})",             R"({"a":truex})",
      R"({"a":nul})",               R"({"a":"\x"})",            R"({"a":"\u12"})",
      R"({"a":1,})",                R"([1,2,])",                R"({"a" 1})",
      R"({"a":1}{"b":2})",          R"({"a":1} x)",             "{\"a\":\"\x01\"}",
      "{\"a\":\"\xC3\"}",           R"({"a":[1,{"b":[true,false,null]}]})",
      std::string(1023, '[') + std::string(1023, ']'),
      std::string(1024, '[') + std::string(1024, ']'),
      std::string(1025, '[') + std::string(1025, ']'),
      deep,
  };
  for (size_t i = 0; i < edges.size(); ++i) out.push_back({"edge " + std::to_string(i), edges[i]});
  return out;
}

void ExpectSameMap(const OffsetMap& a, const OffsetMap& b) {
  ASSERT_EQ(a.pieces().size(), b.pieces().size());
  for (size_t i = 0; i < a.pieces().size(); ++i) {
    EXPECT_EQ(a.pieces()[i].derived_begin, b.pieces()[i].derived_begin);
    EXPECT_EQ(a.pieces()[i].source_begin, b.pieces()[i].source_begin);
    EXPECT_EQ(a.pieces()[i].derived_length, b.pieces()[i].derived_length);
    EXPECT_EQ(a.pieces()[i].source_length_and_flag, b.pieces()[i].source_length_and_flag);
  }
}

// What the component analysis reads of a JSON report without a locator is the walk's.
void ExpectSameAsTheWalk(const JsonReport& walk, const JsonReport& lean, const std::string& name) {
  SCOPED_TRACE(name);
  EXPECT_EQ(walk.valid, lean.valid);
  EXPECT_EQ(walk.status, lean.status);
  EXPECT_EQ(walk.error_code, lean.error_code);
  EXPECT_EQ(walk.error_offset, lean.error_offset);
  EXPECT_EQ(walk.size, lean.size);
  EXPECT_EQ(walk.records, lean.records);
  EXPECT_EQ(walk.counts.escaped_strings, lean.counts.escaped_strings);
  EXPECT_EQ(walk.lone_surrogates, lean.lone_surrogates);
  EXPECT_EQ(walk.decoded_strings.count, lean.decoded_strings.count);
  EXPECT_EQ(walk.decoded_strings.text, lean.decoded_strings.text);
  ExpectSameMap(walk.decoded_strings.map, lean.decoded_strings.map);
  EXPECT_FALSE(lean.locator.has_value());
}

JsonOptions Walked() {
  JsonOptions options;
  options.build_locator = false;
  options.statistics = false;
  return options;
}

// As the component analysis runs it: no counts, so a valid document is not walked.
JsonOptions NotWalked() {
  JsonOptions options = Walked();
  options.counts = false;
  return options;
}

TEST(JsonWalkEquivalenceTest, SameClassificationAsTheDomParse) {
  JsonAnalyzer analyzer(NotWalked()), walker(Walked());
  size_t json_documents = 0, validated = 0;
  const std::vector<Input> inputs = Fixtures();
  ASSERT_GT(inputs.size(), 2400u);  // the fuzzer corpus is there
  for (const Input& input : inputs) {
    const Classification dom = Classify(input.bytes, input.name);
    bool reusable = false;
    const Classification shared = Classify(input.bytes, input.name, &analyzer, &reusable);
    EXPECT_EQ(FormatName(shared.format), FormatName(dom.format)) << input.name;
    EXPECT_EQ(shared.media_type, dom.media_type) << input.name;
    EXPECT_EQ(shared.evidence, dom.evidence) << input.name;
    json_documents += dom.format == Format::kJson;
    if (reusable) {
      ++validated;
      EXPECT_EQ(shared.format, Format::kJson) << input.name;
      // The report made from the classification's parse is the walk's, where it counts.
      const JsonReport lean = analyzer.Analyze(input.bytes, true);
      ExpectSameAsTheWalk(walker.Analyze(input.bytes), lean, input.name);
      EXPECT_TRUE(lean.valid) << input.name;
    }
  }
  EXPECT_GT(json_documents, 100u);
  EXPECT_GT(validated, 100u);
}

// Without a classification before it, the analysis parses for itself: valid documents
// from the DOM parse's index, the rest walked (their error, the strings before it).
TEST(JsonWalkEquivalenceTest, WithoutAWalkTheAnalysisReadsWhatTheWalkGives) {
  JsonAnalyzer analyzer(NotWalked()), walker(Walked());
  size_t valid = 0, invalid = 0;
  for (const Input& input : Fixtures()) {
    const JsonReport walk = walker.Analyze(input.bytes);
    ExpectSameAsTheWalk(walk, analyzer.Analyze(input.bytes), input.name);
    // A promise that does not hold (other bytes were validated last) is not trusted.
    ExpectSameAsTheWalk(walk, analyzer.Analyze(input.bytes, true), input.name + " (promised)");
    (walk.valid ? valid : invalid) += 1;
    if (HasFailure()) return;
  }
  EXPECT_GT(valid, 100u);
  EXPECT_GT(invalid, 100u);
}

// The depth limits: the DOM parse (which decides when nothing is walked) must reject
// every document the walk rejects for its depth, or the two paths would differ.
TEST(JsonWalkEquivalenceTest, TheDomDepthLimitIsNoLooserThanTheWalks) {
  JsonAnalyzer analyzer(NotWalked()), walker(Walked());
  size_t dom_accepts = 0, walk_accepts = 0;
  for (size_t depth = 1018; depth <= 1030; ++depth) {
    const std::string doc = std::string(depth, '[') + "\"a\\nb\"" + std::string(depth, ']');
    const JsonReport walk = walker.Analyze(doc);
    const bool dom = analyzer.Validate(doc);
    EXPECT_TRUE(!dom || walk.valid) << depth;
    dom_accepts += dom;
    walk_accepts += walk.valid;
    ExpectSameAsTheWalk(walk, analyzer.Analyze(doc), "depth " + std::to_string(depth));
  }
  // Both limits fall inside the range tried (the DOM parse's at 1023 containers, the
  // walk's at 1024 with simdjson 3.0.1).
  EXPECT_GT(dom_accepts, 0u);
  EXPECT_LE(dom_accepts, walk_accepts);
  EXPECT_LT(walk_accepts, 13u);
}

}  // namespace
}  // namespace trawl
