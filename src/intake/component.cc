// File: component.cc
#include "intake/component.h"

#include <unordered_map>
#include <utility>

#include "util/enum_names.h"
#include "util/strings.h"

namespace trawl {
namespace {

constexpr EnumName<ComponentStatus> kStatusNames[] = {
    {ComponentStatus::kOk, "ok"},
    {ComponentStatus::kEncrypted, "encrypted"},
    {ComponentStatus::kCorrupt, "corrupt"},
    {ComponentStatus::kTruncated, "truncated"},
    {ComponentStatus::kLimitExceeded, "limit_exceeded"},
    {ComponentStatus::kSkippedNonRegular, "skipped_non_regular"},
    {ComponentStatus::kUnsupported, "unsupported"},
};

constexpr EnumName<ComponentKind> kKindNames[] = {
    {ComponentKind::kFile, "file"},
    {ComponentKind::kContainer, "container"},
    {ComponentKind::kDirectory, "directory"},
    {ComponentKind::kSymlink, "symlink"},
    {ComponentKind::kHardlink, "hardlink"},
    {ComponentKind::kSpecial, "special"},
};

}  // namespace

std::string_view ComponentStatusName(ComponentStatus status) {
  return NameOf(kStatusNames, status);
}

absl::StatusOr<ComponentStatus> ParseComponentStatus(std::string_view name) {
  return ParseName(kStatusNames, name, "component status");
}

std::string_view ComponentKindName(ComponentKind kind) { return NameOf(kKindNames, kind); }

absl::StatusOr<ComponentKind> ParseComponentKind(std::string_view name) {
  return ParseName(kKindNames, name, "component kind");
}

absl::Status ValidateManifest(const Manifest& manifest) {
  if (manifest.schema != kManifestSchema) {
    return absl::FailedPreconditionError(
        StrCat("manifest schema \"", manifest.schema, "\" is not ", kManifestSchema));
  }
  if (manifest.components.empty()) {
    return absl::FailedPreconditionError("manifest has no root component");
  }
  std::unordered_map<std::string_view, size_t> position;
  std::unordered_map<std::string_view, uint64_t> children;
  size_t roots = 0;
  for (size_t i = 0; i < manifest.components.size(); ++i) {
    const Component& c = manifest.components[i];
    if (c.id.empty() || !position.emplace(c.id, i).second) {
      return absl::FailedPreconditionError(
          StrCat("component id \"", c.id, "\" is empty or repeated"));
    }
    if (c.parent_id.empty()) {
      ++roots;
    } else {
      ++children[c.parent_id];
    }
  }
  if (roots != 1) {
    return absl::FailedPreconditionError(StrCat("manifest has ", roots, " roots"));
  }
  for (const Component& c : manifest.components) {
    if (!c.parent_id.empty()) {
      auto parent = position.find(c.parent_id);
      if (parent == position.end()) {
        return absl::FailedPreconditionError(
            StrCat("component ", c.id, " names a missing parent ", c.parent_id));
      }
      if (manifest.components[parent->second].depth + 1 != c.depth) {
        return absl::FailedPreconditionError(
            StrCat("component ", c.id, " depth does not follow its parent"));
      }
    }
    auto counted = children.find(c.id);
    const uint64_t listed = counted == children.end() ? 0 : counted->second;
    if (listed != c.children) {
      return absl::FailedPreconditionError(StrCat("component ", c.id, " says ", c.children,
                                                  " children but ", listed, " are listed"));
    }
    if (!c.duplicate_of.empty()) {
      auto original = position.find(c.duplicate_of);
      if (original == position.end() || manifest.components[original->second].sha256 != c.sha256 ||
          c.sha256.empty()) {
        return absl::FailedPreconditionError(StrCat("component ", c.id, " is a duplicate of ",
                                                    c.duplicate_of,
                                                    " which is missing or has other content"));
      }
      // The first copy is analysed; two copies naming each other would both be skipped.
      if (!manifest.components[original->second].duplicate_of.empty()) {
        return absl::FailedPreconditionError(StrCat("component ", c.id, " is a duplicate of ",
                                                    c.duplicate_of, ", itself a duplicate"));
      }
    }
  }
  if (manifest.entries_seen + 1 != manifest.components.size()) {
    return absl::FailedPreconditionError(StrCat("manifest saw ", manifest.entries_seen,
                                                " entries but lists ",
                                                manifest.components.size() - 1));
  }
  return absl::OkStatus();
}

}  // namespace trawl
