// File: option_files.h
// The aggregation options a caller names by file: a scoring policy (trawl.policy/1), an
// allow-list (trawl.suppressions/1) and a baseline (trawl.baseline/1 or an earlier
// report). Read when the stage that uses them runs, so a bad file is that call's error.
#ifndef TRAWL_SRC_AGGREGATE_OPTION_FILES_H_
#define TRAWL_SRC_AGGREGATE_OPTION_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "aggregate/aggregate.h"

namespace trawl {

// Paths; empty means none (the default policy, no allow-list, no baseline).
struct AggregateFiles {
  std::string policy;
  std::string suppressions;
  std::string baseline;
};

// The options the files give. Errors name the file: "policy <path>: ..."
// (ErrorCode::kIo when it cannot be read, kParse when it is not the document).
absl::StatusOr<AggregateOptions> LoadAggregateOptions(const AggregateFiles& files);

}  // namespace trawl

#endif  // TRAWL_SRC_AGGREGATE_OPTION_FILES_H_
