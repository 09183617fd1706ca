// File: text_structure.h
// Text and log structure: a line index (offset -> 1-based line and column), line-length
// distribution, BOM and encoding checks, and line-ending mix. UTF-16 text can be
// transcoded to UTF-8 with an OffsetMap so it is scanned like any other text.
#ifndef TRAWL_SRC_STRUCTURE_TEXT_STRUCTURE_H_
#define TRAWL_SRC_STRUCTURE_TEXT_STRUCTURE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "structure/offset_map.h"

namespace trawl {

class JsonWriter;

enum class TextBom { kNone, kUtf8, kUtf16Le, kUtf16Be, kUtf32Le, kUtf32Be };
const char* TextBomName(TextBom bom);
// Detects a byte-order mark at the start of `data`; *length gets its size in bytes.
TextBom DetectBom(std::string_view data, size_t* length);

// Lines end at LF, CRLF or a lone CR (so old Mac files and mixed files index correctly).
// Locate costs O(log lines + kCheckpointStride) whatever the line length: lines longer
// than the stride keep a code-point count every kCheckpointStride bytes, so locating many
// candidates on one long line (minified code, a base64 blob) stays linear in all.
// Thread-compatible; immutable after construction.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);

  struct Location {
    uint64_t line = 0;          // 1-based
    uint64_t column = 0;        // 1-based, in bytes
    uint64_t column_chars = 0;  // 1-based, in UTF-8 code points (invalid bytes count as one)
  };
  // Offsets at or past the end map to the position just after the last byte.
  Location Locate(uint64_t offset) const;
  // Offset of the first byte of 1-based `line`; REQUIRES: 1 <= line <= line_count().
  uint64_t LineStart(uint64_t line) const { return starts_[line - 1]; }
  uint64_t line_count() const { return starts_.size(); }

  static constexpr uint64_t kCheckpointStride = 1024;

 private:
  // Code points counted from a line's start up to `offset` (a sequence boundary).
  struct Checkpoint {
    uint64_t offset;
    uint64_t chars;
  };
  void AddCheckpoints(uint64_t line_begin, uint64_t line_end);

  std::string_view text_;
  std::vector<uint64_t> starts_;
  std::vector<Checkpoint> checkpoints_;  // by offset; only inside lines over the stride
};

struct LineLengthStats {
  uint64_t min = 0;
  uint64_t max = 0;
  double mean = 0;
  uint64_t p50 = 0;
  uint64_t p99 = 0;
};

struct TextReport {
  uint64_t size = 0;
  uint64_t lines = 0;  // a final line without a terminator counts; "" has 0 lines
  LineLengthStats line_length;  // bytes, without the terminator
  uint64_t lf = 0;    // "\n" not preceded by "\r"
  uint64_t crlf = 0;
  uint64_t cr = 0;    // "\r" not followed by "\n"
  bool mixed_line_endings = false;  // more than one of the three kinds
  TextBom bom = TextBom::kNone;
  bool ascii = false;  // every byte < 0x80
  bool valid_utf8 = false;
  uint64_t invalid_utf8_sequences = 0;
  uint64_t first_invalid_utf8 = 0;  // offset; meaningful when !valid_utf8
  uint64_t nul_bytes = 0;
  uint64_t control_bytes = 0;       // C0 controls other than \t \n \r \f \v, and DEL
  // "utf-8", "ascii", "utf-16le", "utf-16be", "utf-32le", "utf-32be" or "binary-or-legacy".
  std::string encoding;

  void WriteJson(JsonWriter& w) const;
};

TextReport AnalyzeText(std::string_view text);

// Transcodes UTF-16 (after any BOM) to UTF-8. The result's map sends UTF-8 offsets back
// to byte offsets in `data`; unpaired surrogates become U+FFFD, a trailing odd byte is
// dropped.
DerivedBuffer DecodeUtf16(std::string_view data, bool little_endian);

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_TEXT_STRUCTURE_H_
