// File: json.cc
// The DOM side of the adapter over simdjson's dom:: API (error codes, no exceptions).
// The public handles hold simdjson's 16-byte DOM references by value; the static_asserts
// below keep that honest if simdjson's layout ever changes.
#include "json/json.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>

#include "json/internal/errors.h"
#include "simdjson.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace trawl::json {

namespace dom = simdjson::dom;

// Copies simdjson's trivially copyable DOM references in and out of the handles' storage.
struct Access {
  template <typename Rep, typename Handle>
  static Rep Get(const Handle& handle) {
    static_assert(sizeof(Rep) == sizeof handle.rep_ && std::is_trivially_copyable_v<Rep>);
    Rep rep;
    std::memcpy(static_cast<void*>(&rep), handle.rep_, sizeof rep);
    return rep;
  }
  template <typename Handle, typename Rep>
  static Handle Make(const Rep& rep) {
    Handle handle;
    static_assert(sizeof(Rep) == sizeof handle.rep_ && std::is_trivially_copyable_v<Rep>);
    std::memcpy(handle.rep_, static_cast<const void*>(&rep), sizeof rep);
    return handle;
  }
  template <typename Handle, typename Rep>
  static void Set(Handle* handle, const Rep& rep) {
    *handle = Make<Handle>(rep);
  }
  // A default-constructed Object or Array refers to no document: it is empty.
  template <typename Handle>
  static bool Unset(const Handle& handle) {
    return std::all_of(std::begin(handle.rep_), std::end(handle.rep_),
                       [](unsigned char b) { return b == 0; });
  }
};

namespace {

dom::element Element(const Value& v) { return Access::Get<dom::element>(v); }

// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input (their values do
// not matter) and copies any input it is not told is padded. Those bytes are readable
// when they are on the page of the input's last byte (pages are mapped whole, and 4 KiB
// is the smallest page size), so a large document (whose copy costs a tenth of the
// parse) is read in place unless it ends within the padding of a page end.
bool PaddingReadable(std::string_view text) {
  constexpr uintptr_t kPage = 4096;
  if (text.empty()) return false;
  const uintptr_t last = reinterpret_cast<uintptr_t>(text.data() + text.size() - 1);
  return last / kPage == (last + simdjson::SIMDJSON_PADDING) / kPage;
}


template <typename T>
Error Read(const Value& v, T* out) {
  return internal::FromSimdjson(Element(v).get(*out));
}

}  // namespace

std::string_view ErrorName(Error error) {
  switch (error) {
    case Error::kOk: return "ok";
    case Error::kUtf8: return "utf8";
    case Error::kDepth: return "depth_limit";
    case Error::kUnclosedString: return "unclosed_string";
    case Error::kUnescapedChars: return "unescaped_chars";
    case Error::kString: return "string_escape";
    case Error::kNumber: return "number";
    case Error::kTrueLiteral:
    case Error::kFalseLiteral:
    case Error::kNullLiteral: return "literal";
    case Error::kEmpty: return "empty";
    case Error::kTrailingContent: return "trailing_content";
    case Error::kIncomplete: return "incomplete";
    case Error::kCapacity: return "capacity";
    case Error::kMemory: return "memory";
    default: break;
  }
  return "tape_error";  // any other problem (docs/structure.md lists the names)
}

std::string_view ErrorMessage(Error error) {
  if (error == Error::kOther) return "unexpected JSON parser error";
  return simdjson::error_message(internal::ToSimdjson(error));
}

// ---- Value, Object, Array -------------------------------------------------------------

Type Value::type() const {
  switch (Element(*this).type()) {
    case dom::element_type::ARRAY: return Type::kArray;
    case dom::element_type::OBJECT: return Type::kObject;
    case dom::element_type::INT64: return Type::kInt64;
    case dom::element_type::UINT64: return Type::kUint64;
    case dom::element_type::DOUBLE: return Type::kDouble;
    case dom::element_type::STRING: return Type::kString;
    case dom::element_type::BOOL: return Type::kBool;
    case dom::element_type::NULL_VALUE: return Type::kNull;
  }
  return Type::kNull;
}

bool Value::IsNull() const { return Element(*this).is_null(); }
Error Value::Get(std::string_view* out) const { return Read(*this, out); }
Error Value::Get(uint64_t* out) const { return Read(*this, out); }
Error Value::Get(int64_t* out) const { return Read(*this, out); }
Error Value::Get(double* out) const { return Read(*this, out); }
Error Value::Get(bool* out) const { return Read(*this, out); }

Error Value::Get(Object* out) const {
  dom::object object;
  const Error error = Read(*this, &object);
  if (error == Error::kOk) Access::Set(out, object);
  return error;
}

Error Value::Get(Array* out) const {
  dom::array array;
  const Error error = Read(*this, &array);
  if (error == Error::kOk) Access::Set(out, array);
  return error;
}

Object::Field Object::Iterator::operator*() const {
  const dom::object::iterator it = Access::Get<dom::object::iterator>(*this);
  return Field{it.key(), Access::Make<Value>(it.value())};
}

Object::Iterator& Object::Iterator::operator++() {
  dom::object::iterator it = Access::Get<dom::object::iterator>(*this);
  ++it;
  Access::Set(this, it);
  return *this;
}

bool Object::Iterator::operator!=(const Iterator& other) const {
  return Access::Get<dom::object::iterator>(*this) != Access::Get<dom::object::iterator>(other);
}

Object::Iterator Object::begin() const {
  if (Access::Unset(*this)) return Iterator();
  return Access::Make<Iterator>(Access::Get<dom::object>(*this).begin());
}
Object::Iterator Object::end() const {
  if (Access::Unset(*this)) return Iterator();
  return Access::Make<Iterator>(Access::Get<dom::object>(*this).end());
}
size_t Object::size() const { return Access::Unset(*this) ? 0 : Access::Get<dom::object>(*this).size(); }

Error Object::Find(std::string_view key, Value* out) const {
  if (Access::Unset(*this)) return Error::kNoSuchField;
  dom::element value;
  const Error error =
      internal::FromSimdjson(Access::Get<dom::object>(*this).at_key(key).get(value));
  if (error == Error::kOk) Access::Set(out, value);
  return error;
}

Value Array::Iterator::operator*() const {
  return Access::Make<Value>(*Access::Get<dom::array::iterator>(*this));
}

Array::Iterator& Array::Iterator::operator++() {
  dom::array::iterator it = Access::Get<dom::array::iterator>(*this);
  ++it;
  Access::Set(this, it);
  return *this;
}

bool Array::Iterator::operator!=(const Iterator& other) const {
  return Access::Get<dom::array::iterator>(*this) != Access::Get<dom::array::iterator>(other);
}

Array::Iterator Array::begin() const {
  if (Access::Unset(*this)) return Iterator();
  return Access::Make<Iterator>(Access::Get<dom::array>(*this).begin());
}
Array::Iterator Array::end() const {
  if (Access::Unset(*this)) return Iterator();
  return Access::Make<Iterator>(Access::Get<dom::array>(*this).end());
}
size_t Array::size() const { return Access::Unset(*this) ? 0 : Access::Get<dom::array>(*this).size(); }

// ---- Parser --------------------------------------------------------------------------

struct Parser::Impl {
  explicit Impl(uint32_t depth) : max_depth(depth) {}
  uint32_t max_depth;
  bool allocated = false;
  dom::parser parser;
};

Parser::Parser(uint32_t max_depth) : impl_(std::make_unique<Impl>(max_depth)) {}
Parser::~Parser() = default;
Parser::Parser(Parser&&) noexcept = default;
Parser& Parser::operator=(Parser&&) noexcept = default;

Error Parser::Parse(std::string_view text, Value* root) {
  if (!impl_->allocated && impl_->max_depth != simdjson::DEFAULT_MAX_DEPTH) {
    // The depth limit is fixed at the first allocation; later growth keeps it.
    if (auto error = impl_->parser.allocate(dom::MINIMAL_DOCUMENT_CAPACITY, impl_->max_depth)) {
      return internal::FromSimdjson(error);
    }
  }
  impl_->allocated = true;
  dom::element element;
  const Error error = internal::FromSimdjson(
      impl_->parser.parse(text.data(), text.size(), !PaddingReadable(text)).get(element));
  if (error == Error::kOk) Access::Set(root, element);
  if (error == Error::kMemory) {
    // A parser whose allocation failed half-way must not be used again (simdjson 3.0.1
    // crashes in the next parse): start over with a fresh one.
    *impl_ = Impl(impl_->max_depth);
    throw std::bad_alloc();
  }
  return error;
}

absl::Status ParseError(Error error, std::string_view what) {
  return CodedError(ErrorCode::kParse, StrCat(what, ": ", ErrorMessage(error)));
}

absl::Status ParseObject(Parser& parser, std::string_view text, std::string_view what,
                         Object* out) {
  Value root;
  if (const Error error = parser.Parse(text, &root); error != Error::kOk) {
    return ParseError(error, StrCat(what, ": not JSON"));
  }
  if (root.Get(out) != Error::kOk) {
    return absl::InvalidArgumentError(StrCat(what, ": not a JSON object"));
  }
  return absl::OkStatus();
}

// ---- FieldReader ---------------------------------------------------------------------

absl::Status FieldReader::FieldError(std::string_view key, Error error) const {
  return absl::InvalidArgumentError(
      StrCat(what_, " field \"", key, "\": ", ErrorMessage(error)));
}

namespace {

// Reads `key` into `out` through Value::Get; an absent optional key is OK.
template <typename T>
absl::Status ReadField(const FieldReader& reader, const Object& obj, std::string_view key,
                       bool required, T* out, bool* present = nullptr) {
  Value value;
  Error error = obj.Find(key, &value);
  if (error == Error::kNoSuchField && !required) return absl::OkStatus();
  if (error == Error::kOk) error = value.Get(out);
  if (present != nullptr) *present = error == Error::kOk;
  return error == Error::kOk ? absl::OkStatus() : reader.FieldError(key, error);
}

}  // namespace

absl::Status FieldReader::Read(std::string_view key, std::string* out, bool required) const {
  std::string_view value;
  bool present = false;
  TRAWL_RETURN_IF_ERROR(ReadField(*this, obj_, key, required, &value, &present));
  if (present) *out = std::string(value);
  return absl::OkStatus();
}

absl::Status FieldReader::Read(std::string_view key, uint64_t* out, bool required) const {
  return ReadField(*this, obj_, key, required, out);
}

absl::Status FieldReader::Read(std::string_view key, uint32_t* out, bool required) const {
  uint64_t value = *out;
  if (absl::Status status = ReadField(*this, obj_, key, required, &value); !status.ok()) {
    return status;
  }
  if (value > UINT32_MAX) return FieldError(key, Error::kNumberOutOfRange);
  *out = static_cast<uint32_t>(value);
  return absl::OkStatus();
}

absl::Status FieldReader::Read(std::string_view key, int64_t* out, bool required) const {
  return ReadField(*this, obj_, key, required, out);
}

absl::Status FieldReader::Read(std::string_view key, double* out, bool required) const {
  return ReadField(*this, obj_, key, required, out);
}

absl::Status FieldReader::Read(std::string_view key, bool* out, bool required) const {
  return ReadField(*this, obj_, key, required, out);
}

absl::Status FieldReader::Read(std::string_view key, Object* out, bool required) const {
  return ReadField(*this, obj_, key, required, out);
}

absl::Status FieldReader::Read(std::string_view key, Array* out, bool required) const {
  return ReadField(*this, obj_, key, required, out);
}

absl::Status FieldReader::Read(std::string_view key, std::vector<std::string>* out,
                               bool required) const {
  Array array;
  bool present = false;
  TRAWL_RETURN_IF_ERROR(ReadField(*this, obj_, key, required, &array, &present));
  if (!present) return absl::OkStatus();
  for (Value item : array) {
    std::string_view value;
    if (const Error item_error = item.Get(&value); item_error != Error::kOk) {
      return FieldError(key, item_error);
    }
    out->emplace_back(value);
  }
  return absl::OkStatus();
}

// ---- Strings -------------------------------------------------------------------------

bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

bool Unescape(std::string_view raw, std::string* out) {
  out->clear();
  out->reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    if (raw[i] != '\\') {
      out->push_back(raw[i++]);
      continue;
    }
    if (i + 1 >= raw.size()) return false;
    const char escape = raw[i + 1];
    i += 2;
    switch (escape) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        uint32_t cp = 0, low = 0;
        if (!ReadHex4(raw, i, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= raw.size() && raw[i] == '\\' &&
            raw[i + 1] == 'u' && ReadHex4(raw, i + 2, &low) && low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
          cp = 0xFFFD;  // a lone surrogate: legal JSON text, not a character
        }
        AppendUtf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

// ---- Positions -----------------------------------------------------------------------

std::vector<int64_t> ArrayObjectOffsets(std::string_view json) {
  std::vector<int64_t> offsets;
  const simdjson::padded_string padded(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return offsets;
  simdjson::ondemand::array array;
  if (doc.get_array().get(array)) return offsets;
  for (auto element : array) {
    simdjson::ondemand::object object;
    std::string_view raw;
    if (element.get_object().get(object) || object.raw_json().get(raw)) break;
    offsets.push_back(raw.data() - padded.data());
  }
  return offsets;
}

std::string ArrayErrorPlace(std::string_view json, Error whole, std::string_view element_name) {
  constexpr size_t kNone = std::string_view::npos;
  Parser parser;
  int depth = 0;
  bool in_string = false, escaped = false, need_separator = false;
  size_t element_start = kNone;
  int64_t index = 0;
  std::string problem;
  // Checks the element [element_start, end) on its own; false once a problem is found.
  auto element_ends = [&](size_t end) {
    const std::string_view element = json.substr(element_start, end - element_start);
    Value ignored;
    if (const Error error = parser.Parse(element, &ignored); error != Error::kOk) {
      problem = StrCat(" at byte ", element_start, " (", element_name, " ", index,
                       "): ", ErrorMessage(error));
      return false;
    }
    element_start = kNone;
    need_separator = true;
    ++index;
    return true;
  };
  auto unexpected = [&](size_t i, std::string_view what) {
    problem = StrCat(" at byte ", i,
                     index > 0 ? StrCat(" (after ", element_name, " ", index - 1, ")")
                               : std::string(),
                     ": ", what);
    return false;
  };
  auto starts_element = [&](size_t i) {
    if (need_separator) return unexpected(i, "expected ',' or ']'");
    if (element_start == kNone) element_start = i;
    return true;
  };
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (depth == 0) {
      if (space) continue;
      if (c != '[' || index > 0 || need_separator) {
        unexpected(i, "bytes after the array");
        return problem;
      }
      depth = 1;
      continue;
    }
    if (c == '"' || c == '{' || c == '[') {
      if (depth == 1 && !starts_element(i)) return problem;
      if (c == '"') {
        in_string = true;
      } else {
        ++depth;
      }
    } else if (c == '}' || c == ']') {
      if (depth == 1) {  // the array's own ']'
        if (element_start != kNone && !element_ends(i)) return problem;
        depth = 0;
        need_separator = true;
        continue;
      }
      if (--depth == 1 && !element_ends(i + 1)) return problem;
    } else if (c == ',' && depth == 1) {
      if (element_start != kNone && !element_ends(i)) return problem;
      if (!need_separator) {
        unexpected(i, "unexpected ','");
        return problem;
      }
      need_separator = false;
    } else if (depth == 1 && !space && !starts_element(i)) {
      return problem;
    }
  }
  if (depth == 0 && need_separator) return StrCat(": ", ErrorMessage(whole));
  return StrCat(": the document ends early at byte ", json.size(),
                element_start == kNone
                    ? std::string()
                    : StrCat(", inside ", element_name, " ", index, " (it starts at byte ",
                             element_start, ")"),
                ": ", ErrorMessage(whole));
}

}  // namespace trawl::json
