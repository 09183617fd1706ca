// File: regex_syntax.cc
#include "rules/regex_syntax.h"

#include <cctype>

namespace trawl {

size_t SkipRegexEscape(std::string_view p, size_t i) {
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
  if (c == 'p' || c == 'P') {  // \pL: a one-letter property name
    return i + 2 < p.size() ? i + 3 : std::string_view::npos;
  }
  return i + 2;
}

size_t SkipRegexClass(std::string_view p, size_t i) {
  size_t j = i + 1;
  if (j < p.size() && p[j] == '^') ++j;
  if (j < p.size() && p[j] == ']') ++j;
  while (j < p.size() && p[j] != ']') {
    if (p[j] == '\\') {
      j = SkipRegexEscape(p, j);
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
}

}  // namespace trawl
