// File: line_index_reference.h
// The line index by its definition, for tests and fuzzers: lines found byte by byte (LF,
// CRLF, lone CR), code points walked from the line's start (an invalid byte counts as
// one). Quadratic; only for checking LineIndex.
#ifndef TRAWL_TESTS_STRUCTURE_LINE_INDEX_REFERENCE_H_
#define TRAWL_TESTS_STRUCTURE_LINE_INDEX_REFERENCE_H_

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "structure/text_structure.h"
#include "util/utf8.h"

namespace trawl::testing {

inline LineIndex::Location ReferenceLocate(std::string_view text, uint64_t offset) {
  offset = std::min<uint64_t>(offset, text.size());
  uint64_t line_start = 0, line = 1;
  for (uint64_t i = 0; i < offset; ++i) {
    const bool ends_line =
        text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'));
    if (ends_line && i + 1 < text.size()) {
      line_start = i + 1;
      ++line;
    }
  }
  uint64_t chars = 0;
  for (uint64_t i = line_start; i < offset; ++chars) {
    const size_t n = Utf8SequenceLength(text, i);
    i += n ? n : 1;
  }
  return {line, offset - line_start + 1, chars + 1};
}

}  // namespace trawl::testing

#endif  // TRAWL_TESTS_STRUCTURE_LINE_INDEX_REFERENCE_H_
