// File: gitleaks_toml.cc
// gitleaks configuration (gitleaks.toml) to trawl rules. The only user of toml++.
//
// gitleaks semantics (../shared/corpus/sources/README.md, gitleaks' config docs):
//   regex (Go RE2: a dialect PCRE2 reads the same way for leftmost-first matching),
//   secretGroup (default: the first group that took part), entropy (the secret's Shannon
//   entropy must be strictly greater), keywords (the rule runs only on text containing
//   one, case ignored), path (the rule applies only to matching paths), allowlists per
//   rule and global (regexes against the secret, match or line; stopwords in the secret;
//   paths; condition OR/AND), a "gitleaks:allow" comment on the line.
#include <toml++/toml.h>

#include <sstream>

#include "rules/importers/import_builder.h"
#include "util/strings.h"

namespace trawl::importers {
namespace {

int64_t LineOfNode(const toml::node& node) {
  return static_cast<int64_t>(node.source().begin.line);
}

// Reads an array of strings; false (with `problem` set) when the value is not one.
bool Strings(const toml::node_view<const toml::node>& view, std::vector<std::string>* out,
             std::string_view field, std::string* problem) {
  if (!view) return true;
  const toml::array* array = view.as_array();
  if (array == nullptr) {
    *problem = StrCat("'", field, "' must be an array of strings");
    return false;
  }
  for (const toml::node& item : *array) {
    const std::optional<std::string> s = item.value<std::string>();
    if (!s) {
      *problem = StrCat("'", field, "' must contain only strings");
      return false;
    }
    out->push_back(*s);
  }
  return true;
}

bool String(const toml::node_view<const toml::node>& view, std::string* out, std::string_view field,
            std::string* problem) {
  if (!view) return true;
  const std::optional<std::string> s = view.value<std::string>();
  if (!s) {
    *problem = StrCat("'", field, "' must be a string");
    return false;
  }
  *out = *s;
  return true;
}

// One gitleaks allowlist table. `approximations` collects what trawl cannot honour.
bool ReadAllowList(const toml::table& table, AllowList* allow,
                   std::vector<std::string>* approximations, std::string* problem) {
  std::string target, condition;
  if (!String(table["description"], &allow->description, "description", problem) ||
      !Strings(table["regexes"], &allow->regexes, "regexes", problem) ||
      !Strings(table["stopwords"], &allow->stopwords, "stopwords", problem) ||
      !Strings(table["paths"], &allow->paths, "paths", problem) ||
      !String(table["regexTarget"], &target, "regexTarget", problem) ||
      !String(table["condition"], &condition, "condition", problem)) {
    return false;
  }
  if (target.empty() || target == "secret") {
    allow->target = AllowTarget::kSecret;
  } else if (target == "match") {
    allow->target = AllowTarget::kMatch;
  } else if (target == "line") {
    allow->target = AllowTarget::kLine;
  } else {
    *problem = StrCat("unknown regexTarget '", target, "'");
    return false;
  }
  std::string upper = condition;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "AND") {
    allow->require_all = true;
  } else if (!upper.empty() && upper != "OR") {
    *problem = StrCat("unknown allowlist condition '", condition, "'");
    return false;
  }
  std::vector<std::string> commits;
  if (!Strings(table["commits"], &commits, "commits", problem)) return false;
  if (!commits.empty()) {
    approximations->push_back("allowlist commits ignored (trawl scans content, not git history)");
    // An AND list with commits never applies without them; an OR list still has its
    // other criteria.
    if (allow->require_all) {
      allow->regexes.clear();
      allow->stopwords.clear();
      allow->paths.clear();
    }
  }
  return true;
}

// The allowlists of a table: `[[<key>s]]` arrays and the older single `[<key>]` table.
bool ReadAllowLists(const toml::table& table, std::vector<AllowList>* out,
                    std::vector<std::string>* targets, std::vector<std::string>* approximations,
                    std::string* problem) {
  auto one = [&](const toml::table& t) {
    AllowList allow;
    if (!ReadAllowList(t, &allow, approximations, problem)) return false;
    std::vector<std::string> rules;
    if (!Strings(t["targetRules"], &rules, "targetRules", problem)) return false;
    if (targets != nullptr) targets->push_back(StrJoin(rules, "\n"));
    if (!allow.regexes.empty() || !allow.stopwords.empty() || !allow.paths.empty()) {
      out->push_back(std::move(allow));
    } else if (targets != nullptr) {
      targets->pop_back();
    }
    return true;
  };
  if (const toml::table* single = table["allowlist"].as_table()) {
    if (!one(*single)) return false;
  }
  if (const toml::array* lists = table["allowlists"].as_array()) {
    for (const toml::node& node : *lists) {
      const toml::table* t = node.as_table();
      if (t == nullptr) {
        *problem = "'allowlists' must be an array of tables";
        return false;
      }
      if (!one(*t)) return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<RuleSet> ImportGitleaks(std::string_view text, std::string_view file) {
  ImportBuilder builder(file, RuleFormat::kGitleaks);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(file));
  } catch (const toml::parse_error& error) {
    return absl::InvalidArgumentError(StrCat(file, ":", error.source().begin.line,
                                             ": not valid TOML: ", error.description()));
  }
  // Global allowlists apply to every rule (or to their targetRules).
  std::vector<AllowList> global;
  std::vector<std::string> global_targets;
  std::vector<std::string> global_approximations;
  std::string problem;
  if (!ReadAllowLists(root, &global, &global_targets, &global_approximations, &problem)) {
    builder.FileIssue(-1, StrCat("global allowlist: ", problem));
    global.clear();
    global_targets.clear();
  }
  std::vector<std::string> file_notes;
  if (const toml::table* extend = root["extend"].as_table()) {
    if ((*extend)["useDefault"].value_or(false) || (*extend)["path"]) {
      file_notes.push_back("[extend] not followed: import the extended config too");
    }
  }
  std::vector<std::string> disabled;
  if (const toml::table* extend = root["extend"].as_table()) {
    Strings((*extend)["disabledRules"], &disabled, "disabledRules", &problem);
  }
  const toml::array* rules = root["rules"].as_array();
  if (rules == nullptr && root["rules"]) {
    return absl::InvalidArgumentError(StrCat(file, ": 'rules' must be an array of tables"));
  }
  int64_t index = 0;
  if (rules != nullptr) {
    for (const toml::node& node : *rules) {
      builder.At(index++, LineOfNode(node), -1);
      const toml::table* rule = node.as_table();
      if (rule == nullptr) {
        builder.Rejected("", "a [[rules]] entry must be a table");
        continue;
      }
      std::string id, regex, path, description;
      problem.clear();
      if (!String((*rule)["id"], &id, "id", &problem) || id.empty()) {
        builder.Rejected(id, problem.empty() ? "missing 'id'" : problem);
        continue;
      }
      Definition def;
      def.id = StrCat("gitleaks.", id);
      def.category = "secret";
      def.severity = Severity::kHigh;
      auto logic = std::make_shared<RuleLogic>();
      std::vector<std::string> approximations;
      std::vector<std::string> targets;
      std::vector<std::string> keywords;
      if (!String((*rule)["description"], &def.description, "description", &problem) ||
          !String((*rule)["regex"], &regex, "regex", &problem) ||
          !String((*rule)["path"], &path, "path", &problem) ||
          !Strings((*rule)["keywords"], &keywords, "keywords", &problem) ||
          !Strings((*rule)["tags"], &def.tags, "tags", &problem) ||
          !ReadAllowLists(*rule, &logic->allow, nullptr, &approximations, &problem)) {
        builder.Rejected(def.id, problem);
        continue;
      }
      if (std::find(disabled.begin(), disabled.end(), id) != disabled.end()) {
        builder.Rejected(def.id, "listed in [extend] disabledRules");
        continue;
      }
      if (regex.empty()) {
        builder.Rejected(def.id, path.empty() ? "neither 'regex' nor 'path'"
                                              : "matches file paths only (no 'regex'); trawl "
                                                "rules match content");
        continue;
      }
      if (const toml::node* group = rule->get("secretGroup")) {
        const std::optional<int64_t> n = group->value<int64_t>();
        if (!n || *n < 0 || *n > 1000) {
          builder.Rejected(def.id, "'secretGroup' must be an integer in [0, 1000]");
          continue;
        }
        logic->secret_group = static_cast<int32_t>(*n);
      } else {
        logic->secret_group = 0;  // the first group that took part
      }
      logic->span_is_secret = true;
      if (const toml::node* entropy = rule->get("entropy")) {
        const std::optional<double> floor = entropy->value<double>();
        if (!floor) {
          builder.Rejected(def.id, "'entropy' must be a number");
          continue;
        }
        if (*floor != 0) {  // gitleaks checks entropy only when it is set and nonzero
          logic->has_entropy = true;
          logic->min_entropy = *floor;
          logic->entropy_strict = true;
        }
      }
      if (!path.empty()) logic->paths.push_back(path);
      for (const std::string& keyword : keywords) {
        if (!keyword.empty()) logic->required_keywords.push_back(keyword);
      }
      // Global allowlists, and the inline "gitleaks:allow" comment gitleaks honours.
      for (size_t g = 0; g < global.size(); ++g) {
        const std::vector<std::string_view> only = Split(global_targets[g], '\n', true);
        if (!only.empty() && std::find(only.begin(), only.end(), id) == only.end()) continue;
        logic->allow.push_back(global[g]);
      }
      AllowList inline_allow;
      inline_allow.description = "gitleaks:allow comment";
      inline_allow.regexes = {"gitleaks:allow"};
      inline_allow.target = AllowTarget::kLine;
      logic->allow.push_back(std::move(inline_allow));
      approximations.insert(approximations.end(), global_approximations.begin(),
                            global_approximations.end());
      def.kind = PatternKind::kRegex;
      def.expression = std::move(regex);
      def.keywords = keywords;
      def.logic = std::move(logic);
      builder.Imported(std::move(def), approximations);
    }
  }
  if (!file_notes.empty()) builder.SetFileNote(StrJoin(file_notes, "; "));
  return builder.Finish();
}

}  // namespace trawl::importers
