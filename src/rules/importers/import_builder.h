// File: import_builder.h
// Shared by the importers: the accounting of one file's rules, and the pattern-text
// helpers their formats need (regex escaping, extended-mode flattening, string escapes).
#ifndef TRAWL_SRC_RULES_IMPORTERS_IMPORT_BUILDER_H_
#define TRAWL_SRC_RULES_IMPORTERS_IMPORT_BUILDER_H_

#include <string>
#include <string_view>
#include <vector>

#include "rules/importers/import.h"

namespace trawl::importers {

// Collects one file's outcomes; every rule passes through exactly one of the three.
class ImportBuilder {
 public:
  ImportBuilder(std::string_view file, RuleFormat format);

  // Position of the next rule in the file, for issues, notes and the definition.
  void At(int64_t index, int64_t line, int64_t offset);

  void Exact(Definition def);
  // `approximations` are what differs from the source format's semantics; they are
  // appended to the description and recorded as notes.
  void Approximated(Definition def, const std::vector<std::string>& approximations);
  void Rejected(std::string_view id, std::string_view reason);
  // Exact or Approximated, by whether `approximations` is empty.
  void Imported(Definition def, const std::vector<std::string>& approximations);

  void SetFileNote(std::string note) { account_.note = std::move(note); }
  // A problem with the file as a whole that does not stop its rules (an issue).
  void FileIssue(int64_t line, std::string reason);

  RuleSet Finish();

 private:
  void Place(Definition& def) const;

  std::string file_;
  RuleSet set_;
  ImportAccount account_;
  int64_t index_ = -1, line_ = -1, offset_ = -1;
};

// `bytes` as PCRE2 regex text matching exactly those bytes (printable ASCII kept where it
// is not a metacharacter, everything else \xNN).
std::string EscapeRegex(std::string_view bytes);

// Removes extended-mode whitespace and '#' comments (and `(?#...)` comments) from a
// pattern whose leading flag group has 'x', dropping the 'x'. `rust` follows Rust's regex
// crate, which also ignores whitespace inside character classes; PCRE2 keeps it there.
// Patterns without a leading x flag are returned with only `(?#...)` comments removed.
std::string FlattenExtended(std::string_view pattern, bool rust);

// YARA regex syntax that PCRE2 reads differently: `{,n}` means {0,n}.
std::string YaraRegexToPcre(std::string_view pattern);

// Line numbers of byte offsets in one text.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  int64_t LineOf(size_t offset) const;  // 1-based

 private:
  std::vector<size_t> newlines_;
};

// The native parsers. Each returns an error only when the file as a whole cannot be read
// (then with the line where reading stopped); per-rule problems are issues.
absl::StatusOr<RuleSet> ImportGitleaks(std::string_view text, std::string_view file);
absl::StatusOr<RuleSet> ImportRuleYaml(std::string_view text, std::string_view file,
                                       RuleFormat format);
absl::StatusOr<RuleSet> ImportYara(std::string_view text, std::string_view file);
absl::StatusOr<RuleSet> ImportSuricata(std::string_view text, std::string_view file);

}  // namespace trawl::importers

#endif  // TRAWL_SRC_RULES_IMPORTERS_IMPORT_BUILDER_H_
