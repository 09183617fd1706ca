// File: defang.cc
#include "structure/defang.h"

#include <algorithm>
#include <array>
#include <cctype>

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

bool StartsWithCaseless(std::string_view text, size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(text[at + k])) != prefix[k]) return false;
  }
  return true;
}

// The position of the next token at or after `from`, or npos; its index in kTokens.
size_t NextToken(std::string_view text, size_t from, size_t* which) {
  for (size_t i = from; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch != '[' && ch != 'h' && ch != 'H') continue;
    for (size_t t = 0; t < kTokens.size(); ++t) {
      if (kTokens[t].defanged[0] != std::tolower(static_cast<unsigned char>(ch))) continue;
      if (StartsWithCaseless(text, i, kTokens[t].defanged)) {
        *which = t;
        return i;
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
