// File: binary_structure.h
// Binary structure: a Shannon-entropy profile per block (high-entropy regions look
// encrypted or compressed), printable-string extraction (ASCII, UTF-16LE and UTF-16BE) with offsets
// so the pattern and entity passes can scan strings inside binaries, and embedded file
// signatures at offsets so intake can carve them out as new components.
#ifndef TRAWL_SRC_STRUCTURE_BINARY_STRUCTURE_H_
#define TRAWL_SRC_STRUCTURE_BINARY_STRUCTURE_H_

#include "util/entropy.h"  // ShannonEntropy
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "structure/offset_map.h"

namespace trawl {

class JsonWriter;

struct BinaryOptions {
  size_t block_size = 4096;
  double high_entropy_bits = 7.2;  // bits per byte; a block above it is "high"
  size_t min_string_length = 6;    // characters
  size_t max_strings = 100000;
  size_t max_string_bytes = 64u << 20;  // total extracted text
  size_t max_signatures = 10000;
  bool utf16 = true;
  // What the report holds besides the UTF-16 strings. The component analysis reads only
  // those (it scans their transcription; ASCII strings are in the raw bytes it scans
  // anyway), so it turns the rest off: work nobody reads (issue 22). Without
  // ascii_strings, ASCII strings still count towards max_strings and max_string_bytes,
  // so the UTF-16 strings kept (and `strings_truncated`) are the same, but `strings`
  // holds only the UTF-16 ones.
  bool ascii_strings = true;
  bool entropy_profile = true;  // entropy, block_entropy, high_entropy_regions
  bool signatures = true;
};

// Shannon entropy of `data` in bits per byte (0..8); 0 for empty input.

struct EntropyRegion {
  ByteSpan span;
  double mean_entropy = 0;
};

struct ExtractedString {
  uint64_t offset = 0;       // first byte in the component
  uint64_t byte_length = 0;  // bytes in the component (2 per character for UTF-16)
  bool utf16 = false;
  std::string text;  // UTF-8 (ASCII for both kinds)
  bool big_endian = false;  // UTF-16BE (utf16 is true as well)
};

// Known magic numbers. PE requires "MZ" and a valid e_lfanew pointing at "PE\0\0"; tar
// requires "ustar" at +257 and a valid header checksum (the signature's offset is the
// header's start). Append only.
// clang-format off
enum class FileSignature { kZip, kGzip, kSevenZip, kXz, kBzip2, kPdf, kElf, kPe, kPng, kJpeg,
                           kTar };
// clang-format on
const char* FileSignatureName(FileSignature type);

struct EmbeddedSignature {
  uint64_t offset = 0;
  FileSignature type = FileSignature::kZip;
};

struct BinaryReport {
  uint64_t size = 0;
  double entropy = 0;  // whole component
  size_t block_size = 0;
  std::vector<float> block_entropy;  // one per block; the last block may be short
  std::vector<EntropyRegion> high_entropy_regions;  // merged runs of high blocks
  std::vector<ExtractedString> strings;  // sorted by offset
  bool strings_truncated = false;
  std::vector<EmbeddedSignature> signatures;  // sorted by offset; offset 0 is the component itself
  bool signatures_truncated = false;

  void WriteJson(JsonWriter& w, size_t max_items = 50) const;
};

std::vector<ExtractedString> ExtractStrings(std::string_view data, const BinaryOptions& options,
                                            bool* truncated);
std::vector<EmbeddedSignature> FindSignatures(std::string_view data, size_t max_signatures, bool* truncated);
BinaryReport AnalyzeBinary(std::string_view data, const BinaryOptions& options = {});

// The extracted strings as one buffer ("\n"-separated) whose map sends offsets back to the
// component, for scanners that take one buffer.
DerivedBuffer StringsAsBuffer(const std::vector<ExtractedString>& strings);

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_BINARY_STRUCTURE_H_
