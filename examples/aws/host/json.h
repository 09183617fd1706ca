// File: json.h
// JSON for the hosts: quoting for the documents they write, and simdjson (the only
// simdjson user in the hosts) for what they read. Not thread-safe: one JsonReader a thread.
#ifndef TRAWL_EXAMPLES_AWS_HOST_JSON_H_
#define TRAWL_EXAMPLES_AWS_HOST_JSON_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trawl_host {

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view s);

// A parsed document. Paths are JSON pointers ("/Records/0/s3/bucket/name").
class JsonDoc {
 public:
  // Parses `text`; ok() tells whether it was valid JSON.
  explicit JsonDoc(std::string_view text);
  ~JsonDoc();
  JsonDoc(JsonDoc&&) noexcept;
  bool ok() const;
  std::optional<std::string> String(std::string_view pointer) const;
  std::optional<int64_t> Int(std::string_view pointer) const;
  std::optional<double> Double(std::string_view pointer) const;
  std::optional<bool> Bool(std::string_view pointer) const;
  // Number of elements of the array at `pointer`, or nullopt when it is not an array.
  std::optional<size_t> ArraySize(std::string_view pointer) const;
  // The strings of the array at `pointer` (non-strings are skipped).
  std::vector<std::string> Strings(std::string_view pointer) const;
  // The value at `pointer` serialized back to minified JSON.
  std::optional<std::string> Raw(std::string_view pointer) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_JSON_H_
