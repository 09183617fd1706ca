// File: defang.cc
#include "structure/defang.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

#include "structure/internal/byte_masks.h"

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
constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool StartsWithCaseless(std::string_view text, size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (size_t k = 0; k < prefix.size(); ++k) {
    if (AsciiLower(text[at + k]) != prefix[k]) return false;
  }
  return true;
}

// Whether `c` is the second byte of a bracketed token ("[.]", "[dot]", "[@]", "[at]", "[:]").
constexpr bool CanFollowBracket(char c) {
  switch (AsciiLower(c)) {
    case '.':
    case 'd':
    case '@':
    case 'a':
    case ':': return true;
    default: return false;
  }
}
static_assert(std::all_of(kTokens.begin(), kTokens.end(), [](const Token& t) {
  return t.defanged[0] != '[' || CanFollowBracket(t.defanged[1]);
}));

// Finds token starts in increasing order. Every token starts with '[' except "hxxp",
// which holds an 'x' after its 'h'. Those lead bytes are found 64 at a time as bitmasks
// (internal/byte_masks.h): a memchr call per '[' was ~4 % of a JSON document's analysis,
// whose number arrays hold a '[' every few dozen bytes.
class TokenFinder {
 public:
  explicit TokenFinder(std::string_view text) : text_(text) {}

  // The position of the next token at or after `from`, or npos; its index in kTokens.
  size_t Next(size_t from, size_t* which) {
    for (size_t lead = NextLead(from); lead != kNone; lead = NextLead(lead + 1)) {
      // A '[' starts a token where it is; an 'x' one byte later (the 'h' of "hxxp").
      const bool bracket = text_[lead] == '[';
      if (!bracket && lead < from + 1) continue;
      // Most '[' open a JSON array or a log field: the byte after it rules them out.
      if (bracket && !CanFollowBracket(lead + 1 < text_.size() ? text_[lead + 1] : '\0')) continue;
      const size_t at = bracket ? lead : lead - 1;
      for (size_t t = 0; t < kTokens.size(); ++t) {
        if (StartsWithCaseless(text_, at, kTokens[t].defanged)) {
          *which = t;
          return at;
        }
      }
    }
    return kNone;
  }

 private:
  static constexpr size_t kNone = std::string_view::npos;
  static constexpr size_t kBatch = 64;  // blocks of 64 bytes classified at once

  // The first lead byte (internal::IsDefangLeadByte) at or after `from`, or npos.
  size_t NextLead(size_t from) {
    const size_t blocks = (text_.size() + internal::kMaskBlockBytes - 1) / internal::kMaskBlockBytes;
    for (size_t block = from / internal::kMaskBlockBytes; block < blocks; ++block) {
      if (block < first_ || block >= first_ + kBatch) {
        first_ = block;
        internal::DefangLeadMasks(text_, block, std::min(kBatch, blocks - block), masks_);
      }
      uint64_t m = masks_[block - first_];
      if (block == from / internal::kMaskBlockBytes) m &= ~uint64_t{0} << (from % internal::kMaskBlockBytes);
      if (m != 0) return block * internal::kMaskBlockBytes + static_cast<size_t>(std::countr_zero(m));
    }
    return kNone;
  }

  std::string_view text_;
  size_t first_ = kNone - kBatch;  // the first block of masks_ (none yet)
  uint64_t masks_[kBatch] = {};
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
