// File: internal/utf8.h
// UTF-8 helpers shared by the structure analyzers (not part of the stage's interface).
#ifndef TRAWL_SRC_STRUCTURE_INTERNAL_UTF8_H_
#define TRAWL_SRC_STRUCTURE_INTERNAL_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/utf8.h"

namespace trawl::internal {

using ::trawl::AppendUtf8;
using ::trawl::FirstInvalidUtf8;
using ::trawl::Utf8SequenceLength;

inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace trawl::internal

#endif  // TRAWL_SRC_STRUCTURE_INTERNAL_UTF8_H_
