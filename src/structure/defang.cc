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

// Word-at-a-time search for a token start: a byte '[', or "hx" in any case (the only
// token starting with 'h' is "hxxp"). ZeroBytes marks every zero byte (and may also mark
// bytes above one), so a word it clears holds no token start.
constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
uint64_t ZeroBytes(uint64_t v) { return (v - kOnes) & ~v & kHighs; }
uint64_t Load8(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}
bool MayHoldTokenStart(const char* p) {  // REQUIRES: 9 readable bytes
  const uint64_t here = Load8(p), next = Load8(p + 1);
  const uint64_t bracket = ZeroBytes(here ^ (kOnes * '['));
  const uint64_t h = ZeroBytes((here | (kOnes * 0x20)) ^ (kOnes * 'h'));
  const uint64_t x = ZeroBytes((next | (kOnes * 0x20)) ^ (kOnes * 'x'));
  return (bracket | (h & x)) != 0;
}

// The position of the next token at or after `from`, or npos; its index in kTokens.
size_t NextToken(std::string_view text, size_t from, size_t* which) {
  size_t i = from;
  while (i < text.size()) {
    if (text.size() - i >= 9 && !MayHoldTokenStart(text.data() + i)) {
      i += 8;
      continue;
    }
    const size_t stop = std::min(text.size(), i + 8);
    for (; i < stop; ++i) {
      const char ch = AsciiLower(text[i]);
      if (ch != '[' && ch != 'h') continue;
      for (size_t t = 0; t < kTokens.size(); ++t) {
        if (kTokens[t].defanged[0] == ch && StartsWithCaseless(text, i, kTokens[t].defanged)) {
          *which = t;
          return i;
        }
      }
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<DerivedBuffer> Refang(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) return std::nullopt;
  DerivedBuffer out;
  out.encoding = DerivedEncoding::kRefanged;
  // Only the lines that hold a token are copied (one per line of the output), so a large
  // log with one defanged address costs one short line to scan again, not the whole log.
  size_t which = 0;
  size_t token = NextToken(text, 0, &which);
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
      token = NextToken(text, copied, &which);
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
