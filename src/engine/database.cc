// File: database.cc
#include "engine/database.h"

#include <algorithm>
#include <set>

#include "engine/internal/engine_parts.h"
#include "engine/internal/rule_table.h"
#include "util/enum_names.h"

namespace trawl {
namespace {

constexpr EnumName<RuleStatus> kRuleStatusNames[] = {
    {RuleStatus::kCompiled, "compiled"},
    {RuleStatus::kPrefiltered, "prefiltered"},
    {RuleStatus::kRejected, "rejected"},
    {RuleStatus::kToken, "token"},
};

constexpr EnumName<PartitionKind> kPartitionKindNames[] = {
    {PartitionKind::kLiteral, "literal"},
    {PartitionKind::kRegex, "regex"},
    {PartitionKind::kGate, "gate"},
};

}  // namespace

std::string_view RuleStatusName(RuleStatus status) { return NameOf(kRuleStatusNames, status); }

std::string_view PartitionKindName(PartitionKind kind) {
  return NameOf(kPartitionKindNames, kind);
}

Sha256Digest DigestDefinitions(const std::vector<Definition>& definitions) {
  // Length-prefixed fields, so no two different definition lists hash the same input.
  Sha256 hasher;
  for (const Definition& def : definitions) {
    hasher.UpdateField(def.id);
    hasher.UpdateField(def.kind == PatternKind::kLiteral ? "L" : "R");
    hasher.UpdateField(def.expression);
    hasher.UpdateField(std::to_string(def.flags));
    hasher.UpdateField(def.category);
    hasher.UpdateField(SeverityName(def.severity));
    hasher.UpdateField(std::to_string(def.confidence));
    hasher.UpdateField(def.entity);
    hasher.UpdateField(def.validator);
    if (!def.token.empty()) {  // absent for rules without a shape: their digests stay as they were
      hasher.UpdateField("token");
      hasher.UpdateField(def.token.shape);
      hasher.UpdateField(def.token.separators);
      hasher.UpdateField(std::to_string(def.token.lengths.size()));
      for (uint32_t length : def.token.lengths) hasher.UpdateField(std::to_string(length));
      hasher.UpdateField(std::to_string(def.token.prefixes.size()));
      for (const auto& prefix : def.token.prefixes) hasher.UpdateField(prefix);
    }
    for (const auto* list : {&def.chains, &def.keywords, &def.tags}) {
      hasher.UpdateField(std::to_string(list->size()));
      for (const auto& item : *list) hasher.UpdateField(item);
    }
  }
  return hasher.Finish();
}

Database::Database(std::vector<Definition> definitions, std::vector<RuleInfo> rule_info,
                   std::vector<PartitionInfo> partitions,
                   std::unique_ptr<internal::EngineParts> parts, uint32_t max_window,
                   const Sha256Digest* known_digest)
    : definitions_(std::move(definitions)),
      rule_info_(std::move(rule_info)),
      partitions_(std::move(partitions)),
      parts_(std::move(parts)),
      max_window_(max_window) {
  std::set<std::string_view> chains;
  for (const Definition& def : definitions_) chains.insert(def.chains.begin(), def.chains.end());
  chains_.assign(chains.begin(), chains.end());
  digest_ = known_digest ? *known_digest : DigestDefinitions(definitions_);
  FinishConstruction();
}

Database::Database(std::unique_ptr<internal::RuleTable> table, std::vector<std::string> chains,
                   std::vector<RuleInfo> rule_info, std::vector<PartitionInfo> partitions,
                   std::unique_ptr<internal::EngineParts> parts, uint32_t max_window,
                   const Sha256Digest& digest)
    : rule_table_(std::move(table)),
      chains_(std::move(chains)),
      rule_info_(std::move(rule_info)),
      partitions_(std::move(partitions)),
      parts_(std::move(parts)),
      max_window_(max_window),
      digest_(digest) {
  FinishConstruction();
}

void Database::FinishConstruction() {
  for (const RuleInfo& info : rule_info_) {
    if (info.status == RuleStatus::kRejected) continue;
    overlap_ = std::max(overlap_, std::min(info.max_width, max_window_));
  }
  if (!parts_->confirm) {
    parts_->confirm = MappedArray<internal::LazyRegex>(rule_count());
    parts_->reference = MappedArray<internal::LazyRegex>(rule_count());
  }
}

Database::~Database() = default;

const Definition& Database::definition(size_t rule) const {
  return rule_table_ ? rule_table_->Get(rule) : definitions_[rule];
}

size_t Database::CountWithStatus(RuleStatus status) const {
  return static_cast<size_t>(std::count_if(rule_info_.begin(), rule_info_.end(),
                                           [&](const RuleInfo& r) { return r.status == status; }));
}

size_t Database::engine_bytes() const {
  size_t total = 0;
  for (const auto& p : partitions_) total += p.bytes;
  return total;
}

}  // namespace trawl
