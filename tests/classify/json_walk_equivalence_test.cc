// Classification with the structure walk (issue 22: one parse per JSON document) gives
// the same verdict as with the DOM parse, on every JSON fixture of the tree (the JSON
// structure fuzzer's corpus, rule packs, schemas, test data) and on the cases where the
// two parsers are known to differ (the walk hands those to the DOM parse).
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "classify/classify.h"
#include "structure/json_structure.h"
#include "util/file.h"
#include "util/json_writer.h"

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

std::string Summary(const JsonReport& report) {
  JsonWriter w;
  report.WriteJson(w, ~size_t{0});
  return w.Take();
}

TEST(JsonWalkEquivalenceTest, SameClassificationAsTheDomParse) {
  JsonOptions stats;
  stats.build_locator = false;
  JsonAnalyzer analyzer(stats);
  size_t json_documents = 0, walked = 0;
  const std::vector<Input> inputs = Fixtures();
  ASSERT_GT(inputs.size(), 2400u);  // the fuzzer corpus is there
  for (const Input& input : inputs) {
    const Classification dom = Classify(input.bytes, input.name);
    std::optional<JsonReport> walk;
    const Classification shared = Classify(input.bytes, input.name, &analyzer, &walk);
    EXPECT_EQ(FormatName(shared.format), FormatName(dom.format)) << input.name;
    EXPECT_EQ(shared.media_type, dom.media_type) << input.name;
    EXPECT_EQ(shared.evidence, dom.evidence) << input.name;
    json_documents += dom.format == Format::kJson;
    if (walk) {
      ++walked;
      // The report handed on is the one the structure analysis makes of these bytes.
      JsonAnalyzer fresh(stats);
      const JsonReport again = fresh.Analyze(input.bytes);
      EXPECT_EQ(Summary(*walk), Summary(again)) << input.name;
      EXPECT_EQ(walk->decoded_strings.text, again.decoded_strings.text) << input.name;
    }
  }
  EXPECT_GT(json_documents, 100u);
  EXPECT_GT(walked, 100u);
}

}  // namespace
}  // namespace trawl
