// File: json.h
// The JSON adapter: every JSON document trawl reads goes through this folder, and
// simdjson stays behind it (no simdjson type or error code appears in these headers).
//
//  - Parser / Value / Object / Array: a DOM view of one parsed document, for trawl's own
//    documents (manifests, plans, results, policies, rule files). The handles are small
//    values that borrow the Parser's memory until its next Parse.
//  - FieldReader: reads the fields of an object and names the field in every error.
//  - ondemand.h: an inline streaming view with exact byte offsets, for the structure
//    analysis of untrusted JSON (a hot path).
//
// Errors are trawl's own codes (json::Error), mapped from simdjson's in one place: the
// dependency's codes are "subject to change", ours are not. Running out of memory is not
// a parse error: it throws std::bad_alloc, as any allocation does (simdjson reports it as
// a code), so no caller mistakes it for bad input.
//
// Thread-safety: a Parser (and the handles into it) belongs to one thread at a time.
#ifndef TRAWL_SRC_JSON_JSON_H_
#define TRAWL_SRC_JSON_JSON_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace trawl::json {

// Why a parse or a read failed. Names (ErrorName) are stable: structure reports carry them.
enum class Error : uint8_t {
  kOk = 0,
  kCapacity,          // the document is larger than the parser supports
  kMemory,            // allocation failed
  kSyntax,            // malformed JSON (generic)
  kDepth,             // nested deeper than the parser's limit
  kString,            // a bad string or escape
  kTrueLiteral,       // a malformed `true`
  kFalseLiteral,      // a malformed `false`
  kNullLiteral,       // a malformed `null`
  kNumber,            // a malformed number
  kUtf8,              // the input is not valid UTF-8
  kEmpty,             // no JSON value at all
  kUnescapedChars,    // a control character inside a string
  kUnclosedString,    // a string without its closing quote
  kIncomplete,        // the document ends inside an array or object
  kTrailingContent,   // content after the JSON value
  kIncorrectType,     // the value has another type than the one asked for
  kNumberOutOfRange,  // a number that does not fit the type asked for
  kIndexOutOfBounds,  // an array index past the end
  kNoSuchField,       // the object has no such key
  kOther,             // anything else the parser reports (a bug, an unsupported CPU)
};

// Short stable name of a parse error, carried by structure reports: "utf8",
// "depth_limit", "unclosed_string", "number", "literal", ..., "tape_error" for the rest.
std::string_view ErrorName(Error error);
// A sentence describing the error.
std::string_view ErrorMessage(Error error);
// A parse error as a status: "<what>: <ErrorMessage>", ErrorCode::kParse.
absl::Status ParseError(Error error, std::string_view what);

enum class Type : uint8_t { kNull, kBool, kInt64, kUint64, kDouble, kString, kArray, kObject };

class Object;
class Array;

// One value of a parsed document. Borrowed: valid until its Parser parses again or dies.
class Value {
 public:
  Value() = default;
  Type type() const;
  bool IsNull() const;
  // Each fills `out` and returns kOk, or returns kIncorrectType / kNumberOutOfRange.
  Error Get(std::string_view* out) const;
  Error Get(uint64_t* out) const;
  Error Get(int64_t* out) const;
  Error Get(double* out) const;  // any number
  Error Get(bool* out) const;
  Error Get(Object* out) const;
  Error Get(Array* out) const;

 private:
  friend struct Access;
  alignas(8) unsigned char rep_[16] = {};
};

// A default-constructed Object or Array is empty (a field read with required = false
// leaves it so when the key is absent).
class Object {
 public:
  struct Field {
    std::string_view key;  // unescaped
    Value value;
  };
  class Iterator {
   public:
    Field operator*() const;
    Iterator& operator++();
    bool operator!=(const Iterator& other) const;

   private:
    friend struct Access;
    alignas(8) unsigned char rep_[16] = {};
  };

  Object() = default;
  Iterator begin() const;
  Iterator end() const;
  size_t size() const;
  // kOk, or kNoSuchField.
  Error Find(std::string_view key, Value* out) const;
  // Find, then Value::Get.
  template <typename T>
  Error Get(std::string_view key, T* out) const {
    Value value;
    const Error error = Find(key, &value);
    return error == Error::kOk ? value.Get(out) : error;
  }

 private:
  friend struct Access;
  alignas(8) unsigned char rep_[16] = {};
};

class Array {
 public:
  class Iterator {
   public:
    Value operator*() const;
    Iterator& operator++();
    bool operator!=(const Iterator& other) const;

   private:
    friend struct Access;
    alignas(8) unsigned char rep_[16] = {};
  };

  Array() = default;
  Iterator begin() const;
  Iterator end() const;
  size_t size() const;

 private:
  friend struct Access;
  alignas(8) unsigned char rep_[16] = {};
};

// A reusable DOM parser. Input needs no padding: the adapter copies it when it must.
class Parser {
 public:
  static constexpr uint32_t kDefaultMaxDepth = 1024;
  explicit Parser(uint32_t max_depth = kDefaultMaxDepth);
  ~Parser();
  Parser(Parser&&) noexcept;
  Parser& operator=(Parser&&) noexcept;

  // Parses one whole document. On kOk, `*root` borrows the parser's memory. Throws
  // std::bad_alloc when memory runs out.
  Error Parse(std::string_view text, Value* root);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses `text` and returns its top-level object; errors say "<what>: not JSON: ..." or
// "<what>: not a JSON object" (kInvalidArgument).
absl::Status ParseObject(Parser& parser, std::string_view text, std::string_view what,
                         Object* out);

// Reads the fields of one JSON object; the first problem names the field and the object
// ("<what> field \"<key>\": <reason>", kInvalidArgument). `required = false` leaves the
// output untouched when the key is absent.
class FieldReader {
 public:
  FieldReader(Object obj, std::string what) : obj_(obj), what_(std::move(what)) {}

  absl::Status Read(std::string_view key, std::string* out, bool required = true) const;
  absl::Status Read(std::string_view key, uint64_t* out, bool required = true) const;
  absl::Status Read(std::string_view key, uint32_t* out, bool required = true) const;
  absl::Status Read(std::string_view key, int64_t* out, bool required = true) const;
  absl::Status Read(std::string_view key, double* out, bool required = true) const;
  absl::Status Read(std::string_view key, bool* out, bool required = true) const;
  absl::Status Read(std::string_view key, std::vector<std::string>* out,
                    bool required = true) const;
  absl::Status Read(std::string_view key, Object* out, bool required = true) const;
  absl::Status Read(std::string_view key, Array* out, bool required = true) const;
  // The error this reader reports for `key`.
  absl::Status FieldError(std::string_view key, Error error) const;

 private:
  Object obj_;
  std::string what_;  // owned: callers often pass a temporary
};

// The text of a JSON string as written between its quotes, unescaped into `out` (a lone
// surrogate escape becomes U+FFFD). False when an escape is malformed.
bool Unescape(std::string_view raw, std::string* out);

// Whether `text` is well-formed UTF-8: simdjson's SIMD validator, which holds JSON text to
// the definition util/utf8.h's FirstInvalidUtf8 implements (no overlongs, surrogates or
// values past U+10FFFF); ~10x its scalar loop, for classification's per-component sample.
bool IsValidUtf8(std::string_view text);

// Byte offsets where each object of a top-level array starts, for error messages. Best
// effort: stops at the first element that is not an object.
std::vector<int64_t> ArrayObjectOffsets(std::string_view json);

// Where a top-level JSON array that failed to parse as a whole (`whole`) goes wrong, for
// the error message (the parser does not say): a structural walk finds the elements, and
// the first one that does not parse on its own is the culprit (" at byte 25 (definition
// 1): <reason>"); otherwise the array's own syntax is (" at byte 24 (after definition 0):
// expected ',' or ']'", ": the document ends early at byte 39, inside definition 1 (it
// starts at byte 25): <reason>"). `element` names the elements in the message.
std::string ArrayErrorPlace(std::string_view json, Error whole,
                            std::string_view element = "definition");

}  // namespace trawl::json

#endif  // TRAWL_SRC_JSON_JSON_H_
