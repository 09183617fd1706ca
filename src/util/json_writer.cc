// File: json_writer.cc
#include "util/json_writer.h"

#include <cassert>
#include <cmath>
#include <cstdio>

#include "util/json_bytes.h"
#include "util/utf8.h"

namespace trawl {

bool IsValidUtf8(std::string_view text) { return FirstInvalidUtf8(text) == text.size(); }

namespace {

// The escaped form of the byte (or UTF-8 sequence) at text[i]; returns the bytes it took.
size_t AppendSpecial(std::string* out, std::string_view text, size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  if (c >= 0x80) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out->append("\xEF\xBF\xBD");  // U+FFFD
      return 1;
    }
    out->append(text.substr(i, len));
    return len;
  }
  switch (c) {
    case '"': out->append("\\\""); break;
    case '\\': out->append("\\\\"); break;
    case '\n': out->append("\\n"); break;
    case '\r': out->append("\\r"); break;
    case '\t': out->append("\\t"); break;
    case '\b': out->append("\\b"); break;
    case '\f': out->append("\\f"); break;
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out->append(buf);
    }
  }
  return 1;
}

}  // namespace

// Plain runs are appended whole: a report of tens of thousands of findings is mostly
// such runs (a byte at a time cost a fifth of the end of a package's analysis, issue 22).
void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
    const size_t special = NextJsonSpecialByte(text, i, /*non_ascii=*/true);
    out->append(text.data() + i, special - i);
    if (special == text.size()) break;
    i = special + AppendSpecial(out, text, special);
  }
  out->push_back('"');
}

void JsonWriter::Newline() {
  if (indent_ <= 0) return;
  out_.push_back('\n');
  out_.append(stack_.size() * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  assert(!stack_.back().is_object && "value in an object needs a key");
  if (!stack_.back().empty) out_.push_back(',');
  stack_.back().empty = false;
  Newline();
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  stack_.push_back({true, true});
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  assert(!stack_.empty() && stack_.back().is_object);
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) Newline();
  out_.push_back('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  stack_.push_back({false, true});
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  assert(!stack_.empty() && !stack_.back().is_object);
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) Newline();
  out_.push_back(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  assert(!stack_.empty() && stack_.back().is_object && !after_key_);
  if (!stack_.back().empty) out_.push_back(',');
  stack_.back().empty = false;
  Newline();
  AppendJsonString(&out_, key);
  out_.push_back(':');
  if (indent_ > 0) out_.push_back(' ');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  out_.append(std::to_string(value));
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  out_.append(std::to_string(value));
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_.append("null");  // JSON has no NaN or infinity.
    return *this;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", value);
  std::string text = buf;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  out_.append(text);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::Field(std::string_view key, const std::vector<std::string>& values) {
  Key(key).BeginArray();
  for (const auto& v : values) String(v);
  return EndArray();
}

}  // namespace trawl
