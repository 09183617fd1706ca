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
  int64_t line = -1;  // 1-based, when the format has lines (importers)

  std::string ToString() const;
  // ToString() as an ErrorCode::kParse error located at the definition (index, offset).
  absl::Status ToStatus() const;
};

// What became of a file's rules (docs/rules.md, "Importing"): each rule is imported
// exactly, imported with a stated approximation, or rejected with a reason.
struct ImportAccount {
  std::string file;
  std::string format;  // RuleFormatName (rules/importers/import.h)
  uint64_t rules = 0;
  uint64_t exact = 0;
  uint64_t approximated = 0;
  uint64_t rejected = 0;
  std::string note;  // about the file as a whole ("ruleset default lists 168 rule ids")

  // "FILE: FORMAT: N rules: A imported exactly, B imported with approximations, C rejected"
  std::string ToString() const;
};

// A check of one definition beyond what the loader knows (e.g. that its validator exists).
using DefinitionCheck = absl::FunctionRef<absl::Status(const Definition&)>;

// Definitions plus every problem found. Definitions with problems are not included.
struct RuleSet {
  std::vector<Definition> definitions;
  std::vector<LoadIssue> issues;
  // Imported files: one account each, and one note per rule imported with an
  // approximation (what differs from the source format).
  std::vector<ImportAccount> accounts;
  std::vector<LoadIssue> notes;
  // Indicator packs among the files (trawl's indicator TSV): they become the database's
  // indicator set (engine/indicator_set.h), not engine patterns.
  std::vector<FeedLoad> indicator_feeds;

  // Appends `other`, reporting ids already present as issues (the later one is dropped).
  // With `rename_duplicates` (imported rule sets, whose formats do not promise unique
  // ids across files) a repeated id is kept as "<id>/<n>" and noted instead.
  // Strong guarantee: if it fails (out of memory), the set is unchanged.
  void Merge(RuleSet other, bool rename_duplicates = false);
  // Moves every definition from index `first` on that fails `check` to the issues.
  void Check(DefinitionCheck check, size_t first = 0);
  // Check(`check`) on `other`, then Merge; returns the first issue `other` brought
  // (LoadIssue::ToStatus), or OK. The good definitions are added either way. Strong
  // guarantee, as Merge.
  absl::Status Add(RuleSet other, DefinitionCheck check, bool rename_duplicates = false);

 private:
  // other's ids repeated here or in itself: dropped as issues, or renamed and noted
  void TakeDuplicates(RuleSet* other, bool rename) const;
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
// An indicator pack's text (IsIndicatorPack) as a rule set holding its one feed: packs go
// to the database's indicator set, not to the engine.
absl::StatusOr<RuleSet> LoadIndicatorPack(std::string_view text, const std::string& path);

// Decodes the literal escape syntax: `\xNN` for any byte, `\\` for a backslash.
absl::StatusOr<std::string> DecodeLiteral(std::string_view text);
// The inverse: printable ASCII as itself, everything else as \xNN.
std::string EncodeLiteral(std::string_view bytes);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_LOADER_H_
