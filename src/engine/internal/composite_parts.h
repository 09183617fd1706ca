// File: composite_parts.h
// What the engine keeps per rule with logic (rules/rule_logic.h): the logic itself for a
// loaded database (decoded on first use from the artifact's composite section), and the
// prepared forms a scan needs (the parsed condition, compiled allow-list and path
// regexes), also built on first use: most rules never match.
#ifndef TRAWL_SRC_ENGINE_INTERNAL_COMPOSITE_PARTS_H_
#define TRAWL_SRC_ENGINE_INTERNAL_COMPOSITE_PARTS_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/internal/engine_parts.h"
#include "rules/condition.h"
#include "rules/rule_logic.h"

namespace trawl::internal {

// The logic records of a loaded database, by rule. Thread-safe.
class LogicTable {
 public:
  // `records` sorted by rule, kept alive by `owner`.
  LogicTable(std::shared_ptr<const void> owner,
             std::vector<std::pair<uint32_t, std::string_view>> records);
  ~LogicTable();
  LogicTable(const LogicTable&) = delete;
  LogicTable& operator=(const LogicTable&) = delete;

  // Null when the rule has none, or its record does not decode.
  const RuleLogic* Get(uint32_t rule) const;
  const std::vector<std::pair<uint32_t, std::string_view>>& records() const { return records_; }

 private:
  std::shared_ptr<const void> owner_;
  std::vector<std::pair<uint32_t, std::string_view>> records_;
  // Decoded logic per record; a sentinel marks a record that failed to decode.
  std::unique_ptr<std::atomic<const RuleLogic*>[]> decoded_;
};

// A rule's logic prepared for scanning.
struct RuleRuntime {
  bool ok = false;      // false: the logic did not prepare (never for a compiled rule)
  Condition condition;  // composites
  // Allow-lists: compiled regexes, parallel to RuleLogic::allow[i].regexes / .paths.
  std::vector<std::vector<Pcre2CodePtr>> allow_regexes;
  std::vector<std::vector<Pcre2CodePtr>> allow_paths;
  std::vector<Pcre2CodePtr> paths;
  std::vector<std::vector<std::string>> lower_stopwords;
  std::vector<std::string> lower_keywords;  // required_keywords, lowercase
};

// Prepared on first use; thread-safe.
class LazyRuntime {
 public:
  const RuleRuntime& Get(const RuleLogic& logic);

 private:
  std::once_flag once_;
  std::unique_ptr<const RuleRuntime> runtime_;
};

// Compiles a filter regex (allow-lists, paths): PCRE2, unanchored, no JIT stack needs.
absl::StatusOr<Pcre2CodePtr> CompileFilterRegex(std::string_view pattern);

}  // namespace trawl::internal

#endif  // TRAWL_SRC_ENGINE_INTERNAL_COMPOSITE_PARTS_H_
