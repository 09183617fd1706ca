// File: yara.cc
// YARA rule files to trawl composite rules. Hand-written (no Debian library parses YARA
// without also compiling it), bounded and fuzzed (tests/rules/importers_fuzzer.cc).
//
// Each string becomes a pattern: text strings a literal (or, with wide/xor/base64, a regex
// alternation of their byte forms), hex strings a literal or a regex (wildcards, nibbles,
// negations, jumps and alternatives), regex strings a regex. The condition is YARA's own
// text, which trawl's condition language (rules/condition.h) reads; constructs it lacks
// (modules, for loops, @a[i], !a[i], rule references, external variables) reject the
// rule with the parser's reason.
#include <cctype>
#include <set>

#include "rules/condition.h"
#include "rules/importers/import_builder.h"
#include "rules/regex_syntax.h"
#include "util/strings.h"

namespace trawl::importers {
namespace {

// Bounds that keep a hostile file from exhausting memory or the stack.
constexpr size_t kMaxStringBytes = 1 << 16;
constexpr int kMaxHexDepth = 16;
constexpr size_t kMaxForms = 4096;

struct YaraString {
  std::string name;  // without '$'; "~N" for an anonymous string
  enum class Kind { kText, kHex, kRegex } kind = Kind::kText;
  std::string bytes;    // text: the decoded bytes
  std::string pattern;  // hex or regex: PCRE2 text; hex without wildcards: empty
  bool hex_literal = false;  // hex with plain bytes only (then `bytes` holds them)
  bool nocase = false, wide = false, ascii = false, fullword = false;
  bool xor_mod = false, base64 = false, base64wide = false;
  int xor_lo = 0, xor_hi = 255;
  std::string base64_alphabet;
  bool regex_nocase = false, regex_dotall = false;
};

struct YaraRule {
  std::string name;
  bool is_private = false, is_global = false;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> meta;
  std::vector<YaraString> strings;
  std::string condition;
  size_t offset = 0;
};

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  // The next character without skipping space (inside tokens).
  char Raw() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  void SkipSpace() { pos_ = SkipSpaceAndComments(text_, pos_); }

  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  std::string Identifier() {
    SkipSpace();
    const size_t start = pos_;
    if (pos_ < text_.size() &&
        (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // A string identifier after '$': unlike rule names it may start with a digit ($3RAT).
  std::string StringName() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  bool Keyword(std::string_view word) {
    SkipSpace();
    const size_t save = pos_;
    if (Identifier() == word) return true;
    pos_ = save;
    return false;
  }

  // A "..." string with YARA's escapes; error text in `*problem`.
  bool QuotedString(std::string* out, std::string* problem) {
    if (!Consume('"')) {
      *problem = "expected a quoted string";
      return false;
    }
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (out->size() > kMaxStringBytes) {
        *problem = "string too long";
        return false;
      }
      char c = text_[pos_++];
      if (c == '\n') {
        *problem = "unterminated string";
        return false;
      }
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      c = text_[pos_++];
      switch (c) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'x': {
          if (pos_ + 2 > text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[pos_])) ||
              !std::isxdigit(static_cast<unsigned char>(text_[pos_ + 1]))) {
            *problem = "bad \\x escape";
            return false;
          }
          out->push_back(static_cast<char>(std::stoi(std::string(text_.substr(pos_, 2)), nullptr, 16)));
          pos_ += 2;
          break;
        }
        default:
          *problem = StrCat("unknown escape \\", std::string(1, c));
          return false;
      }
    }
    if (!Consume('"')) {
      *problem = "unterminated string";
      return false;
    }
    return true;
  }

  bool Integer(int64_t* out) {
    SkipSpace();
    const size_t start = pos_;
    int base = 10;
    if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
      base = 16;
      pos_ += 2;
    }
    int64_t value = 0;
    const size_t digits = pos_;
    while (pos_ < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_])));
      const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10;
      if (d >= base || value > (INT64_MAX - d) / base) break;
      value = value * base + d;
      ++pos_;
    }
    if (pos_ == digits) {
      pos_ = start;
      return false;
    }
    *out = value;
    return true;
  }

  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::string Hex2(unsigned v) {
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string{'\\', 'x', kHex[(v >> 4) & 15], kHex[v & 15]};
}

// A hex string's body (after '{') into PCRE2 text; `plain` collects the bytes while the
// string has nothing but plain bytes.
bool ParseHex(Reader& r, int depth, std::string* regex, std::string* plain, bool* only_bytes,
              char close, std::string* problem) {
  if (depth > kMaxHexDepth) {
    *problem = "hex string nested too deeply";
    return false;
  }
  bool any = false;
  // YARA refuses a jump as the first or last token of the string or of an alternative.
  bool sequence_started = false, last_was_jump = false;
  const auto jump_at_end = [&] {
    if (!last_was_jump) return false;
    *problem = "a hex string or alternative cannot end with a jump";
    return true;
  };
  while (true) {
    const char c = r.Peek();
    if (c == close) {
      r.Consume(c);
      if (!any) {
        *problem = "empty hex string or alternative";
        return false;
      }
      return !jump_at_end();
    }
    if (c == '\0') {
      *problem = "unterminated hex string";
      return false;
    }
    if (regex->size() > 16 * kMaxStringBytes) {
      *problem = "hex string too long";
      return false;
    }
    if (close == ')' && c == '|') {
      if (jump_at_end()) return false;
      r.Consume('|');
      regex->push_back('|');
      sequence_started = false;
      continue;
    }
    const bool starts_sequence = !sequence_started;
    sequence_started = true;
    last_was_jump = c == '[';
    if (c == '(') {
      r.Consume('(');
      *only_bytes = false;
      regex->append("(?:");
      if (!ParseHex(r, depth + 1, regex, plain, only_bytes, ')', problem)) return false;
      regex->push_back(')');
      any = true;
      continue;
    }
    if (c == '[') {
      if (starts_sequence) {
        *problem = "a hex string or alternative cannot start with a jump";
        return false;
      }
      r.Consume('[');
      *only_bytes = false;
      int64_t lo = 0, hi = -1;
      const bool has_lo = r.Integer(&lo);
      const bool range = r.Consume('-');
      if (range) {
        if (!r.Integer(&hi)) hi = -1;  // [n-] or [-]: unbounded
        if (!has_lo) lo = 0;
      } else {
        if (!has_lo) {
          *problem = "bad jump";
          return false;
        }
        hi = lo;
      }
      if (!r.Consume(']') || lo < 0 || (hi >= 0 && hi < lo) || lo > 1 << 20 || hi > 1 << 20) {
        *problem = "bad jump";
        return false;
      }
      if (!range && lo == 0) {
        *problem = "invalid jump length [0]";  // as YARA says; [0-0] is allowed
        return false;
      }
      if (hi < 0 && depth > 0) {
        *problem = "unbounded jumps are not allowed inside alternatives";
        return false;
      }
      if (hi != 0) {  // [0-0] jumps nothing
        regex->append("[\\x00-\\xff]");
        if (hi < 0) {
          regex->append(StrCat("{", lo, ",}"));
        } else {
          regex->append(StrCat("{", lo, ",", hi, "}"));
        }
      }
      any = true;
      continue;
    }
    bool negated = false;
    if (c == '~') {
      r.Consume('~');
      negated = true;
      *only_bytes = false;
    }
    r.SkipSpace();
    const char h = r.Raw();
    r.set_pos(r.pos() + 1);
    const char l = r.Raw();
    r.set_pos(r.pos() + 1);
    auto nibble = [](char x) -> int {
      if (x == '?') return -1;
      if (!std::isxdigit(static_cast<unsigned char>(x))) return -2;
      const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(x)));
      return std::isdigit(static_cast<unsigned char>(lower)) ? lower - '0' : lower - 'a' + 10;
    };
    const int hn = nibble(h), ln = nibble(l);
    if (hn == -2 || ln == -2) {
      *problem = StrCat("bad hex byte '", std::string(1, h), std::string(1, l), "'");
      return false;
    }
    std::string unit;
    if (hn >= 0 && ln >= 0) {
      const unsigned byte = static_cast<unsigned>(hn * 16 + ln);
      unit = negated ? StrCat("[^", Hex2(byte), "]") : Hex2(byte);
      if (!negated) plain->push_back(static_cast<char>(byte));
    } else {
      *only_bytes = false;
      if (hn < 0 && ln < 0) {
        if (negated) {
          *problem = "~?? matches nothing";
          return false;
        }
        unit = "[\\x00-\\xff]";
      } else if (ln < 0) {
        unit = StrCat("[", negated ? "^" : "", Hex2(static_cast<unsigned>(hn * 16)), "-",
                      Hex2(static_cast<unsigned>(hn * 16 + 15)), "]");
      } else {
        unit = StrCat("[", negated ? "^" : "");
        for (int k = 0; k < 16; ++k) unit += Hex2(static_cast<unsigned>(k * 16 + ln));
        unit += "]";
      }
    }
    regex->append(unit);
    any = true;
  }
}

// The three base64 encodings YARA searches for (one per alignment of the text in the
// encoded stream), with the characters that depend on neighbouring bytes cut off.
std::vector<std::string> Base64Forms(std::string_view bytes, std::string_view alphabet) {
  std::vector<std::string> out;
  for (size_t shift = 0; shift < 3; ++shift) {
    std::string data(shift, '\0');
    data.append(bytes);
    std::string encoded;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : data) {
      acc = (acc << 8) | c;
      bits += 8;
      while (bits >= 6) {
        encoded.push_back(alphabet[(acc >> (bits - 6)) & 63]);
        bits -= 6;
      }
    }
    // Leading characters mixing the padding bytes' bits, and a trailing partial one.
    const size_t lead = shift == 0 ? 0 : shift == 1 ? 2 : 3;
    if (encoded.size() <= lead) continue;
    out.push_back(encoded.substr(lead));
  }
  return out;
}

std::string Widen(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

// A regex matching the UTF-16LE form of what `pattern` matches, as YARA reads a wide
// regex: every single-character atom (literal, escape, class, dot) is followed by a zero
// byte; anchors, groups, alternation and quantifiers stay. False for syntax it does not
// follow.
bool WidenRegex(std::string_view pattern, std::string* out) {
  auto atom = [out](std::string_view text) { out->append(StrCat("(?:", text, "\\x00)")); };
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 >= pattern.size()) return false;
      const char e = pattern[i + 1];
      if (e == 'b' || e == 'B' || e == 'A' || e == 'z' || e == 'Z' || e == 'G') {
        out->append(pattern.substr(i, 2));  // zero-width
        i += 2;
        continue;
      }
      size_t end = i + 2;
      if (e == 'x') {
        if (end < pattern.size() && pattern[end] == '{') {
          const size_t close = pattern.find('}', end);
          if (close == std::string_view::npos) return false;
          end = close + 1;
        } else {
          end = std::min(pattern.size(), end + 2);
        }
      }
      atom(pattern.substr(i, end - i));
      i = end;
      continue;
    }
    if (c == '[') {
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') {
        if (pattern[j] == '\\') ++j;
        else if (pattern.substr(j, 2) == "[:") {
          const size_t close = pattern.find(":]", j + 2);
          if (close == std::string_view::npos) return false;
          j = close + 1;
        }
        ++j;
      }
      if (j >= pattern.size()) return false;
      atom(pattern.substr(i, j + 1 - i));
      i = j + 1;
      continue;
    }
    if (c == '(') {
      if (pattern.substr(i, 2) == "(?") {
        if (pattern.substr(i, 3) != "(?:") return false;  // lookarounds, flags: not YARA's
        out->append("(?:");
        i += 3;
      } else {
        out->push_back('(');
        ++i;
      }
      continue;
    }
    if (c == ')' || c == '|' || c == '^' || c == '$' || c == '*' || c == '+' || c == '?') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (c == '{') {
      const size_t close = pattern.find('}', i);
      if (close == std::string_view::npos) return false;
      out->append(pattern.substr(i, close + 1 - i));
      i = close + 1;
      continue;
    }
    atom(pattern.substr(i, 1));  // a literal character, or '.'
    ++i;
  }
  return true;
}

// The RulePattern for one string; `approximations` collects what differs from YARA.
bool ToPattern(const YaraString& s, RulePattern* p, std::vector<std::string>* approximations,
               std::string* problem) {
  p->name = s.name;
  if (s.fullword) p->flags |= kFlagFullword;
  if (s.kind == YaraString::Kind::kRegex) {
    p->kind = PatternKind::kRegex;
    const std::string pcre = YaraRegexToPcre(s.pattern);
    if (s.wide) {
      std::string wide;
      if (!WidenRegex(pcre, &wide)) {
        *problem = StrCat("$", s.name, ": cannot widen this regex");
        return false;
      }
      if (pcre.find("\\b") != std::string::npos || pcre.find("\\B") != std::string::npos) {
        approximations->push_back(StrCat("$", s.name, ": \\b in a wide regex sees bytes"));
      }
      p->expression = s.ascii ? StrCat("(?:", pcre, ")|(?:", wide, ")") : wide;
    } else {
      p->expression = pcre;
    }
    if (s.nocase || s.regex_nocase) p->flags |= kFlagCaseless;
    if (s.regex_dotall) p->flags |= kFlagDotAll;
    return true;
  }
  if (s.kind == YaraString::Kind::kHex) {
    if (s.hex_literal) {
      p->kind = PatternKind::kLiteral;
      p->expression = s.bytes;
    } else {
      p->kind = PatternKind::kRegex;
      p->expression = s.pattern;
      p->flags |= kFlagDotAll;
    }
    return true;
  }
  // Text: its byte forms.
  std::vector<std::string> bases;
  if (s.ascii || !s.wide) bases.push_back(s.bytes);
  if (s.wide) bases.push_back(Widen(s.bytes));
  std::vector<std::string> forms;
  if (s.base64 || s.base64wide) {
    const std::string alphabet =
        s.base64_alphabet.empty()
            ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            : s.base64_alphabet;
    for (const std::string& encoded : Base64Forms(s.bytes, alphabet)) {
      if (s.base64) forms.push_back(encoded);
      if (s.base64wide) forms.push_back(Widen(encoded));
    }
    if (forms.empty()) {
      *problem = StrCat("$", s.name, ": too short for base64");
      return false;
    }
  } else if (s.xor_mod) {
    for (const std::string& base : bases) {
      for (int key = s.xor_lo; key <= s.xor_hi; ++key) {
        std::string form = base;
        for (char& c : form) c = static_cast<char>(c ^ key);
        forms.push_back(std::move(form));
      }
    }
  } else {
    forms = bases;
  }
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  if (forms.size() > kMaxForms) {
    *problem = StrCat("$", s.name, ": too many byte forms");
    return false;
  }
  if (s.nocase) p->flags |= kFlagCaseless;
  if (s.fullword && s.wide) {
    approximations->push_back(StrCat("$", s.name, ": fullword checks bytes, not wide characters"));
  }
  if (forms.size() == 1) {
    p->kind = PatternKind::kLiteral;
    p->expression = forms[0];
    return true;
  }
  p->kind = PatternKind::kRegex;
  std::vector<std::string> escaped;
  for (const std::string& form : forms) escaped.push_back(EscapeRegex(form));
  p->expression = StrCat("(?:", StrJoin(escaped, "|"), ")");
  return true;
}

// The modifier combinations YARA refuses (libyara 4.2's and YARA-X's errors): a hex
// string takes only `private`, a regex no `xor` or `base64`; `xor` and `base64` exclude
// `nocase` and each other, and `base64` excludes `fullword`.
bool ModifiersAllowed(const YaraString& s, std::string* problem) {
  const bool base64 = s.base64 || s.base64wide;
  const char* const b64 = s.base64 ? "base64" : "base64wide";
  std::string_view refused;
  if (s.kind == YaraString::Kind::kHex &&
      (s.nocase || s.wide || s.ascii || s.fullword || s.xor_mod || base64)) {
    *problem = "a hex string takes no modifier but private";
    return false;
  }
  if (s.kind == YaraString::Kind::kRegex && (s.xor_mod || base64)) {
    *problem = StrCat("a regex takes no ", s.xor_mod ? "xor" : b64, " modifier");
    return false;
  }
  if (s.xor_mod && s.nocase) refused = "xor nocase";
  if (s.xor_mod && base64) refused = s.base64 ? "xor base64" : "xor base64wide";
  if (base64 && s.nocase) refused = s.base64 ? "base64 nocase" : "base64wide nocase";
  if (base64 && s.fullword) refused = s.base64 ? "base64 fullword" : "base64wide fullword";
  if (refused.empty()) return true;
  *problem = StrCat("invalid modifier combination: ", refused);
  return false;
}

// The end of a counted repetition {n}, {n,}, {n,m} or {,m} starting at p[i] == '{', or
// npos when the brace is a literal one.
size_t SkipRepetition(std::string_view p, size_t i) {
  size_t k = i + 1, digits = 0;
  const auto skip_digits = [&] {
    for (; k < p.size() && std::isdigit(static_cast<unsigned char>(p[k])); ++k) ++digits;
  };
  skip_digits();
  if (k < p.size() && p[k] == ',') {
    ++k;
    skip_digits();
  }
  return k < p.size() && p[k] == '}' && digits > 0 ? k + 1 : std::string_view::npos;
}

// Whether a regex has both greedy and non-greedy quantifiers, which YARA refuses ("greedy
// and ungreedy quantifiers can't be mixed"). Text the lexer does not follow claims nothing.
bool MixesGreedyAndLazy(std::string_view p) {
  bool greedy = false, lazy = false;
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    size_t next = i + 1;
    bool quantifier = false;
    if (c == '\\') {
      next = SkipRegexEscape(p, i);
    } else if (c == '[') {
      next = SkipRegexClass(p, i);
    } else if (c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
      next = i + 2;  // a group's options, not a quantifier
    } else if (c == '*' || c == '+' || c == '?') {
      quantifier = true;
    } else if (c == '{') {
      next = SkipRepetition(p, i);
      quantifier = next != std::string_view::npos;
      if (!quantifier) next = i + 1;  // a literal brace
    }
    if (next == std::string_view::npos) return false;
    if (quantifier) {
      if (next < p.size() && p[next] == '?') {
        lazy = true;
        ++next;
      } else {
        greedy = true;
      }
    }
    i = next;
  }
  return greedy && lazy;
}

// Parses string modifiers after a string's value.
bool ParseModifiers(Reader& r, YaraString* s, std::string* problem) {
  std::set<std::string> seen;
  while (true) {
    const size_t save = r.pos();
    const std::string word = r.Identifier();
    if (word.empty()) return ModifiersAllowed(*s, problem);
    if (word != "condition" && !seen.insert(word).second) {
      *problem = StrCat("duplicated modifier '", word, "'");
      return false;
    }
    if (word == "nocase") {
      s->nocase = true;
    } else if (word == "wide") {
      s->wide = true;
    } else if (word == "ascii") {
      s->ascii = true;
    } else if (word == "fullword") {
      s->fullword = true;
    } else if (word == "private") {
      // Private strings match like any other; YARA only leaves them out of its output.
    } else if (word == "xor") {
      s->xor_mod = true;
      if (r.Consume('(')) {
        int64_t lo = 0, hi = 0;
        if (!r.Integer(&lo)) {
          *problem = "bad xor range";
          return false;
        }
        hi = lo;
        if (r.Consume('-') && !r.Integer(&hi)) {
          *problem = "bad xor range";
          return false;
        }
        if (!r.Consume(')') || lo < 0 || hi > 255 || hi < lo) {
          *problem = "bad xor range";
          return false;
        }
        s->xor_lo = static_cast<int>(lo);
        s->xor_hi = static_cast<int>(hi);
      }
    } else if (word == "base64" || word == "base64wide") {
      (word == "base64" ? s->base64 : s->base64wide) = true;
      if (r.Consume('(')) {
        std::string alphabet;
        if (!r.QuotedString(&alphabet, problem)) return false;
        if (alphabet.size() != 64 || !r.Consume(')')) {
          *problem = "a base64 alphabet has 64 characters";
          return false;
        }
        s->base64_alphabet = alphabet;
      }
    } else if (word == "condition") {
      r.set_pos(save);
      return ModifiersAllowed(*s, problem);
    } else {
      *problem = StrCat("unknown string modifier '", word, "'");
      return false;
    }
  }
}

// The condition on one line: comments become a space (a `//` comment would otherwise
// swallow what followed it on later lines), as do line breaks and tabs.
std::string OneLine(std::string_view condition) {
  std::string out;
  for (size_t i = 0; i < condition.size(); ++i) {
    const char c = condition[i];
    if (c == '"') {  // a string: copied as it is
      const size_t from = i;
      for (++i; i < condition.size() && condition[i] != '"'; ++i) {
        if (condition[i] == '\\') ++i;
      }
      out.append(condition.substr(from, std::min(i + 1, condition.size()) - from));
      continue;
    }
    if (c == '/' && (condition.substr(i, 2) == "//" || condition.substr(i, 2) == "/*")) {
      const size_t after = SkipSpaceAndComments(condition, i);
      if (after != i) {
        out.push_back(' ');
        i = after - 1;
        continue;
      }
    }
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  return out;
}

// Reads up to the rule's closing brace: the condition text.
bool ConditionText(Reader& r, std::string* out, std::string* problem) {
  r.SkipSpace();
  const std::string_view text = r.text();
  size_t i = r.pos();
  const size_t start = i;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    if (text.substr(i, 2) == "//") {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (text.substr(i, 2) == "/*") {
      const size_t close = text.find("*/", i + 2);
      i = close == std::string_view::npos ? text.size() : close + 2;
      continue;
    }
    // A regex after `matches` may hold braces.
    if (c == '/' && i > 0) {
      size_t k = i;
      while (k > start && std::isspace(static_cast<unsigned char>(text[k - 1]))) --k;
      if (k >= start + 7 && text.substr(k - 7, 7) == "matches") {
        for (++i; i < text.size() && text[i] != '/' && text[i] != '\n'; ++i) {
          if (text[i] == '\\') ++i;
        }
        ++i;
        continue;
      }
    }
    if (c == '}') {
      *out = std::string(text.substr(start, i - start));
      r.set_pos(i + 1);
      return true;
    }
    ++i;
  }
  *problem = "unterminated rule (no closing '}')";
  return false;
}

bool ParseRule(Reader& r, YaraRule* rule, std::string* problem) {
  while (true) {
    if (r.Keyword("private")) {
      rule->is_private = true;
    } else if (r.Keyword("global")) {
      rule->is_global = true;
    } else {
      break;
    }
  }
  if (!r.Keyword("rule")) {
    *problem = "expected 'rule'";
    return false;
  }
  rule->name = r.Identifier();
  if (rule->name.empty()) {
    *problem = "a rule needs a name";
    return false;
  }
  if (r.Consume(':')) {
    while (r.Peek() != '{' && r.Peek() != '\0') {
      const std::string tag = r.Identifier();
      if (tag.empty()) {
        *problem = "bad tag";
        return false;
      }
      rule->tags.push_back(tag);
    }
  }
  if (!r.Consume('{')) {
    *problem = "expected '{'";
    return false;
  }
  if (r.Keyword("meta")) {
    if (!r.Consume(':')) {
      *problem = "expected ':' after meta";
      return false;
    }
    while (true) {
      const size_t save = r.pos();
      const std::string key = r.Identifier();
      if (key.empty() || key == "strings" || key == "condition") {
        r.set_pos(save);
        break;
      }
      if (!r.Consume('=')) {
        *problem = StrCat("expected '=' after meta ", key);
        return false;
      }
      std::string value;
      if (r.Peek() == '"') {
        if (!r.QuotedString(&value, problem)) return false;
      } else {
        const bool negative = r.Consume('-');
        int64_t n = 0;
        if (r.Integer(&n)) {
          value = StrCat(negative ? "-" : "", n);
        } else {
          value = r.Identifier();  // true / false
          if (value != "true" && value != "false") {
            *problem = StrCat("bad value for meta ", key);
            return false;
          }
        }
      }
      rule->meta.emplace_back(key, value);
    }
  }
  if (r.Keyword("strings")) {
    if (!r.Consume(':')) {
      *problem = "expected ':' after strings";
      return false;
    }
    int anonymous = 0;
    while (r.Peek() == '$') {
      r.Consume('$');
      YaraString s;
      s.name = r.StringName();
      if (s.name.empty()) s.name = StrCat("~", ++anonymous);
      if (!r.Consume('=')) {
        *problem = StrCat("expected '=' after $", s.name);
        return false;
      }
      const char open = r.Peek();
      if (open == '"') {
        s.kind = YaraString::Kind::kText;
        if (!r.QuotedString(&s.bytes, problem)) return false;
        if (s.bytes.empty()) {
          *problem = StrCat("$", s.name, ": empty string");
          return false;
        }
      } else if (open == '{') {
        r.Consume('{');
        s.kind = YaraString::Kind::kHex;
        bool only_bytes = true;
        if (!ParseHex(r, 0, &s.pattern, &s.bytes, &only_bytes, '}', problem)) {
          *problem = StrCat("$", s.name, ": ", *problem);
          return false;
        }
        s.hex_literal = only_bytes;
      } else if (open == '/') {
        r.Consume('/');
        s.kind = YaraString::Kind::kRegex;
        const std::string_view text = r.text();
        size_t i = r.pos();
        for (; i < text.size() && text[i] != '/'; ++i) {
          if (text[i] == '\n') break;
          if (text[i] == '\\' && i + 1 < text.size()) {
            if (text[i + 1] == '/') {
              s.pattern.push_back('/');
              ++i;
              continue;
            }
            s.pattern.push_back(text[i++]);
          }
          s.pattern.push_back(text[i]);
        }
        if (i >= text.size() || text[i] != '/' || s.pattern.empty()) {
          *problem = StrCat("$", s.name, ": unterminated regex");
          return false;
        }
        if (MixesGreedyAndLazy(s.pattern)) {
          *problem = StrCat("$", s.name, ": greedy and non-greedy quantifiers are mixed, which "
                            "YARA refuses");
          return false;
        }
        r.set_pos(i + 1);
        while (r.Raw() == 'i' || r.Raw() == 's') {
          (r.Raw() == 'i' ? s.regex_nocase : s.regex_dotall) = true;
          r.set_pos(r.pos() + 1);
        }
      } else {
        *problem = StrCat("$", s.name, ": expected a string, hex string or regex");
        return false;
      }
      if (!ParseModifiers(r, &s, problem)) {
        *problem = StrCat("$", s.name, ": ", *problem);
        return false;
      }
      rule->strings.push_back(std::move(s));
    }
  }
  if (!r.Keyword("condition") || !r.Consume(':')) {
    *problem = "expected 'condition:'";
    return false;
  }
  return ConditionText(r, &rule->condition, problem);
}

// The start of the next rule declaration at or after `from` (a line starting with rule,
// private rule or global rule), for recovery after a syntax error.
size_t NextRuleStart(std::string_view text, size_t from) {
  size_t pos = from;
  while (pos < text.size()) {
    size_t line = text.find('\n', pos);
    if (line == std::string_view::npos) return text.size();
    pos = line + 1;
    size_t k = pos;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
    for (std::string_view word : {"rule", "private", "global", "import", "include"}) {
      if (text.substr(k, word.size()) == word && k + word.size() < text.size() &&
          std::isspace(static_cast<unsigned char>(text[k + word.size()]))) {
        return pos;
      }
    }
  }
  return text.size();
}

void ImportOne(const YaraRule& rule, bool file_has_global, ImportBuilder& builder) {
  const std::string id = StrCat("yara.", rule.name);
  if (rule.is_private) {
    builder.Rejected(id, "private rule (YARA evaluates it only inside other rules' conditions)");
    return;
  }
  if (rule.is_global) {
    builder.Rejected(id, "global rule (its condition gates the file's other rules)");
    return;
  }
  if (rule.strings.empty()) {
    builder.Rejected(id, "no strings: a condition on file properties alone");
    return;
  }
  auto logic = std::make_shared<RuleLogic>();
  std::vector<std::string> approximations;
  std::string problem;
  std::vector<std::string> names;
  for (const YaraString& s : rule.strings) {
    RulePattern p;
    if (!ToPattern(s, &p, &approximations, &problem)) {
      builder.Rejected(id, problem);
      return;
    }
    names.push_back(p.name);
    logic->patterns.push_back(std::move(p));
  }
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size()) {
    builder.Rejected(id, "duplicate string identifier");
    return;
  }
  auto condition = ParseCondition(rule.condition, names);
  if (!condition.ok()) {
    builder.Rejected(id, std::string(condition.status().message()));
    return;
  }
  // YARA refuses a rule with a string its condition does not use.
  std::vector<bool> used(names.size(), false);
  for (const ConditionNode& node : condition->nodes) {
    for (uint32_t p : node.patterns) {
      if (p < used.size()) used[p] = true;
    }
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i]) continue;
    const std::string& name = rule.strings[i].name;
    builder.Rejected(id, StrCat("unreferenced string $", name[0] == '~' ? "" : name,
                                " (YARA refuses the rule)"));
    return;
  }
  logic->condition = OneLine(rule.condition);
  if (file_has_global) {
    approximations.push_back("the file's global rule is not applied");
  }
  Definition def;
  def.id = id;
  def.category = "signature";
  def.tags = rule.tags;
  def.tags.push_back("yara");
  for (const auto& [key, value] : rule.meta) {
    if (key == "description" && def.description.empty()) def.description = value;
    if (key == "reference" || key == "url") def.references.push_back(value);
    if (key == "score") {
      const int score = std::atoi(value.c_str());
      def.severity = score >= 80 ? Severity::kHigh : score >= 50 ? Severity::kMedium : Severity::kLow;
    }
  }
  def.logic = std::move(logic);
  builder.Imported(std::move(def), approximations);
}

}  // namespace

absl::StatusOr<RuleSet> ImportYara(std::string_view text, std::string_view file) {
  ImportBuilder builder(file, RuleFormat::kYara);
  const LineIndex lines(text);
  Reader r(text);
  std::vector<YaraRule> rules;
  std::vector<std::string> notes;
  struct Failure {
    size_t offset;
    std::string name, problem;
  };
  std::vector<Failure> failures;
  std::vector<size_t> order;  // rules and failures in file order: index into each
  while (!r.AtEnd()) {
    const size_t start = r.pos();
    if (r.Keyword("import")) {
      std::string module, problem;
      if (r.QuotedString(&module, &problem)) continue;
      builder.FileIssue(lines.LineOf(start), StrCat("bad import: ", problem));
      r.set_pos(NextRuleStart(text, start));
      continue;
    }
    if (r.Keyword("include")) {
      std::string path, problem;
      if (r.QuotedString(&path, &problem)) {
        notes.push_back(StrCat("include \"", path, "\" not followed: import that file too"));
        continue;
      }
      builder.FileIssue(lines.LineOf(start), StrCat("bad include: ", problem));
      r.set_pos(NextRuleStart(text, start));
      continue;
    }
    YaraRule rule;
    rule.offset = start;
    std::string problem;
    if (ParseRule(r, &rule, &problem)) {
      order.push_back(rules.size() << 1);
      rules.push_back(std::move(rule));
      continue;
    }
    order.push_back((failures.size() << 1) | 1);
    failures.push_back({start, rule.name, StrCat("syntax: ", problem, " (line ",
                                                 lines.LineOf(r.pos()), ")")});
    const size_t next = NextRuleStart(text, std::max(start, r.pos() > 0 ? r.pos() - 1 : 0));
    r.set_pos(next > start ? next : text.size());
  }
  const bool has_global = std::any_of(rules.begin(), rules.end(),
                                      [](const YaraRule& rule) { return rule.is_global; });
  int64_t index = 0;
  for (size_t entry : order) {
    const size_t which = entry >> 1;
    if (entry & 1) {
      const Failure& f = failures[which];
      builder.At(index++, lines.LineOf(f.offset), static_cast<int64_t>(f.offset));
      builder.Rejected(f.name.empty() ? "" : StrCat("yara.", f.name), f.problem);
      continue;
    }
    const YaraRule& rule = rules[which];
    builder.At(index++, lines.LineOf(rule.offset), static_cast<int64_t>(rule.offset));
    ImportOne(rule, has_global, builder);
  }
  if (!notes.empty()) builder.SetFileNote(StrJoin(notes, "; "));
  return builder.Finish();
}

}  // namespace trawl::importers
