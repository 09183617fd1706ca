// File: huge_pages.h
// Memory for large tables built at load time. On the VMs trawl runs in (Firecracker-class
// microVMs), the first touch of each 4 KiB page costs microseconds, so a cold start that
// fills tens of megabytes spends most of its time in page faults; with transparent huge
// pages the kernel faults in 2 MiB at a time. Measured in bench/RESULTS.md ("Cold load").
#ifndef TRAWL_SRC_UTIL_HUGE_PAGES_H_
#define TRAWL_SRC_UTIL_HUGE_PAGES_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

namespace trawl {

// Zeroed, private memory of at least `*size` bytes (updated to the size mapped), or nullptr.
// 2 MiB-aligned with huge pages requested when large; populated at once when small. Free
// with UnmapMemory(memory, *size).
void* MapMemory(size_t* size);
void UnmapMemory(void* memory, size_t size);

// Sizes `v` to `n` default elements, asking for huge pages for its storage first when it
// is large (a block this size comes from its own untouched mmap).
template <typename T>
void ResizeWithHugePages(std::vector<T>* v, size_t n);

// A fixed-size array for element types that cannot move (std::once_flag members), in
// MapMemory memory.
template <typename T>
class MappedArray {
 public:
  MappedArray() = default;
  explicit MappedArray(size_t n);
  ~MappedArray();
  MappedArray(const MappedArray&) = delete;
  MappedArray& operator=(const MappedArray&) = delete;
  MappedArray(MappedArray&& other) noexcept { *this = std::move(other); }
  MappedArray& operator=(MappedArray&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
    return *this;
  }

  explicit operator bool() const { return data_ != nullptr; }
  size_t size() const { return size_; }
  T& operator[](size_t i) const { return data_[i]; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
};

void AdviseHugePages(const void* begin, size_t bytes);

template <typename T>
void ResizeWithHugePages(std::vector<T>* v, size_t n) {
  v->reserve(n);
  AdviseHugePages(v->data(), n * sizeof(T));
  v->resize(n);
}

template <typename T>
MappedArray<T>::MappedArray(size_t n) : size_(n), mapped_(n * sizeof(T)) {
  void* memory = n ? MapMemory(&mapped_) : nullptr;
  if (memory == nullptr) {
    if (n) throw std::bad_alloc();
    return;
  }
  data_ = static_cast<T*>(memory);
  for (size_t i = 0; i < n; ++i) new (data_ + i) T();
}

template <typename T>
MappedArray<T>::~MappedArray() {
  if (data_ == nullptr) return;
  for (size_t i = 0; i < size_; ++i) data_[i].~T();
  UnmapMemory(data_, mapped_);
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_HUGE_PAGES_H_
