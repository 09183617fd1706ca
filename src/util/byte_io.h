// File: byte_io.h
// Little binary writer and bounds-checked reader for trawl's own binary files: database
// artifacts and compile caches (native byte order: both hold engine bytecode for one CPU
// family anyway). A read past the end sets !ok() and returns zero values, so a damaged
// file is detected, never trusted.
#ifndef TRAWL_SRC_UTIL_BYTE_IO_H_
#define TRAWL_SRC_UTIL_BYTE_IO_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace trawl {

class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void U64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void F64(double v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Raw(std::string_view s) { out_.append(s); }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  void StrList(const std::vector<std::string>& list) {
    U32(static_cast<uint32_t>(list.size()));
    for (const auto& s : list) Str(s);
  }
  // Zero bytes up to the next multiple of `alignment`, counting from `base` bytes before
  // this writer's output (where it will sit in its file).
  void Align(size_t alignment, size_t base) {
    while ((base + out_.size()) % alignment != 0) out_.push_back('\0');
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == data_.size(); }
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  uint8_t U8() { return Fixed<uint8_t>(); }
  uint32_t U32() { return Fixed<uint32_t>(); }
  uint64_t U64() { return Fixed<uint64_t>(); }
  double F64() { return Fixed<double>(); }
  std::string_view Raw(size_t size) {
    if (!ok_ || size > data_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string_view s = data_.substr(pos_, size);
    pos_ += size;
    return s;
  }
  std::string_view Str() { return Raw(U64()); }
  // Skips what ByteWriter::Align wrote.
  void Align(size_t alignment, size_t base) {
    const size_t misalignment = (base + pos_) % alignment;
    if (misalignment != 0) Raw(alignment - misalignment);
  }
  std::vector<std::string> StrList() {
    const uint32_t count = U32();
    std::vector<std::string> list;
    if (!ok_ || count > data_.size() - pos_) {  // each string needs at least one byte
      ok_ = false;
      return list;
    }
    list.reserve(count);
    for (uint32_t i = 0; i < count && ok_; ++i) list.emplace_back(Str());
    return list;
  }

 private:
  template <typename T>
  T Fixed() {
    T v{};
    if (!ok_ || sizeof(T) > data_.size() - pos_) {
      ok_ = false;
      return v;
    }
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_BYTE_IO_H_
