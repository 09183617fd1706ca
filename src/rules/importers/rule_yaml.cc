// File: rule_yaml.cc
// Nosey Parker and Kingfisher rule YAML to trawl rules. The only user of yaml-cpp.
//
// Both formats: `rules:` a list of {name, id, pattern, examples, negative_examples,
// references, categories}; the pattern is Rust `regex` syntax (bytes, Unicode off), mostly
// in (?x) extended mode, and the finding is its capture group. Kingfisher adds
// min_entropy (on the capture, inclusive), confidence, visible, validation,
// depends_on_rule and prevalidated. Nosey Parker rulesets (`rulesets:`) only choose which
// rules run.
#include <yaml-cpp/yaml.h>

#include "rules/importers/import_builder.h"
#include "util/strings.h"

namespace trawl::importers {
namespace {

int64_t LineOfNode(const YAML::Node& node) { return node.Mark().line + 1; }
int64_t OffsetOfNode(const YAML::Node& node) { return node.Mark().pos; }

// A scalar as text; false when the node is not a scalar.
bool Scalar(const YAML::Node& node, std::string* out) {
  // A missing key is an invalid node, and asking one its type throws.
  if (!node || !node.IsScalar()) return false;
  *out = node.Scalar();
  return true;
}

// A sequence of scalars; false (with `problem`) when it is something else.
bool ScalarList(const YAML::Node& node, std::string_view field, std::vector<std::string>* out,
                std::string* problem) {
  if (!node || node.IsNull()) return true;
  if (!node.IsSequence()) {
    *problem = StrCat("'", field, "' must be a list of strings");
    return false;
  }
  for (const YAML::Node& item : node) {
    std::string s;
    if (!Scalar(item, &s)) {
      *problem = StrCat("'", field, "' must contain only strings");
      return false;
    }
    out->push_back(std::move(s));
  }
  return true;
}

void ImportRule(const YAML::Node& rule, RuleFormat format, ImportBuilder& builder) {
  std::string id, name, pattern, problem;
  if (!rule.IsMap()) {
    builder.Rejected("", "a rule must be a mapping");
    return;
  }
  if (!Scalar(rule["id"], &id) || id.empty()) {
    builder.Rejected("", "missing 'id'");
    return;
  }
  if (!Scalar(rule["pattern"], &pattern) || pattern.empty()) {
    builder.Rejected(id, "missing 'pattern'");
    return;
  }
  Scalar(rule["name"], &name);
  Definition def;
  def.id = id;
  def.description = name;
  def.category = "secret";
  def.severity = Severity::kHigh;
  def.kind = PatternKind::kRegex;
  // Both tools drop (?#...) comments and compile (?x) patterns with Rust's rules, which
  // also ignore whitespace inside classes (PCRE2 does not): flatten them here.
  def.expression = FlattenExtended(pattern, /*rust=*/true);
  if (!ScalarList(rule["examples"], "examples", &def.examples, &problem) ||
      !ScalarList(rule["negative_examples"], "negative_examples", &def.negative_examples,
                  &problem) ||
      !ScalarList(rule["categories"], "categories", &def.tags, &problem) ||
      !ScalarList(rule["references"], "references", &def.references, &problem)) {
    builder.Rejected(id, problem);
    return;
  }
  std::vector<std::string> approximations;
  if (format == RuleFormat::kKingfisher) {
    auto logic = std::make_shared<RuleLogic>();
    if (const YAML::Node entropy = rule["min_entropy"]; entropy && !entropy.IsNull()) {
      // (`entropy` is valid here: the test above is false for a missing key.)
      double floor = 0;
      if (!entropy.IsScalar() || !YAML::convert<double>::decode(entropy, floor)) {
        builder.Rejected(id, "'min_entropy' must be a number");
        return;
      }
      logic->has_entropy = true;
      logic->min_entropy = floor;
    }
    std::string confidence;
    if (Scalar(rule["confidence"], &confidence)) {
      if (confidence == "low") def.confidence = 0.3;
      else if (confidence == "medium") def.confidence = 0.5;
      else if (confidence == "high") def.confidence = 0.8;
    }
    std::string visible;
    if (Scalar(rule["visible"], &visible) && visible == "false") {
      approximations.push_back(
          "visible: false (a helper rule Kingfisher matches without reporting) is reported");
      def.tags.push_back("kingfisher:hidden");
    }
    // validation, depends_on_rule and prevalidated serve live validation, which needs the
    // network; they do not change what matches.
    if (rule["validation"]) def.tags.push_back("kingfisher:validation");
    if (logic->has_entropy) def.logic = std::move(logic);
  }
  builder.Imported(std::move(def), approximations);
}

}  // namespace

absl::StatusOr<RuleSet> ImportRuleYaml(std::string_view text, std::string_view file,
                                       RuleFormat format) {
  ImportBuilder builder(file, format);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        StrCat(file, ":", error.mark.line + 1, ": not valid YAML: ", error.msg));
  }
  try {
    if (!root.IsMap()) {
      return absl::InvalidArgumentError(StrCat(file, ": expected a mapping with 'rules:'"));
    }
    if (const YAML::Node rulesets = root["rulesets"]; rulesets && rulesets.IsSequence()) {
      // Rulesets choose rules; trawl imports every rule of the rule files given, as
      // Nosey Parker's "--ruleset all" does.
      std::vector<std::string> summary;
      for (const YAML::Node& ruleset : rulesets) {
        std::string id;
        std::vector<std::string> ids;
        std::string problem;
        Scalar(ruleset["id"], &id);
        ScalarList(ruleset["include_rule_ids"], "include_rule_ids", &ids, &problem);
        summary.push_back(StrCat("ruleset ", id, " lists ", ids.size(), " rule ids"));
      }
      builder.SetFileNote(StrCat(StrJoin(summary, ", "),
                                 "; rulesets are not applied: every imported rule is enabled"));
    }
    const YAML::Node rules = root["rules"];
    if (rules && !rules.IsSequence() && !rules.IsNull()) {
      return absl::InvalidArgumentError(StrCat(file, ":", LineOfNode(rules),
                                               ": 'rules' must be a list"));
    }
    if (!rules && !root["rulesets"]) {
      return absl::InvalidArgumentError(StrCat(file, ": expected 'rules:' or 'rulesets:'"));
    }
    int64_t index = 0;
    if (rules && rules.IsSequence()) {
      for (const YAML::Node& rule : rules) {
        builder.At(index++, LineOfNode(rule), OffsetOfNode(rule));
        ImportRule(rule, format, builder);
      }
    }
  } catch (const YAML::Exception& error) {
    // A type mismatch yaml-cpp reports by throwing: name where it stopped.
    return absl::InvalidArgumentError(
        StrCat(file, ":", error.mark.line + 1, ": unexpected YAML structure: ", error.msg));
  }
  return builder.Finish();
}

}  // namespace trawl::importers
