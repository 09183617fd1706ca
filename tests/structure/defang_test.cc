// Refang(): defanged indicators become live text, and offsets lead back to the defanged
// bytes.
#include "structure/defang.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace trawl {
namespace {

TEST(DefangTest, RewritesTokensAndMapsBack) {
  const std::string text = "C2 95.130.15[.]34, hXXps://vpn-service[DOT]us/a and x[@]mail[.]ru[:]25";
  auto r = Refang(text);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->data, "C2 95.130.15.34, https://vpn-service.us/a and x@mail.ru:25");
  EXPECT_EQ(r->encoding, DerivedEncoding::kRefanged);
  const auto span = [&](std::string_view live) {
    const size_t at = r->data.find(live);
    EXPECT_NE(at, std::string::npos) << live;
    return r->map.MapRange(at, at + live.size());
  };
  EXPECT_EQ(span("95.130.15.34"), (ByteSpan{3, 3 + std::string("95.130.15[.]34").size()}));
  const size_t url = text.find("hXXps");
  EXPECT_EQ(span("https://vpn-service.us/a"),
            (ByteSpan{url, url + std::string("hXXps://vpn-service[DOT]us/a").size()}));
  // A match that ends on a rewritten dot covers the whole token.
  const size_t dot = r->data.find("mail.ru") + 4;
  EXPECT_EQ(r->map.MapRange(dot, dot + 1).end - r->map.MapRange(dot, dot + 1).begin, 3u);
}

TEST(DefangTest, OnlyLinesWithATokenAreCopied) {
  const std::string text = "line one\nsee evil[.]com\nline three\nand hxxp://x[.]ru/a\nend";
  auto r = Refang(text);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->data, "see evil.com\nand http://x.ru/a");
  const size_t at = r->data.find("http://x.ru/a");
  const size_t src = text.find("hxxp");
  EXPECT_EQ(r->map.MapRange(at, at + 13), (ByteSpan{src, src + std::string("hxxp://x[.]ru/a").size()}));
  EXPECT_EQ(r->source_span, (ByteSpan{text.find("see"), text.find("\nend")}));
}

TEST(DefangTest, NothingToRewrite) {
  EXPECT_FALSE(Refang("plain text with a[0] index, http://live.example and [dots]").has_value());
  EXPECT_FALSE(Refang("").has_value());
  EXPECT_FALSE(Refang("a[.]b", /*max_bytes=*/4).has_value());
  auto edge = Refang("[.]");
  ASSERT_TRUE(edge.has_value());
  EXPECT_EQ(edge->data, ".");
  EXPECT_EQ(edge->map.MapRange(0, 1), (ByteSpan{0, 3}));
}

// The reference: every line with a token, tokens rewritten left to right (at each byte
// the first of the list that matches caselessly), lines joined by '\n'.
std::string ReferenceRefang(std::string_view text) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kTokens = {
      {"[.]", "."}, {"[dot]", "."}, {"[@]", "@"}, {"[at]", "@"}, {"[:]", ":"}, {"hxxp", "http"}};
  auto token_at = [&](std::string_view line, size_t i) -> int {
    for (size_t t = 0; t < kTokens.size(); ++t) {
      const std::string_view d = kTokens[t].first;
      if (line.size() - i < d.size()) continue;
      bool same = true;
      for (size_t k = 0; k < d.size() && same; ++k) {
        same = std::tolower(static_cast<unsigned char>(line[i + k])) == d[k];
      }
      if (same) return static_cast<int>(t);
    }
    return -1;
  };
  std::string out;
  for (size_t begin = 0; begin <= text.size();) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    std::string rewritten;
    bool any = false;
    for (size_t i = 0; i < line.size();) {
      const int t = token_at(line, i);
      if (t < 0) {
        rewritten.push_back(line[i++]);
        continue;
      }
      any = true;
      rewritten.append(kTokens[static_cast<size_t>(t)].second);
      i += kTokens[static_cast<size_t>(t)].first.size();
    }
    if (any) out.append(out.empty() ? "" : "\n").append(rewritten);
    begin = end + 1;
  }
  return out;
}

// Texts dense in the bytes tokens start with ('[', 'x', 'X', 'h'), of sizes on both sides
// of the 64-byte blocks and 4 KiB batches the lead bytes are found in.
TEST(DefangTest, RewritesWhatTheReferenceDoesOnDenseRandomText) {
  static constexpr std::string_view kPieces[] = {
      "[.]", "[dot]", "[DoT]", "[@]", "[at]", "[:]", "hxxp", "HXXP", "hxx", "hx", "[", "]",
      "x", "X", "h", "[d", "[a", "ab", " ", "\n", "1,", "[1, 2]", "xx", "[[.]", "hhxxp"};
  std::mt19937 rng(22);
  for (size_t size : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{200},
                      size_t{4095}, size_t{4097}, size_t{9000}, size_t{70000}}) {
    for (int rep = 0; rep < 4; ++rep) {
      std::string text;
      while (text.size() < size) text.append(kPieces[rng() % std::size(kPieces)]);
      text.resize(size);
      const std::string want = ReferenceRefang(text);
      auto got = Refang(text);
      if (want.empty()) {
        EXPECT_FALSE(got.has_value()) << size;
        continue;
      }
      ASSERT_TRUE(got.has_value()) << size;
      ASSERT_EQ(got->data, want) << size << " " << rep;
    }
  }
}

}  // namespace
}  // namespace trawl
