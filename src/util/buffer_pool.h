// File: buffer_pool.h
// Spare byte buffers handed from the analysis workers back to intake. A component's
// content is read into a buffer that the worker analysing it frees on another thread; a
// fresh buffer for the next component is memory the kernel has to fault in page by page,
// which on the microVMs trawl runs in cost ~10% of a package analysis (issue 22,
// bench/RESULTS.md). A buffer given back keeps its capacity and its pages, so the next
// component is read into memory that is already mapped.
//
// Thread-safe. Holds at most `max_spare_bytes` of spare capacity; what would pass it is freed.
#ifndef TRAWL_SRC_UTIL_BUFFER_POOL_H_
#define TRAWL_SRC_UTIL_BUFFER_POOL_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace trawl {

class BufferPool {
 public:
  explicit BufferPool(uint64_t max_spare_bytes) : max_spare_bytes_(max_spare_bytes) {}

  // An empty buffer: the smallest spare one with at least `size_hint` capacity, else the
  // largest spare one (it grows as it is filled), else a new one.
  std::string Get(uint64_t size_hint) {
    std::lock_guard lock(mutex_);
    if (spare_.empty()) return std::string();
    size_t best = spare_.size();  // the smallest that fits
    size_t largest = 0;
    for (size_t i = 0; i < spare_.size(); ++i) {
      const uint64_t have = spare_[i].capacity();
      if (have >= size_hint && (best == spare_.size() || have < spare_[best].capacity())) best = i;
      if (have > spare_[largest].capacity()) largest = i;
    }
    if (best == spare_.size()) best = largest;
    std::string buffer = std::move(spare_[best]);
    spare_[best] = std::move(spare_.back());
    spare_.pop_back();
    spare_bytes_ -= buffer.capacity();
    return buffer;
  }

  // Keeps `buffer` (emptied) for a later Get, unless the spare capacity would pass the
  // bound: then it is freed here.
  void Put(std::string buffer) {
    buffer.clear();
    const uint64_t capacity = buffer.capacity();
    if (capacity < kMinKeptBytes) return;
    std::lock_guard lock(mutex_);
    if (spare_bytes_ + capacity > max_spare_bytes_) return;
    spare_bytes_ += capacity;
    spare_.push_back(std::move(buffer));
  }

  uint64_t spare_bytes() const {
    std::lock_guard lock(mutex_);
    return spare_bytes_;
  }

 private:
  // Small buffers come from malloc's own free lists at no fault cost.
  static constexpr uint64_t kMinKeptBytes = 4096;

  const uint64_t max_spare_bytes_;
  mutable std::mutex mutex_;
  std::vector<std::string> spare_;
  uint64_t spare_bytes_ = 0;
};

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_BUFFER_POOL_H_
