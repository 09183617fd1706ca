// File: keyword_tracker.h
// Which rules' required keywords (gitleaks' `keywords`; docs/rules.md) an input holds,
// found as its bytes pass. A stream, or a component analysed in windows, no longer holds
// the bytes a keyword may lie in when it decides a match; fed every byte on the way, the
// tracker answers for the whole input. One engine pass over the bytes, whatever the
// number of keywords (engine/internal/keyword_index.h).
//
// Thread-compatible: one input at a time; the database must outlive the tracker.
#ifndef TRAWL_SRC_ENGINE_KEYWORD_TRACKER_H_
#define TRAWL_SRC_ENGINE_KEYWORD_TRACKER_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace trawl {

class Database;

class KeywordTracker {
 public:
  // Null when no rule of `db` has required keywords.
  static absl::StatusOr<std::unique_ptr<KeywordTracker>> Create(const Database& db);
  ~KeywordTracker();
  KeywordTracker(const KeywordTracker&) = delete;
  KeywordTracker& operator=(const KeywordTracker&) = delete;

  // Starts over for a new input.
  void Reset();
  // The input's bytes [base, base + bytes.size()). Feeds may overlap or repeat bytes, but
  // never skip any: a feed that starts past every byte fed so far is an error
  // (kInternal), as is an engine failure; the tracker then answers for nothing.
  absl::Status Feed(std::string_view bytes, uint64_t base);
  // The input's next bytes, right after every byte fed so far.
  absl::Status Append(std::string_view bytes);

  // The rules with required keywords, sorted.
  const std::vector<uint32_t>& rules() const;
  // Whether one of `rule`'s keywords was in the bytes fed.
  bool KeywordSeen(uint32_t rule) const;

 private:
  struct Impl;
  explicit KeywordTracker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_KEYWORD_TRACKER_H_
