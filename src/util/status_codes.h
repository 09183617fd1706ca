// File: status_codes.h
// Attaches trawl's stable error codes (include/trawl/trawl.h, TRAWL_E_*) to absl::Status
// where the absl code alone is too coarse: a corrupt artifact and a foreign-CPU artifact
// are both "failed precondition" to absl, but a host must tell them apart.
#ifndef TRAWL_SRC_UTIL_STATUS_CODES_H_
#define TRAWL_SRC_UTIL_STATUS_CODES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"

namespace trawl {

// Mirrors the TRAWL_E_* values that have no unique absl::StatusCode.
enum class ErrorCode : int {
  kParse = -6,
  kCompile = -7,
  kCorrupt = -8,
  kVersion = -9,
  kPlatform = -10,
  kBusy = -11,
  kMismatch = -12,
  kLimit = -13,
};

inline constexpr char kTrawlCodeUrl[] = "trawl.dev/code";

inline absl::Status WithCode(absl::Status status, ErrorCode code) {
  status.SetPayload(kTrawlCodeUrl, absl::Cord(std::to_string(static_cast<int>(code))));
  return status;
}

inline std::optional<int> CodeOf(const absl::Status& status) {
  auto payload = status.GetPayload(kTrawlCodeUrl);
  int value = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &value)) return std::nullopt;
  return value;
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_STATUS_CODES_H_
