// File: defang.cc
#include "structure/defang.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace trawl {
namespace {

struct Token {
  std::string_view defanged;  // compared case-insensitively
  std::string_view live;
};

constexpr std::array<Token, 6> kTokens = {{
    {"[.]", "."},
    {"[dot]", "."},
    {"[@]", "@"},
    {"[at]", "@"},
    {"[:]", ":"},
    {"hxxp", "http"},
}};

// The tokens are ASCII, so ASCII case folding is all the comparison needs (and, unlike
// std::tolower, it does not depend on the locale or cost a call per byte).
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool StartsWithCaseless(std::string_view text, size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (AsciiLower(text[at + k]) != prefix[k]) return false;
  }
  return true;
}

// Finds token starts in increasing order. Every token starts with '[' except "hxxp",
// which holds an 'x' after its 'h': the next '[', 'x' and 'X' are found with memchr (far
// apart in most text) and kept until passed.
class TokenFinder {
 public:
  explicit TokenFinder(std::string_view text) : text_(text) {}

  // The position of the next token at or after `from`, or npos; its index in kTokens.
  size_t Next(size_t from, size_t* which) {
    while (true) {
      const size_t bracket = Find(from, '[', &bracket_);
      const size_t lower = Find(from + 1, 'x', &lower_x_);
      const size_t upper = Find(from + 1, 'X', &upper_x_);
      const size_t x = std::min(lower, upper);
      // A token "hxxp" at x - 1; a '[' at `bracket`: whichever comes first.
      const size_t at = std::min(bracket, x == kNone ? kNone : x - 1);
      if (at == kNone) return kNone;
      for (size_t t = 0; t < kTokens.size(); ++t) {
        if (StartsWithCaseless(text_, at, kTokens[t].defanged)) {
          *which = t;
          return at;
        }
      }
      from = at + 1;
    }
  }

 private:
  static constexpr size_t kNone = std::string_view::npos;

  // The first `c` at or after `from`, from the cache while it is still ahead.
  size_t Find(size_t from, char c, size_t* cached) const {
    if (*cached != kUnset && (*cached == kNone || *cached >= from)) return *cached;
    if (from >= text_.size()) return *cached = kNone;
    const void* hit = std::memchr(text_.data() + from, c, text_.size() - from);
    *cached = hit ? static_cast<size_t>(static_cast<const char*>(hit) - text_.data()) : kNone;
    return *cached;
  }

  static constexpr size_t kUnset = kNone - 1;
  std::string_view text_;
  size_t bracket_ = kUnset, lower_x_ = kUnset, upper_x_ = kUnset;
};

}  // namespace

std::optional<DerivedBuffer> Refang(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) return std::nullopt;
  DerivedBuffer out;
  out.encoding = DerivedEncoding::kRefanged;
  // Only the lines that hold a token are copied (one per line of the output), so a large
  // log with one defanged address costs one short line to scan again, not the whole log.
  size_t which = 0;
  TokenFinder tokens(text);
  size_t token = tokens.Next(0, &which);
  if (token == std::string_view::npos) return std::nullopt;
  uint64_t first = text.size(), last = 0;
  while (token != std::string_view::npos) {
    const size_t line_begin = text.rfind('\n', token) == std::string_view::npos
                                  ? 0
                                  : text.rfind('\n', token) + 1;
    size_t line_end = text.find('\n', token);
    if (line_end == std::string_view::npos) line_end = text.size();
    if (!out.data.empty()) {
      out.data.push_back('\n');
      out.map.AppendGap(1);
    }
    first = std::min<uint64_t>(first, line_begin);
    last = line_end;
    size_t copied = line_begin;
    while (token != std::string_view::npos && token < line_end) {
      const Token& t = kTokens[which];
      if (token > copied) {
        out.data.append(text.substr(copied, token - copied));
        out.map.AppendLinear(copied, token - copied, token - copied);
      }
      out.data.append(t.live);
      if (t.live.size() == t.defanged.size()) {
        out.map.AppendLinear(token, t.live.size(), t.defanged.size());
      } else {
        out.map.AppendAtomic(token, t.live.size(), t.defanged.size());
      }
      copied = token + t.defanged.size();
      token = tokens.Next(copied, &which);
    }
    // A token may run past the end of its line only if it contains '\n'; none does.
    if (line_end > copied) {
      out.data.append(text.substr(copied, line_end - copied));
      out.map.AppendLinear(copied, line_end - copied, line_end - copied);
    }
  }
  out.source_span = {first, last};
  out.component_span = out.source_span;
  out.printable_ratio = 1.0;
  return out;
}

}  // namespace trawl
