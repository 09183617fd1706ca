#include "engine/artifact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "test_util.h"
#include "util/status_codes.h"

namespace trawl {
namespace {

using testing_util::Literal;
using testing_util::MustCompile;
using testing_util::Regex;

std::shared_ptr<const Database> SampleDb() {
  Definition lit = Literal("lit", "password");
  lit.severity = Severity::kCritical;
  lit.tags = {"t1", "t2"};
  lit.examples = {"password"};
  return MustCompile({lit, Regex("re", "key=([a-z]{4,8})"), Regex("bad", "(")});
}

TEST(ArtifactTest, RoundTripKeepsMetadataAndFindings) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->rule_count(), 3u);
  EXPECT_EQ((*loaded)->definitions()[0].severity, Severity::kCritical);
  EXPECT_EQ((*loaded)->definitions()[0].tags, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ((*loaded)->rule_info()[2].status, RuleStatus::kRejected);
  EXPECT_EQ((*loaded)->rule_info()[2].reason, db->rule_info()[2].reason);
  EXPECT_EQ((*loaded)->definitions_digest(), db->definitions_digest());
  const std::string input = "password key=abcdef";
  EXPECT_EQ(testing_util::ScanAll(*loaded, input), testing_util::ScanAll(db, input));
  // Serialization is deterministic.
  auto again = SerializeDatabase(**loaded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
  auto header = ReadArtifactHeader(*bytes);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->definitions_digest, ToHex(db->definitions_digest()));
}

TEST(ArtifactTest, EveryTruncationIsACleanCorruptError) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  for (size_t len = 0; len < bytes->size(); len += 1 + len / 7) {
    auto loaded = DeserializeDatabase(std::string_view(*bytes).substr(0, len));
    ASSERT_FALSE(loaded.ok()) << len;
    EXPECT_EQ(CodeOf(loaded.status()), static_cast<int>(ErrorCode::kCorrupt)) << len;
  }
}

TEST(ArtifactTest, FlippedBytesAreDetected) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  for (size_t pos = 32; pos < bytes->size(); pos += 97) {
    std::string damaged = *bytes;
    damaged[pos] ^= 0x5a;
    auto loaded = DeserializeDatabase(damaged);
    ASSERT_FALSE(loaded.ok()) << pos;
    EXPECT_THAT(std::string(loaded.status().message()), ::testing::HasSubstr("checksum"));
  }
}

TEST(ArtifactTest, ForeignFormatVersionAndGarbageAreNamed) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  std::string future = *bytes;
  const uint32_t version = kArtifactFormatVersion + 1;
  std::memcpy(future.data() + 8, &version, sizeof version);
  auto loaded = DeserializeDatabase(future);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(CodeOf(loaded.status()), static_cast<int>(ErrorCode::kVersion));
  auto garbage = DeserializeDatabase("definitely not a database");
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(std::string(garbage.status().message()), ::testing::HasSubstr("magic"));
}

}  // namespace
}  // namespace trawl
