// File: defang.cc
#include "structure/defang.h"

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

}  // namespace

std::optional<DerivedBuffer> Refang(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) return std::nullopt;
  DerivedBuffer out;
  out.encoding = DerivedEncoding::kRefanged;
  size_t copied = 0;  // text[copied, i) is still to be copied
  bool any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch != '[' && ch != 'h' && ch != 'H') continue;
    for (const Token& t : kTokens) {
      if (t.defanged[0] != std::tolower(static_cast<unsigned char>(ch))) continue;
      if (!StartsWithCaseless(text, i, t.defanged)) continue;
      if (!any) out.data.reserve(text.size());
      any = true;
      if (i > copied) {
        out.data.append(text.substr(copied, i - copied));
        out.map.AppendLinear(copied, i - copied, i - copied);
      }
      out.data.append(t.live);
      if (t.live.size() == t.defanged.size()) {
        out.map.AppendLinear(i, t.live.size(), t.defanged.size());
      } else {
        out.map.AppendAtomic(i, t.live.size(), t.defanged.size());
      }
      i += t.defanged.size() - 1;
      copied = i + 1;
      break;
    }
  }
  if (!any) return std::nullopt;
  if (text.size() > copied) {
    out.data.append(text.substr(copied));
    out.map.AppendLinear(copied, text.size() - copied, text.size() - copied);
  }
  out.source_span = {0, text.size()};
  out.component_span = out.source_span;
  out.printable_ratio = 1.0;
  return out;
}

}  // namespace trawl
