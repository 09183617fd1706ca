// File: manifest_json.cc
// simdjson stays inside this file (DOM API, error codes only, no exceptions).
#include "intake/manifest_json.h"

#include <simdjson.h>

#include <array>
#include <vector>

#include "util/json_writer.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

absl::Status FieldError(std::string_view key, simdjson::error_code error) {
  return absl::InvalidArgumentError(
      StrCat("manifest field \"", key, "\": ", simdjson::error_message(error)));
}

absl::Status Read(const object& obj, std::string_view key, std::string* out) {
  std::string_view value;
  if (auto error = obj.at_key(key).get_string().get(value)) return FieldError(key, error);
  *out = std::string(value);
  return absl::OkStatus();
}
absl::Status Read(const object& obj, std::string_view key, uint64_t* out) {
  if (auto error = obj.at_key(key).get_uint64().get(*out)) return FieldError(key, error);
  return absl::OkStatus();
}
absl::Status Read(const object& obj, std::string_view key, uint32_t* out) {
  uint64_t value = 0;
  TRAWL_RETURN_IF_ERROR(Read(obj, key, &value));
  if (value > UINT32_MAX) return FieldError(key, simdjson::NUMBER_OUT_OF_RANGE);
  *out = static_cast<uint32_t>(value);
  return absl::OkStatus();
}
absl::Status Read(const object& obj, std::string_view key, int64_t* out) {
  if (auto error = obj.at_key(key).get_int64().get(*out)) return FieldError(key, error);
  return absl::OkStatus();
}
absl::Status Read(const object& obj, std::string_view key, double* out) {
  if (auto error = obj.at_key(key).get_double().get(*out)) return FieldError(key, error);
  return absl::OkStatus();
}
absl::Status Read(const object& obj, std::string_view key, bool* out) {
  if (auto error = obj.at_key(key).get_bool().get(*out)) return FieldError(key, error);
  return absl::OkStatus();
}

absl::Status Read(const object& obj, std::string_view key, std::vector<std::string>* out) {
  simdjson::dom::array items;
  if (auto error = obj.at_key(key).get_array().get(items)) return FieldError(key, error);
  out->clear();
  for (element item : items) {
    std::string_view value;
    if (auto error = item.get_string().get(value)) return FieldError(key, error);
    out->emplace_back(value);
  }
  return absl::OkStatus();
}

// Fields added to trawl.manifest/1 after its first release are optional on read: a
// manifest written before them still parses, with the defaults.
template <typename T>
absl::Status ReadOptional(const object& obj, std::string_view key, T* out) {
  element value;
  if (obj.at_key(key).get(value) == simdjson::NO_SUCH_FIELD) return absl::OkStatus();
  return Read(obj, key, out);
}

void WriteLimits(JsonWriter& w, const DecomposeLimits& l) {
  w.Key("limits").BeginObject();
  w.Field("max_total_bytes", l.max_total_bytes);
  w.Field("max_expansion_ratio", l.max_expansion_ratio);
  w.Field("ratio_grace_bytes", l.ratio_grace_bytes);
  w.Field("max_entries", l.max_entries);
  w.Field("max_depth", static_cast<uint64_t>(l.max_depth));
  w.Field("max_path_length", l.max_path_length);
  w.Field("max_component_bytes", l.max_component_bytes);
  w.Field("max_carve_depth", static_cast<uint64_t>(l.max_carve_depth));
  w.Field("max_carves_per_component", static_cast<uint64_t>(l.max_carves_per_component));
  w.Field("max_carve_scan_bytes", l.max_carve_scan_bytes);
  w.EndObject();
}

absl::Status ReadLimits(const object& obj, DecomposeLimits* l) {
  TRAWL_RETURN_IF_ERROR(Read(obj, "max_total_bytes", &l->max_total_bytes));
  TRAWL_RETURN_IF_ERROR(Read(obj, "max_expansion_ratio", &l->max_expansion_ratio));
  TRAWL_RETURN_IF_ERROR(Read(obj, "ratio_grace_bytes", &l->ratio_grace_bytes));
  TRAWL_RETURN_IF_ERROR(Read(obj, "max_entries", &l->max_entries));
  TRAWL_RETURN_IF_ERROR(Read(obj, "max_depth", &l->max_depth));
  TRAWL_RETURN_IF_ERROR(Read(obj, "max_path_length", &l->max_path_length));
  TRAWL_RETURN_IF_ERROR(Read(obj, "max_component_bytes", &l->max_component_bytes));
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "max_carve_depth", &l->max_carve_depth));
  TRAWL_RETURN_IF_ERROR(
      ReadOptional(obj, "max_carves_per_component", &l->max_carves_per_component));
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "max_carve_scan_bytes", &l->max_carve_scan_bytes));
  return absl::OkStatus();
}

void WriteComponent(JsonWriter& w, const Component& c) {
  w.BeginObject();
  w.Field("id", c.id);
  w.Field("parent", c.parent_id);
  w.Field("path", c.path);
  w.Field("name", c.name);
  w.Field("unsafe_path", c.unsafe_path);
  w.Field("depth", static_cast<uint64_t>(c.depth));
  w.Field("index", c.index);
  w.Field("kind", ComponentKindName(c.kind));
  w.Field("container_format", c.container_format);
  w.Field("declared_size", c.declared_size);
  w.Field("size", c.size);
  w.Field("sha256", c.sha256);
  w.Field("content_complete", c.content_complete);
  w.Field("has_content", c.has_content);
  w.Field("media_type", c.media_type);
  w.Field("status", ComponentStatusName(c.status));
  w.Field("reason", c.reason);
  w.Field("duplicate_of", c.duplicate_of);
  w.Field("children", c.children);
  if (c.carved_offset >= 0) w.Field("carved_offset", c.carved_offset);
  // Optional (added within /1): written only when they say something.
  if (!c.warnings.empty()) w.Field("warnings", c.warnings);
  if (!c.fallback_from.empty()) w.Field("fallback_from", c.fallback_from);
  if (!c.origin.empty()) w.Field("origin", c.origin);
  if (c.origin_offset >= 0) w.Field("origin_offset", c.origin_offset);
  if (c.kind == ComponentKind::kSymlink || c.kind == ComponentKind::kHardlink) {
    w.Field("link_target", c.link_target);
  }
  if (c.unsafe_link) w.Field("unsafe_link", true);
  w.EndObject();
}

absl::Status ReadComponent(const object& obj, Component* c) {
  TRAWL_RETURN_IF_ERROR(Read(obj, "id", &c->id));
  TRAWL_RETURN_IF_ERROR(Read(obj, "parent", &c->parent_id));
  TRAWL_RETURN_IF_ERROR(Read(obj, "path", &c->path));
  TRAWL_RETURN_IF_ERROR(Read(obj, "name", &c->name));
  TRAWL_RETURN_IF_ERROR(Read(obj, "unsafe_path", &c->unsafe_path));
  TRAWL_RETURN_IF_ERROR(Read(obj, "depth", &c->depth));
  TRAWL_RETURN_IF_ERROR(Read(obj, "index", &c->index));
  std::string text;
  TRAWL_RETURN_IF_ERROR(Read(obj, "kind", &text));
  TRAWL_ASSIGN_OR_RETURN(c->kind, ParseComponentKind(text));
  TRAWL_RETURN_IF_ERROR(Read(obj, "container_format", &c->container_format));
  TRAWL_RETURN_IF_ERROR(Read(obj, "declared_size", &c->declared_size));
  TRAWL_RETURN_IF_ERROR(Read(obj, "size", &c->size));
  TRAWL_RETURN_IF_ERROR(Read(obj, "sha256", &c->sha256));
  TRAWL_RETURN_IF_ERROR(Read(obj, "content_complete", &c->content_complete));
  TRAWL_RETURN_IF_ERROR(Read(obj, "has_content", &c->has_content));
  TRAWL_RETURN_IF_ERROR(Read(obj, "media_type", &c->media_type));
  TRAWL_RETURN_IF_ERROR(Read(obj, "status", &text));
  TRAWL_ASSIGN_OR_RETURN(c->status, ParseComponentStatus(text));
  TRAWL_RETURN_IF_ERROR(Read(obj, "reason", &c->reason));
  TRAWL_RETURN_IF_ERROR(Read(obj, "duplicate_of", &c->duplicate_of));
  TRAWL_RETURN_IF_ERROR(Read(obj, "children", &c->children));
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "carved_offset", &c->carved_offset));
  if (c->carved_offset < -1) return FieldError("carved_offset", simdjson::NUMBER_OUT_OF_RANGE);
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "warnings", &c->warnings));
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "fallback_from", &c->fallback_from));
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "origin", &c->origin));
  if (!c->origin.empty() && c->origin != "after_archive" && c->origin != "after_stream" &&
      c->origin != "local_header") {
    return absl::InvalidArgumentError(StrCat("unknown component origin \"", c->origin, "\""));
  }
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "origin_offset", &c->origin_offset));
  if (c->origin_offset < -1) return FieldError("origin_offset", simdjson::NUMBER_OUT_OF_RANGE);
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "link_target", &c->link_target));
  TRAWL_RETURN_IF_ERROR(ReadOptional(obj, "unsafe_link", &c->unsafe_link));
  return absl::OkStatus();
}

}  // namespace

std::string ManifestToJson(const Manifest& m, int indent) {
  JsonWriter w(indent);
  w.BeginObject();
  w.Field("schema", m.schema);
  w.Field("package_id", m.package_id);
  w.Field("package_name", m.package_name);
  w.Field("input_bytes", m.input_bytes);
  w.Field("input_sha256", m.input_sha256);
  w.Field("complete", m.complete);
  w.Field("stopped_by", m.stopped_by);
  WriteLimits(w, m.limits);
  w.Field("entries_seen", m.entries_seen);
  w.Field("expanded_bytes", m.expanded_bytes);
  // Derived counts for people reading the manifest; the parser does not need them.
  w.Key("status_counts").BeginObject();
  for (int s = 0; s <= static_cast<int>(ComponentStatus::kUnsupported); ++s) {
    const auto status = static_cast<ComponentStatus>(s);
    uint64_t count = 0;
    for (const Component& c : m.components) count += c.status == status ? 1 : 0;
    if (count > 0) w.Field(ComponentStatusName(status), count);
  }
  w.EndObject();
  w.Key("limit_events").BeginArray();
  for (const LimitEvent& e : m.limit_events) {
    w.BeginObject();
    w.Field("limit", e.limit);
    w.Field("component", e.component_id);
    w.Field("observed", e.observed);
    w.Field("maximum", e.maximum);
    w.EndObject();
  }
  w.EndArray();
  // Optional (added within /1): written only when carving skipped something.
  if (!m.carve_skips.empty() || m.carve_skips_omitted > 0) {
    w.Key("carve_skips").BeginArray();
    for (const CarveSkip& skip : m.carve_skips) {
      w.BeginObject();
      w.Field("component", skip.component_id);
      w.Field("offset", skip.offset);
      w.Field("type", skip.type);
      w.Field("reason", skip.reason);
      w.EndObject();
    }
    w.EndArray();
    w.Field("carve_skips_omitted", m.carve_skips_omitted);
  }
  w.Key("components").BeginArray();
  for (const Component& c : m.components) WriteComponent(w, c);
  w.EndArray();
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

absl::StatusOr<Manifest> ManifestFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (auto error = parser.parse(json.data(), json.size()).get(doc)) {
    return absl::InvalidArgumentError(
        StrCat("manifest is not valid JSON: ", simdjson::error_message(error)));
  }
  object root;
  if (auto error = doc.get_object().get(root)) return FieldError("(root)", error);
  Manifest m;
  TRAWL_RETURN_IF_ERROR(Read(root, "schema", &m.schema));
  if (m.schema != kManifestSchema) {
    return absl::InvalidArgumentError(
        StrCat("unsupported manifest schema \"", m.schema, "\"; expected ", kManifestSchema));
  }
  TRAWL_RETURN_IF_ERROR(Read(root, "package_id", &m.package_id));
  TRAWL_RETURN_IF_ERROR(Read(root, "package_name", &m.package_name));
  TRAWL_RETURN_IF_ERROR(Read(root, "input_bytes", &m.input_bytes));
  TRAWL_RETURN_IF_ERROR(Read(root, "input_sha256", &m.input_sha256));
  TRAWL_RETURN_IF_ERROR(Read(root, "complete", &m.complete));
  TRAWL_RETURN_IF_ERROR(Read(root, "stopped_by", &m.stopped_by));
  object limits;
  if (auto error = root.at_key("limits").get_object().get(limits))
    return FieldError("limits", error);
  TRAWL_RETURN_IF_ERROR(ReadLimits(limits, &m.limits));
  TRAWL_RETURN_IF_ERROR(Read(root, "entries_seen", &m.entries_seen));
  TRAWL_RETURN_IF_ERROR(Read(root, "expanded_bytes", &m.expanded_bytes));
  simdjson::dom::array events;
  if (auto error = root.at_key("limit_events").get_array().get(events)) {
    return FieldError("limit_events", error);
  }
  for (element item : events) {
    object obj;
    if (auto error = item.get_object().get(obj)) return FieldError("limit_events[]", error);
    LimitEvent e;
    TRAWL_RETURN_IF_ERROR(Read(obj, "limit", &e.limit));
    TRAWL_RETURN_IF_ERROR(Read(obj, "component", &e.component_id));
    TRAWL_RETURN_IF_ERROR(Read(obj, "observed", &e.observed));
    TRAWL_RETURN_IF_ERROR(Read(obj, "maximum", &e.maximum));
    m.limit_events.push_back(std::move(e));
  }
  simdjson::dom::array skips;
  if (auto error = root.at_key("carve_skips").get_array().get(skips); !error) {
    for (element item : skips) {
      object obj;
      if (auto item_error = item.get_object().get(obj)) {
        return FieldError("carve_skips[]", item_error);
      }
      CarveSkip skip;
      TRAWL_RETURN_IF_ERROR(Read(obj, "component", &skip.component_id));
      TRAWL_RETURN_IF_ERROR(Read(obj, "offset", &skip.offset));
      TRAWL_RETURN_IF_ERROR(Read(obj, "type", &skip.type));
      TRAWL_RETURN_IF_ERROR(Read(obj, "reason", &skip.reason));
      m.carve_skips.push_back(std::move(skip));
    }
  } else if (error != simdjson::NO_SUCH_FIELD) {
    return FieldError("carve_skips", error);
  }
  TRAWL_RETURN_IF_ERROR(ReadOptional(root, "carve_skips_omitted", &m.carve_skips_omitted));
  simdjson::dom::array components;
  if (auto error = root.at_key("components").get_array().get(components)) {
    return FieldError("components", error);
  }
  for (element item : components) {
    object obj;
    if (auto error = item.get_object().get(obj)) return FieldError("components[]", error);
    Component c;
    TRAWL_RETURN_IF_ERROR(ReadComponent(obj, &c));
    m.components.push_back(std::move(c));
  }
  // Checked where it is read: every later stage relies on the accounting (unique ids,
  // parents, child counts, duplicates), and a broken one silently loses components.
  if (absl::Status valid = ValidateManifest(m); !valid.ok()) {
    return absl::InvalidArgumentError(StrCat("inconsistent manifest: ", valid.message()));
  }
  return m;
}

}  // namespace trawl
