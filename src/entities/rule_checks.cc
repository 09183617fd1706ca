// File: rule_checks.cc
#include "entities/rule_checks.h"

#include "entities/entity.h"
#include "tokens/token_rules.h"

namespace trawl {

void CheckEntityFieldsOf(RuleSet* set, size_t first) {
  std::vector<Definition> kept(std::make_move_iterator(set->definitions.begin()),
                               std::make_move_iterator(set->definitions.begin() +
                                                       static_cast<long>(first)));
  for (size_t i = first; i < set->definitions.size(); ++i) {
    Definition& def = set->definitions[i];
    absl::Status status = CheckEntityFields(def.entity, def.validator);
    if (status.ok() && !def.token.empty()) status = tokens::CheckTokenSpec(def.token);
    if (!status.ok()) {
      set->issues.push_back(
          {def.source, def.file_index, def.id, def.file_offset, std::string(status.message())});
      continue;
    }
    kept.push_back(std::move(def));
  }
  set->definitions = std::move(kept);
}

}  // namespace trawl
