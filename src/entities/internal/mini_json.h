// File: mini_json.h
// A strict, allocation-light JSON syntax check for the small documents validators look at
// (a JWT header, a GCP service-account key). It returns the top-level string members of
// an object. It is deliberately not a general JSON library: src/structure owns that, and
// validators only need "is this a JSON object, and what are its string fields".
#ifndef TRAWL_SRC_ENTITIES_INTERNAL_MINI_JSON_H_
#define TRAWL_SRC_ENTITIES_INTERNAL_MINI_JSON_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace trawl::internal {

struct JsonObjectSummary {
  // Top-level members whose value is a string, unescaped (\uXXXX becomes UTF-8).
  std::map<std::string, std::string, std::less<>> strings;
  // Names of every top-level member, whatever its value.
  std::map<std::string, int, std::less<>> members;
};

// nullopt unless `text` (surrounding whitespace allowed) is exactly one valid JSON
// object. Nesting deeper than 64 levels is rejected.
std::optional<JsonObjectSummary> ParseJsonObject(std::string_view text);

}  // namespace trawl::internal

#endif  // TRAWL_SRC_ENTITIES_INTERNAL_MINI_JSON_H_
