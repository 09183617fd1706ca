// File: binary_structure.cc
#include "structure/binary_structure.h"

#include <algorithm>
#include <bit>
#include <bitset>
#include <cmath>
#include <cstring>

#include "structure/internal/byte_masks.h"
#include "util/json_writer.h"

namespace trawl {
namespace {

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

}  // namespace

const char* FileSignatureName(FileSignature type) {
  switch (type) {
    case FileSignature::kZip: return "zip";
    case FileSignature::kGzip: return "gzip";
    case FileSignature::kSevenZip: return "7z";
    case FileSignature::kXz: return "xz";
    case FileSignature::kBzip2: return "bzip2";
    case FileSignature::kPdf: return "pdf";
    case FileSignature::kElf: return "elf";
    case FileSignature::kPe: return "pe";
    case FileSignature::kPng: return "png";
    case FileSignature::kJpeg: return "jpeg";
    case FileSignature::kTar: return "tar";
  }
  return "unknown";
}


std::vector<EmbeddedSignature> FindSignatures(std::string_view data, size_t max_signatures, bool* truncated) {
  // Candidates are the offsets of a signature's first byte, taken from byte masks (64
  // bytes a step); every signature is at least two bytes long, so a look-up of the byte
  // pair rejects most of them (a 'u', 'P', 'B' or 'M' of text) before the full check.
  // Intake carves from every file, so this runs over every byte of a package (issue 22).
  static const std::bitset<65536> kPairs = [] {
    std::bitset<65536> t;
    for (const char* magic : {"PK", "\x1F\x8B", "7z", "\xFD" "7", "BZ", "%P", "\x7F" "E", "MZ",
                              "\x89P", "\xFF\xD8", "us"}) {
      t.set(static_cast<uint8_t>(magic[0]) | static_cast<size_t>(static_cast<uint8_t>(magic[1])) << 8);
    }
    return t;
  }();
  std::vector<EmbeddedSignature> out;
  *truncated = false;
  constexpr size_t kBatch = 64;
  uint64_t masks[kBatch];
  const size_t blocks = (data.size() + internal::kMaskBlockBytes - 1) / internal::kMaskBlockBytes;
  for (size_t first = 0; first < blocks && !*truncated; first += kBatch) {
    const size_t count = std::min(kBatch, blocks - first);
    internal::SignatureLeadMasks(data, first, count, masks);
    for (size_t k = 0; k < count && !*truncated; ++k) {
      for (uint64_t m = masks[k]; m != 0; m &= m - 1) {
        const size_t i = (first + k) * internal::kMaskBlockBytes + static_cast<size_t>(std::countr_zero(m));
        if (i + 1 >= data.size() ||
            !kPairs[static_cast<uint8_t>(data[i]) | static_cast<size_t>(static_cast<uint8_t>(data[i + 1])) << 8]) {
          continue;
        }
        FileSignature type;
        size_t at = i;
        if (data[i] == 'u') {
          if (i + 2 >= data.size() || data[i + 2] != 't') continue;
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
    }
  }
  // A tar header is reported where it starts, 257 bytes before the magic that finds it.
  std::stable_sort(
      out.begin(), out.end(),
      [](const EmbeddedSignature& a, const EmbeddedSignature& b) { return a.offset < b.offset; });
  return out;
}

std::vector<ExtractedString> ExtractStrings(std::string_view data, const BinaryOptions& options, bool* truncated) {
  std::vector<ExtractedString> out;
  *truncated = false;
  size_t total = 0, count = 0;  // what is counted against the caps (kept or not)
  const size_t min_len = std::max<size_t>(options.min_string_length, 1);
  auto fits = [&](size_t text_bytes) {
    if (count >= options.max_strings || total + text_bytes > options.max_string_bytes) {
      *truncated = true;
      return false;
    }
    ++count;
    total += text_bytes;
    return true;
  };
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(data[i]); };
  // ASCII runs are disjoint and at least min_len long, UTF-16 strings take 2 bytes a
  // character in disjoint regions: together at most 1.5 * size / min_len strings of at
  // most 1.5 * size bytes. Below the caps, strings that are not kept need not be counted.
  const bool caps_bind = 2 * data.size() > options.max_string_bytes ||
                         2 * data.size() / min_len + 1 > options.max_strings;
  // ASCII runs.
  for (size_t i = 0; (options.ascii_strings || caps_bind) && i < data.size();) {
    if (!Printable(byte(i))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < data.size() && Printable(byte(j))) ++j;
    if (j - i >= min_len) {
      if (!fits(j - i)) break;
      if (options.ascii_strings) out.push_back({i, j - i, false, std::string(data.substr(i, j - i))});
    }
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
    const size_t first_utf16 = out.size();
    for (size_t i = 0; i + 1 < data.size() && !*truncated;) {
      // A region starts at a printable byte before a NUL or at a NUL before a printable
      // byte: one of the two bytes at the next NUL starts it, or none before the one after.
      const void* nul = std::memchr(data.data() + i, 0, data.size() - i);
      if (nul == nullptr) break;
      const size_t z = static_cast<size_t>(static_cast<const char*>(nul) - data.data());
      bool starts_printable = false;  // else the region starts with its NUL
      if (z > i && Printable(byte(z - 1))) {
        i = z - 1;
        starts_printable = true;
      } else if (z + 1 < data.size() && Printable(byte(z + 1))) {
        i = z;
      } else {
        i = z + 1;
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
      if ((end - begin) / 2 >= min_len) {
        if (!fits((end - begin) / 2)) break;
        std::string text;
        text.reserve((end - begin) / 2);
        for (size_t k = begin + (little ? 0 : 1); k < end; k += 2) text.push_back(data[k]);
        ExtractedString s{begin, end - begin, true, std::move(text)};
        s.big_endian = !little;
        out.push_back(std::move(s));
      }
      i = j;
    }
    // The UTF-16 strings come in offset order; the ASCII ones before them are merged in.
    if (first_utf16 > 0) {
      std::stable_sort(out.begin(), out.end(), [](const ExtractedString& a, const ExtractedString& b) {
        return a.offset < b.offset;
      });
    }
  }
  return out;
}

BinaryReport AnalyzeBinary(std::string_view data, const BinaryOptions& options) {
  BinaryReport r;
  r.size = data.size();
  r.block_size = std::max<size_t>(options.block_size, 16);
  if (options.entropy_profile) r.entropy = ShannonEntropy(data);
  for (size_t b = 0; options.entropy_profile && b < data.size(); b += r.block_size) {
    const std::string_view block = data.substr(b, r.block_size);
    const double h = ShannonEntropy(block);
    r.block_entropy.push_back(static_cast<float>(h));
    // A short final block cannot reach 8 bits; judge it against its own maximum.
    const double limit = std::min(options.high_entropy_bits, std::log2(static_cast<double>(block.size())) * 0.9);
    const bool high = block.size() >= 64 && h > limit;
    if (!high) continue;
    if (!r.high_entropy_regions.empty() && r.high_entropy_regions.back().span.end == b) {
      EntropyRegion& last = r.high_entropy_regions.back();
      const double blocks = static_cast<double>((last.span.end - last.span.begin + r.block_size - 1) / r.block_size);
      last.mean_entropy = (last.mean_entropy * blocks + h) / (blocks + 1);
      last.span.end = b + block.size();
    } else {
      r.high_entropy_regions.push_back({{b, b + block.size()}, h});
    }
  }
  r.strings = ExtractStrings(data, options, &r.strings_truncated);
  if (options.signatures) {
    r.signatures = FindSignatures(data, options.max_signatures, &r.signatures_truncated);
  }
  return r;
}

DerivedBuffer StringsAsBuffer(const std::vector<ExtractedString>& strings) {
  DerivedBuffer out;
  out.encoding = DerivedEncoding::kStrings;
  uint64_t begin = ~uint64_t{0}, end = 0;
  for (const ExtractedString& s : strings) {
    if (!out.data.empty()) {
      out.data.push_back('\n');
      out.map.AppendGap(1);
    }
    out.data.append(s.text);
    out.map.AppendLinear(s.offset, s.text.size(), s.byte_length);
    begin = std::min(begin, s.offset);
    end = std::max(end, s.offset + s.byte_length);
  }
  out.source_span = strings.empty() ? ByteSpan{} : ByteSpan{begin, end};
  out.component_span = out.source_span;
  out.printable_ratio = out.data.empty() ? 0.0 : 1.0;
  return out;
}

void BinaryReport::WriteJson(JsonWriter& w, size_t max_items) const {
  w.BeginObject();
  w.Field("size", size).Field("entropy", entropy).Field("block_size", uint64_t{block_size});
  w.Key("block_entropy").BeginArray();
  // Long profiles are downsampled to at most 256 points (max of each bucket).
  const size_t points = std::min<size_t>(block_entropy.size(), 256);
  for (size_t p = 0; p < points; ++p) {
    const size_t b = p * block_entropy.size() / points, e = (p + 1) * block_entropy.size() / points;
    float m = 0;
    for (size_t k = b; k < e; ++k) m = std::max(m, block_entropy[k]);
    w.Double(static_cast<double>(m));
  }
  w.EndArray();
  w.Key("high_entropy_regions").BeginArray();
  for (size_t i = 0; i < high_entropy_regions.size() && i < max_items; ++i) {
    const EntropyRegion& e = high_entropy_regions[i];
    w.BeginObject().Field("offset", e.span.begin).Field("length", e.span.end - e.span.begin);
    w.Field("entropy", e.mean_entropy).EndObject();
  }
  w.EndArray();
  uint64_t utf16 = 0, utf16be = 0;
  for (const ExtractedString& s : strings) {
    utf16 += s.utf16;
    utf16be += s.big_endian;
  }
  w.Key("strings").BeginObject();
  w.Field("count", uint64_t{strings.size()}).Field("utf16", utf16).Field("utf16be", utf16be);
  w.Field("truncated", strings_truncated);
  w.EndObject();
  w.Key("signatures").BeginArray();
  for (size_t i = 0; i < signatures.size() && i < max_items; ++i) {
    w.BeginObject().Field("offset", signatures[i].offset).Field("type", FileSignatureName(signatures[i].type)).EndObject();
  }
  w.EndArray();
  w.Field("signatures_truncated", signatures_truncated);
  w.EndObject();
}

}  // namespace trawl
