// File: token_pass.h
// The token pass: one linear pass over a buffer that finds candidate spans of the entity
// shapes that have no literal to anchor on (hex digests, e-mail addresses, IP addresses,
// domain names, card and phone numbers, ...). A kernel (kernels.h) classifies each
// 64-byte block into byte-class bitmasks; bit operations on those masks give sparse
// trigger positions (an '@', a dot after a letter or digit, a run of 14 hex digits, ...),
// and only there does scalar code look at the bytes and cut a span. docs/tokens.md lists
// each shape's exact rule; they follow the regex recognizers of rules/pii.json (leftmost
// spans, word boundaries) so that the validated findings of the pass include theirs.
//
// A span is a candidate, not a finding: the validators (entities/) decide.
//
// Thread-safety: a TokenPass holds scratch buffers and a cache; use one per thread.
#ifndef TRAWL_SRC_TOKENS_TOKEN_PASS_H_
#define TRAWL_SRC_TOKENS_TOKEN_PASS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tokens/kernels.h"

namespace trawl::tokens {

enum class Shape : uint8_t {
  kEmail = 0,
  kDomain = 1,
  kIpv4 = 2,
  kIpv6 = 3,
  kHex = 4,     // a run of hex digits between word boundaries, optionally after "0x"
  kUuid = 5,    // 8-4-4-4-12 hex digits
  kMac = 6,     // aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff
  kCard = 7,    // 12-19 digits in groups, Luhn checksum
  kPhone = 8,   // digit groups with phone separators, optionally after '+' or '('
  kUsSsn = 9,   // 3-2-4 digits
  kIban = 10,   // two letters, two digits, groups of four
  kBase58 = 11, // a word of 25-111 base58 characters
  kBech32 = 12, // a single-case word with a '1' separator and a bech32 data part
  kUrl = 13,    // a scheme's word before "://": where a URL may start (see below)
};
inline constexpr size_t kShapeCount = 14;

using ShapeSet = uint32_t;
constexpr ShapeSet ShapeBit(Shape shape) { return ShapeSet{1} << static_cast<unsigned>(shape); }
inline constexpr ShapeSet kAllShapes = (ShapeSet{1} << kShapeCount) - 1;

std::string_view ShapeName(Shape shape);
std::optional<Shape> ShapeFromName(std::string_view name);

struct Span {
  uint64_t begin = 0;  // [begin, end) in the buffer
  uint64_t end = 0;
  Shape shape = Shape::kEmail;
  bool operator==(const Span&) const = default;
};

// True for shapes whose spans may overlap: alternatives for one value that only a
// validator can choose between (the cuts of a digit sequence for phone numbers).
inline bool ShapeYieldsAlternatives(Shape shape) { return shape == Shape::kPhone; }

// True for shapes whose span is only where a match may start: the rule's own regex,
// anchored there, gives the match (a URL's end is the regex's business: trailing
// punctuation, balanced parentheses). The span is the scheme and "://".
inline bool ShapeAnchorsRegex(Shape shape) { return shape == Shape::kUrl; }

// No span is longer than this: a caller that scans a stream in overlapping windows and
// keeps at least this many bytes of context sees every span whole.
inline constexpr size_t kMaxSpanBytes = 320;

// How the span cutters find the ends of a run around a trigger: by bit scans over the
// batch's class masks (byte by byte only where a run leaves the batch), or byte by byte
// throughout. The spans are the same; kBytes is the reference the tests and the fuzz
// target compare kMasks with.
enum class RunWalks : uint8_t { kMasks, kBytes };

class TokenPass {
 public:
  // Looks for `shapes` only (others cost nothing), classifying with `kernel`.
  explicit TokenPass(ShapeSet shapes = kAllShapes, const Kernel& kernel = SelectedKernel(),
                     RunWalks walks = RunWalks::kMasks);
  ~TokenPass();
  TokenPass(const TokenPass&) = delete;
  TokenPass& operator=(const TokenPass&) = delete;

  // Replaces `out` with the spans in `data`, sorted by (begin, end, shape). The result
  // does not depend on the kernel.
  void Find(std::string_view data, std::vector<Span>* out);

  ShapeSet shapes() const { return shapes_; }
  const Kernel& kernel() const { return kernel_; }

 private:
  struct Scratch;
  ShapeSet shapes_;
  const Kernel& kernel_;
  RunWalks walks_;
  std::unique_ptr<Scratch> scratch_;
};

}  // namespace trawl::tokens

#endif  // TRAWL_SRC_TOKENS_TOKEN_PASS_H_
