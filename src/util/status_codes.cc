// File: status_codes.cc
#include "util/status_codes.h"

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "util/strings.h"

namespace trawl {
namespace {

constexpr char kCodeUrl[] = "trawl.dev/code";
constexpr char kIndexUrl[] = "trawl.dev/index";
constexpr char kOffsetUrl[] = "trawl.dev/offset";

void SetNumber(absl::Status* status, const char* url, int64_t value) {
  status->SetPayload(url, absl::Cord(std::to_string(value)));
}

// Reads without allocating: the C shim reads codes on its error path, where memory may
// have run out.
std::optional<int64_t> Number(const absl::Status& status, const char* url) {
  const auto payload = status.GetPayload(url);  // a short Cord is inline: no allocation
  if (!payload) return std::nullopt;
  const auto flat = payload->TryFlat();
  int64_t value = 0;
  if (!flat || !absl::SimpleAtoi(*flat, &value)) return std::nullopt;
  return value;
}

absl::StatusCode AbslCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalid:
    case ErrorCode::kParse:
    case ErrorCode::kCompile:
    case ErrorCode::kMismatch: return absl::StatusCode::kInvalidArgument;
    case ErrorCode::kNoMemory:
    case ErrorCode::kLimit: return absl::StatusCode::kResourceExhausted;
    case ErrorCode::kUnsupported: return absl::StatusCode::kUnimplemented;
    case ErrorCode::kIo: return absl::StatusCode::kUnavailable;
    case ErrorCode::kCorrupt: return absl::StatusCode::kDataLoss;
    case ErrorCode::kVersion:
    case ErrorCode::kPlatform:
    case ErrorCode::kState: return absl::StatusCode::kFailedPrecondition;
    case ErrorCode::kBusy: return absl::StatusCode::kAborted;
    case ErrorCode::kNotFound: return absl::StatusCode::kNotFound;
    case ErrorCode::kInternal: break;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

absl::Status WithCode(absl::Status status, ErrorCode code) {
  if (!status.ok()) SetNumber(&status, kCodeUrl, static_cast<int64_t>(code));
  return status;
}

absl::Status WithDefaultCode(absl::Status status, ErrorCode code) {
  return CodeOf(status) ? status : WithCode(std::move(status), code);
}

absl::Status CodedError(ErrorCode code, std::string_view message) {
  return WithCode(absl::Status(AbslCodeFor(code), absl::string_view(message.data(), message.size())),
                  code);
}

std::optional<int> CodeOf(const absl::Status& status) {
  const std::optional<int64_t> code = Number(status, kCodeUrl);
  if (!code) return std::nullopt;
  return static_cast<int>(*code);
}

ErrorCode TrawlCodeOf(const absl::Status& status) {
  if (std::optional<int> code = CodeOf(status)) return static_cast<ErrorCode>(*code);
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return ErrorCode::kInvalid;
    case absl::StatusCode::kResourceExhausted: return ErrorCode::kNoMemory;
    case absl::StatusCode::kFailedPrecondition: return ErrorCode::kState;
    case absl::StatusCode::kDataLoss: return ErrorCode::kCorrupt;
    case absl::StatusCode::kNotFound: return ErrorCode::kNotFound;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnavailable: return ErrorCode::kIo;
    case absl::StatusCode::kUnimplemented: return ErrorCode::kUnsupported;
    case absl::StatusCode::kAborted: return ErrorCode::kBusy;
    default: return ErrorCode::kInternal;
  }
}

absl::Status WithLocation(absl::Status status, ErrorLocation location) {
  if (status.ok()) return status;
  if (location.index >= 0) SetNumber(&status, kIndexUrl, location.index);
  if (location.offset >= 0) SetNumber(&status, kOffsetUrl, location.offset);
  return status;
}

ErrorLocation LocationOf(const absl::Status& status) {
  return {Number(status, kIndexUrl).value_or(-1), Number(status, kOffsetUrl).value_or(-1)};
}

absl::Status Prefixed(const absl::Status& status, std::string_view prefix) {
  if (status.ok()) return status;
  absl::Status out(status.code(), StrCat(prefix, ": ", status.message()));
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

}  // namespace trawl
