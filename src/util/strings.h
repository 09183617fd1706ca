// File: strings.h
// String building that takes std::string_view. Debian's Abseil is built with its own
// absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat and friends do
// not accept std::string_view; trawl code uses these instead.
#ifndef TRAWL_SRC_UTIL_STRINGS_H_
#define TRAWL_SRC_UTIL_STRINGS_H_

#include <charconv>
#include <cstdint>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace trawl {
namespace strings_internal {

inline void AppendPiece(std::string* out, std::string_view piece) { out->append(piece); }
inline void AppendPiece(std::string* out, const char* piece) { out->append(piece); }
// absl::Status::message() returns absl::string_view on Debian's Abseil.
inline void AppendPiece(std::string* out, absl::string_view piece) {
  out->append(piece.data(), piece.size());
}
inline void AppendPiece(std::string* out, const std::string& piece) { out->append(piece); }
inline void AppendPiece(std::string* out, char c) { out->push_back(c); }
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void AppendPiece(std::string* out, T value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, end);
}
inline void AppendPiece(std::string* out, double value) { out->append(std::to_string(value)); }

}  // namespace strings_internal

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (strings_internal::AppendPiece(out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppend(&out, args...);
  return out;
}

template <typename Container>
std::string StrJoin(const Container& items, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.append(separator);
    first = false;
    strings_internal::AppendPiece(&out, item);
  }
  return out;
}

// Splits on `delimiter`; keeps empty pieces unless skip_empty.
std::vector<std::string_view> Split(std::string_view text, char delimiter, bool skip_empty = false);

// The value of the four hex digits at s[i, i + 4) (a JSON \u escape's), or false.
inline bool ReadHex4(std::string_view s, size_t i, uint32_t* out) {
  if (i + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    const char c = s[i + k];
    uint32_t h;
    if (c >= '0' && c <= '9') {
      h = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      h = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      h = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    v = (v << 4) | h;
  }
  *out = v;
  return true;
}

inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
inline bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_STRINGS_H_
