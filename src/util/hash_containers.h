// File: hash_containers.h
// The hash containers trawl uses: std::unordered_map/set, with transparent string
// lookup. Not Abseil's Swiss tables: Debian's Abseil (20220623) sets a table's new
// capacity before it allocates the bigger table, so an allocation failure while growing
// leaves a table whose destructor frees memory it does not own. trawl must survive an
// allocation failure anywhere (it is the call's TRAWL_E_NOMEM, tests/capi/
// alloc_failure_test.cc), so no Swiss table holds its state.
#ifndef TRAWL_SRC_UTIL_HASH_CONTAINERS_H_
#define TRAWL_SRC_UTIL_HASH_CONTAINERS_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace trawl {

// Hashes std::string and std::string_view alike, so a lookup by view builds no string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_HASH_CONTAINERS_H_
