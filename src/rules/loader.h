// File: loader.h
// Loads pattern definitions (docs/rules.md) from JSON arrays or NDJSON, checking every
// definition and reporting all problems in one pass.
#ifndef TRAWL_SRC_RULES_LOADER_H_
#define TRAWL_SRC_RULES_LOADER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "rules/definition.h"
#include "rules/indicator_feed.h"

namespace trawl {

// One problem with one definition. `index` is the definition's position in its file
// (0-based) and `offset` the byte offset where the definition starts (-1 if unknown).
struct LoadIssue {
  std::string file;
  int64_t index = -1;
  std::string id;
  int64_t offset = -1;
  std::string reason;

  std::string ToString() const;
  // ToString() as an ErrorCode::kParse error located at the definition (index, offset).
  absl::Status ToStatus() const;
};

// A check of one definition beyond what the loader knows (e.g. that its validator exists).
using DefinitionCheck = absl::FunctionRef<absl::Status(const Definition&)>;

// Definitions plus every problem found. Definitions with problems are not included.
struct RuleSet {
  std::vector<Definition> definitions;
  std::vector<LoadIssue> issues;
  // Indicator packs among the files (trawl's indicator TSV): they become the database's
  // indicator set (engine/indicator_set.h), not engine patterns.
  std::vector<FeedLoad> indicator_feeds;

  // Appends `other`, reporting ids already present as issues (the later one is dropped).
  // Strong guarantee: if it fails (out of memory), the set is unchanged.
  void Merge(RuleSet other);
  // Moves every definition from index `first` on that fails `check` to the issues.
  void Check(DefinitionCheck check, size_t first = 0);
  // Check(`check`) on `other`, then Merge; returns the first issue `other` brought
  // (LoadIssue::ToStatus), or OK. The good definitions are added either way. Strong
  // guarantee, as Merge.
  absl::Status Add(RuleSet other, DefinitionCheck check);

 private:
  void TakeDuplicates(RuleSet* other) const;  // other's ids repeated here or in itself
  void Append(RuleSet other);                 // reserves, then moves only
};

// Parses a JSON array of definitions or NDJSON (detected from the first non-space byte).
// Returns an error (ErrorCode::kParse) only when the document as a whole cannot be read;
// per-definition problems are returned in RuleSet::issues. `file` names the source.
absl::StatusOr<RuleSet> ParseDefinitions(std::string_view json, std::string_view file);

// Loads a .json, .ndjson or .jsonl file (optionally .gz) or a corpus .tsv(.gz) file, or
// an indicator pack (a file that starts "#trawl-indicators", optionally .gz or .xz).
// ErrorCode::kIo when the file cannot be read, kParse when it is not definitions.
absl::StatusOr<RuleSet> LoadRuleFile(const std::string& path);

// A rule set holding one indicator feed; its unsupported entries are issues (index = the
// entry's line), its duplicates are not.
RuleSet RuleSetFromFeed(FeedLoad feed);

// Decodes the literal escape syntax: `\xNN` for any byte, `\\` for a backslash.
absl::StatusOr<std::string> DecodeLiteral(std::string_view text);
// The inverse: printable ASCII as itself, everything else as \xNN.
std::string EncodeLiteral(std::string_view bytes);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_LOADER_H_
