// The indicator set: lookups by value and by part, updates, the artifact section read in
// place, and forged sections rejected or harmless.
#include "engine/indicator_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "engine/artifact.h"
#include "engine/indicator_update.h"
#include "test_util.h"
#include "util/file.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

using testing_util::Literal;
using testing_util::MustCompile;

FeedLoad Feed(std::string_view name, std::string_view text) {
  FeedOptions options;
  options.feed = std::string(name);
  options.family = "fam";
  auto feed = ParseFeed(text, "test.txt", options);
  EXPECT_TRUE(feed.ok());
  return *feed;
}

std::vector<std::string> Find(const IndicatorSet& set, uint8_t kind, std::string_view key) {
  std::vector<std::string> out;
  set.Find(kind, key, [&](const IndicatorSet::Hit& hit) {
    out.push_back(StrCat(set.meta(hit.meta).feed, " ", IndicatorTypeName(hit.type), " ", hit.value));
  });
  return out;
}

TEST(IndicatorSetTest, FindsValuesAndTheirParts) {
  auto set = IndicatorSet::Build(
      {Feed("a", "evil.com\n1.2.3.4:443\nhttp://5.6.7.8\nbad.org/x\n[2001:db8::5]:80\n"),
       Feed("b", "evil.com\n")});
  ASSERT_TRUE(set.ok()) << set.status();
  const IndicatorSet& s = **set;
  EXPECT_EQ(s.indicator_count(), 6u);
  EXPECT_EQ(s.entry_count(), 9u);  // + IP of each IP:port, host of the path-less URL
  EXPECT_THAT(Find(s, KeyKindOf(IndicatorType::kDomain), "evil.com"),
              testing::UnorderedElementsAre("a domain evil.com", "b domain evil.com"));
  EXPECT_THAT(Find(s, KeyKindOf(IndicatorKey::kIpOfIpPort), "1.2.3.4"),
              testing::ElementsAre("a ip_port 1.2.3.4:443"));
  EXPECT_THAT(Find(s, KeyKindOf(IndicatorKey::kIpOfIpPort), "2001:db8::5"),
              testing::ElementsAre("a ip_port [2001:db8::5]:80"));
  EXPECT_THAT(Find(s, KeyKindOf(IndicatorKey::kHostOfUrl), "5.6.7.8"),
              testing::ElementsAre("a url 5.6.7.8"));
  EXPECT_TRUE(Find(s, KeyKindOf(IndicatorKey::kHostOfUrl), "bad.org").empty());
  EXPECT_TRUE(Find(s, KeyKindOf(IndicatorType::kIpv4), "1.2.3.4").empty());
  EXPECT_TRUE(Find(s, KeyKindOf(IndicatorType::kDomain), "evil.co").empty());
  EXPECT_TRUE(s.HasType(IndicatorType::kIpPort));
  EXPECT_FALSE(s.HasType(IndicatorType::kMd5));
  auto feeds = s.Feeds();
  ASSERT_EQ(feeds.size(), 2u);
  EXPECT_EQ(feeds[0].feed, "a");
  EXPECT_EQ(feeds[0].indicators, 5u);
  EXPECT_EQ(s.meta(0).family, "fam");
}

TEST(IndicatorSetTest, ReplaceDropsOnlyTheNamedFeed) {
  auto base = IndicatorSet::Build({Feed("a", "one.com\ntwo.com\n"), Feed("b", "three.com\n")});
  ASSERT_TRUE(base.ok());
  const std::string drop[] = {"a"};
  auto updated = IndicatorSet::Build({Feed("a", "four.com\n")}, base->get(), drop);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(Find(**updated, 0, "one.com").empty());
  EXPECT_THAT(Find(**updated, 0, "three.com"), testing::ElementsAre("b domain three.com"));
  EXPECT_THAT(Find(**updated, 0, "four.com"), testing::ElementsAre("a domain four.com"));
  EXPECT_EQ((*updated)->indicator_count(), 2u);
}

// A database with an indicator set survives the artifact and an update that keeps its
// rules; the update counts what a feed already had as duplicates.
TEST(IndicatorSetTest, ArtifactRoundTripAndUpdateKeepRules) {
  CompileOptions options;
  auto set = IndicatorSet::Build({Feed("maltrail", "nanopc.linkpc.net\n178.16.53.180:18041\n")});
  ASSERT_TRUE(set.ok());
  options.indicators = *set;
  auto db = CompileDatabase({Literal("lit", "password")}, options);
  ASSERT_TRUE(db.ok());
  auto bytes = SerializeDatabase(**db);
  ASSERT_TRUE(bytes.ok());
  auto aligned = std::make_shared<const testing_util::AlignedBytes>(*bytes);
  auto loaded = DeserializeDatabase(aligned->view(), aligned);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_NE((*loaded)->indicators(), nullptr);
  // Read in place: the set's bytes lie inside the artifact.
  const std::string_view section = (*loaded)->indicators()->bytes();
  EXPECT_GE(section.data(), aligned->view().data());
  EXPECT_LE(section.data() + section.size(), aligned->view().data() + aligned->view().size());
  EXPECT_THAT(Find(*(*loaded)->indicators(), 0, "nanopc.linkpc.net"),
              testing::ElementsAre("maltrail domain nanopc.linkpc.net"));

  std::vector<FeedLoad> feeds = {Feed("maltrail", "nanopc.linkpc.net\nnew.evil.com\n")};
  auto updated = UpdateIndicators(**loaded, &feeds, IndicatorUpdateMode::kAdd);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(feeds[0].duplicates, 1u);
  EXPECT_EQ((*updated)->indicators()->indicator_count(), 3u);
  EXPECT_EQ((*updated)->rule_count(), 1u);
  EXPECT_EQ((*updated)->definitions_digest(), (*db)->definitions_digest());
  EXPECT_EQ((*updated)->definition(0).id, "lit");
  std::vector<FeedLoad> replacement = {Feed("maltrail", "only.evil.com\n")};
  auto replaced = UpdateIndicators(**updated, &replacement, IndicatorUpdateMode::kReplace);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ((*replaced)->indicators()->indicator_count(), 1u);
  const std::string report = FeedReportToJson(replacement, (*replaced)->indicators());
  EXPECT_THAT(report, testing::HasSubstr("\"loaded\": 1"));
  EXPECT_THAT(report, testing::HasSubstr("\"count\": 1"));
}

// Every lookup a set answers for the indicators of `text` (values, IPs of IP:ports, hosts
// of path-less URLs), as "feed type value" lines.
std::vector<std::string> AllHits(const IndicatorSet& set, const std::vector<FeedLoad>& feeds) {
  std::vector<std::string> out;
  for (const FeedLoad& feed : feeds) {
    for (const Indicator& indicator : feed.indicators) {
      const std::string& v = indicator.value;
      for (const std::string& hit : Find(set, KeyKindOf(indicator.type), v)) out.push_back(hit);
      if (indicator.type == IndicatorType::kIpPort) {
        const size_t colon = v.rfind(':');
        const std::string ip = v[0] == '[' ? v.substr(1, colon - 2) : v.substr(0, colon);
        for (const std::string& hit : Find(set, KeyKindOf(IndicatorKey::kIpOfIpPort), ip)) {
          out.push_back(StrCat("ip-of ", hit));
        }
      } else if (indicator.type == IndicatorType::kUrl && v.find('/') == std::string::npos) {
        for (const std::string& hit : Find(set, KeyKindOf(IndicatorKey::kHostOfUrl), v)) {
          out.push_back(StrCat("host-of ", hit));
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// `count` indicators of every kind that has a second key, and some that have none; IPs
// differ by the prefix's first letter.
std::string FeedText(std::string_view prefix, int first, int count) {
  std::string text;
  for (int i = first; i < first + count; ++i) {
    StrAppend(&text, prefix, "-d", i, ".example.com\n", static_cast<int>(prefix[0]), ".",
              i / 250, ".", i % 250, ".7:",
              8000 + i, "\n", "http://", prefix, "-u", i, ".test\n", prefix, "-p", i,
              ".org/x\n");
  }
  return text;
}

// An update builds on the set it has: every indicator of the base keeps its feed, family
// and keys, the new ones join, and lookups answer as for a set built at once. Small and
// large additions (the second changes the bucket count, so the base's keys are hashed
// again), and a replacement that keeps another feed's IP:port and URL second keys.
TEST(IndicatorSetTest, UpdatesKeepEveryIndicatorOfTheBase) {
  for (int added : {3, 2000}) {
    SCOPED_TRACE(added);
    const std::vector<FeedLoad> base_feeds = {Feed("a", FeedText("a", 0, 300)),
                                              Feed("b", FeedText("b", 0, 40))};
    auto base = IndicatorSet::Build(base_feeds);
    ASSERT_TRUE(base.ok()) << base.status();
    const std::vector<FeedLoad> more = {Feed("a", FeedText("a", 300, added))};
    auto updated = IndicatorSet::Build(more, base->get());
    ASSERT_TRUE(updated.ok()) << updated.status();
    std::vector<FeedLoad> all = base_feeds;
    all.push_back(more[0]);
    auto at_once = IndicatorSet::Build(all);
    ASSERT_TRUE(at_once.ok());
    EXPECT_EQ((*updated)->indicator_count(), (*base)->indicator_count() + 4u * added);
    EXPECT_EQ((*updated)->entry_count(), (*at_once)->entry_count());
    const std::vector<std::string> hits = AllHits(**updated, all);
    EXPECT_EQ(hits.size(), (300u + 40u + added) * 6);  // 4 values and 2 second keys each
    EXPECT_EQ(hits, AllHits(**at_once, all));
    EXPECT_EQ(AllHits(**updated, base_feeds), AllHits(**base, base_feeds));
    ASSERT_EQ((*updated)->Feeds().size(), 2u);
    EXPECT_EQ((*updated)->Feeds()[0].indicators, 4u * (300 + added));
    EXPECT_EQ((*updated)->Feeds()[1].by_type[static_cast<size_t>(IndicatorType::kIpPort)], 40u);

    const std::string drop[] = {"a"};
    auto replaced = IndicatorSet::Build(more, updated->get(), drop);
    ASSERT_TRUE(replaced.ok());
    const std::vector<FeedLoad> kept = {base_feeds[1], more[0]};
    EXPECT_EQ((*replaced)->indicator_count(), 4u * (40 + added));
    EXPECT_EQ(AllHits(**replaced, kept).size(), (40u + added) * 6);
    EXPECT_EQ(AllHits(**replaced, kept), AllHits(**IndicatorSet::Build(kept), kept));
    EXPECT_TRUE(AllHits(**replaced, {Feed("a", FeedText("a", 0, 300))}).empty());
  }
}

// `trawl indicators add` as a database update: duplicates of the feed already in the
// database are counted and left out, the rest join, and the new database saves to a
// file (written in pieces) that loads with the same answers.
TEST(IndicatorSetTest, DatabaseAddCountsDuplicatesAndSaves) {
  CompileOptions options;
  const std::vector<FeedLoad> base_feeds = {Feed("maltrail", FeedText("m", 0, 500))};
  auto set = IndicatorSet::Build(base_feeds);
  ASSERT_TRUE(set.ok());
  options.indicators = *set;
  auto db = CompileDatabase({Literal("lit", "password")}, options);
  ASSERT_TRUE(db.ok());
  // 50 values the database has (as four kinds each), and 100 new ones.
  std::vector<FeedLoad> feeds = {Feed("maltrail", FeedText("m", 450, 150))};
  auto updated = UpdateIndicators(**db, &feeds, IndicatorUpdateMode::kAdd);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(feeds[0].duplicates, 200u);
  EXPECT_EQ(feeds[0].indicators.size(), 400u);
  EXPECT_EQ((*updated)->indicators()->indicator_count(), 2400u);
  const std::vector<FeedLoad> all = {Feed("maltrail", FeedText("m", 0, 600))};
  const std::vector<std::string> hits = AllHits(*(*updated)->indicators(), all);
  EXPECT_EQ(hits.size(), 600u * 6);
  EXPECT_EQ(hits, AllHits(**IndicatorSet::Build(all), all));

  const std::string path = StrCat(::testing::TempDir(), "/indicator_update_test.tdb");
  ASSERT_TRUE(SaveDatabaseFile(**updated, path).ok());
  auto file = ReadFile(path);
  ASSERT_TRUE(file.ok());
  auto serialized = SerializeDatabase(**updated);
  ASSERT_TRUE(serialized.ok());
  EXPECT_TRUE(*file == *serialized) << "the file holds the artifact SerializeDatabase makes";
  auto aligned = std::make_shared<const testing_util::AlignedBytes>(*file);
  auto loaded = DeserializeDatabase(aligned->view(), aligned);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(AllHits(*(*loaded)->indicators(), all), hits);
  EXPECT_EQ((*loaded)->definition(0).id, "lit");
  std::remove(path.c_str());
}

// The section's offset in an artifact, found by its magic at a 64-byte boundary.
size_t SectionOffset(const std::string& artifact) {
  for (size_t at = 64; at + 8 <= artifact.size(); at += 64) {
    if (std::memcmp(artifact.data() + at, "TRWLIOC", 8) == 0) return at;
  }
  return 0;
}

// Reloads `artifact` after `edit`, with the payload checksum recomputed (a forger can).
absl::Status LoadForged(std::string artifact) {
  const uint64_t checksum = XXH3_64bits(artifact.data() + 32, artifact.size() - 32);
  std::memcpy(artifact.data() + 24, &checksum, sizeof checksum);
  auto aligned = std::make_shared<const testing_util::AlignedBytes>(artifact);
  auto db = DeserializeDatabase(aligned->view(), aligned);
  if (!db.ok()) return db.status();
  // Whatever loaded must look up without reading outside the section.
  const IndicatorSet* set = (*db)->indicators();
  if (set != nullptr) {
    for (const char* key : {"evil.com", "1.2.3.4", "x"}) {
      for (uint8_t kind : {0, 1, 3, 16, 17}) {
        set->Find(kind, key, [&](const IndicatorSet::Hit& hit) {
          (void)set->meta(hit.meta).feed.size();
        });
      }
    }
    (void)set->Feeds();
  }
  return absl::OkStatus();
}

TEST(IndicatorSetTest, ForgedSectionsAreRejectedOrHarmless) {
  CompileOptions options;
  auto set = IndicatorSet::Build({Feed("f", "evil.com\n1.2.3.4:443\nhttp://9.9.9.9\n")});
  ASSERT_TRUE(set.ok());
  options.indicators = *set;
  auto db = CompileDatabase({Literal("lit", "password")}, options);
  ASSERT_TRUE(db.ok());
  auto bytes = SerializeDatabase(**db);
  ASSERT_TRUE(bytes.ok());
  const size_t at = SectionOffset(*bytes);
  ASSERT_NE(at, 0u);
  const auto corrupt = [](const absl::Status& s) {
    return !s.ok() && CodeOf(s) == static_cast<int>(ErrorCode::kCorrupt);
  };
  auto with = [&](size_t offset, const void* value, size_t size) {
    std::string forged = *bytes;
    std::memcpy(forged.data() + at + offset, value, size);
    return LoadForged(forged);
  };
  const uint32_t big32 = 0xffffffffu, version = 9, bits = 40;
  const uint64_t big64 = uint64_t{1} << 40;
  EXPECT_TRUE(corrupt(with(0, "XXXX", 4))) << "magic";
  EXPECT_TRUE(corrupt(with(8, &version, 4))) << "layout version";
  EXPECT_TRUE(corrupt(with(12, &bits, 4))) << "bucket bits";
  for (size_t field : {16, 24, 32, 40, 48}) {
    EXPECT_TRUE(corrupt(with(field, &big64, 8))) << "count at " << field;
  }
  EXPECT_TRUE(corrupt(with(64, &big32, 4))) << "first bucket";
  // Every other byte of the section, flipped: a clean error or lookups that stay inside.
  const size_t size = bytes->size() - 8 - at;  // the target features follow the section
  for (size_t k = 0; k < size; ++k) {
    std::string forged = *bytes;
    forged[at + k] ^= 0x5a;
    absl::Status status = LoadForged(forged);
    EXPECT_TRUE(status.ok() || corrupt(status)) << k << ": " << status;
  }
  // A section cut short, and a flag byte that is neither 0 nor 1.
  std::string truncated = *bytes;
  truncated.resize(at + 100);
  const uint64_t payload = truncated.size() - 32;
  std::memcpy(truncated.data() + 16, &payload, 8);
  EXPECT_TRUE(corrupt(LoadForged(truncated)));
}

}  // namespace
}  // namespace trawl
