// File: import.h
// Rule files in other tools' native formats (docs/rules.md, "Importing"): gitleaks TOML,
// Nosey Parker and Kingfisher YAML, YARA, Suricata/Snort. The format is detected from the
// content (or forced); every rule of a file ends in exactly one of: imported exactly,
// imported with a stated approximation (a note, also written into the rule's
// description), rejected with a reason (an issue with file, line and rule id). The counts
// are the file's ImportAccount.
//
// Each parser sits behind its own file: toml++ only in gitleaks_toml.cc, yaml-cpp only in
// rule_yaml.cc; YARA and Suricata have no Debian library and are parsed by hand
// (yara.cc, suricata.cc; fuzzed by tests/rules/importers_fuzzer.cc).
#ifndef TRAWL_SRC_RULES_IMPORTERS_IMPORT_H_
#define TRAWL_SRC_RULES_IMPORTERS_IMPORT_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "rules/loader.h"

namespace trawl {

enum class RuleFormat : uint8_t {
  kAuto = 0,
  kJson,         // trawl's own JSON array or NDJSON
  kTsv,          // the corpus TSV
  kGitleaks,     // gitleaks.toml
  kNoseyParker,  // Nosey Parker rules YAML (and rulesets)
  kKingfisher,   // Kingfisher rules YAML
  kYara,
  kSuricata,     // Suricata / Snort rules
};

std::string_view RuleFormatName(RuleFormat format);
// "auto", "json", "tsv", "gitleaks", "noseyparker", "kingfisher", "yara", "suricata"
// (also "snort"); nullopt when unknown.
std::optional<RuleFormat> ParseRuleFormat(std::string_view name);
// One sentence naming every format trawl reads, for error messages.
std::string KnownRuleFormats();

// The format of `text`, from its content; nullopt when it is none trawl knows.
std::optional<RuleFormat> DetectRuleFormat(std::string_view text);

// Parses `text` in `format` (kAuto: detected). `file` names the source in issues. An
// unrecognized format is one InvalidArgument error naming the known formats. The
// native formats' rule sets carry an ImportAccount.
absl::StatusOr<RuleSet> ParseRules(std::string_view text, std::string_view file, RuleFormat format);

// Reads a rule file (optionally .gz) in `format` (kAuto: a .json, .ndjson or .jsonl name
// selects trawl JSON and a .tsv name the corpus TSV; otherwise detected from the content,
// and a .yar, .yara or .rules name decides when the content cannot, as in a file of
// comments only).
absl::StatusOr<RuleSet> LoadRuleFileAs(const std::string& path, RuleFormat format);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_IMPORTERS_IMPORT_H_
