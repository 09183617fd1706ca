// File: rule_table.h
// The definitions of a loaded database, decoded on first use. A cold start that loads
// 70k rules reports on a handful; building 70k Definitions up front (about six heap
// allocations each) cost more than restoring the engine databases. The artifact loader
// checks every record before it builds the table, so decoding one later cannot fail.
#ifndef TRAWL_SRC_ENGINE_INTERNAL_RULE_TABLE_H_
#define TRAWL_SRC_ENGINE_INTERNAL_RULE_TABLE_H_

#include <atomic>
#include <memory>
#include <string_view>
#include <vector>

#include "rules/definition.h"
#include "util/huge_pages.h"

namespace trawl::internal {

class RuleTable {
 public:
  using Decoder = Definition (*)(std::string_view record);

  // `records[i]` is rule i's serialized record, kept alive by `owner`.
  RuleTable(std::shared_ptr<const void> owner, std::vector<std::string_view> records,
            Decoder decode);
  ~RuleTable();
  RuleTable(const RuleTable&) = delete;
  RuleTable& operator=(const RuleTable&) = delete;

  size_t size() const { return records_.size(); }
  // Thread-safe; a rule is decoded once (a racing decode is discarded) and then stays.
  const Definition& Get(size_t rule) const;

 private:
  std::shared_ptr<const void> owner_;
  std::vector<std::string_view> records_;
  Decoder decode_;
  MappedArray<std::atomic<const Definition*>> decoded_;
};

}  // namespace trawl::internal

#endif  // TRAWL_SRC_ENGINE_INTERNAL_RULE_TABLE_H_
