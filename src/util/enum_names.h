// File: enum_names.h
// Stable names of enums, both ways, from one table per enum. Documents and plans store
// names, never numbers, so a table is the single place a name is spelled:
//
//   constexpr EnumName<Tier> kTierNames[] = {{Tier::kLight, "light"}, {Tier::kHeavy, "heavy"}};
//   std::string_view TierName(Tier t) { return NameOf(kTierNames, t); }
//   absl::StatusOr<Tier> ParseTier(std::string_view n) { return ParseName(kTierNames, n, "tier"); }
#ifndef TRAWL_SRC_UTIL_ENUM_NAMES_H_
#define TRAWL_SRC_UTIL_ENUM_NAMES_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "util/strings.h"

namespace trawl {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

// The name of `value`, or "unknown" for a value the table lacks.
template <typename E, size_t N>
constexpr std::string_view NameOf(const EnumName<E> (&names)[N], E value) {
  for (const EnumName<E>& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";
}

template <typename E, size_t N>
constexpr std::optional<E> ValueOf(const EnumName<E> (&names)[N], std::string_view name) {
  for (const EnumName<E>& entry : names) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

// As ValueOf; an unknown name is kInvalidArgument: `unknown <what> "<name>"`.
template <typename E, size_t N>
absl::StatusOr<E> ParseName(const EnumName<E> (&names)[N], std::string_view name,
                            std::string_view what) {
  if (std::optional<E> value = ValueOf(names, name)) return *value;
  return absl::InvalidArgumentError(StrCat("unknown ", what, " \"", name, "\""));
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_ENUM_NAMES_H_
