// The word-at-a-time paths of the text statistics, the refanger and the encoded-layer
// finder (issue 22) against byte-by-byte references, on inputs built to put every
// interesting byte at every position of an 8-byte word and around 16-byte chunks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "structure/defang.h"
#include "structure/encoded_layers.h"
#include "structure/text_structure.h"
#include "util/utf8.h"

namespace trawl {
namespace {

// Line statistics by the definition: every line's length, nearest-rank percentiles.
struct ReferenceLines {
  uint64_t lf = 0, crlf = 0, cr = 0, lines = 0, min = 0, max = 0, p50 = 0, p99 = 0;
  double mean = 0;
};

ReferenceLines LinesOf(std::string_view text) {
  ReferenceLines r;
  std::vector<uint64_t> lengths;
  uint64_t begin = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lengths.push_back(i - begin);
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++r.crlf;
      ++i;
    } else {
      ++(text[i] == '\r' ? r.cr : r.lf);
    }
    begin = i + 1;
  }
  if (begin < text.size()) lengths.push_back(text.size() - begin);
  r.lines = lengths.size();
  if (lengths.empty()) return r;
  std::vector<uint64_t> sorted = lengths;
  std::sort(sorted.begin(), sorted.end());
  uint64_t sum = 0;
  for (uint64_t l : lengths) sum += l;
  r.min = sorted.front();
  r.max = sorted.back();
  r.mean = static_cast<double>(sum) / static_cast<double>(lengths.size());
  const auto rank = [&](double p) {
    size_t k = static_cast<size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
    return sorted[std::clamp<size_t>(k, 1, sorted.size()) - 1];
  };
  r.p50 = rank(0.5);
  r.p99 = rank(0.99);
  return r;
}

// Text built from pieces that exercise each branch: printable runs, tabs, CR/LF/CRLF,
// NUL and control bytes, DEL, valid and broken UTF-8, and lines longer than 4096 bytes
// (the percentile histogram's limit).
std::string MixedText(uint32_t seed, size_t pieces) {
  std::mt19937 rng(seed);
  static const std::vector<std::string> kPieces = {
      "plain words here ", "\t", "\n", "\r\n", "\r", std::string(1, '\0'), "\x01", "\x7f",
      "caf\xC3\xA9 ", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC3", "\x80\x80", "\xFF",
      "hxxp://bad[.]example ", "[dot]", "[AT]", "HXXPS", "h", "[", "x",
  };
  std::string out;
  for (size_t k = 0; k < pieces; ++k) {
    if (rng() % 400 == 0) {
      out.append(4096 + rng() % 5000, 'L');  // a long line
      continue;
    }
    out.append(std::string(rng() % 9, 'a'));  // shifts the next piece within a word
    out.append(kPieces[rng() % kPieces.size()]);
  }
  return out;
}

TEST(FastPathsTest, TextStatisticsEqualByteByByteDefinition) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    const std::string text = MixedText(seed, 3000);
    const TextReport r = AnalyzeText(text);
    const ReferenceLines want = LinesOf(text);
    EXPECT_EQ(r.lines, want.lines) << seed;
    EXPECT_EQ(r.lf, want.lf) << seed;
    EXPECT_EQ(r.crlf, want.crlf) << seed;
    EXPECT_EQ(r.cr, want.cr) << seed;
    EXPECT_EQ(r.line_length.min, want.min) << seed;
    EXPECT_EQ(r.line_length.max, want.max) << seed;
    EXPECT_EQ(r.line_length.mean, want.mean) << seed;
    EXPECT_EQ(r.line_length.p50, want.p50) << seed;
    EXPECT_EQ(r.line_length.p99, want.p99) << seed;
    uint64_t nul = 0, control = 0;
    bool ascii = true;
    for (unsigned char c : text) {
      nul += c == 0;
      control += (c != 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' &&
                  c != '\v') ||
                 c == 0x7F;
      ascii &= c < 0x80;
    }
    EXPECT_EQ(r.nul_bytes, nul) << seed;
    EXPECT_EQ(r.control_bytes, control) << seed;
    EXPECT_EQ(r.ascii, ascii) << seed;
    EXPECT_EQ(r.valid_utf8, FirstInvalidUtf8(text) == text.size()) << seed;
  }
}

TEST(FastPathsTest, PercentilesOfMostlyLongLines) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += std::string(4000 + 97 * i, 'x') + "\n";
  text += "short\n";
  const TextReport r = AnalyzeText(text);
  const ReferenceLines want = LinesOf(text);
  EXPECT_EQ(r.line_length.p50, want.p50);
  EXPECT_EQ(r.line_length.p99, want.p99);
  EXPECT_EQ(r.line_length.min, 5u);
}

TEST(FastPathsTest, RefangFindsTokensAtEveryWordPosition) {
  for (size_t shift = 0; shift < 17; ++shift) {
    for (std::string_view token : {"[.]", "hxxp", "HxXp", "[AT]", "[:]"}) {
      const std::string text = std::string(shift, 'a') + "host" + std::string(token) + "example";
      const std::optional<DerivedBuffer> live = Refang(text);
      ASSERT_TRUE(live.has_value()) << shift << " " << token;
      EXPECT_EQ(live->data.find('['), std::string::npos) << live->data;
    }
    // "h" and "x" apart, and a lone '[' are no tokens.
    EXPECT_FALSE(Refang(std::string(shift, 'a') + "h x hx[ hxx h").has_value()) << shift;
  }
}

// The layer finder's chunk skip must not lose a blob whatever its alignment, nor one
// that starts right after another's '=' padding.
TEST(FastPathsTest, LayersFoundAtEveryAlignment) {
  const std::string blob = "c2VjcmV0LXRva2VuLXZhbHVlLXRoYXQtaXMtbG9uZy1lbm91Z2g=";  // 52 chars
  for (size_t shift = 0; shift < 33; ++shift) {
    const std::string text = std::string(shift, ' ') + "x=" + blob + blob + " tail";
    const EncodedLayers layers = FindEncodedLayers(text);
    ASSERT_EQ(layers.buffers.size(), 2u) << shift;  // the padding ends the first blob
    EXPECT_EQ(layers.buffers[0].source_span.begin, shift + 2) << shift;
    EXPECT_EQ(layers.buffers[1].source_span.begin, shift + 2 + blob.size()) << shift;
    EXPECT_EQ(layers.buffers[0].data, "secret-token-value-that-is-long-enough");
  }
  // 31 alphabet characters (no aligned 16-byte chunk is guaranteed) with min_length 31:
  // the skip only applies when it cannot lose a run, so this one is still found.
  EncodedLayerOptions options;
  options.min_length = 31;
  for (size_t shift = 0; shift < 17; ++shift) {
    const std::string text =
        std::string(shift, ' ') + std::string("QUJDREVGR0hJSktMTU5PUFFSU1RVVldY").substr(0, 31) + " ";
    EXPECT_EQ(FindEncodedLayers(text, options).buffers.size(), 1u) << shift;
  }
}

}  // namespace
}  // namespace trawl
