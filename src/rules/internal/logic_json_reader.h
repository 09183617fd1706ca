// File: logic_json_reader.h
// Reads RuleLogic's JSON fields through the JSON adapter (json/json.h). Internal to
// src/rules (loader.cc and logic_json.cc).
#ifndef TRAWL_SRC_RULES_INTERNAL_LOGIC_JSON_READER_H_
#define TRAWL_SRC_RULES_INTERNAL_LOGIC_JSON_READER_H_

#include <string>
#include <string_view>
#include <vector>

#include "json/json.h"
#include "rules/rule_logic.h"

namespace trawl::internal {

// Field readers shared by the definition loader: each appends a problem naming `field`
// and returns false on a type mismatch.
bool ReadJsonString(json::Value value, std::string_view field, std::string* out,
                    std::vector<std::string>* problems);
bool ReadJsonStrings(json::Value value, std::string_view field,
                     std::vector<std::string>* out, std::vector<std::string>* problems);
// An array of flag names (definition.h's ParseFlagName) into PatternFlag bits.
void ReadJsonFlags(json::Value value, std::string_view field, uint32_t* flags,
                   std::vector<std::string>* problems);

// Reads field `key` of a definition into `logic`; every problem is appended to
// `problems`. REQUIRES: IsLogicField(key).
void ReadLogicField(std::string_view key, json::Value value, RuleLogic* logic,
                    std::vector<std::string>* problems);

}  // namespace trawl::internal

#endif  // TRAWL_SRC_RULES_INTERNAL_LOGIC_JSON_READER_H_
