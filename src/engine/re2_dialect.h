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
//
// One construct is read more widely, never more narrowly: PCRE2's `$` without the
// multiline option also matches before a newline that ends the subject, which RE2's `$`
// (\z) does not, so it becomes (?m:$) (before any newline, or at the end). `*exact` is
// set false then: RE2 matches wherever PCRE2 does, so its "no match" is PCRE2's, but a
// match it finds must be confirmed by PCRE2 before its span is trusted. A multiline `^`
// reads wider too (RE2's also matches after a newline that ends the text). Unset,
// `*exact` is left alone.
bool RewriteForRe2(std::string_view pattern, bool multiline, std::string* out, bool* exact);

// `def` (a regex) as RE2 text and options with the same meaning (or wider, `*exact`
// false: RewriteForRe2): its flags, bytes as Latin-1 unless the rule is UTF-8. False when
// RewriteForRe2 refuses the pattern.
bool Re2Pattern(const Definition& def, std::string* text, re2::RE2::Options* options,
                bool* exact);

// An RE2 program for a rule, and whether it reads the rule exactly.
struct Re2Program {
  std::unique_ptr<re2::RE2> re;  // null: no RE2 reading of the rule
  bool exact = true;             // false: matches a superset of PCRE2's (RewriteForRe2)
};

// `def` (a regex) as an RE2 program with the same flags, bytes as Latin-1; `re` null when
// the pattern is outside RE2's syntax (lookaround, back-references, the constructs
// above), when it may be caseless and name a byte above 0x7F (RE2 folds Latin-1 letters,
// PCRE2 does not: a negated class would read narrower), and for UTF-8 rules (invalid
// UTF-8 and starts inside a character read differently). `exact` as for Re2Pattern.
// Thread-safe (no shared state).
Re2Program CompileRe2(const Definition& def);

// Rewrites PCRE2 pattern text into RE2 text that matches wherever the pattern does, and
// perhaps elsewhere: a prefilter for patterns RE2 cannot read exactly. Back-references
// become "any text", lookaround is dropped, atomic groups and possessive quantifiers
// backtrack, named groups lose their names, counts above 100 become "at least
// min(count, 100)" (RE2 refuses counts above 1000, and its DFA grows with them), and \Z
// becomes (?m:$). Other constructs are kept and may still fail to parse (then no
// prefilter). Each rewrite only removes a constraint, so a start where PCRE2 matches is a
// start where the result matches. False when the text is malformed (unbalanced).
bool RelaxForRe2(std::string_view pattern, bool multiline, std::string* out);

// `def` (a regex) as an RE2 program: the exact reading when RE2 has one (CompileRe2),
// else a prefilter (RelaxForRe2, `exact` false); `re` null when neither parses.
Re2Program CompileRe2OrPrefilter(const Definition& def);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_RE2_DIALECT_H_
