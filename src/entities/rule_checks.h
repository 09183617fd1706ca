// File: rule_checks.h
// Checks the entity-related fields of a loaded definition: an unknown validator or a
// malformed entity name is a load issue for that definition (RuleSet::Add reports it with
// the loader's own issues).
#ifndef TRAWL_SRC_ENTITIES_RULE_CHECKS_H_
#define TRAWL_SRC_ENTITIES_RULE_CHECKS_H_

#include "absl/status/status.h"
#include "rules/definition.h"

namespace trawl {

// A DefinitionCheck (rules/loader.h): OK, or why `def`'s entity, validator or token shape
// is invalid.
absl::Status CheckEntityFieldsOf(const Definition& def);

}  // namespace trawl

#endif  // TRAWL_SRC_ENTITIES_RULE_CHECKS_H_
