// File: condition.h
// The condition language of composite rules (docs/rules.md): a subset of YARA's condition
// syntax over a rule's patterns.
//
//   $a                       the pattern has an occurrence (in the rule's scope)
//   #a                       its number of occurrences (an integer)
//   $a at 100, $a in (0..1024)   an occurrence starting there
//   any of them, all of them, none of them, 2 of ($key*, $id)
//   filesize, uint8/16/32(off), uint16be/32be(off)   the component's size and bytes
//   integers (0x.., KB, MB), + - * \ %, == != < <= > >=, and, or, not, ( ), true, false
//   sequence                 the patterns in order, with their placement (Suricata)
//
// Parsing is pure; the engine evaluates a parsed condition after the scan through
// ConditionContext. Thread-safety: a Condition is immutable once parsed.
#ifndef TRAWL_SRC_RULES_CONDITION_H_
#define TRAWL_SRC_RULES_CONDITION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace trawl {

struct ConditionNode {
  enum class Op : uint8_t {
    kTrue,
    kFalse,
    kAnd,       // children
    kOr,        // children
    kNot,       // children[0]
    kPattern,   // $a: patterns[0]
    kCount,     // #a: patterns[0] (integer)
    kAt,        // $a at children[0]
    kIn,        // $a in (children[0]..children[1])
    kOf,        // `value` of patterns (value = -1: all; 0 with none_of: none)
    kCompare,   // children[0] cmp children[1]
    kInteger,   // value
    kFilesize,  // integer
    kReadUint,  // uint<width*8>[be](children[0])
    kArith,     // children[0] arith children[1]
    kNegate,    // -children[0]
    kSequence,  // the sequence semantics over every pattern
  };
  enum class Cmp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
  enum class Arith : uint8_t { kAdd, kSub, kMul, kDiv, kMod };

  Op op = Op::kTrue;
  Cmp cmp = Cmp::kEq;
  Arith arith = Arith::kAdd;
  uint8_t width = 0;  // kReadUint: 1, 2 or 4 bytes
  bool big_endian = false;
  bool none_of = false;  // kOf: "none of"
  int64_t value = 0;
  std::vector<uint32_t> patterns;
  std::vector<uint32_t> children;  // indices into Condition::nodes
};

struct Condition {
  std::vector<ConditionNode> nodes;
  uint32_t root = 0;

  bool is_sequence() const { return nodes[root].op == ConditionNode::Op::kSequence; }
  // Patterns the condition names anywhere (sorted, distinct).
  std::vector<uint32_t> ReferencedPatterns() const;
};

// Parses `text` against the rule's pattern names (without '$'). "" parses as
// "all of them". Errors name the problem and the offset in `text`; constructs outside
// the language (module calls, for loops, @a[i], !a[i], rule references, external
// variables) are errors that say so.
// The position of the first byte at or after `pos` that is neither white space nor inside a
// `//` or `/* */` comment (the condition language and YARA share this lexis).
size_t SkipSpaceAndComments(std::string_view text, size_t pos);

absl::StatusOr<Condition> ParseCondition(std::string_view text,
                                         const std::vector<std::string>& pattern_names);

// Evaluation: what the condition asks of the scanned component. Answers are for the
// rule's scope. Offsets are relative to the component's start.
class ConditionContext {
 public:
  virtual ~ConditionContext() = default;
  virtual bool Any(uint32_t pattern) = 0;
  virtual uint64_t Count(uint32_t pattern) = 0;
  virtual bool AnyAt(uint32_t pattern, uint64_t offset) = 0;
  virtual bool AnyIn(uint32_t pattern, uint64_t lo, uint64_t hi) = 0;
  virtual std::optional<uint64_t> Filesize() = 0;
  // nullopt when the bytes are outside the component (YARA's "undefined").
  virtual std::optional<uint64_t> ReadUint(uint64_t offset, int width, bool big_endian) = 0;
  // kSequence; the engine evaluates sequences itself.
  virtual bool Sequence() = 0;
};

// YARA's semantics: an undefined value (a read past the end) makes a comparison
// undefined, which `and` and the result treat as false and `or` skips.
bool EvaluateCondition(const Condition& condition, ConditionContext& context);

// Whether more occurrences can never turn the condition from true to false: it needs
// no pattern's absence (`not`, `none of`) and compares counts only from below
// (`#a > 2`, `#a >= 2`). A monotone condition that holds on some of an input's
// occurrences holds on all of them; the others may not (a stream that could not search
// part of its input, a window of a component).
bool IsMonotone(const Condition& condition);

// Pattern sets such that the condition is false unless one of the set's patterns has an
// occurrence: the planner scans such a set and confirms the other patterns only where
// the condition can hold. `cost` ranks patterns (lower is cheaper to scan); the cheapest
// cover is returned. nullopt when the condition can hold with no occurrence at all
// ("not $a", "filesize < 10"). A pattern costing kNeverOccurs is known to have no
// occurrence in any input: no cover needs it.
inline constexpr double kNeverOccurs = -1.0;
std::optional<std::vector<uint32_t>> CheapestCover(const Condition& condition,
                                                   const std::vector<double>& cost);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_CONDITION_H_
