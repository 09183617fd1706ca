// File: json.cc
// simdjson adapter for the hosts (DOM API, error codes, no exceptions).
#include "host/json.h"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>

namespace trawl_host {

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

struct JsonDoc::Impl {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

JsonDoc::JsonDoc(std::string_view text) : impl_(std::make_unique<Impl>()) {
  simdjson::padded_string padded(text);
  impl_->ok = impl_->parser.parse(padded).get(impl_->root) == simdjson::SUCCESS;
}
JsonDoc::~JsonDoc() = default;
JsonDoc::JsonDoc(JsonDoc&&) noexcept = default;

bool JsonDoc::ok() const { return impl_->ok; }

std::optional<std::string> JsonDoc::String(std::string_view pointer) const {
  std::string_view v;
  if (!impl_->ok || impl_->root.at_pointer(pointer).get_string().get(v)) return std::nullopt;
  return std::string(v);
}

std::optional<int64_t> JsonDoc::Int(std::string_view pointer) const {
  simdjson::dom::element e;
  if (!impl_->ok || impl_->root.at_pointer(pointer).get(e)) return std::nullopt;
  int64_t i;
  if (!e.get_int64().get(i)) return i;
  double d;
  if (!e.get_double().get(d)) return static_cast<int64_t>(d);
  std::string_view s;  // DynamoDB numbers arrive as strings
  if (!e.get_string().get(s)) {
    const std::string copy(s);
    char* end = nullptr;
    const long long n = std::strtoll(copy.c_str(), &end, 10);
    if (!copy.empty() && end == copy.c_str() + copy.size()) return n;
  }
  return std::nullopt;
}

std::optional<double> JsonDoc::Double(std::string_view pointer) const {
  double d;
  if (!impl_->ok || impl_->root.at_pointer(pointer).get_double().get(d)) return std::nullopt;
  return d;
}

std::optional<bool> JsonDoc::Bool(std::string_view pointer) const {
  bool b;
  if (!impl_->ok || impl_->root.at_pointer(pointer).get_bool().get(b)) return std::nullopt;
  return b;
}

std::optional<size_t> JsonDoc::ArraySize(std::string_view pointer) const {
  simdjson::dom::array a;
  if (!impl_->ok || impl_->root.at_pointer(pointer).get_array().get(a)) return std::nullopt;
  return a.size();
}

std::vector<std::string> JsonDoc::Strings(std::string_view pointer) const {
  std::vector<std::string> out;
  simdjson::dom::array a;
  if (!impl_->ok || impl_->root.at_pointer(pointer).get_array().get(a)) return out;
  for (simdjson::dom::element e : a) {
    std::string_view s;
    if (!e.get_string().get(s)) out.emplace_back(s);
  }
  return out;
}

std::optional<std::string> JsonDoc::Raw(std::string_view pointer) const {
  simdjson::dom::element e;
  if (!impl_->ok || impl_->root.at_pointer(pointer).get(e)) return std::nullopt;
  return simdjson::minify(e);
}

}  // namespace trawl_host
