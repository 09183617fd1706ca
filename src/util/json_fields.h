// File: json_fields.h
// Reading trawl's own JSON documents (component results, policies, suppressions) with
// simdjson's DOM API: error codes only, no exceptions, and every error names the field.
// Include only from .cc files: it brings in simdjson.h.
#ifndef TRAWL_SRC_UTIL_JSON_FIELDS_H_
#define TRAWL_SRC_UTIL_JSON_FIELDS_H_

#include <simdjson.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "util/strings.h"

namespace trawl {

using simdjson::dom::element;
using simdjson::dom::object;

// Reads the fields of one JSON object; the first problem names the field and the object.
class FieldReader {
 public:
  FieldReader(object obj, std::string what) : obj_(obj), what_(std::move(what)) {}

  absl::Status String(std::string_view key, std::string* out, bool required = true) {
    std::string_view value;
    auto error = obj_.at_key(key).get_string().get(value);
    if (error == simdjson::NO_SUCH_FIELD && !required) return absl::OkStatus();
    if (error) return Error(key, error);
    *out = std::string(value);
    return absl::OkStatus();
  }
  absl::Status Uint(std::string_view key, uint64_t* out) {
    if (auto error = obj_.at_key(key).get_uint64().get(*out)) return Error(key, error);
    return absl::OkStatus();
  }
  absl::Status Int(std::string_view key, int64_t* out, bool required = true) {
    auto error = obj_.at_key(key).get_int64().get(*out);
    if (error == simdjson::NO_SUCH_FIELD && !required) return absl::OkStatus();
    if (error) return Error(key, error);
    return absl::OkStatus();
  }
  absl::Status Double(std::string_view key, double* out, bool required = true) {
    auto error = obj_.at_key(key).get_double().get(*out);
    if (error == simdjson::NO_SUCH_FIELD && !required) return absl::OkStatus();
    if (error) return Error(key, error);
    return absl::OkStatus();
  }
  absl::Status Bool(std::string_view key, bool* out, bool required = true) {
    auto error = obj_.at_key(key).get_bool().get(*out);
    if (error == simdjson::NO_SUCH_FIELD && !required) return absl::OkStatus();
    if (error) return Error(key, error);
    return absl::OkStatus();
  }
  absl::Status Strings(std::string_view key, std::vector<std::string>* out) {
    simdjson::dom::array array;
    if (auto error = obj_.at_key(key).get_array().get(array)) return Error(key, error);
    for (element item : array) {
      std::string_view value;
      if (auto error = item.get_string().get(value)) return Error(key, error);
      out->emplace_back(value);
    }
    return absl::OkStatus();
  }
  absl::Status Object(std::string_view key, object* out, bool required = true) {
    auto error = obj_.at_key(key).get_object().get(*out);
    if (error == simdjson::NO_SUCH_FIELD && !required) return absl::OkStatus();
    if (error) return Error(key, error);
    return absl::OkStatus();
  }
  absl::Status Array(std::string_view key, simdjson::dom::array* out) {
    if (auto error = obj_.at_key(key).get_array().get(*out)) return Error(key, error);
    return absl::OkStatus();
  }

 private:
  absl::Status Error(std::string_view key, simdjson::error_code error) const {
    return absl::InvalidArgumentError(
        StrCat(what_, " field \"", key, "\": ", simdjson::error_message(error)));
  }
  object obj_;
  std::string what_;  // owned: callers often pass a temporary
};

// Parses `json` into `parser` and returns its top-level object.
inline absl::Status ParseObject(simdjson::dom::parser& parser, std::string_view json,
                                std::string_view what, object* out) {
  element doc;
  if (auto error = parser.parse(json.data(), json.size()).get(doc)) {
    return absl::InvalidArgumentError(StrCat(what, ": not JSON: ", simdjson::error_message(error)));
  }
  if (doc.get_object().get(*out)) return absl::InvalidArgumentError(StrCat(what, ": not a JSON object"));
  return absl::OkStatus();
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_JSON_FIELDS_H_
