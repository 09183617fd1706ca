// File: keyword_index.h
// The required keywords of a database's rules (gitleaks' `keywords`; docs/rules.md): a
// rule with keywords reports its matches only from an input that holds one of them,
// ASCII case ignored, anywhere in it. One engine database of every distinct keyword tells
// in a single pass which keywords an input holds, so a stream can answer for bytes it has
// let go (engine/keyword_tracker.h).
//
// Immutable once built; shared by every scanner of its database.
#ifndef TRAWL_SRC_ENGINE_INTERNAL_KEYWORD_INDEX_H_
#define TRAWL_SRC_ENGINE_INTERNAL_KEYWORD_INDEX_H_

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/internal/engine_parts.h"

namespace trawl {
class Database;
}

namespace trawl::internal {

class KeywordIndex {
 public:
  // `logic_rules`: the database's rules that have logic. Null when none has required
  // keywords; an error only when the engine cannot build the keyword database.
  static absl::StatusOr<std::unique_ptr<const KeywordIndex>> Build(
      const Database& db, const std::vector<uint32_t>& logic_rules);

  const hs_database_t* engine() const { return engine_.get(); }
  // Distinct keywords (lowercase); engine ids are 0 .. keyword_count() - 1.
  size_t keyword_count() const { return keyword_count_; }
  size_t max_length() const { return max_length_; }
  // The rules with keywords, sorted.
  const std::vector<uint32_t>& rules() const { return rules_; }
  // The keyword ids of `rule`; empty when it has none.
  std::span<const uint32_t> KeywordsOf(uint32_t rule) const;

 private:
  HsDatabasePtr engine_;
  size_t keyword_count_ = 0;
  size_t max_length_ = 0;
  std::vector<uint32_t> rules_;
  std::vector<uint32_t> first_id_;  // rules_[i]'s ids: ids_[first_id_[i], first_id_[i + 1])
  std::vector<uint32_t> ids_;
};

}  // namespace trawl::internal

#endif  // TRAWL_SRC_ENGINE_INTERNAL_KEYWORD_INDEX_H_
