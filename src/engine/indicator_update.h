// File: indicator_update.h
// Feed updates without recompiling rules: a new database with the same rules and engine
// databases and a rebuilt indicator set, and the accounting of every feed entry as JSON.
//
// Thread-safety: pure functions; the input database is only read.
#ifndef TRAWL_SRC_ENGINE_INDICATOR_UPDATE_H_
#define TRAWL_SRC_ENGINE_INDICATOR_UPDATE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/database.h"
#include "engine/indicator_set.h"
#include "rules/indicator_feed.h"

namespace trawl {

class JsonWriter;  // util/json_writer.h

enum class IndicatorUpdateMode : uint8_t {
  kAdd = 0,      // the feeds' indicators join the set; one already listed by the same feed
                 // is a duplicate
  kReplace = 1,  // each feed replaces the indicators of the feed of the same name
};

// `feeds` are read already (LoadFeedFile); in kAdd mode the entries the database's set
// already has under the same feed name move to their feed's duplicates, with the reason.
absl::StatusOr<std::shared_ptr<const Database>> UpdateIndicators(const Database& db,
                                                                  std::vector<FeedLoad>* feeds,
                                                                  IndicatorUpdateMode mode);

// {"feeds": [{"file", "feed", "format", "entries", "loaded", "duplicates", "unsupported",
//   "issues": [{"line", "value", "reason", "duplicate"}]}], "indicators": {...}}: what
// became of every entry, and the set's feeds afterwards (when `set` is given).
std::string FeedReportToJson(const std::vector<FeedLoad>& feeds, const IndicatorSet* set,
                             int indent = 2);

// The set's summary object written by FeedReportToJson and `trawl db info`.
void WriteIndicatorSummary(JsonWriter& w, const IndicatorSet& set);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_INDICATOR_UPDATE_H_
