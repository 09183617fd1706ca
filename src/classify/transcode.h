// File: transcode.h
// Transcoding to UTF-8 for scanning, with a compact map back to the original bytes, so a
// finding at UTF-8 offset k in a UTF-16 log is reported at its true offset in the file.
// Pure functions; the result owns its memory. Thread-safe.
#ifndef TRAWL_SRC_CLASSIFY_TRANSCODE_H_
#define TRAWL_SRC_CLASSIFY_TRANSCODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "classify/classify.h"

namespace trawl {

// Run-length map from UTF-8 offsets to source offsets. Text where every character has
// the same widths (ASCII in UTF-16: 1 byte out per 2 in) is a single run, so the map
// stays small for the common case.
class Utf8OffsetMap {
 public:
  struct Run {
    uint64_t utf8_start = 0;
    uint64_t source_start = 0;
    uint32_t utf8_width = 0;    // UTF-8 bytes per character in this run
    uint32_t source_width = 0;  // source bytes per character in this run
    uint64_t count = 0;         // characters in this run
  };

  // The source offset of the character containing UTF-8 byte `utf8_offset`; offsets
  // at or past the end map to the end of the source. Half-open ranges [b, e) map to
  // [ToSource(b), ToSource(e)).
  uint64_t ToSource(uint64_t utf8_offset) const;
  // The inverse: the UTF-8 offset of the character at (or containing) source byte
  // `source_offset`; offsets before the text (a BOM) map to 0, at or past the end to the
  // end of the text.
  uint64_t ToUtf8(uint64_t source_offset) const;

  // Appends `count` characters of the given widths (merging with the last run).
  void Append(uint32_t utf8_width, uint32_t source_width, uint64_t count = 1);
  const std::vector<Run>& runs() const { return runs_; }
  uint64_t utf8_size() const { return utf8_size_; }
  uint64_t source_size() const { return source_size_; }
  // Where the text starts in the source (after a byte order mark).
  void set_source_start(uint64_t start) { source_size_ = start; }

 private:
  std::vector<Run> runs_;
  uint64_t utf8_size_ = 0;
  uint64_t source_size_ = 0;
};

struct TranscodedText {
  std::string utf8;
  Utf8OffsetMap map;
};

// Converts `content` in `encoding` to UTF-8, dropping a byte order mark. Unpaired
// surrogates and a trailing odd byte become U+FFFD. kUtf8 input is passed through
// unchanged (minus its BOM). Fails for kNone.
absl::StatusOr<TranscodedText> TranscodeToUtf8(std::string_view content, TextEncoding encoding);

}  // namespace trawl

#endif  // TRAWL_SRC_CLASSIFY_TRANSCODE_H_
