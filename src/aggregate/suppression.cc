// File: suppression.cc
#include "aggregate/suppression.h"

#include <fnmatch.h>
#include <re2/re2.h>

#include "json/json.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(StrCat("suppressions: ", what));
}

absl::Status ExpectSchema(const json::Object& obj, std::string_view expected,
                          std::string_view what) {
  std::string_view schema;
  if (obj.Get("schema", &schema) != json::Error::kOk || schema != expected) {
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

namespace {

absl::StatusOr<std::vector<SuppressionRule>> ReadSuppressionRules(std::string_view text) {
  json::Parser parser;
  json::Object obj;
  TRAWL_RETURN_IF_ERROR(json::ParseObject(parser, text, "suppressions", &obj));
  TRAWL_RETURN_IF_ERROR(ExpectSchema(obj, kSuppressionsSchema, "suppressions"));
  json::Array entries;
  TRAWL_RETURN_IF_ERROR(
      json::FieldReader(obj, "suppressions").Read("suppressions", &entries));
  std::vector<SuppressionRule> rules;
  size_t index = 0;
  for (json::Value item : entries) {
    json::Object entry;
    if (item.Get(&entry) != json::Error::kOk) {
      return Invalid(StrCat("entry ", index, " is not an object"));
    }
    for (auto field : entry) {
      const std::string_view key = field.key;
      if (key != "fingerprint" && key != "rule" && key != "path" && key != "value_pattern" &&
          key != "reason") {
        return Invalid(StrCat("entry ", index, ": unknown field \"", key, "\""));
      }
    }
    SuppressionRule rule;
    json::FieldReader r(entry, StrCat("suppressions entry ", index));
    TRAWL_RETURN_IF_ERROR(r.Read("fingerprint", &rule.fingerprint, false));
    TRAWL_RETURN_IF_ERROR(r.Read("rule", &rule.rule, false));
    TRAWL_RETURN_IF_ERROR(r.Read("path", &rule.path, false));
    TRAWL_RETURN_IF_ERROR(r.Read("value_pattern", &rule.value_pattern, false));
    TRAWL_RETURN_IF_ERROR(r.Read("reason", &rule.reason));
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

}  // namespace

absl::StatusOr<std::vector<SuppressionRule>> SuppressionRulesFromJson(std::string_view text) {
  return WithDefaultCode(ReadSuppressionRules(text), ErrorCode::kParse);
}

namespace {

absl::StatusOr<std::set<std::pair<std::string, std::string>>> ReadBaseline(
    std::string_view text) {
  json::Parser parser;
  json::Object obj;
  TRAWL_RETURN_IF_ERROR(json::ParseObject(parser, text, "baseline", &obj));
  std::string_view schema;
  if (obj.Get("schema", &schema) != json::Error::kOk) {
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
    json::Array findings;
    const json::Error error = obj.Get(list, &findings);
    if (error == json::Error::kNoSuchField && list == "suppressed") continue;
    if (error != json::Error::kOk) {
      return absl::InvalidArgumentError(StrCat("baseline: \"", list, "\" is not an array"));
    }
    for (json::Value item : findings) {
      json::Object finding;
      if (item.Get(&finding) != json::Error::kOk) {
        return absl::InvalidArgumentError("baseline: a finding is not an object");
      }
      std::string rule, fingerprint;
      json::FieldReader r(finding, "baseline finding");
      TRAWL_RETURN_IF_ERROR(r.Read("rule", &rule));
      TRAWL_RETURN_IF_ERROR(r.Read("fingerprint", &fingerprint));
      accepted.emplace(std::move(rule), std::move(fingerprint));
    }
  }
  return accepted;
}

}  // namespace

absl::StatusOr<std::set<std::pair<std::string, std::string>>> BaselineFromJson(
    std::string_view text) {
  return WithDefaultCode(ReadBaseline(text), ErrorCode::kParse);
}

}  // namespace trawl
