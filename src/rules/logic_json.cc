// File: logic_json.cc
#include "rules/logic_json.h"

#include <cmath>

#include "json/json.h"
#include "rules/internal/logic_json_reader.h"
#include "rules/loader.h"
#include "util/strings.h"

namespace trawl {
namespace {

using element = json::Value;
using internal::ReadJsonFlags;

constexpr std::string_view kLogicFields[] = {
    "patterns", "condition", "scope",  "report", "secret_group", "span",
    "min_entropy", "entropy_strict", "allow", "paths", "required_keywords"};

bool ReadInt(element value, std::string_view field, int64_t* out,
             std::vector<std::string>* problems) {
  if (value.Get(out) != json::Error::kOk) {
    problems->push_back(StrCat("'", field, "' must be an integer"));
    return false;
  }
  return true;
}

bool ReadBool(element value, std::string_view field, bool* out,
              std::vector<std::string>* problems) {
  if (value.Get(out) != json::Error::kOk) {
    problems->push_back(StrCat("'", field, "' must be true or false"));
    return false;
  }
  return true;
}

void ReadPattern(element value, size_t index, RulePattern* p,
                 std::vector<std::string>* problems) {
  json::Object object;
  const std::string where = StrCat("patterns[", index, "]");
  if (value.Get(&object) != json::Error::kOk) {
    problems->push_back(StrCat(where, " must be an object"));
    return;
  }
  bool has_regex = false, has_literal = false;
  std::string literal_text;
  std::vector<std::string> local;
  for (auto [key, item] : object) {
    if (key == "name") {
      internal::ReadJsonString(item, "name", &p->name, &local);
    } else if (key == "regex") {
      has_regex = internal::ReadJsonString(item, "regex", &p->expression, &local);
    } else if (key == "literal") {
      has_literal = internal::ReadJsonString(item, "literal", &literal_text, &local);
    } else if (key == "flags") {
      ReadJsonFlags(item, "flags", &p->flags, &local);
    } else if (key == "offset") {
      ReadInt(item, "offset", &p->offset, &local);
    } else if (key == "depth") {
      ReadInt(item, "depth", &p->depth, &local);
    } else if (key == "distance") {
      ReadInt(item, "distance", &p->distance, &local);
    } else if (key == "within") {
      ReadInt(item, "within", &p->within, &local);
    } else if (key == "relative") {
      ReadBool(item, "relative", &p->relative, &local);
    } else if (key == "negated") {
      ReadBool(item, "negated", &p->negated, &local);
    } else if (key == "fast") {
      ReadBool(item, "fast", &p->fast, &local);
    } else if (key == "chain") {
      internal::ReadJsonString(item, "chain", &p->chain, &local);
    } else {
      local.push_back(StrCat("unknown field '", key, "'"));
    }
  }
  if (has_regex == has_literal) {
    local.push_back("needs exactly one of 'regex' and 'literal'");
  } else if (has_literal) {
    p->kind = PatternKind::kLiteral;
    auto bytes = DecodeLiteral(literal_text);
    if (bytes.ok()) {
      p->expression = *std::move(bytes);
    } else {
      local.emplace_back(bytes.status().message());
    }
  } else {
    p->kind = PatternKind::kRegex;
  }
  for (std::string& problem : local) problems->push_back(StrCat(where, ": ", problem));
}

void ReadScope(element value, Scope* scope, std::vector<std::string>* problems) {
  std::string_view name;
  if (value.Get(&name) == json::Error::kOk) {
    if (name == "component") return;
    if (name == "line") {
      scope->kind = ScopeKind::kLine;
      return;
    }
    problems->push_back("'scope' must be \"component\", \"line\" or {\"kind\": ..., \"n\": N}");
    return;
  }
  json::Object object;
  if (value.Get(&object) != json::Error::kOk) {
    problems->push_back("'scope' must be a string or an object");
    return;
  }
  std::string kind;
  int64_t n = 0;
  for (auto [key, item] : object) {
    if (key == "kind") {
      internal::ReadJsonString(item, "scope.kind", &kind, problems);
    } else if (key == "n") {
      ReadInt(item, "scope.n", &n, problems);
    } else {
      problems->push_back(StrCat("unknown field 'scope.", key, "'"));
    }
  }
  if (n < 0 || n > (1 << 30)) problems->push_back("'scope.n' must be in [0, 2^30]");
  scope->n = static_cast<uint32_t>(std::max<int64_t>(0, std::min<int64_t>(n, 1 << 30)));
  if (kind == "component") scope->kind = ScopeKind::kComponent;
  else if (kind == "bytes") scope->kind = ScopeKind::kBytes;
  else if (kind == "line") scope->kind = ScopeKind::kLine;
  else if (kind == "lines") scope->kind = ScopeKind::kLines;
  else problems->push_back("'scope.kind' must be component, bytes, line or lines");
}

void ReadAllow(element value, size_t index, AllowList* allow, std::vector<std::string>* problems) {
  json::Object object;
  const std::string where = StrCat("allow[", index, "]");
  if (value.Get(&object) != json::Error::kOk) {
    problems->push_back(StrCat(where, " must be an object"));
    return;
  }
  std::vector<std::string> local;
  for (auto [key, item] : object) {
    if (key == "description") {
      internal::ReadJsonString(item, "description", &allow->description, &local);
    } else if (key == "regexes") {
      internal::ReadJsonStrings(item, "regexes", &allow->regexes, &local);
    } else if (key == "target") {
      std::string target;
      if (internal::ReadJsonString(item, "target", &target, &local)) {
        if (target == "secret") allow->target = AllowTarget::kSecret;
        else if (target == "match") allow->target = AllowTarget::kMatch;
        else if (target == "line") allow->target = AllowTarget::kLine;
        else local.push_back("'target' must be secret, match or line");
      }
    } else if (key == "stopwords") {
      internal::ReadJsonStrings(item, "stopwords", &allow->stopwords, &local);
    } else if (key == "paths") {
      internal::ReadJsonStrings(item, "paths", &allow->paths, &local);
    } else if (key == "path_globs") {
      internal::ReadJsonStrings(item, "path_globs", &allow->path_globs, &local);
    } else if (key == "condition") {
      std::string condition;
      if (internal::ReadJsonString(item, "condition", &condition, &local)) {
        if (condition == "and") allow->require_all = true;
        else if (condition != "or") local.push_back("'condition' must be and or or");
      }
    } else {
      local.push_back(StrCat("unknown field '", key, "'"));
    }
  }
  for (std::string& problem : local) problems->push_back(StrCat(where, ": ", problem));
}

std::string_view ScopeKindName(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kComponent: return "component";
    case ScopeKind::kBytes: return "bytes";
    case ScopeKind::kLine: return "line";
    case ScopeKind::kLines: return "lines";
  }
  return "component";
}

std::string_view AllowTargetName(AllowTarget target) {
  switch (target) {
    case AllowTarget::kSecret: return "secret";
    case AllowTarget::kMatch: return "match";
    case AllowTarget::kLine: return "line";
  }
  return "secret";
}

void WritePatternText(PatternKind kind, std::string_view expression, JsonWriter& w) {
  if (kind == PatternKind::kLiteral) {
    w.Field("literal", EncodeLiteral(expression));
  } else {
    w.Field("regex", expression);
  }
}

void WriteLogic(const RuleLogic& logic, JsonWriter& w) {
  if (logic.composite()) {
    w.Key("patterns").BeginArray();
    for (const RulePattern& p : logic.patterns) {
      w.BeginObject().Field("name", p.name);
      WritePatternText(p.kind, p.expression, w);
      if (p.flags) w.Field("flags", FlagNames(p.flags));
      if (p.offset != kUnsetPlacement) w.Field("offset", p.offset);
      if (p.depth != kUnsetPlacement) w.Field("depth", p.depth);
      if (p.distance != kUnsetPlacement) w.Field("distance", p.distance);
      if (p.within != kUnsetPlacement) w.Field("within", p.within);
      if (p.relative) w.Field("relative", true);
      if (p.negated) w.Field("negated", true);
      if (p.fast) w.Field("fast", true);
      if (!p.chain.empty()) w.Field("chain", p.chain);
      w.EndObject();
    }
    w.EndArray();
    if (!logic.condition.empty()) w.Field("condition", logic.condition);
    if (logic.scope.kind != ScopeKind::kComponent) {
      w.Key("scope").BeginObject().Field("kind", ScopeKindName(logic.scope.kind));
      w.Field("n", static_cast<uint64_t>(logic.scope.n)).EndObject();
    }
    if (!logic.report.empty()) w.Field("report", logic.report);
  }
  if (logic.secret_group >= 0) w.Field("secret_group", static_cast<int64_t>(logic.secret_group));
  if (logic.span_is_secret) w.Field("span", "secret");
  if (logic.has_entropy) {
    w.Field("min_entropy", logic.min_entropy);
    if (logic.entropy_strict) w.Field("entropy_strict", true);
  }
  if (!logic.allow.empty()) {
    w.Key("allow").BeginArray();
    for (const AllowList& a : logic.allow) {
      w.BeginObject();
      if (!a.description.empty()) w.Field("description", a.description);
      if (!a.regexes.empty()) {
        w.Field("regexes", a.regexes).Field("target", AllowTargetName(a.target));
      }
      if (!a.stopwords.empty()) w.Field("stopwords", a.stopwords);
      if (!a.paths.empty()) w.Field("paths", a.paths);
      if (!a.path_globs.empty()) w.Field("path_globs", a.path_globs);
      if (a.require_all) w.Field("condition", "and");
      w.EndObject();
    }
    w.EndArray();
  }
  if (!logic.paths.empty()) w.Field("paths", logic.paths);
  if (!logic.required_keywords.empty()) w.Field("required_keywords", logic.required_keywords);
}

}  // namespace

namespace internal {

bool ReadJsonString(element value, std::string_view field, std::string* out,
                    std::vector<std::string>* problems) {
  std::string_view s;
  if (value.Get(&s) != json::Error::kOk) {
    problems->push_back(StrCat("'", field, "' must be a string"));
    return false;
  }
  *out = std::string(s);
  return true;
}

bool ReadJsonStrings(element value, std::string_view field, std::vector<std::string>* out,
                     std::vector<std::string>* problems) {
  json::Array array;
  if (value.Get(&array) != json::Error::kOk) {
    problems->push_back(StrCat("'", field, "' must be an array of strings"));
    return false;
  }
  for (element item : array) {
    std::string_view s;
    if (item.Get(&s) != json::Error::kOk) {
      problems->push_back(StrCat("'", field, "' must contain only strings"));
      return false;
    }
    out->emplace_back(s);
  }
  return true;
}

void ReadJsonFlags(element value, std::string_view field, uint32_t* flags,
                   std::vector<std::string>* problems) {
  std::vector<std::string> names;
  if (!ReadJsonStrings(value, field, &names, problems)) return;
  for (const auto& name : names) {
    if (auto flag = ParseFlagName(name)) {
      *flags |= *flag;
    } else {
      problems->push_back(StrCat("unknown flag '", name, "'"));
    }
  }
}

void ReadLogicField(std::string_view key, element value, RuleLogic* logic,
                    std::vector<std::string>* problems) {
  if (key == "patterns") {
    json::Array array;
    if (value.Get(&array) != json::Error::kOk) {
      problems->push_back("'patterns' must be an array of objects");
      return;
    }
    size_t index = 0;
    for (element item : array) {
      logic->patterns.emplace_back();
      ReadPattern(item, index++, &logic->patterns.back(), problems);
    }
    if (logic->patterns.empty()) problems->push_back("'patterns' is empty");
  } else if (key == "condition") {
    internal::ReadJsonString(value, key, &logic->condition, problems);
    if (logic->condition.empty()) problems->push_back("'condition' is empty");
  } else if (key == "scope") {
    ReadScope(value, &logic->scope, problems);
  } else if (key == "report") {
    internal::ReadJsonString(value, key, &logic->report, problems);
  } else if (key == "secret_group") {
    int64_t group = 0;
    if (ReadInt(value, key, &group, problems)) {
      if (group < 0 || group > 1000) {
        problems->push_back("'secret_group' must be in [0, 1000]");
      } else {
        logic->secret_group = static_cast<int32_t>(group);
      }
    }
  } else if (key == "span") {
    std::string span;
    if (internal::ReadJsonString(value, key, &span, problems)) {
      if (span == "secret") logic->span_is_secret = true;
      else if (span != "match") problems->push_back("'span' must be match or secret");
    }
  } else if (key == "min_entropy") {
    double floor = 0;
    if (value.Get(&floor) != json::Error::kOk || !std::isfinite(floor)) {
      problems->push_back("'min_entropy' must be a number");
    } else {
      logic->has_entropy = true;
      logic->min_entropy = floor;
    }
  } else if (key == "entropy_strict") {
    ReadBool(value, key, &logic->entropy_strict, problems);
  } else if (key == "allow") {
    json::Array array;
    if (value.Get(&array) != json::Error::kOk) {
      problems->push_back("'allow' must be an array of objects");
      return;
    }
    size_t index = 0;
    for (element item : array) {
      logic->allow.emplace_back();
      ReadAllow(item, index++, &logic->allow.back(), problems);
    }
  } else if (key == "paths") {
    internal::ReadJsonStrings(value, key, &logic->paths, problems);
  } else if (key == "required_keywords") {
    internal::ReadJsonStrings(value, key, &logic->required_keywords, problems);
  }
}

}  // namespace internal

bool IsLogicField(std::string_view key) {
  for (std::string_view field : kLogicFields) {
    if (key == field) return true;
  }
  return false;
}

void WriteDefinitionJson(const Definition& def, JsonWriter& w) {
  w.BeginObject().Field("id", def.id);
  if (!def.composite()) WritePatternText(def.kind, def.expression, w);
  if (def.flags) w.Field("flags", FlagNames(def.flags));
  w.Field("category", def.category).Field("severity", SeverityName(def.severity));
  w.Field("confidence", def.confidence);
  if (!def.description.empty()) w.Field("description", def.description);
  if (!def.references.empty()) w.Field("references", def.references);
  if (!def.tags.empty()) w.Field("tags", def.tags);
  if (!(def.chains.size() == 1 && def.chains[0] == kDefaultChain)) w.Field("chains", def.chains);
  if (!def.keywords.empty()) w.Field("keywords", def.keywords);
  if (!def.examples.empty()) w.Field("examples", def.examples);
  if (!def.negative_examples.empty()) w.Field("negative_examples", def.negative_examples);
  if (!def.entity.empty()) w.Field("entity", def.entity);
  if (!def.validator.empty()) w.Field("validator", def.validator);
  if (!def.token.empty()) {
    w.Key("token").BeginObject().Field("shape", def.token.shape);
    if (!def.token.lengths.empty()) {
      w.Key("lengths").BeginArray();
      for (uint32_t n : def.token.lengths) w.Uint(n);
      w.EndArray();
    }
    if (!def.token.separators.empty()) w.Field("separators", def.token.separators);
    if (!def.token.prefixes.empty()) w.Field("prefixes", def.token.prefixes);
    w.EndObject();
  }
  if (def.logic) WriteLogic(*def.logic, w);
  w.EndObject();
}

std::string DefinitionsToJson(const std::vector<Definition>& definitions) {
  std::string out = "[\n";
  for (size_t i = 0; i < definitions.size(); ++i) {
    JsonWriter w;
    WriteDefinitionJson(definitions[i], w);
    out += w.str();
    out += i + 1 < definitions.size() ? ",\n" : "\n";
  }
  out += "]\n";
  return out;
}

}  // namespace trawl
