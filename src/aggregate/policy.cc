// File: policy.cc
#include "aggregate/policy.h"

#include <cmath>

#include "json/json.h"
#include "rules/definition.h"
#include "util/json_writer.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(StrCat("policy: ", what));
}

// Weights multiply: bounded, a product of them stays a finite number (a priority of
// 1e308 * 1e308 would be infinity, which JSON cannot hold).
constexpr double kMaxWeight = 1e6;
constexpr uint64_t kMaxRelatedWithinBytes = 1 << 20;

absl::StatusOr<double> NonNegative(json::Value value, std::string_view key) {
  double number = 0;
  if (value.Get(&number) != json::Error::kOk || !(number >= 0 && number <= kMaxWeight)) {
    return Invalid(StrCat("\"", key, "\" must be a number from 0 to 1e6"));
  }
  return number;
}

absl::Status ReadWeights(json::Value value, std::string_view key,
                         std::map<std::string, double>* out) {
  json::Object obj;
  if (value.Get(&obj) != json::Error::kOk) {
    return Invalid(StrCat("\"", key, "\" must be an object"));
  }
  out->clear();
  for (auto field : obj) {
    TRAWL_ASSIGN_OR_RETURN((*out)[std::string(field.key)], NonNegative(field.value, field.key));
  }
  return absl::OkStatus();
}

absl::Status ReadStrings(json::Value value, std::string_view key, std::vector<std::string>* out) {
  json::Array array;
  if (value.Get(&array) != json::Error::kOk) {
    return Invalid(StrCat("\"", key, "\" must be an array"));
  }
  out->clear();
  for (json::Value item : array) {
    std::string_view text;
    if (item.Get(&text) != json::Error::kOk) {
      return Invalid(StrCat("\"", key, "\" must hold strings"));
    }
    out->emplace_back(text);
  }
  return absl::OkStatus();
}

absl::Status ReadLocations(json::Value value, std::vector<LocationRule>* out) {
  json::Array array;
  if (value.Get(&array) != json::Error::kOk) return Invalid("\"locations\" must be an array");
  out->clear();
  for (json::Value item : array) {
    json::Object obj;
    if (item.Get(&obj) != json::Error::kOk) {
      return Invalid("each location rule must be an object");
    }
    LocationRule rule;
    json::FieldReader r(obj, "policy location rule");
    TRAWL_RETURN_IF_ERROR(r.Read("name", &rule.name));
    TRAWL_RETURN_IF_ERROR(r.Read("path_contains", &rule.path_contains));
    json::Value weight;
    if (obj.Find("weight", &weight) != json::Error::kOk) {
      return Invalid("a location rule needs a \"weight\"");
    }
    TRAWL_ASSIGN_OR_RETURN(rule.weight, NonNegative(weight, "weight"));
    for (std::string& marker : rule.path_contains) {
      for (char& c : marker) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    out->push_back(std::move(rule));
  }
  return absl::OkStatus();
}

}  // namespace

ScoringPolicy DefaultPolicy() {
  ScoringPolicy policy;
  policy.locations = {
      {"test, example or documentation",
       {"/test", "test/", "fixture", "example", "/docs/", "readme", "sample", "mock"},
       0.5},
      {"configuration",
       {".env", "config", "prod", "secret", "credential", ".npmrc", ".git-credentials", "id_rsa"},
       1.25},
  };
  return policy;
}

namespace {

absl::StatusOr<ScoringPolicy> ReadPolicy(std::string_view text) {
  json::Parser parser;
  json::Object obj;
  TRAWL_RETURN_IF_ERROR(json::ParseObject(parser, text, "policy", &obj));
  ScoringPolicy policy = DefaultPolicy();
  for (auto field : obj) {
    const std::string_view key = field.key;
    const json::Value value = field.value;
    if (key == "schema") {
      std::string_view schema;
      if (value.Get(&schema) != json::Error::kOk || schema != kPolicySchema) {
        return Invalid(StrCat("\"schema\" must be \"", kPolicySchema, "\""));
      }
    } else if (key == "severity_weights") {
      std::map<std::string, double> weights;
      TRAWL_RETURN_IF_ERROR(ReadWeights(value, key, &weights));
      for (const auto& [name, weight] : weights) {
        const std::optional<Severity> severity = ParseSeverity(name);
        if (!severity) return Invalid(StrCat("unknown severity \"", name, "\""));
        policy.severity_weights[static_cast<size_t>(*severity)] = weight;
      }
    } else if (key == "exposure_per_doubling") {
      TRAWL_ASSIGN_OR_RETURN(policy.exposure_per_doubling, NonNegative(value, key));
    } else if (key == "locations") {
      TRAWL_RETURN_IF_ERROR(ReadLocations(value, &policy.locations));
    } else if (key == "default_location_weight") {
      TRAWL_ASSIGN_OR_RETURN(policy.default_location_weight, NonNegative(value, key));
    } else if (key == "entity_weights") {
      TRAWL_RETURN_IF_ERROR(ReadWeights(value, key, &policy.entity_weights));
    } else if (key == "category_weights") {
      TRAWL_RETURN_IF_ERROR(ReadWeights(value, key, &policy.category_weights));
    } else if (key == "indicator_match_weights") {
      TRAWL_RETURN_IF_ERROR(ReadWeights(value, key, &policy.indicator_match_weights));
    } else if (key == "min_confidence") {
      TRAWL_ASSIGN_OR_RETURN(policy.min_confidence, NonNegative(value, key));
      if (policy.min_confidence > 1) return Invalid("\"min_confidence\" must be at most 1");
    } else if (key == "related_within_bytes") {
      if (value.Get(&policy.related_within_bytes) != json::Error::kOk ||
          policy.related_within_bytes > kMaxRelatedWithinBytes) {
        return Invalid("\"related_within_bytes\" must be an integer from 0 to 1048576");
      }
    } else if (key == "related_categories") {
      TRAWL_RETURN_IF_ERROR(ReadStrings(value, key, &policy.related_categories));
    } else if (key == "package_score_others_share") {
      TRAWL_ASSIGN_OR_RETURN(policy.package_score_others_share, NonNegative(value, key));
    } else {
      return Invalid(StrCat("unknown field \"", key, "\""));
    }
  }
  return policy;
}

}  // namespace

absl::StatusOr<ScoringPolicy> PolicyFromJson(std::string_view text) {
  return WithDefaultCode(ReadPolicy(text), ErrorCode::kParse);
}

std::string PolicyToJson(const ScoringPolicy& p, int indent) {
  JsonWriter w(indent);
  w.BeginObject().Field("schema", kPolicySchema);
  w.Key("severity_weights").BeginObject();
  for (size_t i = 0; i < p.severity_weights.size(); ++i) {
    w.Field(SeverityName(static_cast<Severity>(i)), p.severity_weights[i]);
  }
  w.EndObject();
  w.Field("exposure_per_doubling", p.exposure_per_doubling);
  w.Key("locations").BeginArray();
  for (const LocationRule& rule : p.locations) {
    w.BeginObject().Field("name", rule.name).Field("path_contains", rule.path_contains);
    w.Field("weight", rule.weight).EndObject();
  }
  w.EndArray();
  w.Field("default_location_weight", p.default_location_weight);
  w.Key("entity_weights").BeginObject();
  for (const auto& [name, weight] : p.entity_weights) w.Field(name, weight);
  w.EndObject();
  w.Key("category_weights").BeginObject();
  for (const auto& [name, weight] : p.category_weights) w.Field(name, weight);
  w.EndObject();
  w.Key("indicator_match_weights").BeginObject();
  for (const auto& [name, weight] : p.indicator_match_weights) w.Field(name, weight);
  w.EndObject();
  w.Field("min_confidence", p.min_confidence);
  w.Field("related_within_bytes", p.related_within_bytes);
  w.Field("related_categories", p.related_categories);
  w.Field("package_score_others_share", p.package_score_others_share);
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

}  // namespace trawl
