// File: atoms.cc
#include "scan_plan/atoms.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <numeric>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "engine/compiler.h"
#include "engine/match_alphabet.h"
#include "engine/re2_dialect.h"
#include "rules/regex_syntax.h"
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
  if (!Re2Pattern(def, &pattern, &options, /*exact=*/nullptr)) {
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
  auto skip_escape = [&](size_t i) { return SkipRegexEscape(p, i); };
  auto skip_class = [&](size_t i) { return SkipRegexClass(p, i); };
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

namespace {

using Strings = std::vector<std::string>;

// Bounds the tail sets below: past it a rule simply gets no follow set.
constexpr size_t kMaxTails = 64;

std::optional<Strings> SequenceLanguage(std::string_view seq, uint32_t flags);

// The top-level alternatives of `p` (a group's body).
std::optional<std::vector<std::string_view>> SplitAlternatives(std::string_view p) {
  std::vector<std::string_view> out;
  size_t from = 0, i = 0;
  int depth = 0;
  while (i < p.size()) {
    if (p[i] == '\\') {
      i = SkipRegexEscape(p, i);
    } else if (p[i] == '[') {
      i = SkipRegexClass(p, i);
    } else {
      if (p[i] == '(') ++depth;
      if (p[i] == ')') --depth;
      if (p[i] == '|' && depth == 0) {
        out.push_back(p.substr(from, i - from));
        from = i + 1;
      }
      ++i;
    }
    if (i == std::string_view::npos || depth < 0) return std::nullopt;
  }
  out.push_back(p.substr(from));
  return out;
}

// A zero-width assertion as a top-level element: it matches "" and consumes nothing.
bool IsZeroWidth(std::string_view e) {
  return e == "^" || e == "$" ||
         (e.size() == 2 && e[0] == '\\' && std::string_view("bBAzZG").find(e[1]) != std::string_view::npos);
}

// The bytes an unquantified element that always matches exactly one byte can match: a
// literal byte, a one-byte escape or a class. A superset (MatchAlphabet's), with both
// cases of every letter, whatever the case options; nullopt for any other element.
std::optional<ByteSet> OneByteElement(std::string_view e, uint32_t flags) {
  if (e.empty() || IsZeroWidth(e)) return std::nullopt;
  const char lead = e[0];
  std::optional<ByteSet> set;
  if (e == ".") {
    set.emplace().set();  // every byte, whatever the dot-all option says
  } else if (e.size() == 1) {
    if (std::string_view("|()[]{}*+?\\^$").find(lead) != std::string_view::npos) return std::nullopt;
    set.emplace();
    set->set(static_cast<unsigned char>(lead));
  } else if (lead == '\\' && SkipRegexEscape(e, 0) == e.size()) {
    // Escapes that stand for one byte: \xHH, control escapes, the byte classes and
    // escaped punctuation. Not \R (two bytes), \K (moves the start), \p, \X, \C.
    const char kind = e[1];
    const bool one_byte = kind == 'x' || std::string_view("tnrfaedDwWsShHvV").find(kind) !=
                                             std::string_view::npos ||
                          (!absl::ascii_isalnum(static_cast<unsigned char>(kind)) && e.size() == 2);
    if (one_byte) set = MatchAlphabet(e, flags);
  } else if (lead == '[' && SkipRegexClass(e, 0) == e.size()) {
    set = MatchAlphabet(e, flags);
  }
  if (!set) return std::nullopt;
  for (unsigned c = 'a'; c <= 'z'; ++c) {
    if ((*set)[c] || (*set)[c - 0x20]) set->set(c).set(c - 0x20);
  }
  return set;
}

// Where the body of an unquantified plain group begins: `(`, `(?:` or a group with scoped
// options, `(?i:` (not `(?x:`, whose text is not its bytes). nullopt for any other
// element (a named group, a lookaround, a quantified group).
std::optional<size_t> GroupBody(std::string_view e) {
  if (e.size() < 2 || e[0] != '(' || e.back() != ')') return std::nullopt;
  if (e[1] != '?') return 1;
  size_t j = 2;
  while (j < e.size() && (absl::ascii_isalpha(static_cast<unsigned char>(e[j])) || e[j] == '-')) {
    if (e[j] == 'x') return std::nullopt;
    ++j;
  }
  if (j < e.size() && e[j] == ':') return j + 1;
  return std::nullopt;
}

// A superset of the strings one top-level element can match, lowercased: a one-byte
// element, a zero-width assertion (""), or a plain group of alternatives of such
// elements. nullopt for anything else (a quantifier, `.`, a class of more than 16 bytes
// after lowering, a named or option group) or a set past kMaxTails.
std::optional<Strings> ElementLanguage(std::string_view e, uint32_t flags) {
  if (e.empty()) return std::nullopt;
  if (IsZeroWidth(e)) return Strings{""};
  if (auto set = OneByteElement(e, flags)) {
    ByteSet lowered;
    for (unsigned c = 0; c < 256; ++c) {
      if ((*set)[c]) lowered.set(static_cast<unsigned char>(absl::ascii_tolower(static_cast<unsigned char>(c))));
    }
    if (lowered.count() > 16) return std::nullopt;
    Strings out;
    for (unsigned c = 0; c < 256; ++c) {
      if (lowered[c]) out.emplace_back(1, static_cast<char>(c));
    }
    return out;
  }
  // An optional element: "" or one of its strings.
  if (e.size() >= 2 && e.back() == '?') {
    auto language = ElementLanguage(e.substr(0, e.size() - 1), flags);
    if (language) language->push_back("");
    return language;
  }
  if (std::optional<size_t> body_at = GroupBody(e)) {
    const std::string_view body = e.substr(*body_at, e.size() - *body_at - 1);
    auto alternatives = SplitAlternatives(body);
    if (!alternatives) return std::nullopt;
    Strings out;
    for (std::string_view alternative : *alternatives) {
      auto language = SequenceLanguage(alternative, flags);
      if (!language) return std::nullopt;
      out.insert(out.end(), language->begin(), language->end());
      if (out.size() > kMaxTails) return std::nullopt;
    }
    return out;
  }
  return std::nullopt;
}

// The strings a sequence of elements can match (a superset), or nullopt.
std::optional<Strings> SequenceLanguage(std::string_view seq, uint32_t flags) {
  if (seq.empty()) return Strings{""};
  const std::vector<size_t> cuts = TopLevelCuts(seq);
  if (cuts.empty()) return std::nullopt;
  Strings out{""};
  size_t begin = 0;
  for (size_t cut : cuts) {
    auto language = ElementLanguage(seq.substr(begin, cut - begin), flags);
    if (!language || out.size() * language->size() > kMaxTails) return std::nullopt;
    Strings next;
    for (const std::string& head : out) {
      for (const std::string& tail : *language) next.push_back(head + tail);
    }
    out = std::move(next);
    begin = cut;
  }
  return out;
}

// A split of a pattern into a prefix and the rest, as two patterns: a group the split
// falls inside is closed in the prefix and opened again in the rest.
struct Split {
  std::string prefix, rest;
};

// The splits to try, earliest first: after each top-level element, and inside a
// top-level plain group of one alternative after each of its elements.
std::vector<Split> SplitsOf(std::string_view p) {
  std::vector<Split> out;
  size_t begin = 0;
  for (size_t cut : TopLevelCuts(p)) {
    const std::string_view e = p.substr(begin, cut - begin);
    if (std::optional<size_t> body_at = GroupBody(e)) {
      const std::string_view opener = e.substr(0, *body_at);
      const std::string_view body = e.substr(*body_at, e.size() - *body_at - 1);
      auto alternatives = SplitAlternatives(body);
      if (alternatives && alternatives->size() == 1) {
        for (size_t inner : TopLevelCuts(body)) {
          if (inner >= body.size()) break;  // the group's end: the split after it, below
          out.push_back({StrCat(p.substr(0, begin), opener, body.substr(0, inner), ")"),
                         StrCat(opener, body.substr(inner), ")", p.substr(cut))});
        }
      }
    }
    if (cut < p.size()) out.push_back({std::string(p.substr(0, cut)), std::string(p.substr(cut))});
    begin = cut;
  }
  return out;
}

// The leading one-byte elements of `p`, at most `limit` positions, looking into plain
// groups of one alternative, repeating an element with an exact count ({n}), skipping
// \b and \B; stops at the first element that is none of those.
void LeadingBytes(std::string_view p, uint32_t flags, size_t limit, ByteSequence* out,
                  bool* stopped) {
  size_t begin = 0;
  for (size_t cut : TopLevelCuts(p)) {
    if (*stopped || out->size() >= limit) return;
    std::string_view e = p.substr(begin, cut - begin);
    begin = cut;
    if (e == "\\b" || e == "\\B") continue;  // consumes nothing
    if (std::optional<size_t> body_at = GroupBody(e)) {
      const std::string_view body = e.substr(*body_at, e.size() - *body_at - 1);
      auto alternatives = SplitAlternatives(body);
      if (alternatives && alternatives->size() == 1) {
        LeadingBytes(body, flags, limit, out, stopped);
        continue;
      }
    }
    size_t count = 1;
    if (e.size() > 3 && e.back() == '}') {
      const size_t open = e.rfind('{');
      const std::string_view digits = e.substr(open + 1, e.size() - open - 2);
      // Not the braces of an escape (\x{41}, \p{L}): those are one element already.
      const bool escape_braces =
          open >= 2 && e[open - 2] == '\\' && std::string_view("xpPoN").find(e[open - 1]) !=
                                                   std::string_view::npos;
      if (open != std::string_view::npos && !escape_braces && !digits.empty() &&
          digits.size() <= 4 && digits.find_first_not_of("0123456789") == std::string_view::npos) {
        count = std::stoul(std::string(digits));
        e = e.substr(0, open);
      }
    }
    auto set = OneByteElement(e, flags);
    if (!set || count == 0) {
      *stopped = true;
      return;
    }
    for (size_t k = 0; k < count && out->size() < limit; ++k) out->push_back(*set);
  }
  if (begin < p.size()) *stopped = true;  // text TopLevelCuts did not follow
}

// The follow sequence of a gate (GateSpec::follow, follow_width), or an empty one when it
// cannot be shown or would filter nothing.
std::pair<ByteSequence, uint32_t> PlanFollow(const Definition& def,
                                             const std::vector<std::string>& atoms) {
  // Multi-byte characters would make the byte-level tails and first bytes unsound.
  if (def.flags & kFlagUtf8) return {};
  constexpr size_t kMaxSplits = 24;
  std::vector<Split> splits = SplitsOf(def.expression);
  if (splits.size() > kMaxSplits) splits.resize(kMaxSplits);
  for (const Split& split : splits) {
    const std::string_view prefix = split.prefix;
    // The rest is compiled on its own, so an option the prefix sets for what follows
    // must go with it: only a leading (?flags) is carried; any other (? construct that
    // is not a group with scoped options declines, and so does (?x), under which the
    // pattern's text is not its bytes.
    std::string leading_options;
    bool usable = true;
    for (size_t at = prefix.find("(?"); at != std::string_view::npos && usable;
         at = prefix.find("(?", at + 2)) {
      size_t j = at + 2;
      while (j < prefix.size() && (absl::ascii_isalpha(static_cast<unsigned char>(prefix[j])) ||
                                   prefix[j] == '-')) {
        ++j;
      }
      if (prefix.substr(at + 2, j - at - 2).find('x') != std::string_view::npos) return {};
      if (j < prefix.size() && prefix[j] == ':') continue;  // a group, scoped options
      if (at == 0 && j < prefix.size() && prefix[j] == ')' && j > 2) {
        leading_options = std::string(prefix.substr(0, j + 1));
        continue;
      }
      usable = false;
    }
    if (!usable || !EveryMatchEndsWithAnAtom(prefix, def.flags, atoms)) continue;
    Definition part = def;
    part.expression = std::string(prefix);
    auto widths = RegexWidths(part);
    if (!widths.ok() || widths->second == kUnboundedWidth) return {};
    // The rest's leading bytes, then PCRE2's first bytes of it (which also cover a rest
    // that starts with a repeat) narrow the first position.
    constexpr size_t kMaxFollow = 8;
    ByteSequence follow;
    bool stopped = false;
    LeadingBytes(split.rest, def.flags, kMaxFollow, &follow, &stopped);
    part.expression = StrCat(leading_options, split.rest);
    if (auto first = MatchFirstBytes(part)) {
      if (follow.empty()) {
        follow.push_back(*first);
      } else {
        follow[0] &= *first;
      }
    }
    while (!follow.empty() && follow.back().all()) follow.pop_back();
    if (follow.empty()) return {};
    return {std::move(follow), widths->second};
  }
  return {};
}

}  // namespace

// Reads the prefix's elements from its end, prepending each one's strings (a superset of
// them), until every tail so far ends with an atom.
bool EveryMatchEndsWithAnAtom(std::string_view prefix, uint32_t flags,
                              const std::vector<std::string>& atoms) {
  const std::vector<size_t> cuts = TopLevelCuts(prefix);
  Strings tails{""};
  for (size_t k = cuts.size(); k-- > 0;) {
    const size_t begin = k > 0 ? cuts[k - 1] : 0;
    auto language = ElementLanguage(prefix.substr(begin, cuts[k] - begin), flags);
    if (!language || language->size() * tails.size() > kMaxTails) return false;
    Strings longer;
    for (const std::string& head : *language) {
      for (const std::string& tail : tails) longer.push_back(head + tail);
    }
    tails = std::move(longer);
    const bool done = std::all_of(tails.begin(), tails.end(), [&](const std::string& tail) {
      return std::any_of(atoms.begin(), atoms.end(),
                         [&](const std::string& atom) { return tail.ends_with(atom); });
    });
    if (done) return true;
  }
  return false;
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
  std::tie(spec.follow, spec.follow_width) = PlanFollow(def, spec.atoms.atoms);
  return spec;
}

}  // namespace trawl::plan
