// File: public_suffix.h
// The Public Suffix List, through libpsl's built-in copy: the one place trawl calls
// libpsl (the token pass asks whether a label is a top-level suffix; the domain, e-mail
// and URL validators ask for registrable domains).
//
// Thread-safety: all functions are thread-safe (libpsl's built-in context is immutable).
#ifndef TRAWL_SRC_TOKENS_PUBLIC_SUFFIX_H_
#define TRAWL_SRC_TOKENS_PUBLIC_SUFFIX_H_

#include <optional>
#include <string>
#include <string_view>

namespace trawl::tokens {

// True when the list has libpsl data at all (a distribution may build libpsl without
// the built-in list; then the data file is loaded once).
bool PublicSuffixListAvailable();

enum class SuffixSection : unsigned char { kAny, kIcann, kPrivate };

// True when `lowercase_name` is itself listed as a public suffix in `section` (no
// implicit "*" rule: an unknown top-level label is not a suffix).
bool IsListedSuffix(std::string_view lowercase_name, SuffixSection section = SuffixSection::kAny);

// The registrable domain (eTLD+1) of a lowercase host ("a.b.example.co.uk" ->
// "example.co.uk"); nullopt when the host is itself a suffix or has no listed one.
std::optional<std::string> RegistrableDomainOf(std::string_view lowercase_host);

}  // namespace trawl::tokens

#endif  // TRAWL_SRC_TOKENS_PUBLIC_SUFFIX_H_
