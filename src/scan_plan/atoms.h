// File: atoms.h
// Required literal atoms of a regex: a set of strings such that every match of the regex
// contains at least one of them. The planner gates a regex on its atoms: the regex is
// only tried near an atom hit (docs/matching.md, "Literal gating").
//
// Atoms come from RE2's prefilter (re2::FilteredRE2), which computes, for a regex, a
// boolean formula over literal strings that any matching text satisfies. We reduce the
// formula to one OR-set (a "hitting set": if none of its atoms occurs, the formula is
// false) and keep it small and made of long atoms. RE2 parses a dialect close to PCRE2;
// patterns where the two disagree in a way that could change the atoms are refused.
#ifndef TRAWL_SRC_SCAN_PLAN_ATOMS_H_
#define TRAWL_SRC_SCAN_PLAN_ATOMS_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/match_alphabet.h"
#include "rules/definition.h"

namespace trawl::plan {

struct AtomSet {
  // Lowercase ASCII, each at least min_atom_len bytes; to be matched caselessly. Empty
  // when the regex has no usable atom set (then `why_none` says why).
  std::vector<std::string> atoms;
  std::string why_none;
};

// Thread-safe (no shared state). Literal definitions are not analysed (returns empty).
AtomSet RequiredAtoms(const Definition& def, size_t min_atom_len);

// Byte offsets where the pattern splits into top-level concatenated elements (each cut
// is the end of an element with its quantifier). Empty when the pattern has a top-level
// alternation or a construct this scanner does not follow (\Q, conditionals, ...).
std::vector<size_t> TopLevelCuts(std::string_view pattern);

// Whether every string the regex `prefix` (definition `flags`) can match ends with one of
// `atoms` (lowercase, compared caselessly). False when that cannot be shown: the prefix's
// tail has a quantifier, `.`, a wide class or a construct this analysis does not follow.
bool EveryMatchEndsWithAnAtom(std::string_view prefix, uint32_t flags,
                              const std::vector<std::string>& atoms);

// The gate of a regex: atoms, and how far before an atom's end a match may start.
// When a prefix P of the pattern (a top-level concatenation cut) has a bounded width and
// atoms of its own, every match starts with a match of P, which contains one of P's
// atoms ending at most maxwidth(P) bytes after the match start: `window` is that bound
// (0: no such prefix; the rule's own width applies).
//
// `follow`: when the pattern splits into a prefix Q and a rest R such that every string
// Q matches ends with one of the atoms, Q's part of a match ends where an atom hit does,
// and the bytes after that hit begin R's part: position k of `follow` holds the bytes R's
// k-th byte can be. An atom hit followed by other bytes is then not needed to find any
// match, provided the gate's window is at least maxwidth(Q) (`follow_width`): the
// scanner drops such hits before confirmation. Empty when no split shows it (the earliest
// split that does is used; splits fall after a top-level element or inside a top-level
// group of one alternative).
struct GateSpec {
  AtomSet atoms;
  uint32_t window = 0;
  ByteSequence follow;
  uint32_t follow_width = 0;
};
GateSpec PlanGate(const Definition& def, size_t min_atom_len);

}  // namespace trawl::plan

#endif  // TRAWL_SRC_SCAN_PLAN_ATOMS_H_
