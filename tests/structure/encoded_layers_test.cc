#include "structure/encoded_layers.h"

#include <gtest/gtest.h>

#include <string>

namespace trawl {
namespace {

std::string Base64(std::string_view in, bool url = false) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 | static_cast<uint8_t>(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(alphabet[(v >> k) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string Hex(std::string_view in) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (char c : in) {
    out.push_back(digits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(digits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

TEST(EncodedLayersTest, Base64SecretMapsBackToEncodedSpan) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::string plain = "ab=" + secret + " tail";
  const std::string encoded = Base64(plain);
  const std::string doc = "config: data=\"" + encoded + "\"\n";
  const size_t start = doc.find(encoded);
  const EncodedLayers layers = FindEncodedLayers(doc);
  // The AWS example key is itself base64-shaped, so it is decoded once more (depth 2).
  ASSERT_EQ(layers.buffers.size(), 2u);
  EXPECT_EQ(layers.buffers[1].parent, 0);
  EXPECT_EQ(layers.buffers[1].depth, 2u);
  const DerivedBuffer& b = layers.buffers[0];
  EXPECT_EQ(b.encoding, DerivedEncoding::kBase64);
  EXPECT_EQ(b.data, plain);
  EXPECT_EQ(b.source_span, (ByteSpan{start, start + encoded.size()}));
  EXPECT_EQ(b.component_span.begin, start);
  const size_t at = b.data.find(secret);
  ASSERT_EQ(at, 3u);
  const ByteSpan span = layers.MapToComponent(0, at, at + secret.size());
  // Decoded bytes 3..43 are encoded characters 4..58 (ceil(43 * 4 / 3) = 58).
  EXPECT_EQ(span, (ByteSpan{start + 4, start + 58}));
}

TEST(EncodedLayersTest, NestedHexInsideBase64AndDepthLimit) {
  const std::string inner = "supersecretpassword12345";
  const std::string doc = "blob " + Base64("token=" + Hex(inner) + ";") + " end";
  const EncodedLayers layers = FindEncodedLayers(doc);
  ASSERT_EQ(layers.buffers.size(), 2u);
  EXPECT_EQ(layers.buffers[1].encoding, DerivedEncoding::kHex);
  EXPECT_EQ(layers.buffers[1].depth, 2u);
  EXPECT_EQ(layers.buffers[1].parent, 0);
  EXPECT_EQ(layers.buffers[1].data, inner);
  // The hex text starts at decoded byte 6 of layer 0: encoded character 8 of the blob.
  const ByteSpan span = layers.MapToComponent(1, 0, inner.size());
  EXPECT_EQ(span.begin, 5u + 8u);
  EXPECT_EQ(span.end, 5u + 72u);  // hex bytes 6..54 -> ceil(54 * 4 / 3) = 72
  EncodedLayerOptions options;
  options.max_depth = 1;
  EXPECT_EQ(FindEncodedLayers(doc, options).buffers.size(), 1u);
}

TEST(EncodedLayersTest, WrappedPemBase64IsJoined) {
  std::string key;
  for (int i = 0; i < 120; ++i) key.push_back(static_cast<char>('a' + i % 26));
  key += " AWS_SECRET=abc123";
  const std::string b64 = Base64(key);
  std::string pem = "-----BEGIN DATA-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  pem += "-----END DATA-----\n";
  const EncodedLayers layers = FindEncodedLayers(pem);
  ASSERT_EQ(layers.buffers.size(), 1u);
  EXPECT_EQ(layers.buffers[0].data, key);
  const size_t at = key.find("AWS_SECRET");
  const ByteSpan span = layers.MapToComponent(0, at, at + 10);
  // Decoded byte 121 is in the third line (decoded bytes 96..143, encoded chars 128..191).
  const size_t line3 = pem.find('\n', pem.find('\n', pem.find('\n') + 1) + 1) + 1;
  EXPECT_EQ(span.begin, line3 + (at - 96) * 4 / 3);
}

TEST(EncodedLayersTest, IgnoresDigestsWordsAndShortRuns) {
  const std::string doc =
      "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "ThisIsJustAVeryLongCamelCaseIdentifierWithoutDigits\n"
      "/usr/local/lib/python3/site-packages/module/file.py\n"
      "short=c2VjcmV0\n";
  const EncodedLayers layers = FindEncodedLayers(doc);
  EXPECT_TRUE(layers.buffers.empty()) << layers.buffers[0].source_span.begin << " " << DerivedEncodingName(layers.buffers[0].encoding) << " " << layers.buffers.size();
}

TEST(EncodedLayersTest, UrlSafeAndHexTextAndLimits) {
  const std::string plain = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"k\":\"\x3f\x3f>>\x3f\x3f~~\"}";
  const std::string url = Base64(plain, /*url=*/true);
  ASSERT_NE(url.find_first_of("-_"), std::string::npos);
  const std::string doc = url + " " + Hex("hello hex world, this is text!");
  const EncodedLayers layers = FindEncodedLayers(doc);
  ASSERT_EQ(layers.buffers.size(), 2u);
  EXPECT_EQ(layers.buffers[0].encoding, DerivedEncoding::kBase64Url);
  EXPECT_EQ(layers.buffers[0].data, plain);
  EXPECT_EQ(layers.buffers[1].data, "hello hex world, this is text!");
  EncodedLayerOptions options;
  options.max_decoded_bytes = 50;
  const EncodedLayers limited = FindEncodedLayers(doc, options);
  EXPECT_EQ(limited.buffers.size(), 1u);
  EXPECT_TRUE(limited.truncated);
}

}  // namespace
}  // namespace trawl
