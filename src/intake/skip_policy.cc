// File: skip_policy.cc
#include "intake/skip_policy.h"

#include "util/strings.h"

namespace trawl {

std::optional<std::string> SkipReason(const Component& component) {
  if (!component.duplicate_of.empty()) return StrCat("duplicate of ", component.duplicate_of);
  if (component.has_content) return std::nullopt;
  const std::string_view status = ComponentStatusName(component.status);
  switch (component.kind) {
    case ComponentKind::kContainer:
      if (component.status == ComponentStatus::kOk) {
        return std::string("expanded container (its entries are components)");
      }
      return StrCat("expanded container (its entries are components); listing incomplete: ", status,
                    ": ", component.reason);
    case ComponentKind::kFile:
      return StrCat("no content: ", status, component.reason.empty() ? "" : ": ", component.reason);
    default:
      return StrCat(ComponentKindName(component.kind), component.reason.empty() ? "" : ": ",
                    component.reason);
  }
}

std::optional<std::string> IncompleteReason(const Component& component) {
  if (component.status == ComponentStatus::kOk ||
      component.status == ComponentStatus::kSkippedNonRegular) {
    return std::nullopt;
  }
  return StrCat(ComponentStatusName(component.status), ": ", component.reason);
}

}  // namespace trawl
