// File: regex_syntax.h
// Lexing a PCRE2 pattern's escapes and character classes, for the code that reads
// patterns without compiling them (the planner's atoms and cuts, the compiler's
// never-match proof, the streamed analysis's anchor check). Conservative: an escape it
// does not follow is npos, and its callers then claim nothing about the pattern.
#ifndef TRAWL_SRC_RULES_REGEX_SYNTAX_H_
#define TRAWL_SRC_RULES_REGEX_SYNTAX_H_

#include <cstddef>
#include <string_view>

namespace trawl {

// The index after the escape starting at p[i] == '\\', or npos for one not followed
// here (\Q...\E, back-references by name or \g, \o, \N, \c) or cut short.
size_t SkipRegexEscape(std::string_view p, size_t i);

// The index after the character class starting at p[i] == '[', or npos when it does not
// end (or holds an escape SkipRegexEscape does not follow).
size_t SkipRegexClass(std::string_view p, size_t i);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_REGEX_SYNTAX_H_
