// File: re2_dialect.cc
#include "engine/re2_dialect.h"

#include <cctype>
#include <cstring>
#include <optional>

#include <re2/re2.h>

#include "util/strings.h"

namespace trawl {
namespace {

// PCRE2's \s, as RE2 class members: RE2's \s lacks VT (0x0B).
constexpr std::string_view kSpace = "\\t\\n\\x0b\\f\\r ";

// Whether RE2 and PCRE2 may fold case differently for `def`: RE2 folds Latin-1 letters
// (e with circumflex and its capital), PCRE2's default tables only ASCII ones. Without a
// negated class that is only a wider RE2 reading, but [^\xea] caseless excludes both
// cases in RE2 and one in PCRE2: narrower. So a pattern that may be caseless (the flag, or
// any "(?" in it, which may open an option group) and may name a byte above 0x7F (a raw
// one, or an escape that can spell one) gets no RE2 program. Conservative by design.
bool MayFoldBeyondAscii(const Definition& def) {
  const std::string_view p = def.expression;
  if (!(def.flags & kFlagCaseless) && p.find("(?") == std::string_view::npos) return false;
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < p.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) return true;
    if (c != '\\' || i + 1 >= p.size()) continue;
    const char e = p[++i];
    if (e == 'p' || e == 'P' || e == 'o' || (e == 'x' && i + 1 < p.size() && p[i + 1] == '{')) {
      return true;  // a property, or a code point spelled out: assume above 0x7F
    }
    // \xHH at or above \x80, and three-digit octal at or above \200.
    if (e == 'x' && i + 2 < p.size() && hex(p[i + 1]) && hex(p[i + 2]) &&
        std::strchr("89abcdefABCDEF", p[i + 1]) != nullptr) {
      return true;
    }
    if ((e == '2' || e == '3') && i + 2 < p.size() && p[i + 1] >= '0' && p[i + 1] <= '7' &&
        p[i + 2] >= '0' && p[i + 2] <= '7') {
      return true;
    }
  }
  return false;
}

// A counted repeat {n}, {n,} or {n,m} as PCRE2 reads one at p[open] ('{'): its bounds
// (high -1 when open-ended), the index after its '}', and whether a number has a leading
// zero (RE2 reads {01} as literal text). Nothing when p[open] starts no count.
struct Count {
  long low = 0, high = -1;
  size_t end = 0;
  bool leading_zero = false;
};
std::optional<Count> ParseCount(std::string_view p, size_t open) {
  Count count;
  size_t j = open + 1;
  auto number = [&](long* value) {
    const size_t from = j;
    *value = 0;
    while (j < p.size() && p[j] >= '0' && p[j] <= '9' && j - from < 9) {
      *value = *value * 10 + (p[j++] - '0');
    }
    if (j - from >= 2 && p[from] == '0') count.leading_zero = true;
    return j > from;
  };
  if (!number(&count.low)) return std::nullopt;
  if (j < p.size() && p[j] == ',') {
    ++j;
    if (!number(&count.high)) count.high = -1;
  } else {
    count.high = count.low;
  }
  if (j >= p.size() || p[j] != '}') return std::nullopt;
  count.end = j + 1;
  return count;
}

// RE2's options for `def`'s flags: bytes as Latin-1 unless the rule is UTF-8. The
// multiline flag is a prefix of the text, (?m).
void SetRe2Options(const Definition& def, RE2::Options* options) {
  options->set_log_errors(false);
  options->set_encoding((def.flags & kFlagUtf8) ? RE2::Options::EncodingUTF8
                                                : RE2::Options::EncodingLatin1);
  options->set_case_sensitive((def.flags & kFlagCaseless) == 0);
  options->set_dot_nl((def.flags & kFlagDotAll) != 0);
}

// Whether an RE2 program may stand in for `def`'s PCRE2 one at all. Not for UTF-8 rules:
// PCRE2 (PCRE2_MATCH_INVALID_UTF) and RE2 read invalid UTF-8 in the subject and starts
// inside a character differently (re2_dialect_fuzzer found both), and no shipped or
// imported rule is UTF-8; PCRE2 alone decides them. Nor where case folding may differ.
bool Re2MayStandIn(const Definition& def) {
  return def.kind == PatternKind::kRegex && !(def.flags & kFlagUtf8) && !MayFoldBeyondAscii(def);
}

}  // namespace

bool RewriteForRe2(std::string_view p, bool multiline, std::string* out, bool* exact) {
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[++i];
      if (e == 'v' || (e >= '1' && e <= '9')) return false;
      if (e == 'Q') return false;  // \Q...\E would need its own scanner
      if (e == 's') {
        if (in_class) {
          out->append(kSpace);
        } else {
          out->append("[").append(kSpace).append("]");
        }
      } else if (e == 'S') {
        if (in_class) return false;
        out->append("[^").append(kSpace).append("]");
      } else {
        out->push_back('\\');
        out->push_back(e);
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out->push_back(c);
      // A leading ']' (after an optional '^') is a literal member.
      if (i + 1 < p.size() && p[i + 1] == '^') out->push_back(p[++i]);
      if (i + 1 < p.size() && p[i + 1] == ']') out->push_back(p[++i]);
      continue;
    }
    if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      const size_t close = p.find(":]", i + 2);
      if (close == std::string_view::npos) return false;
      out->append(p.substr(i, close + 2 - i));
      i = close + 1;
      continue;
    }
    if (in_class && c == ']') in_class = false;
    if (!in_class && c == '$' && !multiline) {
      out->append("(?m:$)");
      if (exact != nullptr) *exact = false;
      continue;
    }
    // RE2 reads a count with a leading zero, {01}, as literal text, PCRE2 as a count; and
    // PCRE2's possessive x{n}+ as (x{n})+ (for x{0}+: a pattern that matches nothing).
    // Both refused, like RE2's own refusal of *+, ++ and ?+.
    if (!in_class && c == '{') {
      if (auto count = ParseCount(p, i);
          count && (count->leading_zero || (count->end < p.size() && p[count->end] == '+'))) {
        return false;
      }
    }
    // A multiline ^ (the flag, or any "(?" that may set it) also matches after a newline
    // that ends the text in RE2, not in PCRE2: wider.
    if (!in_class && c == '^' && exact != nullptr &&
        (multiline || p.find("(?") != std::string_view::npos)) {
      *exact = false;
    }
    out->push_back(c);
  }
  return true;
}

bool Re2Pattern(const Definition& def, std::string* text, re2::RE2::Options* options,
                bool* exact) {
  std::string rewritten;
  if (!RewriteForRe2(def.expression, (def.flags & kFlagMultiline) != 0, &rewritten, exact)) {
    return false;
  }
  SetRe2Options(def, options);
  *text = (def.flags & kFlagMultiline) ? StrCat("(?m)", rewritten) : std::move(rewritten);
  return true;
}

Re2Program CompileRe2(const Definition& def) {
  Re2Program program;
  if (!Re2MayStandIn(def)) return program;
  std::string text;
  RE2::Options options;
  if (!Re2Pattern(def, &text, &options, &program.exact)) return program;
  auto re = std::make_unique<RE2>(text, options);
  if (re->ok()) program.re = std::move(re);
  return program;
}

namespace {

constexpr int kMaxRelaxedCount = 100;

// The end of the group opening at p[open] ('('): the index of its ')', or npos.
size_t GroupEnd(std::string_view p, size_t open) {
  int depth = 0;
  bool in_class = false;
  for (size_t i = open; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') ++i;
      if (i + 1 < p.size() && p[i + 1] == ']') ++i;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// A counted repeat {n}, {n,} or {n,m} at p[i] relaxed into `out`; the index after it, or
// i when p[i] does not start one.
size_t RelaxCount(std::string_view p, size_t i, std::string* out) {
  const std::optional<Count> count = ParseCount(p, i);
  if (!count) return i;
  // Written out again, without leading zeros.
  if (count->low > kMaxRelaxedCount || count->high > kMaxRelaxedCount) {
    out->append(StrCat("{", std::min<long>(count->low, kMaxRelaxedCount), ",}"));
  } else if (count->high < 0) {
    out->append(StrCat("{", count->low, ",}"));
  } else {
    out->append(StrCat("{", count->low, ",", count->high, "}"));
  }
  return count->end;
}

}  // namespace

bool RelaxForRe2(std::string_view p, bool multiline, std::string* out) {
  static constexpr std::string_view kAnyText = "(?s:.*)";
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[++i];
      if (in_class) {
        if (e == 's') {
          out->append(kSpace);
        } else if (e == 'S' || e == 'v' || e == 'Q') {
          return false;
        } else {
          out->push_back('\\');
          out->push_back(e);
        }
        continue;
      }
      if (e >= '1' && e <= '9') {  // a back-reference (or an octal byte: also "any text")
        while (i + 1 < p.size() && p[i + 1] >= '0' && p[i + 1] <= '9') ++i;
        out->append(kAnyText);
      } else if ((e == 'g' || e == 'k') && i + 1 < p.size()) {
        // \gN, \g{N}, \g{-N}, \g{name}, \k<name>, \k'name', \k{name}: back-references.
        const char open = p[i + 1];
        const char close = open == '{' ? '}' : open == '<' ? '>' : open == '\'' ? '\'' : 0;
        if (close != 0) {
          const size_t end = p.find(close, i + 2);
          if (end == std::string_view::npos) return false;
          i = end;
        } else {
          while (i + 1 < p.size() && (p[i + 1] == '-' || (p[i + 1] >= '0' && p[i + 1] <= '9'))) ++i;
        }
        out->append(kAnyText);
      } else if (e == 'Z') {
        out->append("(?m:$)");
      } else if (e == 's') {
        out->append("[").append(kSpace).append("]");
      } else if (e == 'S') {
        out->append("[^").append(kSpace).append("]");
      } else if (e == 'v' || e == 'Q') {
        return false;
      } else {
        out->push_back('\\');
        out->push_back(e);
      }
      continue;
    }
    if (in_class) {
      if (c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
        const size_t close = p.find(":]", i + 2);
        if (close == std::string_view::npos) return false;
        out->append(p.substr(i, close + 2 - i));
        i = close + 1;
        continue;
      }
      if (c == ']') in_class = false;
      out->push_back(c);
      continue;
    }
    if (c == '[') {
      in_class = true;
      out->push_back(c);
      if (i + 1 < p.size() && p[i + 1] == '^') out->push_back(p[++i]);
      if (i + 1 < p.size() && p[i + 1] == ']') out->push_back(p[++i]);
      continue;
    }
    if (c == '(' && i + 2 < p.size() && p[i + 1] == '?') {
      const std::string_view rest = p.substr(i + 2);
      if (rest.starts_with("=") || rest.starts_with("!") || rest.starts_with("<=") ||
          rest.starts_with("<!")) {
        const size_t end = GroupEnd(p, i);
        if (end == std::string_view::npos) return false;
        i = end;  // lookaround dropped; a quantifier after it applies to nothing
        while (i + 1 < p.size() && (p[i + 1] == '?' || p[i + 1] == '*' || p[i + 1] == '+')) ++i;
        continue;
      }
      if (rest.starts_with("P=")) {  // (?P=name)
        const size_t end = p.find(')', i);
        if (end == std::string_view::npos) return false;
        out->append(kAnyText);
        i = end;
        continue;
      }
      if (rest.starts_with(">") || rest.starts_with("|")) {
        out->append("(?:");
        i += 2;
        continue;
      }
      const bool named = rest.starts_with("P<") || rest.starts_with("<") || rest.starts_with("'");
      if (named) {
        const char close = rest[0] == '\'' ? '\'' : '>';
        const size_t end = p.find(close, i + 3);
        if (end == std::string_view::npos) return false;
        out->append("(?:");
        i = end;
        continue;
      }
    }
    if (c == '{') {
      const size_t next = RelaxCount(p, i, out);
      if (next != i) {
        if (next < p.size() && p[next] == '+') {
          i = next;  // possessive: backtracks here
        } else {
          i = next - 1;
        }
        continue;
      }
    }
    if ((c == '*' || c == '+' || c == '?') && i + 1 < p.size() && p[i + 1] == '+') {
      out->push_back(c);
      ++i;  // possessive: backtracks here
      continue;
    }
    if (c == '$' && !multiline) {
      out->append("(?m:$)");
      continue;
    }
    out->push_back(c);
  }
  return !in_class;
}

Re2Program CompileRe2OrPrefilter(const Definition& def) {
  Re2Program program = CompileRe2(def);
  if (program.re != nullptr || !Re2MayStandIn(def)) return program;
  std::string text;
  if (!RelaxForRe2(def.expression, (def.flags & kFlagMultiline) != 0, &text)) return program;
  RE2::Options options;
  SetRe2Options(def, &options);
  if (def.flags & kFlagMultiline) text = StrCat("(?m)", text);
  auto re = std::make_unique<RE2>(text, options);
  if (re->ok()) {
    program.re = std::move(re);
    program.exact = false;
  }
  return program;
}

}  // namespace trawl
