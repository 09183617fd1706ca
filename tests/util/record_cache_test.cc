// The compile caches' shared file format: a mismatch anywhere reads as an empty cache.
#include "util/record_cache.h"

#include "gtest/gtest.h"

namespace trawl {
namespace {

TEST(RecordCacheTest, RoundTripsAndRejectsAnyMismatch) {
  const std::string path = testing::TempDir() + "/record_cache_test.bin";
  const std::vector<std::string> keys = {RecordKey({"a", "b"}), RecordKey({"ab", ""})};
  EXPECT_NE(keys[0], keys[1]);  // length-prefixed fields never collide
  EXPECT_EQ(keys[0].size(), kRecordKeyBytes);
  const std::vector<uint32_t> values = {7, 9};
  WriteRecordCache(path, "TESTMAG1", "v1", keys,
                   [&](ByteWriter& w, size_t i) { w.U32(values[i]); });
  const auto read = [](ByteReader& r, uint32_t* v) {
    *v = r.U32();
    return *v != 0;
  };
  auto cached = ReadRecordCache<uint32_t>(path, "TESTMAG1", "v1", read);
  ASSERT_EQ(cached.size(), 2u);
  EXPECT_EQ(cached[keys[1]], 9u);
  EXPECT_TRUE(ReadRecordCache<uint32_t>(path, "TESTMAG1", "v2", read).empty());
  EXPECT_TRUE(ReadRecordCache<uint32_t>(path, "OTHERMAG", "v1", read).empty());
  EXPECT_TRUE(ReadRecordCache<uint32_t>(path + ".missing", "TESTMAG1", "v1", read).empty());
  // A record the reader rejects discards the whole cache.
  WriteRecordCache(path, "TESTMAG1", "v1", keys, [](ByteWriter& w, size_t) { w.U32(0); });
  EXPECT_TRUE(ReadRecordCache<uint32_t>(path, "TESTMAG1", "v1", read).empty());
}

}  // namespace
}  // namespace trawl
