// File: git_origin.cc
#include "report/git_origin.h"

namespace trawl {

GitOrigins::GitOrigins(const Manifest& manifest) {
  for (const Component& c : manifest.components) {
    if (!c.git.empty()) by_id_.emplace(c.id, &c);
  }
}

const Component* GitOrigins::Find(std::string_view component_id) const {
  if (by_id_.empty()) return nullptr;
  auto it = by_id_.find(component_id);
  return it == by_id_.end() ? nullptr : it->second;
}

}  // namespace trawl
