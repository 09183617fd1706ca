// File: indicator_feed.cc
// Normalization and the line-based feed formats (trawl TSV, plain text, CSV). The JSON
// formats (STIX 2.1, MISP) are read in indicator_feed_json.cc, the one place that parses
// feed JSON.
#include "rules/indicator_feed.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/hash_containers.h"
#include "rules/internal/feed_builder.h"
#include "util/file.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

constexpr std::string_view kTypeNames[kIndicatorTypeCount] = {
    "domain", "ipv4", "ipv6", "ip_port", "url", "url_path", "md5", "sha1", "sha256", "email"};

absl::Status Unsupported(std::string_view why) { return absl::InvalidArgumentError(std::string(why)); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// One pass of Refang.
std::string RefangOnce(std::string_view lower) {
  static constexpr std::pair<std::string_view, std::string_view> kForms[] = {
      {"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."},
      {"[@]", "@"}, {"[at]", "@"}, {"(at)", "@"}, {"[:]", ":"}, {"[://]", "://"},
      {"hxxp", "http"}, {"hxxps", "https"}, {"fxp", "ftp"}};
  std::string out;
  out.reserve(lower.size());
  size_t i = 0;
  while (i < lower.size()) {
    bool replaced = false;
    if (lower[i] == '[' || lower[i] == '(' || lower[i] == '{' || lower[i] == 'h' ||
        lower[i] == 'f') {
      for (const auto& [from, to] : kForms) {
        // "fxp" and "hxxp" only as a scheme: at the start and before "://", or the
        // domain "fxpbad.org" would become "ftpbad.org" (found by indicator_feed_fuzzer).
        if (from[0] == 'f' || from[0] == 'h') {
          const std::string_view after = lower.substr(std::min(lower.size(), from.size()));
          if (i != 0 || !(StartsWith(after, "://") || StartsWith(after, "[://]") ||
                          StartsWith(after, "[:]//"))) {
            continue;
          }
        }
        if (lower.substr(i, from.size()) == from) {
          out.append(to);
          i += from.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out.push_back(lower[i++]);
  }
  return out;
}

// The live form of a lowercase defanged value: threat reports write "evil[.]com",
// "hxxp://", "a(.)b", "user[@]host" so that nobody follows them by accident. Until
// nothing changes: one pass can form a new defanged token ("[(.)]" gives "[.]"), and the
// normal form must be a fixed point (found by indicator_feed_fuzzer). Each pass that
// changes the value shortens it or rewrites the scheme, which happens once.
std::string Refang(std::string_view lower) {
  std::string value = RefangOnce(lower);
  for (std::string again = RefangOnce(value); again != value; again = RefangOnce(value)) {
    value = std::move(again);
  }
  return value;
}

bool IsHexDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::optional<std::string> CanonicalIp(std::string_view text, int* family) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string z(text);
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, z.c_str(), bytes) == 1) {
    *family = 4;
    return std::string(inet_ntop(AF_INET, bytes, out, sizeof out));
  }
  if (z.find(':') != std::string::npos && inet_pton(AF_INET6, z.c_str(), bytes) == 1) {
    *family = 6;
    return std::string(inet_ntop(AF_INET6, bytes, out, sizeof out));
  }
  return std::nullopt;
}

std::optional<uint32_t> ParsePort(std::string_view text) {
  uint32_t port = 0;
  if (text.empty() || text.size() > 5) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

absl::StatusOr<std::string> NormalDomain(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return Unsupported("domain length outside 1..253");
  size_t labels = 0;
  for (std::string_view label : Split(host, '.')) {
    ++labels;
    if (label.empty() || label.size() > 63) return Unsupported("empty or over-long domain label");
    for (char c : label) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return Unsupported("non-ASCII domain (write it in its punycode form)");
      }
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        return Unsupported(StrCat("character '", std::string(1, c), "' not allowed in a domain"));
      }
    }
  }
  if (labels < 2) return Unsupported("a domain needs at least two labels");
  const std::string_view tld = host.substr(host.rfind('.') + 1);
  if (std::all_of(tld.begin(), tld.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Unsupported("numeric top-level label (not an IP address either)");
  }
  return std::string(host);
}

// "host" or "host:port" or "[v6]:port" of a URL's authority; the port is dropped when it
// is a default one (80, 443), since the normal form has no scheme.
absl::StatusOr<std::string> NormalAuthority(std::string_view authority) {
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // user info says nothing about the host
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return Unsupported("unterminated [IPv6] host");
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port.front() != ':') return Unsupported("junk after [IPv6] host");
    if (!port.empty()) port.remove_prefix(1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  std::string out;
  int family = 0;
  if (auto ip = CanonicalIp(host, &family)) {
    out = family == 6 ? StrCat("[", *ip, "]") : *ip;
  } else {
    auto domain = NormalDomain(host);
    if (!domain.ok()) {
      if (host != "localhost") return Unsupported(StrCat("URL host: ", domain.status().message()));
      domain = std::string(host);
    }
    out = *std::move(domain);
  }
  if (!port.empty()) {
    auto number = ParsePort(port);
    if (!number) return Unsupported("bad port");
    if (*number != 80 && *number != 443) StrAppend(&out, ":", *number);
  }
  return out;
}

// RFC 3986's scheme: a letter, then letters, digits, '+', '-' or '.' (lowercase here).
bool IsScheme(std::string_view s) {
  return !s.empty() && s.front() >= 'a' && s.front() <= 'z' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
                  c == '.';
         });
}

absl::StatusOr<std::string> NormalUrl(std::string_view url) {
  // Only a real scheme goes: a "://" later in the path stays, or the normal form would
  // lose its host when normalized again (found by indicator_feed_fuzzer).
  if (const size_t scheme = url.find("://");
      scheme != std::string_view::npos && IsScheme(url.substr(0, scheme))) {
    url.remove_prefix(scheme + 3);
  }
  if (const size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  const size_t end = url.find_first_of("/?");
  auto authority = NormalAuthority(url.substr(0, end));
  if (!authority.ok()) return authority.status();
  std::string_view rest = end == std::string_view::npos ? "" : url.substr(end);
  if (rest == "/") rest = "";
  if (!rest.empty() && rest.front() == '?') return StrCat(*authority, "/", rest);
  return StrCat(*authority, rest);
}

absl::StatusOr<std::string> NormalIpPort(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return Unsupported("not [IPv6]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Unsupported("no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  int family = 0;
  auto ip = CanonicalIp(host, &family);
  if (!ip) return Unsupported("not an IP address before the port");
  auto number = ParsePort(port);
  if (!number) return Unsupported("bad port");
  return family == 6 ? StrCat("[", *ip, "]:", *number) : StrCat(*ip, ":", *number);
}

absl::StatusOr<std::string> NormalEmail(std::string_view text) {
  if (StartsWith(text, "mailto:")) text.remove_prefix(7);
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return Unsupported("not local@domain");
  auto domain = NormalDomain(text.substr(at + 1));
  if (!domain.ok()) return Unsupported(StrCat("e-mail domain: ", domain.status().message()));
  return StrCat(text.substr(0, at + 1), *domain);
}

IndicatorType DetectType(std::string_view v) {
  if (v.find("://") != std::string_view::npos) return IndicatorType::kUrl;
  if (IsHexDigits(v)) {
    if (v.size() == 32) return IndicatorType::kMd5;
    if (v.size() == 40) return IndicatorType::kSha1;
    if (v.size() == 64) return IndicatorType::kSha256;
  }
  if (!v.empty() && v.front() == '/') return IndicatorType::kUrlPath;
  if (v.find('@') != std::string_view::npos && v.find('/') == std::string_view::npos) {
    return IndicatorType::kEmail;
  }
  int family = 0;
  if (CanonicalIp(v, &family)) return family == 4 ? IndicatorType::kIpv4 : IndicatorType::kIpv6;
  if (NormalIpPort(v).ok()) return IndicatorType::kIpPort;
  if (v.find_first_of("/:?") != std::string_view::npos) return IndicatorType::kUrl;
  return IndicatorType::kDomain;
}

}  // namespace

std::string_view IndicatorTypeName(IndicatorType type) {
  const auto i = static_cast<size_t>(type);
  return i < kIndicatorTypeCount ? kTypeNames[i] : "unknown";
}

std::optional<IndicatorType> IndicatorTypeFromName(std::string_view name) {
  for (uint8_t i = 0; i < kIndicatorTypeCount; ++i) {
    if (kTypeNames[i] == name) return static_cast<IndicatorType>(i);
  }
  return std::nullopt;
}

absl::StatusOr<NormalizedIndicator> NormalizeIndicator(std::string_view text,
                                                       std::optional<IndicatorType> type) {
  text = TrimSpace(text);
  if (text.empty()) return Unsupported("empty value");
  // The indicator set stores values of up to 4095 bytes (engine/indicator_set.h).
  if (text.size() > 4000) return Unsupported("longer than 4000 bytes");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Unsupported("space or control byte inside the value");
    }
  }
  const std::string v = Refang(Lower(text));
  NormalizedIndicator out;
  out.type = type ? *type : DetectType(v);
  absl::StatusOr<std::string> value;
  int family = 0;
  switch (out.type) {
    case IndicatorType::kDomain: {
      if (CanonicalIp(v, &family)) return Unsupported("an IP address, not a domain");
      value = NormalDomain(v);
      break;
    }
    case IndicatorType::kIpv4:
    case IndicatorType::kIpv6: {
      std::string_view bare = v;
      if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
        bare = bare.substr(1, bare.size() - 2);
      }
      auto ip = CanonicalIp(bare, &family);
      if (!ip) return Unsupported("not an IP address");
      out.type = family == 4 ? IndicatorType::kIpv4 : IndicatorType::kIpv6;
      value = *ip;
      break;
    }
    case IndicatorType::kIpPort: value = NormalIpPort(v); break;
    case IndicatorType::kUrl: value = NormalUrl(v); break;
    case IndicatorType::kUrlPath: {
      if (v.front() != '/') return Unsupported("a URL path starts with '/'");
      const size_t hash = v.find('#');
      value = v.substr(0, hash);
      break;
    }
    case IndicatorType::kMd5:
    case IndicatorType::kSha1:
    case IndicatorType::kSha256: {
      const size_t want = out.type == IndicatorType::kMd5    ? 32
                          : out.type == IndicatorType::kSha1 ? 40
                                                             : 64;
      if (v.size() != want || !IsHexDigits(v)) {
        return Unsupported(StrCat("not ", want, " hex digits (", IndicatorTypeName(out.type), ")"));
      }
      value = v;
      break;
    }
    case IndicatorType::kEmail: value = NormalEmail(v); break;
  }
  if (!value.ok()) return value.status();
  out.value = *std::move(value);
  return out;
}

std::string_view FeedFormatName(FeedFormat format) {
  switch (format) {
    case FeedFormat::kAuto: return "auto";
    case FeedFormat::kTrawlTsv: return "trawl-tsv";
    case FeedFormat::kText: return "text";
    case FeedFormat::kCsv: return "csv";
    case FeedFormat::kStix: return "stix";
    case FeedFormat::kMisp: return "misp";
  }
  return "auto";
}

std::optional<FeedFormat> FeedFormatFromName(std::string_view name) {
  for (FeedFormat f : {FeedFormat::kAuto, FeedFormat::kTrawlTsv, FeedFormat::kText,
                       FeedFormat::kCsv, FeedFormat::kStix, FeedFormat::kMisp}) {
    if (FeedFormatName(f) == name) return f;
  }
  return std::nullopt;
}

std::string FeedLoad::Summary() const {
  return StrCat("loaded ", indicators.size(), " of ", entries, " entries (", duplicates,
                " duplicate", duplicates == 1 ? "" : "s", ", ", unsupported, " unsupported)");
}

bool IsIndicatorPack(std::string_view bytes) { return StartsWith(bytes, "#trawl-indicators"); }

namespace internal {

FeedBuilder::FeedBuilder(std::string_view file, const FeedOptions& options, FeedFormat format) {
  load_.file = std::string(file);
  load_.format = format;
  load_.feed = options.feed;
  if (load_.feed.empty()) {
    std::string_view base = file.substr(file.rfind('/') + 1);
    base = base.substr(0, base.find('.'));
    load_.feed = base.empty() ? "feed" : std::string(base);
  }
  defaults_.feed = load_.feed;
  defaults_.family = options.family;
  defaults_.category = options.category;
  defaults_.severity = options.severity;
  defaults_.confidence = options.confidence;
  defaults_.source = std::string(file.substr(file.rfind('/') + 1));
}

uint32_t FeedBuilder::Meta(const IndicatorMeta& meta) {
  std::string key = StrCat(meta.family, "\x1f", meta.category, "\x1f",
                           static_cast<int>(meta.severity), "\x1f", meta.confidence, "\x1f",
                           meta.source);
  auto [it, inserted] = meta_index_.try_emplace(std::move(key), load_.metas.size());
  if (inserted) {
    load_.metas.push_back(meta);
    load_.metas.back().feed = load_.feed;
  }
  return it->second;
}

void FeedBuilder::Add(uint64_t line, std::string_view written, std::optional<IndicatorType> type,
                      uint32_t meta) {
  ++load_.entries;
  auto normal = NormalizeIndicator(written, type);
  if (!normal.ok()) {
    Reject(line, written, std::string(normal.status().message()), /*counted=*/true);
    return;
  }
  // Indicators already loaded, by a hash of (type, value); candidates are compared in full.
  const uint64_t hash = std::hash<std::string_view>{}(normal->value) * 31 +
                        static_cast<uint64_t>(normal->type);
  const auto [first, last] = seen_.equal_range(hash);
  const bool repeated = std::any_of(first, last, [&](const auto& entry) {
    const Indicator& loaded = load_.indicators[entry.second];
    return loaded.type == normal->type && loaded.value == normal->value;
  });
  if (repeated) {
    ++load_.duplicates;
    FeedIssue issue;
    issue.line = line;
    issue.value = std::string(written.substr(0, 200));
    issue.reason = StrCat("duplicate ", IndicatorTypeName(normal->type), " ", normal->value);
    issue.duplicate = true;
    load_.issues.push_back(std::move(issue));
    return;
  }
  seen_.emplace(hash, static_cast<uint32_t>(load_.indicators.size()));
  load_.indicators.push_back({normal->type, std::move(normal->value), meta, line});
}

void FeedBuilder::Reject(uint64_t line, std::string_view written, std::string reason,
                         bool counted) {
  if (!counted) ++load_.entries;
  ++load_.unsupported;
  load_.issues.push_back({line, std::string(written.substr(0, 200)), std::move(reason), false});
}

}  // namespace internal

namespace {

using internal::FeedBuilder;

// Splits `text` into lines, calling fn(line_number, line) without the line break.
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  uint64_t number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(++number, line);
    pos = end + 1;
  }
}

std::string MetaCategory(std::string_view category) {
  if (category.empty()) return "";
  return category.find('/') == std::string_view::npos ? StrCat("indicator/", category)
                                                       : std::string(category);
}

std::string ExpandTemplate(std::string_view tmpl, std::string_view category,
                           std::string_view family) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl.substr(i, 10) == "{category}") {
      out.append(category);
      i += 10;
    } else if (tmpl.substr(i, 8) == "{family}") {
      out.append(family);
      i += 8;
    } else {
      out.push_back(tmpl[i++]);
    }
  }
  return out;
}

// Resolves a row's metadata columns (empty cells take the defaults); sets *why and
// returns false on a bad severity or confidence.
bool RowMeta(const IndicatorMeta& defaults, std::string_view family, std::string_view category,
             std::string_view severity, std::string_view confidence, std::string_view source,
             std::string_view source_template, IndicatorMeta* out, std::string* why) {
  *out = defaults;
  if (!family.empty()) out->family = std::string(family);
  const std::string plain_category(category);
  if (!category.empty()) out->category = MetaCategory(category);
  if (!severity.empty()) {
    auto parsed = ParseSeverity(Lower(severity));
    if (!parsed) {
      *why = StrCat("unknown severity '", severity, "'");
      return false;
    }
    out->severity = *parsed;
  }
  if (!confidence.empty()) {
    double value = 0;
    auto [end, ec] = std::from_chars(confidence.data(), confidence.data() + confidence.size(), value);
    if (ec != std::errc() || end != confidence.data() + confidence.size() || !(value >= 0) ||
        value > 1) {
      *why = StrCat("confidence '", confidence, "' is not a number in 0..1");
      return false;
    }
    out->confidence = value;
  }
  if (!source.empty()) {
    out->source = std::string(source);
  } else if (!source_template.empty()) {
    out->source = ExpandTemplate(source_template, plain_category, out->family);
  }
  return true;
}

constexpr std::string_view kMetaColumns[] = {"type", "family", "category", "severity",
                                             "confidence", "source"};
enum MetaColumn { kType, kFamily, kCategory, kSeverity, kConfidence, kSource, kMetaColumnCount };

// trawl's indicator TSV (docs/indicators.md): "#" header lines, then one indicator a line.
absl::StatusOr<FeedLoad> ParseTrawlTsv(std::string_view text, std::string_view file,
                                       FeedOptions options) {
  // The header names the feed, so read it before the builder takes the name.
  std::string source_template;
  std::vector<std::string> columns = {"value", "type", "family", "category", "severity",
                                      "confidence", "source"};
  ForEachLine(text, [&](uint64_t, std::string_view line) {
    if (!StartsWith(line, "#")) return;
    if (StartsWith(line, "#feed ") && options.feed.empty()) options.feed = line.substr(6);
    if (StartsWith(line, "#source ")) source_template = line.substr(8);
    if (StartsWith(line, "#columns ")) {
      columns.clear();
      for (std::string_view c : Split(line.substr(9), ' ', true)) columns.emplace_back(c);
    }
  });
  int value_col = -1;
  int meta_col[kMetaColumnCount];
  std::fill(std::begin(meta_col), std::end(meta_col), -1);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == "value") value_col = static_cast<int>(i);
    for (int m = 0; m < kMetaColumnCount; ++m) {
      if (columns[i] == kMetaColumns[m]) meta_col[m] = static_cast<int>(i);
    }
  }
  if (value_col < 0) return absl::InvalidArgumentError(StrCat(file, ": #columns has no 'value'"));
  FeedBuilder builder(file, options, FeedFormat::kTrawlTsv);
  std::vector<std::string_view> cells;
  // Rows of one trail repeat their metadata: remember the last row's resolution.
  std::string last_key;
  uint32_t last_meta = 0;
  ForEachLine(text, [&](uint64_t number, std::string_view line) {
    if (line.empty() || line.front() == '#') return;
    cells.clear();
    size_t pos = 0;
    while (true) {
      const size_t tab = line.find('\t', pos);
      cells.push_back(line.substr(pos, tab == std::string_view::npos ? line.npos : tab - pos));
      if (tab == std::string_view::npos) break;
      pos = tab + 1;
    }
    if (cells.size() > columns.size()) {
      builder.Reject(number, line, StrCat(cells.size(), " cells; #columns names ", columns.size()));
      return;
    }
    auto cell = [&](int col) -> std::string_view {
      return col >= 0 && static_cast<size_t>(col) < cells.size() ? cells[col] : std::string_view();
    };
    std::optional<IndicatorType> type;
    if (!cell(meta_col[kType]).empty()) {
      type = IndicatorTypeFromName(cell(meta_col[kType]));
      if (!type) {
        builder.Reject(number, line, StrCat("unknown type '", cell(meta_col[kType]), "'"));
        return;
      }
    }
    const size_t meta_begin = cells[0].size() + (cells.size() > 1 ? 1 : 0);
    std::string_view meta_text =
        value_col == 0 && meta_begin <= line.size() ? line.substr(meta_begin) : line;
    if (meta_text != last_key || last_key.empty()) {
      IndicatorMeta meta;
      std::string why;
      if (!RowMeta(builder.defaults(), cell(meta_col[kFamily]), cell(meta_col[kCategory]),
                   cell(meta_col[kSeverity]), cell(meta_col[kConfidence]),
                   cell(meta_col[kSource]), source_template, &meta, &why)) {
        builder.Reject(number, line, why);
        last_key.clear();
        return;
      }
      last_meta = builder.Meta(meta);
      last_key = std::string(meta_text);
    }
    builder.Add(number, cell(value_col), type, last_meta);
  });
  return builder.Finish();
}

// Plain text: one value a line; blank lines and "#" comments are not entries, and a
// " #" comment after the value is dropped (maltrail's trail files).
absl::StatusOr<FeedLoad> ParseText(std::string_view text, std::string_view file,
                                   const FeedOptions& options) {
  FeedBuilder builder(file, options, FeedFormat::kText);
  const uint32_t meta = builder.Meta(builder.defaults());
  ForEachLine(text, [&](uint64_t number, std::string_view line) {
    if (const size_t comment = line.find(" #"); comment != std::string_view::npos) {
      line = line.substr(0, comment);
    }
    if (const size_t comment = line.find("\t#"); comment != std::string_view::npos) {
      line = line.substr(0, comment);
    }
    line = TrimSpace(line);
    if (line.empty() || line.front() == '#') return;
    builder.Add(number, line, std::nullopt, meta);
  });
  return builder.Finish();
}

// RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks.
// fn(first line number of the record, fields).
template <typename Fn>
void ForEachCsvRecord(std::string_view text, char delimiter, Fn fn) {
  std::vector<std::string> fields;
  std::string field;
  uint64_t line = 1, record_line = 1;
  bool quoted = false, any = false;
  for (size_t i = 0; i <= text.size(); ++i) {
    const bool end = i == text.size();
    const char c = end ? '\n' : text[i];
    if (quoted && !end) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      any = true;
    } else if (c == delimiter) {
      fields.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      if (any || !field.empty()) {
        fields.push_back(std::move(field));
        fn(record_line, fields);
      }
      fields.clear();
      field.clear();
      any = false;
      quoted = false;
      record_line = ++line;
    } else {
      field.push_back(c);
    }
  }
}

absl::StatusOr<FeedLoad> ParseCsv(std::string_view text, std::string_view file,
                                  const FeedOptions& options) {
  const size_t first_line = text.find('\n');
  const std::string_view header_line = text.substr(0, first_line);
  const char delimiter = header_line.find('\t') != std::string_view::npos  ? '\t'
                         : header_line.find(';') != std::string_view::npos &&
                                 header_line.find(',') == std::string_view::npos
                             ? ';'
                             : ',';
  FeedBuilder builder(file, options, FeedFormat::kCsv);
  std::vector<std::string> header;
  int value_col = -1;
  int meta_col[kMetaColumnCount];
  std::fill(std::begin(meta_col), std::end(meta_col), -1);
  absl::Status status;
  ForEachCsvRecord(text, delimiter, [&](uint64_t number, const std::vector<std::string>& row) {
    if (!status.ok()) return;
    if (header.empty()) {
      for (const std::string& h : row) header.push_back(Lower(TrimSpace(h)));
      static constexpr std::string_view kValueNames[] = {
          "value", "indicator", "ioc", "domain", "ip", "url", "hash", "sha256", "md5", "sha1",
          "email", "hostname", "ip-dst"};
      if (!options.csv_column.empty()) {
        for (size_t i = 0; i < header.size(); ++i) {
          if (header[i] == Lower(options.csv_column)) value_col = static_cast<int>(i);
        }
        size_t index = 0;
        auto [end, ec] = std::from_chars(options.csv_column.data(),
                                         options.csv_column.data() + options.csv_column.size(),
                                         index);
        if (value_col < 0 && ec == std::errc() &&
            end == options.csv_column.data() + options.csv_column.size() && index < header.size()) {
          value_col = static_cast<int>(index);
        }
        if (value_col < 0) {
          status = absl::InvalidArgumentError(
              StrCat(file, ": no column '", options.csv_column, "' in the header"));
        }
      } else {
        for (std::string_view name : kValueNames) {
          for (size_t i = 0; i < header.size() && value_col < 0; ++i) {
            if (header[i] == name) value_col = static_cast<int>(i);
          }
          if (value_col >= 0) break;
        }
        if (value_col < 0) value_col = 0;
      }
      for (size_t i = 0; i < header.size(); ++i) {
        for (int m = 0; m < kMetaColumnCount; ++m) {
          if (header[i] == kMetaColumns[m] && static_cast<int>(i) != value_col) {
            meta_col[m] = static_cast<int>(i);
          }
        }
      }
      return;
    }
    auto cell = [&](int col) -> std::string_view {
      return col >= 0 && static_cast<size_t>(col) < row.size() ? std::string_view(row[col])
                                                              : std::string_view();
    };
    const std::string joined = StrJoin(row, std::string_view(&delimiter, 1));
    if (static_cast<size_t>(value_col) >= row.size()) {
      builder.Reject(number, joined, StrCat("no cell in the value column (", row.size(), " cells)"));
      return;
    }
    std::optional<IndicatorType> type;
    if (!cell(meta_col[kType]).empty()) {
      type = IndicatorTypeFromName(Lower(cell(meta_col[kType])));
      if (!type) {
        builder.Reject(number, joined, StrCat("unknown type '", cell(meta_col[kType]), "'"));
        return;
      }
    }
    IndicatorMeta meta;
    std::string why;
    if (!RowMeta(builder.defaults(), cell(meta_col[kFamily]), cell(meta_col[kCategory]),
                 cell(meta_col[kSeverity]), cell(meta_col[kConfidence]), cell(meta_col[kSource]),
                 "", &meta, &why)) {
      builder.Reject(number, joined, why);
      return;
    }
    builder.Add(number, cell(value_col), type, builder.Meta(meta));
  });
  if (!status.ok()) return status;
  if (header.empty()) return absl::InvalidArgumentError(StrCat(file, ": empty CSV (no header)"));
  return builder.Finish();
}

FeedFormat DetectFormat(std::string_view bytes, std::string_view file) {
  if (IsIndicatorPack(bytes)) return FeedFormat::kTrawlTsv;
  std::string_view head = TrimSpace(bytes.substr(0, 4096));
  if (!head.empty() && head.front() == '{') {
    return head.find("\"type\"") != std::string_view::npos &&
                   (head.find("\"bundle\"") != std::string_view::npos ||
                    head.find("\"spec_version\"") != std::string_view::npos ||
                    head.find("\"indicator\"") != std::string_view::npos)
               ? FeedFormat::kStix
               : FeedFormat::kMisp;
  }
  if (EndsWith(file, ".json") || EndsWith(file, ".json.gz") || EndsWith(file, ".json.xz")) {
    return FeedFormat::kMisp;
  }
  if (EndsWith(file, ".csv") || EndsWith(file, ".csv.gz") || EndsWith(file, ".csv.xz")) {
    return FeedFormat::kCsv;
  }
  return FeedFormat::kText;
}

absl::StatusOr<FeedLoad> ParseFeedAs(FeedFormat format, std::string_view bytes,
                                     std::string_view file, const FeedOptions& options) {
  switch (format) {
    case FeedFormat::kTrawlTsv: return ParseTrawlTsv(bytes, file, options);
    case FeedFormat::kCsv: return ParseCsv(bytes, file, options);
    case FeedFormat::kStix: return internal::ParseStixFeed(bytes, file, options);
    case FeedFormat::kMisp: return internal::ParseMispFeed(bytes, file, options);
    case FeedFormat::kText:
    case FeedFormat::kAuto: break;
  }
  return ParseText(bytes, file, options);
}

}  // namespace

absl::StatusOr<FeedLoad> ParseFeed(std::string_view bytes, std::string_view file,
                                   const FeedOptions& options) {
  const FeedFormat format =
      options.format == FeedFormat::kAuto ? DetectFormat(bytes, file) : options.format;
  // A feed that cannot be read as a whole is a parse error to every caller.
  return WithDefaultCode(ParseFeedAs(format, bytes, file, options), ErrorCode::kParse);
}

absl::StatusOr<FeedLoad> LoadFeedFile(const std::string& path, const FeedOptions& options) {
  auto bytes = ReadMaybeCompressedFile(path);
  if (!bytes.ok()) return bytes.status();
  std::string_view name = path;
  for (std::string_view ext : {".gz", ".xz"}) {
    if (EndsWith(name, ext)) name.remove_suffix(ext.size());
  }
  auto load = ParseFeed(*bytes, name, options);
  if (load.ok()) load->file = path;
  return load;
}

}  // namespace trawl
