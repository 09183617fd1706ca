// File: loader.cc
// JSON and NDJSON definition loading through the JSON adapter (the DOM for content; a
// second pass only to learn where each array element starts, for error messages).
#include "rules/loader.h"

#include <cmath>
#include <unordered_set>

#include "absl/strings/ascii.h"
#include "json/json.h"
#include "rules/internal/logic_json_reader.h"
#include "rules/logic_json.h"
#include "util/strings.h"
#include "rules/tsv_importer.h"
#include "util/file.h"
#include "util/status_codes.h"

namespace trawl {
namespace {

constexpr size_t kMaxIdBytes = 256;

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
         c == ':' || c == '/' || c == '-';
}

using internal::ReadJsonString;
using internal::ReadJsonStrings;

// Reads a rule's "token" object ({"shape": ..., "lengths": [...], "separators": "...",
// "prefixes": [...]}); whether the shape and its parameters make sense is for the token
// stage to say (tokens/token_rules.h), as validators are for entities/.
void ReadTokenSpec(json::Value value, TokenSpec* spec, std::vector<std::string>* problems) {
  json::Object object;
  if (value.Get(&object) != json::Error::kOk) {
    problems->push_back("'token' must be an object");
    return;
  }
  for (auto [key, item] : object) {
    if (key == "shape") {
      ReadJsonString(item, "token.shape", &spec->shape, problems);
    } else if (key == "separators") {
      ReadJsonString(item, "token.separators", &spec->separators, problems);
    } else if (key == "prefixes") {
      ReadJsonStrings(item, "token.prefixes", &spec->prefixes, problems);
    } else if (key == "lengths") {
      json::Array array;
      if (item.Get(&array) != json::Error::kOk) {
        problems->push_back("'token.lengths' must be an array of integers");
        continue;
      }
      for (json::Value length : array) {
        uint64_t n = 0;
        if (length.Get(&n) != json::Error::kOk || n == 0 || n > 4096) {
          problems->push_back("'token.lengths' must hold integers in [1, 4096]");
          break;
        }
        spec->lengths.push_back(static_cast<uint32_t>(n));
      }
    } else {
      problems->push_back(StrCat("unknown field 'token.", key, "'"));
    }
  }
  if (spec->shape.empty()) problems->push_back("'token' needs a 'shape'");
}

// Fills `def` from one JSON object; every problem found is appended to `problems`.
void ReadDefinition(const json::Object& object, Definition* def,
                    std::vector<std::string>* problems) {
  bool has_regex = false;
  bool has_literal = false;
  std::string literal_text;
  RuleLogic logic;
  bool has_logic = false;
  for (auto [key, value] : object) {
    if (IsLogicField(key)) {
      internal::ReadLogicField(key, value, &logic, problems);
      has_logic = true;
    } else if (key == "id") {
      ReadJsonString(value, key, &def->id, problems);
    } else if (key == "regex") {
      has_regex = ReadJsonString(value, key, &def->expression, problems);
      def->kind = PatternKind::kRegex;
    } else if (key == "literal") {
      has_literal = ReadJsonString(value, key, &literal_text, problems);
    } else if (key == "flags") {
      internal::ReadJsonFlags(value, key, &def->flags, problems);
    } else if (key == "category") {
      ReadJsonString(value, key, &def->category, problems);
    } else if (key == "severity") {
      std::string name;
      if (ReadJsonString(value, key, &name, problems)) {
        auto severity = ParseSeverity(name);
        if (severity) {
          def->severity = *severity;
        } else {
          problems->push_back(StrCat(
              "unknown severity '", name, "' (expected info, low, medium, high or critical)"));
        }
      }
    } else if (key == "confidence") {
      double confidence;
      if (value.Get(&confidence) != json::Error::kOk || !std::isfinite(confidence) ||
          confidence < 0 || confidence > 1) {
        problems->push_back("'confidence' must be a number in [0, 1]");
      } else {
        def->confidence = confidence;
      }
    } else if (key == "description") {
      ReadJsonString(value, key, &def->description, problems);
    } else if (key == "references") {
      ReadJsonStrings(value, key, &def->references, problems);
    } else if (key == "tags") {
      ReadJsonStrings(value, key, &def->tags, problems);
    } else if (key == "chains") {
      ReadJsonStrings(value, key, &def->chains, problems);
    } else if (key == "keywords") {
      ReadJsonStrings(value, key, &def->keywords, problems);
    } else if (key == "examples") {
      ReadJsonStrings(value, key, &def->examples, problems);
    } else if (key == "negative_examples") {
      ReadJsonStrings(value, key, &def->negative_examples, problems);
    } else if (key == "entity") {
      ReadJsonString(value, key, &def->entity, problems);
    } else if (key == "validator") {
      ReadJsonString(value, key, &def->validator, problems);
    } else if (key == "token") {
      ReadTokenSpec(value, &def->token, problems);
    } else if (key == "compile_as") {
      std::string how;
      if (ReadJsonString(value, key, &how, problems)) {
        if (how == "prefilter") {
          def->flags |= kFlagPrefilter;
        } else if (!how.empty()) {
          problems->push_back(StrCat("unknown compile_as '", how, "'"));
        }
      }
    }
    // Unknown fields are ignored on purpose: newer files load in older versions.
  }
  if (def->id.empty()) {
    problems->push_back("missing 'id'");
  } else if (def->id.size() > kMaxIdBytes) {
    problems->push_back(StrCat("'id' is longer than ", kMaxIdBytes, " bytes"));
  } else {
    for (char c : def->id) {
      if (!IsIdChar(c)) {
        problems->push_back("'id' may contain only letters, digits and . _ : / -");
        break;
      }
    }
  }
  if (logic.composite() && (has_regex || has_literal)) {
    problems->push_back("a rule with 'patterns' has no 'regex' or 'literal' of its own");
  } else if (logic.composite()) {
    // Its patterns are checked below, with the rest of its logic.
  } else if (has_regex && has_literal) {
    problems->push_back("has both 'regex' and 'literal'");
  } else if (!has_regex && !has_literal) {
    problems->push_back("needs 'regex' or 'literal' (or 'patterns')");
  } else if (has_literal) {
    def->kind = PatternKind::kLiteral;
    auto bytes = DecodeLiteral(literal_text);
    if (bytes.ok()) {
      def->expression = *std::move(bytes);
    } else {
      problems->push_back(std::string(bytes.status().message()));
    }
  }
  if ((has_regex || has_literal) && def->expression.empty() && problems->empty()) {
    problems->push_back("empty pattern");
  }
  if (has_logic) {
    for (std::string& problem : CheckRuleLogic(logic)) problems->push_back(std::move(problem));
    def->logic = std::make_shared<const RuleLogic>(std::move(logic));
  }
  if (def->category.empty()) def->category = "uncategorized";
  if (def->chains.empty()) def->chains.emplace_back(kDefaultChain);
}

// Adds one parsed element; `element_offset` is where it starts in the file.
void AddElement(json::Value element, int64_t index, int64_t element_offset,
                std::string_view file, RuleSet* set) {
  json::Object object;
  if (element.Get(&object) != json::Error::kOk) {
    set->issues.push_back({std::string(file), index, "", element_offset,
                           "definition is not a JSON object"});
    return;
  }
  Definition def;
  def.source = std::string(file);
  def.file_index = index;
  def.file_offset = element_offset;
  std::vector<std::string> problems;
  ReadDefinition(object, &def, &problems);
  if (!problems.empty()) {
    set->issues.push_back(
        {std::string(file), index, def.id, element_offset, StrJoin(problems, "; ")});
    return;
  }
  set->definitions.push_back(std::move(def));
}

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && absl::ascii_isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// Moves each definition from index `first` on whose reason is not empty to the issues.
// Everything that allocates happens before anything moves, so a failure (out of memory)
// leaves `set` as it was.
void DropDefinitions(RuleSet* set, size_t first, const std::vector<std::string>& reasons) {
  std::vector<LoadIssue> dropped;
  for (size_t i = first; i < set->definitions.size(); ++i) {
    const std::string& reason = reasons[i - first];
    if (reason.empty()) continue;
    const Definition& def = set->definitions[i];
    dropped.push_back({def.source, def.file_index, def.id, def.file_offset, reason});
  }
  if (dropped.empty()) return;
  std::vector<Definition> kept;
  kept.reserve(set->definitions.size() - dropped.size());
  set->issues.reserve(set->issues.size() + dropped.size());
  // Moves only from here on: nothing can fail.
  for (size_t i = 0; i < set->definitions.size(); ++i) {
    if (i < first || reasons[i - first].empty()) kept.push_back(std::move(set->definitions[i]));
  }
  set->definitions = std::move(kept);
  for (LoadIssue& issue : dropped) set->issues.push_back(std::move(issue));
}

// A repeated id is an issue of every definition after the first, from index `first` on
// (the definitions before it were checked already).
void CheckDuplicateIds(RuleSet* set, size_t first = 0) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(set->definitions.size());
  std::vector<std::string> reasons(set->definitions.size() - first);
  for (size_t i = 0; i < set->definitions.size(); ++i) {
    if (!seen.insert(set->definitions[i].id).second && i >= first) reasons[i - first] = "duplicate id";
  }
  DropDefinitions(set, first, reasons);
}

}  // namespace

std::string LoadIssue::ToString() const {
  std::string out = file;
  if (line >= 0) StrAppend(&out, ":", line);
  if (index >= 0) StrAppend(&out, ": definition ", index);
  if (!id.empty()) StrAppend(&out, " (", id, ")");
  if (offset >= 0) StrAppend(&out, " at byte ", offset);
  StrAppend(&out, out.empty() ? "" : ": ", reason);
  return out;
}

std::string ImportAccount::ToString() const {
  std::string out = StrCat(file, ": ", format, ": ", rules, " rules: ", exact, " imported exactly, ",
                           approximated, " imported with approximations, ", rejected, " rejected");
  if (!note.empty()) StrAppend(&out, " (", note, ")");
  return out;
}

absl::Status LoadIssue::ToStatus() const {
  return WithLocation(CodedError(ErrorCode::kParse, ToString()), {index, offset});
}

// Merge and Add decide everything in `other` (which may fail, out of memory) before they
// move it over (which cannot), so a failure leaves *this as it was.

void RuleSet::TakeDuplicates(RuleSet* other, bool rename) const {
  // Ids already here, then the new ones in order: a repeat is the later definition's issue,
  // or with `rename` it is kept as "<id>/<n>" and noted.
  std::unordered_set<std::string> seen;
  seen.reserve(definitions.size() + other->definitions.size());
  for (const Definition& def : definitions) seen.insert(def.id);
  std::vector<std::string> reasons(other->definitions.size());
  std::vector<std::pair<size_t, std::string>> renames;
  for (size_t i = 0; i < other->definitions.size(); ++i) {
    const Definition& def = other->definitions[i];
    if (seen.insert(def.id).second) continue;
    if (!rename) {
      reasons[i] = "duplicate id";
      continue;
    }
    std::string renamed;
    for (int n = 2; !seen.insert(renamed = StrCat(def.id, "/", n)).second; ++n) {
    }
    other->notes.push_back({def.source, def.file_index, def.id, def.file_offset,
                            StrCat("the id repeats an earlier rule's; kept as ", renamed)});
    renames.emplace_back(i, std::move(renamed));
  }
  for (auto& [i, id] : renames) other->definitions[i].id = std::move(id);
  DropDefinitions(other, 0, reasons);
}

void RuleSet::Append(RuleSet other) {
  definitions.reserve(definitions.size() + other.definitions.size());
  issues.reserve(issues.size() + other.issues.size());
  accounts.reserve(accounts.size() + other.accounts.size());
  notes.reserve(notes.size() + other.notes.size());
  indicator_feeds.reserve(indicator_feeds.size() + other.indicator_feeds.size());
  for (Definition& def : other.definitions) definitions.push_back(std::move(def));
  for (LoadIssue& issue : other.issues) issues.push_back(std::move(issue));
  for (ImportAccount& account : other.accounts) accounts.push_back(std::move(account));
  for (LoadIssue& note : other.notes) notes.push_back(std::move(note));
  for (FeedLoad& feed : other.indicator_feeds) indicator_feeds.push_back(std::move(feed));
}

void RuleSet::Merge(RuleSet other, bool rename_duplicates) {
  TakeDuplicates(&other, rename_duplicates);
  Append(std::move(other));
}

void RuleSet::Check(DefinitionCheck check, size_t first) {
  std::vector<std::string> reasons(definitions.size() - first);
  for (size_t i = first; i < definitions.size(); ++i) {
    if (absl::Status status = check(definitions[i]); !status.ok()) {
      reasons[i - first] = std::string(status.message());
    }
  }
  DropDefinitions(this, first, reasons);
}

absl::Status RuleSet::Add(RuleSet other, DefinitionCheck check, bool rename_duplicates) {
  other.Check(check);
  TakeDuplicates(&other, rename_duplicates);
  absl::Status first = other.issues.empty() ? absl::OkStatus() : other.issues.front().ToStatus();
  Append(std::move(other));
  return first;
}

absl::StatusOr<RuleSet> ParseDefinitions(std::string_view text, std::string_view file) {
  RuleSet set;
  json::Parser parser;
  const std::string_view body = TrimLeft(text);
  if (body.empty()) return set;
  if (body.front() == '[') {
    json::Value root;
    json::Array elements;
    json::Error error = parser.Parse(text, &root);
    if (error == json::Error::kOk) error = root.Get(&elements);
    if (error != json::Error::kOk) {
      return CodedError(ErrorCode::kParse,
                        StrCat(file, ": invalid JSON", json::ArrayErrorPlace(text, error)));
    }
    const std::vector<int64_t> offsets = json::ArrayObjectOffsets(text);
    int64_t index = 0;
    for (json::Value element : elements) {
      const int64_t offset =
          static_cast<size_t>(index) < offsets.size() ? offsets[static_cast<size_t>(index)] : -1;
      AddElement(element, index, offset, file, &set);
      ++index;
    }
  } else {
    // NDJSON: each line stands alone, so one bad line never hides the others.
    int64_t index = 0;
    size_t line_start = 0;
    while (line_start < text.size()) {
      size_t line_end = text.find('\n', line_start);
      if (line_end == std::string_view::npos) line_end = text.size();
      const std::string_view line = text.substr(line_start, line_end - line_start);
      if (!TrimLeft(line).empty()) {
        json::Value element;
        if (const json::Error error = parser.Parse(line, &element); error != json::Error::kOk) {
          set.issues.push_back({std::string(file), index, "", static_cast<int64_t>(line_start),
                                StrCat("invalid JSON: ", json::ErrorMessage(error))});
        } else {
          AddElement(element, index, static_cast<int64_t>(line_start), file, &set);
        }
        ++index;
      }
      line_start = line_end + 1;
    }
  }
  CheckDuplicateIds(&set);
  return set;
}

RuleSet RuleSetFromFeed(FeedLoad feed) {
  RuleSet set;
  for (const FeedIssue& issue : feed.issues) {
    if (issue.duplicate) continue;
    set.issues.push_back({feed.file, static_cast<int64_t>(issue.line), issue.value, -1,
                          StrCat("line ", issue.line, ": ", issue.reason)});
  }
  set.indicator_feeds.push_back(std::move(feed));
  return set;
}

absl::StatusOr<RuleSet> LoadIndicatorPack(std::string_view text, const std::string& path) {
  auto feed = ParseFeed(text, path, FeedOptions{});
  if (!feed.ok()) return feed.status();
  feed->file = path;
  return RuleSetFromFeed(*std::move(feed));
}

absl::StatusOr<RuleSet> LoadRuleFile(const std::string& path) {
  auto text = ReadMaybeCompressedFile(path);
  if (!text.ok()) return text.status();
  std::string_view name = path;
  if (EndsWith(name, ".gz") || EndsWith(name, ".xz")) name.remove_suffix(3);
  if (IsIndicatorPack(*text)) return LoadIndicatorPack(*text, path);
  if (EndsWith(name, ".tsv")) return ParseCorpusTsv(*text, path);
  return ParseDefinitions(*text, path);
}

absl::StatusOr<std::string> DecodeLiteral(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      out.push_back('\\');
      ++i;
      continue;
    }
    int value = 0;
    if (i + 3 < text.size() && text[i + 1] == 'x' &&
        absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 2])) &&
        absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 3]))) {
      for (int k = 2; k <= 3; ++k) {
        const char c = absl::ascii_tolower(static_cast<unsigned char>(text[i + k]));
        value = value * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
      }
      out.push_back(static_cast<char>(value));
      i += 3;
      continue;
    }
    return absl::InvalidArgumentError(
        StrCat("bad escape in literal at character ", i, " (use \\xNN or \\\\)"));
  }
  return out;
}

std::string EncodeLiteral(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace trawl
