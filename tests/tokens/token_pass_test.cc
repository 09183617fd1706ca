// The token pass on hand-made inputs: each shape's spans, boundaries and the regex
// recognizer behaviours they follow (leftmost spans, word boundaries), with every kernel.
#include "tokens/token_pass.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace trawl::tokens {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The texts of the spans of `shape` in `text`, for every kernel this CPU runs and both
// run walks (they must agree; the first answer is returned).
std::vector<std::string> Find(std::string_view text, Shape shape) {
  std::vector<std::string> first;
  bool have_first = false;
  for (const Kernel& kernel : AllKernels()) {
    if (!kernel.supported()) continue;
    for (RunWalks walks : {RunWalks::kBytes, RunWalks::kMasks}) {
      TokenPass pass(ShapeBit(shape), kernel, walks);
      std::vector<Span> spans;
      pass.Find(text, &spans);
      std::vector<std::string> texts;
      for (const Span& s : spans) {
        EXPECT_EQ(s.shape, shape);
        texts.emplace_back(text.substr(s.begin, s.end - s.begin));
      }
      if (!have_first) {
        first = texts;
        have_first = true;
      } else {
        EXPECT_EQ(texts, first) << "kernel " << kernel.name << ", mask walks "
                                << (walks == RunWalks::kMasks);
      }
    }
  }
  return first;
}

// The same text placed across a 64-byte block edge at every offset gives the same spans.
std::vector<std::string> FindShifted(std::string_view text, Shape shape) {
  const std::vector<std::string> base = Find(text, shape);
  for (size_t pad = 1; pad < 70; pad += 7) {
    const std::string shifted = std::string(pad, ' ') + std::string(text);
    EXPECT_EQ(Find(shifted, shape), base) << "shifted by " << pad;
  }
  return base;
}

TEST(TokenPassTest, HexDigests) {
  const std::string md5 = "a4c4e72348111e01485652fe8a810b90";
  const std::string sha1 = "f53e29edd55324e60f2bf5cedebf13669e234190";
  EXPECT_THAT(FindShifted("md5: " + md5 + " ok", Shape::kHex), ElementsAre(md5));
  EXPECT_THAT(FindShifted("sha1 " + sha1, Shape::kHex), ElementsAre(sha1));
  // Glued to a word byte: no boundary, no span.
  EXPECT_THAT(Find("x" + md5, Shape::kHex), IsEmpty());
  EXPECT_THAT(Find(md5 + "_", Shape::kHex), IsEmpty());
  // "0x" prefix: the prefixed span only.
  EXPECT_THAT(Find("to: 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed.", Shape::kHex),
              ElementsAre("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
  // Dash-separated segments stand alone.
  EXPECT_THAT(Find(md5 + "-" + sha1, Shape::kHex), ElementsAre(md5, sha1));
}

TEST(TokenPassTest, Uuids) {
  const std::string uuid = "d905ea54-46ae-4ace-ad2d-0f4162d8f3fd";
  EXPECT_THAT(FindShifted("id: " + uuid + "\n", Shape::kUuid), ElementsAre(uuid));
  EXPECT_THAT(Find("{" + uuid + "}", Shape::kUuid), ElementsAre(uuid));
  // A leading hex segment: the window after it, as the recognizer's leftmost search.
  EXPECT_THAT(Find("deadbeef-" + uuid, Shape::kUuid), ElementsAre(uuid));
  EXPECT_THAT(Find("ac38985a-856b-66c9-0e4ebdd830c1", Shape::kUuid), IsEmpty());
}

TEST(TokenPassTest, MacAddresses) {
  EXPECT_THAT(FindShifted("ether 3c:22:fb:bc:8b:81 up", Shape::kMac),
              ElementsAre("3c:22:fb:bc:8b:81"));
  EXPECT_THAT(Find("hw 00-1A-2B-3C-4D-5E", Shape::kMac), ElementsAre("00-1A-2B-3C-4D-5E"));
  EXPECT_THAT(Find("mac 001a.2b3c.4d5e", Shape::kMac), ElementsAre("001a.2b3c.4d5e"));
  EXPECT_THAT(Find("3c:22:fb:1a:2b", Shape::kMac), IsEmpty());
  EXPECT_THAT(Find("3c:22-fb:1a:2b:3c", Shape::kMac), IsEmpty());
}

TEST(TokenPassTest, Emails) {
  EXPECT_THAT(FindShifted("contact: jane.doe+news@mail.example-corp.com", Shape::kEmail),
              ElementsAre("jane.doe+news@mail.example-corp.com"));
  EXPECT_THAT(Find("mailto:ops@pobtvcjk.io", Shape::kEmail), ElementsAre("ops@pobtvcjk.io"));
  // The local part starts at its first word byte; '_' belongs to it.
  EXPECT_THAT(Find("(.abc@x.com)", Shape::kEmail), ElementsAre("abc@x.com"));
  EXPECT_THAT(Find("john_doe@example.org.", Shape::kEmail), ElementsAre("john_doe@example.org"));
  // The top-level label ends before a non-word byte, even a '-'.
  EXPECT_THAT(Find("a@b.com-x", Shape::kEmail), ElementsAre("a@b.com"));
  EXPECT_THAT(Find("jane.doe@", Shape::kEmail), IsEmpty());
  EXPECT_THAT(Find("@localhost", Shape::kEmail), IsEmpty());
  EXPECT_THAT(Find("a@b.c1", Shape::kEmail), IsEmpty());
  EXPECT_THAT(Find(std::string(65, 'a') + "@example.com", Shape::kEmail), IsEmpty());
}

TEST(TokenPassTest, Domains) {
  EXPECT_THAT(FindShifted("resolve smmwllgpcs.com now", Shape::kDomain),
              ElementsAre("smmwllgpcs.com"));
  EXPECT_THAT(Find("host: api.xhwyzd.co.uk", Shape::kDomain), ElementsAre("api.xhwyzd.co.uk"));
  // Any suffix the Public Suffix List has, not a fixed list.
  EXPECT_THAT(Find("see evil.example.photography", Shape::kDomain),
              ElementsAre("evil.example.photography"));
  EXPECT_THAT(Find("config.jsonx", Shape::kDomain), IsEmpty());
  EXPECT_THAT(Find("-foo.com", Shape::kDomain), ElementsAre("foo.com"));
  // Labels are greedy (a hyphenated label joins the name); a top-level label can end
  // at a '-' when nothing follows.
  EXPECT_THAT(Find("foo.com-bar.org", Shape::kDomain), ElementsAre("foo.com-bar.org"));
  EXPECT_THAT(Find("x.com-y z", Shape::kDomain), ElementsAre("x.com"));
  // Digit labels are labels: the name is the whole run, whatever an IPv4 reading took.
  TokenPass both(ShapeBit(Shape::kDomain) | ShapeBit(Shape::kIpv4));
  std::vector<Span> spans;
  both.Find("1.2.3.4-x.com", &spans);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0], (Span{0, 7, Shape::kIpv4}));
  EXPECT_EQ(spans[1], (Span{0, 13, Shape::kDomain}));
  // Glued to '_': no boundary at the first label.
  EXPECT_THAT(Find("x_foo.bar.com", Shape::kDomain), ElementsAre("bar.com"));
}

// The pass remembers the top-level labels it asked the Public Suffix List about, in a
// cache of bounded size that is emptied when full: answers stay right across that, for
// short (packed) and long (kept as text) labels, in either case.
TEST(TokenPassTest, DomainAnswersSurviveManyDistinctTopLevelLabels) {
  std::string text;
  const auto label = [](size_t n, size_t letters) {
    std::string l;
    for (size_t i = 0; i < letters; ++i, n /= 26) l.push_back(static_cast<char>('a' + n % 26));
    return l;
  };
  std::vector<std::string> expected;
  for (size_t round = 0; round < 3; ++round) {
    // 6,000 distinct labels that no suffix list has ("qz" starts none), short and long,
    // then real suffixes (short and long, mixed case) again.
    for (size_t n = 0; n < 6000; ++n) {
      text += "host.qz" + label(n, 3) + " x.qz" + label(n, 12) + " ";
    }
    text += "a.example.COM b.example.Photography c.example.TravelersInsurance ";
    expected.insert(expected.end(),
                    {"a.example.COM", "b.example.Photography", "c.example.TravelersInsurance"});
  }
  TokenPass pass(ShapeBit(Shape::kDomain));
  std::vector<Span> spans;
  pass.Find(text, &spans);
  std::vector<std::string> found;
  for (const Span& s : spans) found.emplace_back(text.substr(s.begin, s.end - s.begin));
  EXPECT_EQ(found, expected);
}

TEST(TokenPassTest, Ipv4) {
  EXPECT_THAT(FindShifted("connect to 203.0.114.7:443", Shape::kIpv4), ElementsAre("203.0.114.7"));
  EXPECT_THAT(Find("src=10.12.0.254", Shape::kIpv4), ElementsAre("10.12.0.254"));
  EXPECT_THAT(Find("1.2.3.4.5.6.7.8", Shape::kIpv4), ElementsAre("1.2.3.4", "5.6.7.8"));
  EXPECT_THAT(Find("256.1.1.1 1.2.3 10.0.0", Shape::kIpv4), IsEmpty());
  EXPECT_THAT(Find("v1.2.3.4", Shape::kIpv4), IsEmpty());
  EXPECT_THAT(Find("01.2.3.4", Shape::kIpv4), IsEmpty());
}

// Dotted runs are cut only where the masks show a top-level label (a dot after a letter or
// digit, then two letters) or a fourth octet; the run is then cut whole, from its start,
// whichever byte triggered it, and runs without such a trigger give nothing either way.
TEST(TokenPassTest, DottedRunsAreCutWholeFromTheirTrigger) {
  EXPECT_THAT(FindShifted("a..b.com", Shape::kDomain), ElementsAre("b.com"));
  EXPECT_THAT(FindShifted("end. foo.com", Shape::kDomain), ElementsAre("foo.com"));
  EXPECT_THAT(Find(".com -.com a-.com", Shape::kDomain), IsEmpty());
  // The trigger (the top label's second letter) is far from where the name starts.
  EXPECT_THAT(FindShifted("at x.y.mail.internal-host.example.org,", Shape::kDomain),
              ElementsAre("x.y.mail.internal-host.example.org"));
  // Octets of 3, 3, 1 and 2 digits: the marks of the last three octets are 4 and 2 apart.
  EXPECT_THAT(FindShifted("100.234.5.67 x.y.z.10.0.0.1", Shape::kIpv4),
              ElementsAre("100.234.5.67", "10.0.0.1"));
  EXPECT_THAT(Find("0.5 1.2.3 v1.2 a.b", Shape::kIpv4), IsEmpty());
}

TEST(TokenPassTest, Ipv6) {
  EXPECT_THAT(FindShifted("addr 2001:db8::1 up", Shape::kIpv6), ElementsAre("2001:db8::1"));
  EXPECT_THAT(Find("listen [fe80::1ff:fe23:4567:890a]:80", Shape::kIpv6),
              ElementsAre("fe80::1ff:fe23:4567:890a"));
  EXPECT_THAT(Find("mapped ::ffff:192.0.2.128 ok", Shape::kIpv6),
              ElementsAre("::ffff:192.0.2.128"));
  EXPECT_THAT(Find("bind :: now", Shape::kIpv6), ElementsAre("::"));
  EXPECT_THAT(Find("std::string", Shape::kIpv6), IsEmpty());
  EXPECT_THAT(Find("12:34:56 a::b::c 3c:22:fb:bc:8b:81", Shape::kIpv6), IsEmpty());
  EXPECT_THAT(Find("2001:0db8:0000:0000:0001:0000:0000:0001", Shape::kIpv6),
              ElementsAre("2001:0db8:0000:0000:0001:0000:0000:0001"));
}

TEST(TokenPassTest, Cards) {
  EXPECT_THAT(FindShifted("card: 4111 1111 1111 1111", Shape::kCard),
              ElementsAre("4111 1111 1111 1111"));
  EXPECT_THAT(Find("cc=5555555555554444", Shape::kCard), ElementsAre("5555555555554444"));
  EXPECT_THAT(Find("amex 3782 822463 10005", Shape::kCard), ElementsAre("3782 822463 10005"));
  // Luhn decides between group ends.
  EXPECT_THAT(Find("4111 1111 1111 1111 2023", Shape::kCard), ElementsAre("4111 1111 1111 1111"));
  EXPECT_THAT(Find("1234 5678 9012 3457", Shape::kCard), IsEmpty());  // no Luhn-valid cut
  EXPECT_THAT(Find("4111 1111", Shape::kCard), IsEmpty());
}

TEST(TokenPassTest, UsSsn) {
  EXPECT_THAT(FindShifted("SSN: 536-22-8149", Shape::kUsSsn), ElementsAre("536-22-8149"));
  EXPECT_THAT(Find("536-228-149 5362-2-8149 536228149", Shape::kUsSsn), IsEmpty());
}

// Every group-aligned cut of 7-15 digits is a candidate: libphonenumber picks.
TEST(TokenPassTest, Phones) {
  EXPECT_THAT(FindShifted("call +1 (415) 555-2671", Shape::kPhone),
              ElementsAre("+1 (415) 555", "+1 (415) 555-2671"));
  // National cuts do not start inside a '+' number ("20 7946 0958" is no US number here).
  EXPECT_THAT(Find("tel: +44 20 7946 0958", Shape::kPhone),
              ElementsAre("+44 20 7946", "+44 20 7946 0958"));
  EXPECT_THAT(Find("phone: (415) 555-2671", Shape::kPhone),
              ElementsAre("(415) 555-2671", "555-2671"));
  EXPECT_THAT(Find("+4915112345678", Shape::kPhone), ElementsAre("+4915112345678"));
  EXPECT_THAT(Find("(415) 555-2671-1234", Shape::kPhone),
              ElementsAre("(415) 555-2671", "(415) 555-2671-1234", "555-2671", "555-2671-1234",
                          "2671-1234"));
  // A single group needs a '+' or '('; glued to a letter, no candidate starts there.
  EXPECT_THAT(Find("+12 and version +1.2 and x415-5552671 and 4155552671", Shape::kPhone),
              IsEmpty());
  // Dates and dotted quads are not national numbers.
  EXPECT_THAT(Find("2026-11-01 12:00:01 at 141.255.154.68:1177", Shape::kPhone), IsEmpty());
}

TEST(TokenPassTest, Iban) {
  EXPECT_THAT(FindShifted("IBAN: GB82 WEST 1234 5698 7654 32", Shape::kIban),
              ElementsAre("GB82 WEST 1234 5698 7654 32"));
  EXPECT_THAT(Find("DE89370400440532013000", Shape::kIban), ElementsAre("DE89370400440532013000"));
  EXPECT_THAT(Find("GB82 WEST", Shape::kIban), IsEmpty());
  EXPECT_THAT(Find("gb82west12345698765432", Shape::kIban), IsEmpty());
}

TEST(TokenPassTest, CryptoAddresses) {
  EXPECT_THAT(FindShifted("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", Shape::kBase58),
              ElementsAre("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
  EXPECT_THAT(FindShifted("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Shape::kBech32),
              ElementsAre("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
  EXPECT_THAT(Find("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", Shape::kBech32),
              ElementsAre("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"));
  EXPECT_THAT(Find("bc1short", Shape::kBech32), IsEmpty());
}

// A URL span is the word before "://" and the "://": where the rule's regex may start.
TEST(TokenPassTest, UrlSchemes) {
  EXPECT_THAT(FindShifted("see https://docs.example.org/x and ftp://f.example.net/", Shape::kUrl),
              ElementsAre("https://", "ftp://"));
  // The whole word before the colon: a regex starting with \b starts nowhere inside it.
  EXPECT_THAT(Find("git+https://h/ xhttp://h/ 9http://h/", Shape::kUrl),
              ElementsAre("https://", "xhttp://", "9http://"));
  EXPECT_THAT(Find("http:/x http:// ://x std::vector a:b//c", Shape::kUrl), ElementsAre("http://"));
  EXPECT_THAT(Find(std::string(40, 'a') + "://x", Shape::kUrl), IsEmpty());  // no scheme is that long
}

// Every span of every shape, with `kernel` and `walks`.
std::vector<Span> AllSpans(std::string_view text, const Kernel& kernel, RunWalks walks) {
  TokenPass pass(kAllShapes, kernel, walks);
  std::vector<Span> spans;
  pass.Find(text, &spans);
  return spans;
}

// The mask walks stop at the edges of the batch in hand and go on byte by byte there: runs
// that start before a batch, end after it or cover a whole one, placed at every offset
// around block and batch edges and at the input's end, give the byte walks' spans.
TEST(TokenPassTest, MaskRunWalksAgreeWithByteWalksAcrossBlockAndBatchEdges) {
  const size_t batch = kBatchBlocks * kBlockBytes;
  const std::vector<std::string> runs = {
      "x.y.mail.internal-host.example.org",
      "10.0.0.1",
      "2001:db8::ff00:42:8329",
      "3c:22:fb:bc:8b:81",
      "001a.2b3c.4d5e",
      "a4c4e72348111e01485652fe8a810b90-d905ea54-46ae-4ace-ad2d-0f4162d8f3fd",
      "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
      "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
      std::string(batch + 300, 'a') + ".com",       // one run longer than a batch
      "a.b" + std::string(batch, '.') + "c.org",   // dots across a whole batch
      std::string(batch + 10, 'f') + "::1",
      std::string(batch + 10, 'e') + "-" + std::string(32, 'd'),
      "+44 20 7946 0958 / (415) 555-2671",
      "4111 1111 1111 1111 078-05-1120",
      std::string(batch + 10, '7') + " 555-0100",  // a digit run longer than a batch
  };
  const Kernel& reference = *FindKernel("scalar");
  size_t compared = 0;
  for (const std::string& run : runs) {
    std::vector<size_t> offsets = {0, 1, 62, 63, 64, 65};
    for (size_t edge : {batch, 2 * batch}) {
      for (size_t d = 0; d < 3; ++d) {
        offsets.push_back(edge + d);
        offsets.push_back(edge - 1 - d);
        if (edge > run.size() + d) offsets.push_back(edge - run.size() - d);
        if (edge > run.size() / 2) offsets.push_back(edge - run.size() / 2 + d);
      }
    }
    for (size_t at : offsets) {
      // Spaces, or word bytes that the run joins, before it; the input ends with the run
      // or goes on for a while.
      for (char fill : {' ', 'a'}) {
        for (bool at_end : {true, false}) {
          std::string text = std::string(at, fill) + run;
          if (!at_end) text += " next.example.org 10.1.2.3 " + std::string(70, 'z');
          const std::vector<Span> want = AllSpans(text, reference, RunWalks::kBytes);
          for (const Kernel& kernel : AllKernels()) {
            if (!kernel.supported()) continue;
            ASSERT_EQ(AllSpans(text, kernel, RunWalks::kMasks), want)
                << "kernel " << kernel.name << ", run of " << run.size() << " bytes at " << at
                << ", fill '" << fill << "', at end " << at_end;
            ++compared;
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 1000u);
}

// Random text made of the bytes the cutters look at, three batches and more: the mask
// walks give the byte walks' spans, and the text has spans of many shapes to compare.
TEST(TokenPassTest, MaskRunWalksAgreeWithByteWalksOnRandomText) {
  const std::string alphabet = "abcdefxyzABCFQZ0123456789.-:@+/ _%()\n";
  const Kernel& reference = *FindKernel("scalar");
  for (unsigned seed = 1; seed <= 8; ++seed) {
    std::mt19937 rng(seed);
    std::string text(3 * kBatchBlocks * kBlockBytes + seed * 37, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    const std::vector<Span> want = AllSpans(text, reference, RunWalks::kBytes);
    EXPECT_FALSE(want.empty());
    for (const Kernel& kernel : AllKernels()) {
      if (!kernel.supported()) continue;
      EXPECT_EQ(AllSpans(text, kernel, RunWalks::kMasks), want)
          << "kernel " << kernel.name << ", seed " << seed;
    }
  }
}

TEST(TokenPassTest, ShapesNotAskedForCostNothingAndYieldNothing) {
  TokenPass pass(ShapeBit(Shape::kEmail));
  std::vector<Span> spans;
  pass.Find("a4c4e72348111e01485652fe8a810b90 10.0.0.1 a@b.com", &spans);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].shape, Shape::kEmail);
}

}  // namespace
}  // namespace trawl::tokens
