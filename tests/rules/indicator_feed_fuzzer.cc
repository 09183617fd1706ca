// Fuzzes the feed readers: any bytes in any format give a clean error or an accounted
// feed (every entry loaded, duplicate or unsupported; loaded values in normal form).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rules/indicator_feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr trawl::FeedFormat kFormats[] = {
      trawl::FeedFormat::kAuto, trawl::FeedFormat::kTrawlTsv, trawl::FeedFormat::kText,
      trawl::FeedFormat::kCsv,  trawl::FeedFormat::kStix,     trawl::FeedFormat::kMisp};
  trawl::FeedOptions options;
  options.format = kFormats[data[0] % 6];
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto feed = trawl::ParseFeed(bytes, "fuzz.feed", options);
  if (!feed.ok()) return 0;
  if (feed->entries != feed->indicators.size() + feed->duplicates + feed->unsupported) std::abort();
  for (const trawl::Indicator& indicator : feed->indicators) {
    if (indicator.meta >= feed->metas.size()) std::abort();
    auto again = trawl::NormalizeIndicator(indicator.value, indicator.type);
    // The normal form is a fixed point.
    if (!again.ok() || again->value != indicator.value) std::abort();
  }
  return 0;
}
