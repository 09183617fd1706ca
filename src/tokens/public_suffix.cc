// File: public_suffix.cc
#include "tokens/public_suffix.h"

#include <libpsl.h>

namespace trawl::tokens {
namespace {

const psl_ctx_t* Psl() {
  // The list compiled into libpsl; distributions built without one still ship the data
  // file, which psl_latest() loads once and keeps for the life of the process.
  static const psl_ctx_t* const psl = [] {
    const psl_ctx_t* builtin = psl_builtin();
    return builtin != nullptr ? builtin : static_cast<const psl_ctx_t*>(psl_latest(nullptr));
  }();
  return psl;
}

int TypeOf(SuffixSection section) {
  switch (section) {
    case SuffixSection::kIcann: return PSL_TYPE_ICANN;
    case SuffixSection::kPrivate: return PSL_TYPE_PRIVATE;
    default: return PSL_TYPE_ANY;
  }
}

}  // namespace

bool PublicSuffixListAvailable() { return Psl() != nullptr; }

bool IsListedSuffix(std::string_view lowercase_name, SuffixSection section) {
  const psl_ctx_t* psl = Psl();
  if (psl == nullptr) return false;
  const std::string name(lowercase_name);  // libpsl wants a NUL-terminated string
  return psl_is_public_suffix2(psl, name.c_str(), TypeOf(section) | PSL_TYPE_NO_STAR_RULE) != 0;
}

std::optional<std::string> RegistrableDomainOf(std::string_view lowercase_host) {
  const psl_ctx_t* psl = Psl();
  if (psl == nullptr) return std::nullopt;
  const std::string host(lowercase_host);
  const char* reg = psl_registrable_domain(psl, host.c_str());
  if (reg == nullptr) return std::nullopt;
  return std::string(reg);
}

}  // namespace trawl::tokens
