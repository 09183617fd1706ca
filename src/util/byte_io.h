// File: byte_io.h
// Little binary writer and bounds-checked reader for trawl's own cache files (native
// byte order: caches never leave the machine that wrote them). A read past the end sets
// !ok() and returns zero values, so a damaged file is detected, never trusted.
#ifndef TRAWL_SRC_UTIL_BYTE_IO_H_
#define TRAWL_SRC_UTIL_BYTE_IO_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace trawl {

class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void U64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Raw(std::string_view s) { out_.append(s); }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
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
  uint8_t U8() { return Fixed<uint8_t>(); }
  uint32_t U32() { return Fixed<uint32_t>(); }
  uint64_t U64() { return Fixed<uint64_t>(); }
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
