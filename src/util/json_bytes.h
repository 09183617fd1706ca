// File: json_bytes.h
// The bytes a JSON string cannot hold as they are, found eight at a time: the reader
// (structure/json_structure.cc) stops at them to decode escapes, the writer
// (json_writer.cc) to escape them. Both run over every string byte of large documents and
// reports, which are mostly plain runs.
#ifndef TRAWL_SRC_UTIL_JSON_BYTES_H_
#define TRAWL_SRC_UTIL_JSON_BYTES_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace trawl {

// The index of the first byte of `s` at or after `from` that is '"', '\\' or a control
// character (< 0x20), and with `non_ascii` also DEL or any byte >= 0x80; s.size() when
// there is none. In each word the lowest flagged byte is exact: the borrows of the
// zero-byte tests and the carry of the DEL test only start at bytes that are flagged
// themselves, so they can only flag bytes above a true one wrongly. On a little-endian
// machine the lowest byte comes first.
inline size_t NextJsonSpecialByte(std::string_view s, size_t from, bool non_ascii) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  size_t i = from;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      const uint64_t quote = word ^ (kOnes * '"');
      const uint64_t backslash = word ^ (kOnes * '\\');
      uint64_t flagged = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                         ((word - kOnes * 0x20) & ~word);
      if (non_ascii) flagged |= word | (word + kOnes);
      if ((flagged & kHigh) != 0) {
        return i + static_cast<size_t>(std::countr_zero(flagged & kHigh) >> 3);
      }
    }
  }
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\' || c < 0x20 || (non_ascii && c >= 0x7F)) break;
  }
  return i;
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_JSON_BYTES_H_
