// File: rule_checks.cc
#include "entities/rule_checks.h"

#include "entities/entity.h"
#include "tokens/token_rules.h"

namespace trawl {

absl::Status CheckEntityFieldsOf(const Definition& def) {
  absl::Status status = CheckEntityFields(def.entity, def.validator);
  if (status.ok() && !def.token.empty()) status = tokens::CheckTokenSpec(def.token);
  return status;
}

}  // namespace trawl
