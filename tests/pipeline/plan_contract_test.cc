// The plan is the contract between the classify and analyze stages: for every kind of
// component, the analysis runs every planned step and no other, and what a step does
// shows in the findings (a Latin-1 secret next to a non-ASCII byte is found and placed at
// its bytes; an image is scanned; a plan without patterns scans nothing).
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "analyze/component_result_json.h"
#include "engine/compiler.h"
#include "gtest/gtest.h"
#include "intake/archive_builder.h"
#include "intake/decompose.h"
#include "pipeline/package_analysis.h"
#include "rules/loader.h"
#include "util/digest.h"

namespace trawl {
namespace {

const std::string kToken = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";

std::shared_ptr<const Database> TwoChainDb() {
  const std::string rules = R"json([
    {"id": "github-token", "regex": "ghp_[A-Za-z0-9]{36}", "chains": ["secrets"],
     "severity": "critical"},
    {"id": "mail", "regex": "[a-z]+@example\\.org", "chains": ["entities"], "entity": "email"}
  ])json";
  auto set = ParseDefinitions(rules, "inline");
  EXPECT_TRUE(set.ok() && set->issues.empty());
  auto db = CompileDatabase(set->definitions, {});
  EXPECT_TRUE(db.ok()) << db.status();
  return *db;
}

std::string Utf16(std::string_view ascii, bool big_endian) {
  std::string out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (char c : ascii) {
    if (big_endian) out.push_back('\0');
    out.push_back(c);
    if (!big_endian) out.push_back('\0');
  }
  return out;
}

// A PNG whose tEXt chunk carries the token: image metadata can hold a secret.
std::string Png() {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\0\0\0\0", 33);
  const std::string text = "Comment\0" + kToken;
  png += std::string("\0\0\0", 3) + static_cast<char>(text.size()) + "tEXt" + text + "\0\0\0\0";
  return png + std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12);
}

// The Latin-1 file: the token sits right after one non-ASCII byte and before another.
const std::string kLatin1Prefix = "caf\xe9 cr\xe8me: \xe9";
const std::string kLatin1 = kLatin1Prefix + kToken + "\xfc ok\n";

std::vector<testing::TestEntry> Fixtures() {
  const std::string line = "key=" + kToken + " mail: ops@example.org\n";
  return {
      {"config.json", R"({"db": {"token": ")" + kToken + R"("}, "esc": "gh\u0070_x"})"},
      {"events.ndjson", "{\"a\": 1, \"t\": \"" + kToken + "\"}\n{\"a\": 2}\n"},
      {"users.csv", "name,token,mail\nann," + kToken + ",ann@example.org\nbob,x,y\n"},
      {"data.tsv", "name\ttoken\nann\t" + kToken + "\nbob\tx\n"},
      {"page.html", "<!DOCTYPE html><html><body><p>" + kToken + "</p></body></html>\n"},
      {"doc.xml", "<?xml version=\"1.0\"?><config><token>" + kToken + "</token></config>\n"},
      {"conf.yaml", "service:\n  name: web\n  token: " + kToken + "\n  port: 80\n"},
      {"main.py", "#!/usr/bin/env python3\nimport os\nTOKEN = \"" + kToken + "\"\n"},
      {"app.log", "2026-01-02T03:04:05Z INFO " + line + "2026-01-02T03:04:06Z WARN b\n"},
      {"notes.txt", "Ask ops for the " + line + "thanks\n"},
      {"defanged.txt", "callback to evil[.]example and " + line},
      {"key.pem", "-----BEGIN PRIVATE KEY-----\nMIIB" + kToken + "\n-----END PRIVATE KEY-----\n"},
      {"utf16le.txt", Utf16("token " + kToken + "\r\nend\r\n", false)},
      {"utf16be.txt", Utf16("token " + kToken + "\r\nend\r\n", true)},
      {"latin1.txt", kLatin1},
      {"image.png", Png()},
      {"tool.elf", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16) + kToken +
                       std::string(64, '\0')},
      {"doc.pdf", "%PDF-1.4\n1 0 obj << /Author (" + kToken + ") >> endobj\n%%EOF\n"},
      {"blob.bin", std::string("\0\x01\x02\x03", 4) + kToken + std::string("\xff\0\x10", 3)},
      {"empty.txt", ""},
  };
}

using StepSet = std::multiset<std::string>;

StepSet Steps(const std::vector<PlanStep>& steps) {
  StepSet out;
  for (const PlanStep& s : steps) out.insert(s.stage + ":" + s.name + ":" + s.input);
  return out;
}

class PlanContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TwoChainDb();
    ASSERT_TRUE(db_);
    DecomposeOptions options;
    options.package_id = "plan-contract";
    auto collected = CollectBytes(testing::TarGz(Fixtures()), options);
    ASSERT_TRUE(collected.ok()) << collected.status();
    package_ = *std::move(collected);
  }

  std::string_view Content(const Component& c) const {
    auto it = package_.content.find(c.id);
    return it == package_.content.end() ? std::string_view() : std::string_view(it->second);
  }

  const Component* Named(std::string_view name) const {
    for (const Component& c : package_.manifest.components) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  std::shared_ptr<const Database> db_;
  Decomposition package_;
};

TEST_F(PlanContractTest, EveryPlannedStepRunsAndNoOther) {
  std::set<Format> formats;
  size_t analysed = 0;
  for (const Component* c : ComponentsToAnalyze(package_.manifest)) {
    SCOPED_TRACE(c->path);
    auto plan = PlanManifestComponent(package_.manifest, c->id, Content(*c), db_.get());
    ASSERT_TRUE(plan.ok()) << plan.status();
    auto result = AnalyzeManifestComponent(package_.manifest, c->id, Content(*c), db_, {});
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(Steps(result->steps), Steps(plan->steps));
    if (!plan->analyze) {
      EXPECT_EQ(result->status, "skipped");
      EXPECT_EQ(result->reason, plan->reasons.back());
      continue;
    }
    ++analysed;
    formats.insert(plan->format);
    EXPECT_EQ(result->status, "analysed") << result->reason;
    EXPECT_EQ(result->format, FormatName(plan->format));
    EXPECT_EQ(result->encoding, TextEncodingName(plan->encoding));
    // Every fixture but the empty one holds the token where a scan of its (decoded) text
    // sees it; the empty file is analysed too (intake/skip_policy.h: content is never
    // skipped) and has nothing to find.
    if (plan->format == Format::kEmpty) {
      EXPECT_TRUE(result->findings.empty());
      continue;
    }
    const bool found = std::any_of(result->findings.begin(), result->findings.end(),
                                   [](const Finding& f) { return f.value == kToken; });
    EXPECT_TRUE(found) << FormatName(plan->format);
  }
  EXPECT_EQ(analysed, Fixtures().size());
  for (Format f : {Format::kJson, Format::kNdjson, Format::kCsv, Format::kTsv, Format::kHtml,
                   Format::kXml, Format::kYaml, Format::kSourceCode, Format::kLog,
                   Format::kPlainText, Format::kPem, Format::kImage, Format::kElf, Format::kPdf,
                   Format::kBinary}) {
    EXPECT_TRUE(formats.count(f)) << "no fixture of format " << FormatName(f);
  }
}

TEST_F(PlanContractTest, Latin1TextIsTranscodedAndFindingsPointAtItsBytes) {
  const Component* c = Named("latin1.txt");
  ASSERT_NE(c, nullptr);
  auto plan = PlanManifestComponent(package_.manifest, c->id, Content(*c), db_.get());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->encoding, TextEncoding::kLatin1);
  ASSERT_FALSE(plan->steps.empty());
  EXPECT_EQ(plan->steps[0].stage, "transcode");
  EXPECT_EQ(plan->steps[0].name, "latin-1");
  auto result = AnalyzeManifestComponent(package_.manifest, c->id, Content(*c), db_, {});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->findings.size(), 1u);
  const Finding& f = result->findings[0];
  EXPECT_EQ(f.value, kToken);
  // The original bytes: each non-ASCII byte before the token is one byte, not two.
  EXPECT_EQ(f.start, kLatin1Prefix.size());
  EXPECT_EQ(f.end, kLatin1Prefix.size() + kToken.size());
  EXPECT_EQ(Content(*c).substr(f.start, f.end - f.start), kToken);
  EXPECT_EQ(f.decoded_from, "latin-1");
  EXPECT_EQ(f.line, 1);
}

TEST_F(PlanContractTest, AnalysisDoesWhatThePlanSaysOnly) {
  const Component* image = Named("image.png");
  ASSERT_NE(image, nullptr);
  auto analyzer = ComponentAnalyzer::Create(db_);
  ASSERT_TRUE(analyzer.ok());
  PlanOptions options;
  options.pattern_chains = db_->chains();
  const ProcessingPlan full = PlanComponent(*image, Content(*image), options);
  ASSERT_EQ(full.format, Format::kImage);
  auto scanned = (*analyzer)->Analyze(full, Content(*image), {});
  ASSERT_TRUE(scanned.ok());
  ASSERT_EQ(scanned->findings.size(), 1u);  // the secret in the PNG's text chunk
  EXPECT_EQ(scanned->findings[0].value, kToken);

  // A plan without patterns (a host may route images to structure only) scans nothing.
  ProcessingPlan structure_only = full;
  std::erase_if(structure_only.steps, [](const PlanStep& s) {
    return s.stage == "patterns" || s.stage == "entities" || s.stage == "decode";
  });
  auto unscanned = (*analyzer)->Analyze(structure_only, Content(*image), {});
  ASSERT_TRUE(unscanned.ok());
  EXPECT_TRUE(unscanned->findings.empty());
  EXPECT_EQ(unscanned->bytes_scanned, 0u);
  EXPECT_EQ(Steps(unscanned->steps), StepSet({"structure:binary:raw"}));

  // Only the planned chains report: without "secrets" the token is not a finding.
  const Component* notes = Named("notes.txt");
  ASSERT_NE(notes, nullptr);
  options.pattern_chains = {"entities"};
  const ProcessingPlan entities_only = PlanComponent(*notes, Content(*notes), options);
  auto mails = (*analyzer)->Analyze(entities_only, Content(*notes), {});
  ASSERT_TRUE(mails.ok());
  ASSERT_EQ(mails->findings.size(), 1u);
  EXPECT_EQ(mails->findings[0].rule_id, "mail");

  // A step this analyzer does not run is an error, not silently ignored.
  ProcessingPlan unknown = full;
  unknown.steps.push_back({"ocr", "text", "raw", 0});
  auto refused = (*analyzer)->Analyze(unknown, Content(*image), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
}

// The bundled sample package: its real components keep the contract too.
TEST_F(PlanContractTest, SamplePackageKeepsTheContract) {
  std::ifstream in(std::string(TRAWL_SOURCE_DIR) + "/examples/sample/sample-package.tar.gz",
                   std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  DecomposeOptions options;
  options.package_id = "sample";
  auto sample = CollectBytes(bytes.str(), options);
  ASSERT_TRUE(sample.ok());
  for (const Component* c : ComponentsToAnalyze(sample->manifest)) {
    const std::string_view content = sample->content[c->id];
    auto plan = PlanManifestComponent(sample->manifest, c->id, content, db_.get());
    auto result = AnalyzeManifestComponent(sample->manifest, c->id, content, db_, {});
    ASSERT_TRUE(plan.ok() && result.ok()) << c->path;
    EXPECT_EQ(Steps(result->steps), Steps(plan->steps)) << c->path;
  }
}

}  // namespace
}  // namespace trawl
