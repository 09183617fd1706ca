// File: entity.cc
#include "entities/entity.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "entities/validators.h"
#include "util/short_format.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Context words per entity type. Kept as data so adding a type is one table row.
constexpr std::string_view kEmailWords[] = {"email", "e-mail", "mail", "contact",
                                            "from",  "to",     "cc"};
constexpr std::string_view kUrlWords[] = {"url", "uri", "link", "href", "endpoint", "callback"};
constexpr std::string_view kDomainWords[] = {"domain", "host", "hostname", "fqdn", "dns"};
constexpr std::string_view kIpWords[] = {"ip",     "addr", "address", "host",
                                         "server", "src",  "dst",     "remote"};
constexpr std::string_view kMacWords[] = {"mac", "hwaddr", "ether", "bssid", "hardware"};
constexpr std::string_view kUuidWords[] = {"uuid", "guid", "id"};
constexpr std::string_view kHashWords[] = {"hash",   "md5",      "sha1", "sha256", "sha512",
                                           "digest", "checksum", "ioc"};
constexpr std::string_view kCardWords[] = {"card", "credit",     "cc",   "ccnum",  "pan",
                                           "visa", "mastercard", "amex", "payment"};
constexpr std::string_view kIbanWords[] = {"iban", "account", "bank", "bic", "swift", "transfer"};
constexpr std::string_view kSsnWords[] = {"ssn", "social", "security", "taxpayer", "tin"};
constexpr std::string_view kPhoneWords[] = {"phone", "tel", "telephone", "mobile",
                                            "cell",  "fax", "call",      "sms"};
constexpr std::string_view kJwtWords[] = {"jwt",           "token",    "bearer",
                                          "authorization", "id_token", "access_token"};
constexpr std::string_view kCveWords[] = {"cve", "vulnerability", "advisory", "cvss"};
constexpr std::string_view kWalletWords[] = {"wallet", "bitcoin", "btc",      "address",
                                             "send",   "pay",     "ethereum", "eth"};
constexpr std::string_view kSecretWords[] = {"key", "secret",     "token", "password", "passwd",
                                             "pwd", "credential", "auth",  "api",      "private"};
constexpr std::string_view kAwsWords[] = {"aws", "access", "secret", "key", "amazon", "iam"};
constexpr std::string_view kGcpWords[] = {"gcp", "google", "service_account", "credentials",
                                          "private_key"};
constexpr std::string_view kAzureWords[] = {"azure", "connection", "storage", "servicebus",
                                            "accountkey"};
constexpr std::string_view kIndicatorWords[] = {"ioc", "c2", "malware", "indicator", "blocklist"};

constexpr EntityType kTypes[] = {
    {"aws_access_key_id", "aws_access_key_id", "secret", true, kAwsWords},
    {"aws_secret_pair", "aws_secret_pair", "secret", true, kAwsWords},
    {"azure_connection_string", "azure_connection_string", "secret", true, kAzureWords},
    {"bitcoin_address", "base58check", "pii", false, kWalletWords},
    {"bitcoin_bech32_address", "bech32", "pii", false, kWalletWords},
    {"credit_card", "luhn", "pii", false, kCardWords},
    {"cve", "cve", "indicator", false, kCveWords},
    {"domain", "domain", "indicator", false, kDomainWords},
    {"email", "email", "pii", false, kEmailWords},
    {"ethereum_address", "eip55", "pii", false, kWalletWords},
    {"gcp_service_account", "gcp_service_account", "secret", true, kGcpWords},
    {"generic_secret", "entropy", "secret", true, kSecretWords},
    {"iban", "iban", "pii", false, kIbanWords},
    {"ip", "ip", "indicator", false, kIpWords},
    {"ipv4", "ipv4", "indicator", false, kIpWords},
    {"ipv6", "ipv6", "indicator", false, kIpWords},
    {"jwt", "jwt", "secret", true, kJwtWords},
    {"mac_address", "mac", "pii", false, kMacWords},
    {"malicious_indicator", "", "indicator", false, kIndicatorWords},
    {"md5", "md5", "indicator", false, kHashWords},
    {"phone_number", "phone_e164", "pii", false, kPhoneWords},
    {"private_key", "pem_private_key", "secret", true, kSecretWords},
    {"secret", "", "secret", true, kSecretWords},
    {"sha1", "sha1", "indicator", false, kHashWords},
    {"sha256", "sha256", "indicator", false, kHashWords},
    {"sha512", "sha512", "indicator", false, kHashWords},
    {"url", "url", "indicator", false, kUrlWords},
    {"us_ssn", "us_ssn", "pii", false, kSsnWords},
    {"uuid", "uuid", "pii", false, kUuidWords},
};

bool IsLetter(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); }
bool IsUpper(char c) { return absl::ascii_isupper(static_cast<unsigned char>(c)); }

std::string Signed(double v) { return ShortFormat("%+.2f", v); }

}  // namespace

std::span<const EntityType> AllEntityTypes() { return kTypes; }

const EntityType* FindEntityType(std::string_view name) {
  for (const EntityType& t : kTypes) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

namespace {

// A text and its ASCII-lowered copy, so the words of a context check are found with a
// plain substring search (memchr-driven) rather than a case-folding compare at every
// offset for every word (issue 22). Also the set of its byte pairs, hashed into 1,024
// bits: a word with a pair the text lacks is not in it, which answers most of a scorer's
// ~60 checks per candidate (a 64-byte window holds ~63 pairs) without a search.
// The folded copy of a text up to kInline bytes (a scorer's windows, most values and
// keys) is kept in place: four texts per candidate cost four allocations otherwise.
struct FoldedText {
  explicit FoldedText(std::string_view t) : text(t) {
    char* out = inline_;
    if (t.size() > kInline) {
      heap_.resize(t.size());
      out = heap_.data();
    }
    for (size_t i = 0; i < t.size(); ++i) out[i] = absl::ascii_tolower(static_cast<unsigned char>(t[i]));
    folded = std::string_view(out, t.size());
    for (size_t i = 1; i < folded.size(); ++i) {
      const uint32_t bit = PairBit(folded[i - 1], folded[i]);
      pairs[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  FoldedText(const FoldedText&) = delete;
  FoldedText& operator=(const FoldedText&) = delete;
  static std::string Folded(std::string_view t) {
    std::string out(t);
    absl::AsciiStrToLower(&out);
    return out;
  }
  static uint32_t PairBit(char a, char b) {
    return ((static_cast<uint32_t>(static_cast<uint8_t>(a)) << 5) ^ static_cast<uint8_t>(b)) &
           1023;
  }
  // False only if `folded_word` cannot occur in the folded text.
  bool MayContain(std::string_view folded_word) const {
    for (size_t i = 1; i < folded_word.size(); ++i) {
      const uint32_t bit = PairBit(folded_word[i - 1], folded_word[i]);
      if ((pairs[bit / 64] >> (bit % 64) & 1) == 0) return false;
    }
    return true;
  }
  static constexpr size_t kInline = 128;
  std::string_view text;
  std::string_view folded;  // in inline_ or heap_
  std::array<uint64_t, 16> pairs{};

 private:
  char inline_[kInline];
  std::string heap_;
};

// ContainsWord for a text folded once; `folded_word` is the lowered word.
bool ContainsFoldedWord(const FoldedText& t, std::string_view folded_word) {
  const std::string_view text = t.text;
  if (folded_word.empty() || folded_word.size() > text.size()) return false;
  if (!t.MayContain(folded_word)) return false;
  // Keywords that end in a separator ("ghp_", "sk-") are prefixes; no boundary needed.
  const bool prefix = !IsLetter(folded_word.back());
  for (size_t i = t.folded.find(folded_word); i != std::string::npos;
       i = t.folded.find(folded_word, i + 1)) {
    // Boundary before: start, a non-letter, or a camelCase hump (xY).
    const bool before = i == 0 || !IsLetter(text[i - 1]) || (IsUpper(text[i]) && !IsUpper(text[i - 1]));
    const size_t j = i + folded_word.size();
    const bool after = prefix || j == text.size() || !IsLetter(text[j]) ||
                       (IsUpper(text[j]) && !IsUpper(text[j - 1]));
    if (before && after) return true;
  }
  return false;
}

bool ContainsWord(const FoldedText& t, std::string_view word) {
  // Keyword lists are lower case: most words need no folded copy.
  if (std::none_of(word.begin(), word.end(), IsUpper)) return ContainsFoldedWord(t, word);
  return ContainsFoldedWord(t, FoldedText::Folded(word));
}

}  // namespace

bool ContainsWord(std::string_view text, std::string_view word) {
  return ContainsWord(FoldedText(text), word);
}

ContextScorer::ContextScorer(ContextOptions options) : options_(std::move(options)) {}

ContextScore ContextScorer::Score(std::string_view data, size_t begin, size_t end,
                                  std::string_view key, std::span<const std::string> keywords,
                                  std::span<const std::string_view> more_keywords) const {
  ContextScore out;
  begin = std::min(begin, data.size());
  end = std::clamp(end, begin, data.size());
  size_t lo = begin > options_.window ? begin - options_.window : 0;
  size_t hi = std::min(data.size(), end + options_.window);
  const FoldedText before(data.substr(lo, begin - lo));
  const FoldedText after(data.substr(end, hi - end));
  const FoldedText match(data.substr(begin, std::min(end - begin, kMaxValueBytes)));
  const FoldedText key_text(key);

  double boost = 0.0;
  double penalty = 0.0;

  // The first keyword, `keywords` then `more_keywords`, that `found` finds.
  const auto first_keyword = [&](const auto& found) -> std::optional<std::string_view> {
    for (const std::string& kw : keywords) {
      if (found(kw)) return kw;
    }
    for (const std::string_view kw : more_keywords) {
      if (found(kw)) return kw;
    }
    return std::nullopt;
  };
  // Positive: keywords in the key name, then near the match (one reason each).
  if (!key.empty()) {
    if (const auto kw = first_keyword([&](std::string_view w) { return ContainsWord(key_text, w); })) {
      boost += options_.key_boost;
      out.reasons.push_back(
          StrCat(Signed(options_.key_boost), " key '", key, "' names the entity ('", *kw, "')"));
    }
  }
  if (const auto kw = first_keyword([&](std::string_view w) {
        return ContainsWord(before, w) || ContainsWord(after, w);
      })) {
    boost += options_.keyword_boost;
    out.reasons.push_back(StrCat(Signed(options_.keyword_boost), " keyword '", *kw, "' near the match"));
  }

  // Negative: placeholder words in the key, in the value, near the match.
  for (const std::string& w : options_.negative_words) {
    if (!key.empty() && ContainsWord(key_text, w)) {
      penalty += options_.negative_key_penalty;
      out.reasons.push_back(StrCat(Signed(-options_.negative_key_penalty), " key '", key,
                                   "' suggests a non-real value ('", w, "')"));
      break;
    }
  }
  for (const std::string& w : options_.negative_words) {
    if (ContainsWord(match, w)) {
      penalty += options_.negative_value_penalty;
      out.reasons.push_back(
          StrCat(Signed(-options_.negative_value_penalty), " value contains '", w, "'"));
      break;
    }
  }
  for (const std::string& w : options_.negative_words) {
    if (ContainsWord(before, w) || ContainsWord(after, w)) {
      penalty += options_.negative_penalty;
      out.reasons.push_back(
          StrCat(Signed(-options_.negative_penalty), " '", w, "' near the match"));
      break;
    }
  }
  boost = std::min(boost, options_.max_boost);
  penalty = std::min(penalty, options_.max_penalty);
  out.adjustment = boost - penalty;
  return out;
}

namespace {

bool IsHex(char ch) { return absl::ascii_isxdigit(static_cast<unsigned char>(ch)); }
bool IsAlnum(char ch) { return absl::ascii_isalnum(static_cast<unsigned char>(ch)); }

// Shapes around a syntactically valid candidate that show it is part of something else
// (measured on bench_mixed_16MiB.bin and the labelled fixtures, bench/RESULTS.md):
//   domain: code, not a host: `p->sha1.id`, `ns::a.io`, `&info.to`, `x.dev(`, `a.io[0]`,
//           `java.net.URL` (the dotted name goes on past the "TLD"), `git2_features.h.in`
//           (it started after an identifier label with '_'), `./rename.pl` (a path),
//           `import scala.reflect.io` (a package);
//   email:  `scheme://user:password@host`, the userinfo of a URL, not an address;
//   mac_address: six groups cut out of a longer colon-hex run (a certificate fingerprint).
// Returns why, or "" when nothing around the candidate argues against it.
std::string BoundaryRejection(std::string_view entity, std::string_view d, size_t b, size_t e) {
  const auto before = [&](size_t n) { return b >= n ? d.substr(b - n, n) : std::string_view(); };
  const auto after = [&](size_t n) { return d.substr(e, n); };
  if (entity == "domain") {
    if (before(2) == "->" || before(2) == "::" || before(1) == "&") {
      return "member access in code, not a host name";
    }
    if (after(1) == "(" || after(1) == "[" || after(2) == "->") {
      return "call or subscript in code, not a host name";
    }
    if (after(1) == "." && e + 1 < d.size() && IsAlnum(d[e + 1])) {
      return "the dotted name continues past the top-level domain";
    }
    if (before(1) == ".") {
      size_t i = b - 1;
      bool underscore = false;
      while (i > 0 && (IsAlnum(d[i - 1]) || d[i - 1] == '_' || d[i - 1] == '-')) {
        underscore = underscore || d[i - 1] == '_';
        --i;
      }
      if (underscore) return "part of a dotted identifier, not a host name";
    }
    if (before(1) == "/" && before(2) != "//") return "a file name in a path, not a host name";
    // `import java.net.URL;`, `import scala.reflect.io.{File}`, `package org.acme.io`
    for (std::string_view keyword : {"import ", "package "}) {
      if (before(keyword.size()) == keyword) return "a package name in code, not a host name";
    }
  } else if (entity == "email") {
    // Walk back over the token the address sits in.
    size_t i = b;
    while (i > 0 && b - i < 2048) {
      const char ch = d[i - 1];
      if (absl::ascii_isspace(static_cast<unsigned char>(ch)) || ch == '"' || ch == '\'' ||
          ch == '<' || ch == '>' || ch == '`' || ch == '(' || ch == '[') {
        break;
      }
      --i;
    }
    const std::string_view token = d.substr(i, b - i);
    const size_t scheme = token.find("://");
    if (scheme != std::string_view::npos && token.find('/', scheme + 3) == std::string_view::npos &&
        !token.empty() && token.back() == ':') {
      return "user:password@host inside a URL, not an e-mail address";
    }
  } else if (entity == "mac_address") {
    const bool run_before = b >= 2 && (d[b - 1] == ':' || d[b - 1] == '-') && IsHex(d[b - 2]);
    const bool run_after = e + 1 < d.size() && (d[e] == ':' || d[e] == '-') && IsHex(d[e + 1]);
    if (run_before || run_after) return "part of a longer colon-hex run (a fingerprint?)";
  }
  return std::string();
}

}  // namespace

std::optional<Entity> Recognize(const Candidate& c, const ContextScorer& scorer,
                                const RecognizeOptions& options) {
  Entity e;
  const EntityType* type = FindEntityType(c.entity);
  e.type = c.entity.empty() ? std::string("secret") : std::string(c.entity);
  e.base_confidence = c.base_confidence;
  size_t begin = std::min(c.begin, c.data.size());
  size_t end = std::clamp(c.end, begin, c.data.size());
  size_t vb = begin, ve = end;
  if (c.value_end != 0 && c.value_begin <= c.value_end && c.value_end <= c.data.size()) {
    vb = c.value_begin;
    ve = c.value_end;
  }
  std::string_view raw = c.data.substr(vb, ve - vb);
  const size_t value_bytes = raw.size();
  raw = raw.substr(0, kMaxValueBytes);
  e.value = std::string(raw);
  if (value_bytes > raw.size()) {
    e.reasons.push_back(StrCat("+0.00 value cut to its first ", raw.size(), " of ", value_bytes,
                               " bytes"));
  }

  double adjust = 0.0;
  if (std::string why = BoundaryRejection(c.entity, c.data, vb, ve); !why.empty()) {
    if (options.on_failure == ValidatorFailure::kDrop) return std::nullopt;
    adjust -= options.failure_penalty;
    e.reasons.push_back(StrCat(Signed(-options.failure_penalty), " context: ", why));
  }
  std::string_view validator = c.validator;
  if (validator.empty() && type != nullptr) validator = type->validator;
  if (!validator.empty()) {
    ValidateOptions validate;
    validate.default_region = options.default_region;
    ValidationResult r = Validate(validator, raw, validate);
    e.validator = std::string(validator);
    e.validated = r.valid;
    e.validator_detail = r.detail;
    if (!r.valid) {
      if (options.on_failure == ValidatorFailure::kDrop) return std::nullopt;
      adjust -= options.failure_penalty;
      e.reasons.push_back(StrCat(Signed(-options.failure_penalty), " validator ", validator,
                                 " failed: ", r.detail));
    } else {
      if (!r.normalized.empty()) e.value = r.normalized;
      if (r.confidence_delta != 0.0) {
        adjust += r.confidence_delta;
        e.reasons.push_back(StrCat(Signed(r.confidence_delta), " validator ", validator,
                                   r.detail.empty() ? "" : ": ", r.detail));
      } else {
        e.reasons.push_back(StrCat("+0.00 validator ", validator, " passed",
                                   r.detail.empty() ? "" : ": ", r.detail));
      }
    }
  }

  bool secret_like = type != nullptr ? type->secret_like : c.entity.empty();
  if (secret_like && validator != "entropy") {
    e.entropy = ShannonEntropy(raw);
    // Structured secrets (PEM, connection strings) are long enough that the bar is easy.
    if (e.entropy < options.min_secret_entropy) {
      adjust -= options.low_entropy_penalty;
      e.reasons.push_back(ShortFormat("%s entropy %.2f bits/char below %.2f",
                                          Signed(-options.low_entropy_penalty).c_str(), e.entropy,
                                          options.min_secret_entropy));
    }
  } else if (secret_like) {
    e.entropy = ShannonEntropy(raw);
  }

  ContextScore ctx = scorer.Score(c.data, begin, end, c.key, c.rule_keywords,
                                 type != nullptr ? type->keywords : std::span<const std::string_view>());
  adjust += ctx.adjustment;
  for (std::string& r : ctx.reasons) e.reasons.push_back(std::move(r));

  e.confidence_adjustment = adjust;
  e.confidence = std::clamp(c.base_confidence + adjust, 0.0, 1.0);
  if (e.confidence < options.min_confidence) return std::nullopt;
  return e;
}

absl::Status CheckEntityFields(std::string_view entity, std::string_view validator) {
  for (char ch : entity) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(ch)) ||
          absl::ascii_isdigit(static_cast<unsigned char>(ch)) || ch == '_')) {
      return absl::InvalidArgumentError(
          StrCat("entity \"", entity, "\": names use lowercase letters, digits and '_'"));
    }
  }
  return CheckValidatorName(validator);
}

}  // namespace trawl
