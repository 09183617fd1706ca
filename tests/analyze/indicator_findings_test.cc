// Threat indicators planted in every kind and form (defanged, with a port, a subdomain,
// uppercase, inside base64, UTF-16 and escaped JSON strings, a component whose SHA-256
// a hash feed lists) are found with the right feed, family and match kind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "analyze/component_analyzer.h"
#include "classify/plan.h"
#include "engine/compiler.h"
#include "engine/indicator_set.h"
#include "rules/loader.h"
#include "util/digest.h"
#include "util/strings.h"

namespace trawl {
namespace {

const std::string kSource = TRAWL_SOURCE_DIR;
// The payload whose digests the hash feed lists.
constexpr std::string_view kMalware = "MZ\x90\x00 pretend this is a dropper";

std::shared_ptr<const Database> IndicatorDb() {
  static std::shared_ptr<const Database> db = [] {
    auto rules = LoadRuleFile(kSource + "/rules/pii.json");
    EXPECT_TRUE(rules.ok()) << rules.status();
    const std::string malware(kMalware);
    const std::string pack = StrCat(
        "#trawl-indicators 1\n#feed maltrail\n"
        "#columns value type family category severity confidence\n"
        "nanopc.linkpc.net\tdomain\tagenttesla\tmalware\thigh\t0.8\n"
        "178.16.53.180:18041\tip_port\tamadey\tmalware\thigh\t0.8\n"
        "45.9.74.12\tipv4\tredline\tmalware\thigh\t0.8\n"
        "2a0e:97c0:3e0::1\tipv6\tcobalt\tmalware\thigh\t0.8\n"
        "evil-cdn.com/payload/stage2.bin\turl\tqbot\tmalware\thigh\t0.8\n"
        "phisher@evil-mail.ru\temail\tphish\tmalicious\thigh\t0.75\n",
        "/wp-admin/gate9.php\turl_path\tpony\tmalicious\thigh\t0.75\n");
    auto feed = ParseFeed(pack, "maltrail.tsv", {});
    EXPECT_TRUE(feed.ok());
    FeedOptions hash_options;
    hash_options.feed = "hashes";
    hash_options.family = "dropper";
    auto hashes = ParseFeed(StrCat(ToHex(Sha256Of(malware)), "\n", Md5Hex("other bytes"), "\n"),
                            "hashes.txt", hash_options);
    EXPECT_TRUE(hashes.ok());
    auto set = IndicatorSet::Build({*feed, *hashes});
    EXPECT_TRUE(set.ok());
    CompileOptions options;
    options.indicators = *set;
    auto compiled = CompileDatabase(rules->definitions, options);
    EXPECT_TRUE(compiled.ok()) << compiled.status();
    return compiled.ok() ? *compiled : nullptr;
  }();
  return db;
}

Component FileComponent(std::string_view name, size_t size) {
  Component c;
  c.id = "00112233445566778899aabbccddeeff";
  c.path = StrCat("pkg!/", name);
  c.name = std::string(name);
  c.size = size;
  c.has_content = true;
  c.content_complete = true;
  return c;
}

// What the classify stage plans for these bytes, with every chain of the database.
ProcessingPlan PlanFor(std::string_view name, std::string_view content) {
  PlanOptions options;
  options.pattern_chains = IndicatorDb()->chains();
  return PlanComponent(FileComponent(name, content.size()), content, options);
}

struct Hit {
  std::string feed, family, match, value, decoded_from;
  int64_t line;
  double confidence;
};

std::vector<Hit> Hits(std::string_view name, std::string_view content) {
  auto analyzer = ComponentAnalyzer::Create(IndicatorDb());
  EXPECT_TRUE(analyzer.ok());
  auto result = (*analyzer)->Analyze(PlanFor(name, content), content, {});
  EXPECT_TRUE(result.ok()) << result.status();
  std::vector<Hit> hits;
  for (const Finding& f : result->findings) {
    if (f.indicator.empty()) continue;
    hits.push_back({f.indicator.feed, f.indicator.family, f.indicator.match, f.indicator.value,
                    f.decoded_from, f.line, f.confidence});
  }
  return hits;
}

MATCHER_P4(IsHit, family, match, value, line, "") {
  return arg.feed != "" && arg.family == family && arg.match == match && arg.value == value &&
         arg.line == line;
}

TEST(IndicatorFindingsTest, EveryFormInALog) {
  const std::string log =
      "connect nanopc.linkpc.net ok\n"                          // 1 exact
      "dns NANOPC.LINKPC.NET. answered\n"                       // 2 uppercase, trailing dot
      "beacon to a.b.nanopc.linkpc.net\n"                       // 3 subdomain
      "ioc nanopc[.]linkpc[.]net in a report\n"                 // 4 defanged
      "tcp 178.16.53.180:18041 established\n"                   // 5 IP:port
      "tcp 178.16.53.180 established\n"                         // 6 IP without port
      "get hxxp://evil-cdn[.]com/payload/stage2.bin\n"          // 7 defanged URL
      "from 45.9.74.12 and 2a0e:97c0:3e0::1\n"                  // 8 IPv4, IPv6
      "mail Phisher@Evil-Mail.ru and x@evil-mail.ru\n"           // 9 e-mail, its domain? no
      "post https://shop.example.org/wp-admin/gate9.php?id=1\n"  // 10 URL path
      "quiet 10.0.4.7 here\n";                                  // 11 nothing
  const std::vector<Hit> hits = Hits("app.log", log);
  EXPECT_THAT(hits, testing::IsSupersetOf({
      IsHit("agenttesla", "exact", "nanopc.linkpc.net", 1),
      IsHit("agenttesla", "exact", "nanopc.linkpc.net", 2),
      IsHit("agenttesla", "parent-domain", "nanopc.linkpc.net", 3),
      IsHit("agenttesla", "exact", "nanopc.linkpc.net", 4),
      IsHit("amadey", "exact", "178.16.53.180:18041", 5),
      IsHit("amadey", "ip-without-port", "178.16.53.180:18041", 6),
      IsHit("qbot", "exact", "evil-cdn.com/payload/stage2.bin", 7),
      IsHit("redline", "exact", "45.9.74.12", 8),
      IsHit("cobalt", "exact", "2a0e:97c0:3e0::1", 8),
      IsHit("phish", "exact", "phisher@evil-mail.ru", 9),
      IsHit("pony", "url-path", "/wp-admin/gate9.php", 10),
  }));
  for (const Hit& h : hits) {
    EXPECT_NE(h.line, 11) << "a private address matched " << h.value;
    EXPECT_EQ(h.feed, "maltrail");
  }
  // Matches through a part keep less of the feed's confidence than exact ones.
  for (const Hit& h : hits) {
    if (h.match == "exact") {
      EXPECT_DOUBLE_EQ(h.confidence, h.family == "phish" ? 0.75 : 0.8);
    }
    if (h.match == "parent-domain" || h.match == "ip-without-port") {
      EXPECT_LT(h.confidence, 0.6);
    }
  }
  const auto defanged = std::find_if(hits.begin(), hits.end(), [](const Hit& h) { return h.line == 4; });
  ASSERT_NE(defanged, hits.end());
  EXPECT_EQ(defanged->decoded_from, "refanged");
}

TEST(IndicatorFindingsTest, InsideJsonStringsBase64AndUtf16) {
  // An escaped JSON string: "nanopc\u002elinkpc.net".
  const std::string json = R"({"c2": "nanopc\u002elinkpc.net", "n": 1})";
  EXPECT_THAT(Hits("config.json", json),
              testing::Contains(IsHit("agenttesla", "exact", "nanopc.linkpc.net", 1)));
  // base64 of "callback=http://178.16.53.180:18041/x ..."
  const std::string encoded = "Y2FsbGJhY2s9aHR0cDovLzE3OC4xNi41My4xODA6MTgwNDEveCBhbmQgc29tZSBwYWRkaW5nIHRleHQ=";
  const auto b64 = Hits("blob.txt", StrCat("data: ", encoded, "\n"));
  ASSERT_FALSE(b64.empty());
  EXPECT_EQ(b64[0].family, "amadey");
  EXPECT_EQ(b64[0].decoded_from, "base64");
  // UTF-16 LE text.
  std::string utf16 = "\xff\xfe";
  for (char c : std::string("host=nanopc.linkpc.net\r\n")) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  EXPECT_THAT(Hits("wide.txt", utf16),
              testing::Contains(IsHit("agenttesla", "exact", "nanopc.linkpc.net", 1)));
}

TEST(IndicatorFindingsTest, AComponentWhoseDigestIsListedIsAFinding) {
  const std::string malware(kMalware);
  const auto hits = Hits("dropper.bin", malware);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].feed, "hashes");
  EXPECT_EQ(hits[0].family, "dropper");
  EXPECT_EQ(hits[0].match, "file-hash");
  EXPECT_EQ(hits[0].value, ToHex(Sha256Of(malware)));
  // The MD5 feed entry finds its component too (MD5 is computed because a feed lists one).
  const auto md5 = Hits("other.bin", "other bytes");
  ASSERT_EQ(md5.size(), 1u);
  EXPECT_EQ(md5[0].value, Md5Hex("other bytes"));
  EXPECT_TRUE(Hits("clean.bin", "clean bytes").empty());
}

TEST(IndicatorFindingsTest, RedactedResultsNameFeedAndFamilyButNoValue) {
  auto analyzer = ComponentAnalyzer::Create(IndicatorDb());
  ASSERT_TRUE(analyzer.ok());
  AnalyzeOptions options;
  options.include_values = false;
  const std::string log = "tcp 178.16.53.180 established\n";
  auto result = (*analyzer)->Analyze(PlanFor("a.log", log), log, options);
  ASSERT_TRUE(result.ok());
  const Finding* hit = nullptr;
  for (const Finding& f : result->findings) {
    if (!f.indicator.empty()) hit = &f;
  }
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->indicator.family, "amadey");
  EXPECT_EQ(hit->indicator.value, "");
  EXPECT_EQ(hit->value, "");
  for (const std::string& reason : hit->reasons) {
    EXPECT_EQ(reason.find("178.16"), std::string::npos) << reason;
  }
}

}  // namespace
}  // namespace trawl
