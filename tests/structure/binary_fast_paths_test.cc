// The fast paths of the binary structure (issue 22) against the implementations they
// replaced, kept here verbatim as references: string extraction (UTF-16 regions found
// from the NULs, ASCII strings only counted when the report does not keep them) and the
// signature search (a byte-pair table instead of a first-byte table). Inputs: the
// structure fuzzers' corpora, intake's archive seeds, the sample package, and noise with
// strings and signatures planted at every alignment; options as the analysis runs them
// and with caps small enough to bind.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "structure/binary_structure.h"
#include "util/file.h"

namespace trawl {
namespace {

namespace fs = std::filesystem;
using namespace std::string_view_literals;

// --- the references: binary_structure.cc before issue 22's fast paths -------------------

bool Printable(uint8_t c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }

uint32_t Le32(std::string_view d, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(d[at])) | static_cast<uint32_t>(static_cast<uint8_t>(d[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(d[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(d[at + 3])) << 24;
}

// Returns true and the type when a signature starts at data[i].
bool MatchSignature(std::string_view d, size_t i, FileSignature* type) {
  using namespace std::string_view_literals;
  const std::string_view s = d.substr(i);
  auto is = [&](std::string_view magic) { return s.substr(0, magic.size()) == magic; };
  switch (static_cast<uint8_t>(s[0])) {
    case 'P':
      if (is("PK\x03\x04"sv)) return *type = FileSignature::kZip, true;
      break;
    case 0x1F:
      if (is("\x1F\x8B\x08"sv)) return *type = FileSignature::kGzip, true;
      break;
    case '7':
      if (is("7z\xBC\xAF\x27\x1C"sv)) return *type = FileSignature::kSevenZip, true;
      break;
    case 0xFD:
      if (is("\xFD" "7zXZ\x00"sv)) return *type = FileSignature::kXz, true;
      break;
    case 'B':
      // "BZh" + block size digit + the block magic (pi digits) or the empty-stream magic.
      if (is("BZh"sv) && s.size() >= 10 && s[3] >= '1' && s[3] <= '9' &&
          (s.substr(4, 6) == "\x31\x41\x59\x26\x53\x59"sv || s.substr(4, 6) == "\x17\x72\x45\x38\x50\x90"sv)) {
        return *type = FileSignature::kBzip2, true;
      }
      break;
    case '%':
      if (is("%PDF-"sv)) return *type = FileSignature::kPdf, true;
      break;
    case 0x7F:
      if (is("\x7F" "ELF"sv) && s.size() >= 6 && (s[4] == 1 || s[4] == 2) && (s[5] == 1 || s[5] == 2)) {
        return *type = FileSignature::kElf, true;
      }
      break;
    case 'M':
      if (is("MZ"sv) && s.size() >= 0x40) {
        const uint32_t lfanew = Le32(s, 0x3C);
        if (lfanew >= 0x40 && lfanew <= s.size() - 4 && s.substr(lfanew, 4) == "PE\0\0"sv) {
          return *type = FileSignature::kPe, true;
        }
      }
      break;
    case 0x89:
      if (is("\x89PNG\r\n\x1A\n"sv)) return *type = FileSignature::kPng, true;
      break;
    case 0xFF:
      if (s.size() >= 4 && is("\xFF\xD8\xFF"sv)) {
        const uint8_t marker = static_cast<uint8_t>(s[3]);
        if (marker == 0xE0 || marker == 0xE1 || marker == 0xE2 || marker == 0xDB || marker == 0xEE ||
            marker == 0xC0 || marker == 0xC4 || marker == 0xFE) {
          return *type = FileSignature::kJpeg, true;
        }
      }
      break;
  }
  return false;
}

// A POSIX/GNU tar header whose "ustar" magic is at data[magic]: the header starts 257
// bytes earlier and its checksum (bytes summed with the checksum field as spaces) must
// match the octal number stored at 148..155.
bool TarHeaderAt(std::string_view d, size_t magic, size_t* header) {
  using namespace std::string_view_literals;
  if (magic < 257 || d.size() - (magic - 257) < 512) return false;
  if (d.substr(magic, 6) != "ustar\0"sv && d.substr(magic, 8) != "ustar  \0"sv) return false;
  const std::string_view h = d.substr(magic - 257, 512);
  uint64_t stored = 0;
  bool digits = false;
  for (size_t k = 148; k < 156; ++k) {
    const char ch = h[k];
    if (ch >= '0' && ch <= '7') {
      stored = stored * 8 + static_cast<uint64_t>(ch - '0');
      digits = true;
    } else if (ch == ' ' || ch == '\0') {
      if (digits) break;
    } else {
      return false;
    }
  }
  if (!digits) return false;
  uint64_t sum = 0;
  for (size_t k = 0; k < 512; ++k) {
    sum += (k >= 148 && k < 156) ? uint64_t{' '} : static_cast<uint8_t>(h[k]);
  }
  if (sum != stored) return false;
  *header = magic - 257;
  return true;
}


std::vector<EmbeddedSignature> ReferenceFindSignatures(std::string_view data, size_t max_signatures, bool* truncated) {
  static const std::array<bool, 256> kFirst = [] {
    std::array<bool, 256> t{};
    for (uint8_t c :
         {uint8_t{'P'}, uint8_t{0x1F}, uint8_t{'7'}, uint8_t{0xFD}, uint8_t{'B'}, uint8_t{'%'},
          uint8_t{0x7F}, uint8_t{'M'}, uint8_t{0x89}, uint8_t{0xFF}, uint8_t{'u'}}) {
      t[c] = true;
    }
    return t;
  }();
  std::vector<EmbeddedSignature> out;
  *truncated = false;
  for (size_t i = 0; i < data.size(); ++i) {
    if (!kFirst[static_cast<uint8_t>(data[i])]) continue;
    FileSignature type;
    size_t at = i;
    if (data[i] == 'u') {
      // 'u' is common in text: a cheap look at the next bytes before the full check.
      if (i + 2 >= data.size() || data[i + 1] != 's' || data[i + 2] != 't') continue;
      if (!TarHeaderAt(data, i, &at)) continue;
      type = FileSignature::kTar;
    } else if (!MatchSignature(data, i, &type)) {
      continue;
    }
    if (out.size() >= max_signatures) {
      *truncated = true;
      break;
    }
    out.push_back({at, type});
  }
  // A tar header is reported where it starts, 257 bytes before the magic that finds it.
  std::stable_sort(
      out.begin(), out.end(),
      [](const EmbeddedSignature& a, const EmbeddedSignature& b) { return a.offset < b.offset; });
  return out;
}

std::vector<ExtractedString> ReferenceExtractStrings(std::string_view data, const BinaryOptions& options, bool* truncated) {
  std::vector<ExtractedString> out;
  *truncated = false;
  size_t total = 0;
  const size_t min_len = std::max<size_t>(options.min_string_length, 1);
  auto add = [&](ExtractedString s) {
    if (out.size() >= options.max_strings || total + s.text.size() > options.max_string_bytes) {
      *truncated = true;
      return false;
    }
    total += s.text.size();
    out.push_back(std::move(s));
    return true;
  };
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(data[i]); };
  // ASCII runs.
  for (size_t i = 0; i < data.size();) {
    if (!Printable(byte(i))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < data.size() && Printable(byte(j))) ++j;
    if (j - i >= min_len && !add({i, j - i, false, std::string(data.substr(i, j - i))})) break;
    i = j;
  }
  // UTF-16 runs of printable ASCII code units, little- and big-endian, on both
  // alignments. Both byte orders are read from one pass over maximal regions that
  // alternate printable byte / NUL: read one way the region is LE ("p 00 p 00"), read
  // the other it is BE ("00 p 00 p"), and a region that is not a whole number of code
  // units either way is attributed by its ends and, when that is ambiguous, by which
  // reading puts the code units on even offsets (so "00 p 00 p 00", common with NUL
  // padding and terminators, is not reported twice).
  if (options.utf16 && !*truncated) {
    for (size_t i = 0; i + 1 < data.size() && !*truncated;) {
      const bool starts_printable = Printable(byte(i)) && byte(i + 1) == 0;
      const bool starts_zero = byte(i) == 0 && Printable(byte(i + 1));
      if (!starts_printable && !starts_zero) {
        ++i;
        continue;
      }
      size_t j = i + 2;  // one past the region
      while (j < data.size() &&
             (((j - i) % 2 == 0) == starts_printable ? Printable(byte(j)) : byte(j) == 0)) {
        ++j;
      }
      const bool ends_zero = byte(j - 1) == 0;
      bool little;
      if (starts_printable != ends_zero) {
        little = (i % 2 == 0) == starts_printable;  // "p..p" or "00..00": by alignment
      } else {
        little = starts_printable;  // "p 00 .. p 00" is LE, "00 p .. 00 p" is BE
      }
      // The code units of the chosen reading: LE units start on a printable byte,
      // BE units on a NUL; a byte at either end that completes no unit is left out.
      size_t begin = i, end = j;
      if (little != starts_printable) ++begin;
      if ((end - begin) % 2 != 0) --end;
      std::string text;
      text.reserve((end - begin) / 2);
      for (size_t k = begin + (little ? 0 : 1); k < end; k += 2) text.push_back(data[k]);
      if (text.size() >= min_len) {
        ExtractedString s{begin, end - begin, true, std::move(text)};
        s.big_endian = !little;
        if (!add(std::move(s))) break;
      }
      i = j;
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ExtractedString& a, const ExtractedString& b) { return a.offset < b.offset; });
  }
  return out;
}


// --- inputs -------------------------------------------------------------------------------

std::vector<std::string> Inputs() {
  std::vector<std::string> out;
  const std::string source = TRAWL_SOURCE_DIR;
  const auto add_dir = [&out](const fs::path& dir) {
    if (!fs::exists(dir)) return;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.file_size() > (1u << 20)) continue;
      auto bytes = ReadFile(entry.path().string());
      if (bytes.ok()) out.push_back(*std::move(bytes));
    }
  };
  for (const char* dir : {"/tests/structure/corpus/structure_binary_fuzzer",
                          "/tests/structure/corpus/structure_csv_fuzzer",
                          "/tests/intake/fuzz_seeds", "/examples/sample"}) {
    add_dir(source + dir);
  }
  // Noise with planted pieces: UTF-16LE/BE strings of every length around the minimum,
  // NUL padding on either side, signatures and their two-byte prefixes, text.
  std::mt19937 rng(22);
  const std::vector<std::string> pieces = {
      std::string("A\0B\0C\0D\0E\0F\0G\0", 14), std::string("\0h\0e\0l\0l\0o\0!", 12),
      std::string("\0\0\0", 3), std::string("x\0y\0z\0w\0v\0u\0", 12),
      std::string("\0p\0a\0s\0s\0w\0d\0", 13), "PK\x03\x04", "PK", "\x1F\x8B\x08", "\x1F\x8B",
      "7z\xBC\xAF\x27\x1C", "\xFD" "7zXZ", "BZh91AY&SY", "BZ", "%PDF-1.4", "%P",
      "\x7F" "ELF\x02\x01", "MZ", "\x89PNG\r\n\x1A\n", "\xFF\xD8\xFF\xE0", "\xFF\xD8", "ustar",
      "us", "u", "plain printable text ", "\t\t", "\x01\x02", "\xFF",
  };
  for (int k = 0; k < 200; ++k) {
    std::string s;
    const size_t n = rng() % 6000;
    while (s.size() < n) {
      if (rng() % 3 == 0) {
        s += pieces[rng() % pieces.size()];
      } else {
        s.push_back(static_cast<char>(rng() % 7 == 0 ? 0 : rng()));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

void ExpectSameStrings(const std::vector<ExtractedString>& want, const std::vector<ExtractedString>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].offset, got[i].offset) << i;
    EXPECT_EQ(want[i].byte_length, got[i].byte_length) << i;
    EXPECT_EQ(want[i].utf16, got[i].utf16) << i;
    EXPECT_EQ(want[i].big_endian, got[i].big_endian) << i;
    EXPECT_EQ(want[i].text, got[i].text) << i;
  }
}

TEST(BinaryFastPathsTest, StringsEqualTheReference) {
  const std::vector<std::string> inputs = Inputs();
  ASSERT_GT(inputs.size(), 1000u);  // the fuzzer corpora are there
  std::vector<BinaryOptions> variants(5);
  variants[1].min_string_length = 1;
  variants[2].min_string_length = 3;
  variants[2].max_strings = 7;  // caps that bind: ASCII strings must still be counted
  variants[3].max_string_bytes = 40;
  variants[4].utf16 = false;
  for (const BinaryOptions& options : variants) {
    for (const std::string& input : inputs) {
      for (const size_t skip : {size_t{0}, size_t{1}}) {  // both alignments
        const std::string_view data = std::string_view(input).substr(std::min(skip, input.size()));
        SCOPED_TRACE(testing::Message() << data.size() << " bytes, min " << options.min_string_length
                                        << ", max " << options.max_strings << "/" << options.max_string_bytes);
        bool want_truncated = false, got_truncated = false;
        const std::vector<ExtractedString> want = ReferenceExtractStrings(data, options, &want_truncated);
        ExpectSameStrings(want, ExtractStrings(data, options, &got_truncated));
        EXPECT_EQ(want_truncated, got_truncated);
        // Without the ASCII strings kept: the UTF-16 ones, and the same truncation.
        BinaryOptions lean = options;
        lean.ascii_strings = false;
        std::vector<ExtractedString> want_utf16;
        for (const ExtractedString& s : want) {
          if (s.utf16) want_utf16.push_back(s);
        }
        bool lean_truncated = false;
        ExpectSameStrings(want_utf16, ExtractStrings(data, lean, &lean_truncated));
        EXPECT_EQ(want_truncated, lean_truncated);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(BinaryFastPathsTest, SignaturesEqualTheReference) {
  const std::vector<std::string> inputs = Inputs();
  ASSERT_GT(inputs.size(), 1000u);
  size_t found = 0;
  for (const std::string& input : inputs) {
    for (const size_t max : {size_t{10000}, size_t{2}}) {
      bool want_truncated = false, got_truncated = false;
      const std::vector<EmbeddedSignature> want = ReferenceFindSignatures(input, max, &want_truncated);
      const std::vector<EmbeddedSignature> got = FindSignatures(input, max, &got_truncated);
      ASSERT_EQ(want.size(), got.size()) << input.size() << " bytes";
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(want[i].offset, got[i].offset);
        EXPECT_EQ(want[i].type, got[i].type);
      }
      EXPECT_EQ(want_truncated, got_truncated);
      found += want.size();
    }
  }
  EXPECT_GT(found, 100u);  // the inputs do hold signatures
}

// A lean report (as the component analysis asks for it) keeps what the analysis reads.
TEST(BinaryFastPathsTest, LeanReportKeepsTheUtf16Strings) {
  for (const std::string& input : Inputs()) {
    BinaryOptions lean;
    lean.ascii_strings = false;
    lean.entropy_profile = false;
    lean.signatures = false;
    const BinaryReport full = AnalyzeBinary(input);
    const BinaryReport part = AnalyzeBinary(input, lean);
    std::vector<ExtractedString> utf16;
    for (const ExtractedString& s : full.strings) {
      if (s.utf16) utf16.push_back(s);
    }
    ExpectSameStrings(utf16, part.strings);
    EXPECT_EQ(full.strings_truncated, part.strings_truncated);
    EXPECT_TRUE(part.block_entropy.empty());
    EXPECT_TRUE(part.signatures.empty());
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace trawl
