// File: loader.h
// Loads pattern definitions (docs/rules.md) from JSON arrays or NDJSON, checking every
// definition and reporting all problems in one pass.
#ifndef TRAWL_SRC_RULES_LOADER_H_
#define TRAWL_SRC_RULES_LOADER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
};

// Definitions plus every problem found. Definitions with problems are not included.
struct RuleSet {
  std::vector<Definition> definitions;
  std::vector<LoadIssue> issues;
  // Indicator packs among the files (trawl's indicator TSV): they become the database's
  // indicator set (engine/indicator_set.h), not engine patterns.
  std::vector<FeedLoad> indicator_feeds;

  // Appends `other`, reporting ids already present as issues (the later one is dropped).
  void Merge(RuleSet other);
};

// Parses a JSON array of definitions or NDJSON (detected from the first non-space byte).
// Returns an error only when the document as a whole cannot be read; per-definition
// problems are returned in RuleSet::issues. `file` names the source in issues.
absl::StatusOr<RuleSet> ParseDefinitions(std::string_view json, std::string_view file);

// Loads a .json, .ndjson or .jsonl file (optionally .gz) or a corpus .tsv(.gz) file, or
// an indicator pack (a file that starts "#trawl-indicators", optionally .gz or .xz).
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
