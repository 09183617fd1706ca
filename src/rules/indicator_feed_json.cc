// File: indicator_feed_json.cc
// The JSON feed formats: STIX 2.1 indicator bundles and MISP warninglists and feed
// events, read through the JSON adapter (src/json).
#include <cmath>

#include "json/json.h"
#include "rules/internal/feed_builder.h"
#include "util/strings.h"

namespace trawl::internal {
namespace {

using json::Array;
using json::Object;
using json::Value;

constexpr json::Error kOk = json::Error::kOk;

std::string_view StringField(const Object& obj, std::string_view key) {
  std::string_view value;
  if (obj.Get(key, &value) != kOk) return {};
  return value;
}

absl::Status ParseDocument(json::Parser& parser, std::string_view text, std::string_view file,
                           Value* out) {
  const json::Error error = parser.Parse(text, out);
  if (error != kOk) return json::ParseError(error, StrCat(file, ": not JSON"));
  return absl::OkStatus();
}

// ------------------------------------------------------------------------- STIX 2.1

struct StixComparison {
  std::optional<IndicatorType> type;
  std::string value;
  std::string why;  // set when unsupported
};

// Reads one STIX pattern of the simple equality form "[object:path = 'value']" (docs:
// STIX 2.1 part 5). Anything else (AND/OR, other operators, qualifiers, several
// observations) is unsupported, with the reason.
StixComparison ReadStixPattern(std::string_view pattern) {
  StixComparison out;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  pattern = trim(pattern);
  if (pattern.size() < 2 || pattern.front() != '[' || pattern.back() != ']') {
    out.why = "pattern is not one [observation] (qualifiers or several observations)";
    return out;
  }
  std::string_view inner = pattern.substr(1, pattern.size() - 2);
  // The path may hold quotes of its own (file:hashes.'SHA-256'): the value's quote is
  // the first after the operator.
  const size_t equals = inner.find('=');
  const size_t quote = equals == std::string_view::npos ? equals : inner.find('\'', equals);
  if (equals == std::string_view::npos || quote == std::string_view::npos) {
    out.why = "pattern has no \"path = 'value'\" comparison";
    return out;
  }
  const std::string_view path = trim(inner.substr(0, equals));
  if (equals > 0 && (inner[equals - 1] == '!' || inner[equals - 1] == '<' ||
                     inner[equals - 1] == '>')) {
    out.why = "only the '=' operator is supported";
    return out;
  }
  if (!trim(inner.substr(equals + 1, quote - equals - 1)).empty()) {
    out.why = "only the '=' operator is supported";
    return out;
  }
  // The quoted value: \' and \\ are its escapes.
  size_t i = quote + 1;
  bool closed = false;
  for (; i < inner.size(); ++i) {
    if (inner[i] == '\\' && i + 1 < inner.size()) {
      out.value.push_back(inner[++i]);
    } else if (inner[i] == '\'') {
      closed = true;
      ++i;
      break;
    } else {
      out.value.push_back(inner[i]);
    }
  }
  if (!closed) {
    out.why = "unterminated string in the pattern";
    return out;
  }
  if (!trim(inner.substr(i)).empty()) {
    out.why = "pattern combines comparisons (AND, OR) or observations";
    return out;
  }
  static constexpr std::pair<std::string_view, IndicatorType> kPaths[] = {
      {"domain-name:value", IndicatorType::kDomain},
      {"ipv4-addr:value", IndicatorType::kIpv4},
      {"ipv6-addr:value", IndicatorType::kIpv6},
      {"url:value", IndicatorType::kUrl},
      {"email-addr:value", IndicatorType::kEmail},
      {"file:hashes.'SHA-256'", IndicatorType::kSha256},
      {"file:hashes.SHA256", IndicatorType::kSha256},
      {"file:hashes.'SHA-1'", IndicatorType::kSha1},
      {"file:hashes.SHA1", IndicatorType::kSha1},
      {"file:hashes.MD5", IndicatorType::kMd5},
      {"file:hashes.'MD5'", IndicatorType::kMd5},
  };
  for (const auto& [name, type] : kPaths) {
    if (path == name) out.type = type;
  }
  if (!out.type) {
    out.why = StrCat("object path '", path, "' is not one trawl looks up");
  } else if ((*out.type == IndicatorType::kIpv4 || *out.type == IndicatorType::kIpv6) &&
             out.value.find('/') != std::string::npos) {
    out.type.reset();
    out.why = "CIDR range, not one address";
  }
  return out;
}

void ReadStixIndicator(const Object& obj, uint64_t number, FeedBuilder& builder) {
  const std::string_view pattern = StringField(obj, "pattern");
  const std::string_view pattern_type = StringField(obj, "pattern_type");
  if (!pattern_type.empty() && pattern_type != "stix") {
    builder.Reject(number, pattern, StrCat("pattern_type '", pattern_type, "' (only stix)"));
    return;
  }
  if (pattern.empty()) {
    builder.Reject(number, StringField(obj, "id"), "indicator without a pattern");
    return;
  }
  StixComparison comparison = ReadStixPattern(pattern);
  if (!comparison.type) {
    builder.Reject(number, pattern, comparison.why);
    return;
  }
  IndicatorMeta meta = builder.defaults();
  Array labels;
  std::string_view family;
  if (obj.Get("labels", &labels) == kOk) {
    for (Value label : labels) {
      if (label.Get(&family) == kOk) break;
    }
  }
  if (family.empty()) family = StringField(obj, "name");
  if (!family.empty()) meta.family = std::string(family);
  int64_t confidence = 0;
  if (obj.Get("confidence", &confidence) == kOk && confidence >= 0 &&
      confidence <= 100) {
    meta.confidence = static_cast<double>(confidence) / 100.0;
  }
  if (std::string_view id = StringField(obj, "id"); !id.empty()) meta.source = std::string(id);
  builder.Add(number, comparison.value, comparison.type, builder.Meta(meta));
}

// ------------------------------------------------------------------------- MISP

// MISP attribute type -> indicator type; nullopt for types trawl does not look up.
std::optional<IndicatorType> MispType(std::string_view type, std::string_view* value) {
  auto after_bar = [value] {
    const size_t bar = value->find('|');
    if (bar != std::string_view::npos) value->remove_prefix(bar + 1);
  };
  if (type == "domain" || type == "hostname") return IndicatorType::kDomain;
  if (type == "ip-dst" || type == "ip-src" || type == "ip") return IndicatorType::kIpv4;
  if (type == "ip-dst|port" || type == "ip-src|port") return IndicatorType::kIpPort;
  if (type == "url" || type == "uri" || type == "link") return IndicatorType::kUrl;
  if (type == "email" || type == "email-src" || type == "email-dst") return IndicatorType::kEmail;
  if (type == "md5" || type == "filename|md5") {
    after_bar();
    return IndicatorType::kMd5;
  }
  if (type == "sha1" || type == "filename|sha1") {
    after_bar();
    return IndicatorType::kSha1;
  }
  if (type == "sha256" || type == "filename|sha256") {
    after_bar();
    return IndicatorType::kSha256;
  }
  return std::nullopt;
}

void ReadMispAttribute(const Object& attribute, std::string_view family, uint64_t number,
                       FeedBuilder& builder) {
  const std::string_view type = StringField(attribute, "type");
  std::string_view value = StringField(attribute, "value");
  const std::optional<IndicatorType> itype = MispType(type, &value);
  if (!itype) {
    builder.Reject(number, value, StrCat("MISP type '", type, "' is not an exact indicator "
                                         "type trawl looks up"));
    return;
  }
  std::string written(value);
  if (*itype == IndicatorType::kIpPort) {
    const size_t bar = written.find('|');
    if (bar != std::string::npos) written[bar] = ':';
  }
  if (*itype == IndicatorType::kIpv4 && written.find('/') != std::string::npos) {
    builder.Reject(number, written, "CIDR range, not one address");
    return;
  }
  IndicatorMeta meta = builder.defaults();
  if (!family.empty()) meta.family = std::string(family);
  if (std::string_view uuid = StringField(attribute, "uuid"); !uuid.empty()) {
    meta.source = StrCat("misp attribute ", uuid);
  }
  // ipv4 stands for "an IP address" here: NormalizeIndicator reads IPv6 too.
  builder.Add(number, written, *itype, builder.Meta(meta));
}

void ReadMispAttributes(const Array& attributes, std::string_view info, uint64_t* number,
                        FeedBuilder& builder) {
  for (Value a : attributes) {
    Object attribute;
    ++*number;
    if (a.Get(&attribute) != kOk) {
      builder.Reject(*number, "", "attribute is not an object");
      continue;
    }
    ReadMispAttribute(attribute, info, *number, builder);
  }
}

void ReadMispEvent(const Object& event, uint64_t* number, FeedBuilder& builder) {
  const std::string_view info = StringField(event, "info");
  Array attributes;
  if (event.Get("Attribute", &attributes) == kOk) {
    ReadMispAttributes(attributes, info, number, builder);
  }
  Array objects;
  if (event.Get("Object", &objects) == kOk) {
    for (Value o : objects) {
      Object misp_object;
      if (o.Get(&misp_object) != kOk) continue;
      if (misp_object.Get("Attribute", &attributes) != kOk) continue;
      ReadMispAttributes(attributes, info, number, builder);
    }
  }
}

}  // namespace

absl::StatusOr<FeedLoad> ParseStixFeed(std::string_view json, std::string_view file,
                                       const FeedOptions& options) {
  json::Parser parser;
  Value doc;
  if (absl::Status status = ParseDocument(parser, json, file, &doc); !status.ok()) return status;
  FeedBuilder builder(file, options, FeedFormat::kStix);
  Object root;
  if (doc.Get(&root) != kOk) {
    return absl::InvalidArgumentError(StrCat(file, ": a STIX bundle is a JSON object"));
  }
  Array objects;
  uint64_t number = 0;
  auto read = [&](const Object& obj) {
    if (StringField(obj, "type") != "indicator") return;  // malware, relationship, identity, ...
    ReadStixIndicator(obj, ++number, builder);
  };
  if (StringField(root, "type") == "bundle") {
    if (root.Get("objects", &objects) != kOk) {
      return absl::InvalidArgumentError(StrCat(file, ": STIX bundle without \"objects\""));
    }
    for (Value item : objects) {
      Object obj;
      if (item.Get(&obj) != kOk) {
        builder.Reject(++number, "", "bundle entry is not an object");
        continue;
      }
      read(obj);
    }
  } else if (StringField(root, "type") == "indicator") {
    read(root);
  } else {
    return absl::InvalidArgumentError(StrCat(file, ": neither a STIX bundle nor an indicator"));
  }
  return builder.Finish();
}

absl::StatusOr<FeedLoad> ParseMispFeed(std::string_view json, std::string_view file,
                                       const FeedOptions& options) {
  json::Parser parser;
  Value doc;
  if (absl::Status status = ParseDocument(parser, json, file, &doc); !status.ok()) return status;
  FeedBuilder builder(file, options, FeedFormat::kMisp);
  uint64_t number = 0;
  Object root;
  Array events;
  if (doc.Get(&events) == kOk) {  // a list of events
    for (Value item : events) {
      Object wrapper, event;
      if (item.Get(&wrapper) != kOk) continue;
      if (wrapper.Get("Event", &event) != kOk) event = wrapper;
      ReadMispEvent(event, &number, builder);
    }
    return builder.Finish();
  }
  if (doc.Get(&root) != kOk) {
    return absl::InvalidArgumentError(StrCat(file, ": MISP JSON is an object or a list"));
  }
  Object event;
  Array list;
  if (root.Get("Event", &event) == kOk) {
    ReadMispEvent(event, &number, builder);
  } else if (root.Get("response", &events) == kOk) {
    for (Value item : events) {
      Object wrapper;
      if (item.Get(&wrapper) != kOk || wrapper.Get("Event", &event) != kOk) continue;
      ReadMispEvent(event, &number, builder);
    }
  } else if (root.Get("list", &list) == kOk) {
    // A warninglist: {"name", "type", "list": [...]}. Only exact-value types are values.
    const std::string_view type = StringField(root, "type");
    const std::string_view name = StringField(root, "name");
    const bool exact = type.empty() || type == "string" || type == "hostname";
    IndicatorMeta meta = builder.defaults();
    if (!name.empty()) meta.family = std::string(name);
    const uint32_t meta_index = builder.Meta(meta);
    for (Value item : list) {
      std::string_view value;
      ++number;
      if (item.Get(&value) != kOk) {
        builder.Reject(number, "", "list entry is not a string");
      } else if (!exact) {
        builder.Reject(number, value, StrCat("warninglist type '", type,
                                             "' is not an exact value (cidr, substring, regex)"));
      } else {
        builder.Add(number, value, std::nullopt, meta_index);
      }
    }
  } else {
    return absl::InvalidArgumentError(
        StrCat(file, ": not a MISP event, event list or warninglist"));
  }
  return builder.Finish();
}

}  // namespace trawl::internal
