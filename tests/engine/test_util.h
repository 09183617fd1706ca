// Shared helpers for the engine tests.
#ifndef TRAWL_TESTS_ENGINE_TEST_UTIL_H_
#define TRAWL_TESTS_ENGINE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/compiler.h"
#include "engine/scanner.h"
#include "rules/loader.h"

namespace trawl::testing_util {

// A copy of `bytes` starting 64-byte aligned, as a mapped artifact does.
class AlignedBytes {
 public:
  explicit AlignedBytes(std::string_view bytes) : storage_(bytes.size() + 64) {
    const auto base = reinterpret_cast<uintptr_t>(storage_.data());
    data_ = storage_.data() + (64 - base % 64) % 64;
    std::memcpy(data_, bytes.data(), bytes.size());
    size_ = bytes.size();
  }
  std::string_view view() const { return {data_, size_}; }

 private:
  std::vector<char> storage_;
  char* data_;
  size_t size_;
};

inline Definition Regex(std::string id, std::string expression, uint32_t flags = 0) {
  Definition def;
  def.id = std::move(id);
  def.kind = PatternKind::kRegex;
  def.expression = std::move(expression);
  def.flags = flags;
  def.chains = {"default"};
  return def;
}

inline Definition Literal(std::string id, std::string bytes, uint32_t flags = 0) {
  Definition def = Regex(std::move(id), std::move(bytes), flags);
  def.kind = PatternKind::kLiteral;
  return def;
}

inline std::shared_ptr<const Database> MustCompile(std::vector<Definition> defs,
                                                   CompileOptions options = {}) {
  auto db = CompileDatabase(std::move(defs), options);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *db : nullptr;
}

// Streams `input` through `scanner` in writes of 1 to `max_write` bytes drawn from `rng`.
inline absl::StatusOr<ScanSummary> StreamInRandomWrites(Scanner& scanner, std::string_view input,
                                                        const ScanLimits& limits,
                                                        std::mt19937& rng, size_t max_write,
                                                        MatchSink sink) {
  if (absl::Status begun = scanner.StreamBegin(limits); !begun.ok()) return begun;
  for (size_t at = 0; at < input.size();) {
    const size_t n = std::min<size_t>(input.size() - at, 1 + rng() % max_write);
    if (absl::Status wrote = scanner.StreamWrite(input.substr(at, n), sink); !wrote.ok()) {
      return wrote;
    }
    at += n;
  }
  return scanner.StreamEnd(sink);
}

// Rule files (any format the loader reads) compiled together: the shipped packs the
// analysis tests run with.
inline std::shared_ptr<const Database> MustCompileFiles(const std::vector<std::string>& paths) {
  std::vector<Definition> definitions;
  for (const std::string& path : paths) {
    auto rules = LoadRuleFile(path);
    EXPECT_TRUE(rules.ok()) << path << ": " << rules.status();
    if (!rules.ok()) return nullptr;
    for (Definition& d : rules->definitions) definitions.push_back(std::move(d));
  }
  return MustCompile(std::move(definitions));
}

struct Found {
  uint32_t rule;
  uint64_t start;
  uint64_t end;
  std::string text;
  std::vector<int64_t> captures;
  bool operator==(const Found&) const = default;
};

inline void PrintTo(const Found& f, std::ostream* os) {
  *os << "{" << f.rule << ", " << f.start << ", " << f.end << ", \"" << f.text << "\"}";
}

inline std::vector<Found> ScanAll(const std::shared_ptr<const Database>& db, std::string_view data,
                                  ScanLimits limits = {}, ScanSummary* summary = nullptr) {
  auto scanner = Scanner::Create(db);
  EXPECT_TRUE(scanner.ok()) << scanner.status();
  std::vector<Found> out;
  auto result = (*scanner)->Scan(data, limits, [&](const Match& m) {
    out.push_back({m.rule, m.start, m.end, std::string(m.text),
                   std::vector<int64_t>(m.captures, m.captures + 2 * m.capture_count)});
    return true;
  });
  EXPECT_TRUE(result.ok()) << result.status();
  if (summary && result.ok()) *summary = *result;
  return out;
}

}  // namespace trawl::testing_util

#endif  // TRAWL_TESTS_ENGINE_TEST_UTIL_H_
