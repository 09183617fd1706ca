// Shared helpers for the planner tests.
#ifndef TRAWL_TESTS_SCAN_PLAN_PLAN_TEST_UTIL_H_
#define TRAWL_TESTS_SCAN_PLAN_PLAN_TEST_UTIL_H_

#include "scan_plan/planner.h"

namespace trawl::plan {

// The layout trial may merge a small set into one pass (timed); tests of the plan itself
// turn it off.
inline PlanOptions NoTrial() {
  PlanOptions options;
  options.max_trial_rules = 0;
  return options;
}

}  // namespace trawl::plan

#endif  // TRAWL_TESTS_SCAN_PLAN_PLAN_TEST_UTIL_H_
