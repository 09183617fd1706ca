// File: status_macros.h
// Propagation helpers for absl::Status. The pinned Abseil (20220623) does not ship
// status_macros.h publicly, so trawl keeps these two small macros of its own.
#ifndef TRAWL_SRC_UTIL_STATUS_MACROS_H_
#define TRAWL_SRC_UTIL_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TRAWL_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    if (absl::Status trawl_status_ = (expr);         \
        !trawl_status_.ok()) {                       \
      return trawl_status_;                          \
    }                                                \
  } while (0)

#define TRAWL_CONCAT_INNER_(a, b) a##b
#define TRAWL_CONCAT_(a, b) TRAWL_CONCAT_INNER_(a, b)

#define TRAWL_ASSIGN_OR_RETURN(lhs, expr) \
  TRAWL_ASSIGN_OR_RETURN_IMPL_(TRAWL_CONCAT_(trawl_statusor_, __LINE__), lhs, expr)

#define TRAWL_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // TRAWL_SRC_UTIL_STATUS_MACROS_H_
