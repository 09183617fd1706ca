// File: status_codes.h
// trawl's stable error codes (include/trawl/trawl.h, TRAWL_E_*) carried on absl::Status
// from where an error arises: the absl code alone is too coarse (a corrupt artifact and a
// foreign-CPU artifact are both "failed precondition" to absl, a missing file and a
// missing component both "not found"), and a caller must tell them apart. Errors about a
// place in an input also carry that place (the definition, component or result index and
// the byte offset), so the C API's trawl_error can say where without parsing messages.
//
// capi/ ties every ErrorCode to its TRAWL_E_* value with static_asserts.
#ifndef TRAWL_SRC_UTIL_STATUS_CODES_H_
#define TRAWL_SRC_UTIL_STATUS_CODES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trawl {

// The TRAWL_E_* values. Pinned forever, like the header's.
enum class ErrorCode : int32_t {
  kInvalid = -1,
  kNoMemory = -2,
  kInternal = -3,
  kUnsupported = -4,
  kIo = -5,
  kParse = -6,
  kCompile = -7,
  kCorrupt = -8,
  kVersion = -9,
  kPlatform = -10,
  kBusy = -11,
  kMismatch = -12,
  kLimit = -13,
  kState = -14,
  kNotFound = -15,
};

// `status` with `code` attached (a no-op on OK).
absl::Status WithCode(absl::Status status, ErrorCode code);
template <typename T>
absl::StatusOr<T> WithCode(absl::StatusOr<T> result, ErrorCode code) {
  if (!result.ok()) return WithCode(result.status(), code);
  return result;
}
// `status` with `code` attached unless it carries one already (an out-of-memory error
// inside a parser stays kNoMemory, not the parser's kParse).
absl::Status WithDefaultCode(absl::Status status, ErrorCode code);
template <typename T>
absl::StatusOr<T> WithDefaultCode(absl::StatusOr<T> result, ErrorCode code) {
  if (!result.ok()) return WithDefaultCode(result.status(), code);
  return result;
}
// A new error with `code`, under the absl code that fits it best.
absl::Status CodedError(ErrorCode code, std::string_view message);
// The code attached with WithCode, if any.
std::optional<int> CodeOf(const absl::Status& status);
// The code of a non-OK status: the attached one, else the one its absl code implies.
ErrorCode TrawlCodeOf(const absl::Status& status);

// Where in its input an error is; -1 when unknown.
struct ErrorLocation {
  int64_t index = -1;   // the failing definition, component or result
  int64_t offset = -1;  // byte offset in the input
};
absl::Status WithLocation(absl::Status status, ErrorLocation location);
ErrorLocation LocationOf(const absl::Status& status);

// `status` with "<prefix>: " before its message; code and location are kept.
absl::Status Prefixed(const absl::Status& status, std::string_view prefix);

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_STATUS_CODES_H_
