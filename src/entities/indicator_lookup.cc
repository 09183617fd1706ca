// File: indicator_lookup.cc
#include "entities/indicator_lookup.h"

#include <algorithm>
#include <cctype>

#include "tokens/public_suffix.h"
#include "util/strings.h"

namespace trawl {
namespace {

struct Lookup {
  const IndicatorSet& set;
  std::vector<IndicatorHitInfo>* out;
  std::string_view written;  // the candidate as written

  // `part` when the candidate spells it (ignoring case), else "it".
  std::string Shown(std::string_view part) const {
    const std::string lower_written = Lower(written);
    return lower_written.find(Lower(part)) != std::string::npos ? std::string(part) : "it";
  }
  static std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }

  // Finds (kind, key) and records each hit as `match`; returns the number of hits.
  size_t Find(uint8_t kind, std::string_view key, IndicatorMatch match, std::string_view note = {}) {
    size_t hits = 0;
    set.Find(kind, key, [&](const IndicatorSet::Hit& hit) {
      ++hits;
      IndicatorHitInfo info;
      info.hit = hit;
      info.meta = set.meta(hit.meta);
      info.match = match;
      info.looked_up = std::string(key);
      info.confidence = info.meta.confidence * IndicatorMatchWeight(match);
      const std::string family =
          info.meta.family.empty() ? std::string() : StrCat("family ", info.meta.family, ", ");
      // The reason quotes only parts of the candidate as written (what a report without
      // values redacts, analyze/component_analyzer.h) and the port of an IP:port.
      std::string listed;
      if (hit.type == IndicatorType::kIpPort) {
        const size_t colon = hit.value.rfind(':');
        std::string_view ip = hit.value.substr(0, colon);
        if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
        listed = StrCat("ip ", Shown(ip), " with port ", hit.value.substr(colon + 1));
      } else {
        listed = StrCat(IndicatorTypeName(hit.type), " ", Shown(hit.value));
      }
      info.reason = StrCat(info.meta.feed, " lists ", listed, " (", family, info.meta.category,
                           "); ", IndicatorMatchName(match), " match", note.empty() ? "" : "; ",
                           note);
      out->push_back(std::move(info));
    });
    return hits;
  }

  // The domain itself, then its parents down to the registrable domain.
  void Domain(std::string_view domain, IndicatorMatch self_match) {
    Find(KeyKindOf(IndicatorType::kDomain), domain, self_match);
    Find(KeyKindOf(IndicatorKey::kHostOfUrl), domain, IndicatorMatch::kHostOfUrl);
    // Parents only when there is one above the registrable domain to find: a name of
    // two labels has none, and the Public Suffix List is asked only for longer ones.
    if (std::count(domain.begin(), domain.end(), '.') < 2) return;
    const std::optional<std::string> registrable = tokens::RegistrableDomainOf(domain);
    if (!registrable || registrable->size() >= domain.size()) return;
    std::string_view parent = domain;
    while (parent.size() > registrable->size()) {
      parent.remove_prefix(parent.find('.') + 1);
      Find(KeyKindOf(IndicatorType::kDomain), parent, IndicatorMatch::kParentDomain,
           "a parent of the candidate");
    }
  }

  // An IP (canonical form); `port` when the candidate is followed by one.
  void Ip(std::string_view ip, IndicatorType family, std::optional<uint32_t> port,
          IndicatorMatch self_match) {
    Find(KeyKindOf(family), ip, self_match);
    size_t with_port = 0;
    if (port) {
      const std::string ip_port = family == IndicatorType::kIpv6 ? StrCat("[", ip, "]:", *port)
                                                                 : StrCat(ip, ":", *port);
      with_port = Find(KeyKindOf(IndicatorType::kIpPort), ip_port, self_match);
    }
    if (with_port == 0) {
      Find(KeyKindOf(IndicatorKey::kIpOfIpPort), ip, IndicatorMatch::kIpWithoutPort,
           port ? StrCat("seen with port ", *port, ", listed with another")
                : std::string("seen without a port"));
    }
    Find(KeyKindOf(IndicatorKey::kHostOfUrl), ip, IndicatorMatch::kHostOfUrl);
  }

  // A host of a URL or an e-mail address: a domain or an IP.
  void Host(std::string_view host, std::optional<uint32_t> port, IndicatorMatch match) {
    std::string_view bare = host;
    if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
      bare = bare.substr(1, bare.size() - 2);
    }
    auto ip = NormalizeIndicator(bare, IndicatorType::kIpv4);
    if (ip.ok()) {
      Ip(ip->value, ip->type, port, match);
    } else {
      Domain(host, match);
    }
  }
};

std::optional<uint32_t> PortAfter(std::string_view after) {
  if (!after.empty() && after.front() == ']') after.remove_prefix(1);
  if (after.size() < 2 || after.front() != ':') return std::nullopt;
  uint32_t port = 0;
  size_t i = 1;
  for (; i < after.size() && i <= 5 && after[i] >= '0' && after[i] <= '9'; ++i) {
    port = port * 10 + static_cast<uint32_t>(after[i] - '0');
  }
  if (i == 1 || (i < after.size() && after[i] >= '0' && after[i] <= '9')) return std::nullopt;
  if (port == 0 || port > 65535) return std::nullopt;
  return port;
}

}  // namespace

std::string_view IndicatorMatchName(IndicatorMatch match) {
  switch (match) {
    case IndicatorMatch::kExact: return "exact";
    case IndicatorMatch::kUrlHost: return "url-host";
    case IndicatorMatch::kUrlPath: return "url-path";
    case IndicatorMatch::kEmailDomain: return "email-domain";
    case IndicatorMatch::kParentDomain: return "parent-domain";
    case IndicatorMatch::kIpWithoutPort: return "ip-without-port";
    case IndicatorMatch::kHostOfUrl: return "host-of-url";
    case IndicatorMatch::kFileHash: return "file-hash";
  }
  return "exact";
}

double IndicatorMatchWeight(IndicatorMatch match) {
  switch (match) {
    case IndicatorMatch::kExact:
    case IndicatorMatch::kFileHash:
    case IndicatorMatch::kUrlHost: return 1.0;
    case IndicatorMatch::kHostOfUrl: return 0.9;
    case IndicatorMatch::kEmailDomain: return 0.85;
    case IndicatorMatch::kIpWithoutPort: return 0.7;
    case IndicatorMatch::kUrlPath: return 0.6;
    case IndicatorMatch::kParentDomain: return 0.6;
  }
  return 1.0;
}

std::optional<CandidateKind> CandidateKindOf(std::string_view entity) {
  if (entity == "domain") return CandidateKind::kDomain;
  if (entity == "ipv4" || entity == "ipv6" || entity == "ip") return CandidateKind::kIp;
  if (entity == "url") return CandidateKind::kUrl;
  if (entity == "email") return CandidateKind::kEmail;
  if (entity == "md5") return CandidateKind::kMd5;
  if (entity == "sha1") return CandidateKind::kSha1;
  if (entity == "sha256") return CandidateKind::kSha256;
  return std::nullopt;
}

void LookupCandidate(const IndicatorSet& set, CandidateKind kind, std::string_view value,
                     std::string_view after, std::vector<IndicatorHitInfo>* out) {
  Lookup lookup{set, out, value};
  switch (kind) {
    case CandidateKind::kDomain: {
      auto domain = NormalizeIndicator(value, IndicatorType::kDomain);
      if (domain.ok()) lookup.Domain(domain->value, IndicatorMatch::kExact);
      return;
    }
    case CandidateKind::kIp: {
      auto ip = NormalizeIndicator(value, IndicatorType::kIpv4);
      if (ip.ok()) lookup.Ip(ip->value, ip->type, PortAfter(after), IndicatorMatch::kExact);
      return;
    }
    case CandidateKind::kUrl: {
      auto url = NormalizeIndicator(value, IndicatorType::kUrl);
      if (!url.ok()) return;
      lookup.Find(KeyKindOf(IndicatorType::kUrl), url->value, IndicatorMatch::kExact);
      const std::string_view normal = url->value;
      const size_t rest = normal.find_first_of("/?");
      std::string_view authority = normal.substr(0, rest);
      std::optional<uint32_t> port;
      const size_t close = authority.find(']');
      const size_t colon = authority.rfind(':');
      if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        port = PortAfter(authority.substr(colon));
        authority = authority.substr(0, colon);
      }
      lookup.Host(authority, port, IndicatorMatch::kUrlHost);
      if (rest != std::string_view::npos && normal[rest] == '/') {
        const std::string_view path = normal.substr(rest);
        lookup.Find(KeyKindOf(IndicatorType::kUrlPath), path, IndicatorMatch::kUrlPath);
        if (const size_t query = path.find('?'); query != std::string_view::npos) {
          lookup.Find(KeyKindOf(IndicatorType::kUrlPath), path.substr(0, query),
                      IndicatorMatch::kUrlPath);
        }
      }
      return;
    }
    case CandidateKind::kEmail: {
      auto email = NormalizeIndicator(value, IndicatorType::kEmail);
      if (!email.ok()) return;
      lookup.Find(KeyKindOf(IndicatorType::kEmail), email->value, IndicatorMatch::kExact);
      const std::string_view domain = std::string_view(email->value).substr(email->value.rfind('@') + 1);
      lookup.Domain(domain, IndicatorMatch::kEmailDomain);
      return;
    }
    case CandidateKind::kMd5:
    case CandidateKind::kSha1:
    case CandidateKind::kSha256: {
      const IndicatorType type = kind == CandidateKind::kMd5    ? IndicatorType::kMd5
                                 : kind == CandidateKind::kSha1 ? IndicatorType::kSha1
                                                                : IndicatorType::kSha256;
      if (!set.HasType(type)) return;
      auto hash = NormalizeIndicator(value, type);
      if (hash.ok()) lookup.Find(KeyKindOf(type), hash->value, IndicatorMatch::kExact);
      return;
    }
  }
}

void LookupFileDigest(const IndicatorSet& set, IndicatorType type, std::string_view hex,
                      std::vector<IndicatorHitInfo>* out) {
  Lookup lookup{set, out, hex};
  lookup.Find(KeyKindOf(type), hex, IndicatorMatch::kFileHash, "the component's digest");
}

}  // namespace trawl
