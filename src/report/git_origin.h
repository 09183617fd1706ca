// File: git_origin.h
// The git provenance of finding locations: a location in a blob of a git repository names
// the commits that introduced it (intake/component.h, GitIntroduction), which the JSON and
// SARIF renderings print next to the location.
#ifndef TRAWL_SRC_REPORT_GIT_ORIGIN_H_
#define TRAWL_SRC_REPORT_GIT_ORIGIN_H_

#include <string>
#include <string_view>

#include "intake/component.h"
#include "util/hash_containers.h"

namespace trawl {

// The components of a manifest that are git blobs, by id (empty for other packages).
class GitOrigins {
 public:
  explicit GitOrigins(const Manifest& manifest);
  // The blob component `component_id` names, or null.
  const Component* Find(std::string_view component_id) const;

 private:
  StringMap<const Component*> by_id_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_REPORT_GIT_ORIGIN_H_
