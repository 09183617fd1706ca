// File: phone_numbers.h
// Phone numbers through libphonenumber: the one place trawl includes it. Candidates from
// the token pass (or a user's regex) are parsed, validated against the library's
// numbering-plan metadata and normalized to E.164.
//
// Thread-safety: all functions are thread-safe (the library's PhoneNumberUtil singleton
// is immutable after its first use).
#ifndef TRAWL_SRC_ENTITIES_PHONE_NUMBERS_H_
#define TRAWL_SRC_ENTITIES_PHONE_NUMBERS_H_

#include <string>
#include <string_view>

namespace trawl {

// The region national numbers (no '+' or international prefix) are read in when no
// default_region option says otherwise (docs/entities.md).
inline constexpr std::string_view kDefaultPhoneRegion = "US";

struct PhoneNumber {
  bool valid = false;
  std::string e164;    // "+14155552671" when valid
  std::string region;  // ISO 3166 region of the number ("US", "GB"), "001" for non-geographic
  std::string type;    // "mobile", "fixed_line", "toll_free", ...
  std::string why;     // why it is not valid
};

// Parses `text` (digits, separators, an optional leading '+', "00" or "tel:") in
// `default_region` (a two-letter region libphonenumber knows; national forms need it).
PhoneNumber ParsePhoneNumber(std::string_view text, std::string_view default_region);

// True for the two-letter regions libphonenumber has metadata for ("US", "GB", "PH", ...).
bool IsKnownPhoneRegion(std::string_view region);

}  // namespace trawl

#endif  // TRAWL_SRC_ENTITIES_PHONE_NUMBERS_H_
