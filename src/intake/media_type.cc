// File: media_type.cc
#include "intake/media_type.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "structure/internal/byte_masks.h"

namespace trawl {
namespace {

struct Magic {
  size_t offset;
  std::string_view bytes;
  std::string_view media_type;
  bool container;
};

using namespace std::string_view_literals;

// Order matters only where one magic is a prefix of another (none today).
constexpr std::array<Magic, 28> kMagic = {{
    {0, "\x1f\x8b"sv, "application/gzip", true},
    {0, "BZh"sv, "application/x-bzip2", true},
    {0,
     "\xfd"
     "7zXZ\x00"sv,
     "application/x-xz", true},
    {0, "LZIP"sv, "application/x-lzip", true},
    {0, "\x28\xb5\x2f\xfd"sv, "application/zstd", true},
    {0, "\x04\x22\x4d\x18"sv, "application/x-lz4", true},
    {0, "\x02\x21\x4c\x18"sv, "application/x-lz4", true},
    {0, "\x1f\x9d"sv, "application/x-compress", true},
    {0, "PK\x03\x04"sv, "application/zip", true},
    {0, "PK\x05\x06"sv, "application/zip", true},
    {0, "PK\x07\x08"sv, "application/zip", true},
    {0, "7z\xbc\xaf\x27\x1c"sv, "application/x-7z-compressed", true},
    {257, "ustar"sv, "application/x-tar", true},
    {0, "070707"sv, "application/x-cpio", true},
    {0, "070701"sv, "application/x-cpio", true},
    {0, "070702"sv, "application/x-cpio", true},
    {0, "!<arch>\n"sv, "application/x-archive", true},
    {0, "%PDF-"sv, "application/pdf", false},
    {0, "\x89PNG\r\n\x1a\n"sv, "image/png", false},
    {0, "\xff\xd8\xff"sv, "image/jpeg", false},
    {0, "GIF87a"sv, "image/gif", false},
    {0, "GIF89a"sv, "image/gif", false},
    {0, "II*\x00"sv, "image/tiff", false},
    {0, "MM\x00*"sv, "image/tiff", false},
    {0,
     "\x7f"
     "ELF"sv,
     "application/x-executable", false},
    {0, "MZ"sv, "application/vnd.microsoft.portable-executable", false},
    {0, "SQLite format 3\x00"sv, "application/vnd.sqlite3", false},
    {0, "\xca\xfe\xba\xbe"sv, "application/x-mach-binary", false},
}};

constexpr std::array<std::string_view, 4> kMachO = {"\xfe\xed\xfa\xce"sv, "\xfe\xed\xfa\xcf"sv,
                                                    "\xce\xfa\xed\xfe"sv, "\xcf\xfa\xed\xfe"sv};

const Magic* FindMagic(std::string_view head) {
  for (const Magic& m : kMagic) {
    if (head.size() >= m.offset + m.bytes.size() &&
        head.substr(m.offset, m.bytes.size()) == m.bytes) {
      return &m;
    }
  }
  return nullptr;
}

bool LooksLikeText(std::string_view head) {
  if (head.size() >= 2 &&
      (head.substr(0, 2) == "\xff\xfe"sv || head.substr(0, 2) == "\xfe\xff"sv)) {
    return true;
  }
  // Every component is sniffed (at intake and again at classification): the byte counts
  // come from the SIMD byte masks, as the classify stage's encoding decision's do.
  const internal::ByteCounts counts = internal::CountEncodingBytes(head);
  if (counts.nul_even + counts.nul_odd > 0) {
    // UTF-16 without a BOM: ASCII-range text has a NUL in every other byte.
    const size_t units = head.size() / 2;
    const auto [light, heavy] = std::minmax(counts.nul_even, counts.nul_odd);
    return units >= 2 && heavy * 10 >= units * 4 && light * 50 <= units;
  }
  return counts.control * 100 <= head.size();
}

}  // namespace

std::string_view SniffMediaType(std::string_view content) {
  if (content.empty()) return "application/x-empty";
  const std::string_view head = content.substr(0, kSniffBytes);
  if (const Magic* m = FindMagic(head)) return m->media_type;
  for (std::string_view magic : kMachO) {
    if (head.substr(0, magic.size()) == magic) return "application/x-mach-binary";
  }
  if (head.size() >= 12 && head.substr(0, 4) == "RIFF" && head.substr(8, 4) == "WEBP") {
    return "image/webp";
  }
  return LooksLikeText(head) ? "text/plain" : "application/octet-stream";
}

bool LooksLikeContainer(std::string_view head) {
  const Magic* m = FindMagic(head.substr(0, kSniffBytes));
  return m != nullptr && m->container;
}

}  // namespace trawl
