// File: buffer_pool_test.cc
#include "util/buffer_pool.h"

#include <string>

#include "gtest/gtest.h"

namespace trawl {
namespace {

std::string WithCapacity(size_t capacity) {
  std::string s;
  s.reserve(capacity);
  s.assign("content");
  return s;
}

TEST(BufferPoolTest, GivesTheSmallestSpareBufferThatFitsElseTheLargest) {
  BufferPool pool(1 << 20);
  EXPECT_EQ(pool.Get(100).capacity(), std::string().capacity());  // nothing spare: a new one
  pool.Put(WithCapacity(64 << 10));
  pool.Put(WithCapacity(16 << 10));
  pool.Put(WithCapacity(32 << 10));
  std::string fit = pool.Get(20 << 10);
  EXPECT_GE(fit.capacity(), size_t{32} << 10);
  EXPECT_LT(fit.capacity(), size_t{64} << 10);
  EXPECT_TRUE(fit.empty());  // given back emptied, capacity kept
  std::string largest = pool.Get(size_t{1} << 30);
  EXPECT_GE(largest.capacity(), size_t{64} << 10);
  EXPECT_GE(pool.Get(0).capacity(), size_t{16} << 10);
  EXPECT_EQ(pool.spare_bytes(), 0u);
}

TEST(BufferPoolTest, KeepsNoMoreThanItsBoundAndNoSmallBuffers) {
  BufferPool pool(100 << 10);
  pool.Put(WithCapacity(64 << 10));
  const uint64_t after_one = pool.spare_bytes();
  EXPECT_GE(after_one, uint64_t{64} << 10);
  pool.Put(WithCapacity(64 << 10));  // would pass the bound: freed
  EXPECT_EQ(pool.spare_bytes(), after_one);
  pool.Put(WithCapacity(100));  // small: malloc keeps those warm itself
  EXPECT_EQ(pool.spare_bytes(), after_one);
}

}  // namespace
}  // namespace trawl
