// A composite rule shared by the analysis tests: "far-apart" holds when BEGIN-MARK and
// END-MARK both occur in the component, however far apart (as an imported IDS rule's
// contents may be).
#ifndef TRAWL_TESTS_ANALYZE_FAR_APART_RULE_H_
#define TRAWL_TESTS_ANALYZE_FAR_APART_RULE_H_

#include <memory>

#include "engine/compiler.h"
#include "engine/test_util.h"
#include "rules/loader.h"

namespace trawl::testing_util {

inline std::shared_ptr<const Database> FarApartDb() {
  auto rules = ParseDefinitions(R"json([{"id": "far-apart", "category": "signature",
      "patterns": [{"name": "a", "literal": "BEGIN-MARK"}, {"name": "b", "literal": "END-MARK"}],
      "condition": "all of them"}])json", "far.json");
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? MustCompile(rules->definitions) : nullptr;
}

}  // namespace trawl::testing_util

#endif  // TRAWL_TESTS_ANALYZE_FAR_APART_RULE_H_
