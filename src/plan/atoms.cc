// File: atoms.cc
#include "plan/atoms.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <numeric>

#include "util/strings.h"

namespace trawl::plan {
namespace {

// Escapes whose meaning differs between PCRE2 and RE2 in a way that could make RE2's
// atoms wrong: PCRE2's \v is a class of vertical whitespace, RE2's is the VT byte.
// (Escapes RE2 does not know make it fail to parse, which is safe.)
bool HasDialectHazard(std::string_view pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] != '\\') continue;
    if (pattern[i + 1] == 'v') return true;
    ++i;  // skip the escaped character (so "\\\\v" is a backslash, then v)
  }
  return false;
}

bool UsableAtom(const std::string& atom, size_t min_atom_len) {
  if (atom.size() < min_atom_len) return false;
  return std::all_of(atom.begin(), atom.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u != 0 && u < 0x80;  // ASCII: the engine's caseless compare folds only ASCII
  });
}

}  // namespace

AtomSet RequiredAtoms(const Definition& def, size_t min_atom_len) {
  AtomSet out;
  if (def.kind != PatternKind::kRegex) return out;
  if (HasDialectHazard(def.expression)) {
    out.why_none = "uses \\v, which RE2 reads differently from PCRE2";
    return out;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding((def.flags & kFlagUtf8) ? RE2::Options::EncodingUTF8
                                               : RE2::Options::EncodingLatin1);
  options.set_case_sensitive((def.flags & kFlagCaseless) == 0);
  options.set_dot_nl((def.flags & kFlagDotAll) != 0);
  const std::string pattern =
      (def.flags & kFlagMultiline) ? StrCat("(?m)", def.expression) : def.expression;
  re2::FilteredRE2 filter(static_cast<int>(min_atom_len));
  int id = 0;
  if (const RE2::ErrorCode rc = filter.Add(pattern, options, &id); rc != RE2::NoError) {
    out.why_none = StrCat("RE2 cannot analyse it (error ", static_cast<int>(rc),
                          "; e.g. lookaround, back-reference or a PCRE-only construct)");
    return out;
  }
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  std::vector<int> potential;
  filter.AllPotentials({}, &potential);
  if (atoms.empty() || !potential.empty()) {
    out.why_none = StrCat("no required literal of ", min_atom_len, "+ bytes");
    return out;
  }
  // `chosen` is a hitting set when, with every other atom present, the formula is false.
  auto hitting = [&](const std::vector<uint8_t>& chosen) {
    std::vector<int> present;
    for (size_t i = 0; i < atoms.size(); ++i) {
      if (!chosen[i]) present.push_back(static_cast<int>(i));
    }
    std::vector<int> result;
    filter.AllPotentials(present, &result);
    return result.empty();
  };
  std::vector<uint8_t> chosen(atoms.size(), 1);
  // Drop atoms while the rest still hit every match: shortest first, so long (rare)
  // atoms stay. Bounded: big sets are kept whole.
  if (atoms.size() <= 64) {
    std::vector<size_t> order(atoms.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return atoms[a].size() < atoms[b].size(); });
    for (size_t i : order) {
      chosen[i] = 0;
      if (!hitting(chosen)) chosen[i] = 1;
    }
  }
  for (size_t i = 0; i < atoms.size(); ++i) {
    if (!chosen[i]) continue;
    if (!UsableAtom(atoms[i], min_atom_len)) {
      out.atoms.clear();
      out.why_none = "a required literal is not ASCII";
      return out;
    }
    out.atoms.push_back(atoms[i]);
  }
  return out;
}

}  // namespace trawl::plan
