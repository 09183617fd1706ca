// Validator tests against published test vectors: Luhn (processor test cards), ISO 13616
// IBAN examples, bitcoin Base58Check addresses, BIP-173/BIP-350 Bech32 vectors, RFC 5952
// IPv6 canonical forms, EIP-55 and SSN issuance rules.
#include "entities/phone_numbers.h"
#include "entities/validators.h"

#include <string>

#include "gtest/gtest.h"

namespace trawl {
namespace {

bool Valid(std::string_view validator, std::string_view candidate) {
  return Validate(validator, candidate).valid;
}
std::string Normal(std::string_view validator, std::string_view candidate) {
  ValidationResult r = Validate(validator, candidate);
  EXPECT_TRUE(r.valid) << validator << "(" << candidate << "): " << r.detail;
  return r.normalized;
}

TEST(RegistryTest, FindsEveryDocumentedValidator) {
  for (std::string_view name : {"luhn",
                                "iban",
                                "us_ssn",
                                "base58check",
                                "bech32",
                                "ipv4",
                                "ipv6",
                                "ip",
                                "ip_private",
                                "email",
                                "domain",
                                "url",
                                "mac",
                                "uuid",
                                "md5",
                                "sha1",
                                "sha256",
                                "jwt",
                                "pem_private_key",
                                "aws_access_key_id",
                                "aws_secret_pair",
                                "gcp_service_account",
                                "azure_connection_string",
                                "cve",
                                "phone_e164",
                                "entropy",
                                "eip55"}) {
    EXPECT_NE(FindValidator(name), nullptr) << name;
  }
  EXPECT_EQ(FindValidator("nope"), nullptr);
}

TEST(RegistryTest, UnknownNameIsALoadError) {
  EXPECT_TRUE(CheckValidatorName("").ok());
  EXPECT_TRUE(CheckValidatorName("luhn").ok());
  absl::Status s = CheckValidatorName("lunh");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("lunh"), std::string::npos);
  EXPECT_NE(std::string(s.message()).find("luhn"), std::string::npos);  // lists known names
  ValidationResult r = Validate("lunh", "4111111111111111");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.validator, "lunh");
}

TEST(RegistryTest, ValidatorsAreSortedAndUnique) {
  auto all = AllValidators();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
}

TEST(LuhnTest, ProcessorTestCards) {
  for (std::string_view card :
       {"4242424242424242", "4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005",
        "6011111111111117", "3566002020360505", "4000056655665556"}) {
    ValidationResult r = Validate("luhn", card);
    EXPECT_TRUE(r.valid) << card << ": " << r.detail;
    EXPECT_LT(r.confidence_delta, 0) << "published test numbers lower confidence";
  }
  EXPECT_EQ(Normal("luhn", "4111 1111 1111 1111"), "4111111111111111");
  EXPECT_NE(Validate("luhn", "4111111111111111").detail.find("visa"), std::string::npos);
  EXPECT_NE(Validate("luhn", "378282246310005").detail.find("amex"), std::string::npos);
}

TEST(LuhnTest, RejectsBadChecksumsAndShapes) {
  EXPECT_FALSE(Valid("luhn", "4242424242424241"));
  EXPECT_FALSE(Valid("luhn", "0000000000000000"));  // passes mod 10 but is a placeholder
  EXPECT_FALSE(Valid("luhn", "42424242"));
  EXPECT_FALSE(Valid("luhn", "4242-4242-4242-424x"));
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_FALSE(LuhnValid(""));
}

TEST(IbanTest, RegistryExamples) {
  for (std::string_view iban :
       {"GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
        "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034",
        "CH9300762011623852957", "NO9386011117947", "IBAN: DE89 3704 0044 0532 0130 00"}) {
    ValidationResult r = Validate("iban", iban);
    EXPECT_TRUE(r.valid) << iban << ": " << r.detail;
  }
  EXPECT_EQ(Normal("iban", "gb82 west 1234 5698 7654 32"), "GB82WEST12345698765432");
}

TEST(IbanTest, RejectsWrongCheckDigitsLengthsAndCountries) {
  EXPECT_FALSE(Valid("iban", "GB82WEST12345698765433"));  // check digits
  EXPECT_FALSE(Valid("iban", "GB82WEST1234569876543"));   // GB is 22 long
  EXPECT_FALSE(Valid("iban", "XX82WEST12345698765432"));  // no such country
  EXPECT_FALSE(Valid("iban", "DE89370400440532013001"));
  EXPECT_EQ(IbanLengthForCountry("DE"), 22);
  EXPECT_EQ(IbanLengthForCountry("NO"), 15);
  EXPECT_EQ(IbanLengthForCountry("US"), 0);
}

TEST(SsnTest, IssuanceRules) {
  EXPECT_EQ(Normal("us_ssn", "536-22-8149"), "536-22-8149");
  EXPECT_EQ(Normal("us_ssn", "536228149"), "536-22-8149");
  EXPECT_FALSE(Valid("us_ssn", "000-22-8149"));  // area 000
  EXPECT_FALSE(Valid("us_ssn", "666-22-8149"));  // area 666
  EXPECT_FALSE(Valid("us_ssn", "912-22-8149"));  // area 9xx (ITIN)
  EXPECT_FALSE(Valid("us_ssn", "536-00-8149"));  // group 00
  EXPECT_FALSE(Valid("us_ssn", "536-22-0000"));  // serial 0000
  EXPECT_FALSE(Valid("us_ssn", "078-05-1120"));  // the Woolworth wallet card
  EXPECT_FALSE(Valid("us_ssn", "123-45-6789"));
  EXPECT_FALSE(Valid("us_ssn", "536-22-814"));
}

TEST(Base58CheckTest, BitcoinAddresses) {
  ValidationResult p2pkh = Validate("base58check", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2");
  EXPECT_TRUE(p2pkh.valid) << p2pkh.detail;
  EXPECT_EQ(p2pkh.detail, "bitcoin P2PKH");
  ValidationResult p2sh = Validate("base58check", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy");
  EXPECT_TRUE(p2sh.valid) << p2sh.detail;
  EXPECT_EQ(p2sh.detail, "bitcoin P2SH");
  EXPECT_TRUE(Valid("base58check", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"));
  EXPECT_TRUE(Valid("base58check", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));  // genesis block
}

TEST(Base58CheckTest, RejectsBadChecksumAndAlphabet) {
  EXPECT_FALSE(Valid("base58check", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
  EXPECT_FALSE(Valid("base58check", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz"));
  EXPECT_FALSE(Valid("base58check", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0"));  // '0' not base58
  EXPECT_FALSE(Valid("base58check", "1BvBMSEY"));
}

TEST(Base58Test, DecodesLeadingZeros) {
  auto d = Base58Decode("1111");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->size(), 4u);
  EXPECT_FALSE(Base58Decode("0OIl").has_value());
}

TEST(Bech32Test, Bip173ValidChecksums) {
  for (
      std::string_view s :
      {"A12UEL5L", "a12uel5l",
       "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
       "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
       "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
       "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
    EXPECT_EQ(Bech32Decode(s).encoding, Bech32Encoding::kBech32) << s;
    EXPECT_TRUE(Valid("bech32", s)) << s;
  }
}

TEST(Bech32Test, Bip350ValidChecksums) {
  for (
      std::string_view s :
      {"A1LQFN3A", "a1lqfn3a",
       "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
       "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
       "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
       "split1checkupstagehandshakeupstreamerranterredcaperredlc445v", "?1v759aa"}) {
    EXPECT_EQ(Bech32Decode(s).encoding, Bech32Encoding::kBech32m) << s;
  }
}

TEST(Bech32Test, InvalidStrings) {
  for (std::string_view s : {" 1nwldj5",
                             "\x7f"
                             "1axkwrx",
                             "\x80"
                             "1eym55h",
                             "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexclud"
                             "edcharactersbio1569pvx",
                             "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3",
                             "de1lg7wt\xff", "A1G7SGD8", "10a06t8", "1qzzfhee", "a1LQFN3A"}) {
    EXPECT_EQ(Bech32Decode(s).encoding, Bech32Encoding::kNone) << s;
  }
}

TEST(Bech32Test, SegwitAddresses) {
  ValidationResult v0 = Validate("bech32", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  EXPECT_TRUE(v0.valid) << v0.detail;
  EXPECT_EQ(v0.detail, "bech32 segwit v0 bc");
  EXPECT_EQ(Normal("bech32", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
  ValidationResult v1 =
      Validate("bech32", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0");
  EXPECT_TRUE(v1.valid) << v1.detail;
  EXPECT_EQ(v1.detail, "bech32m segwit v1 bc");
  EXPECT_TRUE(Valid("bech32", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"));
  EXPECT_FALSE(Valid("bech32", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"));  // checksum
  EXPECT_FALSE(Valid("bech32", "bc1qw508d6qejxtdg4y5r3zarvAry0c5xw7kv8f3t4"));  // mixed case
}

TEST(IpTest, Ipv4FormsAndRanges) {
  EXPECT_EQ(Normal("ipv4", "203.0.114.7"), "203.0.114.7");
  EXPECT_FALSE(Valid("ipv4", "256.1.1.1"));
  EXPECT_FALSE(Valid("ipv4", "1.2.3"));
  EXPECT_FALSE(Valid("ipv4", "2001:db8::1"));
  EXPECT_EQ(Validate("ipv4", "10.1.2.3").detail, "private");
  EXPECT_EQ(Validate("ipv4", "127.0.0.1").detail, "loopback");
  EXPECT_EQ(Validate("ipv4", "169.254.1.1").detail, "link-local");
  EXPECT_EQ(Validate("ipv4", "100.64.0.1").detail, "shared-cgnat");
  EXPECT_EQ(Validate("ipv4", "192.0.2.10").detail, "documentation");
  EXPECT_EQ(Validate("ipv4", "198.51.100.1").detail, "documentation");
  EXPECT_EQ(Validate("ipv4", "203.0.113.1").detail, "documentation");
  EXPECT_EQ(Validate("ipv4", "172.31.255.255").detail, "private");
  EXPECT_EQ(Validate("ipv4", "172.32.0.1").detail, "");
  EXPECT_EQ(Validate("ipv4", "255.255.255.255").detail, "broadcast");
  EXPECT_EQ(Validate("ipv4", "224.0.0.251").detail, "multicast");
  EXPECT_LT(Validate("ipv4", "192.0.2.10").confidence_delta, 0);
  EXPECT_EQ(Validate("ipv4", "8.8.8.8").confidence_delta, 0);
}

TEST(IpTest, Rfc5952CanonicalForms) {
  // RFC 5952 section 4: leading zeros dropped, longest zero run compressed (the first on a
  // tie), a single zero field not compressed, lowercase hex.
  EXPECT_EQ(Normal("ipv6", "2001:0db8:0000:0000:0000:0000:0002:0001"), "2001:db8::2:1");
  EXPECT_EQ(Normal("ipv6", "2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  EXPECT_EQ(Normal("ipv6", "2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
  EXPECT_EQ(Normal("ipv6", "2001:DB8::1"), "2001:db8::1");
  EXPECT_EQ(Normal("ipv6", "2001:db8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(Normal("ipv6", "2001:db8::0:1"), "2001:db8::1");
  EXPECT_EQ(Normal("ipv6", "2001:db8:aaaa:bbbb:cccc:dddd:0:1"), "2001:db8:aaaa:bbbb:cccc:dddd:0:1");
  EXPECT_EQ(Normal("ipv6", "::ffff:192.0.2.128"), "::ffff:192.0.2.128");
  EXPECT_EQ(Normal("ipv6", "::1"), "::1");
  EXPECT_EQ(Normal("ipv6", "::"), "::");
  EXPECT_EQ(Normal("ipv6", "[2001:db8::1]"), "2001:db8::1");
  EXPECT_EQ(Normal("ipv6", "fe80::1%eth0"), "fe80::1%eth0");
  EXPECT_FALSE(Valid("ipv6", "2001:db8::1::1"));
  EXPECT_FALSE(Valid("ipv6", "12345::"));
  EXPECT_FALSE(Valid("ipv6", "2001:db8:1:2:3:4:5:6:7"));
  EXPECT_FALSE(Valid("ipv6", "192.0.2.1"));
}

TEST(IpTest, Ipv6Ranges) {
  EXPECT_EQ(Validate("ipv6", "::1").detail, "loopback");
  EXPECT_EQ(Validate("ipv6", "::").detail, "unspecified");
  EXPECT_EQ(Validate("ipv6", "fe80::1").detail, "link-local");
  EXPECT_EQ(Validate("ipv6", "fd12:3456:789a::1").detail, "unique-local");
  EXPECT_EQ(Validate("ipv6", "2001:db8::1").detail, "documentation");
  EXPECT_EQ(Validate("ipv6", "ff02::1").detail, "multicast");
  EXPECT_EQ(Validate("ipv6", "::ffff:10.0.0.1").detail, "private,ipv4-mapped");
  EXPECT_EQ(Validate("ipv6", "2606:4700:4700::1111").detail, "");
  EXPECT_TRUE(Valid("ip_private", "fd00::1"));
  EXPECT_TRUE(Valid("ip_private", "192.168.1.1"));
  EXPECT_FALSE(Valid("ip_private", "8.8.8.8"));
  EXPECT_FALSE(Valid("ip_private", "2606:4700:4700::1111"));
  auto ip = ParseIp("2001:db8::1");
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->family, 6);
  EXPECT_FALSE(ip->IsGlobal());
}

TEST(DomainTest, RegistrableDomainThroughPsl) {
  EXPECT_EQ(RegistrableDomain("a.b.example.co.uk").value_or(""), "example.co.uk");
  EXPECT_EQ(RegistrableDomain("www.Example.COM").value_or(""), "example.com");
  EXPECT_FALSE(RegistrableDomain("co.uk").has_value());  // a public suffix itself
  EXPECT_FALSE(RegistrableDomain("foo.notatld").has_value());
  ValidationResult r = Validate("domain", "Mail.Google.com");
  EXPECT_TRUE(r.valid) << r.detail;
  EXPECT_EQ(r.normalized, "mail.google.com");
  EXPECT_EQ(r.detail, "registrable=google.com");
  EXPECT_FALSE(Valid("domain", "config.json"));
  EXPECT_FALSE(Valid("domain", "-bad-.com"));
  EXPECT_FALSE(Valid("domain", "localhost"));
  // A private-section PSL entry (dynamic DNS) is still a domain an indicator can name.
  ValidationResult ddns = Validate("domain", "hopto.me");
  EXPECT_TRUE(ddns.valid) << ddns.detail;
  EXPECT_NE(ddns.detail.find("private suffix"), std::string::npos);
  EXPECT_FALSE(Valid("domain", "gov.in"));  // an ICANN suffix is not a domain
  EXPECT_LT(Validate("domain", "www.example.com").confidence_delta, 0);
}

TEST(EmailTest, SyntaxAndDomain) {
  EXPECT_EQ(Normal("email", "Jane.Doe+news@Mail.Example-Corp.CO.UK"),
            "Jane.Doe+news@mail.example-corp.co.uk");
  EXPECT_TRUE(Valid("email", "mailto:ops@company.io"));
  EXPECT_FALSE(Valid("email", "jane..doe@example.com"));
  EXPECT_FALSE(Valid("email", ".jane@example.com"));
  EXPECT_FALSE(Valid("email", "jane@localhost"));
  EXPECT_FALSE(Valid("email", "jane@host.notatld"));
  EXPECT_FALSE(Valid("email", "@example.com"));
}

TEST(UrlTest, NormalizesSchemeHostAndPort) {
  EXPECT_EQ(Normal("url", "HTTPS://Docs.Python.ORG:443/3/library"),
            "https://docs.python.org/3/library");
  EXPECT_EQ(Normal("url", "http://[2001:DB8::1]:8080/x"), "http://[2001:db8::1]:8080/x");
  EXPECT_EQ(Normal("url", "http://93.184.216.34"), "http://93.184.216.34/");
  ValidationResult creds = Validate("url", "https://user:pw@git.company.io/repo.git");
  EXPECT_TRUE(creds.valid);
  EXPECT_NE(creds.detail.find("credentials in URL"), std::string::npos);
  EXPECT_FALSE(Valid("url", "http://"));
  EXPECT_FALSE(Valid("url", "https://host.notatld/"));
  EXPECT_FALSE(Valid("url", "http://company.io:99999/"));
  EXPECT_FALSE(Valid("url", "no scheme here"));
}

TEST(MacUuidHashTest, Shapes) {
  EXPECT_EQ(Normal("mac", "3C-22-FB-1A-2B-3C"), "3c:22:fb:1a:2b:3c");
  EXPECT_EQ(Normal("mac", "001a.2b3c.4d5e"), "00:1a:2b:3c:4d:5e");
  EXPECT_FALSE(Valid("mac", "3c:22-fb:1a:2b:3c"));
  EXPECT_FALSE(Valid("mac", "00:00:00:00:00:00"));
  EXPECT_FALSE(Valid("mac", "ff:ff:ff:ff:ff:ff"));
  EXPECT_EQ(Validate("mac", "02:00:00:00:00:01").detail, "locally administered");

  ValidationResult u = Validate("uuid", "{123E4567-E89B-42D3-A456-426614174000}");
  EXPECT_TRUE(u.valid);
  EXPECT_EQ(u.normalized, "123e4567-e89b-42d3-a456-426614174000");
  EXPECT_EQ(u.detail, "version 4, RFC 4122 variant");
  EXPECT_FALSE(Valid("uuid", "123e4567-e89b-42d3-a456-42661417400"));

  EXPECT_TRUE(Valid("md5", "9e107d9d372bb6826bd81d3542a419d6"));
  EXPECT_TRUE(Valid("sha1", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"));
  EXPECT_TRUE(Valid("sha256", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"));
  EXPECT_FALSE(Valid("md5", "00000000000000000000000000000000"));
  EXPECT_FALSE(Valid("md5", "9E107d9d372bb6826bd81d3542a419d6"));  // mixed case
  EXPECT_FALSE(Valid("sha1", "9e107d9d372bb6826bd81d3542a419d6"));
  EXPECT_LT(Validate("md5", "d41d8cd98f00b204e9800998ecf8427e").confidence_delta, 0);  // md5("")
}

TEST(JwtTest, HeaderMustBeJsonWithAlg) {
  constexpr std::string_view kJwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  ValidationResult r = Validate("jwt", kJwt);
  EXPECT_TRUE(r.valid) << r.detail;
  EXPECT_EQ(r.detail, "alg=HS256");
  EXPECT_TRUE(Valid("jwt", std::string("Bearer ") + std::string(kJwt)));
  // {"typ":"JWT"} has no alg.
  EXPECT_FALSE(Valid("jwt", "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijkl"));
  EXPECT_FALSE(Valid("jwt", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.abcdefghijkl"));  // payload not JSON
  EXPECT_FALSE(Valid("jwt", "abc.def"));
}

TEST(Eip55Test, SpecVectors) {
  for (std::string_view a :
       {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
    ValidationResult r = Validate("eip55", a);
    EXPECT_TRUE(r.valid) << a << ": " << r.detail;
    EXPECT_EQ(r.normalized, a);
  }
  EXPECT_EQ(Normal("eip55", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_FALSE(Valid("eip55", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
}

TEST(CredentialTest, PemPrivateKey) {
  std::string body(64, 'A');
  std::string key = "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n" + body +
                    "\n-----END RSA PRIVATE KEY-----\n";
  ValidationResult r = Validate("pem_private_key", key);
  EXPECT_TRUE(r.valid) << r.detail;
  EXPECT_EQ(r.normalized, "RSA PRIVATE KEY");
  std::string enc =
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n" +
      body + "\n-----END RSA PRIVATE KEY-----";
  ValidationResult e = Validate("pem_private_key", enc);
  EXPECT_TRUE(e.valid) << e.detail;
  EXPECT_NE(e.detail.find("encrypted"), std::string::npos);
  EXPECT_LT(e.confidence_delta, 0);
  EXPECT_FALSE(Valid("pem_private_key", "-----BEGIN PUBLIC KEY-----\n" + body));
  EXPECT_FALSE(Valid("pem_private_key", "-----BEGIN RSA PRIVATE KEY-----\n" + body +
                                            "\n-----END EC PRIVATE KEY-----"));
  EXPECT_FALSE(Valid("pem_private_key",
                     "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----"));
  // As embedded in a GCP service-account JSON value (escaped newlines).
  ValidationResult json = Validate("pem_private_key", "-----BEGIN PRIVATE KEY-----\\n" + body +
                                                          "\\n-----END PRIVATE KEY-----\\n");
  EXPECT_TRUE(json.valid) << json.detail;
  EXPECT_EQ(json.normalized, "PRIVATE KEY");
}

TEST(CredentialTest, AwsKeys) {
  EXPECT_TRUE(Valid("aws_access_key_id", "AKIAQYLPMN5HHHFPZAM2"));
  EXPECT_LT(Validate("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE").confidence_delta, 0);
  EXPECT_FALSE(Valid("aws_access_key_id", "AKIA1234567890123456"));  // 0, 1, 8, 9 are not base32
  EXPECT_FALSE(Valid("aws_access_key_id", "AKIAQYLPMN5HHHFPZAM"));
  ValidationResult pair = Validate("aws_secret_pair",
                                   "aws_access_key_id=AKIAQYLPMN5HHHFPZAM2\naws_secret_access_key="
                                   "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");
  EXPECT_TRUE(pair.valid) << pair.detail;
  EXPECT_EQ(pair.normalized, "AKIAQYLPMN5HHHFPZAM2");
  EXPECT_FALSE(Valid("aws_secret_pair", "AKIAQYLPMN5HHHFPZAM2 and nothing else"));
}

TEST(CredentialTest, GcpServiceAccount) {
  std::string json = R"({"type": "service_account", "project_id": "p",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
    "client_email": "svc@p.iam.gserviceaccount.com"})";
  ValidationResult r = Validate("gcp_service_account", json);
  EXPECT_TRUE(r.valid) << r.detail;
  EXPECT_EQ(r.normalized, "svc@p.iam.gserviceaccount.com");
  EXPECT_FALSE(Valid("gcp_service_account", R"({"type": "authorized_user", "private_key": "x"})"));
  EXPECT_FALSE(Valid("gcp_service_account", R"({"type": "service_account"})"));
  EXPECT_TRUE(Valid("gcp_service_account",
                    R"("type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----)"));
}

TEST(CredentialTest, AzureConnectionStrings) {
  std::string key(86, 'Q');
  std::string storage = "DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=" + key +
                        "==;EndpointSuffix=core.windows.net";
  ValidationResult r = Validate("azure_connection_string", storage);
  EXPECT_TRUE(r.valid) << r.detail;
  EXPECT_EQ(r.detail, "storage account key");
  std::string sb =
      "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=" +
      std::string(43, 'k') + "=";
  EXPECT_TRUE(Valid("azure_connection_string", sb));
  EXPECT_FALSE(Valid("azure_connection_string",
                     "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc=="));
  EXPECT_FALSE(Valid("azure_connection_string", "UseDevelopmentStorage=true"));
  ValidationResult emu = Validate(
      "azure_connection_string",
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + key + "==");
  EXPECT_TRUE(emu.valid);
  EXPECT_LT(emu.confidence_delta, 0);
}

TEST(MiscTest, CveAndPhone) {
  EXPECT_EQ(Normal("cve", "cve-2021-44228"), "CVE-2021-44228");
  EXPECT_TRUE(Valid("cve", "CVE-2024-1234567"));
  EXPECT_FALSE(Valid("cve", "CVE-1990-1234"));
  EXPECT_FALSE(Valid("cve", "CVE-2021-123"));
  EXPECT_FALSE(Valid("cve", "CVE-2021-012345"));

  EXPECT_EQ(Normal("phone_e164", "+44 20 7946 0958"), "+442079460958");
  EXPECT_EQ(Normal("phone_e164", "(415) 555-2671"), "+14155552671");
  EXPECT_EQ(Normal("phone_e164", "0049 151 12345678"), "+4915112345678");
  EXPECT_LT(Validate("phone_e164", "+1 212 555 0123").confidence_delta, 0);  // fictional 555-01XX
  EXPECT_FALSE(Valid("phone_e164", "+1 (115) 555-2671"));  // area code starts with 1
  EXPECT_FALSE(Valid("phone_e164", "+999 123"));
  EXPECT_FALSE(Valid("phone_e164", "+28 1234 5678"));  // unassigned zone
  EXPECT_FALSE(Valid("phone_e164", "12345"));
}

// libphonenumber's numbering plans, and national forms read in the default region.
TEST(PhoneTest, NationalFormsFollowTheDefaultRegion) {
  ValidateOptions gb, ph;
  gb.default_region = "GB";
  ph.default_region = "PH";
  EXPECT_FALSE(Validate("phone_e164", "020 7946 0958").valid);  // not a US number
  const ValidationResult london = Validate("phone_e164", "020 7946 0958", gb);
  EXPECT_TRUE(london.valid) << london.detail;
  EXPECT_EQ(london.normalized, "+442079460958");
  EXPECT_NE(london.detail.find("region GB"), std::string::npos);
  EXPECT_EQ(Validate("phone_e164", "0917 123 4567", ph).normalized, "+639171234567");
  EXPECT_EQ(Validate("phone_e164", "(02) 8123 4567", ph).normalized, "+63281234567");
  // International forms do not depend on it.
  EXPECT_EQ(Validate("phone_e164", "+1 (415) 555-2671", gb).normalized, "+14155552671");
  EXPECT_FALSE(Validate("phone_e164", "+44 20 7946", gb).valid);  // too short for the plan
  EXPECT_FALSE(Validate("phone_e164", "4155552671x").valid);
  EXPECT_TRUE(IsKnownPhoneRegion("PH"));
  EXPECT_FALSE(IsKnownPhoneRegion("XX"));
}

TEST(EntropyTest, ShannonAndSecretThreshold) {
  EXPECT_DOUBLE_EQ(ShannonEntropy(""), 0.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("ab"), 1.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abcd"), 2.0);
  EXPECT_TRUE(Valid("entropy", "\"q8Vf2LpZ7xR3mK9tW1bN\""));
  EXPECT_FALSE(Valid("entropy", "aaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(Valid("entropy", "your_api_key_here_123"));
  EXPECT_FALSE(Valid("entropy", "${SECRET_TOKEN_VALUE}"));
  EXPECT_FALSE(Valid("entropy", "changeme2024"));
  EXPECT_FALSE(Valid("entropy", "short"));
}

TEST(Base64Test, StandardAndUrlAlphabets) {
  EXPECT_EQ(Base64Decode("aGVsbG8=").value_or("?"), "hello");
  EXPECT_EQ(Base64Decode("aGVsbG8").value_or("?"), "hello");
  EXPECT_EQ(Base64Decode("-_8").value_or("?"), "\xfb\xff");
  EXPECT_FALSE(Base64Decode("a$bc").has_value());
}

}  // namespace
}  // namespace trawl
