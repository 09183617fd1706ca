// File: token_rules.cc
#include "tokens/token_rules.h"

#include <algorithm>

#include "tokens/byte_classes.h"
#include "util/strings.h"

namespace trawl::tokens {
namespace {

// Which parameters each shape takes.
struct ShapeParams {
  bool lengths, separators, prefixes;
  std::string_view separator_set;  // the separators the pass can cut for this shape
};

ShapeParams ParamsOf(Shape shape) {
  switch (shape) {
    case Shape::kHex: return {true, false, true, ""};
    case Shape::kCard: return {true, true, true, " -"};
    case Shape::kUsSsn: return {false, true, false, "- ."};
    case Shape::kPhone: return {true, true, true, " -.()/"};
    case Shape::kBase58: return {true, false, true, ""};
    case Shape::kBech32: return {true, false, true, ""};
    case Shape::kIban: return {true, false, true, ""};
    default: return {false, false, false, ""};
  }
}

// How long a span is for its shape's `lengths`: hex digits after the prefix, digits of
// a card or phone number, characters of the rest.
size_t MeasureOf(Shape shape, std::string_view text, std::string_view prefix) {
  if (shape == Shape::kHex) return text.size() - prefix.size();
  if (shape == Shape::kCard || shape == Shape::kPhone) {
    return static_cast<size_t>(std::count_if(text.begin(), text.end(), IsDigit));
  }
  if (shape == Shape::kIban) {
    return text.size() - static_cast<size_t>(std::count(text.begin(), text.end(), ' '));
  }
  return text.size();
}

bool StartsWithCaseless(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if ((text[i] | 0x20) != (prefix[i] | 0x20)) return false;
  }
  return true;
}

}  // namespace

absl::Status CheckTokenSpec(const TokenSpec& spec) {
  const std::optional<Shape> shape = ShapeFromName(spec.shape);
  if (!shape) {
    std::string known;
    for (size_t i = 0; i < kShapeCount; ++i) {
      StrAppend(&known, i ? ", " : "", ShapeName(static_cast<Shape>(i)));
    }
    return absl::InvalidArgumentError(
        StrCat("unknown token shape '", spec.shape, "' (known: ", known, ")"));
  }
  const ShapeParams params = ParamsOf(*shape);
  if (!spec.lengths.empty()) {
    if (!params.lengths) {
      return absl::InvalidArgumentError(StrCat("token shape ", spec.shape, " takes no lengths"));
    }
    if (*shape != Shape::kHex && (spec.lengths.size() != 2 || spec.lengths[0] > spec.lengths[1])) {
      return absl::InvalidArgumentError(
          StrCat("token shape ", spec.shape, ": lengths is [min, max]"));
    }
    if (*shape == Shape::kHex) {
      for (uint32_t length : spec.lengths) {
        if (length < 16 || length > 128) {
          return absl::InvalidArgumentError("token shape hex: lengths are 16..128 digits");
        }
      }
    }
  }
  if (!spec.separators.empty()) {
    if (!params.separators) {
      return absl::InvalidArgumentError(
          StrCat("token shape ", spec.shape, " takes no separators"));
    }
    for (char c : spec.separators) {
      if (params.separator_set.find(c) == std::string_view::npos) {
        return absl::InvalidArgumentError(StrCat("token shape ", spec.shape, ": separators are ",
                                                 "a subset of \"", params.separator_set, "\""));
      }
    }
  }
  if (!spec.prefixes.empty() && !params.prefixes) {
    return absl::InvalidArgumentError(StrCat("token shape ", spec.shape, " takes no prefixes"));
  }
  for (const std::string& prefix : spec.prefixes) {
    if (prefix.empty()) return absl::InvalidArgumentError("token prefixes must not be empty");
  }
  return absl::OkStatus();
}

bool SpecAccepts(const TokenSpec& spec, std::string_view text) {
  const std::optional<Shape> shape = ShapeFromName(spec.shape);
  return shape && SpecAccepts(spec, *shape, text);
}

bool SpecAccepts(const TokenSpec& spec, Shape shape, std::string_view text) {
  std::string_view prefix;
  if (!spec.prefixes.empty()) {
    // Bech32 human-readable parts are caseless; every other prefix is exact.
    const bool caseless = shape == Shape::kBech32;
    bool found = false;
    for (const std::string& p : spec.prefixes) {
      if (caseless ? StartsWithCaseless(text, p) : text.substr(0, p.size()) == p) {
        prefix = p;
        found = true;
        break;
      }
    }
    if (!found) return false;
  } else if (shape == Shape::kHex && text.size() > 1 && !IsHex(text[1])) {
    return false;  // "0x..." spans are for rules that ask for the prefix
  }
  if (!spec.lengths.empty()) {
    const size_t measure = MeasureOf(shape, text, prefix);
    if (shape == Shape::kHex) {
      if (std::find(spec.lengths.begin(), spec.lengths.end(), measure) == spec.lengths.end()) {
        return false;
      }
    } else if (measure < spec.lengths[0] || measure > spec.lengths[1]) {
      return false;
    }
  }
  if (!spec.separators.empty()) {
    for (char c : text) {
      if (IsAlnum(c) || (shape == Shape::kPhone && c == '+')) continue;
      if (spec.separators.find(c) == std::string::npos) return false;
    }
  }
  return true;
}

TokenRules::TokenRules(std::vector<Rule> rules) {
  for (Rule& r : rules) {
    if (!CheckTokenSpec(r.spec).ok()) continue;
    const Shape shape = *ShapeFromName(r.spec.shape);
    by_shape_[static_cast<size_t>(shape)].push_back(static_cast<uint32_t>(rules_.size()));
    shapes_ |= ShapeBit(shape);
    rules_.push_back(std::move(r));
  }
}

}  // namespace trawl::tokens
