// A component analysed as a stream, window by window (issue 22), reports what the
// analysis of the whole content reports: the same result document for text (findings
// that straddle window boundaries included, whatever the sizes of the writes), and for a
// JSON document the same findings at the same bytes, lines and columns, without JSON
// pointers, with the reason saying so.
#include "analyze/streamed_analysis.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "analyze/component_result_json.h"
#include "engine/test_util.h"
#include "far_apart_rule.h"
#include "rules/loader.h"
#include "scan_plan/random_rules.h"

namespace trawl {
namespace {

const std::string kSource = TRAWL_SOURCE_DIR;

std::shared_ptr<const Database> SecretsAndPiiDb() {
  return testing_util::MustCompileFiles(
      {kSource + "/rules/secrets.json", kSource + "/rules/pii.json"});
}

// A log with secrets, PII, a base64 layer holding a key, a defanged indicator, mixed line
// endings (CRLF, lone CR) and inline-ignore markers.
std::string MakeLog(size_t lines) {
  std::mt19937 rng(22);
  const char* words[] = {"alpha", "beta", "gamma", "delta", "request", "served", "user", "ok"};
  const char* planted[] = {
      " token=ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn",
      " aws=AKIA64CFSUOSG2WPIZZX",
      " mail=ops@example.org",
      " card=4111111111111111",
      " blob=a2V5PUFLSUE2NENGU1VPU0cyV1BJWlpYIHNlY3JldCBwYXlsb2FkIGhlcmU=",
      " seen 95.130.15[.]34 hxxp://evil[.]example/gate.php",
      " sk_live_lpAu0gPzc8cQ1aMx7tVR3Yzf trawl:ignore",
  };
  const char* endings[] = {"\n", "\n", "\n", "\r\n", "\r"};
  std::string out;
  for (size_t i = 0; i < lines; ++i) {
    out += "2026-11-26T10:00:";
    out += std::to_string(10 + i % 50);
    out += "Z INFO";
    for (int w = 0; w < 6; ++w) {
      out += ' ';
      out += words[rng() % 8];
    }
    if (rng() % 4 == 0) out += planted[rng() % 7];
    out += endings[rng() % 5];
  }
  return out;
}

Component TestComponent(const std::string& bytes, std::string name) {
  Component c;
  c.id = "0123456789abcdef0123456789abcdef";
  c.name = name;
  c.path = "pkg!/" + name;
  c.size = bytes.size();
  c.has_content = true;
  c.content_complete = true;
  return c;
}

// 100 KB of plain lines, for the composite tests to plant their patterns in.
std::string OrdinaryText() {
  std::string text;
  while (text.size() < 100000) text += "an ordinary line of text\n";
  return text;
}

std::set<std::string> RulesFound(const ComponentResult& r) {
  std::set<std::string> ids;
  for (const Finding& f : r.findings) ids.insert(f.rule_id);
  return ids;
}

// An analyzer over the rules of `json` (null when they do not compile), planning every
// chain they have.
struct RulesAnalyzer {
  std::unique_ptr<ComponentAnalyzer> analyzer;
  PlanOptions plan_options;
};

RulesAnalyzer AnalyzerOf(std::string_view json) {
  RulesAnalyzer out;
  auto rules = ParseDefinitions(json, "rules.json");
  EXPECT_TRUE(rules.ok()) << rules.status();
  if (!rules.ok()) return out;
  const std::shared_ptr<const Database> db = testing_util::MustCompile(rules->definitions);
  if (db == nullptr) return out;
  auto analyzer = ComponentAnalyzer::Create(db);
  EXPECT_TRUE(analyzer.ok());
  if (!analyzer.ok()) return out;
  out.analyzer = *std::move(analyzer);
  out.plan_options.pattern_chains = db->chains();
  return out;
}

// Streams `bytes` in writes of random sizes up to `max_write`.
ComponentResult Streamed(ComponentAnalyzer* analyzer, const Component& component,
                         const std::string& bytes, const PlanOptions& plan_options,
                         const AnalyzeOptions& options, StreamWindows windows, size_t max_write,
                         uint32_t seed) {
  std::mt19937 rng(seed);
  StreamedAnalysis stream(analyzer, component, std::string_view(bytes).substr(0, 64 << 10),
                          plan_options, options, windows);
  for (size_t at = 0; at < bytes.size();) {
    const size_t n = std::min<size_t>(bytes.size() - at, 1 + rng() % max_write);
    EXPECT_TRUE(stream.Write(std::string_view(bytes).substr(at, n)).ok());
    at += n;
  }
  auto result = stream.Finish(component);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ComponentResult{};
}

class StreamedAnalysisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = SecretsAndPiiDb();
    ASSERT_NE(db_, nullptr);
    auto analyzer = ComponentAnalyzer::Create(db_);
    ASSERT_TRUE(analyzer.ok());
    analyzer_ = *std::move(analyzer);
    plan_options_.pattern_chains = db_->chains();
  }
  std::shared_ptr<const Database> db_;
  std::unique_ptr<ComponentAnalyzer> analyzer_;
  PlanOptions plan_options_;
  AnalyzeOptions options_;
};

TEST_F(StreamedAnalysisTest, LogGivesTheWholeAnalysisResult) {
  const std::string log = MakeLog(6000);
  const Component component = TestComponent(log, "app.log");
  auto whole = analyzer_->PlanAndAnalyze(component, log, plan_options_, options_);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ(whole->format, "log");
  const std::string want = ComponentResultToJson(*whole);
  size_t layered = 0, refanged = 0, ignored = 0;
  for (const Finding& f : whole->findings) {
    layered += f.decoded_from == "base64";
    refanged += f.decoded_from == "refanged";
    ignored += !f.inline_ignore.empty();
  }
  ASSERT_GT(whole->findings.size(), 500u);
  ASSERT_GT(layered, 10u);
  ASSERT_GT(refanged, 10u);
  ASSERT_GT(ignored, 10u);

  // Windows of many sizes, and windows whose boundaries cut a raw, a base64-layer and a
  // refanged finding in the middle.
  std::vector<StreamWindows> shapes = {{4096, 1024}, {5000, 2048}, {65536, 4096}, {7777, 777}};
  for (const char* decoded : {"", "base64", "refanged"}) {
    for (const Finding& f : whole->findings) {
      if (f.decoded_from != decoded || f.end - f.start < 8) continue;
      shapes.push_back({f.start + (f.end - f.start) / 2, 1024});
      break;
    }
  }
  uint32_t seed = 1;
  for (const StreamWindows& w : shapes) {
    size_t straddling = 0;
    for (const Finding& f : whole->findings) {
      straddling += f.start / w.window_bytes != (f.end - 1) / w.window_bytes;
    }
    for (size_t max_write : {size_t{1} << 10, size_t{64} << 10, log.size()}) {
      const ComponentResult got =
          Streamed(analyzer_.get(), component, log, plan_options_, options_, w, max_write, seed++);
      EXPECT_EQ(ComponentResultToJson(got), want)
          << "window " << w.window_bytes << " context " << w.context_bytes << " writes "
          << max_write << " (" << straddling << " findings straddle a boundary)";
    }
  }
}

TEST_F(StreamedAnalysisTest, MatchCapsCountOverTheWholeComponent) {
  const std::string log = MakeLog(3000);
  const Component component = TestComponent(log, "app.log");
  AnalyzeOptions capped = options_;
  capped.limits.max_matches_per_rule = 7;
  auto whole = analyzer_->PlanAndAnalyze(component, log, plan_options_, capped);
  ASSERT_TRUE(whole.ok());
  ASSERT_NE(whole->truncation & kTruncRuleMatchCap, 0u);
  const ComponentResult got =
      Streamed(analyzer_.get(), component, log, plan_options_, capped, {4096, 1024}, 8192, 7);
  EXPECT_EQ(ComponentResultToJson(got), ComponentResultToJson(*whole));

  capped.limits.max_matches_per_rule = 0;
  capped.limits.max_matches = 40;
  whole = analyzer_->PlanAndAnalyze(component, log, plan_options_, capped);
  ASSERT_TRUE(whole.ok());
  ASSERT_NE(whole->truncation & kTruncMatchCap, 0u);
  const ComponentResult stopped =
      Streamed(analyzer_.get(), component, log, plan_options_, capped, {4096, 1024}, 8192, 8);
  EXPECT_NE(stopped.truncation & kTruncMatchCap, 0u);
  EXPECT_NE(stopped.reason.find("match_cap"), std::string::npos) << stopped.reason;
  // Which 40 matches a capped scan keeps follows the engine's order inside a chunk (rule
  // partitions one after the other), which windows do not reproduce: each kept one is a
  // finding of the uncapped analysis.
  auto uncapped = analyzer_->PlanAndAnalyze(component, log, plan_options_, options_);
  ASSERT_TRUE(uncapped.ok());
  std::set<std::pair<std::string, uint64_t>> all;
  for (const Finding& f : uncapped->findings) all.emplace(f.rule_id, f.start);
  ASSERT_FALSE(stopped.findings.empty());
  for (const Finding& f : stopped.findings) EXPECT_TRUE(all.count({f.rule_id, f.start}));
}

TEST_F(StreamedAnalysisTest, JsonDocumentKeepsItsFindingsWithoutPointers) {
  std::string json = "{\"service\": \"billing\",\n \"records\": [";
  for (int i = 0; i < 3000; ++i) {
    if (i) json += ",\n  ";
    json += "{\"id\": " + std::to_string(i) + ", \"name\": \"user" + std::to_string(i) + "\"";
    if (i % 7 == 0) json += ", \"token\": \"ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn\"";
    if (i % 11 == 0) json += ", \"mail\": \"ops@example.org\"";
    if (i % 13 == 0) json += ", \"list\": [\"AKIA64CFSUOSG2WPIZZX\", 4111111111111111]";
    if (i % 17 == 0) json += ", \"api_key\" : 4111111111111111";
    if (i % 19 == 0) json += ", \"ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn\": {\"secret\": 1}";
    json += "}";
  }
  json += "]}\n";
  const Component component = TestComponent(json, "doc.json");
  auto whole = analyzer_->PlanAndAnalyze(component, json, plan_options_, options_);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->format, "json");
  const ComponentResult got =
      Streamed(analyzer_.get(), component, json, plan_options_, options_, {8192, 2048}, 5000, 3);
  EXPECT_EQ(got.format, "json");
  EXPECT_NE(got.reason.find("JSON structure not analysed"), std::string::npos) << got.reason;
  ASSERT_EQ(got.findings.size(), whole->findings.size());
  for (size_t i = 0; i < got.findings.size(); ++i) {
    const Finding& a = whole->findings[i];
    const Finding& b = got.findings[i];
    EXPECT_EQ(b.rule_id, a.rule_id);
    EXPECT_EQ(b.start, a.start);
    EXPECT_EQ(b.end, a.end);
    EXPECT_EQ(b.line, a.line);
    EXPECT_EQ(b.column, a.column);
    EXPECT_EQ(b.decoded_from, a.decoded_from);
    // The member name the scorer reads is taken from the bytes around the finding.
    EXPECT_EQ(b.confidence, a.confidence) << a.rule_id << " at " << a.start;
    EXPECT_EQ(b.reasons, a.reasons);
    EXPECT_FALSE(a.json_pointer.empty());
    EXPECT_TRUE(b.json_pointer.empty());
  }
  for (const PlanStep& step : got.steps) {
    EXPECT_FALSE(step.stage == "structure" && step.name == "json");
    EXPECT_FALSE(step.stage == "decode" && step.name == "json-strings");
  }
}

// Composite rules are evaluated within each window and its context. A rule whose
// patterns lie in different windows is not found there, and before this test the
// streamed result said nothing about it (a silent loss for imported IDS and YARA rules on
// components above the streaming threshold). Now the result is incomplete
// (kTruncWindowedComposites) with the reason; a composite within one window is still found,
// and a database without composite rules leaves the result complete.
TEST(StreamedCompositeTest, CompositeAcrossWindowsMarksTheResultIncomplete) {
  const std::shared_ptr<const Database> db = testing_util::FarApartDb();
  ASSERT_NE(db, nullptr);
  auto analyzer = ComponentAnalyzer::Create(db);
  ASSERT_TRUE(analyzer.ok());
  PlanOptions plan_options;
  plan_options.pattern_chains = db->chains();
  std::string text = OrdinaryText();
  text.replace(100, 10, "BEGIN-MARK");
  std::string near = text;
  near.replace(900, 8, "END-MARK");
  std::string far = text;
  far.replace(90000, 8, "END-MARK");
  const StreamWindows windows{8192, 2048};
  for (const std::string* input : {&near, &far}) {
    const Component component = TestComponent(*input, "big.txt");
    auto whole = (*analyzer)->PlanAndAnalyze(component, *input, plan_options, {});
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(RulesFound(*whole), std::set<std::string>{"far-apart"});
    EXPECT_EQ(whole->truncation, 0u);
    const ComponentResult got =
        Streamed(analyzer->get(), component, *input, plan_options, {}, windows, 5000, 7);
    EXPECT_EQ(got.truncation, kTruncWindowedComposites) << got.reason;
    EXPECT_NE(got.reason.find("composite rules evaluated within each window of 8192 bytes"),
              std::string::npos)
        << got.reason;
    EXPECT_EQ(RulesFound(got), input == &near ? std::set<std::string>{"far-apart"}
                                               : std::set<std::string>{});
  }
  // Without composite rules in the database, nothing is said.
  auto plain = ComponentAnalyzer::Create(SecretsAndPiiDb());
  ASSERT_TRUE(plain.ok());
  PlanOptions plain_options;
  plain_options.pattern_chains = (*plain)->database().chains();
  const ComponentResult clean = Streamed(plain->get(), TestComponent(far, "big.txt"), far,
                                         plain_options, {}, windows, 5000, 7);
  EXPECT_EQ(clean.truncation, 0u) << clean.reason;
}


// A window is not the component: a rule that reads the size or bytes at fixed offsets,
// places patterns at offsets, needs a pattern's absence or is anchored can hold in a
// window where the component does not hold it. Each rule here does so in one window of
// this input (each was reported from it before this test); the whole analysis reports
// only "near", and so does the streamed one now, saying which it left out.
TEST(StreamedCompositeTest, WindowVerdictsThatMayBeFalseAreNotReported) {
  const RulesAnalyzer a = AnalyzerOf(R"json([
    {"id": "small-file", "category": "signature", "patterns": [{"name": "a", "literal": "SECRETKEY"}],
     "condition": "filesize < 50000 and $a"},
    {"id": "pe-marker", "category": "signature", "patterns": [{"name": "a", "literal": "EVILMARKER"}],
     "condition": "uint16(0) == 0x5A4D and $a"},
    {"id": "absent", "category": "signature", "patterns": [{"name": "a", "literal": "ALPHA-X"},
     {"name": "b", "literal": "OMEGA-X"}], "condition": "$a and not $b"},
    {"id": "at-offset", "category": "signature", "patterns": [{"name": "a", "literal": "HEADER-X"}],
     "condition": "$a at 3000"},
    {"id": "anchored", "category": "signature", "patterns": [{"name": "a", "regex": "TAILLINE\\z"},
     {"name": "b", "literal": "ANCHOR-X"}], "condition": "all of them"},
    {"id": "near", "category": "signature", "patterns": [{"name": "a", "literal": "NEAR-ONE"},
     {"name": "b", "literal": "NEAR-TWO"}], "condition": "all of them"}])json");
  ASSERT_NE(a.analyzer, nullptr);
  std::string text = OrdinaryText();
  // Windows own 8192 bytes each and read 2048 on either side: window k's bytes are
  // [8192 k - 2048, 8192 (k + 1) + 2048). A span that starts before window k's own bytes
  // is not its to report, so a window's verdict shows where the span starts in them.
  const auto window_start = [](size_t k) { return 8192 * k - 2048; };
  const auto window_end = [](size_t k) { return 8192 * (k + 1) + 2048; };
  text.replace(100, 9, "SECRETKEY");
  text.replace(window_start(3), 2, "MZ");
  text.replace(8192 * 3 + 100, 10, "EVILMARKER");
  text.replace(8192 * 5 + 100, 7, "ALPHA-X");
  text.replace(90000, 7, "OMEGA-X");
  text.replace(window_start(7) + 3000, 8, "HEADER-X");
  text.replace(window_end(8) - 8, 8, "TAILLINE");
  text.replace(8192 * 8 + 100, 8, "ANCHOR-X");
  text.replace(8192 * 10 + 100, 8, "NEAR-ONE");
  text.replace(8192 * 10 + 300, 8, "NEAR-TWO");
  const Component component = TestComponent(text, "big.txt");
  auto whole = a.analyzer->PlanAndAnalyze(component, text, a.plan_options, {});
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(RulesFound(*whole), std::set<std::string>{"near"});
  const ComponentResult got =
      Streamed(a.analyzer.get(), component, text, a.plan_options, {}, {8192, 2048}, 5000, 7);
  EXPECT_EQ(RulesFound(got), std::set<std::string>{"near"});
  EXPECT_EQ(got.truncation, kTruncWindowedComposites);
  EXPECT_NE(got.reason.find("not reported from windows: 5 composite rule(s)"), std::string::npos)
      << got.reason;
  EXPECT_EQ(got.rules.count("absent"), 0u);
}

// A rule that applies only to components holding one of its keywords, analysed in
// windows: before the component's keywords were tracked, each window dropped the match
// when its own bytes held none (first silently, then saying the result was incomplete).
// Now the windows keep the content's matches and the component decides them at the end,
// as the whole analysis does: the same findings, before or after the keyword, complete.
TEST(StreamedCompositeTest, KeywordInAnotherWindowDecidesAsTheWholeAnalysis) {
  const RulesAnalyzer a = AnalyzerOf(R"json([{"id": "kw", "regex": "tok_[a-z0-9]{8}",
                                             "required_keywords": ["zebra"]},
                                            {"id": "other", "regex": "key_[a-z0-9]{8}",
                                             "required_keywords": ["okapi"]}])json");
  ASSERT_NE(a.analyzer, nullptr);
  // Windowed UTF-16 text has no line and column (the header says why): spans only there.
  const auto spans = [](const ComponentResult& r, bool lines) {
    std::vector<std::tuple<std::string, uint64_t, uint64_t, int64_t, int64_t>> out;
    for (const Finding& f : r.findings) {
      out.emplace_back(f.rule_id, f.start, f.end, lines ? f.line : 0, lines ? f.column : 0);
    }
    return out;
  };
  for (const bool utf16 : {false, true}) {
    for (const size_t keyword_at : {size_t{100}, size_t{8190}, size_t{95000}}) {
      std::string text = OrdinaryText();
      text.replace(keyword_at, 5, "ZeBrA");
      text.replace(40000, 12, "tok_abcd1234");
      text.replace(60000, 12, "key_abcd1234");  // its keyword is nowhere
      if (utf16) {
        std::string wide = "\xFF\xFE";
        for (char c : text) wide += std::string{c, '\0'};
        text = std::move(wide);
      }
      const Component component = TestComponent(text, "big.txt");
      auto whole = a.analyzer->PlanAndAnalyze(component, text, a.plan_options, {});
      ASSERT_TRUE(whole.ok());
      EXPECT_EQ(RulesFound(*whole), std::set<std::string>{"kw"}) << utf16 << " " << keyword_at;
      const ComponentResult windowed =
          Streamed(a.analyzer.get(), component, text, a.plan_options, {}, {8192, 2048}, 5000, 7);
      EXPECT_EQ(whole->encoding, utf16 ? "utf-16le" : "utf-8");
      EXPECT_EQ(windowed.encoding, whole->encoding);
      EXPECT_EQ(spans(windowed, !utf16), spans(*whole, !utf16)) << utf16 << " " << keyword_at;
      EXPECT_EQ(windowed.truncation, 0u) << windowed.reason;
      EXPECT_EQ(windowed.rules.count("other"), 0u);
    }
  }
}

// The same for a defanged indicator, found in the component's refanged text (its lines
// that hold a defanged token): the keyword is on such a line in another window.
TEST(StreamedCompositeTest, KeywordRuleInRefangedTextDecidesAsTheWholeAnalysis) {
  const RulesAnalyzer a = AnalyzerOf(R"json([{"id": "hook", "regex": "https://hooks\\.example\\.com/[a-z0-9]{8}",
                                             "required_keywords": ["zebra"]}])json");
  ASSERT_NE(a.analyzer, nullptr);
  // Where the keyword is, and whether the refanged text then holds it.
  const std::vector<std::pair<std::string, bool>> cases = {
      {"", false},
      {"\nZEBRA on an ordinary line\n", false},
      {"\nZEBRA at hxxp://203.0.113[.]7/\n", true}};
  for (const auto& [keyword_line, found] : cases) {
    std::string text = OrdinaryText();
    text.replace(100, keyword_line.size(), keyword_line);
    const std::string defanged = "hxxps://hooks[.]example[.]com/abcd1234";
    text.replace(60000, defanged.size(), defanged);
    const Component component = TestComponent(text, "big.txt");
    auto whole = a.analyzer->PlanAndAnalyze(component, text, a.plan_options, {});
    ASSERT_TRUE(whole.ok());
    ASSERT_EQ(whole->findings.size(), found ? 1u : 0u) << keyword_line;
    if (found) {
      EXPECT_EQ(whole->findings[0].decoded_from, "refanged");
    }
    const ComponentResult windowed =
        Streamed(a.analyzer.get(), component, text, a.plan_options, {}, {8192, 2048}, 5000, 7);
    ASSERT_EQ(windowed.findings.size(), whole->findings.size()) << keyword_line << windowed.reason;
    if (found) {
      EXPECT_EQ(windowed.findings[0].start, whole->findings[0].start);
      EXPECT_EQ(windowed.findings[0].end, whole->findings[0].end);
    }
    EXPECT_EQ(windowed.truncation, 0u) << windowed.reason;
  }
}

// And for the UTF-16 strings of a binary: the keyword is in a string in another window.
TEST(StreamedCompositeTest, KeywordRuleInUtf16StringsDecidesAsTheWholeAnalysis) {
  const RulesAnalyzer a = AnalyzerOf(R"json([{"id": "kw", "regex": "tok_[a-z0-9]{8}",
                                             "required_keywords": ["zebra"]}])json");
  ASSERT_NE(a.analyzer, nullptr);
  const auto utf16le = [](std::string_view text) {
    std::string out;
    for (char c : text) out += std::string{c, '\0'};
    return out;
  };
  for (const bool with_keyword : {true, false}) {
    std::string blob;
    for (int i = 0; i < 100000; ++i) blob.push_back(static_cast<char>((i * 37 + 11) % 251));
    if (with_keyword) blob.replace(1000, 40, utf16le("the ZEBRA string..."));
    blob.replace(70000, 40, utf16le("a tok_abcd1234 here."));
    ASSERT_EQ(blob.find("tok_"), std::string::npos);  // not in the raw bytes
    const Component component = TestComponent(blob, "tool.bin");
    auto whole = a.analyzer->PlanAndAnalyze(component, blob, a.plan_options, {});
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole->format, "binary");
    ASSERT_EQ(whole->findings.size(), with_keyword ? 1u : 0u);
    if (with_keyword) {
      EXPECT_EQ(whole->findings[0].decoded_from, "utf16-strings");
    }
    const ComponentResult windowed =
        Streamed(a.analyzer.get(), component, blob, a.plan_options, {}, {8192, 2048}, 5000, 7);
    ASSERT_EQ(windowed.findings.size(), whole->findings.size()) << windowed.reason;
    if (with_keyword) {
      EXPECT_EQ(windowed.findings[0].start, whole->findings[0].start);
    }
    EXPECT_EQ(windowed.truncation, 0u) << windowed.reason;
  }
}

// Windows against the whole content on random composite rules: a window may miss what
// lies across windows (and says so), but must report no rule the whole analysis does not.
// (Run with 40 rounds and another seed before it was cut to 4; without the filter of
// WindowVerdictMayBeFalse it fails.)
TEST(StreamedCompositeTest, WindowsReportNoRuleTheWholeAnalysisDoesNot) {
  std::mt19937 rng(22);
  size_t reported = 0, compared = 0;
  for (int round = 0; round < 4; ++round) {
    size_t left_out = 0;
    const std::vector<Definition> defs = plan::TriggeredRules(plan::RandomRules(rng, 40), &left_out);
    const std::shared_ptr<const Database> db = testing_util::MustCompile(defs);
    ASSERT_NE(db, nullptr);
    auto analyzer = ComponentAnalyzer::Create(db);
    ASSERT_TRUE(analyzer.ok());
    PlanOptions plan_options;
    plan_options.pattern_chains = db->chains();
    for (int k = 0; k < 2; ++k) {
      const std::string input = plan::RandomInput(rng, 60000 + rng() % 40000);
      const Component component = TestComponent(input, "random.txt");
      auto whole = (*analyzer)->PlanAndAnalyze(component, input, plan_options, {});
      ASSERT_TRUE(whole.ok());
      if (whole->truncation != 0) continue;  // a rule given up as too costly: no reference
      const ComponentResult windowed = Streamed(analyzer->get(), component, input, plan_options,
                                                {}, {8192, 2048}, 5000, 7 + k);
      const std::set<std::string> in_whole = RulesFound(*whole);
      for (const std::string& rule : RulesFound(windowed)) {
        EXPECT_TRUE(in_whole.contains(rule)) << rule << " only in windows, round " << round
                                             << " input " << k;
      }
      reported += RulesFound(windowed).size();
      ++compared;
    }
  }
  EXPECT_GT(compared, 4u);
  EXPECT_GT(reported, 20u);  // the rules do fire in windows
}

}  // namespace
}  // namespace trawl
