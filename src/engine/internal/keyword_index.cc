// File: keyword_index.cc
#include "engine/internal/keyword_index.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "engine/database.h"
#include "rules/rule_logic.h"
#include "util/strings.h"

namespace trawl::internal {

absl::StatusOr<std::unique_ptr<const KeywordIndex>> KeywordIndex::Build(
    const Database& db, const std::vector<uint32_t>& logic_rules) {
  auto index = std::unique_ptr<KeywordIndex>(new KeywordIndex());
  std::map<std::string, uint32_t> ids;
  index->first_id_.push_back(0);
  for (uint32_t rule : logic_rules) {
    const RuleLogic* logic = db.logic(rule);
    if (logic == nullptr || logic->required_keywords.empty()) continue;
    const size_t first = index->ids_.size();
    for (const std::string& keyword : logic->required_keywords) {
      std::string lower = keyword;
      absl::AsciiStrToLower(&lower);
      // An empty keyword is refused when rules load (rules/rule_logic.cc).
      if (lower.empty()) continue;
      const auto [it, inserted] = ids.emplace(lower, static_cast<uint32_t>(ids.size()));
      index->ids_.push_back(it->second);
      index->max_length_ = std::max(index->max_length_, lower.size());
    }
    if (index->ids_.size() == first) continue;
    index->rules_.push_back(rule);
    index->first_id_.push_back(static_cast<uint32_t>(index->ids_.size()));
  }
  if (index->rules_.empty()) return nullptr;
  index->keyword_count_ = ids.size();

  // The regex API with escaped literals, as the compiler builds its literal partitions
  // (compiler.cc: Hyperscan 5.4.0's literal API fails scans on some literal sets).
  std::vector<std::string> expressions(ids.size());
  for (const auto& [keyword, id] : ids) expressions[id] = EscapedRegexForLiteral(keyword);
  std::vector<const char*> pointers;
  std::vector<unsigned> flags(ids.size(), HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
  std::vector<unsigned> engine_ids(ids.size());
  for (size_t i = 0; i < expressions.size(); ++i) {
    pointers.push_back(expressions[i].c_str());
    engine_ids[i] = static_cast<unsigned>(i);
  }
  hs_database_t* engine = nullptr;
  hs_compile_error_t* error = nullptr;
  const hs_error_t rc = hs_compile_multi(pointers.data(), flags.data(), engine_ids.data(),
                                         static_cast<unsigned>(pointers.size()), HS_MODE_BLOCK,
                                         nullptr, &engine, &error);
  if (rc != HS_SUCCESS) {
    const std::string message = error != nullptr ? error->message : "unknown error";
    hs_free_compile_error(error);
    return absl::ResourceExhaustedError(
        StrCat("engine: cannot build the required-keyword database: ", message));
  }
  index->engine_ = HsDatabasePtr(engine);
  return std::unique_ptr<const KeywordIndex>(std::move(index));
}

std::span<const uint32_t> KeywordIndex::KeywordsOf(uint32_t rule) const {
  const auto it = std::lower_bound(rules_.begin(), rules_.end(), rule);
  if (it == rules_.end() || *it != rule) return {};
  const size_t i = static_cast<size_t>(it - rules_.begin());
  return std::span<const uint32_t>(ids_).subspan(first_id_[i], first_id_[i + 1] - first_id_[i]);
}

}  // namespace trawl::internal
