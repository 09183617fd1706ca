// File: entity.h
// Typed entities (an email, an IBAN, an AWS key) made from pattern matches: the entity
// type table, the context scorer that moves confidence from the bytes around a match and
// the JSON key / CSV column it sits under, and Recognize(), which runs the validator and
// the scorer on one candidate and explains every confidence change.
//
// Data flow: the engine scans once; for each match of a rule that names an `entity` or a
// `validator`, the analyzer builds a Candidate and calls Recognize(). See docs/entities.md.
//
// Thread-safety: EntityType data is immutable. A ContextScorer is immutable after
// construction and may be shared across threads; Recognize() is reentrant.
#ifndef TRAWL_SRC_ENTITIES_ENTITY_H_
#define TRAWL_SRC_ENTITIES_ENTITY_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace trawl {

// A built-in entity type: its default validator and the words that make a nearby match
// more likely to be real.
struct EntityType {
  std::string_view name;
  std::string_view validator;                  // run when the rule names no validator; may be empty
  std::string_view category;                   // "pii", "secret", "indicator"
  bool secret_like;                            // measure entropy of the value; redact in reports
  std::span<const std::string_view> keywords;  // context words (lowercase)
};

std::span<const EntityType> AllEntityTypes();
// nullptr when the name is not a built-in type. User rules may name other types; they
// get no default validator and only the rule's own keywords as context.
const EntityType* FindEntityType(std::string_view name);

// One recognized entity.
struct Entity {
  std::string type;        // entity type name (rule's `entity`, or the rule id's category)
  std::string value;       // normalized value (validator's normal form, else raw bytes)
  std::string validator;   // validator that ran; empty when none
  bool validated = false;  // the validator accepted the value (false when none ran)
  std::string validator_detail;
  double base_confidence = 0.5;        // from the rule
  double confidence_adjustment = 0.0;  // sum of every change below
  double confidence = 0.5;             // clamp(base + adjustment, 0, 1)
  double entropy = -1.0;  // bits/char of the value for secret-like types; -1 if unmeasured
  std::vector<std::string>
      reasons;  // human-readable, one per change ("+0.15 keyword 'iban' near match")
};

// ---------------------------------------------------------------- context scoring

struct ContextOptions {
  // Bytes looked at on each side of the match.
  size_t window = 64;
  // Words that lower confidence when near the match, in the key name, or in the value.
  std::vector<std::string> negative_words = {"example",  "test",        "dummy", "sample",
                                             "fake",     "placeholder", "mock",  "lorem",
                                             "changeme", "redacted",    "xxxx"};
  double keyword_boost = 0.15;          // a rule or entity keyword within the window
  double key_boost = 0.2;               // the JSON key / CSV column names the entity
  double negative_penalty = 0.25;       // a negative word within the window
  double negative_key_penalty = 0.35;   // a negative word in the key name
  double negative_value_penalty = 0.3;  // a negative word inside the matched value itself
  double max_boost = 0.3;               // caps on the total context change
  double max_penalty = 0.6;
};

struct ContextScore {
  double adjustment = 0.0;
  std::vector<std::string> reasons;
};

class ContextScorer {
 public:
  explicit ContextScorer(ContextOptions options = {});

  // REQUIRES: begin <= end <= data.size(). `data` is the buffer the match was found in,
  // [begin, end) the match. `key` is the JSON key or CSV column name when structural
  // analysis knows it, else empty. `keywords` are the rule's keywords and
  // `more_keywords` the entity type's context words, tried in that order (matched
  // case-insensitively at word boundaries).
  ContextScore Score(std::string_view data, size_t begin, size_t end, std::string_view key,
                     std::span<const std::string> keywords,
                     std::span<const std::string_view> more_keywords = {}) const;

  const ContextOptions& options() const { return options_; }

 private:
  ContextOptions options_;
};

// Case-insensitive search for `word` in `text` at a word boundary (letters on either side
// break it, except a camelCase hump: "testKey" contains "test"). Exposed for tests.
bool ContainsWord(std::string_view text, std::string_view word);

// ---------------------------------------------------------------- recognition

enum class ValidatorFailure : uint8_t {
  kDrop = 0,   // a failed validator drops the candidate (default)
  kLower = 1,  // keep it with lowered confidence
};

struct RecognizeOptions {
  ValidatorFailure on_failure = ValidatorFailure::kDrop;
  double failure_penalty = 0.4;  // used with kLower
  // Secret-like values below this entropy (bits/char) lose `low_entropy_penalty`.
  double min_secret_entropy = 3.0;
  double low_entropy_penalty = 0.3;
  // Candidates whose final confidence falls below this are dropped.
  double min_confidence = 0.0;
  // Region national phone numbers are read in; "" = kDefaultPhoneRegion (validators.h).
  std::string default_region;
};

// A finding's value is kept (and validated, measured and scored) up to this many bytes.
// A single pattern's match is shorter (the engine's window is 8 KiB), but a composite
// rule's span may cover a whole component (an IDS rule's contents megabytes apart), and
// carrying such a span through every step and into the report cost gigabytes.
inline constexpr size_t kMaxValueBytes = size_t{16} << 10;

struct Candidate {
  std::string_view rule_id;
  std::string_view entity;     // rule's `entity`; may be empty
  std::string_view validator;  // rule's `validator`; empty means the type's default
  double base_confidence = 0.5;
  std::string_view data;  // the scanned buffer
  size_t begin = 0;       // match [begin, end) in data
  size_t end = 0;
  // The value inside the match (capture group 1 after PCRE2 confirmation), as offsets in
  // data; when value_end == 0 the whole match is the value.
  size_t value_begin = 0;
  size_t value_end = 0;
  std::string_view key;  // JSON key / CSV column, if known
  std::span<const std::string> rule_keywords;
};

// Validates and scores one candidate. nullopt when it is dropped (validator failure with
// kDrop, or final confidence below min_confidence).
std::optional<Entity> Recognize(const Candidate& candidate, const ContextScorer& scorer,
                                const RecognizeOptions& options = {});

// OK when `entity` is empty or any name made of [a-z0-9_], and `validator` is empty or
// registered. Rule loaders call this for each definition.
absl::Status CheckEntityFields(std::string_view entity, std::string_view validator);

}  // namespace trawl

#endif  // TRAWL_SRC_ENTITIES_ENTITY_H_
