// File: token_rules.h
// Rules that name a token shape (Definition::token): checking their parameters, and
// deciding which of a shape's spans each rule accepts (its lengths, separators and
// prefixes). docs/tokens.md lists the shapes and the parameters each takes.
//
// Thread-safety: a TokenRules is immutable after construction; share it freely.
#ifndef TRAWL_SRC_TOKENS_TOKEN_RULES_H_
#define TRAWL_SRC_TOKENS_TOKEN_RULES_H_

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "rules/definition.h"
#include "tokens/token_pass.h"

namespace trawl::tokens {

// OK when the shape is known and its parameters fit it; InvalidArgument saying what is
// wrong otherwise (rule loaders report it as a load issue of the definition).
absl::Status CheckTokenSpec(const TokenSpec& spec);

// REQUIRES: CheckTokenSpec(spec).ok() and `text` is a span of the spec's shape.
bool SpecAccepts(const TokenSpec& spec, std::string_view text);
// The same for a caller that knows the span's shape (the scanner, once per span and rule:
// no lookup of the shape's name).
// REQUIRES: `shape` is the spec's shape.
bool SpecAccepts(const TokenSpec& spec, Shape shape, std::string_view text);

class TokenRules {
 public:
  struct Rule {
    uint32_t rule;  // the caller's rule index
    TokenSpec spec;
  };
  // Rules whose spec does not check are left out (the compiler rejects them first).
  explicit TokenRules(std::vector<Rule> rules);

  bool empty() const { return rules_.empty(); }
  ShapeSet shapes() const { return shapes_; }
  // Indices into rules() of the rules that use `shape`.
  std::span<const uint32_t> RulesFor(Shape shape) const {
    return by_shape_[static_cast<size_t>(shape)];
  }
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;
  std::array<std::vector<uint32_t>, kShapeCount> by_shape_;
  ShapeSet shapes_ = 0;
};

}  // namespace trawl::tokens

#endif  // TRAWL_SRC_TOKENS_TOKEN_RULES_H_
