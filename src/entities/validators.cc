// File: validators.cc
// The validator registry and the validators themselves. Each validator is a pure
// function from candidate bytes to a ValidationResult; see docs/entities.md for what each
// one checks and how it moves confidence.
#include "entities/validators.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "entities/phone_numbers.h"
#include "json/json.h"
#include "tokens/public_suffix.h"
#include "util/digest.h"
#include "util/short_format.h"
#include "util/strings.h"

namespace trawl {
namespace {

using JsonStrings = std::map<std::string, std::string, std::less<>>;

// The top-level string members of `text` when it is exactly one JSON object (surrounding
// whitespace allowed), else nullopt. Validators look at small documents (a JWT header, a
// service-account key); 64 levels of nesting are plenty for those.
std::optional<JsonStrings> JsonObjectStrings(std::string_view text) {
  json::Parser parser(/*max_depth=*/64);
  json::Value root;
  json::Object object;
  if (parser.Parse(text, &root) != json::Error::kOk || root.Get(&object) != json::Error::kOk) {
    return std::nullopt;
  }
  JsonStrings strings;
  for (const auto& [key, value] : object) {
    std::string_view s;
    if (value.Get(&s) == json::Error::kOk) strings[std::string(key)] = std::string(s);
  }
  return strings;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Debian's Abseil has its own string_view, so these small helpers stand in for the
// absl::Ascii* / match.h functions on std::string_view.
std::string_view TrimWs(std::string_view s) {
  auto ws = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}
std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c)));
  return out;
}
bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && ToLower(s.substr(0, prefix.size())) == ToLower(prefix);
}
bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

ValidationResult Fail(std::string_view validator, std::string detail) {
  ValidationResult r;
  r.valid = false;
  r.validator = std::string(validator);
  r.detail = std::move(detail);
  return r;
}
ValidationResult Pass(std::string_view validator, std::string normalized, std::string detail = "",
                      double delta = 0.0) {
  ValidationResult r;
  r.valid = true;
  r.validator = std::string(validator);
  r.normalized = std::move(normalized);
  r.detail = std::move(detail);
  r.confidence_delta = delta;
  return r;
}

std::string_view Trim(std::string_view s) { return TrimWs(s); }

// Strips one layer of matching quotes, which captures of assignments often keep.
std::string_view Unquote(std::string_view s) {
  s = Trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

// Values documentation and test suites use for examples.
bool AllSameChar(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return c == s[0]; });
}

// ---------------------------------------------------------------- Luhn / cards

std::string CardBrand(std::string_view d) {
  auto prefix = [&](size_t n) { return std::stoi(std::string(d.substr(0, n))); };
  if (d.size() < 6) return "unknown";
  int p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6);
  if (d[0] == '4') return "visa";
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return "mastercard";
  if (p2 == 34 || p2 == 37) return "amex";
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925))
    return "discover";
  if (p4 >= 3528 && p4 <= 3589) return "jcb";
  if (p2 == 36 || p2 == 38 || p2 == 39 || (p3 >= 300 && p3 <= 305) || p4 == 3095) return "diners";
  if (p2 == 62) return "unionpay";
  if (p2 == 50 || (p2 >= 56 && p2 <= 69)) return "maestro";
  return "unknown";
}

// Card numbers published by payment processors for testing integrations.
bool IsKnownTestCard(std::string_view d) {
  static constexpr std::string_view kTest[] = {
      "4242424242424242", "4000056655665556", "4111111111111111", "4012888888881881",
      "4222222222222",    "5555555555554444", "5105105105105100", "5200828282828210",
      "2223003122003222", "378282246310005",  "371449635398431",  "378734493671000",
      "6011111111111117", "6011000990139424", "3056930009020004", "30569309025904",
      "38520000023237",   "3566002020360505", "3530111333300000", "6200000000000005",
      "4000000000000002", "4000000000009995", "4000000000000077", "4000000000000069",
  };
  return std::find(std::begin(kTest), std::end(kTest), d) != std::end(kTest);
}

ValidationResult ValidateLuhn(std::string_view c) {
  constexpr std::string_view kName = "luhn";
  std::string digits;
  for (char ch : c) {
    if (IsDigit(ch))
      digits.push_back(ch);
    else if (ch != ' ' && ch != '-')
      return Fail(kName, "unexpected character");
  }
  if (digits.size() < 12 || digits.size() > 19) return Fail(kName, "length outside 12..19 digits");
  if (AllSameChar(digits)) return Fail(kName, "all digits identical");
  if (!LuhnValid(digits)) return Fail(kName, "Luhn checksum mismatch");
  std::string brand = CardBrand(digits);
  if (IsKnownTestCard(digits)) {
    return Pass(kName, digits, StrCat(brand, "; published test number"), -0.3);
  }
  return Pass(kName, digits, brand, 0.1);
}

// ---------------------------------------------------------------- IBAN

struct IbanCountry {
  char code[3];
  int length;
};
// ISO 13616 registry (SWIFT IBAN Registry), country code and total IBAN length.
constexpr IbanCountry kIbanCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

ValidationResult ValidateIban(std::string_view c) {
  constexpr std::string_view kName = "iban";
  std::string iban;
  c = Trim(c);
  if (StartsWithNoCase(c, "IBAN")) c = Trim(c.substr(4));
  if (!c.empty() && c.front() == ':') c = Trim(c.substr(1));
  for (char ch : c) {
    if (ch == ' ' || ch == '-') continue;
    if (!IsAlnum(ch)) return Fail(kName, "unexpected character");
    iban.push_back(absl::ascii_toupper(static_cast<unsigned char>(ch)));
  }
  if (iban.size() < 15 || iban.size() > 34) return Fail(kName, "length outside 15..34");
  if (!IsAlpha(iban[0]) || !IsAlpha(iban[1]) || !IsDigit(iban[2]) || !IsDigit(iban[3])) {
    return Fail(kName, "must start with a country code and two check digits");
  }
  int want = IbanLengthForCountry(iban.substr(0, 2));
  if (want == 0) return Fail(kName, StrCat("no IBAN format for country ", iban.substr(0, 2)));
  if (static_cast<int>(iban.size()) != want) {
    return Fail(kName, ShortFormat("%s IBANs have %d characters, not %d",
                                       iban.substr(0, 2).c_str(), want, iban.size()));
  }
  // Move the first four characters to the end, letters become 10..35, then mod 97.
  std::string moved = iban.substr(4) + iban.substr(0, 4);
  int mod = 0;
  for (char ch : moved) {
    if (IsDigit(ch)) {
      mod = (mod * 10 + (ch - '0')) % 97;
    } else {
      int v = ch - 'A' + 10;
      mod = (mod * 100 + v) % 97;
    }
  }
  if (mod != 1) return Fail(kName, "mod-97 check failed");
  return Pass(kName, iban, iban.substr(0, 2), 0.15);
}

// ---------------------------------------------------------------- US SSN

ValidationResult ValidateUsSsn(std::string_view c) {
  constexpr std::string_view kName = "us_ssn";
  c = Trim(c);
  std::string d;
  for (char ch : c) {
    if (IsDigit(ch))
      d.push_back(ch);
    else if (ch != '-' && ch != ' ' && ch != '.')
      return Fail(kName, "unexpected character");
  }
  if (d.size() != 9) return Fail(kName, "not nine digits");
  int area = std::stoi(d.substr(0, 3));
  int group = std::stoi(d.substr(3, 2));
  int serial = std::stoi(d.substr(5, 4));
  if (area == 0) return Fail(kName, "area 000 is never issued");
  if (area == 666) return Fail(kName, "area 666 is never issued");
  if (area >= 900) return Fail(kName, "area 900-999 is not issued (ITIN range)");
  if (group == 0) return Fail(kName, "group 00 is never issued");
  if (serial == 0) return Fail(kName, "serial 0000 is never issued");
  std::string normalized = StrCat(d.substr(0, 3), "-", d.substr(3, 2), "-", d.substr(5));
  // Numbers voided after appearing in advertising, and the usual placeholder.
  if (d == "078051120" || d == "219099999" || d == "123456789" || d == "457555462") {
    return Fail(kName, "publicly known example number");
  }
  if (AllSameChar(d)) return Fail(kName, "all digits identical");
  return Pass(kName, normalized, "", 0.0);
}

// ---------------------------------------------------------------- Base58Check

ValidationResult ValidateBase58Check(std::string_view c) {
  constexpr std::string_view kName = "base58check";
  c = Trim(c);
  if (c.size() < 25 || c.size() > 111) return Fail(kName, "length outside 25..111");
  auto decoded = Base58Decode(c);
  if (!decoded) return Fail(kName, "character outside the base58 alphabet");
  const std::vector<uint8_t>& b = *decoded;
  if (b.size() < 5) return Fail(kName, "too short for a checksum");
  std::string_view payload(reinterpret_cast<const char*>(b.data()), b.size() - 4);
  Sha256Digest once = Sha256Of(payload);
  Sha256Digest twice =
      Sha256Of(std::string_view(reinterpret_cast<const char*>(once.data()), once.size()));
  if (std::memcmp(twice.data(), b.data() + b.size() - 4, 4) != 0) {
    return Fail(kName, "double SHA-256 checksum mismatch");
  }
  std::string kind = "base58check";
  if (b.size() == 25) {
    switch (b[0]) {
      case 0x00:
        kind = "bitcoin P2PKH";
        break;
      case 0x05:
        kind = "bitcoin P2SH";
        break;
      case 0x6f:
        kind = "bitcoin testnet P2PKH";
        break;
      case 0xc4:
        kind = "bitcoin testnet P2SH";
        break;
      case 0x30:
        kind = "litecoin P2PKH";
        break;
      case 0x1e:
        kind = "dogecoin P2PKH";
        break;
      default:
        kind = ShortFormat("version 0x%02x", b[0]);
    }
  } else if (b.size() == 82 || b.size() == 37 || b.size() == 38) {
    kind = b.size() == 82 ? "extended key (BIP-32)" : "WIF private key";
  }
  return Pass(kName, std::string(c), kind, 0.2);
}

// ---------------------------------------------------------------- Bech32

constexpr char kBech32Charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint32_t Bech32Polymod(const std::vector<uint8_t>& values) {
  static constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    uint8_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

// Regroups bits (8 -> 5 or 5 -> 8); false on leftover non-zero padding.
bool ConvertBits(std::span<const uint8_t> in, int from, int to, bool pad,
                 std::vector<uint8_t>* out) {
  uint32_t acc = 0;
  int bits = 0;
  const uint32_t maxv = (1u << to) - 1;
  for (uint8_t v : in) {
    if (v >> from) return false;
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out->push_back((acc >> bits) & maxv);
    }
  }
  if (pad) {
    if (bits) out->push_back((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv)) {
    return false;
  }
  return true;
}

ValidationResult ValidateBech32(std::string_view c) {
  constexpr std::string_view kName = "bech32";
  c = Trim(c);
  Bech32Decoded d = Bech32Decode(c);
  if (d.encoding == Bech32Encoding::kNone) return Fail(kName, "not a valid bech32/bech32m string");
  std::string lower = ToLower(c);
  std::string enc = d.encoding == Bech32Encoding::kBech32 ? "bech32" : "bech32m";
  bool segwit_hrp =
      d.hrp == "bc" || d.hrp == "tb" || d.hrp == "bcrt" || d.hrp == "ltc" || d.hrp == "tltc";
  if (!segwit_hrp) return Pass(kName, lower, StrCat(enc, " hrp=", d.hrp), 0.0);
  // BIP-173/350 segwit address rules.
  if (d.data.empty()) return Fail(kName, "segwit address without witness version");
  int version = d.data[0];
  if (version > 16) return Fail(kName, "witness version above 16");
  std::vector<uint8_t> program;
  if (!ConvertBits(std::span<const uint8_t>(d.data).subspan(1), 5, 8, false, &program)) {
    return Fail(kName, "invalid witness program padding");
  }
  if (program.size() < 2 || program.size() > 40) return Fail(kName, "witness program length");
  if (version == 0 && program.size() != 20 && program.size() != 32) {
    return Fail(kName, "v0 witness program must be 20 or 32 bytes");
  }
  if (version == 0 && d.encoding != Bech32Encoding::kBech32) {
    return Fail(kName, "v0 address must use bech32, not bech32m");
  }
  if (version != 0 && d.encoding != Bech32Encoding::kBech32m) {
    return Fail(kName, "v1+ address must use bech32m (BIP-350)");
  }
  return Pass(kName, lower,
              ShortFormat("%s segwit v%d %s", enc.c_str(), version, d.hrp.c_str()), 0.2);
}

// ---------------------------------------------------------------- IP addresses

uint32_t V4Ranges(const uint8_t* a) {
  uint32_t v = (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
  auto in = [&](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (v & mask) == net;
  };
  uint32_t r = 0;
  if (v == 0)
    r |= kIpUnspecified;
  else if (in(0x00000000, 8))
    r |= kIpReserved;
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) r |= kIpPrivate;
  if (in(0x7F000000, 8)) r |= kIpLoopback;
  if (in(0xA9FE0000, 16)) r |= kIpLinkLocal;
  if (in(0x64400000, 10)) r |= kIpSharedCgnat;
  if (in(0xC0000200, 24) || in(0xC6336400, 24) || in(0xCB007100, 24)) r |= kIpDocumentation;
  if (in(0xC6120000, 15)) r |= kIpBenchmarking;
  if (in(0xE0000000, 4)) r |= kIpMulticast;
  if (v == 0xFFFFFFFF)
    r |= kIpBroadcast;
  else if (in(0xF0000000, 4))
    r |= kIpReserved;
  if (in(0xC0000000, 24)) r |= kIpReserved;
  return r;
}

uint32_t V6Ranges(const uint8_t* a) {
  auto prefix = [&](std::initializer_list<uint8_t> p, int bits) {
    int i = 0;
    for (uint8_t byte : p) {
      int take = std::min(8, bits - i * 8);
      if (take <= 0) break;
      uint8_t mask = static_cast<uint8_t>(0xFF << (8 - take));
      if ((a[i] & mask) != (byte & mask)) return false;
      ++i;
    }
    return true;
  };
  static const uint8_t kZero[16] = {};
  uint32_t r = 0;
  if (std::memcmp(a, kZero, 16) == 0) return kIpUnspecified;
  if (std::memcmp(a, kZero, 15) == 0 && a[15] == 1) return kIpLoopback;
  if (prefix({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96)) r |= kIpV4Mapped | V4Ranges(a + 12);
  if (prefix({0xfe, 0x80}, 10)) r |= kIpLinkLocal;
  if (prefix({0xfc}, 7)) r |= kIpUniqueLocal;
  if (prefix({0x20, 0x01, 0x0d, 0xb8}, 32) || prefix({0x3f, 0xff, 0x00}, 20)) r |= kIpDocumentation;
  if (prefix({0xff}, 8)) r |= kIpMulticast;
  if (prefix({0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64)) r |= kIpReserved;
  if (prefix({0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48)) r |= kIpBenchmarking;
  if (prefix({0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96) || prefix({0x20, 0x02}, 16) ||
      prefix({0x20, 0x01, 0x00, 0x00}, 32)) {
    r |= kIpTranslation;
  }
  return r;
}

double IpDelta(uint32_t ranges) {
  if (ranges & kIpDocumentation) return -0.3;
  if (ranges & (kIpUnspecified | kIpLoopback | kIpBroadcast)) return -0.2;
  if (ranges & (kIpPrivate | kIpLinkLocal | kIpUniqueLocal | kIpSharedCgnat)) return -0.05;
  return 0.0;
}

ValidationResult ValidateIpFamily(std::string_view name, std::string_view c, int family) {
  auto ip = ParseIp(Trim(c));
  if (!ip) return Fail(name, "not an IP address");
  if (family != 0 && ip->family != family) {
    return Fail(name, StrCat("an IPv", ip->family, " address"));
  }
  return Pass(name, ip->canonical, IpRangeNames(ip->ranges), IpDelta(ip->ranges));
}

ValidationResult ValidateIpv4(std::string_view c) { return ValidateIpFamily("ipv4", c, 4); }
ValidationResult ValidateIpv6(std::string_view c) { return ValidateIpFamily("ipv6", c, 6); }
ValidationResult ValidateIp(std::string_view c) { return ValidateIpFamily("ip", c, 0); }

ValidationResult ValidateIpPrivate(std::string_view c) {
  constexpr std::string_view kName = "ip_private";
  auto ip = ParseIp(Trim(c));
  if (!ip) return Fail(kName, "not an IP address");
  if (ip->IsGlobal()) return Fail(kName, "globally routable address");
  return Pass(kName, ip->canonical, IpRangeNames(ip->ranges));
}

// ---------------------------------------------------------------- hosts, emails, URLs

// RFC 1123 host name: labels of [A-Za-z0-9-], 1..63, no leading/trailing hyphen.
bool ValidHostname(std::string_view host, std::string* why) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) {
    *why = "host length outside 1..253";
    return false;
  }
  int labels = 0;
  for (std::string_view label : Split(host, '.')) {
    ++labels;
    if (label.empty() || label.size() > 63) {
      *why = "empty or over-long label";
      return false;
    }
    if (label.front() == '-' || label.back() == '-') {
      *why = "label starts or ends with '-'";
      return false;
    }
    for (char ch : label) {
      if (!IsAlnum(ch) && ch != '-' && ch != '_') {
        *why = "character not allowed in a host name";
        return false;
      }
    }
  }
  if (labels < 2) {
    *why = "needs at least two labels";
    return false;
  }
  return true;
}

// A host that is itself a suffix of the list's private section (dynamic DNS such as
// hopto.me), and not an ICANN suffix.
bool IsPrivateSuffix(const std::string& host) {
  return tokens::IsListedSuffix(host, tokens::SuffixSection::kPrivate) &&
         !tokens::IsListedSuffix(host, tokens::SuffixSection::kIcann);
}

ValidationResult ValidateDomain(std::string_view c) {
  constexpr std::string_view kName = "domain";
  std::string host = ToLower(Trim(c));
  if (!host.empty() && host.back() == '.') host.pop_back();
  std::string why;
  if (!ValidHostname(host, &why)) return Fail(kName, why);
  std::string_view tld = std::string_view(host).substr(host.rfind('.') + 1);
  if (std::all_of(tld.begin(), tld.end(), IsDigit)) return Fail(kName, "numeric top-level label");
  auto reg = RegistrableDomain(host);
  if (!reg) {
    // Private-section suffixes (dynamic DNS, hosting: "hopto.me", "myftp.biz") are names a
    // company registered; as indicators they are domains in their own right.
    if (IsPrivateSuffix(host)) {
      return Pass(kName, host, StrCat("registrable=", host, " (private suffix)"));
    }
    return Fail(kName, "no registrable domain under the Public Suffix List");
  }
  double delta = 0.0;
  static constexpr std::string_view kExample[] = {"example.com", "example.org", "example.net",
                                                  "test.com"};
  if (std::find(std::begin(kExample), std::end(kExample), *reg) != std::end(kExample)) {
    delta = -0.3;
  }
  return Pass(kName, host, StrCat("registrable=", *reg), delta);
}

ValidationResult ValidateEmail(std::string_view c) {
  constexpr std::string_view kName = "email";
  c = Trim(c);
  if (StartsWithNoCase(c, "mailto:")) c.remove_prefix(7);
  size_t at = c.rfind('@');
  if (at == std::string_view::npos || at == 0) return Fail(kName, "no local part or '@'");
  std::string_view local = c.substr(0, at);
  std::string_view domain = c.substr(at + 1);
  if (local.size() > 64) return Fail(kName, "local part over 64 bytes");
  if (local.front() == '.' || local.back() == '.' || Contains(local, "..")) {
    return Fail(kName, "misplaced '.' in the local part");
  }
  static constexpr std::string_view kLocalOk = "!#$%&'*+/=?^_`{|}~.-";
  for (char ch : local) {
    if (!IsAlnum(ch) && kLocalOk.find(ch) == std::string_view::npos) {
      return Fail(kName, "character not allowed in the local part");
    }
  }
  ValidationResult dom = ValidateDomain(domain);
  if (!dom.valid) return Fail(kName, StrCat("domain: ", dom.detail));
  std::string normalized = StrCat(local, "@", dom.normalized);
  return Pass(kName, normalized, dom.detail, dom.confidence_delta);
}

ValidationResult ValidateUrl(std::string_view c) {
  constexpr std::string_view kName = "url";
  c = Trim(c);
  size_t colon = c.find("://");
  if (colon == std::string_view::npos || colon == 0) return Fail(kName, "no scheme");
  std::string scheme = ToLower(c.substr(0, colon));
  if (!IsAlpha(scheme[0]) || !std::all_of(scheme.begin(), scheme.end(), [](char ch) {
        return IsAlnum(ch) || ch == '+' || ch == '-' || ch == '.';
      })) {
    return Fail(kName, "bad scheme");
  }
  std::string_view rest = c.substr(colon + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
  std::string detail;
  size_t at = authority.rfind('@');
  std::string userinfo;
  if (at != std::string_view::npos) {
    userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
    detail = Contains(userinfo, ":") ? "credentials in URL" : "user in URL";
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return Fail(kName, "unterminated [IPv6] host");
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return Fail(kName, "junk after [IPv6] host");
    if (!port.empty()) port.remove_prefix(1);
  } else if (size_t pc = host.rfind(':'); pc != std::string_view::npos) {
    port = host.substr(pc + 1);
    host = host.substr(0, pc);
  }
  if (host.empty()) return Fail(kName, "empty host");
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) {
      return Fail(kName, "bad port");
    }
    int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) return Fail(kName, "port outside 1..65535");
  }
  std::string norm_host;
  double delta = 0.0;
  if (auto ip = ParseIp(host)) {
    norm_host = ip->family == 6 ? StrCat("[", ip->canonical, "]") : ip->canonical;
    delta = IpDelta(ip->ranges);
    if (ip->ranges) StrAppend(&detail, detail.empty() ? "" : "; ", IpRangeNames(ip->ranges));
  } else {
    std::string lower = ToLower(host);
    if (lower == "localhost") {
      norm_host = lower;
      delta = -0.2;
    } else {
      ValidationResult dom = ValidateDomain(lower);
      if (!dom.valid) return Fail(kName, StrCat("host: ", dom.detail));
      norm_host = dom.normalized;
      delta = dom.confidence_delta;
      StrAppend(&detail, detail.empty() ? "" : "; ", dom.detail);
    }
  }
  bool default_port = (scheme == "http" && port == "80") || (scheme == "https" && port == "443") ||
                      (scheme == "ftp" && port == "21");
  std::string normalized = StrCat(scheme, "://");
  if (!userinfo.empty()) StrAppend(&normalized, userinfo, "@");
  StrAppend(&normalized, norm_host);
  if (!port.empty() && !default_port) StrAppend(&normalized, ":", port);
  StrAppend(&normalized, tail.empty() ? "/" : tail);
  return Pass(kName, normalized, detail, delta);
}

// ---------------------------------------------------------------- MAC, UUID, hashes

ValidationResult ValidateMac(std::string_view c) {
  constexpr std::string_view kName = "mac";
  c = Trim(c);
  std::string hex;
  if (c.size() == 17 && (c[2] == ':' || c[2] == '-')) {
    char sep = c[2];
    for (size_t i = 0; i < c.size(); ++i) {
      if (i % 3 == 2) {
        if (c[i] != sep) return Fail(kName, "inconsistent separators");
      } else if (!IsHex(c[i])) {
        return Fail(kName, "non-hex digit");
      } else {
        hex.push_back(c[i]);
      }
    }
  } else if (c.size() == 14 && c[4] == '.' && c[9] == '.') {
    for (size_t i = 0; i < c.size(); ++i) {
      if (i == 4 || i == 9) continue;
      if (!IsHex(c[i])) return Fail(kName, "non-hex digit");
      hex.push_back(c[i]);
    }
  } else {
    return Fail(kName, "not aa:bb:cc:dd:ee:ff, aa-bb-..., or aabb.ccdd.eeff");
  }
  hex = ToLower(hex);
  if (AllSameChar(hex) && (hex[0] == '0' || hex[0] == 'f')) {
    return Fail(kName, hex[0] == '0' ? "all-zero address" : "broadcast address");
  }
  std::string out;
  for (size_t i = 0; i < 12; i += 2) {
    if (i) out.push_back(':');
    out.append(hex, i, 2);
  }
  int first = HexValue(hex[0]) * 16 + HexValue(hex[1]);
  std::string detail;
  if (first & 1)
    detail = "multicast";
  else if (first & 2)
    detail = "locally administered";
  else
    detail = "universally administered";
  return Pass(kName, out, detail);
}

ValidationResult ValidateUuid(std::string_view c) {
  constexpr std::string_view kName = "uuid";
  c = Trim(c);
  if (StartsWithNoCase(c, "urn:uuid:")) c.remove_prefix(9);
  if (c.size() == 38 && c.front() == '{' && c.back() == '}') c = c.substr(1, 36);
  if (c.size() != 36) return Fail(kName, "not 36 characters");
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c[i] != '-' : !IsHex(c[i])) return Fail(kName, "not 8-4-4-4-12 hex");
  }
  std::string lower = ToLower(c);
  if (lower == "00000000-0000-0000-0000-000000000000") return Pass(kName, lower, "nil UUID", -0.3);
  if (lower == "ffffffff-ffff-ffff-ffff-ffffffffffff") return Pass(kName, lower, "max UUID", -0.3);
  int version = HexValue(lower[14]);
  int variant = HexValue(lower[19]);
  std::string var = (variant & 0x8) == 0 ? "NCS" : (variant & 0xC) == 0x8 ? "RFC 4122" : "other";
  return Pass(kName, lower, ShortFormat("version %d, %s variant", version, var.c_str()));
}

ValidationResult ValidateHexDigest(std::string_view name, std::string_view c, size_t len) {
  c = Trim(c);
  if (c.size() != len) return Fail(name, StrCat("not ", len, " hex digits"));
  if (!std::all_of(c.begin(), c.end(), IsHex)) return Fail(name, "non-hex digit");
  bool has_lower = std::any_of(c.begin(), c.end(), [](char ch) { return ch >= 'a' && ch <= 'f'; });
  bool has_upper = std::any_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'F'; });
  if (has_lower && has_upper) return Fail(name, "mixed-case hex");
  std::string lower = ToLower(c);
  // Random hex sits near 4 bits/char; runs like 000...0 or 0123...0123 do not.
  double h = ShannonEntropy(lower);
  if (h < 2.5) return Fail(name, ShortFormat("entropy %.2f bits/char too low for a digest", h));
  double delta = 0.0;
  std::string detail = ShortFormat("entropy %.2f", h);
  if (std::all_of(lower.begin(), lower.end(), IsDigit)) {
    delta = -0.3;
    StrAppend(&detail, "; digits only");
  }
  // Digests of the empty input are common in code and rarely interesting.
  if (lower == "d41d8cd98f00b204e9800998ecf8427e" ||
      lower == "da39a3ee5e6b4b0d3255bfef95601890afd80709" ||
      lower == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") {
    delta = -0.3;
    StrAppend(&detail, "; digest of the empty string");
  }
  return Pass(name, lower, detail, delta);
}
ValidationResult ValidateMd5(std::string_view c) { return ValidateHexDigest("md5", c, 32); }
ValidationResult ValidateSha1(std::string_view c) { return ValidateHexDigest("sha1", c, 40); }
ValidationResult ValidateSha256(std::string_view c) { return ValidateHexDigest("sha256", c, 64); }
ValidationResult ValidateSha512(std::string_view c) { return ValidateHexDigest("sha512", c, 128); }

// ---------------------------------------------------------------- Ethereum (EIP-55)

// Keccak-256 (the pre-standard padding Ethereum uses, not SHA3-256).
std::array<uint8_t, 32> Keccak256(std::string_view data) {
  static constexpr uint64_t kRc[24] = {
      0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
      0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
      0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
      0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
      0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
      0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
  static constexpr int kRot[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                   25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};
  auto rol = [](uint64_t x, int n) { return n == 0 ? x : (x << n) | (x >> (64 - n)); };
  uint64_t st[25] = {};
  constexpr size_t kRate = 136;
  auto permute = [&] {
    for (int round = 0; round < 24; ++round) {
      uint64_t c[5], d[5], b[25];
      for (int x = 0; x < 5; ++x) c[x] = st[x] ^ st[x + 5] ^ st[x + 10] ^ st[x + 15] ^ st[x + 20];
      for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
      for (int i = 0; i < 25; ++i) st[i] ^= d[i % 5];
      for (int x = 0; x < 5; ++x) {
        for (int y = 0; y < 5; ++y)
          b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(st[x + 5 * y], kRot[x + 5 * y]);
      }
      for (int x = 0; x < 5; ++x) {
        for (int y = 0; y < 5; ++y) {
          st[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
        }
      }
      st[0] ^= kRc[round];
    }
  };
  std::string msg(data);
  msg.push_back(0x01);
  while (msg.size() % kRate) msg.push_back(0);
  msg.back() = static_cast<char>(msg.back() | 0x80);
  for (size_t off = 0; off < msg.size(); off += kRate) {
    for (size_t i = 0; i < kRate / 8; ++i) {
      uint64_t lane = 0;
      for (int k = 7; k >= 0; --k) lane = (lane << 8) | static_cast<uint8_t>(msg[off + i * 8 + k]);
      st[i] ^= lane;
    }
    permute();
  }
  std::array<uint8_t, 32> out;
  for (size_t i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(st[i / 8] >> (8 * (i % 8)));
  return out;
}

ValidationResult ValidateEip55(std::string_view c) {
  constexpr std::string_view kName = "eip55";
  c = Trim(c);
  if (c.size() != 42 || c[0] != '0' || (c[1] != 'x' && c[1] != 'X')) {
    return Fail(kName, "not 0x followed by 40 hex digits");
  }
  std::string_view hex = c.substr(2);
  if (!std::all_of(hex.begin(), hex.end(), IsHex)) return Fail(kName, "non-hex digit");
  std::string lower = ToLower(hex);
  if (AllSameChar(lower)) return Fail(kName, "degenerate address");
  bool has_lower =
      std::any_of(hex.begin(), hex.end(), [](char ch) { return ch >= 'a' && ch <= 'f'; });
  bool has_upper =
      std::any_of(hex.begin(), hex.end(), [](char ch) { return ch >= 'A' && ch <= 'F'; });
  auto hash = Keccak256(lower);
  std::string checksummed = "0x";
  for (size_t i = 0; i < 40; ++i) {
    int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
    char ch = lower[i];
    checksummed.push_back(nibble >= 8 ? absl::ascii_toupper(static_cast<unsigned char>(ch)) : ch);
  }
  if (!(has_lower && has_upper)) return Pass(kName, checksummed, "no checksum (single case)");
  if (checksummed.substr(2) != hex) return Fail(kName, "EIP-55 checksum mismatch");
  return Pass(kName, checksummed, "EIP-55 checksum", 0.2);
}

// ---------------------------------------------------------------- tokens and credentials

ValidationResult ValidateJwt(std::string_view c) {
  constexpr std::string_view kName = "jwt";
  c = Unquote(c);
  if (StartsWithNoCase(c, "Bearer ")) c = Trim(c.substr(7));
  std::vector<std::string_view> parts = Split(c, '.');
  if (parts.size() != 3 && parts.size() != 5) return Fail(kName, "not 3 (JWS) or 5 (JWE) segments");
  auto header_json = Base64Decode(parts[0]);
  if (!header_json) return Fail(kName, "header is not base64url");
  auto header = JsonObjectStrings(*header_json);
  if (!header) return Fail(kName, "header is not a JSON object");
  auto alg = header->find("alg");
  if (alg == header->end()) return Fail(kName, "header has no \"alg\"");
  std::string detail = StrCat("alg=", alg->second);
  double delta = 0.2;
  if (parts.size() == 3) {
    auto payload_json = Base64Decode(parts[1]);
    if (!payload_json || !JsonObjectStrings(*payload_json)) {
      return Fail(kName, "payload is not a base64url JSON object");
    }
    if (ToLower(alg->second) == "none") {
      StrAppend(&detail, "; unsigned");
    } else if (parts[2].empty()) {
      return Fail(kName, "signed token without a signature");
    }
  } else {
    StrAppend(&detail, "; JWE");
  }
  return Pass(kName, std::string(c), detail, delta);
}

ValidationResult ValidatePemPrivateKey(std::string_view candidate) {
  constexpr std::string_view kName = "pem_private_key";
  // Keys embedded in JSON (GCP service accounts) or string literals carry escaped newlines.
  std::string unescaped;
  unescaped.reserve(candidate.size());
  for (size_t i = 0; i < candidate.size(); ++i) {
    if (candidate[i] == '\\' && i + 1 < candidate.size() &&
        (candidate[i + 1] == 'n' || candidate[i + 1] == 'r')) {
      unescaped.push_back('\n');
      ++i;
    } else {
      unescaped.push_back(candidate[i]);
    }
  }
  std::string_view c = Trim(unescaped);
  constexpr std::string_view kBegin = "-----BEGIN ";
  size_t b = c.find(kBegin);
  if (b == std::string_view::npos) return Fail(kName, "no -----BEGIN line");
  size_t label_end = c.find("-----", b + kBegin.size());
  if (label_end == std::string_view::npos) return Fail(kName, "unterminated BEGIN line");
  std::string_view label = c.substr(b + kBegin.size(), label_end - b - kBegin.size());
  if (!Contains(label, "PRIVATE KEY")) return Fail(kName, "not a private key block");
  std::string_view body = c.substr(label_end + 5);
  std::string detail(label);
  bool encrypted = Contains(label, "ENCRYPTED");
  bool truncated = true;
  size_t e = body.find("-----END ");
  if (e != std::string_view::npos) {
    size_t end_label_end = body.find("-----", e + 9);
    std::string_view end_label =
        body.substr(e + 9, end_label_end == std::string_view::npos ? 0 : end_label_end - e - 9);
    if (end_label != label) return Fail(kName, "END label does not match BEGIN label");
    body = body.substr(0, e);
    truncated = false;
  }
  // Skip RFC 1421 headers (Proc-Type, DEK-Info) and OpenPGP armor headers and checksum.
  size_t b64_chars = 0;
  for (std::string_view line : Split(body, '\n', true)) {
    line = Trim(line);
    if (line.empty()) continue;
    if (Contains(line, ": ")) {
      if (Contains(line, "ENCRYPTED")) encrypted = true;
      continue;
    }
    if (line.front() == '=' && line.size() == 5) continue;  // OpenPGP CRC-24
    for (char ch : line) {
      if (!IsAlnum(ch) && ch != '+' && ch != '/' && ch != '=' && ch != ' ' && ch != '\\' &&
          ch != '"' && ch != ',') {
        return Fail(kName, "non-base64 character in the key body");
      }
      if (IsAlnum(ch) || ch == '+' || ch == '/') ++b64_chars;
    }
  }
  if (b64_chars < 40) return Fail(kName, "key body too short or missing");
  if (encrypted) StrAppend(&detail, "; encrypted");
  if (truncated) StrAppend(&detail, "; no END line in candidate");
  // An encrypted key is still a finding, but a weaker one.
  return Pass(kName, std::string(label), detail, encrypted ? -0.2 : 0.2);
}

bool IsBase32Upper(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '2' && ch <= '7'); });
}

ValidationResult ValidateAwsAccessKeyId(std::string_view c) {
  constexpr std::string_view kName = "aws_access_key_id";
  c = Unquote(c);
  static constexpr std::string_view kPrefixes[] = {"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA",
                                                   "ANPA", "ANVA", "APKA", "ABIA", "ACCA", "A3T"};
  std::string_view prefix;
  for (std::string_view p : kPrefixes) {
    if (StartsWith(c, p)) prefix = p;
  }
  if (prefix.empty()) return Fail(kName, "unknown AWS key id prefix");
  if (c.size() != 20 || !IsBase32Upper(c.substr(4))) {
    return Fail(kName, "expected 20 characters, base32 after the prefix");
  }
  double delta = Contains(c, "EXAMPLE") ? -0.4 : 0.1;
  return Pass(kName, std::string(c), std::string(prefix), delta);
}

ValidationResult ValidateAwsSecretPair(std::string_view c) {
  constexpr std::string_view kName = "aws_secret_pair";
  // Find an access key id and, anywhere else in the candidate, a 40-character secret.
  std::string key_id;
  for (size_t i = 0; i + 20 <= c.size(); ++i) {
    if ((c.substr(i, 4) == "AKIA" || c.substr(i, 4) == "ASIA") &&
        IsBase32Upper(c.substr(i + 4, 16)) && (i + 20 == c.size() || !IsAlnum(c[i + 20]))) {
      key_id = std::string(c.substr(i, 20));
      break;
    }
  }
  if (key_id.empty()) return Fail(kName, "no AKIA/ASIA access key id");
  auto secret_char = [](char ch) { return IsAlnum(ch) || ch == '/' || ch == '+'; };
  std::string secret;
  for (size_t i = 0; i + 40 <= c.size(); ++i) {
    if (i > 0 && secret_char(c[i - 1])) continue;
    size_t j = i;
    while (j < c.size() && secret_char(c[j])) ++j;
    if (j - i == 40) {
      std::string_view s = c.substr(i, 40);
      // Secrets mix cases and digits; reject words and ids.
      bool lower = std::any_of(s.begin(), s.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; });
      bool upper = std::any_of(s.begin(), s.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
      if (lower && upper && ShannonEntropy(s) >= 4.0) {
        secret = std::string(s);
        break;
      }
    }
    i = j;
  }
  if (secret.empty()) return Fail(kName, "no 40-character secret access key next to the key id");
  double delta = Contains(key_id, "EXAMPLE") || Contains(secret, "EXAMPLEKEY") ? -0.4 : 0.2;
  return Pass(kName, key_id, "access key id with secret access key", delta);
}

ValidationResult ValidateGcpServiceAccount(std::string_view c) {
  constexpr std::string_view kName = "gcp_service_account";
  c = Trim(c);
  if (auto obj = JsonObjectStrings(c)) {
    auto type = obj->find("type");
    if (type == obj->end() || type->second != "service_account") {
      return Fail(kName, "JSON without \"type\": \"service_account\"");
    }
    auto key = obj->find("private_key");
    if (key == obj->end() || !Contains(key->second, "PRIVATE KEY")) {
      return Fail(kName, "service account JSON without a private_key");
    }
    auto email = obj->find("client_email");
    std::string normalized = email == obj->end() ? "" : email->second;
    return Pass(kName, normalized, "service account key JSON", 0.2);
  }
  // A fragment (the scan saw part of the document): look for the two members textually.
  if (!Contains(c, "service_account")) return Fail(kName, "no service_account type");
  size_t pk = c.find("\"private_key\"");
  if (pk == std::string_view::npos) return Fail(kName, "no \"private_key\" member");
  if (c.find("PRIVATE KEY", pk) == std::string_view::npos) {
    return Fail(kName, "\"private_key\" does not hold a PEM key");
  }
  return Pass(kName, "", "service account key fragment", 0.0);
}

ValidationResult ValidateAzureConnectionString(std::string_view c) {
  constexpr std::string_view kName = "azure_connection_string";
  c = Unquote(c);
  std::map<std::string, std::string, std::less<>> kv;
  std::vector<std::string> order;
  for (std::string_view part : Split(c, ';', true)) {
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) return Fail(kName, "segment without key=value");
    std::string key = ToLower(Trim(part.substr(0, eq)));
    std::string value(Trim(part.substr(eq + 1)));
    order.push_back(StrCat(Trim(part.substr(0, eq)), "=", value));
    kv[key] = value;
  }
  auto has = [&](std::string_view k) { return kv.count(k) && !kv.find(k)->second.empty(); };
  std::string detail;
  if (has("accountname") && has("accountkey")) {
    auto key = Base64Decode(kv["accountkey"]);
    if (!key || key->size() != 64) return Fail(kName, "AccountKey is not 64 bytes of base64");
    detail = "storage account key";
  } else if (has("endpoint") && has("sharedaccesskey")) {
    auto key = Base64Decode(kv["sharedaccesskey"]);
    if (!key || key->size() != 32) return Fail(kName, "SharedAccessKey is not 32 bytes of base64");
    detail = "shared access key (Service Bus / Event Hubs / IoT)";
  } else if (has("hostname") && has("sharedaccesskey")) {
    auto key = Base64Decode(kv["sharedaccesskey"]);
    if (!key || key->size() != 32) return Fail(kName, "SharedAccessKey is not 32 bytes of base64");
    detail = "IoT Hub shared access key";
  } else if (has("sharedaccesssignature")) {
    if (!Contains(kv["sharedaccesssignature"], "sig=")) {
      return Fail(kName, "SharedAccessSignature without sig=");
    }
    detail = "shared access signature";
  } else {
    return Fail(kName, "no AccountKey, SharedAccessKey or SharedAccessSignature");
  }
  if (kv.count("usedevelopmentstorage")) return Fail(kName, "development storage emulator");
  double delta = 0.2;
  // The storage emulator's well-known account is public.
  if (kv["accountname"] == "devstoreaccount1") {
    delta = -0.5;
    detail += "; Azurite/emulator well-known key";
  }
  return Pass(kName, StrJoin(order, ";"), detail, delta);
}

ValidationResult ValidateCve(std::string_view c) {
  constexpr std::string_view kName = "cve";
  c = Trim(c);
  if (c.size() < 13 || !StartsWithNoCase(c, "CVE") || (c[3] != '-' && c[3] != '_')) {
    return Fail(kName, "not CVE-YYYY-NNNN");
  }
  std::string_view year = c.substr(4, 4);
  if (!std::all_of(year.begin(), year.end(), IsDigit) || (c[8] != '-' && c[8] != '_')) {
    return Fail(kName, "not CVE-YYYY-NNNN");
  }
  int y = std::stoi(std::string(year));
  if (y < 1999 || y > 2100) return Fail(kName, "year outside 1999..2100");
  std::string_view seq = c.substr(9);
  if (seq.size() < 4 || seq.size() > 8 || !std::all_of(seq.begin(), seq.end(), IsDigit)) {
    return Fail(kName, "sequence must be 4 to 8 digits");
  }
  if (seq.size() > 4 && seq[0] == '0')
    return Fail(kName, "sequence above 4 digits has a leading 0");
  return Pass(kName, StrCat("CVE-", year, "-", seq));
}

// libphonenumber decides (entities/phone_numbers.h): the number must be valid in its
// numbering plan; national forms are read in the default region.
ValidationResult ValidatePhone(std::string_view c, const ValidateOptions& options) {
  constexpr std::string_view kName = "phone_e164";
  c = Trim(c);
  if (StartsWithNoCase(c, "tel:")) c.remove_prefix(4);
  std::string text;
  for (size_t i = 0; i < c.size(); ++i) {
    const char ch = c[i];
    if (IsDigit(ch) || ch == ' ' || ch == '-' || ch == '.' || ch == '(' || ch == ')' ||
        ch == '/' || (ch == '+' && i == 0)) {
      text.push_back(ch);
    } else {
      return Fail(kName, "unexpected character");
    }
  }
  // "00" is the international prefix of most of the world, whatever the default region.
  if (StartsWith(text, "00")) text.replace(0, 2, "+");
  const PhoneNumber number = ParsePhoneNumber(
      text, options.default_region.empty() ? kDefaultPhoneRegion : options.default_region);
  if (!number.valid) return Fail(kName, number.why);
  const std::string_view digits = std::string_view(number.e164).substr(1);
  double delta = 0.0;
  std::string detail = StrCat("region ", number.region, ", ", number.type);
  if (digits.size() == 11 && digits[0] == '1' && digits.substr(4, 3) == "555" &&
      digits.substr(7, 2) == "01") {
    delta = -0.4;
    StrAppend(&detail, "; fictional 555-01XX number");
  }
  return Pass(kName, number.e164, detail, delta);
}

// Values that stand in for a secret in docs, templates and tests.
bool LooksLikePlaceholder(std::string_view v, std::string* why) {
  std::string lower = ToLower(v);
  if ((StartsWith(lower, "${") || StartsWith(lower, "{{") || StartsWith(lower, "<") ||
       StartsWith(lower, "%(") || StartsWith(lower, "$(") || StartsWith(lower, "process.env") ||
       StartsWith(lower, "os.environ"))) {
    *why = "template or variable reference";
    return true;
  }
  static constexpr std::string_view kWords[] = {
      "example", "changeme", "change_me", "placeholder", "your_",  "your-",  "yourkey",
      "xxxxxx",  "******",   "redacted",  "dummy",       "sample", "insert", "replace",
      "fake",    "notreal",  "secret123", "password123", "123456", "abcdef"};
  for (std::string_view w : kWords) {
    if (Contains(lower, w)) {
      *why = StrCat("placeholder marker '", w, "'");
      return true;
    }
  }
  return false;
}

ValidationResult ValidateEntropy(std::string_view c) {
  constexpr std::string_view kName = "entropy";
  std::string_view v = Unquote(c);
  if (v.size() < 8) return Fail(kName, "shorter than 8 bytes");
  std::string why;
  if (LooksLikePlaceholder(v, &why)) return Fail(kName, why);
  double h = ShannonEntropy(v);
  // A random string over n symbols cannot exceed log2(n); short strings cannot reach the
  // alphabet's entropy, so the bar scales with length and is capped at 3 bits/char.
  double bar = std::min(3.0, 0.8 * std::log2(static_cast<double>(v.size())));
  std::string detail = ShortFormat("entropy %.2f bits/char (threshold %.2f)", h, bar);
  if (h < bar) return Fail(kName, detail);
  bool has_digit = std::any_of(v.begin(), v.end(), IsDigit);
  bool has_alpha = std::any_of(v.begin(), v.end(), IsAlpha);
  double delta = (has_digit && has_alpha) ? 0.1 : -0.1;
  if (h >= 4.0) delta += 0.1;
  return Pass(kName, std::string(v), detail, delta);
}

constexpr Validator kValidators[] = {
    {"aws_access_key_id", "AWS access key id: known prefix, 16 base32 characters",
     ValidateAwsAccessKeyId},
    {"aws_secret_pair", "AWS access key id with a 40-character secret access key nearby",
     ValidateAwsSecretPair},
    {"azure_connection_string",
     "Azure storage/Service Bus connection string with a well-formed key",
     ValidateAzureConnectionString},
    {"base58check", "Base58Check double SHA-256 checksum (bitcoin P2PKH/P2SH, WIF, xpub)",
     ValidateBase58Check},
    {"bech32", "BIP-173 bech32 / BIP-350 bech32m checksum and segwit rules", ValidateBech32},
    {"cve", "CVE-YYYY-NNNN identifier shape and year range", ValidateCve},
    {"domain", "host name syntax and registrable domain under the Public Suffix List",
     ValidateDomain},
    {"eip55", "Ethereum address, EIP-55 mixed-case checksum when present", ValidateEip55},
    {"email", "address syntax and a registrable domain", ValidateEmail},
    {"entropy", "Shannon entropy high enough for a secret, not a placeholder", ValidateEntropy},
    {"gcp_service_account", "GCP service account key JSON with a private key",
     ValidateGcpServiceAccount},
    {"iban", "ISO 13616 IBAN: country length table and mod-97 check digits", ValidateIban},
    {"ip", "IPv4 or IPv6 address", ValidateIp},
    {"ip_private", "IP address in a private, loopback, link-local or reserved range",
     ValidateIpPrivate},
    {"ipv4", "dotted-quad IPv4 address", ValidateIpv4},
    {"ipv6", "IPv6 address in any RFC 4291 form, canonicalised per RFC 5952", ValidateIpv6},
    {"jwt", "JSON Web Token whose header is a JSON object with \"alg\"", ValidateJwt},
    {"luhn", "payment card number: 12-19 digits with a Luhn checksum", ValidateLuhn},
    {"mac", "IEEE 802 MAC address (colon, dash or Cisco dotted form)", ValidateMac},
    {"md5", "32 hex digits with digest-like entropy", ValidateMd5},
    {"pem_private_key", "PEM/OpenSSH/PGP private key block with a base64 body",
     ValidatePemPrivateKey},
    {"phone_e164", "phone number valid in its numbering plan (libphonenumber); E.164 out",
     nullptr, ValidatePhone},
    {"sha1", "40 hex digits with digest-like entropy", ValidateSha1},
    {"sha256", "64 hex digits with digest-like entropy", ValidateSha256},
    {"sha512", "128 hex digits with digest-like entropy", ValidateSha512},
    {"url", "absolute URL with a valid host (domain or IP) and port", ValidateUrl},
    {"us_ssn", "US Social Security number: area, group and serial rules", ValidateUsSsn},
    {"uuid", "RFC 4122 UUID text form", ValidateUuid},
};

}  // namespace

std::span<const Validator> AllValidators() { return kValidators; }

const Validator* FindValidator(std::string_view name) {
  for (const Validator& v : kValidators) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

absl::Status CheckValidatorName(std::string_view name) {
  if (name.empty() || FindValidator(name) != nullptr) return absl::OkStatus();
  std::vector<std::string_view> names;
  for (const Validator& v : kValidators) names.push_back(v.name);
  return absl::InvalidArgumentError(
      StrCat("unknown validator \"", name, "\"; known validators: ", StrJoin(names, ", ")));
}

ValidationResult Validate(std::string_view name, std::string_view candidate,
                          const ValidateOptions& options) {
  const Validator* v = FindValidator(name);
  if (v == nullptr) return Fail(name, StrCat("unknown validator \"", name, "\""));
  return v->with_options != nullptr ? v->with_options(candidate, options) : v->fn(candidate);
}


bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool dbl = false;
  bool any = false;
  for (size_t i = digits.size(); i-- > 0;) {
    char ch = digits[i];
    if (!IsDigit(ch)) continue;
    any = true;
    int d = ch - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return any && sum % 10 == 0;
}

int IbanLengthForCountry(std::string_view country) {
  for (const IbanCountry& c : kIbanCountries) {
    if (country == c.code) return c.length;
  }
  return 0;
}

std::optional<std::vector<uint8_t>> Base58Decode(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  // Big-endian base-256 accumulator.
  std::vector<uint8_t> b256((text.size() - zeros) * 733 / 1000 + 1, 0);
  size_t length = 0;
  for (size_t i = zeros; i < text.size(); ++i) {
    size_t idx = kAlphabet.find(text[i]);
    if (idx == std::string_view::npos) return std::nullopt;
    int carry = static_cast<int>(idx);
    size_t j = 0;
    for (auto it = b256.rbegin(); (carry != 0 || j < length) && it != b256.rend(); ++it, ++j) {
      carry += 58 * (*it);
      *it = carry % 256;
      carry /= 256;
    }
    length = j;
  }
  auto it = b256.begin() + (b256.size() - length);
  std::vector<uint8_t> out(zeros, 0);
  out.insert(out.end(), it, b256.end());
  return out;
}

Bech32Decoded Bech32Decode(std::string_view s) {
  Bech32Decoded out;
  if (s.size() < 8 || s.size() > 90) return out;
  bool lower = false, upper = false;
  for (char ch : s) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (u < 33 || u > 126) return out;
    if (ch >= 'a' && ch <= 'z') lower = true;
    if (ch >= 'A' && ch <= 'Z') upper = true;
  }
  if (lower && upper) return out;
  size_t pos = s.rfind('1');
  if (pos == std::string_view::npos || pos == 0 || pos + 7 > s.size()) return out;
  std::string str = ToLower(s);
  std::vector<uint8_t> values;
  for (size_t i = 0; i < pos; ++i) values.push_back(static_cast<uint8_t>(str[i]) >> 5);
  values.push_back(0);
  for (size_t i = 0; i < pos; ++i) values.push_back(static_cast<uint8_t>(str[i]) & 31);
  std::vector<uint8_t> data;
  for (size_t i = pos + 1; i < str.size(); ++i) {
    const char* p = std::strchr(kBech32Charset, str[i]);
    if (p == nullptr || *p == '\0') return out;
    data.push_back(static_cast<uint8_t>(p - kBech32Charset));
  }
  values.insert(values.end(), data.begin(), data.end());
  uint32_t pm = Bech32Polymod(values);
  if (pm == 1)
    out.encoding = Bech32Encoding::kBech32;
  else if (pm == 0x2bc830a3)
    out.encoding = Bech32Encoding::kBech32m;
  else
    return out;
  out.hrp = str.substr(0, pos);
  out.data.assign(data.begin(), data.end() - 6);
  return out;
}

std::string IpRangeNames(uint32_t ranges) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kIpPrivate, "private"},
      {kIpLoopback, "loopback"},
      {kIpLinkLocal, "link-local"},
      {kIpUniqueLocal, "unique-local"},
      {kIpDocumentation, "documentation"},
      {kIpSharedCgnat, "shared-cgnat"},
      {kIpMulticast, "multicast"},
      {kIpUnspecified, "unspecified"},
      {kIpReserved, "reserved"},
      {kIpBroadcast, "broadcast"},
      {kIpBenchmarking, "benchmarking"},
      {kIpV4Mapped, "ipv4-mapped"},
      {kIpTranslation, "translation"},
  };
  std::vector<std::string_view> names;
  for (const auto& [bit, name] : kNames) {
    if (ranges & bit) names.push_back(name);
  }
  return StrJoin(names, ",");
}

std::optional<IpAddress> ParseIp(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 100) return std::nullopt;
  std::string zone;
  if (size_t pct = text.find('%'); pct != std::string_view::npos) {
    zone = std::string(text.substr(pct));
    text = text.substr(0, pct);
    if (zone.size() < 2) return std::nullopt;
  }
  std::string s(text);
  IpAddress ip;
  char buf[INET6_ADDRSTRLEN];
  if (zone.empty() && inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = 4;
    if (inet_ntop(AF_INET, ip.bytes.data(), buf, sizeof(buf)) == nullptr) return std::nullopt;
    ip.canonical = buf;
    ip.ranges = V4Ranges(ip.bytes.data());
    return ip;
  }
  if (s.find(':') != std::string::npos && inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
    ip.family = 6;
    if (inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof(buf)) == nullptr) return std::nullopt;
    ip.canonical = StrCat(buf, zone);
    ip.ranges = V6Ranges(ip.bytes.data());
    return ip;
  }
  return std::nullopt;
}

std::optional<std::string> RegistrableDomain(std::string_view host) {
  if (!tokens::PublicSuffixListAvailable()) return std::nullopt;
  std::string lower = ToLower(host);
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  if (lower.empty()) return std::nullopt;
  // The PSL's implicit "*" rule makes any unknown TLD a suffix; require a listed one.
  size_t dot = lower.rfind('.');
  std::string tld = dot == std::string::npos ? lower : lower.substr(dot + 1);
  if (!tokens::IsListedSuffix(tld)) return std::nullopt;
  return tokens::RegistrableDomainOf(lower);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  auto value = [](char ch) -> int {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+' || ch == '-') return 62;
    if (ch == '/' || ch == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int v = value(ch);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace trawl
