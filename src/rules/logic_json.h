// File: logic_json.h
// The JSON form of RuleLogic (docs/rules.md, "Composite rules" and "Filters"): reading
// the fields of one definition object, and writing a whole definition back as JSON
// (`trawl rules import -o`). Only loader.cc and this file's .cc see the JSON library.
#ifndef TRAWL_SRC_RULES_LOGIC_JSON_H_
#define TRAWL_SRC_RULES_LOGIC_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "rules/definition.h"
#include "util/json_writer.h"

namespace trawl {

// True when `key` is one of RuleLogic's fields.
bool IsLogicField(std::string_view key);

// Writes `def` as one definition object, in the form the loader reads back to an equal
// Definition (source and file position aside).
void WriteDefinitionJson(const Definition& def, JsonWriter& w);

// The whole set as a JSON array, one definition per line.
std::string DefinitionsToJson(const std::vector<Definition>& definitions);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_LOGIC_JSON_H_
