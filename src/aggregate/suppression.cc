// File: suppression.cc
#include "aggregate/suppression.h"

#include <fnmatch.h>
#include <re2/re2.h>

#include "util/json_fields.h"
#include "util/status_macros.h"

namespace trawl {
namespace {

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(StrCat("suppressions: ", what));
}

absl::Status ExpectSchema(const object& obj, std::string_view expected, std::string_view what) {
  std::string_view schema;
  if (obj.at_key("schema").get_string().get(schema) || schema != expected) {
    return absl::InvalidArgumentError(StrCat(what, ": \"schema\" must be \"", expected, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

bool PathGlobMatches(std::string_view glob, std::string_view path) {
  // Without FNM_PATHNAME, '*' matches '/' too, so "*/test/*" reaches into nested archives.
  return fnmatch(std::string(glob).c_str(), std::string(path).c_str(), 0) == 0;
}

bool MatchesIgnoringPath(const SuppressionRule& rule, const SuppressionSubject& subject) {
  if (!rule.fingerprint.empty() && rule.fingerprint != subject.fingerprint) return false;
  if (!rule.rule.empty() && !PathGlobMatches(rule.rule, subject.rule_id)) return false;
  if (rule.value_regex) {
    // Without the value (reports that keep fingerprints only) a value rule cannot match.
    if (subject.value.empty()) return false;
    if (!RE2::PartialMatch(re2::StringPiece(subject.value.data(), subject.value.size()),
                           *rule.value_regex)) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<SuppressionRule>> SuppressionRulesFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  object obj;
  TRAWL_RETURN_IF_ERROR(ParseObject(parser, json, "suppressions", &obj));
  TRAWL_RETURN_IF_ERROR(ExpectSchema(obj, kSuppressionsSchema, "suppressions"));
  simdjson::dom::array entries;
  TRAWL_RETURN_IF_ERROR(FieldReader(obj, "suppressions").Array("suppressions", &entries));
  std::vector<SuppressionRule> rules;
  size_t index = 0;
  for (element item : entries) {
    object entry;
    if (item.get_object().get(entry)) return Invalid(StrCat("entry ", index, " is not an object"));
    for (auto field : entry) {
      const std::string_view key = field.key;
      if (key != "fingerprint" && key != "rule" && key != "path" && key != "value_pattern" &&
          key != "reason") {
        return Invalid(StrCat("entry ", index, ": unknown field \"", key, "\""));
      }
    }
    SuppressionRule rule;
    FieldReader r(entry, StrCat("suppressions entry ", index));
    TRAWL_RETURN_IF_ERROR(r.String("fingerprint", &rule.fingerprint, false));
    TRAWL_RETURN_IF_ERROR(r.String("rule", &rule.rule, false));
    TRAWL_RETURN_IF_ERROR(r.String("path", &rule.path, false));
    TRAWL_RETURN_IF_ERROR(r.String("value_pattern", &rule.value_pattern, false));
    TRAWL_RETURN_IF_ERROR(r.String("reason", &rule.reason));
    if (rule.reason.empty()) return Invalid(StrCat("entry ", index, ": \"reason\" is empty"));
    if (rule.fingerprint.empty() && rule.rule.empty() && rule.path.empty() &&
        rule.value_pattern.empty()) {
      return Invalid(StrCat("entry ", index, " matches everything: give at least one of "
                                             "fingerprint, rule, path, value_pattern"));
    }
    if (!rule.value_pattern.empty()) {
      RE2::Options options;
      options.set_log_errors(false);
      auto regex = std::make_shared<const RE2>(rule.value_pattern, options);
      if (!regex->ok()) {
        return Invalid(StrCat("entry ", index, ": value_pattern: ", regex->error()));
      }
      rule.value_regex = std::move(regex);
    }
    rules.push_back(std::move(rule));
    ++index;
  }
  return rules;
}

absl::StatusOr<std::set<std::pair<std::string, std::string>>> BaselineFromJson(
    std::string_view json) {
  simdjson::dom::parser parser;
  object obj;
  TRAWL_RETURN_IF_ERROR(ParseObject(parser, json, "baseline", &obj));
  std::string_view schema;
  if (obj.at_key("schema").get_string().get(schema)) {
    return absl::InvalidArgumentError("baseline: no \"schema\"");
  }
  std::vector<std::string_view> lists;
  if (schema == kBaselineSchema) {
    lists = {"findings"};
  } else if (schema == "trawl.report/1") {
    lists = {"findings", "suppressed"};
  } else {
    return absl::InvalidArgumentError(
        StrCat("baseline: schema \"", schema, "\", expected ", kBaselineSchema, " or a report"));
  }
  std::set<std::pair<std::string, std::string>> accepted;
  for (std::string_view list : lists) {
    simdjson::dom::array findings;
    auto error = obj.at_key(list).get_array().get(findings);
    if (error == simdjson::NO_SUCH_FIELD && list == "suppressed") continue;
    if (error) return absl::InvalidArgumentError(StrCat("baseline: \"", list, "\" is not an array"));
    for (element item : findings) {
      object finding;
      if (item.get_object().get(finding)) {
        return absl::InvalidArgumentError("baseline: a finding is not an object");
      }
      std::string rule, fingerprint;
      FieldReader r(finding, "baseline finding");
      TRAWL_RETURN_IF_ERROR(r.String("rule", &rule));
      TRAWL_RETURN_IF_ERROR(r.String("fingerprint", &fingerprint));
      accepted.emplace(std::move(rule), std::move(fingerprint));
    }
  }
  return accepted;
}

}  // namespace trawl
