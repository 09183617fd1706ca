// File: re2_dialect.h
// RE2, the linear-time engine, reading trawl's PCRE2 patterns: where the two dialects
// differ in a way RE2 would silently accept, the text is rewritten or refused. The
// planner uses it for literal atoms (scan_plan/atoms.h), the scanner to recover a span
// when PCRE2 gives up at its backtracking limit (docs/matching.md).
#ifndef TRAWL_SRC_ENGINE_RE2_DIALECT_H_
#define TRAWL_SRC_ENGINE_RE2_DIALECT_H_

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>

#include "rules/definition.h"

namespace trawl {

// Rewrites PCRE2 pattern text into RE2 text with the same meaning: PCRE2's \s includes
// VT (0x0B), RE2's does not. Returns false for constructs whose RE2 reading could differ
// and that are not rewritten: \v (a class in PCRE2, VT in RE2), \S inside a class, \Q,
// and \1-\9 (PCRE2 back-references or octal). Escapes RE2 does not know make it fail to
// parse later: safe.
bool RewriteForRe2(std::string_view pattern, std::string* out);

// `def` (a regex) as RE2 text and options with the same meaning: its flags, bytes as
// Latin-1 unless the rule is UTF-8. False when RewriteForRe2 refuses the pattern.
bool Re2Pattern(const Definition& def, std::string* text, re2::RE2::Options* options);

// `def` (a regex) as an RE2 program with the same flags, bytes as Latin-1 unless the
// rule is UTF-8; null when the pattern is outside RE2's syntax (lookaround,
// back-references, the constructs above). Thread-safe (no shared state).
std::unique_ptr<re2::RE2> CompileRe2(const Definition& def);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_RE2_DIALECT_H_
