// File: composite_parts.cc
#include "engine/internal/composite_parts.h"

#include <cctype>

#include "util/strings.h"

namespace trawl::internal {
namespace {

// Marks a record that failed to decode, so it is not decoded again.
const RuleLogic* BrokenRecord() {
  static const RuleLogic kBroken;
  return &kBroken;
}

}  // namespace

LogicTable::LogicTable(std::shared_ptr<const void> owner,
                       std::vector<std::pair<uint32_t, std::string_view>> records)
    : owner_(std::move(owner)),
      records_(std::move(records)),
      decoded_(std::make_unique<std::atomic<const RuleLogic*>[]>(records_.size())) {
  for (size_t i = 0; i < records_.size(); ++i) decoded_[i].store(nullptr);
}

LogicTable::~LogicTable() {
  for (size_t i = 0; i < records_.size(); ++i) {
    const RuleLogic* logic = decoded_[i].load(std::memory_order_relaxed);
    if (logic != BrokenRecord()) delete logic;
  }
}

const RuleLogic* LogicTable::Get(uint32_t rule) const {
  auto it = std::lower_bound(records_.begin(), records_.end(), rule,
                             [](const auto& record, uint32_t r) { return record.first < r; });
  if (it == records_.end() || it->first != rule) return nullptr;
  std::atomic<const RuleLogic*>& slot = decoded_[static_cast<size_t>(it - records_.begin())];
  const RuleLogic* logic = slot.load(std::memory_order_acquire);
  if (logic == nullptr) {
    auto decoded = DecodeRuleLogic(it->second);
    const RuleLogic* fresh =
        decoded.ok() ? new RuleLogic(*std::move(decoded)) : BrokenRecord();
    if (slot.compare_exchange_strong(logic, fresh, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
      logic = fresh;
    } else if (fresh != BrokenRecord()) {
      delete fresh;  // another thread decoded it first
    }
  }
  return logic == BrokenRecord() ? nullptr : logic;
}

absl::StatusOr<Pcre2CodePtr> CompileFilterRegex(std::string_view pattern) {
  return CompilePcre2Text(pattern, 0);
}

const RuleRuntime& LazyRuntime::Get(const RuleLogic& logic) {
  std::call_once(once_, [&] {
    auto runtime = std::make_unique<RuleRuntime>();
    runtime->ok = true;
    if (logic.composite()) {
      std::vector<std::string> names;
      for (const RulePattern& p : logic.patterns) names.push_back(p.name);
      auto condition = ParseCondition(logic.condition, names);
      if (condition.ok()) {
        runtime->condition = *std::move(condition);
      } else {
        runtime->ok = false;
      }
    }
    auto compile_all = [&](const std::vector<std::string>& patterns,
                           std::vector<Pcre2CodePtr>* out) {
      for (const std::string& pattern : patterns) {
        auto code = CompileFilterRegex(pattern);
        if (!code.ok()) {
          runtime->ok = false;
          return;
        }
        out->push_back(*std::move(code));
      }
    };
    for (const AllowList& allow : logic.allow) {
      runtime->allow_regexes.emplace_back();
      compile_all(allow.regexes, &runtime->allow_regexes.back());
      runtime->allow_paths.emplace_back();
      compile_all(allow.paths, &runtime->allow_paths.back());
      std::vector<std::string> lower;
      for (const std::string& word : allow.stopwords) {
        std::string w = word;
        for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        lower.push_back(std::move(w));
      }
      runtime->lower_stopwords.push_back(std::move(lower));
    }
    compile_all(logic.paths, &runtime->paths);
    for (const std::string& keyword : logic.required_keywords) {
      std::string lower = keyword;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      runtime->lower_keywords.push_back(std::move(lower));
    }
    runtime_ = std::move(runtime);
  });
  return *runtime_;
}

}  // namespace trawl::internal
