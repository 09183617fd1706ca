// File: indicator_feed.h
// Threat-indicator feeds: exact values (domains, IP addresses, IP:port, URLs, URL paths,
// file hashes, e-mail addresses) with their metadata (feed, family, category, severity,
// confidence, source), read from the feed formats of docs/indicators.md: trawl's
// indicator TSV (the shipped packs), plain text (one value a line), CSV with a value
// column, STIX 2.1 indicator bundles (simple equality patterns) and MISP warninglists and
// feed events. Every entry of a feed ends in exactly one of loaded, duplicate or
// unsupported (with its line or entry number and the reason); nothing is dropped silently.
//
// Indicators are not compiled into the engine: the compiler stores them in the
// database's indicator set (engine/indicator_set.h), looked up from entity candidates
// (entities/indicator_lookup.h). Both sides normalize with NormalizeIndicator(), so a
// feed value and a candidate meet in one form.
//
// Thread-safety: pure functions.
#ifndef TRAWL_SRC_RULES_INDICATOR_FEED_H_
#define TRAWL_SRC_RULES_INDICATOR_FEED_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/definition.h"

namespace trawl {

// Values are stored in artifacts: never renumber.
enum class IndicatorType : uint8_t {
  kDomain = 0,
  kIpv4 = 1,
  kIpv6 = 2,
  kIpPort = 3,   // "1.2.3.4:443", "[2001:db8::1]:443"
  kUrl = 4,      // scheme-less: "host[:port]/path?query" (docs/indicators.md)
  kUrlPath = 5,  // "/path" of a request, any host
  kMd5 = 6,
  kSha1 = 7,
  kSha256 = 8,
  kEmail = 9,
};
inline constexpr uint8_t kIndicatorTypeCount = 10;

std::string_view IndicatorTypeName(IndicatorType type);
std::optional<IndicatorType> IndicatorTypeFromName(std::string_view name);

// The normal form of `text` as an indicator of `type`, or, when `type` is nullopt, of the
// type it has (a hash by its length, an IP, IP:port, URL, e-mail, else a domain).
// Lowercase; defanged forms made live ("hxxp", "[.]", "(.)", "[dot]", "[@]", "[:]");
// domains without a trailing dot; IP addresses in inet_ntop form (RFC 5952 for IPv6);
// URLs without scheme, user info, fragment, default port (80, 443) and a lone "/" path.
// InvalidArgument saying why when it is not one.
struct NormalizedIndicator {
  IndicatorType type = IndicatorType::kDomain;
  std::string value;
};
absl::StatusOr<NormalizedIndicator> NormalizeIndicator(std::string_view text,
                                                       std::optional<IndicatorType> type);

// What a feed says about its indicators. Several indicators share one (feeds repeat
// their families), so the indicator set stores each distinct one once.
struct IndicatorMeta {
  std::string feed;      // "maltrail", or the name given when the feed was added
  std::string family;    // malware family, trail or campaign; may be empty
  std::string category;  // "indicator/malware", "indicator/malicious", ...
  Severity severity = Severity::kHigh;
  double confidence = 0.7;
  std::string source;    // reference: the feed's file, URL or object id
  bool operator==(const IndicatorMeta&) const = default;
};

struct Indicator {
  IndicatorType type = IndicatorType::kDomain;
  std::string value;  // normal form
  uint32_t meta = 0;  // index into the feed's metas
  uint64_t line = 0;  // where the feed lists it (FeedIssue::line)
};

enum class FeedFormat : uint8_t { kAuto, kTrawlTsv, kText, kCsv, kStix, kMisp };
std::string_view FeedFormatName(FeedFormat format);
std::optional<FeedFormat> FeedFormatFromName(std::string_view name);

// One entry that was not loaded. `line` is the 1-based line of the entry in a text, CSV
// or TSV feed, and the 1-based position of the object in a JSON feed (its STIX indicator
// or MISP attribute, in document order).
struct FeedIssue {
  uint64_t line = 0;
  std::string value;  // the entry as written (cut at 200 bytes)
  std::string reason;
  bool duplicate = false;  // a repeat of an earlier entry of the same feed, not an error
};

struct FeedLoad {
  std::string file;
  std::string feed;
  FeedFormat format = FeedFormat::kAuto;  // the format that was read
  std::vector<IndicatorMeta> metas;
  std::vector<Indicator> indicators;  // distinct (type, value) pairs, in feed order
  uint64_t entries = 0;               // loaded + duplicates + unsupported
  uint64_t duplicates = 0;
  uint64_t unsupported = 0;
  std::vector<FeedIssue> issues;  // every duplicate and unsupported entry
  // "loaded 10 of 12 entries (1 duplicate, 1 unsupported)"
  std::string Summary() const;
};

// Defaults for what a feed does not say itself. The TSV packs and STIX/MISP carry most of
// it; plain text and CSV carry only values.
struct FeedOptions {
  std::string feed;  // "" = the file name without directories and extensions
  FeedFormat format = FeedFormat::kAuto;
  std::string family;
  std::string category = "indicator/malicious";
  Severity severity = Severity::kHigh;
  double confidence = 0.7;
  // CSV: the column holding the value, by header name or 0-based index ("" = the first
  // column whose header is value, indicator, ioc, domain, ip, url, hash, sha256, md5,
  // sha1 or email, else column 0). Columns named type, family, category, severity,
  // confidence and source are read when present.
  std::string csv_column;
};

// Reads a feed already in memory. `file` names it in issues and picks the format when
// options.format is kAuto (by content first: "#trawl-indicators", a JSON object, a CSV
// header; then by extension). Errors only when the feed as a whole cannot be read (not
// JSON, no value column); bad entries are issues.
absl::StatusOr<FeedLoad> ParseFeed(std::string_view bytes, std::string_view file,
                                   const FeedOptions& options);
// As ParseFeed, from a file (".gz" and ".xz" are decompressed). ErrorCode::kIo when it
// cannot be read, kParse when the feed as a whole cannot be read.
absl::StatusOr<FeedLoad> LoadFeedFile(const std::string& path, const FeedOptions& options);

// True when `bytes` start as trawl's indicator TSV ("#trawl-indicators").
bool IsIndicatorPack(std::string_view bytes);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_INDICATOR_FEED_H_
