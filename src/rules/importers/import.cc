// File: import.cc
// Format detection, accounting and the pattern-text helpers shared by the importers.
#include "rules/importers/import.h"

#include <algorithm>
#include <cctype>

#include "rules/importers/import_builder.h"
#include "rules/tsv_importer.h"
#include "util/file.h"
#include "util/strings.h"

namespace trawl {
namespace {

constexpr struct {
  RuleFormat format;
  std::string_view name;
} kFormats[] = {
    {RuleFormat::kAuto, "auto"},         {RuleFormat::kJson, "json"},
    {RuleFormat::kTsv, "tsv"},           {RuleFormat::kGitleaks, "gitleaks"},
    {RuleFormat::kNoseyParker, "noseyparker"}, {RuleFormat::kKingfisher, "kingfisher"},
    {RuleFormat::kYara, "yara"},         {RuleFormat::kSuricata, "suricata"},
};

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  if (s.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsWord(std::string_view s, size_t at, std::string_view word) {
  if (s.substr(at, word.size()) != word) return false;
  const size_t end = at + word.size();
  return end == s.size() || !(std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_');
}

// A Suricata/Snort rule header: action proto src sport -> dst dport (
bool LooksLikeIdsRule(std::string_view line) {
  line = TrimLeft(line);
  if (!line.empty() && line[0] == '#') line = TrimLeft(line.substr(1));
  static constexpr std::string_view kActions[] = {"alert", "drop", "pass", "reject", "rejectsrc",
                                                  "rejectdst", "rejectboth", "sdrop", "log"};
  bool action = false;
  for (std::string_view a : kActions) {
    if (IsWord(line, 0, a)) action = true;
  }
  if (!action) return false;
  const size_t paren = line.find('(');
  if (paren == std::string_view::npos) return false;
  const std::string_view header = line.substr(0, paren);
  return header.find("->") != std::string_view::npos || header.find("<>") != std::string_view::npos;
}

// A YARA rule declaration, import or include at the start of a line.
bool LooksLikeYara(std::string_view line) {
  line = TrimLeft(line);
  if (StartsWith(line, "import \"") || StartsWith(line, "include \"")) return true;
  for (std::string_view prefix : {"private ", "global "}) {
    while (StartsWith(line, prefix)) line = TrimLeft(line.substr(prefix.size()));
  }
  if (!IsWord(line, 0, "rule")) return false;
  line = TrimLeft(line.substr(4));
  if (line.empty() || !(std::isalpha(static_cast<unsigned char>(line[0])) || line[0] == '_')) {
    return false;
  }
  return true;
}

}  // namespace

std::string_view RuleFormatName(RuleFormat format) {
  for (const auto& f : kFormats) {
    if (f.format == format) return f.name;
  }
  return "unknown";
}

std::optional<RuleFormat> ParseRuleFormat(std::string_view name) {
  if (name == "snort") return RuleFormat::kSuricata;
  if (name == "nosey-parker" || name == "np") return RuleFormat::kNoseyParker;
  for (const auto& f : kFormats) {
    if (f.name == name) return f.format;
  }
  return std::nullopt;
}

std::string KnownRuleFormats() {
  return "trawl reads trawl JSON/NDJSON, corpus TSV, gitleaks TOML, Nosey Parker YAML, "
         "Kingfisher YAML, YARA, Suricata/Snort (force one with --format)";
}

std::optional<RuleFormat> DetectRuleFormat(std::string_view text) {
  const std::string_view body = TrimLeft(text);
  if (body.empty()) return RuleFormat::kJson;  // an empty file is an empty set in any format
  // JSON opens with '{' (NDJSON) or '[' then a value; a TOML table header opens with
  // "[[" or "[name".
  if (body[0] == '{') return RuleFormat::kJson;
  if (body[0] == '[' && (body.size() == 1 || !(body[1] == '[' || body[1] == '_' ||
                                               std::isalpha(static_cast<unsigned char>(body[1]))))) {
    return RuleFormat::kJson;
  }
  if (StartsWith(text, "id\tkind\texpression")) return RuleFormat::kTsv;
  bool toml = false, yaml_rules = false, yaml_rulesets = false, kingfisher = false;
  size_t ids = 0, yara = 0;
  size_t start = 0;
  // Enough lines to see past a licence header.
  for (int lines = 0; start < text.size() && lines < 5000; ++lines) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty()) continue;
    if (LooksLikeIdsRule(line)) ++ids;
    if (LooksLikeYara(line)) ++yara;
    if (trimmed == "[[rules]]" || trimmed == "[allowlist]" || trimmed == "[[allowlists]]" ||
        trimmed == "[extend]" || StartsWith(trimmed, "[[rules.allowlists]]")) {
      toml = true;
    }
    if (StartsWith(line, "rules:")) yaml_rules = true;
    if (StartsWith(line, "rulesets:")) yaml_rulesets = true;
    if (trimmed.find("min_entropy:") != std::string_view::npos ||
        trimmed.find("kingfisher.") != std::string_view::npos ||
        StartsWith(trimmed, "validation:") || StartsWith(trimmed, "confidence:")) {
      kingfisher = true;
    }
  }
  if (toml) return RuleFormat::kGitleaks;
  if (yaml_rules || yaml_rulesets) {
    return kingfisher ? RuleFormat::kKingfisher : RuleFormat::kNoseyParker;
  }
  if (yara > 0 && yara >= ids) return RuleFormat::kYara;
  if (ids > 0) return RuleFormat::kSuricata;
  return std::nullopt;
}

absl::StatusOr<RuleSet> ParseRules(std::string_view text, std::string_view file,
                                   RuleFormat format) {
  if (format == RuleFormat::kAuto) {
    // Every rule format is text: a NUL byte means a binary file (a compiled database given
    // where rules go, say), which line-based detection would otherwise take for YARA.
    if (text.substr(0, 1 << 16).find('\0') != std::string_view::npos) {
      return absl::InvalidArgumentError(
          StrCat(file, ": binary content, not a rule file (a compiled database loads as a "
                       "database, not as rules); ",
                 KnownRuleFormats()));
    }
    std::optional<RuleFormat> detected = DetectRuleFormat(text);
    if (!detected) {
      return absl::InvalidArgumentError(
          StrCat(file, ": not a rule file trawl recognizes; ", KnownRuleFormats()));
    }
    format = *detected;
  }
  switch (format) {
    case RuleFormat::kJson: return ParseDefinitions(text, file);
    case RuleFormat::kTsv: return ParseCorpusTsv(text, file);
    case RuleFormat::kGitleaks: return importers::ImportGitleaks(text, file);
    case RuleFormat::kNoseyParker:
    case RuleFormat::kKingfisher: return importers::ImportRuleYaml(text, file, format);
    case RuleFormat::kYara: return importers::ImportYara(text, file);
    case RuleFormat::kSuricata: return importers::ImportSuricata(text, file);
    case RuleFormat::kAuto: break;
  }
  return absl::InvalidArgumentError(StrCat(file, ": unknown rule format"));
}

absl::StatusOr<RuleSet> LoadRuleFileAs(const std::string& path, RuleFormat format) {
  auto text = ReadMaybeCompressedFile(path);
  if (!text.ok()) return text.status();
  std::string_view name = path;
  if (EndsWith(name, ".gz") || EndsWith(name, ".xz")) name.remove_suffix(3);
  // An indicator pack goes to the database's indicator set, not to the engine.
  if (format == RuleFormat::kAuto && IsIndicatorPack(*text)) return LoadIndicatorPack(*text, path);
  // trawl's own formats are named by their extension, so a damaged JSON file is reported
  // as JSON (per definition), not as a file in no known format.
  if (format == RuleFormat::kAuto && EndsWith(name, ".tsv")) format = RuleFormat::kTsv;
  if (format == RuleFormat::kAuto &&
      (EndsWith(name, ".json") || EndsWith(name, ".ndjson") || EndsWith(name, ".jsonl"))) {
    format = RuleFormat::kJson;
  }
  // A file with no rule in it (only comments: signature-base keeps such files where rules
  // moved elsewhere) has no content to tell its format by; its name still does.
  if (format == RuleFormat::kAuto && !DetectRuleFormat(*text)) {
    if (EndsWith(name, ".yar") || EndsWith(name, ".yara")) format = RuleFormat::kYara;
    if (EndsWith(name, ".rules")) format = RuleFormat::kSuricata;
  }
  return ParseRules(*text, path, format);
}

namespace importers {

ImportBuilder::ImportBuilder(std::string_view file, RuleFormat format) : file_(file) {
  account_.file = std::string(file);
  account_.format = std::string(RuleFormatName(format));
}

void ImportBuilder::At(int64_t index, int64_t line, int64_t offset) {
  index_ = index;
  line_ = line;
  offset_ = offset;
}

void ImportBuilder::Place(Definition& def) const {
  def.source = file_;
  def.file_index = index_;
  def.file_offset = offset_;
  if (def.chains.empty()) def.chains.emplace_back(kDefaultChain);
  if (def.category.empty()) def.category = "uncategorized";
}

void ImportBuilder::Exact(Definition def) {
  Place(def);
  ++account_.rules;
  ++account_.exact;
  set_.definitions.push_back(std::move(def));
}

void ImportBuilder::Approximated(Definition def, const std::vector<std::string>& approximations) {
  Place(def);
  ++account_.rules;
  ++account_.approximated;
  const std::string text = StrJoin(approximations, "; ");
  StrAppend(&def.description, def.description.empty() ? "" : " ", "[imported with approximations: ",
            text, "]");
  LoadIssue note{file_, index_, def.id, offset_, text, line_};
  set_.notes.push_back(std::move(note));
  set_.definitions.push_back(std::move(def));
}

void ImportBuilder::Imported(Definition def, const std::vector<std::string>& approximations) {
  if (approximations.empty()) {
    Exact(std::move(def));
  } else {
    Approximated(std::move(def), approximations);
  }
}

void ImportBuilder::Rejected(std::string_view id, std::string_view reason) {
  ++account_.rules;
  ++account_.rejected;
  set_.issues.push_back({file_, index_, std::string(id), offset_, std::string(reason), line_});
}

void ImportBuilder::FileIssue(int64_t line, std::string reason) {
  set_.issues.push_back({file_, -1, "", -1, std::move(reason), line});
}

RuleSet ImportBuilder::Finish() {
  RuleSet out;
  set_.accounts.push_back(account_);
  // Ids repeated inside one file are kept under new names (the notes say which).
  out.Merge(std::move(set_), /*rename_duplicates=*/true);
  return out;
}

std::string EscapeRegex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    if (std::isalnum(c) || c == '_' || c == ' ' || c == '-' || c == ':' || c == ',' || c == '=' ||
        c == '/' || c == '<' || c == '>' || c == '@' || c == '%' || c == '&' || c == '"' ||
        c == '\'' || c == ';' || c == '!' || c == '~' || c == '`') {
      out.push_back(static_cast<char>(c));
    } else {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

namespace {

// Skips a `(?#...)` comment at `i`; returns the index after it, or `i` when there is none.
size_t SkipGroupComment(std::string_view p, size_t i) {
  if (p.substr(i, 3) != "(?#") return i;
  const size_t close = p.find(')', i + 3);
  return close == std::string_view::npos ? p.size() : close + 1;
}

}  // namespace

std::string FlattenExtended(std::string_view pattern, bool rust) {
  std::string out;
  size_t i = 0;
  bool extended = false;
  // A leading flag group such as (?x), (?xi) or (?i-x), after optional whitespace.
  size_t lead = 0;
  while (lead < pattern.size() && std::isspace(static_cast<unsigned char>(pattern[lead]))) ++lead;
  if (pattern.substr(lead, 2) == "(?") {
    size_t j = lead + 2;
    std::string on, off;
    bool negative = false;
    while (j < pattern.size() && (std::isalpha(static_cast<unsigned char>(pattern[j])) || pattern[j] == '-')) {
      if (pattern[j] == '-') {
        negative = true;
      } else {
        (negative ? off : on).push_back(pattern[j]);
      }
      ++j;
    }
    if (j < pattern.size() && pattern[j] == ')' && on.find('x') != std::string::npos) {
      extended = true;
      on.erase(std::remove(on.begin(), on.end(), 'x'), on.end());
      if (!on.empty() || !off.empty()) {
        out = StrCat("(?", on, off.empty() ? "" : "-", off, ")");
      }
      i = j + 1;
    }
  }
  bool in_class = false;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out.push_back(c);
      out.push_back(pattern[i + 1]);
      i += 2;
      continue;
    }
    if (in_class) {
      if (c == '[' && pattern.substr(i, 2) == "[:") {
        const size_t close = pattern.find(":]", i + 2);
        if (close != std::string_view::npos) {
          out.append(pattern.substr(i, close + 2 - i));
          i = close + 2;
          continue;
        }
      }
      if (c == ']') in_class = false;
      if (!(extended && rust && std::isspace(static_cast<unsigned char>(c)))) out.push_back(c);
      ++i;
      continue;
    }
    if (const size_t after = SkipGroupComment(pattern, i); after != i) {
      i = after;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      ++i;
      if (i < pattern.size() && pattern[i] == '^') out.push_back(pattern[i++]);
      if (i < pattern.size() && pattern[i] == ']') out.push_back(pattern[i++]);
      continue;
    }
    if (extended && std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (extended && c == '#') {
      while (i < pattern.size() && pattern[i] != '\n') ++i;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string YaraRegexToPcre(std::string_view pattern) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out.push_back(c);
      out.push_back(pattern[++i]);
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out.push_back(c);
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == '{' && i + 1 < pattern.size() && pattern[i + 1] == ',') {
      out.append("{0");  // YARA's {,n} is {0,n}; PCRE2 10.42 reads "{,n}" literally
      continue;
    }
    if (c == '$') {
      // YARA's $ is the end of the data only (libyara's RE_OPCODE_MATCH_AT_END); PCRE2's
      // also matches before a final newline, which would add matches yara never reports.
      out.append("\\z");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

LineIndex::LineIndex(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') newlines_.push_back(i);
  }
}

int64_t LineIndex::LineOf(size_t offset) const {
  return static_cast<int64_t>(std::lower_bound(newlines_.begin(), newlines_.end(), offset) -
                              newlines_.begin()) +
         1;
}

}  // namespace importers
}  // namespace trawl
