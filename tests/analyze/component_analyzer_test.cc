// ComponentAnalyzer on JSON: the offset locator is built only for components with
// candidates, and findings still get their JSON pointer whichever buffer they came from
// (raw bytes, decoded JSON strings, decoded base64 layers).
#include "analyze/component_analyzer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/compiler.h"
#include "engine/test_util.h"
#include "entities/entity.h"
#include "far_apart_rule.h"
#include "rules/loader.h"
#include "util/strings.h"

namespace trawl {
namespace {

const std::string kSource = TRAWL_SOURCE_DIR;
constexpr std::string_view kToken = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn";

std::shared_ptr<const Database> PiiDb() {
  static const std::shared_ptr<const Database> db =
      testing_util::MustCompileFiles({kSource + "/rules/pii.json"});
  return db;
}

std::shared_ptr<const Database> SecretsDb() {
  static const std::shared_ptr<const Database> db =
      testing_util::MustCompileFiles({kSource + "/rules/secrets.json"});
  return db;
}

Component JsonComponent(std::string_view name, size_t size) {
  Component c;
  c.id = "0123456789abcdef0123456789abcdef";
  c.path = std::string("pkg!/") + std::string(name);
  c.name = std::string(name);
  c.size = size;
  c.has_content = true;
  c.content_complete = true;
  return c;
}

// The plan the classify stage makes for these bytes, with every chain of `db`.
ProcessingPlan PlanFor(const Component& c, std::string_view content, const Database& db) {
  PlanOptions options;
  options.pattern_chains = db.chains();
  return PlanComponent(c, content, options);
}

const Finding* FindRule(const ComponentResult& r, std::string_view rule) {
  for (const Finding& f : r.findings) {
    if (f.rule_id == rule) return &f;
  }
  return nullptr;
}

class ComponentAnalyzerJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(SecretsDb());
    auto analyzer = ComponentAnalyzer::Create(SecretsDb());
    ASSERT_TRUE(analyzer.ok()) << analyzer.status();
    analyzer_ = *std::move(analyzer);
  }
  ComponentResult Analyze(std::string_view name, const std::string& doc) {
    auto r = analyzer_->Analyze(PlanFor(JsonComponent(name, doc.size()), doc, *SecretsDb()), doc,
                                {});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : ComponentResult{};
  }
  std::unique_ptr<ComponentAnalyzer> analyzer_;
};

TEST_F(ComponentAnalyzerJsonTest, RawFindingGetsItsPointer) {
  const std::string doc =
      "{\"ci\": [{\"name\": \"x\"}, {\"GITHUB_TOKEN\": \"" + std::string(kToken) + "\"}]}";
  const ComponentResult r = Analyze("config.json", doc);
  EXPECT_EQ(r.format, "json");
  const Finding* f = FindRule(r, "github-pat-classic");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->json_pointer, "/ci/1/GITHUB_TOKEN");
  EXPECT_EQ(f->start, doc.find(kToken));
  EXPECT_TRUE(f->decoded_from.empty());
}

// The only candidate is in an escaped string: the raw scan finds nothing, so the
// component is first analysed without a locator and located in a second pass.
TEST_F(ComponentAnalyzerJsonTest, FindingOnlyInDecodedStringStillGetsItsPointer) {
  std::string escaped(kToken);
  escaped.replace(0, 1, "\\u0067");  // "g"
  const std::string doc = "{\"a\": {\"b\": [1, 2, {\"deploy\": \"" + escaped + "\"}]}}";
  const ComponentResult r = Analyze("config.json", doc);
  EXPECT_EQ(r.format, "json");
  const Finding* f = FindRule(r, "github-pat-classic");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->decoded_from, "json-string");
  EXPECT_EQ(f->json_pointer, "/a/b/2/deploy");
  EXPECT_EQ(f->start, doc.find("\\u0067"));
  EXPECT_EQ(f->end, f->start + escaped.size());
}

TEST_F(ComponentAnalyzerJsonTest, NdjsonFindingInDecodedStringGetsItsRecordPointer) {
  std::string escaped_ok(kToken);
  escaped_ok.replace(0, 1, "\\u0067");
  const std::string doc =
      "{\"k\": \"plain\"}\n{\"k\": \"a\\/b\"}\n{\"t\": {\"u\": \"" + escaped_ok + "\"}}\n";
  const ComponentResult r = Analyze("events.ndjson", doc);
  EXPECT_EQ(r.format, "ndjson");
  const Finding* f = FindRule(r, "github-pat-classic");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->json_pointer, "/t/u");
  EXPECT_EQ(f->line, 3);
}

// Fingerprints are keyed: an analyzer that analyses with one key, then another, then the
// first again gives each key's fingerprints (a cache of them must not outlive its key),
// the same as a fresh analyzer's; one value at two places has one fingerprint.
TEST_F(ComponentAnalyzerJsonTest, FingerprintsFollowTheKey) {
  const std::string doc = StrCat("{\"a\": \"", kToken, "\", \"b\": [\"", kToken, "\"]}");
  const auto fingerprints = [&](ComponentAnalyzer& analyzer, const std::string& key) {
    AnalyzeOptions options;
    options.fingerprint_key = key;
    auto r = analyzer.Analyze(PlanFor(JsonComponent("k.json", doc.size()), doc, *SecretsDb()), doc,
                              options);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const Finding& f : r->findings) out.push_back(f.fingerprint);
    }
    return out;
  };
  const std::vector<std::string> first = fingerprints(*analyzer_, "key one");
  const std::vector<std::string> second = fingerprints(*analyzer_, "key two");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], first[1]);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_NE(first[0], second[0]);
  EXPECT_EQ(fingerprints(*analyzer_, "key one"), first);
  auto fresh = ComponentAnalyzer::Create(SecretsDb());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fingerprints(**fresh, "key two"), second);
}

TEST_F(ComponentAnalyzerJsonTest, NoCandidatesNoFindings) {
  const ComponentResult r = Analyze("config.json", "{\"a\": [1, 2, \"r\\u0065ad-only\"]}");
  EXPECT_EQ(r.status, "analysed");
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(r.dropped_candidates, 0u);
}

// URL values end where the URL ends: markdown's closing parenthesis and sentence
// punctuation are not part of it, balanced parentheses are; userinfo is part of it.
TEST(ComponentAnalyzerPiiTest, UrlValuesHaveExactBoundaries) {
  auto analyzer = ComponentAnalyzer::Create(PiiDb());
  ASSERT_TRUE(analyzer.ok()) << analyzer.status();
  const std::string text =
      "See [ANSI C](http://en.wikipedia.org/wiki/ANSI_C), the\n"
      "[GCD](https://en.wikipedia.org/wiki/Grand_Central_Dispatch_(Apple)).\n"
      "Fixed in https://github.com/libgit2/libgit2/pull/5319.\n"
      "clone https://ci-token:s3cret@gitlab.com/org/repo.git now\n";
  Component c = JsonComponent("README.md", text.size());
  auto r = (*analyzer)->Analyze(PlanFor(c, text, *PiiDb()), text, {});
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> urls, emails;
  for (const Finding& f : r->findings) {
    if (f.entity == "url") urls.push_back(f.value);
    if (f.entity == "email") emails.push_back(f.value);
  }
  EXPECT_EQ(urls, (std::vector<std::string>{
                      "http://en.wikipedia.org/wiki/ANSI_C",
                      "https://en.wikipedia.org/wiki/Grand_Central_Dispatch_(Apple)",
                      "https://github.com/libgit2/libgit2/pull/5319",
                      "https://ci-token:s3cret@gitlab.com/org/repo.git"}));
  EXPECT_TRUE(emails.empty()) << emails[0];
}

// Defanged indicators in a report are found in their live form, at the defanged bytes.
TEST(ComponentAnalyzerPiiTest, DefangedIndicatorsAreFound) {
  auto analyzer = ComponentAnalyzer::Create(PiiDb());
  ASSERT_TRUE(analyzer.ok()) << analyzer.status();
  const std::string text =
      "The actor used 95.130.15[.]34 and wrote from sec.service@mail[.]ru.\n"
      "Live: 8.8.8.8\n";
  Component c = JsonComponent("report.txt", text.size());
  auto r = (*analyzer)->Analyze(PlanFor(c, text, *PiiDb()), text, {});
  ASSERT_TRUE(r.ok()) << r.status();
  const Finding* ip = nullptr;
  const Finding* live = nullptr;
  const Finding* email = nullptr;
  for (const Finding& f : r->findings) {
    if (f.entity == "ipv4" && f.value == "95.130.15.34") ip = &f;
    if (f.entity == "ipv4" && f.value == "8.8.8.8") live = &f;
    if (f.entity == "email") email = &f;
  }
  ASSERT_NE(ip, nullptr);
  EXPECT_EQ(ip->decoded_from, "refanged");
  EXPECT_EQ(ip->start, text.find("95.130"));
  EXPECT_EQ(ip->end, text.find(" and wrote"));
  EXPECT_EQ(ip->line, 1);
  ASSERT_NE(live, nullptr);
  EXPECT_TRUE(live->decoded_from.empty());  // found in the raw bytes, reported once
  int live_count = 0;
  for (const Finding& f : r->findings) live_count += f.value == "8.8.8.8";
  EXPECT_EQ(live_count, 1);
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->value, "sec.service@mail.ru");
  EXPECT_EQ(email->end, text.find(".\nLive"));
}

// UTF-16 strings inside a binary are scanned in transcribed form (BE and LE), and the
// finding points at the UTF-16 bytes.
TEST_F(ComponentAnalyzerJsonTest, TokenInUtf16StringsOfABinaryIsFound) {
  std::string blob;
  for (int i = 0; i < 3000; ++i) blob.push_back(static_cast<char>((i * 37 + 11) % 256));
  blob += std::string("\x00\x00", 2);
  if (blob.size() % 2 != 0) blob.push_back('\x01');
  const size_t be_at = blob.size();
  const std::string text = "GITHUB_TOKEN=" + std::string(kToken);
  for (char ch : text) {
    blob.push_back('\0');
    blob.push_back(ch);
  }
  blob += std::string("\x00\x00\xFE\xFD", 4);
  for (int i = 0; i < 500; ++i) blob.push_back(static_cast<char>((i * 91 + 3) % 256));
  ASSERT_EQ(blob.find(kToken), std::string::npos);  // not in the raw bytes
  Component c = JsonComponent("tool.bin", blob.size());
  auto r = analyzer_->Analyze(PlanFor(c, blob, *SecretsDb()), blob, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->format, "binary");
  const Finding* f = FindRule(*r, "github-pat-classic");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->decoded_from, "utf16-strings");
  EXPECT_EQ(f->value, kToken);
  EXPECT_EQ(f->start, be_at + 2 * 13);
  EXPECT_EQ(f->end, be_at + 2 * text.size());
}

TEST(RedactValueFromReasonsTest, RemovesQuotedPartsOfTheValueOnly) {
  std::vector<std::string> reasons = {"-0.30 validator email: registrable=example.org",
                                      "+0.15 keyword 'password' near the match",
                                      "-0.30 value contains 'EXAMPLE'",
                                      "+0.00 validator domain passed: registrable=xn--bcher-kva.de"};
  RedactValueFromReasons("ada@example.org", &reasons);
  EXPECT_EQ(reasons[0], "-0.30 validator email: registrable=[redacted]");
  EXPECT_EQ(reasons[1], "+0.15 keyword 'password' near the match");  // not from the value
  EXPECT_EQ(reasons[2], "-0.30 value contains '[redacted]'");        // any ASCII case
  // After "registrable=" always: an IDN's A-label is not spelt in the raw value.
  EXPECT_EQ(reasons[3], "+0.00 validator domain passed: registrable=[redacted]");
}

// Both phone rules (E.164 and NANP) and both card rules (all brands and Amex) cover these
// numbers; each value is one finding, with the token pass and with the regexes.
TEST(ComponentAnalyzerPiiTest, OneFindingPerValue) {
  auto rules = LoadRuleFile(kSource + "/rules/pii.json");
  ASSERT_TRUE(rules.ok()) << rules.status();
  for (const bool token_pass : {true, false}) {
    CompileOptions options;
    options.token_pass = token_pass;
    auto db = CompileDatabase(rules->definitions, options);
    ASSERT_TRUE(db.ok()) << db.status();
    auto analyzer = ComponentAnalyzer::Create(*db);
    ASSERT_TRUE(analyzer.ok()) << analyzer.status();
    const std::string text = "call +1 (415) 555-2671 or pay with 378282246310005 today\n";
    auto r = (*analyzer)->Analyze(PlanFor(JsonComponent("notes.txt", text.size()), text, **db), text, {});
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<std::string> values;
    for (const Finding& f : r->findings) values.push_back(f.entity + "=" + f.normalized);
    EXPECT_THAT(values, ::testing::UnorderedElementsAre("phone_number=+14155552671",
                                                        "credit_card=378282246310005"))
        << "token_pass=" << token_pass;
    for (const Finding& f : r->findings) {
      bool merged = false;
      for (const std::string& reason : f.reasons) {
        merged = merged || reason.find("also matched by entity-") != std::string::npos;
      }
      EXPECT_TRUE(merged) << f.rule_id << " token_pass=" << token_pass;
    }
  }
}

// A composite rule's span covers the occurrences that made its condition hold, which in
// a large component may be megabytes apart (imported IDS rules). The finding keeps that
// span, but its value (and what is validated, measured and scored in it) is the first
// kMaxValueBytes: before, every such finding copied its span into each step and the
// report (a 16 MiB input: 9.7 GB peak, 38.7 s).
TEST(ComponentAnalyzerCompositeTest, LongSpanKeepsItsLocationAndACutValue) {
  const std::shared_ptr<const Database> db = testing_util::FarApartDb();
  ASSERT_NE(db, nullptr);
  auto analyzer = ComponentAnalyzer::Create(db);
  ASSERT_TRUE(analyzer.ok()) << analyzer.status();
  std::string text;
  while (text.size() < 200000) text += "an ordinary line of text\n";
  text.replace(100, 10, "BEGIN-MARK");
  text.replace(50000, 7, "example");  // past the cut: not "in the value" any more
  text.replace(190000, 8, "END-MARK");
  auto r = (*analyzer)->Analyze(PlanFor(JsonComponent("big.txt", text.size()), text, *db), text, {});
  ASSERT_TRUE(r.ok()) << r.status();
  const Finding* f = FindRule(*r, "far-apart");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->start, 100u);
  EXPECT_EQ(f->end, 190008u);
  EXPECT_EQ(f->value, text.substr(100, kMaxValueBytes));
  EXPECT_THAT(f->reasons, ::testing::Contains(StrCat("+0.00 value cut to its first ",
                                                      kMaxValueBytes, " of 189908 bytes")));
  for (const std::string& reason : f->reasons) {
    EXPECT_EQ(reason.find("example"), std::string::npos) << reason;
  }
}

// The token pass runs on every buffer the analyzer scans: UTF-16 text is scanned
// transcoded, and the finding points at the UTF-16 bytes.
TEST(ComponentAnalyzerPiiTest, TokenShapesInUtf16TextAreFoundAtTheirBytes) {
  auto analyzer = ComponentAnalyzer::Create(PiiDb());
  ASSERT_TRUE(analyzer.ok());
  const std::string ascii = "contact jane@pobtvcjk.io or 203.0.114.7 today\n";
  std::string utf16 = "\xFF\xFE";
  for (char c : ascii) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  auto r = (*analyzer)->Analyze(PlanFor(JsonComponent("notes.txt", utf16.size()), utf16, *PiiDb()), utf16,
                                {});
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> found;
  for (const Finding& f : r->findings) {
    found.push_back(f.entity + " " + std::to_string(f.start) + "-" + std::to_string(f.end));
  }
  const auto at = [&](std::string_view entity, std::string_view value) {
    const size_t i = ascii.find(value);
    return StrCat(entity, " ", 2 + 2 * i, "-", 2 + 2 * (i + value.size()));
  };
  EXPECT_THAT(found, ::testing::UnorderedElementsAre(at("email", "jane@pobtvcjk.io"),
                                                     at("domain", "pobtvcjk.io"),
                                                     at("ipv4", "203.0.114.7")));
}

// An inline ignore in UTF-16 text (LE and BE, with a BOM) suppresses the finding on its line
// as in UTF-8: the marker is looked for in the transcoded text the finding was found in.
TEST_F(ComponentAnalyzerJsonTest, InlineIgnoresInUtf16TextApplyToTheirLine) {
  const std::string ascii = "a = " + std::string(kToken) + "  # trawl:ignore\nb = " +
                            std::string(kToken) + "\nc = " + std::string(kToken) +
                            " // gitleaks:allow\n";
  for (const bool little_endian : {true, false}) {
    std::string utf16 = little_endian ? "\xFF\xFE" : "\xFE\xFF";
    for (char ch : ascii) {
      utf16.push_back(little_endian ? ch : '\0');
      utf16.push_back(little_endian ? '\0' : ch);
    }
    Component c = JsonComponent("notes.txt", utf16.size());
    auto r = analyzer_->Analyze(PlanFor(c, utf16, *SecretsDb()), utf16, {});
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<std::string> found;
    for (const Finding& f : r->findings) {
      if (f.rule_id == "github-pat-classic") {
        found.push_back(StrCat(f.start, " ", f.inline_ignore.empty() ? "-" : f.inline_ignore));
      }
    }
    const auto at = [&](size_t line_start) {
      return StrCat(2 + 2 * ascii.find(kToken, line_start));
    };
    EXPECT_THAT(found, ::testing::ElementsAre(at(0) + " trawl:ignore",
                                              at(ascii.find("\nb")) + " -",
                                              at(ascii.find("\nc")) + " gitleaks:allow"))
        << (little_endian ? "UTF-16LE" : "UTF-16BE");
  }
}

// National phone numbers are read in the default region, and the finding carries E.164.
TEST(ComponentAnalyzerPiiTest, DefaultRegionReadsNationalPhoneNumbers) {
  auto analyzer = ComponentAnalyzer::Create(PiiDb());
  ASSERT_TRUE(analyzer.ok());
  const std::string text = "ring the office on 020 7946 0958 please\n";
  const ProcessingPlan plan = PlanFor(JsonComponent("notes.txt", text.size()), text, *PiiDb());
  auto us = (*analyzer)->Analyze(plan, text, {});
  ASSERT_TRUE(us.ok());
  EXPECT_TRUE(us->findings.empty());
  AnalyzeOptions gb;
  gb.default_region = "GB";
  auto r = (*analyzer)->Analyze(plan, text, gb);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->findings.size(), 1u);
  EXPECT_EQ(r->findings[0].value, "020 7946 0958");
  EXPECT_EQ(r->findings[0].normalized, "+442079460958");
}

}  // namespace
}  // namespace trawl
