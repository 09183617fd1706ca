// File: rule_table.cc
#include "engine/internal/rule_table.h"

namespace trawl::internal {

RuleTable::RuleTable(std::shared_ptr<const void> owner, std::vector<std::string_view> records,
                     Decoder decode)
    : owner_(std::move(owner)),
      records_(std::move(records)),
      decode_(decode),
      decoded_(records_.size()) {}

RuleTable::~RuleTable() {
  for (size_t i = 0; i < records_.size(); ++i) delete decoded_[i].load(std::memory_order_relaxed);
}

const Definition& RuleTable::Get(size_t rule) const {
  std::atomic<const Definition*>& slot = decoded_[rule];
  const Definition* def = slot.load(std::memory_order_acquire);
  if (def != nullptr) return *def;
  auto fresh = std::make_unique<const Definition>(decode_(records_[rule]));
  if (slot.compare_exchange_strong(def, fresh.get(), std::memory_order_acq_rel,
                                   std::memory_order_acquire)) {
    return *fresh.release();
  }
  return *def;  // another thread decoded it first
}

}  // namespace trawl::internal
