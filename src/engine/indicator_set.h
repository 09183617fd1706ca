// File: indicator_set.h
// A database's threat-indicator set: millions of exact values (rules/indicator_feed.h)
// in a static hash table that is read where it lies in the mapped artifact, as the
// engine images are. Looking a value up costs one hash and a few cache lines whatever
// the feed's size; it never touches the engine, so feeds grow and change without
// recompiling rules (docs/indicators.md).
//
// Layout (one artifact section, 64-byte aligned, native byte order): a 64-byte header;
// buckets (u32, the first entry of each bucket of the hash's top bits, one past the end
// last); the entries' 32-bit hash tags (the hash's low half); the entries (12 bytes: value
// offset and length, type, key kind, key span inside the value, metadata index); the metadata records (feed, family,
// category, source as string-table spans; severity; confidence); the string table; the
// values. Every entry is verified against its value bytes, so a hash collision never
// reports a wrong indicator.
//
// An indicator has one entry keyed by its own value and, for lookups by part of it, a
// second entry keyed by that part: an IP:port indicator by its IP (a candidate IP
// without a port finds it), a URL indicator without a path by its host.
//
// Loading checks the header, the layout sizes, the buckets and the metadata; entries
// are bounds-checked when they are read. A forged section can make lookups miss, never
// read outside it.
//
// Thread-safety: immutable; share it freely.
#ifndef TRAWL_SRC_ENGINE_INDICATOR_SET_H_
#define TRAWL_SRC_ENGINE_INDICATOR_SET_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/definition.h"
#include "rules/indicator_feed.h"

namespace trawl {

// What a lookup key is: an indicator's own value (the IndicatorType values 0..9), or a
// part of it.
enum class IndicatorKey : uint8_t {
  kIpOfIpPort = 16,  // the IP of an IP:port indicator
  kHostOfUrl = 17,   // the host of a URL indicator that names no path
};
constexpr uint8_t KeyKindOf(IndicatorType type) { return static_cast<uint8_t>(type); }
constexpr uint8_t KeyKindOf(IndicatorKey key) { return static_cast<uint8_t>(key); }

class IndicatorSet {
 public:
  struct Meta {
    std::string_view feed, family, category, source;
    Severity severity = Severity::kHigh;
    double confidence = 0.7;
  };
  struct Hit {
    uint32_t entry = 0;        // index of the entry (stable for one set)
    IndicatorType type{};      // the indicator's type
    std::string_view value;    // the indicator's whole value ("1.2.3.4:443")
    uint32_t meta = 0;
  };
  struct FeedCount {
    std::string feed;
    uint64_t indicators = 0;
    std::array<uint64_t, kIndicatorTypeCount> by_type{};
  };

  // The indicators of `feeds` (a value in two feeds is kept once per feed), after those
  // of `base` whose feed is not in `drop_feeds` (an update). The base's entries are
  // carried over as they lie (bucket, tag and value bytes; hashed again only when the
  // bucket count changes), so an update costs about one pass over the base's section
  // plus the new feeds. Fails on resource limits: more than 2^32 entries or value bytes.
  static absl::StatusOr<std::shared_ptr<const IndicatorSet>> Build(
      const std::vector<FeedLoad>& feeds, const IndicatorSet* base = nullptr,
      std::span<const std::string> drop_feeds = {});

  // Reads a section in place. `owner` keeps `section` alive; `section` is 8-byte aligned
  // (artifacts align it to 64). kCorrupt-coded DataLoss errors for a bad section.
  static absl::StatusOr<std::shared_ptr<const IndicatorSet>> View(
      std::string_view section, std::shared_ptr<const void> owner);

  // The section bytes, as artifacts store them.
  std::string_view bytes() const { return section_; }
  // Indicators (entries keyed by their own value).
  uint64_t indicator_count() const { return indicator_count_; }
  uint64_t entry_count() const { return entry_count_; }
  size_t meta_count() const { return meta_count_; }
  // Whether any indicator has `type` (the analyzer hashes components with MD5 or SHA-1
  // only when a feed lists those).
  bool HasType(IndicatorType type) const { return type_mask_ >> static_cast<unsigned>(type) & 1; }

  // Calls fn(const Hit&) for every entry whose key is (kind, key); `key` must be in the
  // normal form of NormalizeIndicator().
  template <typename Fn>
  void Find(uint8_t kind, std::string_view key, Fn fn) const {
    const uint64_t hash = Hash(kind, key);
    const uint64_t bucket = hash >> (64 - bucket_bits_);
    const uint32_t tag = Tag(hash);
    for (uint32_t i = buckets_[bucket], end = buckets_[bucket + 1]; i < end; ++i) {
      if (tags_[i] != tag) continue;
      Hit hit;
      if (Verify(i, kind, key, &hit)) fn(hit);
    }
  }
  Meta meta(uint32_t index) const;  // REQUIRES: index < meta_count()
  std::vector<FeedCount> Feeds() const;
  // Every indicator (primary entries), with its metadata index: for rebuilding.
  void ForEachIndicator(const std::function<void(const Hit&)>& fn) const;

  static uint64_t Hash(uint8_t kind, std::string_view key);
  // The low half of a hash, stored per entry: the top bits pick the bucket, the tag
  // rejects all but about one in four billion of a bucket's other entries.
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>(hash); }

 private:
  IndicatorSet() = default;
  bool Verify(uint32_t entry, uint8_t kind, std::string_view key, Hit* hit) const;

  std::shared_ptr<const void> owner_;
  std::string_view section_;
  uint32_t bucket_bits_ = 1;
  uint64_t entry_count_ = 0;
  uint64_t indicator_count_ = 0;
  uint64_t meta_count_ = 0;
  uint32_t type_mask_ = 0;
  const uint32_t* buckets_ = nullptr;
  const uint32_t* tags_ = nullptr;
  const char* entries_ = nullptr;
  const char* metas_ = nullptr;
  std::string_view strings_;
  std::string_view values_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_INDICATOR_SET_H_
