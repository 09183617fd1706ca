// File: atoms.cc
#include "scan_plan/atoms.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <numeric>

#include "engine/compiler.h"
#include "engine/re2_dialect.h"
#include "util/strings.h"

namespace trawl::plan {
namespace {

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
  std::string pattern;
  RE2::Options options;
  if (!Re2Pattern(def, &pattern, &options)) {
    out.why_none = "uses a construct RE2 reads differently from PCRE2 (\\v, \\1-\\9, \\Q, [\\S])";
    return out;
  }
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

std::vector<size_t> TopLevelCuts(std::string_view p) {
  std::vector<size_t> cuts;
  // Skips one escape starting at p[i] == '\\'; returns the index after it, or npos when
  // the escape is one we do not follow.
  auto skip_escape = [&](size_t i) -> size_t {
    if (i + 1 >= p.size()) return std::string_view::npos;
    const char c = p[i + 1];
    if (c == 'Q' || c == 'E' || c == 'g' || c == 'k' || c == 'o' || c == 'N' || c == 'c') {
      return std::string_view::npos;
    }
    if ((c == 'x' || c == 'p' || c == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
      const size_t close = p.find('}', i + 3);
      return close == std::string_view::npos ? close : close + 1;
    }
    if (c == 'x') {
      size_t j = i + 2;
      while (j < p.size() && j < i + 4 && std::isxdigit(static_cast<unsigned char>(p[j]))) ++j;
      return j;
    }
    return i + 2;
  };
  auto skip_class = [&](size_t i) -> size_t {  // p[i] == '['
    size_t j = i + 1;
    if (j < p.size() && p[j] == '^') ++j;
    if (j < p.size() && p[j] == ']') ++j;
    while (j < p.size() && p[j] != ']') {
      if (p[j] == '\\') {
        j = skip_escape(j);
        if (j == std::string_view::npos) return j;
      } else if (p[j] == '[' && j + 1 < p.size() && p[j + 1] == ':') {
        const size_t close = p.find(":]", j + 2);
        if (close == std::string_view::npos) return close;
        j = close + 2;
      } else {
        ++j;
      }
    }
    return j < p.size() ? j + 1 : std::string_view::npos;
  };
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    size_t next;
    if (c == '|') return {};
    if (c == ')') return {};  // unbalanced
    if (c == '\\') {
      next = skip_escape(i);
    } else if (c == '[') {
      next = skip_class(i);
    } else if (c == '(') {
      if (p.compare(i, 3, "(?|") == 0 || p.compare(i, 3, "(?(") == 0 || p.compare(i, 2, "(*") == 0 ||
          p.compare(i, 3, "(?#") == 0) {
        return {};
      }
      int depth = 0;
      size_t j = i;
      next = std::string_view::npos;
      while (j < p.size()) {
        if (p[j] == '\\') {
          j = skip_escape(j);
          if (j == std::string_view::npos) return {};
          continue;
        }
        if (p[j] == '[') {
          j = skip_class(j);
          if (j == std::string_view::npos) return {};
          continue;
        }
        if (p[j] == '(') ++depth;
        if (p[j] == ')' && --depth == 0) {
          next = j + 1;
          break;
        }
        ++j;
      }
    } else {
      next = i + 1;
    }
    if (next == std::string_view::npos || next > p.size()) return {};
    // Quantifiers belong to the element before them.
    while (next < p.size()) {
      const char q = p[next];
      if (q == '*' || q == '+' || q == '?') {
        ++next;
      } else if (q == '{') {
        const size_t close = p.find('}', next);
        if (close == std::string_view::npos) break;
        const std::string_view body = p.substr(next + 1, close - next - 1);
        const bool numeric = !body.empty() && body.find_first_not_of("0123456789,") ==
                                                  std::string_view::npos;
        if (!numeric) break;
        next = close + 1;
      } else {
        break;
      }
    }
    cuts.push_back(next);
    i = next;
  }
  return cuts;
}

GateSpec PlanGate(const Definition& def, size_t min_atom_len) {
  GateSpec spec;
  spec.atoms = RequiredAtoms(def, min_atom_len);
  if (spec.atoms.atoms.empty()) return spec;
  const AtomSet whole = spec.atoms;
  // Prefixes grow with their width, so walk them shortest first until the width becomes
  // unbounded, keeping the one whose shortest atom is longest (rarer hits), then the
  // narrowest. RE2 is asked before the engine, which is the slower of the two.
  constexpr int kMaxTries = 12;
  static constexpr size_t kGoodAtom = 8;  // longer atoms are all "rare enough"
  auto shortest = [](const AtomSet& set) {
    size_t n = SIZE_MAX;
    for (const auto& a : set.atoms) n = std::min(n, a.size());
    return std::min(n, kGoodAtom);
  };
  size_t best_len = 0;
  int tries = 0;
  for (size_t cut : TopLevelCuts(def.expression)) {
    if (cut >= def.expression.size() || ++tries > kMaxTries) break;
    Definition prefix = def;
    prefix.expression = def.expression.substr(0, cut);
    AtomSet atoms = RequiredAtoms(prefix, min_atom_len);
    if (atoms.atoms.empty() || shortest(atoms) <= best_len) continue;
    auto widths = RegexWidths(prefix);
    if (!widths.ok()) continue;
    if (widths->second == kUnboundedWidth) break;
    best_len = shortest(atoms);
    spec.atoms = std::move(atoms);
    spec.window = std::max<uint32_t>(widths->second, 1);
    if (best_len >= kGoodAtom) break;
  }
  // The whole pattern's atoms may be better than any bounded prefix's; keep the prefix
  // only if its atoms are as good.
  if (spec.window > 0 && shortest(whole) > best_len) {
    spec.atoms = whole;
    spec.window = 0;
  }
  return spec;
}

}  // namespace trawl::plan
