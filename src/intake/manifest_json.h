// File: manifest_json.h
// The manifest's JSON form ("trawl.manifest/1", docs/manifest.md): deterministic bytes
// for identical manifests, and a strict parser back for later stages.
// Thread-safe: both functions are pure.
#ifndef TRAWL_SRC_INTAKE_MANIFEST_JSON_H_
#define TRAWL_SRC_INTAKE_MANIFEST_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "intake/component.h"
#include "util/json_writer.h"

namespace trawl {

// indent = 0: one line; > 0: pretty-printed. Field order is fixed.
std::string ManifestToJson(const Manifest& manifest, int indent = 2);

// Parses a manifest. Rejects other schemas (including future major versions), missing
// required fields and unknown enum names; unknown extra fields are ignored so that minor
// additions stay readable by older stages.
absl::StatusOr<Manifest> ManifestFromJson(std::string_view json);

// A git blob's "git" field (its introductions, the first first) and "git_more" when some
// were not listed: in the manifest, and next to report locations in that blob.
void WriteGitIntroductions(JsonWriter& w, const Component& blob);

}  // namespace trawl

#endif  // TRAWL_SRC_INTAKE_MANIFEST_JSON_H_
