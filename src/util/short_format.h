// File: short_format.h
// absl::StrFormat for short texts (a reason, a detail) on paths that must survive an
// allocation failure. absl::StrFormat appends its buffer to the result in the destructor of
// its sink (FormatSinkImpl::~FormatSinkImpl calls Flush), so a std::bad_alloc there ends
// the process (std::terminate) instead of reaching the C API's catch-all
// (AllocFailureTest.PackagesAndStages hit it in Recognize). ShortFormat formats into a
// stack buffer with absl::SNPrintF and allocates the string afterwards, where a bad_alloc
// propagates like any other. Texts longer than kShortFormatMax - 1 bytes are cut there.
#ifndef TRAWL_SRC_UTIL_SHORT_FORMAT_H_
#define TRAWL_SRC_UTIL_SHORT_FORMAT_H_

#include <algorithm>
#include <cstddef>
#include <string>

#include "absl/strings/str_format.h"

namespace trawl {

inline constexpr size_t kShortFormatMax = 512;

template <typename... Args>
std::string ShortFormat(const absl::FormatSpec<Args...>& format, const Args&... args) {
  char buffer[kShortFormatMax];
  const int n = absl::SNPrintF(buffer, sizeof(buffer), format, args...);
  const size_t length = n < 0 ? 0 : std::min(static_cast<size_t>(n), sizeof(buffer) - 1);
  return std::string(buffer, length);
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_SHORT_FORMAT_H_
