// File: file.h
// Whole-file reads and writes with absl::Status errors that name the path.
#ifndef TRAWL_SRC_UTIL_FILE_H_
#define TRAWL_SRC_UTIL_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace trawl {

absl::StatusOr<std::string> ReadFile(const std::string& path);
// Reads a file, transparently gunzipping it when its name ends in ".gz".
absl::StatusOr<std::string> ReadMaybeGzipFile(const std::string& path);
// Writes through a temporary file and a rename, so readers never see half a file.
absl::Status WriteFileAtomically(const std::string& path, std::string_view data);

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_FILE_H_
