// Refang(): defanged indicators become live text, and offsets lead back to the defanged
// bytes.
#include "structure/defang.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace trawl
