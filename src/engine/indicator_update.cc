// File: indicator_update.cc
#include "engine/indicator_update.h"

#include <algorithm>

#include "engine/artifact.h"
#include "util/json_writer.h"
#include "util/strings.h"

namespace trawl {

absl::StatusOr<std::shared_ptr<const Database>> UpdateIndicators(const Database& db,
                                                                  std::vector<FeedLoad>* feeds,
                                                                  IndicatorUpdateMode mode) {
  const IndicatorSet* base = db.indicators();
  std::vector<std::string> drop;
  if (mode == IndicatorUpdateMode::kReplace) {
    for (const FeedLoad& feed : *feeds) drop.push_back(feed.feed);
  } else if (base != nullptr) {
    for (FeedLoad& feed : *feeds) {
      std::vector<Indicator> kept;
      kept.reserve(feed.indicators.size());
      for (Indicator& indicator : feed.indicators) {
        bool listed = false;
        base->Find(KeyKindOf(indicator.type), indicator.value, [&](const IndicatorSet::Hit& hit) {
          listed = listed || base->meta(hit.meta).feed == feed.feed;
        });
        if (!listed) {
          kept.push_back(std::move(indicator));
          continue;
        }
        ++feed.duplicates;
        feed.issues.push_back({indicator.line, indicator.value,
                               StrCat("already in the database's feed ", feed.feed), true});
      }
      feed.indicators = std::move(kept);
    }
  }
  auto set = IndicatorSet::Build(*feeds, base, drop);
  if (!set.ok()) return set.status();
  return WithIndicators(db, set->get());
}

void WriteIndicatorSummary(JsonWriter& w, const IndicatorSet& set) {
  w.BeginObject();
  w.Field("count", set.indicator_count()).Field("entries", set.entry_count());
  w.Field("bytes", static_cast<uint64_t>(set.bytes().size()));
  w.Key("feeds").BeginArray();
  for (const IndicatorSet::FeedCount& feed : set.Feeds()) {
    w.BeginObject().Field("feed", feed.feed).Field("indicators", feed.indicators);
    w.Key("by_type").BeginObject();
    for (uint8_t t = 0; t < kIndicatorTypeCount; ++t) {
      if (feed.by_type[t] != 0) {
        w.Field(IndicatorTypeName(static_cast<IndicatorType>(t)), feed.by_type[t]);
      }
    }
    w.EndObject().EndObject();
  }
  w.EndArray().EndObject();
}

std::string FeedReportToJson(const std::vector<FeedLoad>& feeds, const IndicatorSet* set,
                             int indent) {
  JsonWriter w(indent);
  w.BeginObject().Key("feeds").BeginArray();
  for (const FeedLoad& feed : feeds) {
    w.BeginObject().Field("file", feed.file).Field("feed", feed.feed);
    w.Field("format", FeedFormatName(feed.format));
    w.Field("entries", feed.entries).Field("loaded", static_cast<uint64_t>(feed.indicators.size()));
    w.Field("duplicates", feed.duplicates).Field("unsupported", feed.unsupported);
    w.Key("issues").BeginArray();
    for (const FeedIssue& issue : feed.issues) {
      w.BeginObject().Field("line", issue.line).Field("value", issue.value);
      w.Field("reason", issue.reason).Field("duplicate", issue.duplicate).EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray();
  if (set != nullptr) {
    w.Key("indicators");
    WriteIndicatorSummary(w, *set);
  }
  w.EndObject();
  std::string out = w.Take();
  out.push_back('\n');
  return out;
}

}  // namespace trawl
