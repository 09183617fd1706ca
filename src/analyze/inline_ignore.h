// File: inline_ignore.h
// Inline ignores: a `trawl:ignore` comment on a finding's line (or gitleaks'
// `gitleaks:allow`) marks the finding, and aggregation reports it suppressed with that
// reason (docs/scoring.md, "Inline ignores"). `trawl:ignore RULE[,RULE...]` limits it to
// those rule ids. It is analysis logic, in the library, so every host honours it.
//
// Thread-safe: pure functions.
#ifndef TRAWL_SRC_ANALYZE_INLINE_IGNORE_H_
#define TRAWL_SRC_ANALYZE_INLINE_IGNORE_H_

#include <string>
#include <string_view>
#include <vector>

namespace trawl {

struct Finding;
struct TranscodedText;

// The marker on the line(s) of content[start, end) that applies to `rule_id`, as written
// ("trawl:ignore", "trawl:ignore aws-access-key-id", "gitleaks:allow"), or "" when none.
std::string InlineIgnoreMarker(std::string_view content, uint64_t start, uint64_t end,
                               std::string_view rule_id);

// Sets each finding's inline_ignore from `content` (the component's bytes, which the
// findings' spans index). When the component was analysed transcoded (UTF-16 text),
// `transcoded` is its UTF-8 text: the marker is looked for there, on the line of the
// finding's span mapped into it, so that a marker is found whatever the encoding.
void MarkInlineIgnores(std::string_view content, const TranscodedText* transcoded,
                       std::vector<Finding>* findings);

}  // namespace trawl

#endif  // TRAWL_SRC_ANALYZE_INLINE_IGNORE_H_
