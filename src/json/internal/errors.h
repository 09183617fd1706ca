// File: internal/errors.h
// The one mapping between simdjson's error codes and trawl's json::Error, both ways (the
// reverse only to borrow simdjson's messages). Included by the adapter's .cc files only.
#ifndef TRAWL_SRC_JSON_INTERNAL_ERRORS_H_
#define TRAWL_SRC_JSON_INTERNAL_ERRORS_H_

#include "json/json.h"
#include "simdjson.h"

namespace trawl::json::internal {

inline Error FromSimdjson(simdjson::error_code code) {
  switch (code) {
    case simdjson::SUCCESS: return Error::kOk;
    case simdjson::CAPACITY: return Error::kCapacity;
    case simdjson::MEMALLOC: return Error::kMemory;
    case simdjson::TAPE_ERROR: return Error::kSyntax;
    case simdjson::DEPTH_ERROR: return Error::kDepth;
    case simdjson::STRING_ERROR: return Error::kString;
    case simdjson::T_ATOM_ERROR: return Error::kTrueLiteral;
    case simdjson::F_ATOM_ERROR: return Error::kFalseLiteral;
    case simdjson::N_ATOM_ERROR: return Error::kNullLiteral;
    case simdjson::NUMBER_ERROR: return Error::kNumber;
    case simdjson::UTF8_ERROR: return Error::kUtf8;
    case simdjson::EMPTY: return Error::kEmpty;
    case simdjson::UNESCAPED_CHARS: return Error::kUnescapedChars;
    case simdjson::UNCLOSED_STRING: return Error::kUnclosedString;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return Error::kIncomplete;
    case simdjson::TRAILING_CONTENT: return Error::kTrailingContent;
    case simdjson::INCORRECT_TYPE: return Error::kIncorrectType;
    case simdjson::NUMBER_OUT_OF_RANGE: return Error::kNumberOutOfRange;
    case simdjson::INDEX_OUT_OF_BOUNDS: return Error::kIndexOutOfBounds;
    case simdjson::NO_SUCH_FIELD: return Error::kNoSuchField;
    default: return Error::kOther;
  }
}

inline simdjson::error_code ToSimdjson(Error error) {
  switch (error) {
    case Error::kOk: return simdjson::SUCCESS;
    case Error::kCapacity: return simdjson::CAPACITY;
    case Error::kMemory: return simdjson::MEMALLOC;
    case Error::kSyntax: return simdjson::TAPE_ERROR;
    case Error::kDepth: return simdjson::DEPTH_ERROR;
    case Error::kString: return simdjson::STRING_ERROR;
    case Error::kTrueLiteral: return simdjson::T_ATOM_ERROR;
    case Error::kFalseLiteral: return simdjson::F_ATOM_ERROR;
    case Error::kNullLiteral: return simdjson::N_ATOM_ERROR;
    case Error::kNumber: return simdjson::NUMBER_ERROR;
    case Error::kUtf8: return simdjson::UTF8_ERROR;
    case Error::kEmpty: return simdjson::EMPTY;
    case Error::kUnescapedChars: return simdjson::UNESCAPED_CHARS;
    case Error::kUnclosedString: return simdjson::UNCLOSED_STRING;
    case Error::kIncomplete: return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    case Error::kTrailingContent: return simdjson::TRAILING_CONTENT;
    case Error::kIncorrectType: return simdjson::INCORRECT_TYPE;
    case Error::kNumberOutOfRange: return simdjson::NUMBER_OUT_OF_RANGE;
    case Error::kIndexOutOfBounds: return simdjson::INDEX_OUT_OF_BOUNDS;
    case Error::kNoSuchField: return simdjson::NO_SUCH_FIELD;
    case Error::kOther: break;
  }
  return simdjson::UNEXPECTED_ERROR;
}

}  // namespace trawl::json::internal

#endif  // TRAWL_SRC_JSON_INTERNAL_ERRORS_H_
