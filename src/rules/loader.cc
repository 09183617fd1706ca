// File: loader.cc
// JSON and NDJSON definition loading with simdjson (DOM for content; an on-demand pass
// only to learn where each array element starts, for error messages).
#include "rules/loader.h"

#include <simdjson.h>

#include <cmath>
#include <unordered_set>

#include "absl/strings/ascii.h"
#include "util/strings.h"
#include "rules/tsv_importer.h"
#include "util/file.h"

namespace trawl {
namespace {

constexpr size_t kMaxIdBytes = 256;

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
         c == ':' || c == '/' || c == '-';
}

absl::StatusOr<uint32_t> FlagFromName(std::string_view name) {
  if (name == "caseless" || name == "i") return kFlagCaseless;
  if (name == "dotall" || name == "s") return kFlagDotAll;
  if (name == "multiline" || name == "m") return kFlagMultiline;
  if (name == "utf8" || name == "u") return kFlagUtf8;
  if (name == "prefilter") return kFlagPrefilter;
  return absl::InvalidArgumentError(StrCat("unknown flag '", name, "'"));
}

// Reads an array of strings; appends a problem and returns false on a type mismatch.
bool ReadStringArray(simdjson::dom::element value, std::string_view field,
                     std::vector<std::string>* out, std::vector<std::string>* problems) {
  simdjson::dom::array array;
  if (value.get_array().get(array)) {
    problems->push_back(StrCat("'", field, "' must be an array of strings"));
    return false;
  }
  for (simdjson::dom::element item : array) {
    std::string_view s;
    if (item.get_string().get(s)) {
      problems->push_back(StrCat("'", field, "' must contain only strings"));
      return false;
    }
    out->emplace_back(s);
  }
  return true;
}

bool ReadString(simdjson::dom::element value, std::string_view field, std::string* out,
                std::vector<std::string>* problems) {
  std::string_view s;
  if (value.get_string().get(s)) {
    problems->push_back(StrCat("'", field, "' must be a string"));
    return false;
  }
  *out = std::string(s);
  return true;
}

// Reads a rule's "token" object ({"shape": ..., "lengths": [...], "separators": "...",
// "prefixes": [...]}); whether the shape and its parameters make sense is for the token
// stage to say (tokens/token_rules.h), as validators are for entities/.
void ReadTokenSpec(simdjson::dom::element value, TokenSpec* spec,
                   std::vector<std::string>* problems) {
  simdjson::dom::object object;
  if (value.get_object().get(object)) {
    problems->push_back("'token' must be an object");
    return;
  }
  for (auto [key, item] : object) {
    if (key == "shape") {
      ReadString(item, "token.shape", &spec->shape, problems);
    } else if (key == "separators") {
      ReadString(item, "token.separators", &spec->separators, problems);
    } else if (key == "prefixes") {
      ReadStringArray(item, "token.prefixes", &spec->prefixes, problems);
    } else if (key == "lengths") {
      simdjson::dom::array array;
      if (item.get_array().get(array)) {
        problems->push_back("'token.lengths' must be an array of integers");
        continue;
      }
      for (simdjson::dom::element length : array) {
        uint64_t n = 0;
        if (length.get_uint64().get(n) || n == 0 || n > 4096) {
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
void ReadDefinition(simdjson::dom::object object, Definition* def,
                    std::vector<std::string>* problems) {
  bool has_regex = false;
  bool has_literal = false;
  std::string literal_text;
  for (auto [key, value] : object) {
    if (key == "id") {
      ReadString(value, key, &def->id, problems);
    } else if (key == "regex") {
      has_regex = ReadString(value, key, &def->expression, problems);
      def->kind = PatternKind::kRegex;
    } else if (key == "literal") {
      has_literal = ReadString(value, key, &literal_text, problems);
    } else if (key == "flags") {
      std::vector<std::string> names;
      if (ReadStringArray(value, key, &names, problems)) {
        for (const auto& name : names) {
          auto flag = FlagFromName(name);
          if (flag.ok()) {
            def->flags |= *flag;
          } else {
            problems->push_back(std::string(flag.status().message()));
          }
        }
      }
    } else if (key == "category") {
      ReadString(value, key, &def->category, problems);
    } else if (key == "severity") {
      std::string name;
      if (ReadString(value, key, &name, problems)) {
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
      if (value.get_double().get(confidence) || !std::isfinite(confidence) || confidence < 0 ||
          confidence > 1) {
        problems->push_back("'confidence' must be a number in [0, 1]");
      } else {
        def->confidence = confidence;
      }
    } else if (key == "description") {
      ReadString(value, key, &def->description, problems);
    } else if (key == "tags") {
      ReadStringArray(value, key, &def->tags, problems);
    } else if (key == "chains") {
      ReadStringArray(value, key, &def->chains, problems);
    } else if (key == "keywords") {
      ReadStringArray(value, key, &def->keywords, problems);
    } else if (key == "examples") {
      ReadStringArray(value, key, &def->examples, problems);
    } else if (key == "negative_examples") {
      ReadStringArray(value, key, &def->negative_examples, problems);
    } else if (key == "entity") {
      ReadString(value, key, &def->entity, problems);
    } else if (key == "validator") {
      ReadString(value, key, &def->validator, problems);
    } else if (key == "token") {
      ReadTokenSpec(value, &def->token, problems);
    } else if (key == "compile_as") {
      std::string how;
      if (ReadString(value, key, &how, problems)) {
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
  if (has_regex && has_literal) {
    problems->push_back("has both 'regex' and 'literal'");
  } else if (!has_regex && !has_literal) {
    problems->push_back("needs 'regex' or 'literal'");
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
  if (def->category.empty()) def->category = "uncategorized";
  if (def->chains.empty()) def->chains.emplace_back(kDefaultChain);
}

// Adds one parsed element; `element_offset` is where it starts in the file.
void AddElement(simdjson::dom::element element, int64_t index, int64_t element_offset,
                std::string_view file, RuleSet* set) {
  simdjson::dom::object object;
  if (element.get_object().get(object)) {
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

// Byte offsets where each element of a top-level array starts. Best effort: stops at the
// first element that is not an object, leaving the remaining offsets unknown.
std::vector<int64_t> ArrayElementOffsets(const simdjson::padded_string& padded) {
  std::vector<int64_t> offsets;
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return offsets;
  simdjson::ondemand::array array;
  if (doc.get_array().get(array)) return offsets;
  for (auto element : array) {
    simdjson::ondemand::object object;
    std::string_view raw;
    if (element.get_object().get(object) || object.raw_json().get(raw)) break;
    offsets.push_back(raw.data() - padded.data());
  }
  return offsets;
}

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && absl::ascii_isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

void CheckDuplicateIds(RuleSet* set, size_t first_new = 0) {
  std::unordered_set<std::string> seen;
  std::vector<Definition> kept;
  kept.reserve(set->definitions.size());
  for (size_t i = 0; i < set->definitions.size(); ++i) {
    Definition& def = set->definitions[i];
    if (!seen.insert(def.id).second && i >= first_new) {
      set->issues.push_back({def.source, def.file_index, def.id, def.file_offset, "duplicate id"});
      continue;
    }
    kept.push_back(std::move(def));
  }
  set->definitions = std::move(kept);
}

}  // namespace

std::string LoadIssue::ToString() const {
  std::string out = file;
  if (index >= 0) StrAppend(&out, ": definition ", index);
  if (!id.empty()) StrAppend(&out, " (", id, ")");
  if (offset >= 0) StrAppend(&out, " at byte ", offset);
  StrAppend(&out, ": ", reason);
  return out;
}

void RuleSet::Merge(RuleSet other) {
  const size_t first_new = definitions.size();
  for (auto& def : other.definitions) definitions.push_back(std::move(def));
  for (auto& issue : other.issues) issues.push_back(std::move(issue));
  for (auto& feed : other.indicator_feeds) indicator_feeds.push_back(std::move(feed));
  CheckDuplicateIds(this, first_new);
}

absl::StatusOr<RuleSet> ParseDefinitions(std::string_view json, std::string_view file) {
  RuleSet set;
  simdjson::dom::parser parser;
  const std::string_view body = TrimLeft(json);
  if (body.empty()) return set;
  if (body.front() == '[') {
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    if (auto error = parser.parse(padded).get(root)) {
      return absl::InvalidArgumentError(
          StrCat(file, ": invalid JSON: ", simdjson::error_message(error)));
    }
    const std::vector<int64_t> offsets = ArrayElementOffsets(padded);
    int64_t index = 0;
    for (simdjson::dom::element element : root.get_array()) {
      const int64_t offset =
          static_cast<size_t>(index) < offsets.size() ? offsets[static_cast<size_t>(index)] : -1;
      AddElement(element, index, offset, file, &set);
      ++index;
    }
  } else {
    // NDJSON: each line stands alone, so one bad line never hides the others.
    int64_t index = 0;
    size_t line_start = 0;
    while (line_start < json.size()) {
      size_t line_end = json.find('\n', line_start);
      if (line_end == std::string_view::npos) line_end = json.size();
      const std::string_view line = json.substr(line_start, line_end - line_start);
      if (!TrimLeft(line).empty()) {
        simdjson::dom::element element;
        if (auto error = parser.parse(line.data(), line.size(), true).get(element)) {
          set.issues.push_back({std::string(file), index, "", static_cast<int64_t>(line_start),
                                StrCat("invalid JSON: ", simdjson::error_message(error))});
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

absl::StatusOr<RuleSet> LoadRuleFile(const std::string& path) {
  auto text = ReadMaybeCompressedFile(path);
  if (!text.ok()) return text.status();
  std::string_view name = path;
  if (EndsWith(name, ".gz") || EndsWith(name, ".xz")) name.remove_suffix(3);
  if (IsIndicatorPack(*text)) {
    // An indicator pack goes to the database's indicator set, not to the engine.
    auto feed = ParseFeed(*text, path, FeedOptions{});
    if (!feed.ok()) return feed.status();
    feed->file = path;
    return RuleSetFromFeed(*std::move(feed));
  }
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
