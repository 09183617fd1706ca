// File: feed_builder.h
// Shared by the feed readers (indicator_feed.cc, indicator_feed_json.cc): accounts for
// every entry of a feed (loaded, duplicate, unsupported with its reason) and interns the
// metadata its indicators share.
#ifndef TRAWL_SRC_RULES_INTERNAL_FEED_BUILDER_H_
#define TRAWL_SRC_RULES_INTERNAL_FEED_BUILDER_H_

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rules/indicator_feed.h"
#include "util/hash_containers.h"

namespace trawl::internal {

class FeedBuilder {
 public:
  FeedBuilder(std::string_view file, const FeedOptions& options, FeedFormat format);
  // The metadata an entry gets when the feed says nothing (its feed name set).
  const IndicatorMeta& defaults() const { return defaults_; }
  // Index of `meta` (feed name replaced by this feed's) in the feed's metas.
  uint32_t Meta(const IndicatorMeta& meta);
  // One entry: normalized and loaded, or counted as a duplicate or unsupported.
  void Add(uint64_t line, std::string_view written, std::optional<IndicatorType> type,
           uint32_t meta);
  // One entry that cannot be loaded; `counted` when Add already counted it.
  void Reject(uint64_t line, std::string_view written, std::string reason, bool counted = false);
  FeedLoad Finish() { return std::move(load_); }

 private:
  FeedLoad load_;
  IndicatorMeta defaults_;
  StringMap<uint32_t> meta_index_;
  // Hash of (type, value) -> index into load_.indicators. Not a set of strings: 1.6M
  // indicators would each be copied and allocated again.
  std::unordered_multimap<uint64_t, uint32_t> seen_;
};

// The JSON feed formats (indicator_feed_json.cc: the one place feed JSON is parsed).
absl::StatusOr<FeedLoad> ParseStixFeed(std::string_view json, std::string_view file,
                                       const FeedOptions& options);
absl::StatusOr<FeedLoad> ParseMispFeed(std::string_view json, std::string_view file,
                                       const FeedOptions& options);

}  // namespace trawl::internal

#endif  // TRAWL_SRC_RULES_INTERNAL_FEED_BUILDER_H_
