// File: indicator_lookup.h
// Looks entity candidates up in a database's indicator set (engine/indicator_set.h):
// every domain, IP address, URL, e-mail address and hash candidate is normalized as the
// feeds were (rules/indicator_feed.h: lowercase, live form of defanged text, no trailing
// dot) and looked up by its own value and by its parts, each way with its own match kind
// and confidence (docs/indicators.md, "How a candidate is looked up"):
//
//   exact            the value is listed (an IP:port when the port follows the IP)
//   url-host         the host of a URL candidate is a listed domain or IP
//   url-path         the path of a URL candidate is a listed request path
//   email-domain     the domain of an e-mail address is a listed domain
//   parent-domain    a parent of the domain, down to its registrable domain, is listed
//   ip-without-port  the IP is listed with a port, and is seen without it (or with another)
//   host-of-url      the domain or IP is the host of a listed URL that names no path
//   file-hash        a component's MD5, SHA-1 or SHA-256 is listed
//
// Thread-safety: pure functions over an immutable set.
#ifndef TRAWL_SRC_ENTITIES_INDICATOR_LOOKUP_H_
#define TRAWL_SRC_ENTITIES_INDICATOR_LOOKUP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/indicator_set.h"

namespace trawl {

enum class IndicatorMatch : uint8_t {
  kExact,
  kUrlHost,
  kUrlPath,
  kEmailDomain,
  kParentDomain,
  kIpWithoutPort,
  kHostOfUrl,
  kFileHash,
};
std::string_view IndicatorMatchName(IndicatorMatch match);
// The share of the indicator's confidence a match of this kind keeps: 1 for exact and
// file-hash matches, less for matches through a part (docs/indicators.md).
double IndicatorMatchWeight(IndicatorMatch match);

// What a candidate is, from its rule's entity type; nullopt for types not looked up.
enum class CandidateKind : uint8_t { kDomain, kIp, kUrl, kEmail, kMd5, kSha1, kSha256 };
std::optional<CandidateKind> CandidateKindOf(std::string_view entity);

struct IndicatorHitInfo {
  IndicatorSet::Hit hit;
  IndicatorSet::Meta meta;
  IndicatorMatch match = IndicatorMatch::kExact;
  std::string looked_up;  // the normal form that was found
  double confidence = 0;  // meta.confidence * IndicatorMatchWeight(match)
  // "maltrail lists ip 178.16.53.180 with port 18041 (family amadey, indicator/malware);
  // ip-without-port match; seen without a port": it quotes only parts of the candidate as
  // written (and a listed port), so redacting the candidate's value redacts it.
  std::string reason;
};

// Looks `value` (a candidate of `kind`, as written) up. `after` is the text that follows
// the candidate in its buffer (a few bytes suffice): ":443" there makes an IP an IP:port.
// Hits are appended to `out`, strongest match kinds first.
void LookupCandidate(const IndicatorSet& set, CandidateKind kind, std::string_view value,
                     std::string_view after, std::vector<IndicatorHitInfo>* out);

// Looks a component's digest (lowercase hex of `type`: kMd5, kSha1 or kSha256) up.
void LookupFileDigest(const IndicatorSet& set, IndicatorType type, std::string_view hex,
                      std::vector<IndicatorHitInfo>* out);

}  // namespace trawl

#endif  // TRAWL_SRC_ENTITIES_INDICATOR_LOOKUP_H_
