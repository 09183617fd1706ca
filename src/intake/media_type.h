// File: media_type.h
// A small magic-number table: enough for intake to label components and to decide which
// ones are worth handing to libarchive. Classification (src/classify) refines the label
// for text formats. Pure functions; thread-safe.
#ifndef TRAWL_SRC_INTAKE_MEDIA_TYPE_H_
#define TRAWL_SRC_INTAKE_MEDIA_TYPE_H_

#include <string_view>

namespace trawl {

// Bytes of content SniffMediaType looks at at most.
inline constexpr size_t kSniffBytes = 4096;

// A media type for `content` judged from its first kSniffBytes: a container or binary
// type when a magic number matches, "text/plain" for text without NULs (UTF-8, UTF-16
// with BOM, or Latin-1), otherwise "application/octet-stream"; "" content gives
// "application/x-empty".
std::string_view SniffMediaType(std::string_view content);

// True when `head` (the first bytes of a component) starts like an archive or a
// compression layer intake opens: gzip, bzip2, xz, lzma, zstd, lz4, compress, zip, 7z,
// tar, cpio, ar. Intake asks libarchive only about these, so a text file can never be
// mistaken for a container.
bool LooksLikeContainer(std::string_view head);

}  // namespace trawl

#endif  // TRAWL_SRC_INTAKE_MEDIA_TYPE_H_
