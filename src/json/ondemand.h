// File: ondemand.h
// A streaming view of one JSON document (simdjson On Demand underneath) for the one hot
// path that reads untrusted JSON: the structure analysis (src/structure/json_structure.cc),
// which walks every value once with its exact byte offset in the input.
//
// The view is inline on purpose: a call per value through an opaque interface cost that
// walk 5-15% (bench/RESULTS.md), so these types are thin wrappers the compiler sees
// through. simdjson's names and error codes still stay inside src/json/: callers see
// json::Error, json::ondemand::Type and these classes only.
//
// Contract of the dependency, owned here: the input must be followed by kPadding readable
// bytes (Parser::Iterate's `capacity`). On Demand validates structure and UTF-8 while
// indexing and scalars only when they are read: a caller that reads a scalar's raw token
// validates it itself.
//
// Thread-safety: a Parser and the Document it iterates belong to one thread at a time.
#ifndef TRAWL_SRC_JSON_ONDEMAND_H_
#define TRAWL_SRC_JSON_ONDEMAND_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>
#include <utility>

#include "json/internal/errors.h"
#include "json/json.h"

namespace trawl::json::ondemand {

namespace sj = simdjson::ondemand;

// Readable bytes the input must have after its end.
inline constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

enum class Type : uint8_t { kObject, kArray, kString, kNumber, kBool, kNull, kUnknown };

inline Type TypeOf(sj::json_type type) {
  switch (type) {
    case sj::json_type::object: return Type::kObject;
    case sj::json_type::array: return Type::kArray;
    case sj::json_type::string: return Type::kString;
    case sj::json_type::number: return Type::kNumber;
    case sj::json_type::boolean: return Type::kBool;
    case sj::json_type::null: return Type::kNull;
  }
  return Type::kUnknown;
}

class Object;
class Array;

// The stepping half of an iterator over On Demand items; Derived::Get reads the item.
// Dereferencing yields the iterator itself, so a range-for hands out Get().
template <typename Derived, typename It>
class Cursor {
 public:
  explicit Cursor(It it) : it_(std::move(it)) {}
  Derived& operator++() noexcept {
    ++it_;
    return static_cast<Derived&>(*this);
  }
  bool operator!=(const Cursor& other) const noexcept { return it_ != other.it_; }
  Derived& operator*() noexcept { return static_cast<Derived&>(*this); }

 protected:
  It it_;
};

class Value {
 public:
  Value() = default;
  explicit Value(sj::value value) : value_(std::move(value)) {}

  // The value's raw text, from its first byte (possibly followed by whitespace).
  std::string_view RawToken() noexcept { return value_.raw_json_token(); }
  Error GetType(Type* out) noexcept {
    sj::json_type type = sj::json_type::null;  // set when error is kOk (GCC -O1 cannot see it)
    const Error error = internal::FromSimdjson(value_.type().get(type));
    if (error == Error::kOk) *out = TypeOf(type);
    return error;
  }
  inline Error Get(Object* out) noexcept;
  inline Error Get(Array* out) noexcept;
  // Consumes an object or an array (`type`, from GetType) without reading its contents,
  // and gives its text: from its opening bracket up to the next token, so trailing
  // whitespace included.
  inline Error SkipContainer(Type type, std::string_view* text) noexcept;

 private:
  sj::value value_;
};

class Field {
 public:
  Field() = default;
  // The first byte of the key's text (just after its opening quote), escapes as written.
  // The view has no unescaping call: simdjson 3.0.1's On Demand parser does not check
  // the allocation of the buffer it unescapes into (a crash when memory runs out), so
  // keys are unescaped with json::Unescape, and strings read from their raw tokens.
  const char* RawKey() const noexcept { return field_.key().raw(); }
  Value value() noexcept { return Value(field_.value()); }

 private:
  friend class Object;
  sj::field field_;
};

class Object {
 public:
  class Iterator : public Cursor<Iterator, sj::object_iterator> {
   public:
    using Cursor::Cursor;
    // Reads the field; an error ends the iteration.
    Error Get(Field* out) noexcept { return internal::FromSimdjson((*it_).get(out->field_)); }
  };

  Iterator begin() noexcept { return Iterator(object_.begin().value_unsafe()); }
  Iterator end() noexcept { return Iterator(object_.end().value_unsafe()); }

 private:
  friend class Value;
  sj::object object_;
};

class Array {
 public:
  class Iterator : public Cursor<Iterator, sj::array_iterator> {
   public:
    using Cursor::Cursor;
    // Reads the element; an error ends the iteration.
    Error Get(Value* out) noexcept {
      sj::value value;
      const Error error = internal::FromSimdjson((*it_).get(value));
      if (error == Error::kOk) *out = Value(std::move(value));
      return error;
    }
  };

  Iterator begin() noexcept { return Iterator(array_.begin().value_unsafe()); }
  Iterator end() noexcept { return Iterator(array_.end().value_unsafe()); }

 private:
  friend class Value;
  sj::array array_;
};

inline Error Value::Get(Object* out) noexcept {
  return internal::FromSimdjson(value_.get_object().get(out->object_));
}
inline Error Value::Get(Array* out) noexcept {
  return internal::FromSimdjson(value_.get_array().get(out->array_));
}
inline Error Value::SkipContainer(Type type, std::string_view* text) noexcept {
  if (type == Type::kObject) {
    sj::object object;
    if (const Error e = internal::FromSimdjson(value_.get_object().get(object)); e != Error::kOk) return e;
    return internal::FromSimdjson(object.raw_json().get(*text));
  }
  sj::array array;
  if (const Error e = internal::FromSimdjson(value_.get_array().get(array)); e != Error::kOk) return e;
  return internal::FromSimdjson(array.raw_json().get(*text));
}

class Document {
 public:
  Error IsScalar(bool* out) noexcept { return internal::FromSimdjson(doc_.is_scalar().get(*out)); }
  Error GetType(Type* out) noexcept {
    sj::json_type type = sj::json_type::null;  // set when error is kOk (GCC -O1 cannot see it)
    const Error error = internal::FromSimdjson(doc_.type().get(type));
    if (error == Error::kOk) *out = TypeOf(type);
    return error;
  }
  Error RawToken(std::string_view* out) noexcept {
    return internal::FromSimdjson(doc_.raw_json_token().get(*out));
  }
  Error GetValue(Value* out) noexcept {
    sj::value value;
    const Error error = internal::FromSimdjson(doc_.get_value().get(value));
    if (error == Error::kOk) *out = Value(std::move(value));
    return error;
  }
  // Where iteration stopped: after an error, the offending token.
  Error CurrentLocation(const char** out) noexcept {
    return internal::FromSimdjson(doc_.current_location().get(*out));
  }

 private:
  friend class Parser;
  sj::document doc_;
};

// Reusable; one per thread.
class Parser {
 public:
  // Starts iterating the document in [data, data + len); `capacity` >= len + kPadding
  // bytes from `data` must be readable. Errors found while indexing (structure, UTF-8)
  // come back here.
  // Running out of memory throws std::bad_alloc (json.h).
  Error Iterate(const char* data, size_t len, size_t capacity, Document* out) {
    const Error error = internal::FromSimdjson(parser_.iterate(data, len, capacity).get(out->doc_));
    if (error == Error::kMemory) {
      parser_ = sj::parser();  // one whose allocation failed half-way is not used again
      throw std::bad_alloc();
    }
    return error;
  }

 private:
  sj::parser parser_;
};

}  // namespace trawl::json::ondemand

#endif  // TRAWL_SRC_JSON_ONDEMAND_H_
