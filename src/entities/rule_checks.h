// File: rule_checks.h
// Checks the entity-related fields of loaded definitions: an unknown validator or a
// malformed entity name is a load issue for that definition, reported with the others.
#ifndef TRAWL_SRC_ENTITIES_RULE_CHECKS_H_
#define TRAWL_SRC_ENTITIES_RULE_CHECKS_H_

#include "rules/loader.h"

namespace trawl {

// Moves every definition whose `entity`, `validator` or `token` shape is invalid from
// set->definitions to set->issues, starting at definition index `first`.
void CheckEntityFieldsOf(RuleSet* set, size_t first = 0);

}  // namespace trawl

#endif  // TRAWL_SRC_ENTITIES_RULE_CHECKS_H_
