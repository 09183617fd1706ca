#include "util/digest.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace trawl {
namespace {

// FIPS 180-2 and RFC 4231 published vectors.
TEST(DigestTest, Sha256KnownVectors) {
  EXPECT_EQ(ToHex(Sha256Of("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256Of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, IncrementalEqualsOneShot) {
  Sha256 hasher;
  hasher.Update("ab");
  hasher.Update("c");
  EXPECT_EQ(hasher.Finish(), Sha256Of("abc"));
}

TEST(DigestTest, HmacRfc4231Case2) {
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// The keyed form (one key schedule for many messages) equals the one-shot HMAC for
// every message in a sequence, keys of every length class (empty, short, a block, longer
// than a block and so hashed first) and messages of every length around the block size.
TEST(DigestTest, KeyedHmacEqualsOneShot) {
  std::mt19937 rng(22);
  const auto bytes = [&rng](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  for (const size_t key_size : {size_t{0}, size_t{4}, size_t{32}, size_t{64}, size_t{65}, size_t{200}}) {
    const std::string key = bytes(key_size);
    HmacSha256Keyed keyed(key);
    EXPECT_EQ(keyed.key(), key);
    for (size_t n = 0; n < 300; n += 1 + n / 8) {
      const std::string message = bytes(n);
      ASSERT_EQ(ToHex(keyed.Mac(message)), ToHex(HmacSha256(key, message))) << key_size << " " << n;
    }
  }
  HmacSha256Keyed jefe("Jefe");
  EXPECT_EQ(ToHex(jefe.Mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace trawl
