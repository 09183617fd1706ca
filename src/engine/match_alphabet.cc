// File: match_alphabet.cc
// A single left-to-right walk over the pattern. Group structure, quantifiers and
// assertions do not matter for the alphabet: every literal, escape and class anywhere in
// the pattern contributes its bytes. Zero-width constructs (\b, lookarounds' own syntax)
// and quantifier braces are the only text skipped; everything ambiguous is added.
#include "engine/match_alphabet.h"

#include <cctype>
#include <algorithm>

#include "rules/definition.h"

namespace trawl {

std::array<uint64_t, 4> ByteSetWords(const ByteSet& set) {
  std::array<uint64_t, 4> words{};
  for (unsigned c = 0; c < 256; ++c) words[c / 64] |= uint64_t{set[c]} << (c % 64);
  return words;
}

ByteSet ByteSetFromWords(const std::array<uint64_t, 4>& words) {
  ByteSet set;
  for (unsigned c = 0; c < 256; ++c) set[c] = (words[c / 64] >> (c % 64)) & 1;
  return set;
}

namespace {

ByteSet Range(unsigned lo, unsigned hi) {
  ByteSet set;
  for (unsigned c = lo; c <= hi && c < 256; ++c) set.set(c);
  return set;
}

ByteSet Bytes(std::string_view bytes) {
  ByteSet set;
  for (unsigned char c : bytes) set.set(c);
  return set;
}

const ByteSet& Digits() {
  static const ByteSet set = Range('0', '9');
  return set;
}

const ByteSet& WordBytes() {
  static const ByteSet set = Range('0', '9') | Range('A', 'Z') | Range('a', 'z') | Bytes("_");
  return set;
}

// Digits of `base` (8 or 16), at most 8 of them; nullopt otherwise. Empty reads as 0.
std::optional<uint32_t> ParseNumber(std::string_view digits, uint32_t base) {
  if (digits.size() > 8) return std::nullopt;
  uint32_t value = 0;
  for (char d : digits) {
    const int lower = std::tolower(static_cast<unsigned char>(d));
    const uint32_t v = std::isdigit(lower) ? static_cast<uint32_t>(lower - '0')
                       : lower >= 'a' && lower <= 'f' ? static_cast<uint32_t>(lower - 'a' + 10)
                                                     : base;
    if (v >= base) return std::nullopt;
    value = value * base + v;
  }
  return value;
}

const ByteSet& HighBytes() {
  static const ByteSet set = Range(0x80, 0xff);
  return set;
}

class AlphabetWalker {
 public:
  AlphabetWalker(std::string_view pattern, uint32_t flags)
      : p_(pattern), caseless_(flags & kFlagCaseless), utf_(flags & kFlagUtf8) {}

  std::optional<ByteSet> Run() {
    while (i_ < p_.size()) {
      const unsigned char c = static_cast<unsigned char>(p_[i_]);
      bool ok = true;
      switch (c) {
        case '\\': ok = Escape(/*in_class=*/false, &set_); break;
        case '[': ok = Class(&set_); break;
        case '(': ok = GroupOpen(); break;
        case '{': SkipQuantifierOrAddBrace(); break;
        case '.': set_.set(), ++i_; break;  // all but \n, or all with (?s)
        case ')': case '|': case '*': case '+': case '?': case '^': case '$': ++i_; break;
        default: set_.set(c), ++i_; break;
      }
      if (!ok) return std::nullopt;
    }
    if (caseless_) {
      for (unsigned c = 'a'; c <= 'z'; ++c) {
        const unsigned upper = c - 'a' + 'A';
        if (set_[c] || set_[upper]) set_.set(c), set_.set(upper);
      }
      // Unicode case folding maps ASCII letters to non-ASCII ones (K to KELVIN SIGN).
      if (utf_) set_ |= HighBytes();
    }
    // In UTF mode, a set holding any non-ASCII byte may stand for any multibyte character.
    if (utf_ && (set_ & HighBytes()).any()) set_ |= HighBytes();
    return set_;
  }

 private:
  bool AtEnd() const { return i_ >= p_.size(); }
  char Peek(size_t ahead = 0) const { return i_ + ahead < p_.size() ? p_[i_ + ahead] : '\0'; }

  // Adds a code point's bytes. Above 0xff only UTF mode can match it, as multibyte text.
  void AddCodePoint(uint32_t cp, ByteSet* out) {
    if (cp < 0x80 || (!utf_ && cp < 0x100)) {
      out->set(cp);
    } else {
      *out |= HighBytes();
    }
  }

  // Skips to just past `close`; false if it never comes.
  bool SkipPast(char close) {
    const size_t at = p_.find(close, i_);
    if (at == std::string_view::npos) return false;
    i_ = at + 1;
    return true;
  }

  // `{n}`, `{n,}`, `{n,m}` are quantifiers; any other brace is a literal (PCRE2 10.42).
  void SkipQuantifierOrAddBrace() {
    size_t j = i_ + 1;
    const size_t first_digit = j;
    while (j < p_.size() && std::isdigit(static_cast<unsigned char>(p_[j]))) ++j;
    bool quantifier = j > first_digit;
    if (quantifier && j < p_.size() && p_[j] == ',') {
      ++j;
      while (j < p_.size() && std::isdigit(static_cast<unsigned char>(p_[j]))) ++j;
    }
    quantifier = quantifier && j < p_.size() && p_[j] == '}';
    if (quantifier) {
      i_ = j + 1;
    } else {
      set_.set('{');
      ++i_;
    }
  }

  // At '('. Only the syntax of group openers is skipped; their contents are walked.
  bool GroupOpen() {
    ++i_;
    if (Peek() == '*') return false;  // verbs such as (*UTF) change how the pattern reads
    if (Peek() != '?') return true;
    ++i_;
    const char kind = Peek();
    switch (kind) {
      case ':': case '|': case '>': case '=': case '!': ++i_; return true;
      case '<':
        if (Peek(1) == '=' || Peek(1) == '!') {
          i_ += 2;
          return true;
        }
        return SkipPast('>');  // (?<name>
      case '\'': ++i_; return SkipPast('\'');  // (?'name'
      case 'P':
        if (Peek(1) == '<') return SkipPast('>');
        if (Peek(1) == '=') return SkipPast(')');  // (?P=name): a backreference
        return false;
      case '#': return SkipPast(')');  // a comment
      case '(': return false;          // conditionals
      default: break;
    }
    // Recursion and subroutine calls, (?R) (?1) (?-1) (?+1) (?&name), re-match groups
    // whose bytes are already in the set.
    if (kind == 'R' || kind == '&' || std::isdigit(static_cast<unsigned char>(kind)) ||
        ((kind == '+' || kind == '-') && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      return SkipPast(')');
    }
    // Option settings: (?i) (?i-s:...) (?^x) ...; any `i` may turn on caselessness.
    while (!AtEnd() && (std::isalpha(static_cast<unsigned char>(Peek())) || Peek() == '-' ||
                        Peek() == '^')) {
      if (Peek() == 'i') caseless_ = true;
      ++i_;
    }
    // `)` ends a setting; `:` opens a group whose contents are walked on.
    if (Peek() != ':' && Peek() != ')') return false;
    ++i_;
    return true;
  }

  // At '\\'. Adds what the escape matches to `out`. In a class, \b is a backspace.
  bool Escape(bool in_class, ByteSet* out) {
    ++i_;
    if (AtEnd()) return false;
    const unsigned char e = static_cast<unsigned char>(p_[i_++]);
    switch (e) {
      case 'd': *out |= Digits(); return true;
      case 'D': *out |= ~Digits(); return true;
      case 'w': *out |= WordBytes(); return true;
      case 'W': *out |= ~WordBytes(); return true;
      case 's': *out |= Bytes("\t\n\v\f\r "); return true;
      case 'S': *out |= ~Bytes("\t\n\v\f\r "); return true;
      case 'h': *out |= Bytes("\t \xa0"); if (utf_) *out |= HighBytes(); return true;
      case 'v': *out |= Bytes("\n\v\f\r\x85"); if (utf_) *out |= HighBytes(); return true;
      case 'H': *out |= ~Bytes("\t \xa0"); return true;
      case 'V': *out |= ~Bytes("\n\v\f\r\x85"); return true;
      case 'N':
        if (in_class) return false;
        *out |= ~Bytes("\n");
        return true;
      case 'R':
        if (in_class) return false;
        *out |= Bytes("\n\v\f\r\x85");
        if (utf_) *out |= HighBytes();
        return true;
      case 'b':
        if (in_class) out->set(0x08);
        return true;
      case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K': case 'E':
        return !in_class || e == 'E';
      case 'Q': {
        const size_t end = p_.find("\\E", i_);
        const std::string_view quoted =
            p_.substr(i_, end == std::string_view::npos ? std::string_view::npos : end - i_);
        *out |= Bytes(quoted);
        i_ = end == std::string_view::npos ? p_.size() : end + 2;
        return true;
      }
      case 'a': out->set(0x07); return true;
      case 'e': out->set(0x1b); return true;
      case 'f': out->set(0x0c); return true;
      case 'n': out->set(0x0a); return true;
      case 'r': out->set(0x0d); return true;
      case 't': out->set(0x09); return true;
      case 'c':
        if (AtEnd()) return false;
        out->set((static_cast<unsigned char>(std::toupper(static_cast<unsigned char>(p_[i_++])))) ^
                 0x40);
        return true;
      case 'x': return HexEscape(out);
      case 'o': return Peek() == '{' && BracedCodePoint(8, out);
      case 'g': case 'k':
        // Backreferences and subroutine calls match bytes already in the set.
        if (in_class) return false;
        if (Peek() == '{') return SkipPast('}');
        if (Peek() == '<') return SkipPast('>');
        if (Peek() == '\'') return ++i_, SkipPast('\'');
        if (e == 'k') return false;
        if (Peek() == '+' || Peek() == '-') ++i_;
        while (!AtEnd() && std::isdigit(static_cast<unsigned char>(Peek()))) ++i_;
        return true;
      default: break;
    }
    if (e >= '0' && e <= '9') {
      // A backreference (no new bytes) or an octal escape: add the octal reading, and the
      // digit itself for \8 and \9, which may also be literal.
      uint32_t value = 0;
      size_t digits = 0;
      size_t j = i_ - 1;
      while (j < p_.size() && digits < 3 && p_[j] >= '0' && p_[j] <= '7') {
        value = value * 8 + static_cast<uint32_t>(p_[j] - '0');
        ++j, ++digits;
      }
      if (digits > 0) AddCodePoint(value, out);
      i_ = std::max(i_, j);
      if (e >= '8') out->set(e);
      return true;
    }
    if (std::isalnum(e)) return false;  // \p, \X, \C and other letters: not followed
    out->set(e);                        // an escaped punctuation byte is itself
    return true;
  }

  // At `{` of \x{...} or \o{...}.
  bool BracedCodePoint(uint32_t base, ByteSet* out) {
    const size_t close = p_.find('}', i_);
    if (close == std::string_view::npos) return false;
    const auto value = ParseNumber(p_.substr(i_ + 1, close - i_ - 1), base);
    if (!value) return false;
    AddCodePoint(*value, out);
    i_ = close + 1;
    return true;
  }

  bool HexEscape(ByteSet* out) {
    if (Peek() == '{') return BracedCodePoint(16, out);
    size_t digits = 0;
    while (digits < 2 && std::isxdigit(static_cast<unsigned char>(Peek(digits)))) ++digits;
    AddCodePoint(*ParseNumber(p_.substr(i_, digits), 16), out);  // \x alone is NUL
    i_ += digits;
    return true;
  }

  static std::optional<ByteSet> PosixClass(std::string_view name) {
    const ByteSet lower = Range('a', 'z'), upper = Range('A', 'Z');
    if (name == "alpha") return lower | upper;
    if (name == "digit") return Digits();
    if (name == "alnum") return lower | upper | Digits();
    if (name == "upper") return upper;
    if (name == "lower") return lower;
    if (name == "space") return Bytes("\t\n\v\f\r ");
    if (name == "blank") return Bytes("\t ");
    if (name == "xdigit") return Digits() | Range('a', 'f') | Range('A', 'F');
    if (name == "word") return WordBytes();
    if (name == "cntrl") return Range(0, 0x1f) | Bytes("\x7f");
    if (name == "punct") return Range(0x21, 0x2f) | Range(0x3a, 0x40) | Range(0x5b, 0x60) | Range(0x7b, 0x7e);
    if (name == "graph") return Range(0x21, 0x7e);
    if (name == "print") return Range(0x20, 0x7e);
    if (name == "ascii") return Range(0, 0x7f);
    return std::nullopt;
  }

  // One class member at i_: a byte, an escape, or a POSIX class. `single` is set when it
  // is one byte (which may start a range).
  bool ClassAtom(ByteSet* members, int* single) {
    *single = -1;
    if (Peek() == '[' && Peek(1) == ':') {
      const size_t close = p_.find(":]", i_ + 2);
      if (close == std::string_view::npos) return false;
      std::string_view name = p_.substr(i_ + 2, close - i_ - 2);
      const bool negated = !name.empty() && name[0] == '^';
      if (negated) name.remove_prefix(1);
      auto set = PosixClass(name);
      if (!set) return false;
      *members |= negated ? ~*set : *set;
      i_ = close + 2;
      return true;
    }
    if (Peek() == '[' && (Peek(1) == '.' || Peek(1) == '=')) return false;  // collating
    if (Peek() == '\\') {
      ByteSet escaped;
      if (!Escape(/*in_class=*/true, &escaped)) return false;
      if (escaped.count() == 1) {
        for (int c = 0; c < 256; ++c) {
          if (escaped[c]) *single = c;
        }
      }
      *members |= escaped;
      return true;
    }
    *single = static_cast<unsigned char>(p_[i_++]);
    members->set(*single);
    return true;
  }

  // At '['.
  bool Class(ByteSet* out) {
    ++i_;
    const bool negated = Peek() == '^';
    if (negated) ++i_;
    ByteSet members;
    bool first = true;
    while (true) {
      if (AtEnd()) return false;
      if (Peek() == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      int lo = -1;
      if (!ClassAtom(&members, &lo)) return false;
      if (lo >= 0 && Peek() == '-' && Peek(1) != ']' && i_ + 1 < p_.size()) {
        ++i_;
        int hi = -1;
        ByteSet upper_members;
        if (!ClassAtom(&upper_members, &hi)) return false;
        members |= upper_members;
        if (hi >= 0) {
          members |= Range(static_cast<unsigned>(std::min(lo, hi)), static_cast<unsigned>(std::max(lo, hi)));
        } else {
          members.set('-');  // `a-\d`: the hyphen is literal
        }
      }
    }
    // A negated class matches every byte it does not list, multibyte characters included.
    *out |= negated ? ~members : members;
    return true;
  }

  std::string_view p_;
  size_t i_ = 0;
  bool caseless_;
  bool utf_;
  ByteSet set_;
};

}  // namespace

std::optional<ByteSet> MatchAlphabet(std::string_view pattern, uint32_t flags) {
  return AlphabetWalker(pattern, flags).Run();
}

}  // namespace trawl
