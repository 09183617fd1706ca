// File: json_writer.h
// A small streaming JSON writer for trawl's output documents. simdjson only parses, so
// writing is ours: deterministic (fields come out in call order, numbers in a fixed
// format) because stage outputs must be byte-identical for identical inputs.
//
// Not thread-safe. Misuse (a value where a key is expected) is a programming error and
// is caught by debug assertions, not reported at run time.
#ifndef TRAWL_SRC_UTIL_JSON_WRITER_H_
#define TRAWL_SRC_UTIL_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trawl {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Appends `text` as a JSON string literal. Invalid UTF-8 bytes become U+FFFD, so the
// output is always valid JSON; callers that must keep the exact bytes also write them
// in hex (see JsonWriter::BytesField).
void AppendJsonString(std::string* out, std::string_view text);

class JsonWriter {
 public:
  // indent = 0 writes compact single-line JSON (JSON Lines); > 0 pretty-prints.
  explicit JsonWriter(int indent = 0) : indent_(indent) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  // Fixed notation with up to 6 significant decimals, trailing zeros trimmed.
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);

  // Field helpers: Key() then the value.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, uint64_t value) { return Key(key).Uint(value); }
  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, double value) { return Key(key).Double(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }
  JsonWriter& Field(std::string_view key, const std::vector<std::string>& values);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  void Newline();

  struct Level {
    bool is_object;
    bool empty;
  };
  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
  int indent_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_JSON_WRITER_H_
