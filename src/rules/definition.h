// File: definition.h
// The pattern definition model: what a rule file says, after loading and validation.
// The on-disk format is documented in docs/rules.md.
#ifndef TRAWL_SRC_RULES_DEFINITION_H_
#define TRAWL_SRC_RULES_DEFINITION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/rule_logic.h"

namespace trawl {

enum class PatternKind : uint8_t { kRegex = 0, kLiteral = 1 };

enum class Severity : uint8_t { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

std::string_view SeverityName(Severity severity);
std::optional<Severity> ParseSeverity(std::string_view name);

// Bit set of pattern flags; the values are stored in artifacts, so they never change.
enum PatternFlag : uint32_t {
  kFlagCaseless = 1u << 0,
  kFlagDotAll = 1u << 1,
  kFlagMultiline = 1u << 2,
  kFlagUtf8 = 1u << 3,
  // The author asks for the regex to be compiled as a prefilter and confirmed with PCRE2
  // (constructs the Hyperscan-API engines lack). trawl also does this on its own when the
  // engine rejects a construct that PCRE2 supports.
  kFlagPrefilter = 1u << 4,
  // A match must not touch a letter or digit on either side (YARA fullword): checked on
  // each match, so the pattern itself stays a plain literal or regex.
  kFlagFullword = 1u << 5,
};

// Names of pattern flags in rule files ("caseless" or "i", ...); nullopt when unknown.
std::optional<uint32_t> ParseFlagName(std::string_view name);
// The long names of the flags set in `flags`, in bit order.
std::vector<std::string> FlagNames(uint32_t flags);

inline constexpr std::string_view kDefaultChain = "default";

// A rule's literal-free entity shape for the token pass (src/tokens, docs/tokens.md):
// when `shape` is set and the database is compiled for the token pass, the token pass
// finds the rule's candidates instead of the engine; the rule's regex stays the reference.
struct TokenSpec {
  std::string shape;                  // "" when the rule has none; names in docs/tokens.md
  std::vector<uint32_t> lengths;      // exact lengths (hex) or {min, max}
  std::string separators;             // allowed separator bytes, "" = the shape's own
  std::vector<std::string> prefixes;  // required leading text, one of these
  bool empty() const { return shape.empty(); }
  bool operator==(const TokenSpec&) const = default;
};

struct Definition {
  std::string id;
  PatternKind kind = PatternKind::kRegex;
  // Regex: PCRE text. Literal: the raw bytes (escapes already decoded).
  std::string expression;
  uint32_t flags = 0;
  std::string category;
  Severity severity = Severity::kMedium;
  double confidence = 0.5;  // 0..1: how likely a match is a true instance.
  std::string description;
  // Where to read more (advisories, the provider's token documentation): URLs or plain
  // text, the first http(s) URL becomes SARIF's helpUri. Metadata only: not in the digest.
  std::vector<std::string> references;
  std::vector<std::string> tags;
  std::vector<std::string> chains;  // never empty after loading: {kDefaultChain}
  std::vector<std::string> keywords;
  std::vector<std::string> examples;
  std::vector<std::string> negative_examples;
  std::string entity;     // optional typed entity this rule yields (docs/rules.md)
  std::string validator;  // optional validator name that confirms a candidate
  TokenSpec token;        // optional token-pass shape (docs/tokens.md)
  // Composite patterns, condition, scope, secret, entropy floor, allow-lists and paths
  // (rules/rule_logic.h); null for a plain rule. Shared and never modified once loaded.
  // A composite rule (logic->composite()) has no `expression` of its own.
  std::shared_ptr<const RuleLogic> logic;
  std::string source;     // where it came from (file, or corpus origin)
  // Position in the file it was loaded from, as LoadIssue has them, so that problems found
  // after parsing (an id that repeats, within a file or across merged files) point at the
  // definition too. -1 when unknown: built in code, or read back from a compiled database.
  int64_t file_index = -1;
  int64_t file_offset = -1;

  bool composite() const { return logic != nullptr && logic->composite(); }
};

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_DEFINITION_H_
