// File: validators.h
// Validators confirm or reject a candidate that a pattern found: checksums (Luhn, IBAN
// mod-97, Base58Check, Bech32), parsers (IP addresses, URLs, JWT headers, connection
// strings) and range rules (US SSN areas, E.164 country codes). Each validator is a pure
// function of the candidate bytes, registered by name; rule files name them in their
// `validator` field (docs/rules.md, docs/entities.md).
//
// Thread-safety: everything here is stateless or immutable after static initialisation,
// so any function may be called concurrently.
#ifndef TRAWL_SRC_ENTITIES_VALIDATORS_H_
#define TRAWL_SRC_ENTITIES_VALIDATORS_H_

#include "util/entropy.h"  // ShannonEntropy
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace trawl {

struct ValidationResult {
  bool valid = false;
  // Canonical form of the value (digits only for card numbers, RFC 5952 text for IPv6,
  // lowercase host for URLs, ...). Empty when the candidate did not parse.
  std::string normalized;
  std::string validator;  // the validator that ran
  // Why it failed, or what it learned ("visa", "bech32m segwit v1", "private,loopback").
  std::string detail;
  // Change to the rule's confidence that the validator suggests even when `valid`:
  // negative for known test values and documentation ranges, positive for checksums.
  double confidence_delta = 0.0;
};

// What a validator may need besides the candidate. Defaults are the documented ones.
struct ValidateOptions {
  // Region national phone numbers are read in (two letters, libphonenumber's regions);
  // empty means kDefaultPhoneRegion.
  std::string_view default_region;
};

using ValidatorFn = ValidationResult (*)(std::string_view candidate);
using ValidatorWithOptionsFn = ValidationResult (*)(std::string_view candidate,
                                                    const ValidateOptions& options);

struct Validator {
  std::string_view name;
  std::string_view description;
  ValidatorFn fn;                               // null when the validator takes options
  ValidatorWithOptionsFn with_options = nullptr;
};

// All registered validators, sorted by name.
std::span<const Validator> AllValidators();
// nullptr when no validator has that name.
const Validator* FindValidator(std::string_view name);
// OK for a known name and for the empty name (no validator); InvalidArgument naming the
// unknown validator and listing the known ones otherwise. Rule loaders call this.
absl::Status CheckValidatorName(std::string_view name);
// Runs the named validator. An unknown name yields valid=false with a detail saying so
// (loaders reject unknown names earlier through CheckValidatorName).
ValidationResult Validate(std::string_view name, std::string_view candidate,
                          const ValidateOptions& options = {});

// ---- Helpers the validators are built from, exposed for tests and other stages. ----

// Shannon entropy of the byte distribution, in bits per byte (0 for empty input).

// Luhn mod-10 over the decimal digits of `digits` (other bytes are ignored).
// False when there are no digits.
bool LuhnValid(std::string_view digits);

// ISO 13616 IBAN length for a two-letter country code; 0 when the country has none.
int IbanLengthForCountry(std::string_view country);

// Base58 (bitcoin alphabet) decoding; nullopt on a character outside the alphabet.
std::optional<std::vector<uint8_t>> Base58Decode(std::string_view text);

enum class Bech32Encoding : uint8_t { kNone = 0, kBech32 = 1, kBech32m = 2 };
struct Bech32Decoded {
  Bech32Encoding encoding = Bech32Encoding::kNone;
  std::string hrp;            // lowercase
  std::vector<uint8_t> data;  // 5-bit groups, checksum removed
};
// BIP-173 / BIP-350 decoding; encoding kNone when the string is not valid in either.
Bech32Decoded Bech32Decode(std::string_view text);

// IP address ranges that are not globally routable (or are special), as bit flags.
enum IpRange : uint32_t {
  kIpPrivate = 1u << 0,        // RFC 1918
  kIpLoopback = 1u << 1,       // 127/8, ::1
  kIpLinkLocal = 1u << 2,      // 169.254/16, fe80::/10
  kIpUniqueLocal = 1u << 3,    // fc00::/7 (RFC 4193)
  kIpDocumentation = 1u << 4,  // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  kIpSharedCgnat = 1u << 5,    // 100.64/10 (RFC 6598)
  kIpMulticast = 1u << 6,      // 224/4, ff00::/8
  kIpUnspecified = 1u << 7,    // 0.0.0.0, ::
  kIpReserved = 1u << 8,       // 0/8, 240/4, 192.0.0/24, 100::/64 discard
  kIpBroadcast = 1u << 9,      // 255.255.255.255
  kIpBenchmarking = 1u << 10,  // 198.18/15, 2001:2::/48
  kIpV4Mapped = 1u << 11,      // ::ffff:0:0/96 (flags of the embedded address are added)
  kIpTranslation = 1u << 12,   // 64:ff9b::/96, 2002::/16 (6to4), 2001::/32 (Teredo)
};
// Comma-separated names of the set flags ("private,loopback"); "" when none.
std::string IpRangeNames(uint32_t ranges);

struct IpAddress {
  int family = 0;                   // 4 or 6
  std::array<uint8_t, 16> bytes{};  // first 4 used for IPv4
  std::string canonical;            // inet_ntop text (RFC 5952 for IPv6), zone kept as "%zone"
  uint32_t ranges = 0;              // IpRange bits
  bool IsGlobal() const { return ranges == 0 || ranges == kIpTranslation; }
};
// Parses dotted-quad IPv4 or any RFC 4291 IPv6 text form (`::`, embedded IPv4, optional
// [brackets] and %zone). nullopt when it is not an address.
std::optional<IpAddress> ParseIp(std::string_view text);

// Registrable domain (eTLD+1) through the Public Suffix List compiled into libpsl, e.g.
// "a.b.example.co.uk" -> "example.co.uk". nullopt when the host is itself a public
// suffix or the top-level label is not a known suffix.
std::optional<std::string> RegistrableDomain(std::string_view host);

// Decodes base64 (standard or URL alphabet, padding optional). nullopt on bad input.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace trawl

#endif  // TRAWL_SRC_ENTITIES_VALIDATORS_H_
