// File: database.cc
#include "engine/database.h"

#include <algorithm>
#include <set>

#include "engine/internal/composite_parts.h"
#include "engine/internal/engine_parts.h"
#include "engine/internal/keyword_index.h"
#include "engine/internal/rule_table.h"
#include "util/enum_names.h"

namespace trawl {
namespace {

constexpr EnumName<RuleStatus> kRuleStatusNames[] = {
    {RuleStatus::kCompiled, "compiled"},
    {RuleStatus::kPrefiltered, "prefiltered"},
    {RuleStatus::kRejected, "rejected"},
    {RuleStatus::kToken, "token"},
    {RuleStatus::kComposite, "composite"},
    {RuleStatus::kConfirmOnly, "confirm-only"},
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
    if (def.logic) {  // absent for plain rules: their digests stay as they were
      hasher.UpdateField("logic");
      hasher.UpdateField(EncodeRuleLogic(*def.logic));
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
                   const Sha256Digest* known_digest, std::vector<CompositeInfo> composites)
    : definitions_(std::move(definitions)),
      rule_info_(std::move(rule_info)),
      partitions_(std::move(partitions)),
      parts_(std::move(parts)),
      max_window_(max_window),
      composites_(std::move(composites)) {
  for (uint32_t i = 0; i < definitions_.size(); ++i) {
    if (definitions_[i].logic) logic_rules_.push_back(i);
    if (i < rule_info_.size()) rule_info_[i].flags = definitions_[i].flags;
  }
  std::set<std::string_view> chains;
  for (const Definition& def : definitions_) chains.insert(def.chains.begin(), def.chains.end());
  chains_.assign(chains.begin(), chains.end());
  digest_ = known_digest ? *known_digest : DigestDefinitions(definitions_);
  FinishConstruction();
}

Database::Database(std::unique_ptr<internal::RuleTable> table, std::vector<std::string> chains,
                   std::vector<RuleInfo> rule_info, std::vector<PartitionInfo> partitions,
                   std::unique_ptr<internal::EngineParts> parts, uint32_t max_window,
                   const Sha256Digest& digest, std::vector<CompositeInfo> composites,
                   std::unique_ptr<internal::LogicTable> logic)
    : rule_table_(std::move(table)),
      chains_(std::move(chains)),
      rule_info_(std::move(rule_info)),
      partitions_(std::move(partitions)),
      parts_(std::move(parts)),
      max_window_(max_window),
      digest_(digest),
      composites_(std::move(composites)),
      logic_table_(std::move(logic)) {
  if (logic_table_) {
    for (const auto& [rule, record] : logic_table_->records()) logic_rules_.push_back(rule);
  }
  FinishConstruction();
}

void Database::FinishConstruction() {
  for (const RuleInfo& info : rule_info_) {
    // Composites and confirm-only parts are evaluated after the scan, over the bytes the
    // scanner holds: they need no overlap between chunks.
    if (!EngineScans(info.status) && info.status != RuleStatus::kToken) continue;
    overlap_ = std::max(overlap_, std::min(info.max_width, max_window_));
  }
  composite_of_.assign(rule_info_.size(), -1);
  is_part_.assign(rule_info_.size(), 0);
  part_users_.resize(rule_info_.size());
  for (size_t c = 0; c < composites_.size(); ++c) {
    const CompositeInfo& composite = composites_[c];
    composite_of_[composite.rule] = static_cast<int32_t>(c);
    for (uint32_t part : composite.pattern_rules) {
      is_part_[part] = 1;
      std::vector<uint32_t>& users = part_users_[part];
      if (users.empty() || users.back() != c) users.push_back(static_cast<uint32_t>(c));
    }
  }
  runtimes_ = std::make_unique<internal::LazyRuntime[]>(logic_rules_.size());
  if (!parts_->confirm) {
    parts_->confirm = MappedArray<internal::LazyRegex>(rule_count());
    parts_->reference = MappedArray<internal::LazyRegex>(rule_count());
  }
}

Database::~Database() = default;

const Definition& Database::definition(size_t rule) const {
  return rule_table_ ? rule_table_->Get(rule) : definitions_[rule];
}

const RuleLogic* Database::logic(size_t rule) const {
  if (logic_table_) return logic_table_->Get(static_cast<uint32_t>(rule));
  return rule < definitions_.size() ? definitions_[rule].logic.get() : nullptr;
}

const std::vector<uint32_t>& Database::part_users(size_t rule) const {
  static const std::vector<uint32_t> kNone;
  return rule < part_users_.size() ? part_users_[rule] : kNone;
}

bool Database::has_logic(size_t rule) const {
  return std::binary_search(logic_rules_.begin(), logic_rules_.end(), static_cast<uint32_t>(rule));
}

const internal::RuleRuntime* Database::runtime(size_t rule) const {
  auto it = std::lower_bound(logic_rules_.begin(), logic_rules_.end(), static_cast<uint32_t>(rule));
  if (it == logic_rules_.end() || *it != rule) return nullptr;
  const RuleLogic* rule_logic = logic(rule);
  if (rule_logic == nullptr) return nullptr;
  const internal::RuleRuntime& prepared =
      runtimes_[static_cast<size_t>(it - logic_rules_.begin())].Get(*rule_logic);
  return prepared.ok ? &prepared : nullptr;
}

absl::StatusOr<const internal::KeywordIndex*> Database::keyword_index() const {
  std::call_once(keyword_once_,
                 [this] { keyword_index_ = internal::KeywordIndex::Build(*this, logic_rules_); });
  if (!keyword_index_.ok()) return keyword_index_.status();
  return keyword_index_->get();
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
