// File: tsv_importer.cc
#include "rules/tsv_importer.h"

#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {

absl::StatusOr<RuleSet> ParseCorpusTsv(std::string_view text, std::string_view file) {
  RuleSet set;
  int64_t index = -1;  // the header line is not a definition
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_start, line_end - line_start);
    const int64_t offset = static_cast<int64_t>(line_start);
    line_start = line_end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (index++ < 0) {
      if (!StartsWith(line, "id\tkind\texpression")) {
        return CodedError(ErrorCode::kParse,
                          StrCat(file, ": not a corpus TSV (header must start id, kind, expression)"));
      }
      continue;
    }
    if (line.empty()) {
      --index;
      continue;
    }
    std::vector<std::string_view> cols = Split(line, '\t');
    const int64_t def_index = index - 1;
    if (cols.size() < 6) {
      set.issues.push_back({std::string(file), def_index, cols.empty() ? "" : std::string(cols[0]),
                            offset, "expected at least 6 tab-separated columns"});
      continue;
    }
    Definition def;
    def.id = std::string(cols[0]);
    def.category = cols[4].empty() ? "uncategorized" : std::string(cols[4]);
    def.source = std::string(cols[5]);
    def.file_index = def_index;
    def.file_offset = offset;
    def.chains.emplace_back(kDefaultChain);
    if (cols[1] == "literal") {
      def.kind = PatternKind::kLiteral;
      auto bytes = DecodeLiteral(cols[2]);
      if (!bytes.ok()) {
        set.issues.push_back(
            {std::string(file), def_index, def.id, offset, std::string(bytes.status().message())});
        continue;
      }
      def.expression = *std::move(bytes);
    } else if (cols[1] == "regex") {
      def.kind = PatternKind::kRegex;
      def.expression = std::string(cols[2]);
    } else {
      set.issues.push_back({std::string(file), def_index, def.id, offset,
                            StrCat("unknown kind '", cols[1], "'")});
      continue;
    }
    if (def.expression.empty()) {
      set.issues.push_back({std::string(file), def_index, def.id, offset, "empty pattern"});
      continue;
    }
    for (std::string_view flag : Split(cols[3], ',', /*skip_empty=*/true)) {
      if (flag == "i") {
        def.flags |= kFlagCaseless;
      } else if (flag == "s") {
        def.flags |= kFlagDotAll;
      } else if (flag == "m") {
        def.flags |= kFlagMultiline;
      } else {
        def.tags.emplace_back(flag);  // YARA / IDS modifiers are informational
      }
    }
    if (cols.size() > 6 && cols[6] == "prefilter") def.flags |= kFlagPrefilter;
    set.definitions.push_back(std::move(def));
  }
  // The corpus promises unique ids; the set still checks, as for JSON.
  RuleSet checked;
  checked.Merge(std::move(set));
  // A repeated id is reported against the definition's source, which here is the corpus
  // origin column; its index and offset are positions in this file.
  for (LoadIssue& issue : checked.issues) issue.file = std::string(file);
  return checked;
}

}  // namespace trawl
