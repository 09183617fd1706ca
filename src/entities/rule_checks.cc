// File: rule_checks.cc
#include "entities/rule_checks.h"

#include "entities/entity.h"

namespace trawl {

absl::Status CheckEntityFieldsOf(const Definition& def) {
  return CheckEntityFields(def.entity, def.validator);
}

}  // namespace trawl
