// Feed formats: normalization, every format read, a 10k synthetic feed round-tripping
// through every format, and malformed feeds that report every bad line and lose no
// good one.
#include "rules/indicator_feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "util/strings.h"

namespace trawl {
namespace {

std::string Normal(std::string_view text, std::optional<IndicatorType> type = std::nullopt) {
  auto n = NormalizeIndicator(text, type);
  return n.ok() ? StrCat(IndicatorTypeName(n->type), " ", n->value)
                : StrCat("error: ", n.status().message());
}

TEST(IndicatorFeedTest, NormalizesEveryTypeAndDefangedForms) {
  EXPECT_EQ(Normal("Evil.COM."), "domain evil.com");
  EXPECT_EQ(Normal("evil[.]com"), "domain evil.com");
  EXPECT_EQ(Normal("evil(.)com"), "domain evil.com");
  EXPECT_EQ(Normal("1.2.3.4"), "ipv4 1.2.3.4");
  EXPECT_EQ(Normal("1.2.3[.]4"), "ipv4 1.2.3.4");
  EXPECT_EQ(Normal("2001:DB8:0:0::1"), "ipv6 2001:db8::1");
  EXPECT_EQ(Normal("1.2.3.4:443"), "ip_port 1.2.3.4:443");
  EXPECT_EQ(Normal("[2001:db8::1]:8080"), "ip_port [2001:db8::1]:8080");
  EXPECT_EQ(Normal("hxxp://Evil.com/Gate.php#frag"), "url evil.com/gate.php");
  EXPECT_EQ(Normal("https://user:pw@evil.com:443/"), "url evil.com");
  EXPECT_EQ(Normal("http://evil.com:8080"), "url evil.com:8080");
  EXPECT_EQ(Normal("evil.com/x?y=1"), "url evil.com/x?y=1");
  EXPECT_EQ(Normal("/Panel/Login.php"), "url_path /panel/login.php");
  EXPECT_EQ(Normal("D41D8CD98F00B204E9800998ECF8427E"), "md5 d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Normal(std::string(40, 'a')), "sha1 " + std::string(40, 'a'));
  EXPECT_EQ(Normal(std::string(64, 'B')), "sha256 " + std::string(64, 'b'));
  EXPECT_EQ(Normal("Bad.Actor[@]Evil[.]com"), "email bad.actor@evil.com");
  EXPECT_THAT(Normal("evil", IndicatorType::kDomain), testing::HasSubstr("two labels"));
  EXPECT_THAT(Normal("1.2.3.4", IndicatorType::kDomain), testing::HasSubstr("an IP address"));
  EXPECT_THAT(Normal("12345", IndicatorType::kSha256), testing::HasSubstr("64 hex digits"));
  EXPECT_THAT(Normal("a b.com"), testing::HasSubstr("space"));
  EXPECT_THAT(Normal("1.2.3.4:99999"), testing::HasSubstr("error"));
}

// A "://" in a URL's path is not a scheme: the normal form keeps it, and normalizing the
// normal form again changes nothing (the fuzzer's input; the host was lost before).
TEST(IndicatorFeedTest, NormalUrlIsAFixedPointWithSchemeLikePaths) {
  const std::string once = Normal("hxxp://bad[.]org://bad://x.co/p", IndicatorType::kUrl);
  EXPECT_EQ(once, "url bad.org//bad://x.co/p");
  EXPECT_EQ(Normal(once.substr(4), IndicatorType::kUrl), once);
}

// "hxxp"/"fxp" are defanged schemes only before "://": a host that merely starts with
// "fxp" keeps its name, so the normal form is a fixed point (the fuzzer's input).
TEST(IndicatorFeedTest, DefangedSchemesOnlyBeforeSchemeSeparator) {
  const std::string once = Normal("hxxp://fxpbad[.]org/x", IndicatorType::kUrl);
  EXPECT_EQ(once, "url fxpbad.org/x");
  EXPECT_EQ(Normal(once.substr(4), IndicatorType::kUrl), once);
  EXPECT_EQ(Normal("fxpbad.org"), "domain fxpbad.org");
  EXPECT_EQ(Normal("hxxpevil.com"), "domain hxxpevil.com");
  EXPECT_EQ(Normal("fxp[://]files.bad.org/a"), "url files.bad.org/a");
  EXPECT_EQ(Normal("hxxps://evil.com:8443/"), "url evil.com:8443");
}

// A defanged token inside another ("[(.)]": refanging the inner one forms "[.]") is
// refanged until nothing changes, so the normal form is a fixed point (the fuzzer's input).
TEST(IndicatorFeedTest, NestedDefangedTokensAreRefangedWhole) {
  EXPECT_EQ(Normal("evil[(.)]com"), "domain evil.com");
  const std::string once = Normal("1d[.]orp://vil.c[[[[[(.)]", IndicatorType::kUrl);
  EXPECT_EQ(once, "url 1d.orp//vil.c[[[[.");
  EXPECT_EQ(Normal(once.substr(4), IndicatorType::kUrl), once);
}

// One synthetic indicator per i, cycling through the types.
std::pair<IndicatorType, std::string> Synthetic(int i) {
  switch (i % 8) {
    case 0: return {IndicatorType::kDomain, StrCat("host", i, ".example-bad.net")};
    case 1: return {IndicatorType::kIpv4, StrCat("10.", i / 65536 % 256, ".", i / 256 % 256, ".", i % 256)};
    case 2: return {IndicatorType::kIpPort, StrCat("172.16.", i / 256 % 256, ".", i % 256, ":", 1000 + i % 5000)};
    case 3: return {IndicatorType::kUrl, StrCat("bad", i, ".org/gate", i, ".php")};
    case 4: {
      std::string hex = StrCat(i);
      return {IndicatorType::kSha256, std::string(64 - hex.size(), 'a') + hex};
    }
    case 5: {
      std::string hex = StrCat(i);
      return {IndicatorType::kMd5, std::string(32 - hex.size(), 'c') + hex};
    }
    case 6: return {IndicatorType::kEmail, StrCat("user", i, "@phish", i, ".com")};
    default: return {IndicatorType::kIpv6, StrCat("2001:db8::", i % 65536 == 0 ? 1 : i % 65536)};
  }
}

std::string StixPath(IndicatorType type) {
  switch (type) {
    case IndicatorType::kDomain: return "domain-name:value";
    case IndicatorType::kIpv4: return "ipv4-addr:value";
    case IndicatorType::kIpv6: return "ipv6-addr:value";
    case IndicatorType::kSha256: return "file:hashes.'SHA-256'";
    case IndicatorType::kMd5: return "file:hashes.MD5";
    case IndicatorType::kEmail: return "email-addr:value";
    default: return "url:value";
  }
}

std::string MispType(IndicatorType type) {
  switch (type) {
    case IndicatorType::kDomain: return "domain";
    case IndicatorType::kIpv4:
    case IndicatorType::kIpv6: return "ip-dst";
    case IndicatorType::kIpPort: return "ip-dst|port";
    case IndicatorType::kSha256: return "sha256";
    case IndicatorType::kMd5: return "md5";
    case IndicatorType::kEmail: return "email-dst";
    default: return "url";
  }
}

std::set<std::string> Values(const FeedLoad& feed) {
  std::set<std::string> out;
  for (const Indicator& i : feed.indicators) out.insert(StrCat(IndicatorTypeName(i.type), " ", i.value));
  return out;
}

TEST(IndicatorFeedTest, TenThousandEntriesRoundTripThroughEveryFormat) {
  constexpr int kCount = 10000;
  std::set<std::string> expected;
  std::string text, csv = "indicator,family\n", tsv =
      "#trawl-indicators 1\n#feed synth\n#columns value type family category severity confidence\n";
  std::string stix = R"({"type":"bundle","id":"bundle--1","objects":[)";
  std::string misp = R"({"Event":{"info":"synthetic","Attribute":[)";
  for (int i = 0; i < kCount; ++i) {
    auto [type, value] = Synthetic(i);
    expected.insert(StrCat(IndicatorTypeName(type), " ", value));
    text += value + "\n";
    StrAppend(&csv, value, ",fam", i % 7, "\n");
    StrAppend(&tsv, value, "\t", IndicatorTypeName(type), "\tfam", i % 7, "\tmalware\thigh\t0.8\n");
    // The STIX types have no IP:port; those go in as URLs of host:port.
    const std::string stix_value = type == IndicatorType::kIpPort ? value : value;
    StrAppend(&stix, i ? "," : "", R"({"type":"indicator","id":"indicator--)", i,
              R"(","pattern_type":"stix","labels":["fam)", i % 7, R"("],"confidence":80,"pattern":"[)",
              StixPath(type), " = '", stix_value, R"(']"})");
    std::string misp_value = value;
    if (type == IndicatorType::kIpPort) misp_value[misp_value.rfind(':')] = '|';
    StrAppend(&misp, i ? "," : "", R"({"type":")", MispType(type), R"(","value":")", misp_value,
              R"(","uuid":"u)", i, R"("})");
  }
  stix += "]}";
  misp += "]}}";
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"feed.txt", text}, {"feed.csv", csv}, {"feed.tsv", tsv}, {"feed.stix.json", stix},
           {"feed.misp.json", misp}}) {
    auto feed = ParseFeed(bytes, name, {});
    ASSERT_TRUE(feed.ok()) << name << ": " << feed.status().message();
    EXPECT_EQ(feed->entries, uint64_t{kCount}) << name;
    EXPECT_EQ(feed->unsupported, 0u) << name << ": " << (feed->issues.empty() ? "" : feed->issues[0].reason);
    EXPECT_EQ(feed->duplicates, 0u) << name;
    std::set<std::string> got = Values(*feed);
    // STIX has no IP:port object: those values come back as URLs of host:port.
    if (name == "feed.stix.json") {
      std::set<std::string> want;
      for (const std::string& e : expected) {
        want.insert(StartsWith(e, "ip_port ") ? "url " + e.substr(8) : e);
      }
      EXPECT_EQ(got, want) << name;
    } else {
      EXPECT_EQ(got, expected) << name;
    }
  }
  // The formats that carry families keep them.
  auto tsv_feed = ParseFeed(tsv, "feed.tsv", {});
  ASSERT_TRUE(tsv_feed.ok());
  EXPECT_EQ(tsv_feed->feed, "synth");
  EXPECT_EQ(tsv_feed->metas.size(), 7u);
  EXPECT_EQ(tsv_feed->metas[tsv_feed->indicators[3].meta].family, "fam3");
  EXPECT_EQ(tsv_feed->metas[0].category, "indicator/malware");
}

TEST(IndicatorFeedTest, MalformedLinesAreEachReportedAndNoGoodLineIsLost) {
  const std::string text =
      "# comment\n"
      "good1.com\n"
      "not a value\n"            // line 3
      "good2.com # trailing comment\n"
      "\n"
      "1.2.3.4:99999\n"          // line 6
      "good1.com\n"              // line 7: duplicate
      "hxxp://good3[.]com/x\n"
      "evil\n";                  // line 9: one label
  auto feed = ParseFeed(text, "bad.txt", {});
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(Values(*feed), (std::set<std::string>{"domain good1.com", "domain good2.com",
                                                    "url good3.com/x"}));
  EXPECT_EQ(feed->entries, 7u);
  EXPECT_EQ(feed->duplicates, 1u);
  EXPECT_EQ(feed->unsupported, 3u);
  std::map<uint64_t, std::string> issues;
  for (const FeedIssue& issue : feed->issues) issues[issue.line] = issue.reason;
  ASSERT_EQ(issues.size(), 4u);
  EXPECT_THAT(issues[3], testing::HasSubstr("space"));
  EXPECT_THAT(issues[6], testing::HasSubstr("port"));
  EXPECT_THAT(issues[7], testing::HasSubstr("duplicate"));
  EXPECT_THAT(issues[9], testing::HasSubstr("two labels"));
  EXPECT_EQ(feed->Summary(), "loaded 3 of 7 entries (1 duplicate, 3 unsupported)");

  const std::string tsv =
      "#trawl-indicators 1\n#columns value type family category severity confidence\n"
      "a.com\tdomain\tf\tmalware\thigh\t0.8\n"
      "b.com\tbogus\tf\tmalware\thigh\t0.8\n"      // line 4: unknown type
      "c.com\tdomain\tf\tmalware\tscary\t0.8\n"    // line 5: unknown severity
      "d.com\tdomain\tf\tmalware\thigh\t7\n"       // line 6: confidence
      "e.com\tdomain\tf\tmalware\thigh\t0.8\textra\textra\n"  // line 7: cells
      "f.com\tdomain\tf\tmalware\thigh\t0.8\n";
  auto pack = ParseFeed(tsv, "pack.tsv", {});
  ASSERT_TRUE(pack.ok());
  EXPECT_EQ(Values(*pack), (std::set<std::string>{"domain a.com", "domain f.com"}));
  std::vector<uint64_t> lines;
  for (const FeedIssue& issue : pack->issues) lines.push_back(issue.line);
  EXPECT_THAT(lines, testing::ElementsAre(4, 5, 6, 7));
  EXPECT_EQ(pack->entries, 6u);

  // CSV with a quoted cell holding a line break: line numbers stay those of the file.
  const std::string csv = "value,family\n\"x.com\",\"a\nb\"\nbad value,f\ny.com,f\n";
  auto c = ParseFeed(csv, "f.csv", {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(Values(*c), (std::set<std::string>{"domain x.com", "domain y.com"}));
  ASSERT_EQ(c->issues.size(), 1u);
  EXPECT_EQ(c->issues[0].line, 4u);
  EXPECT_EQ(c->metas[c->indicators[0].meta].family, "a\nb");
}

TEST(IndicatorFeedTest, StixAndMispSayWhyAnEntryIsUnsupported) {
  const std::string stix = R"({"type":"bundle","objects":[
    {"type":"indicator","pattern":"[domain-name:value = 'ok.com']"},
    {"type":"indicator","pattern":"[domain-name:value = 'a.com'] OR [domain-name:value = 'b.com']"},
    {"type":"indicator","pattern":"[domain-name:value = 'a.com' AND domain-name:value = 'b.com']"},
    {"type":"indicator","pattern":"[ipv4-addr:value = '10.0.0.0/8']"},
    {"type":"indicator","pattern":"[process:name = 'evil.exe']"},
    {"type":"indicator","pattern":"[domain-name:value != 'x.com']"},
    {"type":"indicator","pattern_type":"yara","pattern":"rule x {}"},
    {"type":"malware","name":"not an entry"},
    {"type":"indicator","pattern":"[file:hashes.'SHA-256' = 'zz']"}]})";
  auto feed = ParseFeed(stix, "b.json", {});
  ASSERT_TRUE(feed.ok()) << feed.status().message();
  EXPECT_EQ(feed->format, FeedFormat::kStix);
  EXPECT_EQ(Values(*feed), (std::set<std::string>{"domain ok.com"}));
  EXPECT_EQ(feed->entries, 8u);
  std::vector<std::string> reasons;
  for (const FeedIssue& i : feed->issues) reasons.push_back(StrCat(i.line, ": ", i.reason));
  EXPECT_THAT(reasons, testing::ElementsAre(testing::StartsWith("2: pattern combines"),
                                            testing::StartsWith("3: pattern combines"),
                                            testing::StartsWith("4: CIDR"),
                                            testing::StartsWith("5: object path 'process:name'"),
                                            testing::StartsWith("6: only the '=' operator"),
                                            testing::StartsWith("7: pattern_type 'yara'"),
                                            testing::StartsWith("8: not 64 hex digits")));

  const std::string warninglist =
      R"({"name":"List of known bad","type":"string","list":["a.com","b.com","a.com",3]})";
  auto list = ParseFeed(warninglist, "w.json", {});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->format, FeedFormat::kMisp);
  EXPECT_EQ(list->indicators.size(), 2u);
  EXPECT_EQ(list->duplicates, 1u);
  EXPECT_EQ(list->unsupported, 1u);
  EXPECT_EQ(list->metas[0].family, "List of known bad");
  auto cidr = ParseFeed(R"({"name":"n","type":"cidr","list":["10.0.0.0/8"]})", "c.json", {});
  ASSERT_TRUE(cidr.ok());
  ASSERT_EQ(cidr->issues.size(), 1u);
  EXPECT_THAT(cidr->issues[0].reason, testing::HasSubstr("cidr"));
  auto event = ParseFeed(
      R"({"Event":{"info":"Op X","Attribute":[{"type":"comment","value":"hi"},
          {"type":"filename|sha256","value":"a.exe|)" + std::string(64, 'd') + R"("}],
          "Object":[{"Attribute":[{"type":"ip-src","value":"8.8.4.4"}]}]}})",
      "e.json", {});
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(Values(*event), (std::set<std::string>{"ipv4 8.8.4.4", "sha256 " + std::string(64, 'd')}));
  ASSERT_EQ(event->issues.size(), 1u);
  EXPECT_THAT(event->issues[0].reason, testing::HasSubstr("'comment'"));
  EXPECT_EQ(event->metas[0].family, "Op X");
  EXPECT_FALSE(ParseFeed("{not json", "x.json", {}).ok());
}

}  // namespace
}  // namespace trawl
