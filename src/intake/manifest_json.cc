// File: manifest_json.cc
#include "intake/manifest_json.h"

#include <array>
#include <vector>

#include "json/json.h"
#include "util/json_writer.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Every error names the field: "manifest field \"<key>\": ...".
json::FieldReader Fields(const json::Object& obj) { return json::FieldReader(obj, "manifest"); }

// Fields added to trawl.manifest/1 after its first release are optional on read: a
// manifest written before them still parses, with the defaults.
constexpr bool kOptional = false;

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

absl::Status ReadLimits(const json::Object& obj, DecomposeLimits* l) {
  const json::FieldReader r = Fields(obj);
  TRAWL_RETURN_IF_ERROR(r.Read("max_total_bytes", &l->max_total_bytes));
  TRAWL_RETURN_IF_ERROR(r.Read("max_expansion_ratio", &l->max_expansion_ratio));
  TRAWL_RETURN_IF_ERROR(r.Read("ratio_grace_bytes", &l->ratio_grace_bytes));
  TRAWL_RETURN_IF_ERROR(r.Read("max_entries", &l->max_entries));
  TRAWL_RETURN_IF_ERROR(r.Read("max_depth", &l->max_depth));
  TRAWL_RETURN_IF_ERROR(r.Read("max_path_length", &l->max_path_length));
  TRAWL_RETURN_IF_ERROR(r.Read("max_component_bytes", &l->max_component_bytes));
  TRAWL_RETURN_IF_ERROR(r.Read("max_carve_depth", &l->max_carve_depth, kOptional));
  TRAWL_RETURN_IF_ERROR(
      r.Read("max_carves_per_component", &l->max_carves_per_component, kOptional));
  TRAWL_RETURN_IF_ERROR(r.Read("max_carve_scan_bytes", &l->max_carve_scan_bytes, kOptional));
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
  if (!c.git.empty()) WriteGitIntroductions(w, c);
  w.EndObject();
}

absl::Status ReadGit(const json::Object& obj, Component* c) {
  const json::FieldReader r = Fields(obj);
  json::Value value;
  if (obj.Find("git", &value) != json::Error::kOk) return absl::OkStatus();  // optional
  json::Array items;
  TRAWL_RETURN_IF_ERROR(r.Read("git", &items));
  for (json::Value item : items) {
    json::Object entry;
    if (const json::Error error = item.Get(&entry); error != json::Error::kOk) {
      return r.FieldError("git[]", error);
    }
    const json::FieldReader fields = Fields(entry);
    GitIntroduction g;
    TRAWL_RETURN_IF_ERROR(fields.Read("commit", &g.commit));
    TRAWL_RETURN_IF_ERROR(fields.Read("path", &g.path));
    TRAWL_RETURN_IF_ERROR(fields.Read("author", &g.author));
    TRAWL_RETURN_IF_ERROR(fields.Read("date", &g.date));
    c->git.push_back(std::move(g));
  }
  return r.Read("git_more", &c->git_more, kOptional);
}

absl::Status ReadComponent(const json::Object& obj, Component* c) {
  const json::FieldReader r = Fields(obj);
  TRAWL_RETURN_IF_ERROR(r.Read("id", &c->id));
  TRAWL_RETURN_IF_ERROR(r.Read("parent", &c->parent_id));
  TRAWL_RETURN_IF_ERROR(r.Read("path", &c->path));
  TRAWL_RETURN_IF_ERROR(r.Read("name", &c->name));
  TRAWL_RETURN_IF_ERROR(r.Read("unsafe_path", &c->unsafe_path));
  TRAWL_RETURN_IF_ERROR(r.Read("depth", &c->depth));
  TRAWL_RETURN_IF_ERROR(r.Read("index", &c->index));
  std::string text;
  TRAWL_RETURN_IF_ERROR(r.Read("kind", &text));
  TRAWL_ASSIGN_OR_RETURN(c->kind, ParseComponentKind(text));
  TRAWL_RETURN_IF_ERROR(r.Read("container_format", &c->container_format));
  TRAWL_RETURN_IF_ERROR(r.Read("declared_size", &c->declared_size));
  TRAWL_RETURN_IF_ERROR(r.Read("size", &c->size));
  TRAWL_RETURN_IF_ERROR(r.Read("sha256", &c->sha256));
  TRAWL_RETURN_IF_ERROR(r.Read("content_complete", &c->content_complete));
  TRAWL_RETURN_IF_ERROR(r.Read("has_content", &c->has_content));
  TRAWL_RETURN_IF_ERROR(r.Read("media_type", &c->media_type));
  TRAWL_RETURN_IF_ERROR(r.Read("status", &text));
  TRAWL_ASSIGN_OR_RETURN(c->status, ParseComponentStatus(text));
  TRAWL_RETURN_IF_ERROR(r.Read("reason", &c->reason));
  TRAWL_RETURN_IF_ERROR(r.Read("duplicate_of", &c->duplicate_of));
  TRAWL_RETURN_IF_ERROR(r.Read("children", &c->children));
  TRAWL_RETURN_IF_ERROR(r.Read("carved_offset", &c->carved_offset, kOptional));
  if (c->carved_offset < -1) return r.FieldError("carved_offset", json::Error::kNumberOutOfRange);
  TRAWL_RETURN_IF_ERROR(r.Read("warnings", &c->warnings, kOptional));
  TRAWL_RETURN_IF_ERROR(r.Read("fallback_from", &c->fallback_from, kOptional));
  TRAWL_RETURN_IF_ERROR(r.Read("origin", &c->origin, kOptional));
  if (!c->origin.empty() && c->origin != "after_archive" && c->origin != "after_stream" &&
      c->origin != "local_header") {
    return absl::InvalidArgumentError(StrCat("unknown component origin \"", c->origin, "\""));
  }
  TRAWL_RETURN_IF_ERROR(r.Read("origin_offset", &c->origin_offset, kOptional));
  if (c->origin_offset < -1) return r.FieldError("origin_offset", json::Error::kNumberOutOfRange);
  TRAWL_RETURN_IF_ERROR(r.Read("link_target", &c->link_target, kOptional));
  TRAWL_RETURN_IF_ERROR(r.Read("unsafe_link", &c->unsafe_link, kOptional));
  return ReadGit(obj, c);
}

}  // namespace

void WriteGitIntroductions(JsonWriter& w, const Component& blob) {
  w.Key("git").BeginArray();
  for (const GitIntroduction& g : blob.git) {
    w.BeginObject().Field("commit", g.commit).Field("path", g.path);
    w.Field("author", g.author).Field("date", g.date).EndObject();
  }
  w.EndArray();
  if (blob.git_more > 0) w.Field("git_more", blob.git_more);
}

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

namespace {

absl::StatusOr<Manifest> ReadManifest(std::string_view text) {
  json::Parser parser;
  json::Object root;
  TRAWL_RETURN_IF_ERROR(json::ParseObject(parser, text, "manifest", &root));
  const json::FieldReader r = Fields(root);
  Manifest m;
  TRAWL_RETURN_IF_ERROR(r.Read("schema", &m.schema));
  if (m.schema != kManifestSchema) {
    return absl::InvalidArgumentError(
        StrCat("unsupported manifest schema \"", m.schema, "\"; expected ", kManifestSchema));
  }
  TRAWL_RETURN_IF_ERROR(r.Read("package_id", &m.package_id));
  TRAWL_RETURN_IF_ERROR(r.Read("package_name", &m.package_name));
  TRAWL_RETURN_IF_ERROR(r.Read("input_bytes", &m.input_bytes));
  TRAWL_RETURN_IF_ERROR(r.Read("input_sha256", &m.input_sha256));
  TRAWL_RETURN_IF_ERROR(r.Read("complete", &m.complete));
  TRAWL_RETURN_IF_ERROR(r.Read("stopped_by", &m.stopped_by));
  json::Object limits;
  TRAWL_RETURN_IF_ERROR(r.Read("limits", &limits));
  TRAWL_RETURN_IF_ERROR(ReadLimits(limits, &m.limits));
  TRAWL_RETURN_IF_ERROR(r.Read("entries_seen", &m.entries_seen));
  TRAWL_RETURN_IF_ERROR(r.Read("expanded_bytes", &m.expanded_bytes));
  json::Array events;
  TRAWL_RETURN_IF_ERROR(r.Read("limit_events", &events));
  for (json::Value item : events) {
    json::Object obj;
    if (const json::Error error = item.Get(&obj); error != json::Error::kOk) {
      return r.FieldError("limit_events[]", error);
    }
    const json::FieldReader fields = Fields(obj);
    LimitEvent e;
    TRAWL_RETURN_IF_ERROR(fields.Read("limit", &e.limit));
    TRAWL_RETURN_IF_ERROR(fields.Read("component", &e.component_id));
    TRAWL_RETURN_IF_ERROR(fields.Read("observed", &e.observed));
    TRAWL_RETURN_IF_ERROR(fields.Read("maximum", &e.maximum));
    m.limit_events.push_back(std::move(e));
  }
  json::Value skips_value;
  if (root.Find("carve_skips", &skips_value) == json::Error::kOk) {  // optional
    json::Array skips;
    TRAWL_RETURN_IF_ERROR(r.Read("carve_skips", &skips));
    for (json::Value item : skips) {
      json::Object obj;
      if (const json::Error item_error = item.Get(&obj); item_error != json::Error::kOk) {
        return r.FieldError("carve_skips[]", item_error);
      }
      const json::FieldReader fields = Fields(obj);
      CarveSkip skip;
      TRAWL_RETURN_IF_ERROR(fields.Read("component", &skip.component_id));
      TRAWL_RETURN_IF_ERROR(fields.Read("offset", &skip.offset));
      TRAWL_RETURN_IF_ERROR(fields.Read("type", &skip.type));
      TRAWL_RETURN_IF_ERROR(fields.Read("reason", &skip.reason));
      m.carve_skips.push_back(std::move(skip));
    }
  }
  TRAWL_RETURN_IF_ERROR(r.Read("carve_skips_omitted", &m.carve_skips_omitted, kOptional));
  json::Array components;
  TRAWL_RETURN_IF_ERROR(r.Read("components", &components));
  for (json::Value item : components) {
    json::Object obj;
    if (const json::Error error = item.Get(&obj); error != json::Error::kOk) {
      return r.FieldError("components[]", error);
    }
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

}  // namespace

absl::StatusOr<Manifest> ManifestFromJson(std::string_view text) {
  return WithDefaultCode(ReadManifest(text), ErrorCode::kParse);
}

}  // namespace trawl
