// File: fuzz_options.h
// The decomposition options both intake fuzzers use: tight limits keep each run short,
// and the limit paths are exercised too.
#ifndef TRAWL_TESTS_INTAKE_FUZZ_OPTIONS_H_
#define TRAWL_TESTS_INTAKE_FUZZ_OPTIONS_H_

#include "intake/decompose.h"

namespace trawl::testing {

inline DecomposeOptions FuzzDecomposeOptions() {
  DecomposeOptions options;
  options.package_id = "fuzz";
  options.package_name = "input";
  options.limits.max_total_bytes = 32 << 20;
  options.limits.ratio_grace_bytes = 1 << 20;
  options.limits.max_expansion_ratio = 500;
  options.limits.max_entries = 2000;
  options.limits.max_depth = 4;
  options.limits.max_component_bytes = 8 << 20;
  return options;
}

}  // namespace trawl::testing

#endif  // TRAWL_TESTS_INTAKE_FUZZ_OPTIONS_H_
